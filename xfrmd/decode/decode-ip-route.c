/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * decode-ip-route.c: `ip route show table all` text (sos networking/ip_route_show_table_all,
 * supportconfig network.txt `ip route`) into the routes rtnl.route gives (route.h), so that
 * route lookups and the route checks run on an archive. One route per unindented line:
 * "[TYPE] PREFIX|default [via A] [dev NAME] [table T] [proto P] [scope S] [src A] [metric N]
 * ...", multipath nexthops on indented "nexthop" lines. `dev NAME` is resolved through the
 * links `ip address` gave (the archive's rtnl.addr input, read first); a name it does not know
 * leaves the route without an interface (oif 0) and is a decode issue.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "ipxfrm-text.h"
#include "xfrmd/decode.h"
#include "xfrmd/model.h"
#include "xfrmd/route.h"

#define MAX_ROUTES 2000000

static const struct {
	const char *name;
	uint8_t v;
} types[] = {
	{ "unicast", XD_RTN_UNICAST },     { "local", XD_RTN_LOCAL },
	{ "broadcast", XD_RTN_BROADCAST }, { "anycast", XD_RTN_ANYCAST },
	{ "multicast", XD_RTN_MULTICAST }, { "blackhole", XD_RTN_BLACKHOLE },
	{ "unreachable", XD_RTN_UNREACHABLE }, { "prohibit", XD_RTN_PROHIBIT },
	{ "throw", XD_RTN_THROW },         { "nat", XD_RTN_NAT },
	{ "xresolve", XD_RTN_XRESOLVE },
}, protos[] = {
	/* iproute2's built-in names (rt_protos); others print as numbers */
	{ "redirect", 1 }, { "kernel", 2 }, { "boot", 3 },   { "static", 4 },
	{ "gated", 8 },    { "ra", 9 },     { "mrt", 10 },   { "zebra", 11 },
	{ "bird", 12 },    { "dnrouted", 13 }, { "xorp", 14 }, { "ntk", 15 },
	{ "dhcp", 16 },    { "keepalived", 18 }, { "babel", 42 }, { "bgp", 186 },
	{ "isis", 187 },   { "ospf", 188 }, { "rip", 189 },  { "eigrp", 192 },
}, scopes[] = {
	{ "global", 0 }, { "universe", 0 }, { "site", 200 }, { "link", 253 }, { "host", 254 },
	{ "nowhere", 255 },
};

static bool named(const char *t, const void *tab, size_t n, uint8_t *ret)
{
	const struct {
		const char *name;
		uint8_t v;
	} *e = tab;
	uint32_t v;

	for (size_t i = 0; i < n; i++)
		if (strcmp(t, e[i].name) == 0) {
			*ret = e[i].v;
			return true;
		}
	if (xd_ipx_u32(t, &v) == 0 && v <= 255) {
		*ret = (uint8_t)v;
		return true;
	}
	return false;
}

static int32_t ifindex_of(const struct xd_snapshot *s, const char *name)
{
	for (size_t i = 0; i < s->links.len; i++) {
		const struct xd_link *l = xd_vec_at(&s->links, i);
		if (l->name && strcmp(l->name, name) == 0)
			return l->ifindex;
	}
	return 0;
}

/* The route of one unindented line; NULL (with an issue) when it cannot be read. */
static const char *route_line(struct xd_snapshot *s, const struct ipx_line *l,
			      struct xd_route *r)
{
	size_t i = 0;
	uint8_t u8;
	uint16_t fam = 0;
	uint8_t plen = 0;

	memset(r, 0, sizeof(*r));
	r->type = XD_RTN_UNICAST;
	r->table = XD_RT_TABLE_MAIN;
	r->protocol = 3; /* iproute2 omits "proto boot" */
	if (named(l->tok[0], types, sizeof(types) / sizeof(types[0]), &u8) &&
	    !strchr(l->tok[0], '.') && !strchr(l->tok[0], ':')) {
		r->type = u8;
		i++;
	}
	if (i >= l->n)
		return "ip route: no destination";
	if (strcmp(l->tok[i], "default") == 0) {
		r->family = 0; /* from via/src below; AF_INET if nothing says */
		r->dst_len = 0;
	} else if (xd_ipx_prefix(l->tok[i], &r->dst, &fam, &plen) == 0) {
		r->family = fam;
		r->dst_len = plen; /* "10.1.2.3 dev X": the full length (xd_ipx_prefix) */
	} else {
		return "ip route: unreadable destination";
	}
	/* iproute2 prints every scope but universe (0) */
	r->scope = 0;
	for (i++; i < l->n; i++) {
		const char *k = l->tok[i], *v = i + 1 < l->n ? l->tok[i + 1] : NULL;
		if (strcmp(k, "onlink") == 0) {
			r->flags |= XD_RTNH_F_ONLINK;
			continue;
		}
		if (strcmp(k, "linkdown") == 0) {
			r->flags |= XD_RTNH_F_LINKDOWN;
			continue;
		}
		if (strcmp(k, "dead") == 0) {
			r->flags |= XD_RTNH_F_DEAD;
			continue;
		}
		if (!v)
			break;
		if (strcmp(k, "via") == 0) {
			/* "via inet6 ADDR": a gateway of another family (RTA_VIA) */
			if (strcmp(v, "inet") == 0 || strcmp(v, "inet6") == 0) {
				r->via = true;
				i += 2;
				continue;
			}
			if (xd_ipx_prefix(v, &r->gateway, &fam, &plen) < 0)
				return "ip route: unreadable gateway";
			if (!r->family)
				r->family = fam;
			r->has_gateway = true;
		} else if (strcmp(k, "dev") == 0) {
			r->oif = ifindex_of(s, v);
			/* with the links known, an unknown name is an issue; without (a lone
			 * `ip route` file) nothing can be resolved: counted as unknown */
			if (!r->oif && s->links.len)
				xd_ipx_issue(s, XD_DUMP_RTNL_ROUTE, l->off,
					     "ip route: a device `ip address` did not list");
			else if (!r->oif)
				s->unknown_attrs++;
		} else if (strcmp(k, "table") == 0) {
			uint32_t t;
			if (strcmp(v, "local") == 0)
				r->table = XD_RT_TABLE_LOCAL;
			else if (strcmp(v, "main") == 0)
				r->table = XD_RT_TABLE_MAIN;
			else if (strcmp(v, "default") == 0)
				r->table = XD_RT_TABLE_DEFAULT;
			else if (xd_ipx_u32(v, &t) == 0)
				r->table = t;
			else
				return "ip route: a table name only the gateway's rt_tables knows";
		} else if (strcmp(k, "proto") == 0) {
			if (!named(v, protos, sizeof(protos) / sizeof(protos[0]), &r->protocol))
				r->protocol = 0; /* a name from the gateway's rt_protos: unknown */
		} else if (strcmp(k, "scope") == 0) {
			if (!named(v, scopes, sizeof(scopes) / sizeof(scopes[0]), &r->scope))
				return "ip route: unreadable scope";
		} else if (strcmp(k, "src") == 0) {
			if (xd_ipx_prefix(v, &r->prefsrc, &fam, &plen) < 0)
				return "ip route: unreadable src";
			if (!r->family)
				r->family = fam;
			r->has_prefsrc = true;
		} else if (strcmp(k, "metric") == 0) {
			if (xd_ipx_u32(v, &r->priority) < 0)
				return "ip route: unreadable metric";
		} else if (strcmp(k, "tos") == 0 || strcmp(k, "dsfield") == 0) {
			uint32_t t;
			if (xd_ipx_u32(v, &t) == 0 && t <= 255)
				r->tos = (uint8_t)t;
		} else if (strcmp(k, "from") == 0) {
			struct xd_addr a;
			if (xd_ipx_prefix(v, &a, &fam, &plen) == 0) {
				r->src = a;
				r->src_len = plen;
			}
		} else if (strcmp(k, "nhid") == 0) {
			(void)xd_ipx_u32(v, &r->nhid);
		} else {
			continue; /* pref, mtu, expires, ...: one word each or not modelled */
		}
		i++;
	}
	if (!r->family)
		r->family = AF_INET; /* "default dev X": `ip route` (no -6) lists IPv4 */
	return NULL;
}

int xd_decode_ip_route(struct xd_snapshot *s, const void *buf, size_t len)
{
	const char *p = buf, *end = p + len;
	struct ipx_line *l = malloc(sizeof(*l));
	struct xd_route *last = NULL;

	if (!l)
		return -ENOMEM;
	while (xd_ipx_next_line(&p, buf, end, l)) {
		struct xd_route r;
		const char *why;

		if (l->n == 0)
			continue;
		if (l->too_long) {
			xd_ipx_issue(s, XD_DUMP_RTNL_ROUTE, l->off, "ip route: line too long");
			last = NULL;
			continue;
		}
		if (l->indent) {
			/* "nexthop via A dev X weight N": a multipath route's paths; the first
			 * gives the gateway and device, as the netlink decoder keeps them */
			if (last && strcmp(l->tok[0], "nexthop") == 0) {
				static char any[] = "0.0.0.0/0";
				struct xd_route nh;
				struct ipx_line tmp = *l;
				tmp.tok[0] = any; /* read as a route to anywhere */
				if (route_line(s, &tmp, &nh) == NULL && last->nexthops++ == 0) {
					last->gateway = nh.gateway;
					last->has_gateway = nh.has_gateway;
					last->oif = nh.oif;
				}
			} else {
				s->unknown_attrs++;
			}
			continue;
		}
		why = route_line(s, l, &r);
		if (why) {
			xd_ipx_issue(s, XD_DUMP_RTNL_ROUTE, l->off, why);
			last = NULL;
			continue;
		}
		if (s->routes.len >= MAX_ROUTES)
			break;
		last = xd_vec_push(&s->routes);
		if (!last) {
			free(l);
			return -ENOMEM;
		}
		*last = r;
	}
	free(l);
	return 0;
}
