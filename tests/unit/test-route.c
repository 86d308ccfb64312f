/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-route.c: the route lookup (route.h) on hand-built routes and rules: the default rules
 * (local, main, default tables), longest prefix and metric, policy-routing rules with
 * fwmark, source and iif selectors, goto/nop/blackhole/unreachable/prohibit actions, throw
 * routes, suppress_prefixlength, invert, IPv6, and the undecidable cases (nexthop objects,
 * unknown marks, dumps not collected).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "xfrmd/decode.h"
#include "xfrmd/model.h"
#include "xfrmd/route.h"

static struct xd_addr A(const char *s)
{
	struct xd_addr a = { 0 };

	if (strchr(s, ':'))
		assert_int_equal(inet_pton(AF_INET6, s, a.b), 1);
	else
		assert_int_equal(inet_pton(AF_INET, s, a.b), 1);
	return a;
}

static struct xd_snapshot *snap(void)
{
	struct xd_snapshot *s = NULL;

	assert_int_equal(xd_snapshot_new(&s), 0);
	s->meta.dump_status[XD_DUMP_RTNL_ROUTE] = XD_DUMP_COMPLETE;
	s->meta.dump_status[XD_DUMP_RTNL_RULE] = XD_DUMP_COMPLETE;
	return s;
}

static void link_add(struct xd_snapshot *s, int32_t idx, const char *name)
{
	struct xd_link *l = xd_vec_push(&s->links);

	assert_non_null(l);
	l->ifindex = idx;
	l->name = xd_snapshot_intern(s, name, strlen(name));
}

static struct xd_route *route_add(struct xd_snapshot *s, uint16_t fam, const char *dst,
				  uint8_t len, uint32_t table, int32_t oif, uint8_t type)
{
	struct xd_route *r = xd_vec_push(&s->routes);

	assert_non_null(r);
	r->family = fam;
	r->dst = A(dst);
	r->dst_len = len;
	r->table = table;
	r->oif = oif;
	r->type = type;
	return r;
}

static struct xd_rule *rule_add(struct xd_snapshot *s, uint16_t fam, uint32_t prio,
				uint8_t action, uint32_t table)
{
	struct xd_rule *r = xd_vec_push(&s->rules);

	assert_non_null(r);
	r->family = fam;
	r->priority = prio;
	r->action = action;
	r->table = table;
	return r;
}

static void default_rules(struct xd_snapshot *s, uint16_t fam)
{
	rule_add(s, fam, 0, XD_FR_ACT_TO_TBL, XD_RT_TABLE_LOCAL);
	rule_add(s, fam, 32766, XD_FR_ACT_TO_TBL, XD_RT_TABLE_MAIN);
	if (fam == AF_INET)
		rule_add(s, fam, 32767, XD_FR_ACT_TO_TBL, XD_RT_TABLE_DEFAULT);
}

/* A plain gateway: eth0 192.0.2.1/24, eth1 10.1.0.1/16, default via 192.0.2.254. */
static struct xd_snapshot *gateway(void)
{
	struct xd_snapshot *s = snap();
	struct xd_route *r;

	link_add(s, 1, "lo");
	link_add(s, 2, "eth0");
	link_add(s, 3, "eth1");
	link_add(s, 4, "ipsec0");
	xd_snapshot_sort(s);
	default_rules(s, AF_INET);
	route_add(s, AF_INET, "192.0.2.1", 32, XD_RT_TABLE_LOCAL, 2, XD_RTN_LOCAL);
	route_add(s, AF_INET, "192.0.2.255", 32, XD_RT_TABLE_LOCAL, 2, XD_RTN_BROADCAST);
	route_add(s, AF_INET, "127.0.0.0", 8, XD_RT_TABLE_LOCAL, 1, XD_RTN_LOCAL);
	r = route_add(s, AF_INET, "0.0.0.0", 0, XD_RT_TABLE_MAIN, 2, XD_RTN_UNICAST);
	r->has_gateway = true;
	r->gateway = A("192.0.2.254");
	r->priority = 100;
	route_add(s, AF_INET, "192.0.2.0", 24, XD_RT_TABLE_MAIN, 2, XD_RTN_UNICAST);
	route_add(s, AF_INET, "10.1.0.0", 16, XD_RT_TABLE_MAIN, 3, XD_RTN_UNICAST);
	return s;
}

