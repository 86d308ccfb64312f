/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * route.c: the kernel's route lookup over the routes and rules of a snapshot (route.h).
 * It follows what fib_rules_lookup() and the FIB table lookups do: rules in priority order,
 * each rule's selectors, then its action; a table lookup that finds nothing or a throw
 * route continues with the next rule; suppress_prefixlength rejects a found route whose
 * prefix is not longer than it. Whatever the query or the snapshot cannot tell makes the
 * answer undecidable, with the reason.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xfrmd/kernel.h"
#include "xfrmd/route.h"

#define FAM_INET 2
#define FAM_INET6 10

bool xd_routes_collected(const struct xd_snapshot *s)
{
	return s->meta.dump_status[XD_DUMP_RTNL_ROUTE] == XD_DUMP_COMPLETE &&
	       s->meta.dump_status[XD_DUMP_RTNL_RULE] == XD_DUMP_COMPLETE;
}

static size_t addr_bytes(uint16_t family)
{
	return family == FAM_INET ? 4 : 16;
}

/* Are the first plen bits of a and b equal? */
static bool prefix_match(const struct xd_addr *a, const struct xd_addr *b, unsigned plen,
			 uint16_t family)
{
	size_t n = addr_bytes(family);

	if (plen > n * 8)
		plen = (unsigned)n * 8;
	size_t full = plen / 8;
	if (memcmp(a->b, b->b, full))
		return false;
	if (plen % 8) {
		uint8_t mask = (uint8_t)(0xff << (8 - plen % 8));
		if ((a->b[full] ^ b->b[full]) & mask)
			return false;
	}
	return true;
}

static void why(struct xd_route_result *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void why(struct xd_route_result *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->reason, sizeof(r->reason), fmt, ap);
	va_end(ap);
}

enum tri { NO, YES, MAYBE };

/* Does rule ru select the query? Sets r->reason for MAYBE. */
static enum tri rule_match(const struct xd_rule *ru, const struct xd_route_query *q,
			   struct xd_route_result *r)
{
	enum tri m = YES;
	const char *iif = q->iif ? q->iif : "lo";

	if (ru->iifname) {
		if (ru->flags & XD_FIB_RULE_IIF_DETACHED)
			goto no; /* the interface does not exist: the kernel never matches it */
		if (!iif[0]) {
			why(r, "rule %u selects iif %s and the input interface is not known",
			    ru->priority, ru->iifname);
			m = MAYBE;
		} else if (strcmp(iif, ru->iifname))
			goto no;
	}
	if (ru->oifname) {
		if ((ru->flags & XD_FIB_RULE_OIF_DETACHED) || !q->oif || strcmp(q->oif, ru->oifname))
			goto no; /* only sockets bound to the device carry an output interface */
	}
	if (ru->fwmask) {
		if (q->mark_unknown) {
			why(r, "rule %u selects fwmark 0x%x/0x%x and the packet's mark is not known",
			    ru->priority, ru->fwmark, ru->fwmask);
			m = MAYBE;
		} else if ((ru->fwmark ^ q->mark) & ru->fwmask)
			goto no;
	}
	if (ru->has_tun_id)
		goto no; /* a tunnel id comes only from metadata (collect_md) tunnels */
	if (ru->l3mdev) {
		if (!q->iif)
			goto no; /* a local socket not bound to a VRF device */
		why(r, "rule %u selects by l3mdev (VRF), not modelled", ru->priority);
		m = MAYBE;
	}
	if (ru->has_uid_range && !(ru->uid_start == 0 && ru->uid_end == UINT32_MAX)) {
		if (q->iif) {
			/* forwarded packets have no socket: the kernel looks them up as uid 0 */
			if (ru->uid_start > 0)
				goto no;
		} else {
			why(r, "rule %u selects by uid range %u-%u, the sending socket's owner is not known",
			    ru->priority, ru->uid_start, ru->uid_end);
			m = MAYBE;
		}
	}
	if (ru->ip_proto) {
		if (!q->proto) {
			why(r, "rule %u selects ipproto %u, the query gives no protocol", ru->priority,
			    ru->ip_proto);
			m = MAYBE;
		} else if (q->proto != ru->ip_proto)
			goto no;
	}
	if (ru->has_sport || ru->has_dport) {
		if (!q->has_ports) {
			why(r, "rule %u selects by port, the query gives no ports", ru->priority);
			m = MAYBE;
		} else if ((ru->has_sport && (q->sport < ru->sport_lo || q->sport > ru->sport_hi)) ||
			   (ru->has_dport && (q->dport < ru->dport_lo || q->dport > ru->dport_hi)))
			goto no;
	}
	if (ru->src_len) {
		if (!q->has_src) {
			why(r, "rule %u selects source %u-bit prefix, the source is not known",
			    ru->priority, ru->src_len);
			m = MAYBE;
		} else if (!prefix_match(&ru->src, &q->src, ru->src_len, q->family))
			goto no;
	}
	if (ru->dst_len && !prefix_match(&ru->dst, &q->dst, ru->dst_len, q->family))
		goto no;
	if (ru->tos)
		goto no; /* the query's ToS is 0 */
	if (m == MAYBE)
		return MAYBE;
	return (ru->flags & XD_FIB_RULE_INVERT) ? NO : YES;
no:
	return (ru->flags & XD_FIB_RULE_INVERT) ? YES : NO;
}

