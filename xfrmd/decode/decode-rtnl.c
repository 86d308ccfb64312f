/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * decode-rtnl.c: rtnetlink link, address, route and rule dumps -> interfaces, local
 * addresses, routes and policy-routing rules (route.h). Only what diagnosis needs: names
 * (untrusted strings, kept raw and escaped by renderers), kinds (xfrm/vti/veth), operational
 * state, the route-based IPsec devices' parameters (xfrm: if_id, lower link, external mode;
 * vti/vti6: keys, endpoints, lower link), every local address with its prefix, what the
 * route lookup reads of routes and rules.
 * Every fixed-size attribute is checked for its exact length; a wrong one is an issue.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/fib_rules.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/socket.h>

#include "nl-walk.h"
#include "xfrmd/decode.h"
#include "xfrmd/model.h"
#include "xfrmd/route.h"
#include "xfrmd/util.h"

/* IFLA_INFO_DATA of kind "xfrm" (linux/if_link.h, 4.19+; collect_md 6.2) */
#define XD_IFLA_XFRM_LINK 1
#define XD_IFLA_XFRM_IF_ID 2
#define XD_IFLA_XFRM_COLLECT_METADATA 3
/* IFLA_INFO_DATA of kinds "vti" and "vti6" (linux/if_tunnel.h) */
#define XD_IFLA_VTI_LINK 1
#define XD_IFLA_VTI_IKEY 2
#define XD_IFLA_VTI_OKEY 3
#define XD_IFLA_VTI_LOCAL 4
#define XD_IFLA_VTI_REMOTE 5

static void rtnl_issue(struct xd_snapshot *s, enum xd_dump d, const void *base, const void *at,
		       uint16_t type, uint16_t attr, const char *what)
{
	struct xd_decode_issue i = { .code = -EBADMSG, .dump = d, .nlmsg_type = type,
				     .attr = attr, .what = what,
				     .offset = (uint32_t)((const char *)at - (const char *)base) };
	xd_snapshot_add_issue(s, &i);
}

/* Walk attributes; an invalid tail is one issue. Calls fn for each valid attribute. */
struct walk_ctx {
	void (*fn)(const struct nlattr *a, void *ud);
	void *ud;
};

static int walk_cb(void *ud, const struct nlattr *a)
{
	struct walk_ctx *w = ud;

	w->fn(a, w->ud);
	return 0;
}

static void walk(struct xd_snapshot *s, enum xd_dump d, const void *base,
		 const unsigned char *start, size_t len, uint16_t type,
		 void (*fn)(const struct nlattr *a, void *ud), void *ud)
{
	struct walk_ctx w = { .fn = fn, .ud = ud };
	const void *bad = NULL;

	if (xd_walk_attrs(start, len, walk_cb, &w, &bad) == 1)
		rtnl_issue(s, d, base, bad, type, 0, "truncated attribute");
}

struct link_ctx {
	struct xd_snapshot *s;
	struct xd_link *l;
	const void *base;
	const unsigned char *data; /* IFLA_INFO_DATA, decoded once the kind is known */
	size_t data_len;
};

static bool u32_attr(const struct nlattr *a, uint32_t *ret)
{
	if (xd_attr_payload_len(a) < 4)
		return false;
	memcpy(ret, xd_attr_payload(a), 4);
	return true;
}

static void short_attr(struct link_ctx *c, const struct nlattr *a)
{
	rtnl_issue(c->s, XD_DUMP_RTNL_LINK, c->base, a, RTM_NEWLINK, xd_attr_type(a),
		   "link attribute shorter than its type");
}

static void xfrm_data_attr(const struct nlattr *a, void *ud)
{
	struct link_ctx *c = ud;
	struct xd_link *l = c->l;
	uint32_t v;

	switch (xd_attr_type(a)) {
	case XD_IFLA_XFRM_IF_ID:
		if (!u32_attr(a, &l->xfrm_if_id)) {
			short_attr(c, a);
			return;
		}
		l->has |= XD_LINK_HAS_XFRM_IF_ID;
		break;
	case XD_IFLA_XFRM_LINK:
		if (!u32_attr(a, &v)) {
			short_attr(c, a);
			return;
		}
		l->xfrm_link = (int32_t)v;
		l->has |= XD_LINK_HAS_XFRM_LINK;
		break;
	case XD_IFLA_XFRM_COLLECT_METADATA: /* a flag: present means external mode */
		l->xfrm_collect_md = true;
		break;
	default:
		break;
	}
}