static struct xd_route_result look(const struct xd_snapshot *s, uint16_t fam, const char *src,
				   const char *dst)
{
	struct xd_route_query q = { .family = fam, .dst = A(dst) };
	struct xd_route_result r;

	if (src) {
		q.src = A(src);
		q.has_src = true;
	}
	assert_int_equal(xd_route_lookup(s, &q, &r), 0);
	return r;
}

static void test_connected_and_default(void **st)
{
	struct xd_snapshot *s = gateway();
	struct xd_route_result r = look(s, AF_INET, "192.0.2.1", "192.0.2.2");

	assert_int_equal(r.verdict, XD_ROUTE_FOUND);
	assert_int_equal(r.oif, 2);
	assert_false(r.has_gateway);
	assert_string_equal(xd_route_result_oif_name(s, &r), "eth0");
	assert_int_equal(r.table, XD_RT_TABLE_MAIN);

	r = look(s, AF_INET, "192.0.2.1", "10.1.2.3");
	assert_int_equal(r.verdict, XD_ROUTE_FOUND);
	assert_string_equal(xd_route_result_oif_name(s, &r), "eth1");

	r = look(s, AF_INET, "192.0.2.1", "198.51.100.7");
	assert_int_equal(r.verdict, XD_ROUTE_FOUND);
	assert_true(r.has_gateway);
	assert_memory_equal(r.gateway.b, A("192.0.2.254").b, 4);
	assert_int_equal(r.route->dst_len, 0);

	/* the local table comes first: the host's own address is a local route */
	r = look(s, AF_INET, NULL, "192.0.2.1");
	assert_int_equal(r.verdict, XD_ROUTE_FOUND);
	assert_int_equal(r.route->type, XD_RTN_LOCAL);
	assert_int_equal(r.table, XD_RT_TABLE_LOCAL);
	xd_snapshot_free(s);
}

static void test_metric_and_dead(void **st)
{
	struct xd_snapshot *s = gateway();
	struct xd_route *r2 = route_add(s, AF_INET, "10.1.0.0", 16, XD_RT_TABLE_MAIN, 2,
					XD_RTN_UNICAST);
	struct xd_route_result r;

	/* equal prefix: the lower metric wins (the eth1 one has metric 0) */
	r2->priority = 10;
	r = look(s, AF_INET, NULL, "10.1.0.9");
	assert_int_equal(r.oif, 3);
	/* a more specific one wins whatever its metric */
	r2->dst_len = 24;
	r2->priority = 1000;
	r = look(s, AF_INET, NULL, "10.1.0.9");
	assert_int_equal(r.oif, 2);
	/* a dead nexthop is skipped */
	r2->flags = XD_RTNH_F_DEAD;
	r = look(s, AF_INET, NULL, "10.1.0.9");
	assert_int_equal(r.oif, 3);
	xd_snapshot_free(s);
}

static void test_no_route_and_types(void **st)
{
	struct xd_snapshot *s = snap();
	struct xd_route_result r;

	default_rules(s, AF_INET);
	route_add(s, AF_INET, "10.0.0.0", 8, XD_RT_TABLE_MAIN, 2, XD_RTN_UNICAST);
	r = look(s, AF_INET, NULL, "192.0.2.1");
	assert_int_equal(r.verdict, XD_ROUTE_NONE);
	route_add(s, AF_INET, "192.0.2.0", 24, XD_RT_TABLE_MAIN, 0, XD_RTN_BLACKHOLE);
	assert_int_equal(look(s, AF_INET, NULL, "192.0.2.1").verdict, XD_ROUTE_BLACKHOLE);
	route_add(s, AF_INET, "192.0.2.0", 25, XD_RT_TABLE_MAIN, 0, XD_RTN_UNREACHABLE);
	assert_int_equal(look(s, AF_INET, NULL, "192.0.2.1").verdict, XD_ROUTE_UNREACHABLE);
	route_add(s, AF_INET, "192.0.2.0", 26, XD_RT_TABLE_MAIN, 0, XD_RTN_PROHIBIT);
	r = look(s, AF_INET, NULL, "192.0.2.1");
	assert_int_equal(r.verdict, XD_ROUTE_PROHIBIT);
	assert_int_equal(r.oif, 0);
	xd_snapshot_free(s);
}

