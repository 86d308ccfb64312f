/* SPDX-License-Identifier: GPL-2.0-or-later */
/* verb-peers.c: `xfrmctl peers [ADDRESS...]`: one row per remote gateway with its state and
 * findings; with addresses, only those gateways' rows. */
#include <arpa/inet.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "xfrmctl.h"
#include "xfrmd/analysis.h"
#include "xfrmd/diag.h"
#include "xfrmd/model.h"
#include "xfrmd/peers.h"
#include "xfrmd/render.h"

struct peer_addr {
	uint16_t family;
	struct xd_addr addr;
};

/* Keep the rows of the given peers only (in order); the others are freed. */
static void keep_peers(struct xd_vec *rows, const struct peer_addr *want, int n)
{
	size_t out = 0;

	for (size_t i = 0; i < rows->len; i++) {
		struct xd_peer_row *row = xd_vec_at(rows, i);
		bool keep = false;
		for (int k = 0; k < n && !keep; k++)
			keep = row->family == want[k].family &&
			       xd_addr_cmp(&row->peer, &want[k].addr) == 0;
		if (!keep) {
			xd_vec_done(&row->finding_ids);
			continue;
		}
		if (out != i)
			*(struct xd_peer_row *)xd_vec_at(rows, out) = *row;
		out++;
	}
	rows->len = out;
}

int verb_peers(int argc, char **argv)
{
	struct peer_addr want[16];
	char **pos;
	int npos;
	struct xd_analysis_opts ao = { .what = XD_ANALYZE_PEERS };
	struct xd_analysis *a = NULL;
	struct xd_render_opts o = { .pretty = arg_json == JSON_PRETTY, .color = arg_color };
	int r;

	static const struct option opts[] = {
		XFRMCTL_COMMON_LONGOPTS,
		{ "output", required_argument, NULL, 'o' },
		{ "no-headings", no_argument, NULL, 'H' },
		{ "raw", no_argument, NULL, 'R' },
		{}
	};

	r = xfrmctl_parse_table_verb(argc, argv, "peers", opts, 16, &pos, &npos);
	if (r)
		return r;
	r = xfrmctl_table_opts(XD_TABLE_PEERS, &o.table);
	if (r)
		return r;
	for (int i = 0; i < npos; i++) {
		want[i] = (struct peer_addr){ .family = AF_INET };
		if (inet_pton(AF_INET, pos[i], want[i].addr.b) != 1) {
			want[i].family = AF_INET6;
			if (inet_pton(AF_INET6, pos[i], want[i].addr.b) != 1)
				return xfrmctl_usage_error("peers: not an IP address: %s", pos[i]);
		}
	}
	/* the daemon answers for every peer: filter here, from a snapshot of our own */
	if (npos == 0 && xfrmctl_daemon_wanted()) {
		r = xfrmctl_daemon_simple("{\"command\":\"peers\"}");
		if (r >= 0)
			return r;
	}
	xd_diag_opts_default(&ao.diag);
	r = xfrmctl_analyze(&ao, &a);
	if (r)
		return r;
	if (npos)
		keep_peers(&a->peers, want, npos);
	r = arg_json != JSON_OFF ? xd_render_peers_json(stdout, a->snap, &a->peers, &o)
				 : xd_render_peers_text(stdout, a->snap, &a->peers, &o);
	xd_analysis_free(a);
	if (r < 0 || fflush(stdout) != 0) {
		fputs("xfrmctl: the peer matrix could not be built\n", stderr);
		return EXIT_COLLECT;
	}
	return EXIT_OK;
}
