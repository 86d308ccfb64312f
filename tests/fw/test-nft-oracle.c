/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-nft-oracle.c: differential test of the nf_tables decoder against libnftnl, on bytes a
 * kernel produced (tests/fw/kernel-records/, dumped from namespaces with IPsec-style IPv4,
 * IPv6, iptables-nft and netdev rule sets). libnftnl exits on malformed input, so it only
 * ever sees these kernel-made files, never fuzz or snapshot input (DESIGN.md §2).
 *
 * For every rule and base chain both decoders see, the expression names and the fields the
 * evaluator depends on (registers, keys, ops, offsets, data, verdicts, set names, hooks,
 * priorities, policies) must be equal.
 */
#include <dirent.h>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <linux/netfilter/nf_tables.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xfrmd/decode.h"
#include "xfrmd/fw-model.h"
#include "xfrmd/model.h"

static unsigned checked, failed;

#define EXPECT(cond, ...)                                                                          \
	do {                                                                                       \
		checked++;                                                                         \
		if (!(cond)) {                                                                     \
			failed++;                                                                  \
			fprintf(stderr, "MISMATCH %s: ", path);                                    \
			fprintf(stderr, __VA_ARGS__);                                              \
			fputc('\n', stderr);                                                       \
		}                                                                                  \
	} while (0)

static void compare_expr(const char *path, const struct nftnl_expr *ne, const struct xd_fw_expr *e)
{
	const char *name = nftnl_expr_get_str(ne, NFTNL_EXPR_NAME);
	uint32_t len;

	EXPECT(e->name && strcmp(name, e->name) == 0, "expr name %s vs %s", name,
	       e->name ? e->name : "(null)");
	if (strcmp(name, "meta") == 0 && nftnl_expr_is_set(ne, NFTNL_EXPR_META_DREG)) {
		EXPECT(nftnl_expr_get_u32(ne, NFTNL_EXPR_META_KEY) == e->key, "meta key");
		EXPECT(nftnl_expr_get_u32(ne, NFTNL_EXPR_META_DREG) == e->dreg, "meta dreg");
	} else if (strcmp(name, "cmp") == 0) {
		const void *d = nftnl_expr_get(ne, NFTNL_EXPR_CMP_DATA, &len);
		EXPECT(nftnl_expr_get_u32(ne, NFTNL_EXPR_CMP_SREG) == e->sreg, "cmp sreg");
		EXPECT(nftnl_expr_get_u32(ne, NFTNL_EXPR_CMP_OP) == e->op, "cmp op");
		EXPECT(len == e->data_len && memcmp(d, e->data, len) == 0, "cmp data");
	} else if (strcmp(name, "payload") == 0 && nftnl_expr_is_set(ne, NFTNL_EXPR_PAYLOAD_DREG)) {
		EXPECT(nftnl_expr_get_u32(ne, NFTNL_EXPR_PAYLOAD_BASE) == e->base, "payload base");
		EXPECT(nftnl_expr_get_u32(ne, NFTNL_EXPR_PAYLOAD_OFFSET) == e->offset, "payload offset");
		EXPECT(nftnl_expr_get_u32(ne, NFTNL_EXPR_PAYLOAD_LEN) == e->len, "payload len");
		EXPECT(nftnl_expr_get_u32(ne, NFTNL_EXPR_PAYLOAD_DREG) == e->dreg, "payload dreg");
	} else if (strcmp(name, "immediate") == 0) {
		EXPECT(nftnl_expr_get_u32(ne, NFTNL_EXPR_IMM_DREG) == e->dreg, "imm dreg");
		if (e->dreg == 0) {
			EXPECT((int32_t)nftnl_expr_get_u32(ne, NFTNL_EXPR_IMM_VERDICT) == e->verdict,
			       "imm verdict");
			const char *ch = nftnl_expr_get_str(ne, NFTNL_EXPR_IMM_CHAIN);
			EXPECT((!ch && !e->chain) || (ch && e->chain && strcmp(ch, e->chain) == 0),
			       "imm chain");
		} else {
			const void *d = nftnl_expr_get(ne, NFTNL_EXPR_IMM_DATA, &len);
			EXPECT(len == e->data_len && memcmp(d, e->data, len) == 0, "imm data");
		}
	} else if (strcmp(name, "lookup") == 0) {
		EXPECT(strcmp(nftnl_expr_get_str(ne, NFTNL_EXPR_LOOKUP_SET), e->set) == 0, "lookup set");
		EXPECT(nftnl_expr_get_u32(ne, NFTNL_EXPR_LOOKUP_SREG) == e->sreg, "lookup sreg");
		EXPECT(nftnl_expr_get_u32(ne, NFTNL_EXPR_LOOKUP_FLAGS) == e->flags, "lookup flags");
		if (nftnl_expr_is_set(ne, NFTNL_EXPR_LOOKUP_DREG))
			EXPECT(nftnl_expr_get_u32(ne, NFTNL_EXPR_LOOKUP_DREG) == e->dreg, "lookup dreg");
		else
			EXPECT(e->dreg == UINT32_MAX, "lookup without dreg");
	} else if (strcmp(name, "bitwise") == 0 && e->op == 0) {
		const void *m = nftnl_expr_get(ne, NFTNL_EXPR_BITWISE_MASK, &len);
		EXPECT(nftnl_expr_get_u32(ne, NFTNL_EXPR_BITWISE_SREG) == e->sreg, "bitwise sreg");
		EXPECT(nftnl_expr_get_u32(ne, NFTNL_EXPR_BITWISE_LEN) == e->len, "bitwise len");
		EXPECT(len == e->data_len && memcmp(m, e->data, len) == 0, "bitwise mask");
	} else if (strcmp(name, "ct") == 0 && nftnl_expr_is_set(ne, NFTNL_EXPR_CT_DREG)) {
		EXPECT(nftnl_expr_get_u32(ne, NFTNL_EXPR_CT_KEY) == e->key, "ct key");
		EXPECT(nftnl_expr_get_u32(ne, NFTNL_EXPR_CT_DREG) == e->dreg, "ct dreg");
	} else if (strcmp(name, "match") == 0 || strcmp(name, "target") == 0) {
		const char *n = nftnl_expr_get_str(ne, strcmp(name, "match") == 0 ? NFTNL_EXPR_MT_NAME
										  : NFTNL_EXPR_TG_NAME);
		EXPECT(e->xt && e->xt->name && strcmp(n, e->xt->name) == 0, "xt name %s", n);
	}
}