static void vti_addr(struct link_ctx *c, const struct nlattr *a, struct xd_addr *dst,
		     uint32_t bit)
{
	size_t want = c->l->vti_family == AF_INET ? 4 : 16;

	if (xd_attr_payload_len(a) < want) {
		short_attr(c, a);
		return;
	}
	memcpy(dst->b, xd_attr_payload(a), want);
	c->l->has |= bit;
}

static void vti_data_attr(const struct nlattr *a, void *ud)
{
	struct link_ctx *c = ud;
	struct xd_link *l = c->l;
	uint32_t v;

	switch (xd_attr_type(a)) {
	case XD_IFLA_VTI_IKEY:
	case XD_IFLA_VTI_OKEY:
		if (!u32_attr(a, &v)) {
			short_attr(c, a);
			return;
		}
		/* big-endian on the wire; the kernel marks packets with be32_to_cpu(key) */
		v = ntohl(v);
		if (xd_attr_type(a) == XD_IFLA_VTI_IKEY)
			l->vti_ikey = v, l->has |= XD_LINK_HAS_VTI_IKEY;
		else
			l->vti_okey = v, l->has |= XD_LINK_HAS_VTI_OKEY;
		break;
	case XD_IFLA_VTI_LOCAL:
		vti_addr(c, a, &l->vti_local, XD_LINK_HAS_VTI_LOCAL);
		break;
	case XD_IFLA_VTI_REMOTE:
		vti_addr(c, a, &l->vti_remote, XD_LINK_HAS_VTI_REMOTE);
		break;
	case XD_IFLA_VTI_LINK:
		if (!u32_attr(a, &v)) {
			short_attr(c, a);
			return;
		}
		l->vti_link = (int32_t)v;
		l->has |= XD_LINK_HAS_VTI_LINK;
		break;
	default:
		break;
	}
}

static void linkinfo_attr(const struct nlattr *a, void *ud)
{
	struct link_ctx *c = ud;

	switch (xd_attr_type(a)) {
	case IFLA_INFO_KIND:
		c->l->kind = xd_snapshot_intern(c->s, xd_attr_payload(a),
						xd_attr_payload_len(a));
		break;
	case IFLA_INFO_DATA:
		c->data = xd_attr_payload(a);
		c->data_len = xd_attr_payload_len(a);
		break;
	default:
		break;
	}
}

/* The kind's data, after the whole IFLA_LINKINFO: the kernel sends the kind first, but the
 * meaning of the data must not depend on attribute order in untrusted bytes. */
static void linkinfo_data(struct link_ctx *c)
{
	const char *kind = c->l->kind;
	void (*fn)(const struct nlattr *a, void *ud) = NULL;

	if (!c->data || !kind)
		return;
	if (xd_streq(kind, "xfrm")) {
		fn = xfrm_data_attr;
	} else if (xd_streq(kind, "vti") || xd_streq(kind, "vti6")) {
		c->l->vti_family = xd_streq(kind, "vti") ? AF_INET : AF_INET6;
		fn = vti_data_attr;
	}
	if (fn)
		walk(c->s, XD_DUMP_RTNL_LINK, c->base, c->data, c->data_len, RTM_NEWLINK, fn, c);
}

static void link_attr(const struct nlattr *a, void *ud)
{
	struct link_ctx *c = ud;

	switch (xd_attr_type(a)) {
	case IFLA_IFNAME:
		c->l->name = xd_snapshot_intern(c->s, xd_attr_payload(a),
						xd_attr_payload_len(a));
		break;
	case IFLA_OPERSTATE:
		if (xd_attr_payload_len(a) < 1) {
			short_attr(c, a);
			return;
		}
		c->l->operstate = *(const uint8_t *)xd_attr_payload(a);
		c->l->has |= XD_LINK_HAS_OPERSTATE;
		break;
	case IFLA_LINKINFO:
		c->data = NULL;
		walk(c->s, XD_DUMP_RTNL_LINK, c->base, xd_attr_payload(a),
		     xd_attr_payload_len(a), RTM_NEWLINK, linkinfo_attr, c);
		linkinfo_data(c);
		break;
	default:
		break;
	}
}

