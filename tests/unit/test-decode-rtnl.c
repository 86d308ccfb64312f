/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-decode-rtnl.c: the rtnetlink decoder (interfaces, local addresses) on hand-built
 * messages: names, xfrm interface ids, IPv4/IPv6 addresses, IFA_LOCAL preferred on
 * point-to-point links, truncated attributes and short messages; and the uname decoder.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_addr.h>
#include <linux/fib_rules.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "nlbuild.h"
#include "xfrmd/decode.h"
#include "xfrmd/model.h"
#include "xfrmd/route.h"

static struct nlb B;

static void test_links_and_addresses(void **st)
{
	struct xd_snapshot *s = NULL;
	struct ifinfomsg ifi = { .ifi_index = 7, .ifi_flags = 1 };
	struct ifaddrmsg a4 = { .ifa_family = AF_INET, .ifa_prefixlen = 32, .ifa_index = 7 };
	struct ifaddrmsg a6 = { .ifa_family = AF_INET6, .ifa_prefixlen = 64, .ifa_index = 7 };
	unsigned char local[4] = { 192, 0, 2, 1 }, remote[4] = { 192, 0, 2, 9 };
	unsigned char v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 5 };
	uint32_t if_id = 99;
	size_t li, ld;

	assert_int_equal(xd_snapshot_new(&s), 0);
	nlb_init(&B);
	nlb_msg(&B, RTM_NEWLINK, NLM_F_MULTI);
	nlb_put(&B, &ifi, sizeof(ifi));
	nlb_attr(&B, IFLA_IFNAME, "ipsec\033[31m", 10);
	li = nlb_nest_start(&B, IFLA_LINKINFO);
	nlb_attr(&B, IFLA_INFO_KIND, "xfrm", 5);
	ld = nlb_nest_start(&B, IFLA_INFO_DATA);
	nlb_attr(&B, 2, &if_id, 4);
	nlb_nest_end(&B, ld);
	nlb_nest_end(&B, li);
	assert_int_equal(xd_decode_rtnl(s, XD_DUMP_RTNL_LINK, B.buf, B.len), 0);

	nlb_init(&B);
	nlb_msg(&B, RTM_NEWADDR, NLM_F_MULTI);
	nlb_put(&B, &a4, sizeof(a4));
	nlb_attr(&B, IFA_ADDRESS, remote, 4); /* peer on a point-to-point link */
	nlb_attr(&B, IFA_LOCAL, local, 4);
	nlb_msg(&B, RTM_NEWADDR, NLM_F_MULTI);
	nlb_put(&B, &a6, sizeof(a6));
	nlb_attr(&B, IFA_ADDRESS, v6, 16);
	nlb_msg(&B, NLMSG_DONE, NLM_F_MULTI);
	nlb_put(&B, NULL, 4);
	assert_int_equal(xd_decode_rtnl(s, XD_DUMP_RTNL_ADDR, B.buf, B.len), 0);
	s->meta.dump_status[XD_DUMP_RTNL_ADDR] = XD_DUMP_COMPLETE;
	xd_snapshot_sort(s);

	assert_int_equal(s->links.len, 1);
	const struct xd_link *l = xd_snapshot_link(s, 7);
	assert_non_null(l);
	assert_string_equal(l->name, "ipsec\033[31m");
	assert_string_equal(l->kind, "xfrm");
	assert_int_equal(l->xfrm_if_id, 99);
	assert_int_equal(s->addrs.len, 2);
	struct xd_addr q = { 0 };
	memcpy(q.b, local, 4);
	assert_true(xd_snapshot_is_local(s, AF_INET, &q));
	memcpy(q.b, remote, 4);
	assert_false(xd_snapshot_is_local(s, AF_INET, &q));
	memcpy(q.b, v6, 16);
	assert_true(xd_snapshot_is_local(s, AF_INET6, &q));
	assert_int_equal(s->issues.len, 0);
	xd_snapshot_free(s);
}

