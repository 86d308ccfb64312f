/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * read-file.c: the helper that turns bytes built in memory into a file record. Files
 * themselves are read with xd_file_read() (file.h): bounded, never blocking, regular files
 * only.
 */

#include "collect-internal.h"
#include "xfrmd/model.h"

int xd_nl_add_file_record(struct xd_recbuf *out, enum xd_dump d, const void *data, size_t len)
{
	struct xd_record rec = { .kind = XD_RECORD_FILE, .dump = d, .data = data, .len = len };
	int r = xd_recbuf_add(out, &rec);

	xd_nl_set_status(xd_recbuf_meta(out), d, r);
	return r;
}