struct addr_ctx {
	struct xd_local_addr *a;
	bool have_local, have_address;
	struct xd_addr local, address;
};

static void addr_attr(const struct nlattr *a, void *ud)
{
	struct addr_ctx *c = ud;
	size_t n = xd_attr_payload_len(a);
	size_t want = c->a->family == AF_INET ? 4 : 16;

	if (n != want)
		return;
	if (xd_attr_type(a) == IFA_LOCAL) {
		memcpy(c->local.b, xd_attr_payload(a), n);
		c->have_local = true;
	} else if (xd_attr_type(a) == IFA_ADDRESS) {
		memcpy(c->address.b, xd_attr_payload(a), n);
		c->have_address = true;
	}
}

/* ---- routes ---- */

struct route_ctx {
	struct xd_snapshot *s;
	struct xd_route *r;
	const void *base;
	enum xd_dump d;
	uint16_t type;
	bool bad;
};

/* Copy an exactly n-byte attribute; a different length is one issue and false. */
static bool fixed(struct route_ctx *c, const struct nlattr *a, void *out, size_t n,
		  const char *what)
{
	if (xd_attr_payload_len(a) != n) {
		rtnl_issue(c->s, c->d, c->base, a, c->type, xd_attr_type(a), what);
		c->bad = true;
		return false;
	}
	memcpy(out, xd_attr_payload(a), n);
	return true;
}

static size_t fam_len(uint16_t family)
{
	return family == AF_INET ? 4 : 16;
}

/* The first nexthop of RTA_MULTIPATH: struct rtnexthop + its own attributes. */
struct nh_ctx {
	struct route_ctx *c;
	bool first;
};

static void nexthop_attr(const struct nlattr *a, void *ud)
{
	struct nh_ctx *n = ud;
	struct xd_route *r = n->c->r;

	if (!n->first)
		return;
	switch (xd_attr_type(a)) {
	case RTA_GATEWAY:
		if (fixed(n->c, a, r->gateway.b, fam_len(r->family), "nexthop gateway length"))
			r->has_gateway = true;
		break;
	case RTA_VIA:
		r->via = true;
		break;
	default:
		break;
	}
}

static void multipath(struct route_ctx *c, const struct nlattr *a)
{
	const unsigned char *p = xd_attr_payload(a);
	size_t len = xd_attr_payload_len(a), pos = 0;
	struct nh_ctx n = { .c = c, .first = true };

	while (pos < len) {
		struct rtnexthop nh;
		size_t left = len - pos;

		if (left < sizeof(nh)) {
			rtnl_issue(c->s, c->d, c->base, p + pos, c->type, RTA_MULTIPATH,
				   "truncated nexthop");
			c->bad = true;
			return;
		}
		memcpy(&nh, p + pos, sizeof(nh));
		if (nh.rtnh_len < sizeof(nh) || nh.rtnh_len > left) {
			rtnl_issue(c->s, c->d, c->base, p + pos, c->type, RTA_MULTIPATH,
				   "nexthop length outside the attribute");
			c->bad = true;
			return;
		}
		c->r->nexthops++;
		/* the first live nexthop: the kernel never sends by a dead one */
		if (n.first && !(nh.rtnh_flags & RTNH_F_DEAD)) {
			c->r->oif = nh.rtnh_ifindex;
			c->r->flags |= nh.rtnh_flags;
			walk(c->s, c->d, c->base, p + pos + sizeof(nh), nh.rtnh_len - sizeof(nh),
			     c->type, nexthop_attr, &n);
			n.first = false;
		}
		pos += RTNH_ALIGN(nh.rtnh_len);
	}
	if (n.first && c->r->nexthops)
		c->r->flags |= RTNH_F_DEAD; /* every nexthop is dead */
}