static void test_broken_messages(void **st)
{
	struct xd_snapshot *s = NULL;
	struct ifaddrmsg a4 = { .ifa_family = AF_INET, .ifa_prefixlen = 24 };
	struct nlattr *a;

	assert_int_equal(xd_snapshot_new(&s), 0);
	nlb_init(&B);
	nlb_msg(&B, RTM_NEWADDR, 0);
	nlb_put(&B, &a4, 4); /* shorter than ifaddrmsg */
	assert_int_equal(xd_decode_rtnl(s, XD_DUMP_RTNL_ADDR, B.buf, B.len), 0);
	assert_int_equal(s->issues.len, 1);

	nlb_init(&B);
	nlb_msg(&B, RTM_NEWADDR, 0);
	nlb_put(&B, &a4, sizeof(a4));
	a = (struct nlattr *)(B.buf + B.len);
	nlb_attr(&B, IFA_LOCAL, "\x0a\x00\x00\x01", 4);
	a->nla_len = 200; /* past the message */
	assert_int_equal(xd_decode_rtnl(s, XD_DUMP_RTNL_ADDR, B.buf, B.len), 0);
	assert_int_equal(s->issues.len, 2);
	assert_int_equal(s->addrs.len, 0);

	/* an address of the wrong length is ignored, not trusted */
	nlb_init(&B);
	nlb_msg(&B, RTM_NEWADDR, 0);
	nlb_put(&B, &a4, sizeof(a4));
	nlb_attr(&B, IFA_LOCAL, "\x0a\x00", 2);
	assert_int_equal(xd_decode_rtnl(s, XD_DUMP_RTNL_ADDR, B.buf, B.len), 0);
	assert_int_equal(s->addrs.len, 0);

	assert_int_equal(xd_decode_rtnl(s, XD_DUMP_RTNL_ADDR, B.buf, 3), -EBADMSG);
	xd_snapshot_free(s);
}

