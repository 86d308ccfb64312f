/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz-ikelog.c: an ike.log record (IKE daemons' log lines, decode-ikelog.c) through the
 * decoder, and each of its lines through the collector's allowlist and time parser. Every
 * event must carry a bounded text and a known kind.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xfrmd/decode.h"
#include "xfrmd/ike.h"
#include "xfrmd/model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xd_snapshot *s = NULL;
	const char *p, *end;
	char *copy;

	if (xd_snapshot_new(&s) < 0)
		return 0;
	s->meta.captured_at = 1796673600;
	/* an exact-size copy, so a read past the end is caught */
	copy = malloc(size ? size : 1);
	if (!copy) {
		xd_snapshot_free(s);
		return 0;
	}
	memcpy(copy, data, size);
	struct xd_record r = { .kind = XD_RECORD_FILE, .dump = XD_DUMP_IKE_LOG, .data = copy, .len = size };
	(void)xd_decode_record(s, &r);
	for (size_t i = 0; s->ike && i < s->ike->events.len; i++) {
		const struct xd_ike_event *e = xd_vec_at(&s->ike->events, i);
		if (!xd_ike_event_kind_name(e->kind) || !e->text || strlen(e->text) > XD_IKELOG_LINE_MAX)
			abort();
	}
	for (p = copy, end = copy + size; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t ll = nl ? (size_t)(nl - p) : (size_t)(end - p);
		(void)xd_ikelog_keep(p, ll);
		(void)xd_ikelog_time(p, ll, 1796673600);
		p = nl ? nl + 1 : end;
	}
	free(copy);
	xd_snapshot_free(s);
	return 0;
}
