/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-decode-rtnl.c: the rtnetlink decoder (interfaces, local addresses) on hand-built
 * messages: names, xfrm interface ids, IPv4/IPv6 addresses, IFA_LOCAL preferred on
 * point-to-point links, truncated attributes and short messages; and the uname decoder.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_addr.h>
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
		cmocka_unit_test(test_uname),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