enum tbl { T_FOUND, T_NONE, T_THROW, T_UNDECIDABLE };

static const char *link_name(const struct xd_snapshot *s, int32_t ifindex)
{
	const struct xd_link *l = xd_snapshot_link(s, ifindex);

	return l ? l->name : NULL;
}

/* The longest-prefix route of `table` for q, or T_NONE. */
static enum tbl table_lookup(const struct xd_snapshot *s, const struct xd_route_query *q,
			     uint32_t table, const struct xd_route **ret)
{
	const struct xd_route *best = NULL;

	for (size_t i = 0; i < s->routes.len; i++) {
		const struct xd_route *rt = xd_vec_at(&s->routes, i);

		if (rt->family != q->family || rt->table != table)
			continue;
		if (!prefix_match(&rt->dst, &q->dst, rt->dst_len, q->family))
			continue;
		if (rt->src_len && (!q->has_src || !prefix_match(&rt->src, &q->src, rt->src_len,
								   q->family)))
			continue;
		if (rt->tos)
			continue; /* the query's ToS is 0 */
		if (rt->flags & XD_RTNH_F_DEAD)
			continue;
		if (q->oif && rt->oif) {
			const char *n = link_name(s, rt->oif);
			if (!n || strcmp(n, q->oif))
				continue;
		}
		if (best) {
			if (rt->dst_len != best->dst_len) {
				if (rt->dst_len < best->dst_len)
					continue;
			} else if (rt->src_len != best->src_len) {
				if (rt->src_len < best->src_len)
					continue;
			} else if (rt->priority >= best->priority)
				continue; /* equal metrics: the first one, as dumped */
		}
		best = rt;
	}
	*ret = best;
	if (!best)
		return T_NONE;
	if (best->type == XD_RTN_THROW)
		return T_THROW;
	if (best->nhid || best->via)
		return T_UNDECIDABLE;
	return T_FOUND;
}

struct rule_ord {
	uint32_t priority;
	size_t idx;
};

static int cmp_rule_ord(const void *a, const void *b)
{
	const struct rule_ord *x = a, *y = b;

	if (x->priority != y->priority)
		return x->priority < y->priority ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx; /* stable: the kernel keeps insertion order */
}

static enum xd_route_verdict type_verdict(uint8_t type)
{
	switch (type) {
	case XD_RTN_BLACKHOLE:
		return XD_ROUTE_BLACKHOLE;
	case XD_RTN_UNREACHABLE:
		return XD_ROUTE_UNREACHABLE;
	case XD_RTN_PROHIBIT:
		return XD_ROUTE_PROHIBIT;
	default:
		return XD_ROUTE_FOUND;
	}
}

static void found(const struct xd_snapshot *s, struct xd_route_result *r,
		  const struct xd_route *rt, const struct xd_rule *ru)
{
	const char *dev = link_name(s, rt->oif);
	const char *tn = xd_route_table_name(rt->table);
	char tbuf[16];

	r->verdict = type_verdict(rt->type);
	r->route = rt;
	r->rule = ru;
	r->table = rt->table;
	if (!tn) {
		snprintf(tbuf, sizeof(tbuf), "%u", rt->table);
		tn = tbuf;
	}
	if (r->verdict == XD_ROUTE_FOUND) {
		r->oif = rt->oif;
		r->has_gateway = rt->has_gateway;
		r->gateway = rt->gateway;
		r->multipath = rt->nexthops > 1;
	}
	why(r, "%s /%u route in table %s%s%s%s", xd_route_type_name(rt->type)
			? xd_route_type_name(rt->type) : "typed", rt->dst_len, tn,
	    dev ? " dev " : "", dev ? dev : "",
	    r->multipath ? " (multipath: first nexthop taken)" : "");
}