static void test_routes(void **st)
{
	struct xd_snapshot *s = NULL;
	struct rtmsg r4 = { .rtm_family = AF_INET, .rtm_dst_len = 24, .rtm_table = RT_TABLE_MAIN,
			    .rtm_protocol = RTPROT_KERNEL, .rtm_scope = RT_SCOPE_LINK,
			    .rtm_type = RTN_UNICAST };
	struct rtmsg r6 = { .rtm_family = AF_INET6, .rtm_dst_len = 0, .rtm_table = RT_TABLE_MAIN,
			    .rtm_protocol = RTPROT_STATIC, .rtm_type = RTN_UNICAST };
	struct rtmsg cl = r4;
	unsigned char dst[4] = { 192, 0, 2, 0 }, gw6[16] = { 0xfe, 0x80, [15] = 1 };
	uint32_t oif = 3, table = 1000, prio = 1024, nhid = 5;
	struct rtnexthop nh = { .rtnh_len = sizeof(nh) + 20, .rtnh_ifindex = 7 };
	struct rtnexthop nh2 = { .rtnh_len = sizeof(nh), .rtnh_ifindex = 8 };
	const struct xd_route *r;
	size_t m;

	assert_int_equal(xd_snapshot_new(&s), 0);
	nlb_init(&B);
	nlb_msg(&B, RTM_NEWROUTE, NLM_F_MULTI);
	nlb_put(&B, &r4, sizeof(r4));
	nlb_attr(&B, RTA_TABLE, &table, 4); /* RTA_TABLE wins over rtm_table */
	nlb_attr(&B, RTA_DST, dst, 4);
	nlb_attr(&B, RTA_OIF, &oif, 4);
	nlb_msg(&B, RTM_NEWROUTE, NLM_F_MULTI);
	nlb_put(&B, &r6, sizeof(r6));
	nlb_attr(&B, RTA_PRIORITY, &prio, 4);
	m = nlb_nest_start(&B, RTA_MULTIPATH);
	nlb_put(&B, &nh, sizeof(nh));
	nlb_attr(&B, RTA_GATEWAY, gw6, 16);
	nlb_put(&B, &nh2, sizeof(nh2));
	nlb_nest_end(&B, m);
	cl.rtm_flags = RTM_F_CLONED; /* a cache entry: not a route of a table */
	nlb_msg(&B, RTM_NEWROUTE, NLM_F_MULTI);
	nlb_put(&B, &cl, sizeof(cl));
	nlb_msg(&B, NLMSG_DONE, NLM_F_MULTI);
	nlb_put(&B, NULL, 4);
	assert_int_equal(xd_decode_rtnl(s, XD_DUMP_RTNL_ROUTE, B.buf, B.len), 0);
	assert_int_equal(s->issues.len, 0);
	assert_int_equal(s->routes.len, 2);
	r = xd_vec_at(&s->routes, 0);
	assert_int_equal(r->family, AF_INET);
	assert_int_equal(r->table, 1000);
	assert_int_equal(r->dst_len, 24);
	assert_memory_equal(r->dst.b, dst, 4);
	assert_int_equal(r->oif, 3);
	assert_int_equal(r->scope, RT_SCOPE_LINK);
	assert_false(r->has_gateway);
	r = xd_vec_at(&s->routes, 1);
	assert_int_equal(r->family, AF_INET6);
	assert_int_equal(r->priority, 1024);
	assert_int_equal(r->nexthops, 2);
	assert_int_equal(r->oif, 7); /* the first nexthop's */
	assert_true(r->has_gateway);
	assert_memory_equal(r->gateway.b, gw6, 16);

	/* a nexthop object; a gateway of the wrong length drops the route with an issue */
	nlb_init(&B);
	nlb_msg(&B, RTM_NEWROUTE, NLM_F_MULTI);
	nlb_put(&B, &r4, sizeof(r4));
	nlb_attr(&B, RTA_NH_ID, &nhid, 4);
	nlb_msg(&B, RTM_NEWROUTE, NLM_F_MULTI);
	nlb_put(&B, &r4, sizeof(r4));
	nlb_attr(&B, RTA_GATEWAY, gw6, 16);
	assert_int_equal(xd_decode_rtnl(s, XD_DUMP_RTNL_ROUTE, B.buf, B.len), 0);
	assert_int_equal(s->routes.len, 3);
	assert_int_equal(((const struct xd_route *)xd_vec_at(&s->routes, 2))->nhid, 5);
	assert_int_equal(s->issues.len, 1);

	/* a nexthop longer than its attribute, a prefix longer than the family's */
	nlb_init(&B);
	nlb_msg(&B, RTM_NEWROUTE, NLM_F_MULTI);
	nlb_put(&B, &r6, sizeof(r6));
	m = nlb_nest_start(&B, RTA_MULTIPATH);
	nh.rtnh_len = 200;
	nlb_put(&B, &nh, sizeof(nh));
	nlb_nest_end(&B, m);
	cl = r4;
	cl.rtm_dst_len = 33;
	nlb_msg(&B, RTM_NEWROUTE, NLM_F_MULTI);
	nlb_put(&B, &cl, sizeof(cl));
	nlb_msg(&B, RTM_NEWROUTE, NLM_F_MULTI);
	nlb_put(&B, &r4, 6); /* shorter than rtmsg */
	assert_int_equal(xd_decode_rtnl(s, XD_DUMP_RTNL_ROUTE, B.buf, B.len), 0);
	assert_int_equal(s->issues.len, 4);

	/* a dead first nexthop: the route leaves by the first live one */
	size_t before = s->routes.len;
	nlb_init(&B);
	nlb_msg(&B, RTM_NEWROUTE, NLM_F_MULTI);
	nlb_put(&B, &r6, sizeof(r6));
	m = nlb_nest_start(&B, RTA_MULTIPATH);
	nh.rtnh_len = sizeof(nh);
	nh.rtnh_flags = RTNH_F_DEAD;
	nlb_put(&B, &nh, sizeof(nh));
	nlb_put(&B, &nh2, sizeof(nh2));
	nlb_nest_end(&B, m);
	assert_int_equal(xd_decode_rtnl(s, XD_DUMP_RTNL_ROUTE, B.buf, B.len), 0);
	assert_int_equal(s->routes.len, before + 1);
	r = xd_vec_at(&s->routes, before);
	assert_int_equal(r->oif, 8);
	assert_false(r->flags & XD_RTNH_F_DEAD);
	xd_snapshot_free(s);
}

