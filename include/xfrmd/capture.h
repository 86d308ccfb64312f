/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * capture.h: the only code that reads and writes snapshot files (pcapng, DESIGN.md §6;
 * docs/snapshot-format.md). Writing scrubs keys again; reading scrubs any key span found
 * and counts it. Readers refuse foreign machine/byte order.
 */
#pragma once

#include <stdio.h>

#include <stddef.h>

#include "xfrmd/dumps.h"

struct xd_meta;
struct xd_recbuf;

/* Write all records of `buf` with its manifest to a new file (O_EXCL, 0600). */
int xd_capture_write(const char *path, const struct xd_recbuf *buf);
/* The same snapshot written to an open stream (`capture -w -`: a pipe to ssh or gzip); the
 * caller owns `f` and its permissions. Returns 0 or -errno. */
int xd_capture_write_stream(FILE *f, const struct xd_recbuf *buf);

/*
 * Read a snapshot: fills *meta from the manifest and feeds every record to `sink`.
 * Returns 0 or -errno: -EBADMSG corrupt/truncated, -EPROTO not a snapshot,
 * -EXDEV foreign machine or byte order. On error `errbuf` holds a one-line reason.
 */
int xd_capture_read(const char *path, struct xd_meta *meta, const struct xd_record_sink *sink,
		    char *errbuf, size_t errlen);

/* Same, from memory (fuzzing, tests). */
int xd_capture_read_mem(const void *data, size_t len, struct xd_meta *meta,
			const struct xd_record_sink *sink, char *errbuf, size_t errlen);