/* Suppress a found route (suppress_prefixlength, suppress_ifgroup)? MAYBE for ifgroup. */
static enum tri suppressed(const struct xd_rule *ru, const struct xd_route *rt)
{
	if (ru->has_suppress_prefixlen && rt->dst_len <= ru->suppress_prefixlen)
		return YES;
	if (ru->has_suppress_ifgroup)
		return MAYBE; /* interface groups are not collected */
	return NO;
}

int xd_route_lookup(const struct xd_snapshot *s, const struct xd_route_query *q,
		    struct xd_route_result *ret)
{
	struct xd_route_result *r = ret;
	struct rule_ord *order = NULL;
	size_t n = 0;

	if (!s || !q || !ret || (q->family != FAM_INET && q->family != FAM_INET6))
		return -EINVAL;
	memset(r, 0, sizeof(*r));
	r->verdict = XD_ROUTE_UNDECIDABLE;
	if (!xd_routes_collected(s)) {
		why(r, "routes and rules were not collected completely");
		return 0;
	}
	for (size_t i = 0; i < s->rules.len; i++)
		if (((const struct xd_rule *)xd_vec_at(&s->rules, i))->family == q->family)
			n++;
	if (n) {
		order = calloc(n, sizeof(*order));
		if (!order) {
			why(r, "out of memory");
			return 0;
		}
		n = 0;
		for (size_t i = 0; i < s->rules.len; i++) {
			const struct xd_rule *ru = xd_vec_at(&s->rules, i);
			if (ru->family == q->family)
				order[n++] = (struct rule_ord){ ru->priority, i };
		}
		qsort(order, n, sizeof(*order), cmp_rule_ord);
	}
	r->verdict = XD_ROUTE_NONE;
	why(r, "no route: no rule's table has a route to the destination");
	for (size_t k = 0; k < n; k++) {
		const struct xd_rule *ru = xd_vec_at(&s->rules, order[k].idx);
		const struct xd_route *rt = NULL;
		enum tri m = rule_match(ru, q, r);

		if (m == NO)
			continue;
		if (m == MAYBE) {
			r->verdict = XD_ROUTE_UNDECIDABLE;
			r->rule = ru;
			break;
		}
		if (ru->action == XD_FR_ACT_GOTO) {
			size_t t = k + 1;
			while (t < n && order[t].priority != ru->goto_target)
				t++;
			if (t < n) /* continue at the target (always later: goto only jumps forward) */
				k = t - 1;
			continue;
		}
		if (ru->action == XD_FR_ACT_NOP)
			continue;
		if (ru->action == XD_FR_ACT_BLACKHOLE || ru->action == XD_FR_ACT_UNREACHABLE ||
		    ru->action == XD_FR_ACT_PROHIBIT) {
			r->verdict = ru->action == XD_FR_ACT_BLACKHOLE	  ? XD_ROUTE_BLACKHOLE
				     : ru->action == XD_FR_ACT_UNREACHABLE ? XD_ROUTE_UNREACHABLE
									   : XD_ROUTE_PROHIBIT;
			r->rule = ru;
			why(r, "rule %u: %s", ru->priority, xd_rule_action_name(ru->action));
			break;
		}
		if (ru->action != XD_FR_ACT_TO_TBL) {
			r->verdict = XD_ROUTE_UNDECIDABLE;
			r->rule = ru;
			why(r, "rule %u has action %u, not modelled", ru->priority, ru->action);
			break;
		}
		enum tbl t = table_lookup(s, q, ru->table, &rt);
		if (t == T_NONE || t == T_THROW)
			continue;
		if (t == T_UNDECIDABLE) {
			r->verdict = XD_ROUTE_UNDECIDABLE;
			r->rule = ru;
			r->route = rt;
			r->table = ru->table;
			why(r, "route /%u in table %u uses %s, not modelled", rt->dst_len, ru->table,
			    rt->nhid ? "a nexthop object" : "a gateway of another family (via)");
			break;
		}
		if (xd_route_type_name(rt->type) == NULL || rt->type == XD_RTN_UNSPEC) {
			r->verdict = XD_ROUTE_UNDECIDABLE;
			r->rule = ru;
			r->route = rt;
			r->table = ru->table;
			why(r, "route /%u in table %u has type %u, not modelled", rt->dst_len,
			    ru->table, rt->type);
			break;
		}
		/* the kernel applies suppression to successful lookups only */
		if (type_verdict(rt->type) == XD_ROUTE_FOUND) {
			enum tri sup = suppressed(ru, rt);
			if (sup == YES)
				continue;
			if (sup == MAYBE) {
				r->verdict = XD_ROUTE_UNDECIDABLE;
				r->rule = ru;
				why(r, "rule %u: suppress_ifgroup, interface groups are not collected",
				    ru->priority);
				break;
			}
		}
		found(s, r, rt, ru);
		break;
	}
	free(order);
	return 0;
}

