/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * route.h: routes and policy-routing rules (rtnetlink RTM_GETROUTE of every table and
 * RTM_GETRULE, IPv4 and IPv6) and the route lookup the kernel does with them: the rule walk
 * in priority order, then the longest prefix in the selected table. Pure: no sockets, no
 * kernel headers; the numbers kept are the kernel's (RTN_*, RTPROT_*, RT_SCOPE_*, FR_ACT_*),
 * named by the functions below, unknown ones rendered as numbers.
 *
 * What the lookup does not model (each answer says so, never guesses):
 *  - multipath routes: the first nexthop is taken (result.multipath says so); the kernel
 *    hashes flows over all of them;
 *  - nexthop objects (RTA_NH_ID) and gateways of another family (RTA_VIA): undecidable;
 *  - rule selectors the query does not describe (uid range, a port or protocol when the
 *    query has none, l3mdev/VRF for forwarded packets, suppress_ifgroup): undecidable when
 *    the rule could otherwise match;
 *  - route caches and exceptions (PMTU, redirects), link-down nexthops other than the ones
 *    the kernel marked dead, ToS/DSCP (the query carries ToS 0).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "xfrmd/model.h"

/* rtm_type values (the kernel's RTN_* numbering) */
enum xd_route_type {
	XD_RTN_UNSPEC = 0,
	XD_RTN_UNICAST = 1,
	XD_RTN_LOCAL = 2,
	XD_RTN_BROADCAST = 3,
	XD_RTN_ANYCAST = 4,
	XD_RTN_MULTICAST = 5,
	XD_RTN_BLACKHOLE = 6,
	XD_RTN_UNREACHABLE = 7,
	XD_RTN_PROHIBIT = 8,
	XD_RTN_THROW = 9,
	XD_RTN_NAT = 10,
	XD_RTN_XRESOLVE = 11,
};

/* the well-known table ids (RT_TABLE_*) */
#define XD_RT_TABLE_DEFAULT 253u
#define XD_RT_TABLE_MAIN 254u
#define XD_RT_TABLE_LOCAL 255u

/* rtnh/rtm flags kept (RTNH_F_*) */
#define XD_RTNH_F_DEAD 1u
#define XD_RTNH_F_ONLINK 4u
#define XD_RTNH_F_LINKDOWN 16u

/* One route of one table (RTM_NEWROUTE). */
struct xd_route {
	uint16_t family;     /* AF_INET (2) or AF_INET6 (10) */
	uint8_t dst_len;
	uint8_t src_len;     /* IPv6 source-specific routes */
	uint8_t tos;
	uint8_t protocol;    /* RTPROT_*: 2 kernel, 3 boot, 4 static, 16 dhcp, ... */
	uint8_t scope;       /* RT_SCOPE_*: 0 universe, 253 link, 254 host */
	uint8_t type;        /* enum xd_route_type numbering, unknown values kept */
	uint32_t table;      /* RTA_TABLE when present, else rtm_table */
	uint32_t priority;   /* RTA_PRIORITY (metric), 0 when absent */
	uint32_t flags;      /* rtm_flags | first nexthop's flags (XD_RTNH_F_*) */
	struct xd_addr dst, src;
	struct xd_addr gateway;  /* RTA_GATEWAY, or the first live nexthop's */
	struct xd_addr prefsrc;  /* RTA_PREFSRC */
	bool has_gateway, has_prefsrc;
	bool via;            /* RTA_VIA: gateway of another family (not modelled) */
	int32_t oif;         /* RTA_OIF or the first live nexthop's ifindex; 0 = none */
	uint32_t nexthops;   /* number of RTA_MULTIPATH nexthops; 0 = a single path */
	uint32_t nhid;       /* RTA_NH_ID (nexthop object), 0 = none */
};

/* rule actions (FR_ACT_*) */
enum xd_rule_action {
	XD_FR_ACT_UNSPEC = 0,
	XD_FR_ACT_TO_TBL = 1,
	XD_FR_ACT_GOTO = 2,
	XD_FR_ACT_NOP = 3,
	XD_FR_ACT_BLACKHOLE = 6,
	XD_FR_ACT_UNREACHABLE = 7,
	XD_FR_ACT_PROHIBIT = 8,
};

/* fib_rule_hdr flags (FIB_RULE_*) */
#define XD_FIB_RULE_INVERT 0x2u
#define XD_FIB_RULE_UNRESOLVED 0x4u
#define XD_FIB_RULE_IIF_DETACHED 0x8u
#define XD_FIB_RULE_OIF_DETACHED 0x10u

