/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * decode-rtnl.c: rtnetlink link and address dumps -> interfaces and local addresses. Only
 * what diagnosis needs: names (untrusted strings, kept raw and escaped by renderers), kinds
 * (xfrm/vti/veth), xfrm if_id, and every local address with its prefix.
 */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/socket.h>

#include "nl-walk.h"
#include "xfrmd/decode.h"
#include "xfrmd/model.h"

#define XD_IFLA_XFRM_IF_ID 2 /* IFLA_XFRM_IF_ID, nested in IFLA_INFO_DATA of kind "xfrm" */

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
};

static void linkinfo_data_attr(const struct nlattr *a, void *ud)
{
	struct link_ctx *c = ud;

	if (xd_attr_type(a) == XD_IFLA_XFRM_IF_ID && xd_attr_payload_len(a) >= 4)
		memcpy(&c->l->xfrm_if_id, xd_attr_payload(a), 4);
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
		walk(c->s, XD_DUMP_RTNL_LINK, c->base, xd_attr_payload(a),
		     xd_attr_payload_len(a), RTM_NEWLINK, linkinfo_data_attr, c);
		break;
	default:
		break;
	}
}

static void link_attr(const struct nlattr *a, void *ud)
{
	struct link_ctx *c = ud;

	switch (xd_attr_type(a)) {
	case IFLA_IFNAME:
		c->l->name = xd_snapshot_intern(c->s, xd_attr_payload(a),
						xd_attr_payload_len(a));
		break;
	case IFLA_LINKINFO:
		walk(c->s, XD_DUMP_RTNL_LINK, c->base, xd_attr_payload(a),
		     xd_attr_payload_len(a), RTM_NEWLINK, linkinfo_attr, c);
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