/* strongSwan's table 220 and WireGuard-style fwmark rules with suppress_prefixlength. */
static void test_policy_rules(void **st)
{
	struct xd_snapshot *s = gateway();
	struct xd_rule *ru;
	struct xd_route_result r;
	struct xd_route_query q = { .family = AF_INET, .dst = A("198.51.100.7") };

	/* table 220 (strongSwan's install_routes) holds the remote subnet via ipsec0 */
	ru = rule_add(s, AF_INET, 220, XD_FR_ACT_TO_TBL, 220);
	route_add(s, AF_INET, "10.9.0.0", 16, 220, 4, XD_RTN_UNICAST);
	r = look(s, AF_INET, NULL, "10.9.1.1");
	assert_int_equal(r.verdict, XD_ROUTE_FOUND);
	assert_string_equal(xd_route_result_oif_name(s, &r), "ipsec0");
	assert_ptr_equal(r.rule, ru);
	/* anything else falls through table 220 (no route there) into main */
	r = look(s, AF_INET, NULL, "10.1.1.1");
	assert_string_equal(xd_route_result_oif_name(s, &r), "eth1");

	/* fwmark: only marked packets use table 51820, whose default leaves by ipsec0 */
	ru->fwmark = 0xca6c;
	ru->fwmask = 0xffffffff;
	ru->table = 51820;
	route_add(s, AF_INET, "0.0.0.0", 0, 51820, 4, XD_RTN_UNICAST);
	r = look(s, AF_INET, NULL, "198.51.100.7");
	assert_string_equal(xd_route_result_oif_name(s, &r), "eth0");
	q.mark = 0xca6c;
	assert_int_equal(xd_route_lookup(s, &q, &r), 0);
	assert_string_equal(xd_route_result_oif_name(s, &r), "ipsec0");
	q.mark_unknown = true;
	assert_int_equal(xd_route_lookup(s, &q, &r), 0);
	assert_int_equal(r.verdict, XD_ROUTE_UNDECIDABLE);
	assert_non_null(strstr(r.reason, "fwmark"));

	/* "not fwmark X lookup T" + "lookup main suppress_prefixlength 0" (wg-quick) */
	ru->flags = XD_FIB_RULE_INVERT;
	ru->priority = 32765;
	struct xd_rule *sup = rule_add(s, AF_INET, 32764, XD_FR_ACT_TO_TBL, XD_RT_TABLE_MAIN);
	sup->has_suppress_prefixlen = true;
	sup->suppress_prefixlen = 0;
	q.mark_unknown = false;
	q.mark = 0;
	assert_int_equal(xd_route_lookup(s, &q, &r), 0);
	assert_string_equal(xd_route_result_oif_name(s, &r), "ipsec0"); /* default suppressed */
	assert_int_equal(r.table, 51820);
	r = look(s, AF_INET, NULL, "10.1.1.1"); /* a /16 is not suppressed */
	assert_string_equal(xd_route_result_oif_name(s, &r), "eth1");
	assert_ptr_equal(r.rule, sup);
	q.mark = 0xca6c; /* marked: the inverted rule does not match, main's default applies */
	assert_int_equal(xd_route_lookup(s, &q, &r), 0);
	assert_string_equal(xd_route_result_oif_name(s, &r), "eth0");
	xd_snapshot_free(s);
}

