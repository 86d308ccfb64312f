/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-fw-eval.c: the firewall evaluator on hand-built rule sets: jump/goto/return, sets,
 * intervals, verdict maps, interface-name prefixes, `th dport` on ESP reading SPI bytes,
 * equal-priority chains across tables, the jump stack bound, and forks on undecidable rules.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "fw-builder.h"
#include "xfrmd/fw.h"

#define IP4 XD_NFPROTO_IPV4
#define INET XD_NFPROTO_INET
#define META_L4PROTO 16
#define META_IIFNAME 6
#define NET 1
#define TH 2

static struct xd_fw_packet pkt(uint8_t proto, const char *src)
{
	struct xd_fw_packet p = { .family = IP4, .l4proto = proto, .ct = XD_FW_CT_NEW };
	unsigned a, b, c, d;

	sscanf(src, "%u.%u.%u.%u", &a, &b, &c, &d);
	p.src[0] = (uint8_t)a, p.src[1] = (uint8_t)b, p.src[2] = (uint8_t)c, p.src[3] = (uint8_t)d;
	p.dst[0] = 192, p.dst[1] = 0, p.dst[2] = 2, p.dst[3] = 1;
	return p;
}

static enum xd_fw_verdict eval_input(struct xd_fw *fw, const struct xd_fw_packet *p,
				     struct xd_fw_result *r)
{
	uint8_t hooks[1] = { XD_HOOK_INPUT };

	fwb_finish(fw);
	assert_int_equal(xd_fw_eval(fw, p, hooks, 1, r), 0);
	return r->verdict;
}

/* "meta l4proto P" */
static void l4(struct xd_fw *fw, uint8_t proto)
{
	fwb_meta(fw, META_L4PROTO, 1);
	fwb_cmp_u8(fw, 1, proto);
}

static void test_eval_jump_return(void **st)
{
	struct xd_fw *fw = fwb_new();
	struct xd_fw_result r;

	fwb_chain(fw, INET, "t", "in", XD_HOOK_INPUT, 0, XD_NF_ACCEPT);
	fwb_chain(fw, INET, "t", "u", -1, 0, 0);
	fwb_rule(fw, INET, "t", "in", 1);
	fwb_verdict(fw, XD_NFT_JUMP, "u");
	fwb_rule(fw, INET, "t", "in", 2);
	fwb_verdict(fw, XD_NF_DROP, NULL);
	fwb_rule(fw, INET, "t", "u", 3);
	l4(fw, 50);
	fwb_verdict(fw, XD_NF_ACCEPT, NULL);
	fwb_rule(fw, INET, "t", "u", 4);
	fwb_verdict(fw, XD_NFT_RETURN, NULL);

	struct xd_fw_packet esp = pkt(50, "198.51.100.7"), udp = pkt(17, "198.51.100.7");
	assert_int_equal(eval_input(fw, &esp, &r), XD_FW_ACCEPT);
	assert_int_equal(r.decider.handle, 3);
	/* return goes back after the jump: the drop rule decides */
	assert_int_equal(eval_input(fw, &udp, &r), XD_FW_DROP);
	assert_int_equal(r.decider.handle, 2);
	fwb_free(fw);
}

static void test_eval_goto_does_not_return(void **st)
{
	struct xd_fw *fw = fwb_new();
	struct xd_fw_result r;

	fwb_chain(fw, INET, "t", "in", XD_HOOK_INPUT, 0, XD_NF_ACCEPT);
	fwb_chain(fw, INET, "t", "u", -1, 0, 0);
	fwb_rule(fw, INET, "t", "in", 1);
	fwb_verdict(fw, XD_NFT_GOTO, "u");
	fwb_rule(fw, INET, "t", "in", 2);
	fwb_verdict(fw, XD_NF_DROP, NULL);
	fwb_rule(fw, INET, "t", "u", 3);
	fwb_simple(fw, XD_FWX_COUNTER);

	struct xd_fw_packet udp = pkt(17, "198.51.100.7");
	/* falling off a goto'd chain applies the base chain's policy */
	assert_int_equal(eval_input(fw, &udp, &r), XD_FW_ACCEPT);
	assert_int_equal(r.decider.rule, UINT32_MAX);
	fwb_free(fw);
}

