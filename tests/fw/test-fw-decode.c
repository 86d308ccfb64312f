/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-fw-decode.c: the nf_tables decoder on hand-built messages: a well-formed rule, chain
 * and interval elements decode with big-endian numbers converted; truncated and oversized
 * attributes, wrong-length BE32 attributes and unknown expressions are reported and kept as
 * opaque, never crash, never abort.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include "nlbuild.h"
#include "xfrmd/decode.h"
#include "xfrmd/fw-model.h"
#include "xfrmd/model.h"

static void msg(struct nlb *b, uint8_t type, uint8_t family)
{
	struct nfgenmsg g = { .nfgen_family = family, .version = NFNETLINK_V0 };

	nlb_msg(b, (NFNL_SUBSYS_NFTABLES << 8) | type, 0);
	nlb_put(b, &g, sizeof(g));
}

static void be32(struct nlb *b, uint16_t type, uint32_t v)
{
	uint32_t x = htonl(v);
	nlb_attr(b, type, &x, 4);
}

static void str(struct nlb *b, uint16_t type, const char *s)
{
	nlb_attr(b, type, s, strlen(s) + 1);
}

/* One expression: name + data nest; fill() adds the data attributes. */
static size_t expr_start(struct nlb *b, const char *name)
{
	size_t el = nlb_nest_start(b, NFTA_LIST_ELEM);
	str(b, NFTA_EXPR_NAME, name);
	(void)el;
	return el;
}

static void rule_with(struct nlb *b, void (*exprs)(struct nlb *))
{
	nlb_init(b);
	msg(b, NFT_MSG_NEWRULE, XD_NFPROTO_INET);
	str(b, NFTA_RULE_TABLE, "filter");
	str(b, NFTA_RULE_CHAIN, "input");
	uint64_t h = htobe64(42);
	nlb_attr(b, NFTA_RULE_HANDLE, &h, 8);
	size_t list = nlb_nest_start(b, NFTA_RULE_EXPRESSIONS);
	exprs(b);
	nlb_nest_end(b, list);
	nlb_end(b);
}

static void esp_accept(struct nlb *b)
{
	size_t el = expr_start(b, "meta"), d = nlb_nest_start(b, NFTA_EXPR_DATA);
	be32(b, NFTA_META_KEY, NFT_META_L4PROTO);
	be32(b, NFTA_META_DREG, NFT_REG_1);
	nlb_nest_end(b, d);
	nlb_nest_end(b, el);

	el = expr_start(b, "cmp"), d = nlb_nest_start(b, NFTA_EXPR_DATA);
	be32(b, NFTA_CMP_SREG, NFT_REG_1);
	be32(b, NFTA_CMP_OP, NFT_CMP_EQ);
	size_t dn = nlb_nest_start(b, NFTA_CMP_DATA);
	uint8_t esp = 50;
	nlb_attr(b, NFTA_DATA_VALUE, &esp, 1);
	nlb_nest_end(b, dn);
	nlb_nest_end(b, d);
	nlb_nest_end(b, el);

	el = expr_start(b, "immediate"), d = nlb_nest_start(b, NFTA_EXPR_DATA);
	be32(b, NFTA_IMMEDIATE_DREG, NFT_REG_VERDICT);
	dn = nlb_nest_start(b, NFTA_IMMEDIATE_DATA);
	size_t vn = nlb_nest_start(b, NFTA_DATA_VERDICT);
	be32(b, NFTA_VERDICT_CODE, XD_NF_ACCEPT);
	nlb_nest_end(b, vn);
	nlb_nest_end(b, dn);
	nlb_nest_end(b, d);
	nlb_nest_end(b, el);
}

static const struct xd_fw_expr *expr(const struct xd_snapshot *s, size_t i)
{
	return xd_vec_at(&s->fw->exprs, i);
}

