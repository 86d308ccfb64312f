/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * analysis.c: records -> decoded, sorted snapshot -> findings -> per-peer rows, in one place.
 * Before this, "new snapshot, decode sink, source, sort, diag run" was wired by hand in each
 * verb and in the daemon, and verbs disagreed on the inputs (peers ran without the
 * known-issues base, so its kernel.known_issue findings differed from check's).
 */
#include <errno.h>
#include <stdlib.h>

#include "xfrmd/analysis.h"
#include "xfrmd/decode.h"
#include "xfrmd/model.h"
#include "xfrmd/peers.h"

static double seconds_between(const struct xd_snapshot *a, const struct xd_snapshot *b)
{
	return (double)(b->meta.captured_at - a->meta.captured_at) +
	       ((double)b->meta.captured_at_ns - (double)a->meta.captured_at_ns) / 1e9;
}

int xd_analyze_snapshot(struct xd_snapshot *s, const struct xd_analysis_opts *o,
			struct xd_analysis **ret)
{
	struct xd_analysis *a = calloc(1, sizeof(*a));
	unsigned what = o->what;
	int r = 0;

	*ret = NULL;
	if (!a) {
		xd_snapshot_free(s);
		return -ENOMEM;
	}
	a->snap = s;
	xd_findings_init(&a->findings);
	xd_vec_init(&a->peers, sizeof(struct xd_peer_row));
	xd_snapshot_sort(s);
	if (what & XD_ANALYZE_PEERS)
		what |= XD_ANALYZE_FINDINGS;
	if (what & XD_ANALYZE_FINDINGS) {
		struct xd_diag_ctx ctx = { .now = s, .opts = o->diag, .kb = o->kb };

		if (o->prev) {
			ctx.prev = o->prev->snap;
			ctx.interval_s = a->interval_s = seconds_between(o->prev->snap, s);
		}
		r = xd_diag_run(&ctx, &a->findings);
	}
	if (r == 0 && (what & XD_ANALYZE_PEERS)) {
		xd_vec_done(&a->peers);
		r = xd_peers_build(s, &a->findings, &a->peers);
		if (r < 0)
			xd_vec_init(&a->peers, sizeof(struct xd_peer_row));
	}
	if (r < 0) {
		xd_analysis_free(a);
		return r;
	}
	*ret = a;
	return 0;
}

int xd_analyze(const struct xd_record_source *src, const struct xd_analysis_opts *o,
	       struct xd_analysis **ret)
{
	struct xd_snapshot *s = NULL;
	struct xd_record_sink sink;
	int r;

	*ret = NULL;
	r = xd_snapshot_new(&s);
	if (r < 0)
		return r;
	xd_decode_sink_init(&sink, s);
	r = src->run(src->userdata, &sink, &s->meta);
	if (r < 0) {
		xd_snapshot_free(s);
		return r;
	}
	return xd_analyze_snapshot(s, o, ret);
}

struct xd_analysis *xd_analysis_free(struct xd_analysis *a)
{
	if (!a)
		return NULL;
	xd_peers_free(&a->peers);
	xd_findings_done(&a->findings);
	xd_snapshot_free(a->snap);
	free(a);
	return NULL;
}
