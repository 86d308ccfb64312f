/* SPDX-License-Identifier: GPL-2.0-or-later */
/* scratch.c: see scratch.h. */
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>

#include "scratch.h"

int scratch_make(char *dir)
{
	return mkdtemp(dir) ? 0 : -1;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path) < 0 ? -1 : 0;
}

int scratch_remove(const char *dir)
{
	/* depth first, so a directory is empty when its turn comes */
	return nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS) == 0 ? 0 : -1;
}

int scratch_write(const char *dir, const char *name, const void *data, size_t len)
{
	char p[1024];
	FILE *f;
	int r = 0;

	if ((size_t)snprintf(p, sizeof(p), "%s/%s", dir, name) >= sizeof(p))
		return -ENAMETOOLONG;
	f = fopen(p, "w");
	if (!f)
		return -errno;
	if (fwrite(data, 1, len, f) != len)
		r = -EIO;
	if (fclose(f) != 0 && r == 0)
		r = -EIO;
	return r;
}
