/* SPDX-License-Identifier: GPL-2.0-or-later */
/* archive-unpack.h: packed support archives (archive-unpack.c), for archive-read.c. */
#pragma once

#include <stddef.h>

#include "xfrmd/capture.h"

/*
 * Unpack the tar archive at `path` (compressed with `compression`: "gzip", "xz", "bzip2",
 * "zstd", or "tar" for none) into a new private temporary directory, *ret_dir (malloc'ed).
 * Only regular files the archive reader can use are written; see archive-unpack.c for the
 * rules and bounds. Returns 0, or -errno with a one-line reason in err: -EBADMSG not a tar
 * stream, -EFBIG a bound exceeded, -ENOENT no decompressor for it.
 */
int xd_archive_unpack(const char *path, const char *compression, char **ret_dir, char *err,
		      size_t errlen);

/* Remove what xd_archive_unpack() made (never following a symlink) and free dir. */
void xd_archive_unpack_remove(char *dir);