static void test_eval_interval_set(void **st)
{
	static const uint8_t zero[4] = { 0 }, s1[4] = { 10, 0, 0, 0 }, e1[4] = { 11, 0, 0, 0 },
			     s2[4] = { 198, 51, 100, 7 }, e2[4] = { 198, 51, 100, 8 };
	struct xd_fw *fw = fwb_new();
	struct xd_fw_result r;

	fwb_set(fw, INET, "t", "peers", 0x4, 4);
	fwb_elem(fw, INET, "t", "peers", zero, 4, 1);
	fwb_elem(fw, INET, "t", "peers", s1, 4, 0);
	fwb_elem(fw, INET, "t", "peers", e1, 4, 1);
	fwb_elem(fw, INET, "t", "peers", s2, 4, 0);
	fwb_elem(fw, INET, "t", "peers", e2, 4, 1);
	fwb_chain(fw, INET, "t", "in", XD_HOOK_INPUT, 0, XD_NF_DROP);
	fwb_rule(fw, INET, "t", "in", 7);
	fwb_payload(fw, NET, 12, 4, 1);
	fwb_lookup(fw, "peers", 1, UINT32_MAX, 0);
	fwb_verdict(fw, XD_NF_ACCEPT, NULL);

	struct xd_fw_packet in1 = pkt(50, "10.200.3.4"), in2 = pkt(50, "198.51.100.7"),
			    out1 = pkt(50, "11.0.0.0"), out2 = pkt(50, "198.51.100.8"),
			    out3 = pkt(50, "9.255.255.255");
	assert_int_equal(eval_input(fw, &in1, &r), XD_FW_ACCEPT);
	assert_int_equal(eval_input(fw, &in2, &r), XD_FW_ACCEPT);
	assert_int_equal(eval_input(fw, &out1, &r), XD_FW_DROP); /* end is exclusive */
	assert_int_equal(eval_input(fw, &out2, &r), XD_FW_DROP);
	assert_int_equal(eval_input(fw, &out3, &r), XD_FW_DROP);
	fwb_free(fw);
}

static void test_eval_vmap(void **st)
{
	static const uint8_t k500[2] = { 0x01, 0xf4 }, k4500[2] = { 0x11, 0x94 };
	struct xd_fw *fw = fwb_new();
	struct xd_fw_result r;

	fwb_set(fw, INET, "t", "m", 0x8, 2);
	fwb_velem(fw, INET, "t", "m", k500, 2, XD_NF_ACCEPT, NULL);
	fwb_velem(fw, INET, "t", "m", k4500, 2, XD_NFT_JUMP, "c");
	fwb_chain(fw, INET, "t", "in", XD_HOOK_INPUT, 0, XD_NF_ACCEPT);
	fwb_chain(fw, INET, "t", "c", -1, 0, 0);
	fwb_rule(fw, INET, "t", "in", 1);
	l4(fw, 17);
	fwb_payload(fw, TH, 2, 2, 1);
	fwb_lookup(fw, "m", 1, 0, 0);
	fwb_rule(fw, INET, "t", "c", 2);
	fwb_verdict(fw, XD_NF_DROP, NULL);

	struct xd_fw_packet p = pkt(17, "198.51.100.7");
	p.has_sport = p.has_dport = true;
	p.sport = 4500;
	p.dport = 4500;
	assert_int_equal(eval_input(fw, &p, &r), XD_FW_DROP);
	assert_int_equal(r.decider.handle, 2);
	p.dport = 500;
	assert_int_equal(eval_input(fw, &p, &r), XD_FW_ACCEPT);
	assert_int_equal(r.decider.handle, 1);
	p.dport = 53; /* vmap miss: the rule breaks, the policy accepts */
	assert_int_equal(eval_input(fw, &p, &r), XD_FW_ACCEPT);
	p.has_dport = false; /* unknown key: which element applies is unknown */
	assert_int_equal(eval_input(fw, &p, &r), XD_FW_UNDECIDABLE);
	fwb_free(fw);
}

static void test_eval_iifname_prefix(void **st)
{
	struct xd_fw *fw = fwb_new();
	struct xd_fw_result r;

	fwb_chain(fw, INET, "t", "in", XD_HOOK_INPUT, 0, XD_NF_ACCEPT);
	fwb_rule(fw, INET, "t", "in", 1);
	fwb_meta(fw, META_IIFNAME, 1);
	fwb_cmp(fw, 1, 0, "eth", 3); /* iifname "eth*" */
	fwb_verdict(fw, XD_NF_DROP, NULL);

	struct xd_fw_packet p = pkt(50, "198.51.100.7");
	strcpy(p.iif, "eth0");
	assert_int_equal(eval_input(fw, &p, &r), XD_FW_DROP);
	strcpy(p.iif, "veth0");
	assert_int_equal(eval_input(fw, &p, &r), XD_FW_ACCEPT);
	p.iif[0] = '\0';
	assert_int_equal(eval_input(fw, &p, &r), XD_FW_UNDECIDABLE);
	assert_non_null(strstr(r.reason, "interface"));
	fwb_free(fw);
}

static void test_eval_iif_lo_decided_for_remote_peers(void **st)
{
	uint32_t one = 1;
	struct xd_fw *fw = fwb_new();
	struct xd_fw_result r;

	/* iif lo accept; policy drop */
	fwb_chain(fw, INET, "t", "in", XD_HOOK_INPUT, 0, XD_NF_DROP);
	fwb_rule(fw, INET, "t", "in", 1);
	fwb_meta(fw, 4, 1);
	fwb_cmp(fw, 1, 0, &one, 4);
	fwb_verdict(fw, XD_NF_ACCEPT, NULL);

	struct xd_fw_packet p = pkt(50, "198.51.100.7");
	assert_int_equal(eval_input(fw, &p, &r), XD_FW_UNDECIDABLE); /* could be lo */
	p.iif_not_lo = true;
	assert_int_equal(eval_input(fw, &p, &r), XD_FW_DROP);
	assert_int_equal(r.decider.rule, UINT32_MAX); /* the policy decided */
	p.iif_not_lo = false;
	strcpy(p.iif, "lo");
	assert_int_equal(eval_input(fw, &p, &r), XD_FW_ACCEPT);
	fwb_free(fw);
}

