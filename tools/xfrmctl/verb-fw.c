/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * verb-fw.c: `xfrmctl fw verdict --proto P --src A --dst B [...]`: evaluate one packet
 * through the firewall of the live kernel, a namespace or a snapshot, and print the verdict
 * with its trace. Exit 0 whatever the verdict (it is an answer, not a failure), 2 on a usage
 * error, 3 when the rule set could not be read.
 */
#include <arpa/inet.h>
#include <getopt.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>

#include "xfrmctl.h"
#include "xfrmd/fw.h"
#include "xfrmd/model.h"
#include "xfrmd/render.h"
#include "xfrmd/route.h"

static const struct {
	const char *name;
	uint8_t proto;
} protos[] = {
	{ "esp", 50 }, { "ah", 51 }, { "udp", 17 }, { "tcp", 6 }, { "icmp", 1 },
	{ "ipv6-icmp", 58 }, { "sctp", 132 }, { "gre", 47 },
};

static int parse_proto(const char *s, uint8_t *ret)
{
	uint32_t v;

	for (size_t i = 0; i < XD_ARRAY_SIZE(protos); i++)
		if (xd_streq(s, protos[i].name)) {
			*ret = protos[i].proto;
			return 0;
		}
	if (xd_parse_u32(s, &v) < 0 || v > 255)
		return -1;
	*ret = (uint8_t)v;
	return 0;
}

static int parse_port(const char *s, uint16_t *ret)
{
	uint32_t v;

	if (xd_parse_u32(s, &v) < 0 || v > 65535)
		return -1;
	*ret = (uint16_t)v;
	return 0;
}

/* "TYPE" or "TYPE/CODE" (numbers: the names differ between ICMP and ICMPv6) */
static int parse_icmp(const char *s, struct xd_fw_packet *p)
{
	char buf[16];
	char *slash;
	uint32_t t, c;

	if (strlen(s) >= sizeof(buf))
		return -1;
	xd_strlcpy(buf, s, sizeof(buf));
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	if (xd_parse_u32(buf, &t) < 0 || t > 255)
		return -1;
	if (slash && (xd_parse_u32(slash + 1, &c) < 0 || c > 255))
		return -1;
	p->has_icmp_type = true;
	p->icmp_type = (uint8_t)t;
	if (slash) {
		p->has_icmp_code = true;
		p->icmp_code = (uint8_t)c;
	}
	return 0;
}

static int parse_addr(const char *s, uint8_t *fam, uint8_t out[16])
{
	memset(out, 0, 16);
	if (inet_pton(AF_INET, s, out) == 1)
		*fam = XD_NFPROTO_IPV4;
	else if (inet_pton(AF_INET6, s, out) == 1)
		*fam = XD_NFPROTO_IPV6;
	else
		return -1;
	return 0;
}

/* Refuse to answer from a rule set we could not read whole. */
static int check_dumps(const struct xd_snapshot *s, bool *torn)
{
	static const enum xd_dump nft[] = { XD_DUMP_NFT_TABLES, XD_DUMP_NFT_CHAINS,
					    XD_DUMP_NFT_SETS, XD_DUMP_NFT_SETELEMS,
					    XD_DUMP_NFT_RULES };
	*torn = false;
	for (size_t i = 0; i < XD_ARRAY_SIZE(nft); i++) {
		enum xd_dump_status st = s->meta.dump_status[nft[i]];
		if (st == XD_DUMP_DENIED || st == XD_DUMP_ERROR) {
			fprintf(stderr, "xfrmctl: cannot read the nf_tables rule set (%s: %s)%s\n",
				xd_dump_name(nft[i]), xd_dump_status_name(st),
				st == XD_DUMP_DENIED ? ": it needs CAP_NET_ADMIN" : "");
			return EXIT_COLLECT;
		}
		if (st == XD_DUMP_INTERRUPTED)
			*torn = true;
	}
	for (enum xd_dump d = XD_DUMP_IPT; d <= XD_DUMP_IP6T; d++)
		if (s->meta.dump_status[d] == XD_DUMP_DENIED || s->meta.dump_status[d] == XD_DUMP_ERROR) {
			fprintf(stderr, "xfrmctl: cannot read legacy iptables (%s: %s)\n",
				xd_dump_name(d), xd_dump_status_name(s->meta.dump_status[d]));
			return EXIT_COLLECT;
		} else if (s->meta.dump_status[d] == XD_DUMP_INTERRUPTED)
			*torn = true;
	return 0;
}

