/* SPDX-License-Identifier: GPL-2.0-or-later */
/* verb-show.c: `xfrmctl show sa|policy|stats|kernel|stack|certs|ike|routes|rules|
 * tunnels|all` and `xfrmctl status`. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "xfrmctl.h"
#include "xfrmd/model.h"
#include "xfrmd/render.h"
#include "xfrmd/util.h"

static const struct {
	const char *name;
	unsigned what;
} sections[] = {
	{ "sa", XD_RENDER_SA },
	{ "state", XD_RENDER_SA },
	{ "policy", XD_RENDER_POLICY },
	{ "stats", XD_RENDER_STATS },
	{ "kernel", XD_RENDER_KERNEL },
	{ "stack", XD_RENDER_STACK },
	{ "certs", XD_RENDER_CERTS },
	{ "ike", XD_RENDER_IKE },
	{ "routes", XD_RENDER_ROUTES },
	{ "route", XD_RENDER_ROUTES },
	{ "rules", XD_RENDER_RULES },
	{ "rule", XD_RENDER_RULES },
	{ "all", XD_RENDER_SA | XD_RENDER_POLICY | XD_RENDER_STATS },
};

/* Collect only what the sections show: `show sa` need not scan processes or the firewall. */
static unsigned groups_for(unsigned what)
{
	unsigned g = 0;

	if (what & (XD_RENDER_SA | XD_RENDER_POLICY | XD_RENDER_STATS | XD_RENDER_STATUS))
		g |= XD_COLLECT_XFRM;
	/* the stack's processes tell whether a 32-bit IKE daemon runs on a 64-bit kernel */
	if (what & XD_RENDER_KERNEL)
		g |= XD_COLLECT_KERNEL | XD_COLLECT_XFRM | XD_COLLECT_STACK;
	if (what & XD_RENDER_STACK)
		g |= XD_COLLECT_STACK | XD_COLLECT_XFRM | XD_COLLECT_RTNL;
	if (what & XD_RENDER_CERTS)
		g |= XD_COLLECT_OTHER; /* credentials (docs/certificates.md) */
	if (what & XD_RENDER_IKE)
		g |= XD_COLLECT_STACK; /* the daemon's VICI listing is a stack dump (dumps.h) */
	if (what & (XD_RENDER_ROUTES | XD_RENDER_RULES))
		g |= XD_COLLECT_RTNL; /* interface names come with the routes */
	return g;
}

/* -o names the columns of one table: show sa or show policy alone. */
static int table_opts(unsigned what, struct xd_table_opts *ret)
{
	if (what == XD_RENDER_POLICY)
		return xfrmctl_table_opts(XD_TABLE_POLICY, ret);
	if (arg_columns && what != XD_RENDER_SA)
		return xfrmctl_usage_error("-o chooses the columns of one table: show sa or show policy");
	return xfrmctl_table_opts(XD_TABLE_SA, ret);
}

static int render(unsigned what)
{
	struct xd_snapshot *s = NULL;
	struct xd_render_opts o = { .pretty = arg_json == JSON_PRETTY, .color = arg_color,
				    .verbose = arg_verbose };
	int r;

	r = table_opts(what, &o.table);
	if (r)
		return r;

	arg_collect = groups_for(what);
	/* the daemon serves the XFRM sections; kernel/stack views are collected here */
	/* the daemon lists everything: with a selector, filter a collection of our own */
	if (!(what & ~(XD_RENDER_SA | XD_RENDER_POLICY | XD_RENDER_STATS | XD_RENDER_STATUS)) &&
	    !arg_filter.has && xfrmctl_daemon_wanted()) {
		char req[128];
		if (what == XD_RENDER_STATUS)
			snprintf(req, sizeof(req), "{\"command\":\"status\"}");
		else
			snprintf(req, sizeof(req), "{\"command\":\"show\",\"sections\":[%s%s%s%s%s]}",
				 what & XD_RENDER_SA ? "\"sa\"" : "",
				 what & XD_RENDER_SA && what & (XD_RENDER_POLICY | XD_RENDER_STATS) ? "," : "",
				 what & XD_RENDER_POLICY ? "\"policy\"" : "",
				 what & XD_RENDER_POLICY && what & XD_RENDER_STATS ? "," : "",
				 what & XD_RENDER_STATS ? "\"stats\"" : "");
		r = xfrmctl_daemon_simple(req);
		if (r >= 0)
			return r;
		/* no daemon listening after all: collect directly */
	}
	if (what == XD_RENDER_SA)
		return xfrmctl_show_sa_streamed(&o.table);
	r = xfrmctl_load(&s);
	if (r)
		return r;
	xfrmctl_filter_snapshot(s);
	if (arg_json != JSON_OFF)
		r = xd_render_json(stdout, s, what, &o);
	else
		r = xd_render_text(stdout, s, what, &o);
	xd_snapshot_free(s);
	if (fflush(stdout) != 0 || r < 0) {
		fputs("xfrmctl: writing output failed\n", stderr);
		return EXIT_COLLECT;
	}
	return EXIT_OK;
}