static void test_eval_th_dport_on_esp_reads_spi(void **st)
{
	struct xd_fw *fw = fwb_new();
	struct xd_fw_result r;

	fwb_chain(fw, INET, "t", "in", XD_HOOK_INPUT, 0, XD_NF_ACCEPT);
	fwb_rule(fw, INET, "t", "in", 1);
	fwb_payload(fw, TH, 2, 2, 1); /* th dport */
	fwb_cmp_be16(fw, 1, 500);
	fwb_verdict(fw, XD_NF_DROP, NULL);

	struct xd_fw_packet p = pkt(50, "198.51.100.7");
	p.has_spi = true;
	p.spi = 0x000001f4; /* SPI bytes 2-3 are 0x01f4 = 500 */
	assert_int_equal(eval_input(fw, &p, &r), XD_FW_DROP);
	p.spi = 0x01f40000;
	assert_int_equal(eval_input(fw, &p, &r), XD_FW_ACCEPT);
	p.has_spi = false;
	assert_int_equal(eval_input(fw, &p, &r), XD_FW_UNDECIDABLE);
	fwb_free(fw);
}

static void test_eval_equal_priorities_need_all(void **st)
{
	struct xd_fw *fw = fwb_new();
	struct xd_fw_result r;

	fwb_chain(fw, INET, "a", "in", XD_HOOK_INPUT, 0, XD_NF_ACCEPT);
	fwb_chain(fw, IP4, "b", "in", XD_HOOK_INPUT, 0, XD_NF_ACCEPT);
	fwb_rule(fw, INET, "a", "in", 1);
	l4(fw, 50);
	fwb_verdict(fw, XD_NF_ACCEPT, NULL);
	fwb_rule(fw, IP4, "b", "in", 2);
	l4(fw, 50);
	fwb_verdict(fw, XD_NF_DROP, NULL);

	struct xd_fw_packet p = pkt(50, "198.51.100.7");
	/* an accept in one table does not override a drop in another */
	assert_int_equal(eval_input(fw, &p, &r), XD_FW_DROP);
	assert_string_equal(r.decider.table, "b");
	struct xd_fw_packet ah = pkt(51, "198.51.100.7");
	assert_int_equal(eval_input(fw, &ah, &r), XD_FW_ACCEPT);
	/* an IPv6 packet does not see the ip table */
	struct xd_fw_packet v6 = { .family = XD_NFPROTO_IPV6, .l4proto = 50, .ct = XD_FW_CT_NEW };
	assert_int_equal(eval_input(fw, &v6, &r), XD_FW_ACCEPT);
	fwb_free(fw);
}

static void test_eval_jump_loop_is_undecidable(void **st)
{
	struct xd_fw *fw = fwb_new();
	struct xd_fw_result r;

	fwb_chain(fw, INET, "t", "in", XD_HOOK_INPUT, 0, XD_NF_ACCEPT);
	fwb_chain(fw, INET, "t", "u", -1, 0, 0);
	fwb_rule(fw, INET, "t", "in", 1);
	fwb_verdict(fw, XD_NFT_JUMP, "u");
	fwb_rule(fw, INET, "t", "u", 2);
	fwb_verdict(fw, XD_NFT_JUMP, "u");

	struct xd_fw_packet p = pkt(50, "198.51.100.7");
	assert_int_equal(eval_input(fw, &p, &r), XD_FW_UNDECIDABLE);
	assert_non_null(strstr(r.reason, "stack"));
	fwb_free(fw);
}

static void test_eval_limit_forks(void **st)
{
	struct xd_fw *fw = fwb_new();
	struct xd_fw_result r;

	/* "limit rate 10/second accept" then policy accept: accepted either way */
	fwb_chain(fw, INET, "t", "in", XD_HOOK_INPUT, 0, XD_NF_ACCEPT);
	fwb_rule(fw, INET, "t", "in", 1);
	fwb_simple(fw, XD_FWX_LIMIT);
	fwb_verdict(fw, XD_NF_ACCEPT, NULL);
	struct xd_fw_packet p = pkt(50, "198.51.100.7");
	assert_int_equal(eval_input(fw, &p, &r), XD_FW_ACCEPT);
	fwb_free(fw);

	/* "limit ... accept" then policy drop: depends on the rate */
	fw = fwb_new();
	fwb_chain(fw, INET, "t", "in", XD_HOOK_INPUT, 0, XD_NF_DROP);
	fwb_rule(fw, INET, "t", "in", 1);
	fwb_simple(fw, XD_FWX_LIMIT);
	fwb_verdict(fw, XD_NF_ACCEPT, NULL);
	assert_int_equal(eval_input(fw, &p, &r), XD_FW_UNDECIDABLE);
	assert_int_equal(r.decider.handle, 1);
	fwb_free(fw);
}