/* One policy-routing rule (RTM_NEWRULE, `ip rule`). */
struct xd_rule {
	uint16_t family;
	uint8_t action;      /* enum xd_rule_action numbering, unknown values kept */
	uint8_t src_len, dst_len;
	uint8_t tos;
	uint8_t l3mdev;      /* FRA_L3MDEV: the table of the packet's VRF */
	uint8_t ip_proto;    /* FRA_IP_PROTO, 0 = any */
	uint32_t flags;      /* XD_FIB_RULE_* */
	uint32_t priority;   /* FRA_PRIORITY (0 when absent: the kernel's rule 0) */
	uint32_t table;      /* FRA_TABLE or the header's table */
	uint32_t goto_target; /* FRA_GOTO */
	uint32_t fwmark, fwmask; /* FRA_FWMARK/FRA_FWMASK (mask 0xffffffff if only a mark) */
	bool has_suppress_prefixlen, has_suppress_ifgroup, has_uid_range, has_tun_id;
	bool has_sport, has_dport;
	uint32_t suppress_prefixlen; /* FRA_SUPPRESS_PREFIXLEN */
	uint32_t suppress_ifgroup;
	uint32_t uid_start, uid_end;
	uint16_t sport_lo, sport_hi, dport_lo, dport_hi;
	struct xd_addr src, dst;
	const char *iifname, *oifname; /* interned, NULL = any; renderers escape */
};

/* Were routes and rules collected completely (both dumps), so a lookup can answer? */
bool xd_routes_collected(const struct xd_snapshot *s);

/* The question: a packet of `family` from src to dst. */
struct xd_route_query {
	uint16_t family;
	struct xd_addr dst;
	struct xd_addr src;
	bool has_src;        /* false: rules with a source selector make the answer undecidable */
	/* NULL: locally generated (the kernel looks it up with iif "lo"); else the input
	 * interface's name, "" when not known (rules with iif selectors are then undecidable) */
	const char *iif;
	/* the output device a socket is bound to (SO_BINDTODEVICE), NULL = none */
	const char *oif;
	uint32_t mark;
	bool mark_unknown;   /* rules with fwmark selectors are then undecidable */
	uint8_t proto;       /* IP protocol, 0 = not known */
	bool has_ports;
	uint16_t sport, dport; /* host order */
};

enum xd_route_verdict {
	XD_ROUTE_FOUND,       /* a route was selected (unicast, local, broadcast, ...) */
	XD_ROUTE_NONE,        /* no rule's table had a route: "Network is unreachable" */
	XD_ROUTE_BLACKHOLE,   /* a blackhole route or rule: silently dropped */
	XD_ROUTE_UNREACHABLE, /* an unreachable route or rule: ICMP host unreachable */
	XD_ROUTE_PROHIBIT,    /* a prohibit route or rule: ICMP administratively prohibited */
	XD_ROUTE_UNDECIDABLE, /* depends on something the snapshot or the query lacks */
};

struct xd_route_result {
	enum xd_route_verdict verdict;
	const struct xd_route *route; /* the selected route (FOUND, or a blackhole/... route) */
	const struct xd_rule *rule;   /* the rule that selected the table or decided; NULL when
				       * no rule matched */
	uint32_t table;               /* the table the route came from */
	int32_t oif;                  /* the output interface index (FOUND), 0 = none */
	bool has_gateway;
	struct xd_addr gateway;
	bool multipath;               /* the route has several nexthops; the first was taken */
	char reason[160];             /* undecidable: why; otherwise a short description */
};

/*
 * Look up the route for q in s, as the kernel would: rules in priority order (goto, nop,
 * blackhole/unreachable/prohibit actions, suppress_prefixlength, invert), then the longest
 * prefix match of the rule's table (lowest metric among equal prefixes; dead nexthops
 * skipped; a throw route continues with the next rule). Without complete route and rule
 * dumps the answer is XD_ROUTE_UNDECIDABLE. Returns 0 (the answer is in *ret) or -EINVAL.
 */
int xd_route_lookup(const struct xd_snapshot *s, const struct xd_route_query *q,
		    struct xd_route_result *ret);

/* The name of the output interface of a FOUND result (NULL when unknown or not FOUND). */
const char *xd_route_result_oif_name(const struct xd_snapshot *s, const struct xd_route_result *r);

/* Names as `ip route`/`ip rule` print them; NULL for numbers without a name. */
const char *xd_route_type_name(uint8_t type);       /* "unicast", "local", "blackhole", ... */
const char *xd_route_protocol_name(uint8_t proto);  /* "kernel", "boot", "static", ... */
const char *xd_route_scope_name(uint8_t scope);     /* "global", "link", "host", ... */
const char *xd_route_table_name(uint32_t table);    /* "main", "local", "default" */
const char *xd_rule_action_name(uint8_t action);    /* "lookup", "goto", "nop", ... */
const char *xd_route_verdict_name(enum xd_route_verdict v); /* "found", "none", ... */

/*
 * Per-interface IPsec switches from the collected sysctls (net.ipv4.conf.IF.disable_policy,
 * .disable_xfrm, net.ipv6.conf.IF.disable_policy; family 2 or 10): 1 or 0, or -1 when not
 * collected (no kernel profile, no such interface, or the kernel lacks the knob: IPv6 has
 * no disable_xfrm).
 */
int xd_iface_disable_policy(const struct xd_snapshot *s, uint16_t family, const char *ifname);
int xd_iface_disable_xfrm(const struct xd_snapshot *s, uint16_t family, const char *ifname);