static void route_attr(const struct nlattr *a, void *ud)
{
	struct route_ctx *c = ud;
	struct xd_route *r = c->r;
	size_t al = fam_len(r->family);

	switch (xd_attr_type(a)) {
	case RTA_DST:
		fixed(c, a, r->dst.b, al, "route destination length");
		break;
	case RTA_SRC:
		fixed(c, a, r->src.b, al, "route source length");
		break;
	case RTA_GATEWAY:
		if (fixed(c, a, r->gateway.b, al, "route gateway length"))
			r->has_gateway = true;
		break;
	case RTA_PREFSRC:
		if (fixed(c, a, r->prefsrc.b, al, "route prefsrc length"))
			r->has_prefsrc = true;
		break;
	case RTA_OIF:
		fixed(c, a, &r->oif, 4, "route oif length");
		break;
	case RTA_PRIORITY:
		fixed(c, a, &r->priority, 4, "route priority length");
		break;
	case RTA_TABLE:
		fixed(c, a, &r->table, 4, "route table length");
		break;
	case RTA_NH_ID:
		fixed(c, a, &r->nhid, 4, "route nexthop id length");
		break;
	case RTA_VIA:
		r->via = true;
		break;
	case RTA_MULTIPATH:
		multipath(c, a);
		break;
	default:
		break;
	}
}

static int decode_route(struct xd_snapshot *s, enum xd_dump d, const void *base,
			const struct nlmsghdr *nlh)
{
	struct rtmsg rtm;
	struct xd_route tmp = { 0 };
	struct route_ctx c = { .s = s, .r = &tmp, .base = base, .d = d, .type = nlh->nlmsg_type };
	size_t alen;
	const void *attrs;

	if (nlh->nlmsg_len - NLMSG_HDRLEN < sizeof(rtm)) {
		rtnl_issue(s, d, base, nlh, nlh->nlmsg_type, 0, "route message too short");
		return 0;
	}
	memcpy(&rtm, xd_msg_payload(nlh), sizeof(rtm));
	if (rtm.rtm_family != AF_INET && rtm.rtm_family != AF_INET6)
		return 0;
	if (rtm.rtm_flags & RTM_F_CLONED)
		return 0; /* a cache/exception entry, not a route of a table */
	if (rtm.rtm_dst_len > fam_len(rtm.rtm_family) * 8 ||
	    rtm.rtm_src_len > fam_len(rtm.rtm_family) * 8) {
		rtnl_issue(s, d, base, nlh, nlh->nlmsg_type, 0, "route prefix length too long");
		return 0;
	}
	tmp.family = rtm.rtm_family;
	tmp.dst_len = rtm.rtm_dst_len;
	tmp.src_len = rtm.rtm_src_len;
	tmp.tos = rtm.rtm_tos;
	tmp.table = rtm.rtm_table;
	tmp.protocol = rtm.rtm_protocol;
	tmp.scope = rtm.rtm_scope;
	tmp.type = rtm.rtm_type;
	tmp.flags = rtm.rtm_flags;
	attrs = xd_msg_attrs(nlh, sizeof(rtm), &alen);
	walk(s, d, base, attrs, alen, nlh->nlmsg_type, route_attr, &c);
	if (c.bad)
		return 0; /* a route whose fields we could not read would answer lookups wrongly */
	struct xd_route *r = xd_vec_push(&s->routes);
	if (!r)
		return -ENOMEM;
	*r = tmp;
	return 0;
}

/* ---- rules ---- */

struct rule_ctx {
	struct route_ctx c; /* for fixed(): c.r unused */
	struct xd_rule *ru;
	bool has_mark, has_mask;
};