static void test_eval_ct_state_and_opaque(void **st)
{
	static const uint8_t mask[4] = { 0x06, 0, 0, 0 }, zero[4] = { 0 };
	struct xd_fw *fw = fwb_new();
	struct xd_fw_result r;

	fwb_chain(fw, INET, "t", "in", XD_HOOK_INPUT, 0, XD_NF_DROP);
	fwb_rule(fw, INET, "t", "in", 1); /* ct state established,related accept */
	fwb_ct_state(fw, 1);
	fwb_bitwise(fw, 1, 1, mask, 4);
	fwb_cmp(fw, 1, 1, zero, 4);
	fwb_verdict(fw, XD_NF_ACCEPT, NULL);
	struct xd_fw_packet p = pkt(50, "198.51.100.7");
	assert_int_equal(eval_input(fw, &p, &r), XD_FW_DROP);
	p.ct = XD_FW_CT_ESTABLISHED;
	assert_int_equal(eval_input(fw, &p, &r), XD_FW_ACCEPT);

	/* an expression nobody knows, before the policy, makes a new packet undecidable */
	fwb_rule(fw, INET, "t", "in", 2);
	fwb_simple(fw, XD_FWX_OPAQUE);
	p.ct = XD_FW_CT_NEW;
	assert_int_equal(eval_input(fw, &p, &r), XD_FW_UNDECIDABLE);
	assert_int_equal(r.decider.handle, 2);
	fwb_free(fw);
}

static void test_eval_nat_needs_conntrack_and_ports(void **st)
{
	struct xd_fw *fw = fwb_new();
	struct xd_fw_result r;
	uint8_t hooks[1] = { XD_HOOK_POSTROUTING };

	fwb_chain(fw, XD_NFPROTO_IPV4, "nat", "post", XD_HOOK_POSTROUTING, 100, XD_NF_DROP);
	((struct xd_fw_chain *)xd_vec_at(&fw->chains, 0))->type = "nat";
	fwb_rule(fw, XD_NFPROTO_IPV4, "nat", "post", 4);
	fwb_simple(fw, XD_FWX_NAT); /* masquerade: also turns conntrack on */
	fwb_finish(fw);

	struct xd_fw_packet tcp = pkt(6, "10.1.0.5");
	tcp.has_sport = tcp.has_dport = true;
	tcp.dport = 443;
	assert_int_equal(xd_fw_eval(fw, &tcp, hooks, 1, &r), 0);
	assert_int_equal(r.verdict, XD_FW_ACCEPT);
	assert_true(r.nat);
	assert_int_equal(r.nat_rule.handle, 4);
	/* ESP has no ports to remap: a clash with another flow drops it */
	struct xd_fw_packet esp = pkt(50, "10.1.0.5");
	assert_int_equal(xd_fw_eval(fw, &esp, hooks, 1, &r), 0);
	assert_int_equal(r.verdict, XD_FW_UNDECIDABLE);
	assert_non_null(strstr(r.reason, "conntrack clash"));
	/* masquerade to the address it already has (the interface's only one): nothing is
	 * rewritten, nothing can clash (issue 22: firewalld's external zone, the gateway's own
	 * ESP); a plain SNAT stays undecidable */
	esp.masq_keeps_src = true;
	assert_int_equal(xd_fw_eval(fw, &esp, hooks, 1, &r), 0);
	assert_int_equal(r.verdict, XD_FW_ACCEPT);
	struct xd_fw_expr *nat = xd_vec_at(&fw->exprs, fw->exprs.len - 1);
	nat->text = "snat";
	assert_int_equal(xd_fw_eval(fw, &esp, hooks, 1, &r), 0);
	assert_int_equal(r.verdict, XD_FW_UNDECIDABLE);
	nat->text = "masquerade";
	esp.masq_keeps_src = false;
	assert_int_equal(xd_fw_eval(fw, &esp, hooks, 1, &r), 0);
	assert_int_equal(r.verdict, XD_FW_UNDECIDABLE);
	/* established packets never see nat chains */
	esp.ct = XD_FW_CT_ESTABLISHED;
	assert_int_equal(xd_fw_eval(fw, &esp, hooks, 1, &r), 0);
	assert_int_equal(r.verdict, XD_FW_ACCEPT);
	fwb_free(fw);

	/* later chains of the hook see the rewritten packet; one without rules gives its
	 * policy whatever the rewrite (issue 22: empty legacy tables behind iptables-nft) */
	fw = fwb_new();
	fwb_chain(fw, XD_NFPROTO_IPV4, "nat", "post", XD_HOOK_POSTROUTING, 100, XD_NF_ACCEPT);
	((struct xd_fw_chain *)xd_vec_at(&fw->chains, 0))->type = "nat";
	fwb_chain(fw, XD_NFPROTO_IPV4, "later", "post", XD_HOOK_POSTROUTING, 200, XD_NF_ACCEPT);
	fwb_rule(fw, XD_NFPROTO_IPV4, "nat", "post", 4);
	fwb_simple(fw, XD_FWX_NAT);
	fwb_finish(fw);
	assert_int_equal(xd_fw_eval(fw, &tcp, hooks, 1, &r), 0);
	assert_int_equal(r.verdict, XD_FW_ACCEPT);
	((struct xd_fw_chain *)xd_vec_at(&fw->chains, 1))->policy = XD_NF_DROP;
	assert_int_equal(xd_fw_eval(fw, &tcp, hooks, 1, &r), 0);
	assert_int_equal(r.verdict, XD_FW_DROP);
	fwb_free(fw);

	/* a nat chain whose drop would decide, with nothing that turns conntrack on */
	fw = fwb_new();
	fwb_chain(fw, XD_NFPROTO_IPV4, "nat", "post", XD_HOOK_POSTROUTING, 100, XD_NF_DROP);
	((struct xd_fw_chain *)xd_vec_at(&fw->chains, 0))->type = "nat";
	fwb_finish(fw);
	assert_int_equal(xd_fw_eval(fw, &tcp, hooks, 1, &r), 0);
	assert_int_equal(r.verdict, XD_FW_UNDECIDABLE);
	fwb_free(fw);
}