static void check_file(const char *path)
{
	static unsigned char buf[1 << 16] __attribute__((aligned(8)));
	FILE *f = fopen(path, "rb");
	size_t n;
	struct xd_snapshot *s = NULL;
	size_t rule_i = 0, chain_i = 0;

	if (!f)
		return;
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	if (xd_snapshot_new(&s) < 0 || xd_decode_nft(s, XD_DUMP_NFT_RULES, buf, n) < 0) {
		failed++;
		fprintf(stderr, "our decoder failed on %s\n", path);
		xd_snapshot_free(s);
		return;
	}
	int left = (int)n;
	for (const struct nlmsghdr *nlh = (const void *)buf; mnl_nlmsg_ok(nlh, left);
	     nlh = mnl_nlmsg_next(nlh, &left)) {
		uint8_t msg = nlh->nlmsg_type & 0xff;
		if (nlh->nlmsg_type < NLMSG_MIN_TYPE)
			continue;
		if (msg == NFT_MSG_NEWRULE) {
			struct nftnl_rule *r = nftnl_rule_alloc();
			if (nftnl_rule_nlmsg_parse(nlh, r) < 0 || rule_i >= s->fw->rules.len) {
				failed++;
				nftnl_rule_free(r);
				continue;
			}
			const struct xd_fw_rule *ru = xd_fw_rule_at(s->fw, rule_i++);
			EXPECT(nftnl_rule_get_u64(r, NFTNL_RULE_HANDLE) == ru->handle, "rule handle");
			EXPECT(strcmp(nftnl_rule_get_str(r, NFTNL_RULE_CHAIN), ru->chain) == 0, "chain");
			struct nftnl_expr_iter *it = nftnl_expr_iter_create(r);
			struct nftnl_expr *ne;
			uint32_t k = 0;
			while ((ne = nftnl_expr_iter_next(it))) {
				EXPECT(k < ru->expr_count, "expression count");
				if (k < ru->expr_count)
					compare_expr(path, ne, xd_fw_expr_at(s->fw, ru->expr_first + k));
				k++;
			}
			EXPECT(k == ru->expr_count, "expression count %u vs %u", k, ru->expr_count);
			nftnl_expr_iter_destroy(it);
			nftnl_rule_free(r);
		} else if (msg == NFT_MSG_NEWCHAIN) {
			struct nftnl_chain *c = nftnl_chain_alloc();
			if (nftnl_chain_nlmsg_parse(nlh, c) < 0 || chain_i >= s->fw->chains.len) {
				failed++;
				nftnl_chain_free(c);
				continue;
			}
			const struct xd_fw_chain *ch = xd_vec_at(&s->fw->chains, chain_i++);
			EXPECT(strcmp(nftnl_chain_get_str(c, NFTNL_CHAIN_NAME), ch->name) == 0, "chain name");
			EXPECT(nftnl_chain_is_set(c, NFTNL_CHAIN_HOOKNUM) == ch->base, "base chain");
			if (ch->base) {
				EXPECT(nftnl_chain_get_u32(c, NFTNL_CHAIN_HOOKNUM) == ch->hooknum, "hook");
				EXPECT(nftnl_chain_get_s32(c, NFTNL_CHAIN_PRIO) == ch->prio, "priority");
				EXPECT(nftnl_chain_get_u32(c, NFTNL_CHAIN_POLICY) == ch->policy, "policy");
			}
			nftnl_chain_free(c);
		}
	}
	xd_snapshot_free(s);
}

int main(int argc, char **argv)
{
	DIR *d = opendir(argv[1]);
	struct dirent *e;

	if (!d) {
		fprintf(stderr, "usage: test-nft-oracle DIR\n");
		return 1;
	}
	while ((e = readdir(d))) {
		char p[4096];
		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", argv[1], e->d_name);
		check_file(p);
	}
	closedir(d);
	printf("%u fields compared with libnftnl, %u mismatches\n", checked, failed);
	return failed ? 1 : 0;
}