static void rule_attr(const struct nlattr *a, void *ud)
{
	struct rule_ctx *rc = ud;
	struct route_ctx *c = &rc->c;
	struct xd_rule *ru = rc->ru;
	size_t al = fam_len(ru->family);
	uint8_t u8;
	uint64_t u64;
	struct fib_rule_uid_range uid;
	struct fib_rule_port_range pr;

	switch (xd_attr_type(a)) {
	case FRA_DST:
		fixed(c, a, ru->dst.b, al, "rule destination length");
		break;
	case FRA_SRC:
		fixed(c, a, ru->src.b, al, "rule source length");
		break;
	case FRA_IIFNAME:
		ru->iifname = xd_snapshot_intern(c->s, xd_attr_payload(a), xd_attr_payload_len(a));
		break;
	case FRA_OIFNAME:
		ru->oifname = xd_snapshot_intern(c->s, xd_attr_payload(a), xd_attr_payload_len(a));
		break;
	case FRA_GOTO:
		fixed(c, a, &ru->goto_target, 4, "rule goto length");
		break;
	case FRA_PRIORITY:
		fixed(c, a, &ru->priority, 4, "rule priority length");
		break;
	case FRA_FWMARK:
		rc->has_mark = fixed(c, a, &ru->fwmark, 4, "rule fwmark length");
		break;
	case FRA_FWMASK:
		rc->has_mask = fixed(c, a, &ru->fwmask, 4, "rule fwmask length");
		break;
	case FRA_TABLE:
		fixed(c, a, &ru->table, 4, "rule table length");
		break;
	case FRA_SUPPRESS_PREFIXLEN:
		ru->has_suppress_prefixlen =
			fixed(c, a, &ru->suppress_prefixlen, 4, "rule suppress_prefixlength length") &&
			ru->suppress_prefixlen != UINT32_MAX;
		break;
	case FRA_SUPPRESS_IFGROUP:
		ru->has_suppress_ifgroup =
			fixed(c, a, &ru->suppress_ifgroup, 4, "rule suppress_ifgroup length") &&
			ru->suppress_ifgroup != UINT32_MAX;
		break;
	case FRA_TUN_ID:
		if (fixed(c, a, &u64, 8, "rule tun_id length"))
			ru->has_tun_id = u64 != 0;
		break;
	case FRA_L3MDEV:
		if (fixed(c, a, &u8, 1, "rule l3mdev length"))
			ru->l3mdev = u8;
		break;
	case FRA_IP_PROTO:
		if (fixed(c, a, &u8, 1, "rule ipproto length"))
			ru->ip_proto = u8;
		break;
	case FRA_UID_RANGE:
		if (fixed(c, a, &uid, sizeof(uid), "rule uid range length")) {
			ru->has_uid_range = true;
			ru->uid_start = uid.start;
			ru->uid_end = uid.end;
		}
		break;
	case FRA_SPORT_RANGE:
	case FRA_DPORT_RANGE:
		if (fixed(c, a, &pr, sizeof(pr), "rule port range length")) {
			if (xd_attr_type(a) == FRA_SPORT_RANGE) {
				ru->has_sport = true;
				ru->sport_lo = pr.start, ru->sport_hi = pr.end;
			} else {
				ru->has_dport = true;
				ru->dport_lo = pr.start, ru->dport_hi = pr.end;
			}
		}
		break;
	default:
		break;
	}
}

static int decode_rule(struct xd_snapshot *s, enum xd_dump d, const void *base,
		       const struct nlmsghdr *nlh)
{
	struct fib_rule_hdr frh;
	struct xd_rule tmp = { 0 };
	struct rule_ctx rc = { .c = { .s = s, .base = base, .d = d, .type = nlh->nlmsg_type },
			       .ru = &tmp };
	size_t alen;
	const void *attrs;

	if (nlh->nlmsg_len - NLMSG_HDRLEN < sizeof(frh)) {
		rtnl_issue(s, d, base, nlh, nlh->nlmsg_type, 0, "rule message too short");
		return 0;
	}
	memcpy(&frh, xd_msg_payload(nlh), sizeof(frh));
	if (frh.family != AF_INET && frh.family != AF_INET6)
		return 0;
	if (frh.dst_len > fam_len(frh.family) * 8 || frh.src_len > fam_len(frh.family) * 8) {
		rtnl_issue(s, d, base, nlh, nlh->nlmsg_type, 0, "rule prefix length too long");
		return 0;
	}
	tmp.family = frh.family;
	tmp.dst_len = frh.dst_len;
	tmp.src_len = frh.src_len;
	tmp.tos = frh.tos;
	tmp.table = frh.table;
	tmp.action = frh.action;
	tmp.flags = frh.flags;
	attrs = xd_msg_attrs(nlh, sizeof(frh), &alen);
	walk(s, d, base, attrs, alen, nlh->nlmsg_type, rule_attr, &rc);
	if (rc.c.bad)
		return 0;
	/* the kernel's default mask for a mark without one is all bits */
	if (rc.has_mark && !rc.has_mask)
		tmp.fwmask = UINT32_MAX;
	if (!rc.has_mark)
		tmp.fwmark = 0;
	struct xd_rule *ru = xd_vec_push(&s->rules);
	if (!ru)
		return -ENOMEM;
	*ru = tmp;
	return 0;
}

