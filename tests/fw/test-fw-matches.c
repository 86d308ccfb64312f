/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-fw-matches.c: matches that real rule sets (firewalld, ufw, Docker, Shorewall) use and
 * whose answer follows from the packet description (issue 22): IPv6 extension headers
 * (nft exthdr, xt frag/rt/hbh/dst/ah), ct status, TCP flags, ICMP types, empty maps, CT
 * targets that only attach a helper, xt recent --set, and the names in reasons and traces.
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
#define IP6 XD_NFPROTO_IPV6
#define INET XD_NFPROTO_INET
#define META_L4PROTO 16
#define TH 2
#define CMP_NEQ 1

static struct xd_fw_packet pkt(uint8_t family, uint8_t proto)
{
	struct xd_fw_packet p = { .family = family, .l4proto = proto, .ct = XD_FW_CT_NEW,
				  .iif_not_lo = true };
	p.src[0] = 0x20, p.src[1] = 0x01, p.src[15] = 9;
	p.dst[0] = 0x20, p.dst[1] = 0x01, p.dst[15] = 1;
	if (family == IP4) {
		memcpy(p.src, (uint8_t[]){ 198, 51, 100, 7 }, 4);
		memcpy(p.dst, (uint8_t[]){ 192, 0, 2, 1 }, 4);
		memset(p.src + 4, 0, 12);
		memset(p.dst + 4, 0, 12);
	}
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

static struct xd_fw_expr *last(struct xd_fw *fw)
{
	return xd_vec_at(&fw->exprs, fw->exprs.len - 1);
}

static struct xd_xt *last_xt(struct xd_fw *fw)
{
	return last(fw)->xt;
}

/* exthdr TYPE [exists] into register 1 (op: NFT_EXTHDR_OP_*) */
static void exthdr(struct xd_fw *fw, uint8_t type, uint32_t op, bool exists, uint32_t off,
		   uint32_t len)
{
	fwb_simple(fw, XD_FWX_EXTHDR);
	struct xd_fw_expr *e = last(fw);
	e->key = type;
	e->op = op;
	e->flags = exists ? 1 : 0;
	e->offset = off;
	e->len = len;
	e->dreg = 1;
}

/* `exthdr frag exists drop`, `rt type 0 drop` (nft) and `tcp option maxseg exists drop`:
 * a described packet has no such header, so none of them drops it */
static void test_nft_exthdr_absent(void **st)
{
	struct xd_fw *fw = fwb_new();
	struct xd_fw_result r;

	fwb_chain(fw, INET, "t", "in", XD_HOOK_INPUT, 0, XD_NF_ACCEPT);
	fwb_rule(fw, INET, "t", "in", 1);
	fwb_meta(fw, 15, 1); /* meta nfproto ipv6: nft's dependency in an inet table */
	fwb_cmp_u8(fw, 1, IP6);
	exthdr(fw, 44, 0, true, 0, 1);
	fwb_cmp_u8(fw, 1, 1);
	fwb_verdict(fw, XD_NF_DROP, NULL);
	fwb_rule(fw, INET, "t", "in", 2);
	fwb_meta(fw, 15, 1);
	fwb_cmp_u8(fw, 1, IP6);
	exthdr(fw, 43, 0, false, 2, 1); /* rt type */
	fwb_cmp_u8(fw, 1, 0);
	fwb_verdict(fw, XD_NF_DROP, NULL);
	fwb_rule(fw, INET, "t", "in", 3);
	exthdr(fw, 2, 1, false, 2, 2); /* tcp option maxseg size: on a non-TCP packet */
	fwb_cmp_be16(fw, 1, 1400);
	fwb_verdict(fw, XD_NF_DROP, NULL);
	fwb_rule(fw, INET, "t", "in", 4);
	fwb_meta(fw, 15, 1);
	fwb_cmp_u8(fw, 1, IP4);
	exthdr(fw, 7, 2, true, 0, 1); /* ip option ra exists */
	fwb_cmp_u8(fw, 1, 1);
	fwb_verdict(fw, XD_NF_DROP, NULL);

	struct xd_fw_packet udp6 = pkt(IP6, 17), esp6 = pkt(IP6, 50), esp4 = pkt(IP4, 50);
	assert_int_equal(eval_input(fw, &udp6, &r), XD_FW_ACCEPT);
	assert_int_equal(eval_input(fw, &esp6, &r), XD_FW_ACCEPT);
	assert_int_equal(eval_input(fw, &esp4, &r), XD_FW_ACCEPT);
	/* IPv6 AH: the kernel walks past it; what follows is not described */
	struct xd_fw_packet ah6 = pkt(IP6, 51);
	assert_int_equal(eval_input(fw, &ah6, &r), XD_FW_UNDECIDABLE);
	fwb_free(fw);
}

/* nft `exthdr ah exists accept` on IPv6 AH: found, it is the first header */
static void test_nft_exthdr_ah_found(void **st)
{
	struct xd_fw *fw = fwb_new();
	struct xd_fw_result r;

	fwb_chain(fw, IP6, "t", "in", XD_HOOK_INPUT, 0, XD_NF_DROP);
	fwb_rule(fw, IP6, "t", "in", 1);
	exthdr(fw, 51, 0, true, 0, 1);
	fwb_cmp_u8(fw, 1, 1);
	fwb_verdict(fw, XD_NF_ACCEPT, NULL);

	struct xd_fw_packet ah6 = pkt(IP6, 51), esp6 = pkt(IP6, 50);
	assert_int_equal(eval_input(fw, &ah6, &r), XD_FW_ACCEPT);
	assert_int_equal(eval_input(fw, &esp6, &r), XD_FW_DROP);
	fwb_free(fw);
}

/* ip6tables -m frag --fraglast -j DROP, -m rt --rt-type 0 -j DROP, -m hbh, -m ah --ahspi */
static void test_xt_ipv6_headers(void **st)
{
	struct xd_fw *fw = fwb_new();
	struct xd_fw_result r;
	static const char *const names[] = { "frag", "rt", "hbh", "dst" };
	static const uint8_t nums[] = { 44, 43, 0, 60 };

	fwb_chain(fw, IP6, "filter", "INPUT", XD_HOOK_INPUT, 0, XD_NF_ACCEPT);
	for (int i = 0; i < 4; i++) {
		fwb_rule(fw, IP6, "filter", "INPUT", (uint64_t)i + 1);
		fwb_xt(fw, XD_FWX_MATCH, XD_XT_EXTHDR6, names[i], NULL);
		last_xt(fw)->exthdr = nums[i];
		last_xt(fw)->invflags = 1; /* inverted options: still false without the header */
		fwb_xt(fw, XD_FWX_TARGET, XD_XT_T_DROP, "DROP", NULL);
	}
	fwb_rule(fw, IP6, "filter", "INPUT", 9);
	fwb_xt(fw, XD_FWX_MATCH, XD_XT_AH, "ah", NULL);
	last_xt(fw)->spi[0] = 0x100, last_xt(fw)->spi[1] = 0x200;
	fwb_xt(fw, XD_FWX_TARGET, XD_XT_T_DROP, "DROP", NULL);

	struct xd_fw_packet udp6 = pkt(IP6, 17), ah6 = pkt(IP6, 51);
	assert_int_equal(eval_input(fw, &udp6, &r), XD_FW_ACCEPT);
	/* AH: the header rules are undecidable (what follows AH), the SPI one is not */
	assert_int_equal(eval_input(fw, &ah6, &r), XD_FW_UNDECIDABLE);
	fwb_free(fw);

	fw = fwb_new();
	fwb_chain(fw, IP6, "filter", "INPUT", XD_HOOK_INPUT, 0, XD_NF_ACCEPT);
	fwb_rule(fw, IP6, "filter", "INPUT", 9);
	fwb_xt(fw, XD_FWX_MATCH, XD_XT_AH, "ah", NULL);
	last_xt(fw)->spi[0] = 0x100, last_xt(fw)->spi[1] = 0x200;
	fwb_xt(fw, XD_FWX_TARGET, XD_XT_T_DROP, "DROP", NULL);
	ah6.has_spi = true;
	ah6.spi = 0x150;
	assert_int_equal(eval_input(fw, &ah6, &r), XD_FW_DROP);
	ah6.spi = 0x250;
	assert_int_equal(eval_input(fw, &ah6, &r), XD_FW_ACCEPT);
	assert_int_equal(eval_input(fw, &udp6, &r), XD_FW_ACCEPT);
	fwb_free(fw);
}

/* firewalld: `ct status dnat accept` before the zone dispatch, policy drop */
static void test_ct_status_dnat(void **st)
{
	static const uint32_t dnat = 0x20, zero = 0;
	struct xd_fw *fw = fwb_new();
	struct xd_fw_result r;
	char text[256];

	fwb_chain(fw, INET, "firewalld", "filter_INPUT", XD_HOOK_INPUT, 10, XD_NF_DROP);
	fwb_rule(fw, INET, "firewalld", "filter_INPUT", 1);
	fwb_ct_state(fw, 1);
	last(fw)->key = 2; /* status */
	fwb_bitwise(fw, 1, 1, &dnat, 4);
	fwb_cmp(fw, 1, CMP_NEQ, &zero, 4);
	fwb_verdict(fw, XD_NF_ACCEPT, NULL);

	struct xd_fw_packet esp = pkt(IP4, 50);
	assert_int_equal(eval_input(fw, &esp, &r), XD_FW_DROP);
	esp.ct = XD_FW_CT_ESTABLISHED; /* whether the flow was NATed is its history */
	assert_int_equal(eval_input(fw, &esp, &r), XD_FW_UNDECIDABLE);
	xd_fw_rule_text(fw, xd_fw_rule_at(fw, 0), text, sizeof(text));
	assert_string_equal(text, "ct status dnat accept");
	fwb_free(fw);
}

/* `tcp flags & (fin|syn|rst|ack) == syn accept`, policy drop; xt --syn on another port */
static void test_tcp_flags(void **st)
{
	static const uint8_t mask = 0x17;
	struct xd_fw *fw = fwb_new();
	struct xd_fw_result r;

	fwb_chain(fw, INET, "t", "in", XD_HOOK_INPUT, 0, XD_NF_DROP);
	fwb_rule(fw, INET, "t", "in", 1);
	fwb_meta(fw, META_L4PROTO, 1);
	fwb_cmp_u8(fw, 1, 6);
	fwb_payload(fw, TH, 13, 1, 1);
	fwb_bitwise(fw, 1, 1, &mask, 1);
	fwb_cmp_u8(fw, 1, 0x02);
	fwb_verdict(fw, XD_NF_ACCEPT, NULL);

	struct xd_fw_packet tcp = pkt(IP4, 6);
	assert_int_equal(eval_input(fw, &tcp, &r), XD_FW_ACCEPT);
	tcp.ct = XD_FW_CT_ESTABLISHED;
	assert_int_equal(eval_input(fw, &tcp, &r), XD_FW_DROP);
	fwb_free(fw);

	/* -p tcp --dport 22 --tcp-flags FIN,SYN,RST,ACK SYN -j DROP: port 443 never matches,
	 * a SYN to 22 does, an ACK to 22 does not */
	fw = fwb_new();
	fwb_chain(fw, IP4, "filter", "INPUT", XD_HOOK_INPUT, 0, XD_NF_ACCEPT);
	fwb_rule(fw, IP4, "filter", "INPUT", 1);
	fwb_xt(fw, XD_FWX_MATCH, XD_XT_TCP, "tcp", NULL);
	struct xd_xt *x = last_xt(fw);
	x->sport[0] = 0, x->sport[1] = 0xffff;
	x->dport[0] = x->dport[1] = 22;
	x->tcp_flg_mask = 0x17, x->tcp_flg_cmp = 0x02;
	fwb_xt(fw, XD_FWX_TARGET, XD_XT_T_DROP, "DROP", NULL);
	tcp = pkt(IP4, 6);
	tcp.has_sport = tcp.has_dport = true;
	tcp.sport = 40000, tcp.dport = 443;
	assert_int_equal(eval_input(fw, &tcp, &r), XD_FW_ACCEPT);
	tcp.dport = 22;
	assert_int_equal(eval_input(fw, &tcp, &r), XD_FW_DROP);
	tcp.ct = XD_FW_CT_ESTABLISHED;
	assert_int_equal(eval_input(fw, &tcp, &r), XD_FW_ACCEPT);
	/* the port already fails: no need to know the source port */
	tcp.has_sport = false;
	tcp.dport = 443;
	x->sport[0] = 1000, x->sport[1] = 2000;
	assert_int_equal(eval_input(fw, &tcp, &r), XD_FW_ACCEPT);
	fwb_free(fw);
}

/* -p icmp --icmp-type 8 -j DROP: decided when the description gives the type */
static void test_icmp_type(void **st)
{
	struct xd_fw *fw = fwb_new();
	struct xd_fw_result r;

	fwb_chain(fw, IP4, "filter", "INPUT", XD_HOOK_INPUT, 0, XD_NF_ACCEPT);
	fwb_rule(fw, IP4, "filter", "INPUT", 1);
	fwb_meta(fw, META_L4PROTO, 1);
	fwb_cmp_u8(fw, 1, 1);
	fwb_xt(fw, XD_FWX_MATCH, XD_XT_ICMP, "icmp", NULL);
	last_xt(fw)->icmp_type = 8;
	last_xt(fw)->icmp_code[1] = 0xff;
	fwb_xt(fw, XD_FWX_TARGET, XD_XT_T_DROP, "DROP", NULL);
	/* nft: icmpv6 type 128 drop (meta l4proto ipv6-icmp is its dependency) */
	fwb_rule(fw, IP4, "filter", "INPUT", 2);
	fwb_meta(fw, META_L4PROTO, 1);
	fwb_cmp_u8(fw, 1, 58);
	fwb_payload(fw, TH, 0, 1, 1);
	fwb_cmp_u8(fw, 1, 128);
	fwb_verdict(fw, XD_NF_DROP, NULL);

	struct xd_fw_packet icmp = pkt(IP4, 1), esp = pkt(IP4, 50);
	assert_int_equal(eval_input(fw, &esp, &r), XD_FW_ACCEPT);
	assert_int_equal(eval_input(fw, &icmp, &r), XD_FW_UNDECIDABLE);
	assert_non_null(strstr(r.reason, "--icmp-type"));
	icmp.has_icmp_type = true;
	icmp.icmp_type = 8;
	assert_int_equal(eval_input(fw, &icmp, &r), XD_FW_DROP);
	icmp.icmp_type = 0;
	assert_int_equal(eval_input(fw, &icmp, &r), XD_FW_ACCEPT);
	fwb_free(fw);
}

/* an empty verdict map (or set) keyed by an unknown value never matches */
static void test_empty_map(void **st)
{
	struct xd_fw *fw = fwb_new();
	struct xd_fw_result r;

	fwb_set(fw, INET, "t", "zones", 0x8, 16);
	fwb_chain(fw, INET, "t", "in", XD_HOOK_INPUT, 0, XD_NF_ACCEPT);
	fwb_rule(fw, INET, "t", "in", 1);
	fwb_meta(fw, 6, 1); /* iifname: not given */
	fwb_lookup(fw, "zones", 1, 0, 0);
	fwb_rule(fw, INET, "t", "in", 2);
	fwb_verdict(fw, XD_NF_DROP, NULL);

	struct xd_fw_packet esp = pkt(IP4, 50);
	assert_int_equal(eval_input(fw, &esp, &r), XD_FW_DROP);
	assert_int_equal(r.decider.handle, 2);
	fwb_free(fw);
}

/* firewalld (iptables backend): raw PREROUTING -p tcp --dport 21 -j CT --helper ftp; a CT
 * that only attaches a helper leaves conntrack states decidable, --notrack does not */
static void test_ct_helper_target(void **st)
{
	for (int notrack = 0; notrack < 2; notrack++) {
		struct xd_fw *fw = fwb_new();
		struct xd_fw_result r;

		fwb_chain(fw, IP4, "raw", "PREROUTING", XD_HOOK_PREROUTING, -300, XD_NF_ACCEPT);
		fwb_rule(fw, IP4, "raw", "PREROUTING", 1);
		fwb_xt(fw, XD_FWX_TARGET, XD_XT_T_CT, "CT", NULL);
		last_xt(fw)->ct_state_change = notrack;
		fwb_chain(fw, IP4, "filter", "INPUT", XD_HOOK_INPUT, 0, XD_NF_DROP);
		fwb_rule(fw, IP4, "filter", "INPUT", 2);
		fwb_xt(fw, XD_FWX_MATCH, XD_XT_CONNTRACK, "conntrack", NULL);
		last_xt(fw)->state_mask = 2 | 4; /* ESTABLISHED,RELATED */
		fwb_xt(fw, XD_FWX_TARGET, XD_XT_T_ACCEPT, "ACCEPT", NULL);

		struct xd_fw_packet esp = pkt(IP4, 50);
		uint8_t hooks[2] = { XD_HOOK_PREROUTING, XD_HOOK_INPUT };
		fwb_finish(fw);
		assert_int_equal(xd_fw_eval(fw, &esp, hooks, 2, &r), 0);
		assert_int_equal(r.verdict, notrack ? XD_FW_UNDECIDABLE : XD_FW_DROP);
		fwb_free(fw);
	}
}

/* ufw's limit: -m recent --set, then -m recent --update --hitcount … -j DROP */
static void test_recent(void **st)
{
	struct xd_fw *fw = fwb_new();
	struct xd_fw_result r;

	fwb_chain(fw, IP4, "filter", "INPUT", XD_HOOK_INPUT, 0, XD_NF_DROP);
	fwb_rule(fw, IP4, "filter", "INPUT", 1);
	fwb_xt(fw, XD_FWX_MATCH, XD_XT_RECENT, "recent", NULL);
	last_xt(fw)->recent_check_set = 2; /* --set */
	fwb_xt(fw, XD_FWX_TARGET, XD_XT_T_ACCEPT, "ACCEPT", NULL);
	struct xd_fw_packet esp = pkt(IP4, 50);
	assert_int_equal(eval_input(fw, &esp, &r), XD_FW_ACCEPT);
	fwb_free(fw);

	fw = fwb_new();
	fwb_chain(fw, IP4, "filter", "INPUT", XD_HOOK_INPUT, 0, XD_NF_ACCEPT);
	fwb_rule(fw, IP4, "filter", "INPUT", 1);
	fwb_xt(fw, XD_FWX_MATCH, XD_XT_RECENT, "recent", NULL);
	last_xt(fw)->recent_check_set = 4; /* --update */
	fwb_xt(fw, XD_FWX_TARGET, XD_XT_T_DROP, "DROP", NULL);
	assert_int_equal(eval_input(fw, &esp, &r), XD_FW_UNDECIDABLE);
	assert_non_null(strstr(r.reason, "earlier packets"));
	fwb_free(fw);
}

/* reasons name the meta key ("meta hour", not "meta key  not modelled") */
static void test_meta_reason_names_key(void **st)
{
	struct xd_fw *fw = fwb_new();
	struct xd_fw_result r;

	fwb_chain(fw, INET, "t", "in", XD_HOOK_INPUT, 0, XD_NF_ACCEPT);
	fwb_rule(fw, INET, "t", "in", 1);
	fwb_meta(fw, 19, 1); /* pkttype */
	fwb_cmp_u8(fw, 1, 1);
	fwb_verdict(fw, XD_NF_DROP, NULL);
	fwb_rule(fw, INET, "t", "in", 2);
	fwb_meta(fw, 32, 1); /* hour */
	fwb_cmp_u8(fw, 1, 3);
	fwb_verdict(fw, XD_NF_DROP, NULL);

	struct xd_fw_packet esp = pkt(IP4, 50);
	assert_int_equal(eval_input(fw, &esp, &r), XD_FW_UNDECIDABLE);
	assert_non_null(strstr(r.reason, "meta hour: depends on the time"));
	fwb_free(fw);
}

/* Docker: `fib daddr type local jump DOCKER` / `-m addrtype --dst-type LOCAL -j DOCKER`;
 * firewalld's `fib saddr . iif oif missing drop` needs the routes */
static void test_addrtype_local(void **st)
{
	static const uint32_t local = 2;
	struct xd_fw *fw = fwb_new();
	struct xd_fw_result r;

	fwb_chain(fw, INET, "t", "in", XD_HOOK_INPUT, 0, XD_NF_ACCEPT);
	fwb_rule(fw, INET, "t", "in", 1);
	fwb_simple(fw, XD_FWX_FIB);
	last(fw)->key = 3;   /* type */
	last(fw)->flags = 2; /* daddr */
	last(fw)->dreg = 1;
	fwb_cmp(fw, 1, CMP_NEQ, &local, 4);
	fwb_verdict(fw, XD_NF_DROP, NULL);
	fwb_rule(fw, INET, "t", "in", 2);
	fwb_xt(fw, XD_FWX_MATCH, XD_XT_ADDRTYPE, "addrtype", NULL);
	last_xt(fw)->addrtype_src = 1 << 2; /* --src-type LOCAL */
	fwb_xt(fw, XD_FWX_TARGET, XD_XT_T_DROP, "DROP", NULL);

	struct xd_fw_packet esp = pkt(IP4, 50);
	assert_int_equal(eval_input(fw, &esp, &r), XD_FW_UNDECIDABLE);
	assert_non_null(strstr(r.reason, "addresses were not collected"));
	esp.dst_local = 1, esp.src_local = -1;
	assert_int_equal(eval_input(fw, &esp, &r), XD_FW_ACCEPT);
	esp.dst_local = -1;
	assert_int_equal(eval_input(fw, &esp, &r), XD_FW_DROP);
	assert_int_equal(r.decider.handle, 1);
	esp.dst_local = 1, esp.src_local = 1;
	assert_int_equal(eval_input(fw, &esp, &r), XD_FW_DROP);
	assert_int_equal(r.decider.handle, 2);
	fwb_free(fw);

	fw = fwb_new();
	fwb_chain(fw, INET, "t", "in", XD_HOOK_PREROUTING, -110, XD_NF_ACCEPT);
	fwb_rule(fw, INET, "t", "in", 1);
	fwb_simple(fw, XD_FWX_FIB);
	last(fw)->key = 1;        /* oif */
	last(fw)->flags = 1 | 8 | 32; /* saddr . iif, present */
	last(fw)->dreg = 1;
	fwb_cmp_u8(fw, 1, 0);
	fwb_verdict(fw, XD_NF_DROP, NULL);
	esp.src_local = -1;
	uint8_t hooks[1] = { XD_HOOK_PREROUTING };
	fwb_finish(fw);
	assert_int_equal(xd_fw_eval(fw, &esp, hooks, 1, &r), 0);
	assert_int_equal(r.verdict, XD_FW_UNDECIDABLE);
	assert_non_null(strstr(r.reason, "reverse-path"));
	fwb_free(fw);

	/* firewalld's iptables backend: raw PREROUTING -m rpfilter --invert -j DROP */
	fw = fwb_new();
	fwb_chain(fw, IP4, "raw", "PREROUTING", XD_HOOK_PREROUTING, -300, XD_NF_ACCEPT);
	fwb_rule(fw, IP4, "raw", "PREROUTING", 1);
	fwb_xt(fw, XD_FWX_MATCH, XD_XT_UNKNOWN, "rpfilter", NULL);
	last_xt(fw)->undecided_info = true;
	fwb_xt(fw, XD_FWX_TARGET, XD_XT_T_DROP, "DROP", NULL);
	fwb_finish(fw);
	assert_int_equal(xd_fw_eval(fw, &esp, hooks, 1, &r), 0);
	assert_int_equal(r.verdict, XD_FW_UNDECIDABLE);
	assert_string_equal(r.reason, "xt match rpfilter: reverse-path filter: needs the routes");
	fwb_free(fw);
}

/* firewalld's reverse-path filters from the route back to the source (issue 22): nft
 * `fib saddr . mark . iif oif missing drop` (both result forms) and xt `rpfilter --invert` */
static uint8_t rp_eval(struct xd_fw *fw, struct xd_fw_packet *p, const char *iif,
		       const char *rp_oif, struct xd_fw_result *r)
{
	uint8_t hooks[1] = { XD_HOOK_PREROUTING };

	xd_strlcpy(p->iif, iif, sizeof(p->iif));
	p->iif_index = xd_streq(iif, "vB") ? 7 : xd_streq(iif, "lo") ? 1 : 0;
	p->rp_known = rp_oif != NULL;
	xd_strlcpy(p->rp_oif, rp_oif ? rp_oif : "", sizeof(p->rp_oif));
	p->rp_oif_index = rp_oif && xd_streq(rp_oif, "vB") ? 7 : rp_oif && rp_oif[0] ? 8 : 0;
	assert_int_equal(xd_fw_eval(fw, p, hooks, 1, r), 0);
	return (uint8_t)r->verdict;
}

static void test_rpfilter_from_routes(void **st)
{
	static const uint32_t zero = 0;
	struct xd_fw_packet p = pkt(IP6, 50);
	struct xd_fw_result r;

	for (int form = 0; form < 4; form++) {
		struct xd_fw *fw = fwb_new();
		if (form < 2) {
			fwb_chain(fw, INET, "firewalld", "filter_PREROUTING", XD_HOOK_PREROUTING,
				  -290, XD_NF_ACCEPT);
			fwb_rule(fw, INET, "firewalld", "filter_PREROUTING", 1);
			fwb_simple(fw, XD_FWX_FIB);
			last(fw)->key = 1;                                /* oif */
			last(fw)->flags = 1 | 4 | 8 | (form ? 0 : 32); /* saddr . mark . iif */
			last(fw)->dreg = 1;
			if (form)
				fwb_cmp(fw, 1, 0 /* eq */, &zero, 4);
			else
				fwb_cmp_u8(fw, 1, 0);
			fwb_verdict(fw, XD_NF_DROP, NULL);
		} else {
			fwb_chain(fw, IP6, "raw", "PREROUTING", XD_HOOK_PREROUTING, -300,
				  XD_NF_ACCEPT);
			fwb_rule(fw, IP6, "raw", "PREROUTING", 1);
			fwb_xt(fw, XD_FWX_MATCH, XD_XT_RPFILTER, "rpfilter", NULL);
			/* --invert; the last form --loose too: any route back */
			last_xt(fw)->rpfilter_flags = form == 2 ? 8 : 8 | 1;
			fwb_xt(fw, XD_FWX_TARGET, XD_XT_T_DROP, "DROP", NULL);
		}
		fwb_finish(fw);
		assert_int_equal(rp_eval(fw, &p, "vB", "vB", &r), XD_FW_ACCEPT);
		if (form == 3) {
			assert_int_equal(rp_eval(fw, &p, "vB", "vC", &r), XD_FW_ACCEPT);
		} else {
			assert_int_equal(rp_eval(fw, &p, "vB", "vC", &r), XD_FW_DROP);
			assert_int_equal(r.decider.handle, 1);
		}
		assert_int_equal(rp_eval(fw, &p, "vB", "", &r), XD_FW_DROP);  /* no route back */
		assert_int_equal(rp_eval(fw, &p, "lo", "vC", &r), XD_FW_ACCEPT); /* loopback */
		assert_int_equal(rp_eval(fw, &p, "vB", NULL, &r), XD_FW_UNDECIDABLE);
		assert_int_equal(rp_eval(fw, &p, "", "vB", &r), XD_FW_UNDECIDABLE);
		fwb_free(fw);
	}
}

/* IPv6 AH (issue 22, seen in the real-world suite): nf_tables finds AH as the transport
 * header (`meta l4proto ah`, iptables-nft's `-p ah`), legacy ip6tables' -p and conntrack
 * skip it and see the header behind it (--ah-next) */
static void test_ipv6_ah_protocol(void **st)
{
	struct xd_fw *fw = fwb_new();
	struct xd_fw_result r;

	fwb_chain(fw, INET, "firewalld", "filter_IN_external", XD_HOOK_INPUT, 0, XD_NF_DROP);
	fwb_rule(fw, INET, "firewalld", "filter_IN_external", 1);
	fwb_meta(fw, META_L4PROTO, 1);
	fwb_cmp_u8(fw, 1, 51);
	fwb_verdict(fw, XD_NF_ACCEPT, NULL);

	struct xd_fw_packet ah6 = pkt(IP6, 51);
	assert_int_equal(eval_input(fw, &ah6, &r), XD_FW_ACCEPT);
	ah6.has_ah_next = true, ah6.ah_next = 41;
	assert_int_equal(eval_input(fw, &ah6, &r), XD_FW_ACCEPT);
	fwb_free(fw);

	/* legacy ip6tables: -p ah never matches an AH packet; ct state needs the next header */
	fw = fwb_new();
	fwb_chain(fw, IP6, "filter", "INPUT", XD_HOOK_INPUT, 0, XD_NF_DROP);
	fwb_rule(fw, IP6, "filter", "INPUT", 1);
	fwb_ct_state(fw, 1);
	fwb_cmp_u8(fw, 1, 8); /* new */
	fwb_verdict(fw, XD_NF_DROP, NULL);
	fwb_rule(fw, IP6, "filter", "INPUT", 2);
	for (size_t i = 0; i < fw->chains.len; i++)
		((struct xd_fw_chain *)xd_vec_at(&fw->chains, i))->backend = XD_FW_LEGACY;
	for (size_t i = 0; i < fw->rules.len; i++) {
		struct xd_fw_rule *ru = xd_vec_at(&fw->rules, i);
		ru->backend = XD_FW_LEGACY;
		if (ru->handle == 2) {
			static struct xd_ipt_ip ip = { .proto = 51, .flags = 1 };
			memset(ip.smsk, 0, 16);
			ru->ipt = &ip;
		}
	}
	fwb_xt(fw, XD_FWX_TARGET, XD_XT_T_ACCEPT, "ACCEPT", NULL);
	ah6 = pkt(IP6, 51);
	ah6.ct = XD_FW_CT_ESTABLISHED;
	assert_int_equal(eval_input(fw, &ah6, &r), XD_FW_UNDECIDABLE);
	ah6.has_ah_next = true, ah6.ah_next = 41;
	assert_int_equal(eval_input(fw, &ah6, &r), XD_FW_DROP);
	fwb_free(fw);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nft_exthdr_absent),
		cmocka_unit_test(test_nft_exthdr_ah_found),
		cmocka_unit_test(test_xt_ipv6_headers),
		cmocka_unit_test(test_ct_status_dnat),
		cmocka_unit_test(test_tcp_flags),
		cmocka_unit_test(test_icmp_type),
		cmocka_unit_test(test_empty_map),
		cmocka_unit_test(test_ct_helper_target),
		cmocka_unit_test(test_recent),
		cmocka_unit_test(test_meta_reason_names_key),
		cmocka_unit_test(test_addrtype_local),
		cmocka_unit_test(test_rpfilter_from_routes),
		cmocka_unit_test(test_ipv6_ah_protocol),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