static void test_nft_rule_decodes(void **st)
{
	struct nlb b;
	struct xd_snapshot *s = NULL;

	rule_with(&b, esp_accept);
	assert_int_equal(xd_snapshot_new(&s), 0);
	assert_int_equal(xd_decode_nft(s, XD_DUMP_NFT_RULES, b.buf, b.len), 0);
	assert_int_equal(s->fw->rules.len, 1);
	const struct xd_fw_rule *r = xd_fw_rule_at(s->fw, 0);
	assert_int_equal(r->handle, 42);
	assert_string_equal(r->chain, "input");
	assert_int_equal(r->expr_count, 3);
	assert_int_equal(expr(s, 0)->kind, XD_FWX_META);
	assert_int_equal(expr(s, 0)->key, NFT_META_L4PROTO); /* converted from BE32 */
	assert_int_equal(expr(s, 1)->kind, XD_FWX_CMP);
	assert_int_equal(expr(s, 1)->data_len, 1);
	assert_int_equal(expr(s, 1)->data[0], 50);
	assert_int_equal(expr(s, 2)->verdict, XD_NF_ACCEPT);
	assert_int_equal(s->issues.len, 0);
	xd_snapshot_free(s);
}

static void unknown_expr(struct nlb *b)
{
	size_t el = expr_start(b, "frobnicate"), d = nlb_nest_start(b, NFTA_EXPR_DATA);
	be32(b, 1, 7);
	nlb_nest_end(b, d);
	nlb_nest_end(b, el);
}

static void test_nft_unknown_expression_is_opaque(void **st)
{
	struct nlb b;
	struct xd_snapshot *s = NULL;

	rule_with(&b, unknown_expr);
	assert_int_equal(xd_snapshot_new(&s), 0);
	assert_int_equal(xd_decode_nft(s, XD_DUMP_NFT_RULES, b.buf, b.len), 0);
	assert_int_equal(expr(s, 0)->kind, XD_FWX_OPAQUE);
	assert_string_equal(expr(s, 0)->name, "frobnicate");
	xd_snapshot_free(s);
}

static void bad_be_len(struct nlb *b)
{
	size_t el = expr_start(b, "meta"), d = nlb_nest_start(b, NFTA_EXPR_DATA);
	uint16_t k = htons(16);
	nlb_attr(b, NFTA_META_KEY, &k, 2); /* a BE32 attribute with 2 bytes */
	be32(b, NFTA_META_DREG, NFT_REG_1);
	nlb_nest_end(b, d);
	nlb_nest_end(b, el);
}

static void test_nft_bad_be32_length_reported(void **st)
{
	struct nlb b;
	struct xd_snapshot *s = NULL;

	rule_with(&b, bad_be_len);
	assert_int_equal(xd_snapshot_new(&s), 0);
	assert_int_equal(xd_decode_nft(s, XD_DUMP_NFT_RULES, b.buf, b.len), 0);
	assert_true(s->issues.len >= 1);
	assert_int_equal(expr(s, 0)->kind, XD_FWX_OPAQUE); /* never evaluated as a meta load */
	xd_snapshot_free(s);
}

static void oversized_cmp(struct nlb *b)
{
	size_t el = expr_start(b, "cmp"), d = nlb_nest_start(b, NFTA_EXPR_DATA);
	uint8_t big[40] = { 0 };
	be32(b, NFTA_CMP_SREG, NFT_REG_1);
	be32(b, NFTA_CMP_OP, NFT_CMP_EQ);
	size_t dn = nlb_nest_start(b, NFTA_CMP_DATA);
	nlb_attr(b, NFTA_DATA_VALUE, big, sizeof(big)); /* more than a register holds */
	nlb_nest_end(b, dn);
	nlb_nest_end(b, d);
	nlb_nest_end(b, el);
}

static void test_nft_oversized_data_reported(void **st)
{
	struct nlb b;
	struct xd_snapshot *s = NULL;

	rule_with(&b, oversized_cmp);
	assert_int_equal(xd_snapshot_new(&s), 0);
	assert_int_equal(xd_decode_nft(s, XD_DUMP_NFT_RULES, b.buf, b.len), 0);
	assert_int_equal(expr(s, 0)->kind, XD_FWX_OPAQUE);
	assert_true(s->issues.len >= 1);
	xd_snapshot_free(s);
}