const char *xd_route_result_oif_name(const struct xd_snapshot *s, const struct xd_route_result *r)
{
	if (r->verdict != XD_ROUTE_FOUND || !r->oif)
		return NULL;
	return link_name(s, r->oif);
}

const char *xd_route_type_name(uint8_t type)
{
	static const char *const names[] = {
		[XD_RTN_UNSPEC] = "unspec",	  [XD_RTN_UNICAST] = "unicast",
		[XD_RTN_LOCAL] = "local",	  [XD_RTN_BROADCAST] = "broadcast",
		[XD_RTN_ANYCAST] = "anycast",	  [XD_RTN_MULTICAST] = "multicast",
		[XD_RTN_BLACKHOLE] = "blackhole", [XD_RTN_UNREACHABLE] = "unreachable",
		[XD_RTN_PROHIBIT] = "prohibit",	  [XD_RTN_THROW] = "throw",
		[XD_RTN_NAT] = "nat",		  [XD_RTN_XRESOLVE] = "xresolve",
	};
	return type < XD_ARRAY_SIZE(names) ? names[type] : NULL;
}

const char *xd_route_protocol_name(uint8_t proto)
{
	switch (proto) {
	case 0: return "unspec";
	case 1: return "redirect";
	case 2: return "kernel";
	case 3: return "boot";
	case 4: return "static";
	case 8: return "gated";
	case 9: return "ra";
	case 10: return "mrt";
	case 11: return "zebra";
	case 12: return "bird";
	case 13: return "dnrouted";
	case 14: return "xorp";
	case 15: return "ntk";
	case 16: return "dhcp";
	case 17: return "mrouted";
	case 18: return "keepalived";
	case 42: return "babel";
	case 99: return "openr";
	case 186: return "bgp";
	case 187: return "isis";
	case 188: return "ospf";
	case 189: return "rip";
	case 192: return "eigrp";
	default: return NULL;
	}
}

const char *xd_route_scope_name(uint8_t scope)
{
	switch (scope) {
	case 0: return "global";
	case 200: return "site";
	case 253: return "link";
	case 254: return "host";
	case 255: return "nowhere";
	default: return NULL;
	}
}

const char *xd_route_table_name(uint32_t table)
{
	switch (table) {
	case 0: return "unspec";
	case XD_RT_TABLE_DEFAULT: return "default";
	case XD_RT_TABLE_MAIN: return "main";
	case XD_RT_TABLE_LOCAL: return "local";
	default: return NULL;
	}
}

const char *xd_rule_action_name(uint8_t action)
{
	switch (action) {
	case XD_FR_ACT_TO_TBL: return "lookup";
	case XD_FR_ACT_GOTO: return "goto";
	case XD_FR_ACT_NOP: return "nop";
	case XD_FR_ACT_BLACKHOLE: return "blackhole";
	case XD_FR_ACT_UNREACHABLE: return "unreachable";
	case XD_FR_ACT_PROHIBIT: return "prohibit";
	default: return NULL;
	}
}

const char *xd_route_verdict_name(enum xd_route_verdict v)
{
	switch (v) {
	case XD_ROUTE_FOUND: return "found";
	case XD_ROUTE_NONE: return "none";
	case XD_ROUTE_BLACKHOLE: return "blackhole";
	case XD_ROUTE_UNREACHABLE: return "unreachable";
	case XD_ROUTE_PROHIBIT: return "prohibit";
	case XD_ROUTE_UNDECIDABLE: return "undecidable";
	}
	return NULL;
}

static int iface_knob(const struct xd_snapshot *s, uint16_t family, const char *ifname,
		      const char *knob)
{
	char name[128];
	const char *v;

	if (!ifname || (family != FAM_INET && family != FAM_INET6))
		return -1;
	if (snprintf(name, sizeof(name), "net.%s.conf.%s.%s", family == FAM_INET ? "ipv4" : "ipv6",
		     ifname, knob) >= (int)sizeof(name))
		return -1;
	v = xd_kernel_sysctl(s, name);
	if (!v || !v[0])
		return -1;
	return strtol(v, NULL, 10) != 0;
}

int xd_iface_disable_policy(const struct xd_snapshot *s, uint16_t family, const char *ifname)
{
	return iface_knob(s, family, ifname, "disable_policy");
}

int xd_iface_disable_xfrm(const struct xd_snapshot *s, uint16_t family, const char *ifname)
{
	return family == FAM_INET ? iface_knob(s, FAM_INET, ifname, "disable_xfrm") : -1;
}