/*
 * Issue 16: rule sets of ordinary size must not exhaust the C stack. The evaluator used to
 * recurse once per matching non-terminal rule (100,000 `counter` rules), once per goto
 * (a goto loop ran to the step budget) and once per undecided rule (thousands of forks).
 */
#define MANY_RULES 100000

static void set_backend(struct xd_fw *fw, uint8_t backend)
{
	for (size_t i = 0; i < fw->chains.len; i++)
		((struct xd_fw_chain *)xd_vec_at(&fw->chains, i))->backend = backend;
	for (size_t i = 0; i < fw->rules.len; i++)
		((struct xd_fw_rule *)xd_vec_at(&fw->rules, i))->backend = backend;
}

static void test_eval_100k_counter_rules(void **st)
{
	struct xd_fw *fw = fwb_new();
	struct xd_fw_result r;

	/* in: 100,000 x "counter"; "meta l4proto esp accept"; policy drop */
	fwb_chain(fw, INET, "t", "in", XD_HOOK_INPUT, 0, XD_NF_DROP);
	for (uint64_t h = 1; h <= MANY_RULES; h++) {
		fwb_rule(fw, INET, "t", "in", h);
		fwb_simple(fw, XD_FWX_COUNTER);
	}
	fwb_rule(fw, INET, "t", "in", MANY_RULES + 1);
	l4(fw, 50);
	fwb_verdict(fw, XD_NF_ACCEPT, NULL);

	struct xd_fw_packet esp = pkt(50, "198.51.100.7"), udp = pkt(17, "198.51.100.7");
	assert_int_equal(eval_input(fw, &esp, &r), XD_FW_ACCEPT);
	assert_int_equal(r.decider.handle, MANY_RULES + 1);
	assert_int_equal(r.steps, MANY_RULES + 1);
	assert_int_equal(eval_input(fw, &udp, &r), XD_FW_DROP);
	assert_int_equal(r.decider.rule, UINT32_MAX); /* the policy */
	fwb_free(fw);

	/* the same rules in a jumped-to chain, then a return to the base chain */
	fw = fwb_new();
	fwb_chain(fw, INET, "t", "in", XD_HOOK_INPUT, 0, XD_NF_DROP);
	fwb_chain(fw, INET, "t", "u", -1, 0, 0);
	fwb_rule(fw, INET, "t", "in", 1);
	fwb_verdict(fw, XD_NFT_JUMP, "u");
	fwb_rule(fw, INET, "t", "in", 2);
	l4(fw, 50);
	fwb_verdict(fw, XD_NF_ACCEPT, NULL);
	for (uint64_t h = 3; h < MANY_RULES + 3; h++) {
		fwb_rule(fw, INET, "t", "u", h);
		fwb_simple(fw, XD_FWX_COUNTER);
	}
	assert_int_equal(eval_input(fw, &esp, &r), XD_FW_ACCEPT);
	assert_int_equal(r.decider.handle, 2);
	/* and as iptables-legacy rules (no rule head: every rule matches) */
	set_backend(fw, XD_FW_LEGACY);
	fw->indexed = false;
	assert_int_equal(eval_input(fw, &esp, &r), XD_FW_ACCEPT);
	assert_int_equal(r.decider.handle, 2);
	assert_int_equal(eval_input(fw, &udp, &r), XD_FW_DROP);
	fwb_free(fw);
}

/* base chain "in" jumps to c1, c1 to c2, ... c<depth> accepts; policy drop */
static struct xd_fw *nested_jumps(unsigned depth, uint8_t backend)
{
	static char names[1001][8];
	struct xd_fw *fw = fwb_new();

	assert_true(depth >= 1 && depth <= 1000);
	fwb_chain(fw, INET, "t", "in", XD_HOOK_INPUT, 0, XD_NF_DROP);
	for (unsigned i = 1; i <= depth; i++) {
		snprintf(names[i], sizeof(names[i]), "c%u", i);
		fwb_chain(fw, INET, "t", names[i], -1, 0, 0);
	}
	fwb_rule(fw, INET, "t", "in", 1);
	fwb_verdict(fw, XD_NFT_JUMP, names[1]);
	for (unsigned i = 1; i <= depth; i++) {
		fwb_rule(fw, INET, "t", names[i], 2 * i);
		fwb_simple(fw, XD_FWX_COUNTER);
		fwb_rule(fw, INET, "t", names[i], 2 * i + 1);
		if (i < depth)
			fwb_verdict(fw, XD_NFT_JUMP, names[i + 1]);
		else
			fwb_verdict(fw, XD_NF_ACCEPT, NULL);
	}
	set_backend(fw, backend);
	return fw;
}