/* `show firewall`: its own document (the firewall is not part of `show all`'s sections). */
static int render_firewall(void)
{
	struct xd_snapshot *s = NULL;
	struct xd_render_opts o = { .pretty = arg_json == JSON_PRETTY, .color = arg_color,
				    .verbose = arg_verbose };
	int r;

	arg_collect = XD_COLLECT_FIREWALL | XD_COLLECT_RTNL | XD_COLLECT_XFRM;
	r = xfrmctl_load(&s);
	if (r)
		return r;
	if (arg_json != JSON_OFF)
		r = xd_render_firewall_json(stdout, s, &o);
	else
		r = xd_render_firewall_text(stdout, s, &o);
	xd_snapshot_free(s);
	if (fflush(stdout) != 0 || r < 0) {
		fputs("xfrmctl: writing output failed\n", stderr);
		return EXIT_COLLECT;
	}
	return EXIT_OK;
}

/* `show tunnels`: route-based tunnels, their own document; the kernel profile brings the
 * interfaces' disable_policy/disable_xfrm sysctls. */
static int render_tunnels(void)
{
	struct xd_snapshot *s = NULL;
	struct xd_render_opts o = { .pretty = arg_json == JSON_PRETTY, .color = arg_color,
				    .verbose = arg_verbose };
	int r;

	arg_collect = XD_COLLECT_RTNL | XD_COLLECT_XFRM | XD_COLLECT_KERNEL;
	r = xfrmctl_load(&s);
	if (r)
		return r;
	if (arg_json != JSON_OFF)
		r = xd_render_tunnels_json(stdout, s, &o);
	else
		r = xd_render_tunnels_text(stdout, s, &o);
	xd_snapshot_free(s);
	if (fflush(stdout) != 0 || r < 0) {
		fputs("xfrmctl: writing output failed\n", stderr);
		return EXIT_COLLECT;
	}
	return EXIT_OK;
}

int verb_show(int argc, char **argv)
{
	unsigned what = 0;
	char **pos;
	int npos, r;

	static const struct option opts[] = {
		XFRMCTL_COMMON_LONGOPTS,
		{ "output", required_argument, NULL, 'o' },
		{ "no-headings", no_argument, NULL, 'H' },
		{ "raw", no_argument, NULL, 'R' },
		{}
	};

	r = xfrmctl_parse_table_verb(argc, argv, "show", opts, 32, &pos, &npos);
	if (r)
		return r;
	/* `show sa spi 0x... reqid N`, `show policy dir in`: selectors after the sections */
	for (int i = 0; i < npos; i++) {
		r = xfrmctl_filter_parse(pos[i], i + 1 < npos ? pos[i + 1] : NULL);
		if (r == -ENOENT)
			continue;
		if (r)
			return r;
		memmove(pos + i, pos + i + 2, (size_t)(npos - i - 2) * sizeof(*pos));
		npos -= 2;
		i--;
	}
	if (npos > 4)
		return xfrmctl_usage_error("show: unexpected argument '%s'", pos[4]);
	if (npos == 0 && !arg_filter.has)
		return render(XD_RENDER_SA | XD_RENDER_POLICY | XD_RENDER_STATS);
	if (npos == 0)
		return xfrmctl_usage_error("show: a selector needs its section (show sa spi N)");
	if (npos == 1 && (xd_streq(pos[0], "firewall") || xd_streq(pos[0], "fw")))
		return render_firewall();
	if (npos == 1 && (xd_streq(pos[0], "tunnels") || xd_streq(pos[0], "interfaces")))
		return render_tunnels();
	for (int i = 0; i < npos; i++) {
		unsigned w = 0;
		for (size_t k = 0; k < XD_ARRAY_SIZE(sections); k++)
			if (xd_streq(pos[i], sections[k].name))
				w = sections[k].what;
		if (!w)
			return xfrmctl_usage_error("unknown section '%s' (sa, policy, stats, kernel, stack, fw, tunnels, certs, ike, routes, rules, all)",
						   pos[i]);
		what |= w;
	}
	if ((arg_filter.has & (XFRMCTL_FILTER_SPI | XFRMCTL_FILTER_SRC | XFRMCTL_FILTER_DST)) &&
	    !(what & XD_RENDER_SA))
		return xfrmctl_usage_error("show: spi, src and dst select SAs (show sa ...)");
	if ((arg_filter.has & XFRMCTL_FILTER_DIR) && !(what & XD_RENDER_POLICY))
		return xfrmctl_usage_error("show: dir selects policies (show policy dir ...)");
	if ((arg_filter.has & XFRMCTL_FILTER_REQID) && !(what & (XD_RENDER_SA | XD_RENDER_POLICY)))
		return xfrmctl_usage_error("show: reqid selects SAs or policies");
	return render(what);
}

int verb_status(int argc, char **argv)
{
	int r = xfrmctl_parse_common_only(argc, argv, "status", 0, NULL, NULL);

	return r ? r : render(XD_RENDER_STATUS);
}