static void test_rules(void **st)
{
	struct xd_snapshot *s = NULL;
	struct fib_rule_hdr h = { .family = AF_INET, .table = RT_TABLE_MAIN, .action = FR_ACT_TO_TBL };
	struct fib_rule_hdr h6 = { .family = AF_INET6, .src_len = 64, .action = FR_ACT_GOTO,
				   .flags = FIB_RULE_INVERT };
	unsigned char src6[16] = { 0x20, 0x01, 0x0d, 0xb8 };
	uint32_t prio = 32766, mark = 0xca6c, sup = 0, table = 51820, target = 32000;
	struct fib_rule_port_range pr = { .start = 500, .end = 500 };
	uint8_t proto = 17;
	const struct xd_rule *r;

	assert_int_equal(xd_snapshot_new(&s), 0);
	nlb_init(&B);
	nlb_msg(&B, RTM_NEWRULE, NLM_F_MULTI);
	nlb_put(&B, &h, sizeof(h));
	nlb_attr(&B, FRA_PRIORITY, &prio, 4);
	nlb_attr(&B, FRA_TABLE, &table, 4);
	nlb_attr(&B, FRA_FWMARK, &mark, 4); /* no FRA_FWMASK: every bit */
	nlb_attr(&B, FRA_SUPPRESS_PREFIXLEN, &sup, 4);
	nlb_attr(&B, FRA_IIFNAME, "eth1", 5);
	nlb_attr(&B, FRA_IP_PROTO, &proto, 1);
	nlb_attr(&B, FRA_DPORT_RANGE, &pr, sizeof(pr));
	nlb_msg(&B, RTM_NEWRULE, NLM_F_MULTI);
	nlb_put(&B, &h6, sizeof(h6));
	nlb_attr(&B, FRA_SRC, src6, 16);
	nlb_attr(&B, FRA_GOTO, &target, 4);
	assert_int_equal(xd_decode_rtnl(s, XD_DUMP_RTNL_RULE, B.buf, B.len), 0);
	assert_int_equal(s->issues.len, 0);
	assert_int_equal(s->rules.len, 2);
	r = xd_vec_at(&s->rules, 0);
	assert_int_equal(r->priority, 32766);
	assert_int_equal(r->table, 51820);
	assert_int_equal(r->fwmark, 0xca6c);
	assert_int_equal(r->fwmask, 0xffffffff);
	assert_true(r->has_suppress_prefixlen);
	assert_int_equal(r->suppress_prefixlen, 0);
	assert_string_equal(r->iifname, "eth1");
	assert_int_equal(r->ip_proto, 17);
	assert_true(r->has_dport);
	assert_false(r->has_sport);
	assert_int_equal(r->dport_lo, 500);
	r = xd_vec_at(&s->rules, 1);
	assert_int_equal(r->family, AF_INET6);
	assert_int_equal(r->action, XD_FR_ACT_GOTO);
	assert_int_equal(r->goto_target, 32000);
	assert_int_equal(r->src_len, 64);
	assert_memory_equal(r->src.b, src6, 16);
	assert_true(r->flags & XD_FIB_RULE_INVERT);
	assert_int_equal(r->priority, 0); /* no FRA_PRIORITY: rule 0 */

	/* a mark of the wrong length: the rule is dropped with an issue, never half-read */
	nlb_init(&B);
	nlb_msg(&B, RTM_NEWRULE, NLM_F_MULTI);
	nlb_put(&B, &h, sizeof(h));
	nlb_attr(&B, FRA_FWMARK, &mark, 2);
	nlb_msg(&B, RTM_NEWRULE, NLM_F_MULTI);
	nlb_put(&B, &h, 4);
	assert_int_equal(xd_decode_rtnl(s, XD_DUMP_RTNL_RULE, B.buf, B.len), 0);
	assert_int_equal(s->rules.len, 2);
	assert_int_equal(s->issues.len, 2);
	xd_snapshot_free(s);
}