static void test_eval_deepest_jump_chains(void **st)
{
	struct xd_fw_packet p = pkt(50, "198.51.100.7");
	struct xd_fw_result r;
	struct xd_fw *fw;

	/* nf_tables: the kernel refuses to load a 16th nested jump (nft_chain_validate: level
	 * == NFT_JUMP_STACK_SIZE gives EMLINK, "Too many links"), so 15 is the deepest real
	 * rule set; nft_do_chain's stack holds 16, and deeper (a crafted snapshot) cannot be
	 * decided */
	fw = nested_jumps(15, XD_FW_NFT);
	assert_int_equal(eval_input(fw, &p, &r), XD_FW_ACCEPT);
	assert_string_equal(r.decider.chain, "c15");
	fwb_free(fw);
	fw = nested_jumps(16, XD_FW_NFT);
	assert_int_equal(eval_input(fw, &p, &r), XD_FW_ACCEPT);
	fwb_free(fw);
	fw = nested_jumps(17, XD_FW_NFT);
	assert_int_equal(eval_input(fw, &p, &r), XD_FW_UNDECIDABLE);
	assert_non_null(strstr(r.reason, "stack"));
	fwb_free(fw);
	fw = nested_jumps(1000, XD_FW_NFT);
	assert_int_equal(eval_input(fw, &p, &r), XD_FW_UNDECIDABLE);
	fwb_free(fw);

	/* iptables-legacy: ipt_do_table's stack is as deep as the table has chains; ours is
	 * bounded, deeper is undecidable */
	fw = nested_jumps(64, XD_FW_LEGACY);
	assert_int_equal(eval_input(fw, &p, &r), XD_FW_ACCEPT);
	assert_string_equal(r.decider.chain, "c64");
	fwb_free(fw);
	fw = nested_jumps(1000, XD_FW_LEGACY);
	assert_int_equal(eval_input(fw, &p, &r), XD_FW_UNDECIDABLE);
	assert_non_null(strstr(r.reason, "stack"));
	fwb_free(fw);
}

static void test_eval_chain_loops_end(void **st)
{
	struct xd_fw_packet p = pkt(50, "198.51.100.7");
	struct xd_fw_result r;
	struct xd_fw *fw;

	/* the kernel rejects loops at load; a crafted snapshot may hold them. goto: no stack
	 * grows, the step budget ends it */
	for (int legacy = 0; legacy < 2; legacy++) {
		fw = fwb_new();
		fwb_chain(fw, INET, "t", "in", XD_HOOK_INPUT, 0, XD_NF_ACCEPT);
		fwb_chain(fw, INET, "t", "u", -1, 0, 0);
		fwb_rule(fw, INET, "t", "in", 1);
		fwb_verdict(fw, XD_NFT_GOTO, "u");
		fwb_rule(fw, INET, "t", "u", 2);
		fwb_simple(fw, XD_FWX_COUNTER);
		fwb_rule(fw, INET, "t", "u", 3);
		fwb_verdict(fw, XD_NFT_GOTO, "u");
		set_backend(fw, legacy ? XD_FW_LEGACY : XD_FW_NFT);
		assert_int_equal(eval_input(fw, &p, &r), XD_FW_UNDECIDABLE);
		assert_non_null(strstr(r.reason, "budget"));
		fwb_free(fw);
	}

	/* jump then goto back: the jump stack fills */
	fw = fwb_new();
	fwb_chain(fw, INET, "t", "in", XD_HOOK_INPUT, 0, XD_NF_ACCEPT);
	fwb_chain(fw, INET, "t", "u", -1, 0, 0);
	fwb_chain(fw, INET, "t", "v", -1, 0, 0);
	fwb_rule(fw, INET, "t", "in", 1);
	fwb_verdict(fw, XD_NFT_JUMP, "u");
	fwb_rule(fw, INET, "t", "u", 2);
	fwb_verdict(fw, XD_NFT_JUMP, "v");
	fwb_rule(fw, INET, "t", "v", 3);
	fwb_verdict(fw, XD_NFT_GOTO, "u");
	assert_int_equal(eval_input(fw, &p, &r), XD_FW_UNDECIDABLE);
	assert_non_null(strstr(r.reason, "stack"));
	fwb_free(fw);

	/* a loop through an undecided rule: every turn forks, the fork budget ends it */
	fw = fwb_new();
	fwb_chain(fw, INET, "t", "in", XD_HOOK_INPUT, 0, XD_NF_ACCEPT);
	fwb_chain(fw, INET, "t", "u", -1, 0, 0);
	fwb_rule(fw, INET, "t", "in", 1);
	fwb_verdict(fw, XD_NFT_GOTO, "u");
	fwb_rule(fw, INET, "t", "u", 2);
	fwb_simple(fw, XD_FWX_LIMIT);
	fwb_verdict(fw, XD_NF_ACCEPT, NULL);
	fwb_rule(fw, INET, "t", "u", 3);
	fwb_verdict(fw, XD_NFT_GOTO, "u");
	assert_int_equal(eval_input(fw, &p, &r), XD_FW_UNDECIDABLE);
	fwb_free(fw);
}

