/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz-cert.c: credential records (file.cred, file.conn) through the decoder and then the
 * cert check family, so chain building, key matching and identity comparison also see
 * hostile input. The input is a sequence of records separated by "\n%%\n"; a record whose
 * first byte is 'C' is a connection record (the rest of it), any other a credential record.
 */
#include <stdint.h>
#include <string.h>

#include "xfrmd/cert.h"
#include "xfrmd/decode.h"
#include "xfrmd/diag.h"
#include "xfrmd/model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char sep[] = "\n%%\n";
	struct xd_snapshot *s = NULL;
	struct xd_diag_ctx ctx = { 0 };
	struct xd_findings f;
	size_t pos = 0;
	unsigned n = 0;

	if (xd_snapshot_new(&s) < 0)
		return 0;
	s->meta.captured_at = 1700000000; /* 2023-11-14: a fixed "now" */
	while (pos <= size && n++ < 64) {
		const uint8_t *rec = data + pos;
		const uint8_t *end = memmem(rec, size - pos, sep, sizeof(sep) - 1);
		size_t len = end ? (size_t)(end - rec) : size - pos;

		if (len && rec[0] == 'C')
			(void)xd_decode_cert_conn(s, rec + 1, len - 1);
		else
			(void)xd_decode_cert_cred(s, rec, len);
		if (!end)
			break;
		pos += len + sizeof(sep) - 1;
	}
	xd_snapshot_sort(s);
	ctx.now = s;
	xd_diag_opts_default(&ctx.opts);
	xd_findings_init(&f);
	(void)xd_diag_run(&ctx, &f);
	xd_findings_done(&f);
	xd_snapshot_free(s);
	return 0;
}