/* Route-based IPsec devices: a VTI's keys (big-endian on the wire, host order in the model),
 * endpoints and lower link; an xfrm interface's lower link and external mode, its data sent
 * before its kind; the operational state; a key shorter than 4 bytes is an issue. */
static void test_tunnel_devices(void **st)
{
	struct xd_snapshot *s = NULL;
	struct ifinfomsg vti = { .ifi_index = 8, .ifi_flags = 1 };
	struct ifinfomsg xi = { .ifi_index = 9 };
	uint32_t ikey = htonl(10), okey = htonl(0x01020304), lower = 2, if_id = 7;
	unsigned char local[4] = { 192, 0, 2, 1 }, remote[4] = { 203, 0, 113, 9 };
	uint8_t oper = 2 /* IF_OPER_DOWN */;
	size_t li, ld;
	const struct xd_link *l;

	(void)st;
	assert_int_equal(xd_snapshot_new(&s), 0);
	nlb_init(&B);
	nlb_msg(&B, RTM_NEWLINK, NLM_F_MULTI);
	nlb_put(&B, &vti, sizeof(vti));
	nlb_attr(&B, IFLA_IFNAME, "vti0", 5);
	nlb_attr(&B, IFLA_OPERSTATE, &oper, 1);
	li = nlb_nest_start(&B, IFLA_LINKINFO);
	nlb_attr(&B, IFLA_INFO_KIND, "vti", 4);
	ld = nlb_nest_start(&B, IFLA_INFO_DATA);
	nlb_attr(&B, 1 /* IFLA_VTI_LINK */, &lower, 4);
	nlb_attr(&B, 2 /* IFLA_VTI_IKEY */, &ikey, 4);
	nlb_attr(&B, 3 /* IFLA_VTI_OKEY */, &okey, 4);
	nlb_attr(&B, 4 /* IFLA_VTI_LOCAL */, local, 4);
	nlb_attr(&B, 5 /* IFLA_VTI_REMOTE */, remote, 4);
	nlb_nest_end(&B, ld);
	nlb_nest_end(&B, li);

	nlb_msg(&B, RTM_NEWLINK, NLM_F_MULTI);
	nlb_put(&B, &xi, sizeof(xi));
	nlb_attr(&B, IFLA_IFNAME, "ipsec1", 7);
	li = nlb_nest_start(&B, IFLA_LINKINFO);
	ld = nlb_nest_start(&B, IFLA_INFO_DATA);
	nlb_attr(&B, 1 /* IFLA_XFRM_LINK */, &lower, 4);
	nlb_attr(&B, 2 /* IFLA_XFRM_IF_ID */, &if_id, 4);
	nlb_attr(&B, 3 /* IFLA_XFRM_COLLECT_METADATA */, NULL, 0);
	nlb_nest_end(&B, ld);
	nlb_attr(&B, IFLA_INFO_KIND, "xfrm", 5);
	nlb_nest_end(&B, li);
	assert_int_equal(xd_decode_rtnl(s, XD_DUMP_RTNL_LINK, B.buf, B.len), 0);
	assert_int_equal(s->issues.len, 0);
	xd_snapshot_sort(s);

	l = xd_snapshot_link(s, 8);
	assert_non_null(l);
	assert_string_equal(l->kind, "vti");
	assert_int_equal(l->vti_family, AF_INET);
	assert_int_equal(l->vti_ikey, 10);
	assert_int_equal(l->vti_okey, 0x01020304);
	assert_memory_equal(l->vti_local.b, local, 4);
	assert_memory_equal(l->vti_remote.b, remote, 4);
	assert_int_equal(l->vti_link, 2);
	assert_true(l->has & XD_LINK_HAS_OPERSTATE);
	assert_int_equal(l->operstate, XD_OPER_DOWN);
	assert_int_equal(l->has & (XD_LINK_HAS_VTI_IKEY | XD_LINK_HAS_VTI_OKEY | XD_LINK_HAS_VTI_LOCAL |
				   XD_LINK_HAS_VTI_REMOTE | XD_LINK_HAS_VTI_LINK),
			 XD_LINK_HAS_VTI_IKEY | XD_LINK_HAS_VTI_OKEY | XD_LINK_HAS_VTI_LOCAL |
			 XD_LINK_HAS_VTI_REMOTE | XD_LINK_HAS_VTI_LINK);
	l = xd_snapshot_link(s, 9);
	assert_non_null(l);
	assert_string_equal(l->kind, "xfrm");
	assert_int_equal(l->xfrm_if_id, 7);
	assert_int_equal(l->xfrm_link, 2);
	assert_true(l->xfrm_collect_md);
	assert_false(l->has & XD_LINK_HAS_OPERSTATE);
	xd_snapshot_free(s);

	/* a 2-byte key and a 2-byte IPv6 endpoint of a vti6: issues, nothing kept */
	assert_int_equal(xd_snapshot_new(&s), 0);
	nlb_init(&B);
	nlb_msg(&B, RTM_NEWLINK, NLM_F_MULTI);
	nlb_put(&B, &vti, sizeof(vti));
	li = nlb_nest_start(&B, IFLA_LINKINFO);
	nlb_attr(&B, IFLA_INFO_KIND, "vti6", 5);
	ld = nlb_nest_start(&B, IFLA_INFO_DATA);
	nlb_attr(&B, 2 /* IFLA_VTI_IKEY */, &ikey, 2);
	nlb_attr(&B, 4 /* IFLA_VTI_LOCAL */, local, 2);
	nlb_nest_end(&B, ld);
	nlb_nest_end(&B, li);
	assert_int_equal(xd_decode_rtnl(s, XD_DUMP_RTNL_LINK, B.buf, B.len), 0);
	assert_int_equal(s->issues.len, 2);
	l = xd_vec_at(&s->links, 0);
	assert_int_equal(l->vti_family, AF_INET6);
	assert_false(l->has & (XD_LINK_HAS_VTI_IKEY | XD_LINK_HAS_VTI_LOCAL));
	xd_snapshot_free(s);
}

static void test_uname(void **st)
{
	struct xd_snapshot *s = NULL;
	const char u[] = "Linux\n6.1.0-27-amd64\n#1 SMP PREEMPT_DYNAMIC Debian 6.1.115-1\nx86_64\n";

	assert_int_equal(xd_snapshot_new(&s), 0);
	assert_int_equal(xd_decode_uname(s, u, sizeof(u) - 1), 0);
	assert_true(s->uname.present);
	assert_string_equal(s->uname.release, "6.1.0-27-amd64");
	assert_string_equal(s->uname.machine, "x86_64");
	xd_snapshot_free(s);
	assert_int_equal(xd_snapshot_new(&s), 0);
	assert_int_equal(xd_decode_uname(s, "Linux", 5), 0); /* truncated: partial, no crash */
	assert_string_equal(s->uname.sysname, "Linux");
	assert_null(s->uname.release);
	xd_snapshot_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_links_and_addresses),
		cmocka_unit_test(test_broken_messages),
		cmocka_unit_test(test_routes),
		cmocka_unit_test(test_rules),
		cmocka_unit_test(test_tunnel_devices),
		cmocka_unit_test(test_uname),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