static void test_eval_many_undecided_rules(void **st)
{
	struct xd_fw_packet p = pkt(50, "198.51.100.7");
	struct xd_fw_result r;
	struct xd_fw *fw;

	/* 4,000 x "limit rate 10/second accept", policy accept: every outcome accepts, each
	 * rule's "did not match" branch holds the next rule's fork */
	fw = fwb_new();
	fwb_chain(fw, INET, "t", "in", XD_HOOK_INPUT, 0, XD_NF_ACCEPT);
	for (uint64_t h = 1; h <= 4000; h++) {
		fwb_rule(fw, INET, "t", "in", h);
		fwb_simple(fw, XD_FWX_LIMIT);
		fwb_verdict(fw, XD_NF_ACCEPT, NULL);
	}
	assert_int_equal(eval_input(fw, &p, &r), XD_FW_ACCEPT);
	/* past the fork budget: undecidable, not a guess */
	for (uint64_t h = 4001; h <= 5000; h++) {
		fwb_rule(fw, INET, "t", "in", h);
		fwb_simple(fw, XD_FWX_LIMIT);
		fwb_verdict(fw, XD_NF_ACCEPT, NULL);
	}
	assert_int_equal(eval_input(fw, &p, &r), XD_FW_UNDECIDABLE);
	assert_non_null(strstr(r.reason, "too many undecidable"));
	fwb_free(fw);

	/* the same in a jumped-to chain: every fork keeps the jump stack to resume with */
	fw = fwb_new();
	fwb_chain(fw, INET, "t", "in", XD_HOOK_INPUT, 0, XD_NF_DROP);
	fwb_chain(fw, INET, "t", "u", -1, 0, 0);
	fwb_rule(fw, INET, "t", "in", 1);
	fwb_verdict(fw, XD_NFT_JUMP, "u");
	fwb_rule(fw, INET, "t", "in", 2);
	fwb_verdict(fw, XD_NF_ACCEPT, NULL);
	for (uint64_t h = 3; h < 4003; h++) {
		fwb_rule(fw, INET, "t", "u", h);
		fwb_simple(fw, XD_FWX_LIMIT);
		fwb_verdict(fw, XD_NF_ACCEPT, NULL);
	}
	assert_int_equal(eval_input(fw, &p, &r), XD_FW_ACCEPT);
	assert_int_equal(r.decider.handle, 2);
	fwb_free(fw);
}

/*
 * The "did not match" branch of an undecided rule resumes with the jump stack as it was at
 * the rule, even after the "matched" branch returned below it and jumped elsewhere.
 */
static void test_eval_fork_keeps_jump_stack(void **st)
{
	struct xd_fw *fw = fwb_new();
	struct xd_fw_result r;

	fwb_chain(fw, INET, "t", "in", XD_HOOK_INPUT, 0, XD_NF_ACCEPT);
	fwb_chain(fw, INET, "t", "u", -1, 0, 0);
	fwb_chain(fw, INET, "t", "w", -1, 0, 0);
	fwb_chain(fw, INET, "t", "x", -1, 0, 0);
	fwb_rule(fw, INET, "t", "in", 1);
	fwb_verdict(fw, XD_NFT_JUMP, "u");
	fwb_rule(fw, INET, "t", "in", 2);
	fwb_verdict(fw, XD_NFT_JUMP, "x");
	fwb_rule(fw, INET, "t", "in", 3);
	fwb_verdict(fw, XD_NF_ACCEPT, NULL);
	fwb_rule(fw, INET, "t", "u", 4); /* "limit rate 10/second jump w" */
	fwb_simple(fw, XD_FWX_LIMIT);
	fwb_verdict(fw, XD_NFT_JUMP, "w");
	fwb_rule(fw, INET, "t", "u", 5);
	fwb_verdict(fw, XD_NFT_RETURN, NULL);
	fwb_rule(fw, INET, "t", "w", 6);
	fwb_verdict(fw, XD_NFT_RETURN, NULL);
	fwb_rule(fw, INET, "t", "x", 7);
	fwb_verdict(fw, XD_NF_DROP, NULL);

	struct xd_fw_packet p = pkt(50, "198.51.100.7");
	/* both branches return to "in" after rule 1 and are dropped in x */
	assert_int_equal(eval_input(fw, &p, &r), XD_FW_DROP);
	assert_int_equal(r.decider.handle, 7);
	fwb_free(fw);
}

/*
 * Docker publishing a port: "-t nat PREROUTING -m addrtype --dst-type LOCAL -j DOCKER",
 * DOCKER "-p tcp --dport 8080 -j DNAT --to-destination 10.98.0.2:80" (nft: "fib daddr type
 * local jump DOCKER", "tcp dport 8080 dnat to ..."). Whether the address is local is not
 * decided, but in the branch where it is the packet is rewritten and forwarded to the
 * container: the input chains' accept must not be the answer.
 */