static int fw_verdict(int argc, char **argv)
{
	enum { O_PROTO = 256, O_SRC, O_DST, O_SPORT, O_DPORT, O_SPI, O_HOOK, O_IIF, O_OIF, O_CT,
	       O_SECPATH, O_POLOUT, O_MARK, O_ICMP, O_AHNEXT };
	static const struct option opts[] = {
		{ "proto", required_argument, NULL, O_PROTO },
		{ "src", required_argument, NULL, O_SRC },
		{ "dst", required_argument, NULL, O_DST },
		{ "sport", required_argument, NULL, O_SPORT },
		{ "dport", required_argument, NULL, O_DPORT },
		{ "spi", required_argument, NULL, O_SPI },
		{ "hook", required_argument, NULL, O_HOOK },
		{ "iif", required_argument, NULL, O_IIF },
		{ "oif", required_argument, NULL, O_OIF },
		{ "ct", required_argument, NULL, O_CT },
		{ "secpath", no_argument, NULL, O_SECPATH },
		{ "policy-out", no_argument, NULL, O_POLOUT },
		{ "mark", required_argument, NULL, O_MARK },
		{ "icmp-type", required_argument, NULL, O_ICMP },
		{ "ah-next", required_argument, NULL, O_AHNEXT },
		XFRMCTL_COMMON_LONGOPTS,
		{}
	};
	struct xd_fw_packet p = { .ct = XD_FW_CT_NEW };
	struct xd_render_opts ro = { .pretty = arg_json == JSON_PRETTY, .color = arg_color,
				     .verbose = arg_verbose };
	struct xd_snapshot *s = NULL;
	struct xd_fw empty;
	struct xd_fw_result *res;
	uint8_t hooks[3], fs = 0, fd = 0;
	size_t nhooks = 0;
	bool have_proto = false, torn;
	int c, r, code, hook = -1;

	optind = 1;
	while ((c = getopt_long(argc, argv, XFRMCTL_COMMON_SHORTOPTS, opts, NULL)) >= 0) {
		switch (c) {
		case O_PROTO:
			if (parse_proto(optarg, &p.l4proto) < 0)
				return xfrmctl_usage_error("--proto: esp, ah, udp, tcp or a number");
			have_proto = true;
			break;
		case O_SRC:
			if (parse_addr(optarg, &fs, p.src) < 0)
				return xfrmctl_usage_error("--src: not an IP address: %s", optarg);
			break;
		case O_DST:
			if (parse_addr(optarg, &fd, p.dst) < 0)
				return xfrmctl_usage_error("--dst: not an IP address: %s", optarg);
			break;
		case O_SPORT:
			if (parse_port(optarg, &p.sport) < 0)
				return xfrmctl_usage_error("--sport: 0..65535");
			p.has_sport = true;
			break;
		case O_DPORT:
			if (parse_port(optarg, &p.dport) < 0)
				return xfrmctl_usage_error("--dport: 0..65535");
			p.has_dport = true;
			break;
		case O_SPI:
			if (xd_parse_u32(optarg, &p.spi) < 0)
				return xfrmctl_usage_error("--spi: a 32-bit number");
			p.has_spi = true;
			break;
		case O_HOOK:
			hook = xd_fw_hook_from_name(optarg);
			if (hook < 0 || hook > XD_HOOK_POSTROUTING)
				return xfrmctl_usage_error("--hook: prerouting, input, forward, output or postrouting");
			break;
		case O_IIF:
		case O_OIF:
			if (strlen(optarg) >= 16 || !*optarg)
				return xfrmctl_usage_error("interface names have 1 to 15 characters");
			xd_strlcpy(c == O_IIF ? p.iif : p.oif, optarg, 16);
			break;
		case O_CT:
			if (xd_streq(optarg, "new"))
				p.ct = XD_FW_CT_NEW;
			else if (xd_streq(optarg, "established"))
				p.ct = XD_FW_CT_ESTABLISHED;
			else
				return xfrmctl_usage_error("--ct: new or established");
			break;
		case O_SECPATH:
			p.secpath = true;
			break;
		case O_POLOUT:
			p.policy_out = true;
			break;
		case O_MARK:
			if (xd_parse_u32(optarg, &p.mark) < 0)
				return xfrmctl_usage_error("--mark: a 32-bit number");
			break;
		case O_ICMP:
			if (parse_icmp(optarg, &p) < 0)
				return xfrmctl_usage_error("--icmp-type: TYPE or TYPE/CODE, each 0..255");
			break;
		case O_AHNEXT:
			if (parse_proto(optarg, &p.ah_next) < 0)
				return xfrmctl_usage_error("--ah-next: a protocol name or number");
			p.has_ah_next = true;
			break;
		default:
			r = xfrmctl_common_option(c, optarg);
			if (r != 1)
				return r;
		}
	}
	if (optind < argc)
		return xfrmctl_usage_error("fw verdict: unexpected argument '%s'", argv[optind]);
	if (!have_proto || !fs || !fd)
		return xfrmctl_usage_error("fw verdict needs --proto, --src and --dst");
	if (fs != fd)
		return xfrmctl_usage_error("--src and --dst must be of the same family");
	if (p.has_icmp_type && p.l4proto != (fs == XD_NFPROTO_IPV4 ? 1 : 58))
		return xfrmctl_usage_error("--icmp-type needs --proto %s",
					   fs == XD_NFPROTO_IPV4 ? "icmp" : "ipv6-icmp");
	if (p.has_ah_next && (p.l4proto != 51 || fs != XD_NFPROTO_IPV6))
		return xfrmctl_usage_error("--ah-next needs --proto ah and IPv6 addresses");
	p.family = fs;
	if (hook >= 0)
		hooks[nhooks++] = (uint8_t)hook;
	else
		nhooks = xd_fw_path(p.iif[0] && p.oif[0] ? XD_FW_PATH_FORWARD
				    : p.oif[0]		  ? XD_FW_PATH_OUTPUT
							  : XD_FW_PATH_INPUT,
				    hooks);

	arg_collect = XD_COLLECT_FIREWALL | XD_COLLECT_RTNL | XD_COLLECT_XFRM;
	r = xfrmctl_load(&s);
	if (r)
		return r;
	r = check_dumps(s, &torn);
	if (r) {
		xd_snapshot_free(s);
		return r;
	}
	/* interface indexes from the same snapshot (rtnl.link), for `iif`/`oif` rules */
	for (size_t i = 0; i < s->links.len; i++) {
		const struct xd_link *l = xd_vec_at(&s->links, i);
		if (l->name && p.iif[0] && xd_streq(l->name, p.iif) && l->ifindex > 0)
			p.iif_index = (uint32_t)l->ifindex;
		if (l->name && p.oif[0] && xd_streq(l->name, p.oif) && l->ifindex > 0)
			p.oif_index = (uint32_t)l->ifindex;
	}
	/* no --oif on a path that has one: the interface the snapshot's routes select */
	bool has_out = false;
	for (size_t i = 0; i < nhooks; i++)
		has_out |= hooks[i] == XD_HOOK_OUTPUT || hooks[i] == XD_HOOK_FORWARD ||
			   hooks[i] == XD_HOOK_POSTROUTING;
	if (has_out && !p.oif[0] && xd_routes_collected(s)) {
		struct xd_route_query q = { .family = p.family, .has_src = true,
					    .iif = p.iif[0] ? p.iif : NULL, .mark = p.mark,
					    .mark_unknown = p.mark_unknown, .proto = p.l4proto,
					    .has_ports = p.has_sport && p.has_dport,
					    .sport = p.sport, .dport = p.dport };
		struct xd_route_result rr;
		const char *dev;

		memcpy(q.dst.b, p.dst, 16);
		memcpy(q.src.b, p.src, 16);
		if (xd_route_lookup(s, &q, &rr) == 0 && rr.verdict == XD_ROUTE_FOUND) {
			bool local = rr.route->type == XD_RTN_LOCAL;
			dev = local ? "lo" : xd_route_result_oif_name(s, &rr);
			if (dev && strlen(dev) < sizeof(p.oif)) {
				xd_strlcpy(p.oif, dev, sizeof(p.oif));
				p.oif_index = local ? 1 : (uint32_t)rr.oif;
			}
		}
	}
	/* masquerade out of an interface whose only address is the source rewrites nothing */
	if (p.oif_index) {
		struct xd_addr a;
		memcpy(a.b, p.src, 16);
		p.masq_keeps_src = xd_snapshot_only_addr(s, p.family, (int32_t)p.oif_index, &a);
	}
	/* rpfilter, `fib saddr . iif oif missing`: the route back to the source, looked up as
	 * the kernel does (destination = the source, source = the destination, no iif) */
	if (xd_routes_collected(s) && !p.mark_unknown) {
		struct xd_route_query q = { .family = p.family, .has_src = true, .mark = p.mark };
		struct xd_route_result rr;

		memcpy(q.dst.b, p.src, 16);
		memcpy(q.src.b, p.dst, 16);
		if (xd_route_lookup(s, &q, &rr) == 0 && rr.verdict != XD_ROUTE_UNDECIDABLE) {
			const char *dev = rr.verdict == XD_ROUTE_FOUND && rr.route->type == XD_RTN_UNICAST
						  ? xd_route_result_oif_name(s, &rr)
						  : "";
			if (dev && strlen(dev) < sizeof(p.rp_oif)) {
				p.rp_known = true;
				xd_strlcpy(p.rp_oif, dev, sizeof(p.rp_oif));
				p.rp_oif_index = dev[0] ? (uint32_t)rr.oif : 0;
			}
		}
	}
	/* `fib daddr type local` / `-m addrtype --dst-type LOCAL`: the namespace's addresses */
	{
		struct xd_addr a;
		memcpy(a.b, p.src, 16);
		p.src_local = (int8_t)xd_snapshot_addr_local(s, p.family, &a);
		memcpy(a.b, p.dst, 16);
		p.dst_local = (int8_t)xd_snapshot_addr_local(s, p.family, &a);
	}
	xd_fw_init(&empty);
	empty.indexed = true;
	const struct xd_fw *fw = s->fw ? s->fw : &empty;
	res = calloc(1, sizeof(*res));
	if (!res || (s->fw && xd_fw_index(s->fw) < 0) || xd_fw_eval(fw, &p, hooks, nhooks, res) < 0) {
		fputs("xfrmctl: cannot evaluate the rule set (out of memory)\n", stderr);
		free(res);
		xd_snapshot_free(s);
		return EXIT_COLLECT;
	}
	if (torn && res->verdict != XD_FW_UNDECIDABLE) {
		/* a torn dump is never authoritative */
		res->verdict = XD_FW_UNDECIDABLE;
		snprintf(res->reason, sizeof(res->reason),
			 "the rule set changed while it was read (dump interrupted)");
	}
	if (!s->fw)
		s->fw = &empty; /* renderers look rules up through the snapshot */
	if (arg_json != JSON_OFF)
		r = xd_render_fw_verdict_json(stdout, s, &p, hooks, nhooks, res, &ro);
	else
		r = xd_render_fw_verdict_text(stdout, s, &p, hooks, nhooks, res, &ro);
	if (s->fw == &empty)
		s->fw = NULL;
	xd_fw_done(&empty);
	/* for scripts, as with grep: 0 only when the packet is known to pass */
	code = res->verdict == XD_FW_ACCEPT ? EXIT_OK : EXIT_PROBLEMS;
	free(res);
	xd_snapshot_free(s);
	if (fflush(stdout) != 0 || r < 0) {
		fputs("xfrmctl: writing output failed\n", stderr);
		return EXIT_COLLECT;
	}
	return code;
}

int verb_fw(int argc, char **argv)
{
	if (argc < 2)
		return xfrmctl_usage_error("fw needs a subcommand: verdict");
	if (xd_streq(argv[1], "verdict"))
		return fw_verdict(argc - 1, argv + 1);
	return xfrmctl_usage_error("fw: unknown subcommand '%s' (verdict)", argv[1]);
}
