/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * verb-metrics.c: `xfrmctl metrics`: Prometheus text exposition. From xfrmd when it runs
 * (its per-tunnel counters survive rekeys and it has daemon counters); otherwise computed
 * from one snapshot (tunnel totals are then the current SAs' counters), e.g. for the
 * node_exporter textfile collector.
 */
#include <json-c/json.h>
#include <stdio.h>

#include "xfrmctl.h"
#include "xfrmd/analysis.h"
#include "xfrmd/diag.h"
#include "xfrmd/kb.h"
#include "xfrmd/model.h"
#include "xfrmd/render.h"
#include "xfrmd/tunnels.h"

static int from_daemon(void)
{
	struct json_object *doc = NULL, *m;
	int r = xfrmctl_daemon_query("{\"command\":\"metrics\"}", &doc);

	if (r != 0)
		return r;
	if (!json_object_object_get_ex(doc, "metrics", &m) ||
	    !json_object_is_type(m, json_type_string)) {
		fputs("xfrmctl: xfrmd's metrics reply has no metrics\n", stderr);
		json_object_put(doc);
		return EXIT_COLLECT;
	}
	fputs(json_object_get_string(m), stdout);
	json_object_put(doc);
	return fflush(stdout) == 0 ? EXIT_OK : EXIT_COLLECT;
}

int verb_metrics(int argc, char **argv)
{
	struct xd_analysis_opts ao = { .what = XD_ANALYZE_FINDINGS };
	struct xd_analysis *a = NULL;
	struct xd_tunnels t;
	struct xd_kb *kb;
	int r;

	r = xfrmctl_parse_common_only(argc, argv, "metrics", 0, NULL, NULL);
	if (r)
		return r;
	/* the exposition is the same whatever --json says, so ask the daemon whenever it runs */
	if (!arg_no_daemon && !arg_read_path && !arg_netns) {
		r = from_daemon();
		if (r >= 0)
			return r;
	}
	xd_diag_opts_default(&ao.diag);
	/* the same findings as `check` and the daemon's exposition: known issues included */
	ao.kb = kb = xfrmctl_load_kb();
	r = xfrmctl_analyze(&ao, &a);
	if (r) {
		xd_kb_free(kb);
		return r;
	}
	xd_tunnels_init(&t);
	r = xd_tunnels_update(&t, a->snap);
	if (r == 0)
		r = xd_render_prom(stdout, a->snap, &a->findings, &t, NULL);
	xd_tunnels_done(&t);
	xd_analysis_free(a);
	xd_kb_free(kb);
	if (r < 0 || fflush(stdout) != 0) {
		fputs("xfrmctl: writing metrics failed\n", stderr);
		return EXIT_COLLECT;
	}
	return EXIT_OK;
}
