/* SPDX-License-Identifier: GPL-2.0-or-later */
/* verb-peers.c: `xfrmctl peers`: one row per remote gateway with its state and findings. */
#include <stdio.h>

#include "xfrmctl.h"
#include "xfrmd/analysis.h"
#include "xfrmd/diag.h"
#include "xfrmd/model.h"
#include "xfrmd/peers.h"
#include "xfrmd/render.h"

int verb_peers(int argc, char **argv)
{
	struct xd_analysis_opts ao = { .what = XD_ANALYZE_PEERS };
	struct xd_analysis *a = NULL;
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
	xd_diag_opts_default(&ao.diag);
	r = xfrmctl_analyze(&ao, &a);
	if (r)
		return r;
	r = arg_json != JSON_OFF ? xd_render_peers_json(stdout, a->snap, &a->peers, &o)
				 : xd_render_peers_text(stdout, a->snap, &a->peers, &o);
	xd_analysis_free(a);
	if (r < 0 || fflush(stdout) != 0) {
		fputs("xfrmctl: the peer matrix could not be built\n", stderr);
		return EXIT_COLLECT;
	}
	return EXIT_OK;
}
