/* SPDX-License-Identifier: GPL-2.0-or-later */
/* verb-peers.c: `xfrmctl peers`: one row per remote gateway with its state and findings. */
#include <stdio.h>

#include "xfrmctl.h"
#include "xfrmd/diag.h"
#include "xfrmd/model.h"
#include "xfrmd/peers.h"
#include "xfrmd/render.h"

int verb_peers(int argc, char **argv)
{
	struct xd_snapshot *s = NULL;
	struct xd_findings f;
	struct xd_diag_ctx ctx = { 0 };
	struct xd_vec rows;
	struct xd_render_opts o = { .pretty = arg_json == JSON_PRETTY, .color = arg_color };
	int r;

	r = xfrmctl_parse_common_only(argc, argv, "peers", 0, NULL, NULL);
	if (r)
		return r;
	if (xfrmctl_daemon_wanted()) {
		r = xfrmctl_daemon_simple("{\"command\":\"peers\"}");
		if (r >= 0)
			return r;
	}
	r = xfrmctl_load(&s);
	if (r)
		return r;
	ctx.now = s;
	xd_diag_opts_default(&ctx.opts);
	xd_findings_init(&f);
	(void)xd_diag_run(&ctx, &f);
	r = xd_peers_build(s, &f, &rows);
	if (r == 0)
		r = arg_json != JSON_OFF ? xd_render_peers_json(stdout, s, &rows, &o)
					 : xd_render_peers_text(stdout, s, &rows, &o);
	xd_peers_free(&rows);
	xd_findings_done(&f);
	xd_snapshot_free(s);
	if (r < 0 || fflush(stdout) != 0) {
		fputs("xfrmctl: the peer matrix could not be built\n", stderr);
		return EXIT_COLLECT;
	}
	return EXIT_OK;
}
