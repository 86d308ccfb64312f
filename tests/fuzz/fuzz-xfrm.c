/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz-xfrm.c: one datagram through the scrubber and the XFRM decoder as every XFRM dump,
 * then through the checks and the JSON renderer. Oracle beyond "no crash": after one scrub,
 * a second scrub finds no non-zero key byte (the scrubber leaves nothing behind).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xfrmd/decode.h"
#include "xfrmd/diag.h"
#include "xfrmd/model.h"
#include "xfrmd/render.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum xd_dump dumps[] = { XD_DUMP_XFRM_SA, XD_DUMP_XFRM_POLICY,
					      XD_DUMP_XFRM_SADINFO, XD_DUMP_XFRM_SPDINFO,
					      XD_DUMP_XFRM_DEFAULT };
	uint8_t *buf = malloc(size ? size : 1);
	struct xd_snapshot *s = NULL;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	(void)xd_xfrm_scrub(buf, size);
	if (xd_xfrm_scrub(buf, size) != 0)
		abort(); /* a key span survived the first pass */
	if (xd_snapshot_new(&s) == 0) {
		for (size_t i = 0; i < sizeof(dumps) / sizeof(dumps[0]); i++) {
			s->meta.dump_status[dumps[i]] = XD_DUMP_COMPLETE;
			(void)xd_decode_xfrm(s, dumps[i], buf, size);
		}
		xd_snapshot_sort(s);
		struct xd_diag_ctx ctx = { .now = s };
		struct xd_findings f;
		xd_diag_opts_default(&ctx.opts);
		xd_findings_init(&f);
		(void)xd_diag_run(&ctx, &f);
		FILE *out = fopen("/dev/null", "w");
		if (out) {
			(void)xd_render_json(out, s, XD_RENDER_SA | XD_RENDER_POLICY | XD_RENDER_STATS, NULL);
			(void)xd_render_findings_json(out, s, &f, NULL);
			struct xd_render_opts o = { .verbose = true };
			(void)xd_render_text(out, s, XD_RENDER_SA | XD_RENDER_POLICY | XD_RENDER_STATS, &o);
			(void)xd_render_findings_text(out, s, &f, &o);
			fclose(out);
		}
		xd_findings_done(&f);
		xd_snapshot_free(s);
	}
	free(buf);
	return 0;
}
