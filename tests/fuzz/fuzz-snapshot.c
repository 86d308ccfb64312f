/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz-snapshot.c: a whole snapshot file through the reader, every decoder, the checks and
 * the renderers — the path `xfrmctl -r FILE check` takes on a file sent from elsewhere.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "xfrmd/capture.h"
#include "xfrmd/decode.h"
#include "xfrmd/diag.h"
#include "xfrmd/model.h"
#include "xfrmd/render.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xd_snapshot *s = NULL;
	struct xd_record_sink sink;
	char err[256];

	if (xd_snapshot_new(&s) < 0)
		return 0;
	xd_decode_sink_init(&sink, s);
	if (xd_capture_read_mem(data, size, &s->meta, &sink, err, sizeof(err)) == 0) {
		struct xd_diag_ctx ctx = { .now = s };
		struct xd_findings f;
		FILE *out = fopen("/dev/null", "w");

		xd_snapshot_sort(s);
		xd_diag_opts_default(&ctx.opts);
		xd_findings_init(&f);
		(void)xd_diag_run(&ctx, &f);
		if (out) {
			(void)xd_render_json(out, s, XD_RENDER_SA | XD_RENDER_POLICY | XD_RENDER_STATS | XD_RENDER_STATUS, NULL);
			(void)xd_render_findings_json(out, s, &f, NULL);
			fclose(out);
		}
		xd_findings_done(&f);
	}
	xd_snapshot_free(s);
	return 0;
}