static void test_selectors_and_actions(void **st)
{
	struct xd_snapshot *s = gateway();
	struct xd_rule *ru;
	struct xd_route_result r;
	struct xd_route_query q = { .family = AF_INET, .dst = A("198.51.100.7"),
				    .src = A("10.1.0.5"), .has_src = true, .iif = "eth1" };

	route_add(s, AF_INET, "0.0.0.0", 0, 100, 3, XD_RTN_UNICAST);
	ru = rule_add(s, AF_INET, 100, XD_FR_ACT_TO_TBL, 100);
	ru->src = A("10.1.0.0");
	ru->src_len = 16;
	assert_int_equal(xd_route_lookup(s, &q, &r), 0);
	assert_int_equal(r.oif, 3);
	q.src = A("10.2.0.5");
	assert_int_equal(xd_route_lookup(s, &q, &r), 0);
	assert_int_equal(r.oif, 2);
	q.has_src = false;
	assert_int_equal(xd_route_lookup(s, &q, &r), 0);
	assert_int_equal(r.verdict, XD_ROUTE_UNDECIDABLE);

	/* iif selector: forwarded from eth1 only; "iif lo" means locally generated */
	ru->src_len = 0;
	ru->iifname = "eth1";
	q.has_src = true;
	assert_int_equal(xd_route_lookup(s, &q, &r), 0);
	assert_int_equal(r.oif, 3);
	q.iif = NULL;
	assert_int_equal(xd_route_lookup(s, &q, &r), 0);
	assert_int_equal(r.oif, 2);
	ru->iifname = "lo";
	assert_int_equal(xd_route_lookup(s, &q, &r), 0);
	assert_int_equal(r.oif, 3);
	q.iif = "";
	assert_int_equal(xd_route_lookup(s, &q, &r), 0);
	assert_int_equal(r.verdict, XD_ROUTE_UNDECIDABLE);
	ru->flags = XD_FIB_RULE_IIF_DETACHED; /* the device is gone: never matches */
	assert_int_equal(xd_route_lookup(s, &q, &r), 0);
	assert_int_equal(r.oif, 2);
	ru->flags = 0;
	ru->iifname = NULL;

	/* actions: unreachable, and a goto over it into a nop then the table */
	ru->action = XD_FR_ACT_UNREACHABLE;
	assert_int_equal(xd_route_lookup(s, &q, &r), 0);
	assert_int_equal(r.verdict, XD_ROUTE_UNREACHABLE);
	assert_ptr_equal(r.rule, ru);
	struct xd_rule *g = rule_add(s, AF_INET, 50, XD_FR_ACT_GOTO, 0);
	g->goto_target = 150;
	rule_add(s, AF_INET, 150, XD_FR_ACT_NOP, 0);
	rule_add(s, AF_INET, 160, XD_FR_ACT_TO_TBL, 100);
	assert_int_equal(xd_route_lookup(s, &q, &r), 0);
	assert_int_equal(r.verdict, XD_ROUTE_FOUND);
	assert_int_equal(r.oif, 3);
	assert_int_equal(r.table, 100);
	/* a goto to a missing priority is unresolved: the walk just goes on */
	g->goto_target = 151;
	assert_int_equal(xd_route_lookup(s, &q, &r), 0);
	assert_int_equal(r.verdict, XD_ROUTE_UNREACHABLE);
	ru->action = XD_FR_ACT_BLACKHOLE;
	assert_int_equal(xd_route_lookup(s, &q, &r), 0);
	assert_int_equal(r.verdict, XD_ROUTE_BLACKHOLE);
	ru->action = XD_FR_ACT_PROHIBIT;
	assert_int_equal(xd_route_lookup(s, &q, &r), 0);
	assert_int_equal(r.verdict, XD_ROUTE_PROHIBIT);
	xd_snapshot_free(s);
}

static void test_throw(void **st)
{
	struct xd_snapshot *s = gateway();
	struct xd_route_result r;

	rule_add(s, AF_INET, 100, XD_FR_ACT_TO_TBL, 100);
	route_add(s, AF_INET, "0.0.0.0", 0, 100, 3, XD_RTN_UNICAST);
	route_add(s, AF_INET, "198.51.100.0", 24, 100, 0, XD_RTN_THROW);
	r = look(s, AF_INET, NULL, "198.51.100.7");
	assert_int_equal(r.oif, 2); /* thrown back: main's default */
	r = look(s, AF_INET, NULL, "203.0.113.1");
	assert_int_equal(r.oif, 3);
	xd_snapshot_free(s);
}

static void test_ipv6(void **st)
{
	struct xd_snapshot *s = snap();
	struct xd_route *rt;
	struct xd_route_result r;

	link_add(s, 1, "lo");
	link_add(s, 2, "eth0");
	link_add(s, 5, "wan");
	xd_snapshot_sort(s);
	default_rules(s, AF_INET6);
	default_rules(s, AF_INET); /* the other family's rules are not used */
	route_add(s, AF_INET6, "2001:db8::1", 128, XD_RT_TABLE_LOCAL, 2, XD_RTN_LOCAL);
	route_add(s, AF_INET6, "2001:db8::", 64, XD_RT_TABLE_MAIN, 2, XD_RTN_UNICAST)->priority = 256;
	rt = route_add(s, AF_INET6, "::", 0, XD_RT_TABLE_MAIN, 5, XD_RTN_UNICAST);
	rt->has_gateway = true;
	rt->gateway = A("fe80::1");
	rt->priority = 1024;
	rt->nexthops = 2;
	route_add(s, AF_INET6, "2001:db8:0:0:8000::", 65, XD_RT_TABLE_MAIN, 5, XD_RTN_UNICAST);

	r = look(s, AF_INET6, "2001:db8::1", "2001:db8::2");
	assert_int_equal(r.verdict, XD_ROUTE_FOUND);
	assert_string_equal(xd_route_result_oif_name(s, &r), "eth0");
	r = look(s, AF_INET6, "2001:db8::1", "2001:db8::8000:0:0:2"); /* the /65 half */
	assert_string_equal(xd_route_result_oif_name(s, &r), "wan");
	r = look(s, AF_INET6, "2001:db8::1", "2001:db8:1::2");
	assert_string_equal(xd_route_result_oif_name(s, &r), "wan");
	assert_true(r.multipath);
	assert_true(r.has_gateway);
	assert_non_null(strstr(r.reason, "first nexthop"));
	r = look(s, AF_INET6, NULL, "2001:db8::1");
	assert_int_equal(r.route->type, XD_RTN_LOCAL);

	/* a nexthop object is not modelled */
	rt->nhid = 7;
	r = look(s, AF_INET6, "2001:db8::1", "2001:db8:1::2");
	assert_int_equal(r.verdict, XD_ROUTE_UNDECIDABLE);
	assert_non_null(strstr(r.reason, "nexthop object"));
	xd_snapshot_free(s);
}