static int decode_msg(struct xd_snapshot *s, enum xd_dump d, const void *base,
		      const struct nlmsghdr *nlh)
{
	size_t plen = nlh->nlmsg_len - NLMSG_HDRLEN;
	const unsigned char *p = xd_msg_payload(nlh);

	if (nlh->nlmsg_type == RTM_NEWLINK && d == XD_DUMP_RTNL_LINK) {
		struct ifinfomsg ifi;
		struct link_ctx c = { .s = s, .base = base };

		if (plen < sizeof(ifi)) {
			rtnl_issue(s, d, base, nlh, nlh->nlmsg_type, 0, "link message too short");
			return 0;
		}
		memcpy(&ifi, p, sizeof(ifi));
		c.l = xd_vec_push(&s->links);
		if (!c.l)
			return -ENOMEM;
		c.l->ifindex = ifi.ifi_index;
		c.l->flags = ifi.ifi_flags;
		walk(s, d, base, p + NLMSG_ALIGN(sizeof(ifi)),
		     plen > NLMSG_ALIGN(sizeof(ifi)) ? plen - NLMSG_ALIGN(sizeof(ifi)) : 0,
		     nlh->nlmsg_type, link_attr, &c);
		return 0;
	}
	if (nlh->nlmsg_type == RTM_NEWADDR && d == XD_DUMP_RTNL_ADDR) {
		struct ifaddrmsg ifa;
		struct xd_local_addr tmp = { 0 };
		struct addr_ctx c = { .a = &tmp };

		if (plen < sizeof(ifa)) {
			rtnl_issue(s, d, base, nlh, nlh->nlmsg_type, 0, "address message too short");
			return 0;
		}
		memcpy(&ifa, p, sizeof(ifa));
		if (ifa.ifa_family != AF_INET && ifa.ifa_family != AF_INET6)
			return 0;
		tmp.family = ifa.ifa_family;
		tmp.prefixlen = ifa.ifa_prefixlen;
		tmp.ifindex = (int32_t)ifa.ifa_index;
		walk(s, d, base, p + NLMSG_ALIGN(sizeof(ifa)),
		     plen > NLMSG_ALIGN(sizeof(ifa)) ? plen - NLMSG_ALIGN(sizeof(ifa)) : 0,
		     nlh->nlmsg_type, addr_attr, &c);
		/* IFA_LOCAL is the address on point-to-point links; IFA_ADDRESS elsewhere */
		if (!c.have_local && !c.have_address)
			return 0;
		tmp.addr = c.have_local ? c.local : c.address;
		struct xd_local_addr *a = xd_vec_push(&s->addrs);
		if (!a)
			return -ENOMEM;
		*a = tmp;
		return 0;
	}
	if (nlh->nlmsg_type == RTM_NEWROUTE && d == XD_DUMP_RTNL_ROUTE)
		return decode_route(s, d, base, nlh);
	if (nlh->nlmsg_type == RTM_NEWRULE && d == XD_DUMP_RTNL_RULE)
		return decode_rule(s, d, base, nlh);
	if (nlh->nlmsg_type >= NLMSG_MIN_TYPE)
		s->ignored_msgs++;
	return 0;
}

struct msg_ctx {
	struct xd_snapshot *s;
	enum xd_dump d;
	const void *base;
};

static int msg_cb(void *ud, const struct nlmsghdr *nlh)
{
	struct msg_ctx *m = ud;

	return decode_msg(m->s, m->d, m->base, nlh);
}

int xd_decode_rtnl(struct xd_snapshot *s, enum xd_dump d, const void *buf, size_t len)
{
	struct msg_ctx m = { .s = s, .d = d, .base = buf };
	const void *bad = NULL;
	int r = xd_walk_msgs(buf, len, msg_cb, &m, &bad);

	if (r == -EBADMSG)
		rtnl_issue(s, d, buf, bad, 0, 0, "netlink message length outside the datagram");
	return r;
}
