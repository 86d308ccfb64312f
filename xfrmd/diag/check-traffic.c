/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * check-traffic.c: what only shows over time (DESIGN.md §7 `traffic.*`). With two samples,
 * an SA pair whose outbound byte counter grows while the inbound partner's stays flat is
 * one-way traffic: the peer's packets never reach XFRM (firewall, NAT, the peer itself).
 * A pair where neither grows is idle (info). Without an earlier sample these checks are
 * silent, never guessing from a single snapshot.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "diag-util.h"
#include "xfrmd/diag.h"

enum { D_ONE_WAY, D_IDLE };

static const struct xd_finding_def defs[] = {
	[D_ONE_WAY] = { "traffic.one_way", XD_SEV_ERROR, "traffic leaves through the tunnel but nothing comes back",
			"The peer's ESP (or UDP 4500) does not reach this host's XFRM layer: check "
			"firewalls on both sides for ESP/UDP 4500 (`xfrmctl fw verdict`), NAT in "
			"between, and the peer's outbound SA.",
			XD_DEF_AGGREGATE },
	[D_IDLE] = { "traffic.idle", XD_SEV_INFO, "no traffic through the tunnel in the sample interval",
		     "Nothing to do if the tunnel is expected to be idle.",
		     XD_DEF_AGGREGATE },
	{ NULL },
};

static uint64_t grown(const struct xd_snapshot *prev, const struct xd_sa *sa)
{
	const struct xd_sa *p = xd_snapshot_find_sa(prev, sa->family, &sa->daddr, sa->spi, sa->proto);

	if (!p)
		return sa->curlft.bytes; /* new since the first sample */
	return sa->curlft.bytes >= p->curlft.bytes ? sa->curlft.bytes - p->curlft.bytes : 0;
}

static void run(const struct xd_diag_ctx *c, struct xd_findings *out)
{
	const struct xd_snapshot *s = c->now;
	struct sa_index ix;

	if (!c->prev || !xd_snapshot_has_local_addrs(s))
		return;
	if (xd_sa_index_build(&ix, s) < 0) {
		out->error = -ENOMEM;
		return;
	}
	for (size_t i = 0; i < s->sas.len; i++) {
		const struct xd_sa *o = xd_snapshot_sa(s, i);
		size_t first, n;
		uint64_t out_delta = 0, in_delta = 0;
		char d[160];

		if (!diag_sa_is_real(o) || xd_diag_sa_dir(s, o) != SA_DIR_OUT)
			continue;
		/* sum over every SA of the pair so a rekey inside the interval does not confuse */
		n = xd_sa_index_find(&ix, o->family, &o->saddr, &o->daddr, o->proto, o->reqid, &first);
		if (sa_index_at(&ix, first) != o)
			continue; /* evaluate each pair once, at its oldest outbound SA */
		for (size_t k = first; k < first + n; k++)
			out_delta += grown(c->prev, sa_index_at(&ix, k));
		n = xd_sa_index_find(&ix, o->family, &o->daddr, &o->saddr, o->proto, o->reqid, &first);
		if (!n)
			continue; /* sa.one_way covers a missing partner */
		for (size_t k = first; k < first + n; k++)
			in_delta += grown(c->prev, sa_index_at(&ix, k));
		if (out_delta && !in_delta) {
			struct xd_finding *x = xd_finding_add(out, &defs[D_ONE_WAY],
				"%s: %llu bytes out, 0 bytes in over %.0f s",
				xd_diag_sa_desc(o, d, sizeof(d)), (unsigned long long)out_delta, c->interval_s);
			xd_finding_peer(x, o->family, &o->saddr, &o->daddr);
			xd_finding_reqid(x, o->reqid);
			xd_finding_spi(x, o->spi, o->proto);
			xd_finding_ev_int(x, "bytes_out_delta", (int64_t)out_delta);
			xd_finding_ev_int(x, "bytes_in_delta", 0);
			xd_finding_ev_str(x, "interval_s", "%.1f", c->interval_s);
		} else if (!out_delta && !in_delta) {
			struct xd_finding *x = xd_finding_add(out, &defs[D_IDLE], "%s: no bytes either way over %.0f s",
							      xd_diag_sa_desc(o, d, sizeof(d)), c->interval_s);
			xd_finding_peer(x, o->family, &o->saddr, &o->daddr);
			xd_finding_reqid(x, o->reqid);
			xd_finding_ev_str(x, "interval_s", "%.1f", c->interval_s);
		}
	}
	xd_sa_index_done(&ix);
}

const struct xd_check_family xd_check_traffic = { "traffic", defs, run };