static void test_nft_truncated_everywhere(void **st)
{
	struct nlb b;

	rule_with(&b, esp_accept);
	/* every prefix, and every single-byte corruption of the length fields, must decode
	 * without crashing (ASan/UBSan check the rest) */
	for (size_t cut = 0; cut <= b.len; cut++) {
		struct xd_snapshot *s = NULL;
		assert_int_equal(xd_snapshot_new(&s), 0);
		(void)xd_decode_nft(s, XD_DUMP_NFT_RULES, b.buf, cut);
		xd_snapshot_free(s);
	}
	for (size_t i = 0; i < b.len; i++) {
		struct nlb c = b;
		struct xd_snapshot *s = NULL;
		c.buf[i] ^= 0xff;
		assert_int_equal(xd_snapshot_new(&s), 0);
		(void)xd_decode_nft(s, XD_DUMP_NFT_RULES, c.buf, c.len);
		if (s->fw)
			(void)xd_fw_index(s->fw);
		xd_snapshot_free(s);
	}
}

static void test_nft_chain_and_interval_elements(void **st)
{
	struct nlb b;
	struct xd_snapshot *s = NULL;

	nlb_init(&b);
	msg(&b, NFT_MSG_NEWCHAIN, XD_NFPROTO_IPV4);
	str(&b, NFTA_CHAIN_TABLE, "mangle");
	str(&b, NFTA_CHAIN_NAME, "pre");
	size_t h = nlb_nest_start(&b, NFTA_CHAIN_HOOK);
	be32(&b, NFTA_HOOK_HOOKNUM, 0);
	be32(&b, NFTA_HOOK_PRIORITY, (uint32_t)-150);
	nlb_nest_end(&b, h);
	be32(&b, NFTA_CHAIN_POLICY, XD_NF_DROP);
	str(&b, NFTA_CHAIN_TYPE, "filter");
	nlb_end(&b);
	msg(&b, NFT_MSG_NEWSETELEM, XD_NFPROTO_IPV4);
	str(&b, NFTA_SET_ELEM_LIST_TABLE, "mangle");
	str(&b, NFTA_SET_ELEM_LIST_SET, "peers");
	size_t l = nlb_nest_start(&b, NFTA_SET_ELEM_LIST_ELEMENTS);
	for (int i = 0; i < 2; i++) {
		size_t e = nlb_nest_start(&b, NFTA_LIST_ELEM);
		size_t k = nlb_nest_start(&b, NFTA_SET_ELEM_KEY);
		uint8_t a[4] = { 192, 0, (uint8_t)(2 + i), 0 };
		nlb_attr(&b, NFTA_DATA_VALUE, a, 4);
		nlb_nest_end(&b, k);
		if (i)
			be32(&b, NFTA_SET_ELEM_FLAGS, NFT_SET_ELEM_INTERVAL_END);
		nlb_nest_end(&b, e);
	}
	nlb_nest_end(&b, l);
	nlb_end(&b);

	assert_int_equal(xd_snapshot_new(&s), 0);
	assert_int_equal(xd_decode_nft(s, XD_DUMP_NFT_CHAINS, b.buf, b.len), 0);
	const struct xd_fw_chain *c = xd_vec_at(&s->fw->chains, 0);
	assert_true(c->base);
	assert_int_equal(c->prio, -150);
	assert_int_equal(c->policy, XD_NF_DROP);
	assert_int_equal(s->fw->elems.len, 2);
	const struct xd_fw_elem *e1 = xd_vec_at(&s->fw->elems, 1);
	assert_int_equal(e1->flags, NFT_SET_ELEM_INTERVAL_END);
	assert_int_equal(e1->key[2], 3);
	xd_snapshot_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nft_rule_decodes),
		cmocka_unit_test(test_nft_unknown_expression_is_opaque),
		cmocka_unit_test(test_nft_bad_be32_length_reported),
		cmocka_unit_test(test_nft_oversized_data_reported),
		cmocka_unit_test(test_nft_truncated_everywhere),
		cmocka_unit_test(test_nft_chain_and_interval_elements),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