static void test_not_collected(void **st)
{
	struct xd_snapshot *s = gateway();
	struct xd_route_result r;
	struct xd_route_query q = { .family = 7 };

	assert_int_equal(xd_route_lookup(s, &q, &r), -EINVAL);
	s->meta.dump_status[XD_DUMP_RTNL_RULE] = XD_DUMP_INTERRUPTED;
	r = look(s, AF_INET, NULL, "192.0.2.2");
	assert_int_equal(r.verdict, XD_ROUTE_UNDECIDABLE);
	assert_false(xd_routes_collected(s));
	xd_snapshot_free(s);
}

/* disable_policy/disable_xfrm per interface, from the collected sysctls (VLAN names have dots) */
static void test_iface_knobs(void **st)
{
	struct xd_snapshot *s = NULL;
	static const char sysctls[] = "net.ipv4.conf.vti0.disable_policy=1\n"
				      "net.ipv4.conf.vti0.disable_xfrm=0\n"
				      "net.ipv4.conf.eth0.100.disable_xfrm=1\n"
				      "net.ipv6.conf.vti0.disable_policy=0\n";

	assert_int_equal(xd_snapshot_new(&s), 0);
	assert_int_equal(xd_iface_disable_policy(s, AF_INET, "vti0"), -1); /* nothing collected */
	assert_int_equal(xd_decode_sysctl(s, sysctls, sizeof(sysctls) - 1), 0);
	xd_snapshot_sort(s);
	assert_int_equal(xd_iface_disable_policy(s, AF_INET, "vti0"), 1);
	assert_int_equal(xd_iface_disable_xfrm(s, AF_INET, "vti0"), 0);
	assert_int_equal(xd_iface_disable_xfrm(s, AF_INET, "eth0.100"), 1);
	assert_int_equal(xd_iface_disable_policy(s, AF_INET, "eth0.100"), -1);
	assert_int_equal(xd_iface_disable_policy(s, AF_INET6, "vti0"), 0);
	assert_int_equal(xd_iface_disable_xfrm(s, AF_INET6, "vti0"), -1); /* IPv6 has none */
	assert_int_equal(xd_iface_disable_policy(s, AF_INET, "ipsec0"), -1);
	xd_snapshot_free(s);
}

static void test_names(void **st)
{
	assert_string_equal(xd_route_type_name(XD_RTN_BLACKHOLE), "blackhole");
	assert_null(xd_route_type_name(200));
	assert_string_equal(xd_route_table_name(254), "main");
	assert_null(xd_route_table_name(220));
	assert_string_equal(xd_route_protocol_name(2), "kernel");
	assert_string_equal(xd_route_scope_name(253), "link");
	assert_string_equal(xd_rule_action_name(XD_FR_ACT_TO_TBL), "lookup");
	assert_string_equal(xd_route_verdict_name(XD_ROUTE_NONE), "none");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_connected_and_default),
		cmocka_unit_test(test_metric_and_dead),
		cmocka_unit_test(test_no_route_and_types),
		cmocka_unit_test(test_policy_rules),
		cmocka_unit_test(test_selectors_and_actions),
		cmocka_unit_test(test_throw),
		cmocka_unit_test(test_ipv6),
		cmocka_unit_test(test_not_collected),
		cmocka_unit_test(test_iface_knobs),
		cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