static void docker_filter_and_check(struct xd_fw *fw, uint8_t backend)
{
	struct xd_fw_result r;
	uint8_t hooks[3];
	size_t nh = xd_fw_path(XD_FW_PATH_INPUT, hooks);

	fwb_chain(fw, IP4, "filter", "INPUT", XD_HOOK_INPUT, 0, XD_NF_ACCEPT);
	for (size_t i = 0; i < fw->chains.len; i++) {
		struct xd_fw_chain *ch = xd_vec_at(&fw->chains, i);
		ch->backend = backend;
		if (strcmp(ch->table, "nat") == 0 && ch->base)
			ch->type = "nat";
	}
	for (size_t i = 0; i < fw->rules.len; i++)
		((struct xd_fw_rule *)xd_vec_at(&fw->rules, i))->backend = backend;
	fwb_finish(fw);

	struct xd_fw_packet p = pkt(6, "198.51.100.7");
	p.has_sport = p.has_dport = true;
	p.sport = 40000;
	p.dport = 8080;
	assert_int_equal(xd_fw_eval(fw, &p, hooks, nh, &r), 0);
	assert_int_equal(r.verdict, XD_FW_UNDECIDABLE);
	assert_true(r.nat_possible);
	assert_int_equal(r.nat_possible_rule.handle, 2);
	assert_non_null(strstr(r.reason, "NAT"));
	assert_non_null(strstr(r.reason, "DOCKER"));
	assert_true(r.decider_set);
	assert_int_equal(r.decider.handle, 2); /* the DNAT rule, not the input policy */
	/* another port: no DNAT in either branch, the input chain decides */
	p.dport = 22;
	assert_int_equal(xd_fw_eval(fw, &p, hooks, nh, &r), 0);
	assert_int_equal(r.verdict, XD_FW_ACCEPT);
	assert_false(r.nat_possible);
	/* an established packet never sees the nat chains */
	p.dport = 8080;
	p.ct = XD_FW_CT_ESTABLISHED;
	assert_int_equal(xd_fw_eval(fw, &p, hooks, nh, &r), 0);
	assert_int_equal(r.verdict, XD_FW_ACCEPT);
	fwb_free(fw);
}

static void test_eval_docker_dnat_nft(void **st)
{
	struct xd_fw *fw = fwb_new();

	fwb_chain(fw, IP4, "nat", "PREROUTING", XD_HOOK_PREROUTING, -100, XD_NF_ACCEPT);
	fwb_chain(fw, IP4, "nat", "DOCKER", -1, 0, 0);
	fwb_rule(fw, IP4, "nat", "PREROUTING", 1);
	fwb_simple(fw, XD_FWX_FIB); /* fib daddr type local */
	fwb_cmp_u8(fw, 1, 2);
	fwb_verdict(fw, XD_NFT_JUMP, "DOCKER");
	fwb_rule(fw, IP4, "nat", "DOCKER", 2);
	l4(fw, 6);
	fwb_payload(fw, TH, 2, 2, 1);
	fwb_cmp_be16(fw, 1, 8080);
	fwb_simple(fw, XD_FWX_NAT);
	docker_filter_and_check(fw, XD_FW_NFT);
}

static void test_eval_docker_dnat_xt(void **st)
{
	struct xd_fw *fw = fwb_new();

	fwb_chain(fw, IP4, "nat", "PREROUTING", XD_HOOK_PREROUTING, -100, XD_NF_ACCEPT);
	fwb_chain(fw, IP4, "nat", "DOCKER", -1, 0, 0);
	fwb_rule(fw, IP4, "nat", "PREROUTING", 1);
	fwb_xt(fw, XD_FWX_MATCH, XD_XT_UNKNOWN, "addrtype", NULL);
	fwb_xt(fw, XD_FWX_TARGET, XD_XT_T_JUMP, "standard", "DOCKER");
	fwb_rule(fw, IP4, "nat", "DOCKER", 2);
	fwb_xt(fw, XD_FWX_MATCH, XD_XT_TCP, "tcp", NULL);
	struct xd_fw_expr *e = xd_vec_at(&fw->exprs, fw->exprs.len - 1);
	e->xt->sport[0] = 0, e->xt->sport[1] = 65535;
	e->xt->dport[0] = e->xt->dport[1] = 8080;
	fwb_xt(fw, XD_FWX_TARGET, XD_XT_T_NAT, "DNAT", NULL);
	docker_filter_and_check(fw, XD_FW_LEGACY);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_eval_jump_return),
		cmocka_unit_test(test_eval_goto_does_not_return),
		cmocka_unit_test(test_eval_interval_set),
		cmocka_unit_test(test_eval_vmap),
		cmocka_unit_test(test_eval_iifname_prefix),
		cmocka_unit_test(test_eval_iif_lo_decided_for_remote_peers),
		cmocka_unit_test(test_eval_th_dport_on_esp_reads_spi),
		cmocka_unit_test(test_eval_equal_priorities_need_all),
		cmocka_unit_test(test_eval_jump_loop_is_undecidable),
		cmocka_unit_test(test_eval_limit_forks),
		cmocka_unit_test(test_eval_ct_state_and_opaque),
		cmocka_unit_test(test_eval_nat_needs_conntrack_and_ports),
		cmocka_unit_test(test_eval_fork_keeps_jump_stack),
		cmocka_unit_test(test_eval_deepest_jump_chains),
		cmocka_unit_test(test_eval_chain_loops_end),
		cmocka_unit_test(test_eval_many_undecided_rules),
		cmocka_unit_test(test_eval_100k_counter_rules),
		cmocka_unit_test(test_eval_docker_dnat_nft),
		cmocka_unit_test(test_eval_docker_dnat_xt),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
