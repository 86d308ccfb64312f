/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * decode-nft-expr.c: nf_tables expressions -> struct xd_fw_expr. Table-driven: one entry per
 * expression name with its attribute policy and a decode function that only reads
 * attributes the policy has already validated. Unknown expression names are kept as
 * "opaque" with their name, so the evaluator can say exactly what it could not decide.
 */
#include <errno.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nf_tables_compat.h>
#include <string.h>

#include "decode-nft.h"
#include "nl-walk.h"
#include "xfrmd/fw-model.h"
#include "xfrmd/model.h"

/* Attribute numbers newer than the oldest UAPI headers we build against. */
#define XD_NFTA_BITWISE_SREG2 8
#define ATTR_MAX 16 /* no expression we decode has more attributes */

struct expr_ops {
	const char *name;
	uint8_t kind;
	unsigned max;
	const struct nft_pol *pol;
	/* returns 0, or -EBADMSG when a required attribute is missing/inconsistent */
	int (*decode)(struct nft_dctx *c, const struct nlattr **tb, struct xd_fw_expr *e);
};

static uint32_t u32_or(const struct nlattr *a, uint32_t def)
{
	return a ? xd_nft_be32(a) : def;
}

/* Read nft_data VALUE into a 16-byte expression slot. */
static int get_value(struct nft_dctx *c, const struct nlattr *a, uint8_t *dst, uint8_t *len)
{
	uint8_t tmp[XD_FW_DATA_MAX];
	bool isv;
	int32_t v;
	const char *ch;

	if (!a || xd_nft_data(c, a, tmp, sizeof(tmp), len, &isv, &v, &ch) < 0 || isv || *len > 16)
		return -EBADMSG;
	memcpy(dst, tmp, *len);
	return 0;
}

static bool reg_ok(uint32_t reg)
{
	/* NFT_REG_VERDICT..NFT_REG_4 and NFT_REG32_00..15 */
	return reg <= 4 || (reg >= 8 && reg <= 23);
}

/* ---- immediate ---- */
static const struct nft_pol imm_pol[NFTA_IMMEDIATE_MAX + 1] = {
	[NFTA_IMMEDIATE_DREG] = { NA_U32 },
	[NFTA_IMMEDIATE_DATA] = { NA_NEST },
};

static int dec_immediate(struct nft_dctx *c, const struct nlattr **tb, struct xd_fw_expr *e)
{
	uint8_t tmp[XD_FW_DATA_MAX];
	bool isv;

	if (!tb[NFTA_IMMEDIATE_DREG] || !tb[NFTA_IMMEDIATE_DATA])
		return -EBADMSG;
	e->dreg = xd_nft_be32(tb[NFTA_IMMEDIATE_DREG]);
	if (!reg_ok(e->dreg))
		return -EBADMSG;
	if (xd_nft_data(c, tb[NFTA_IMMEDIATE_DATA], tmp, sizeof(tmp), &e->data_len, &isv,
			&e->verdict, &e->chain) < 0)
		return -EBADMSG;
	if (isv != (e->dreg == 0) || e->data_len > 16)
		return -EBADMSG;
	memcpy(e->data, tmp, e->data_len);
	if (isv && (e->verdict == XD_NFT_JUMP || e->verdict == XD_NFT_GOTO) && !e->chain)
		return -EBADMSG;
	return 0;
}

/* ---- cmp ---- */
static const struct nft_pol cmp_pol[NFTA_CMP_MAX + 1] = {
	[NFTA_CMP_SREG] = { NA_U32 },
	[NFTA_CMP_OP] = { NA_U32 },
	[NFTA_CMP_DATA] = { NA_NEST },
};

static int dec_cmp(struct nft_dctx *c, const struct nlattr **tb, struct xd_fw_expr *e)
{
	if (!tb[NFTA_CMP_SREG] || !tb[NFTA_CMP_OP])
		return -EBADMSG;
	e->sreg = xd_nft_be32(tb[NFTA_CMP_SREG]);
	e->op = xd_nft_be32(tb[NFTA_CMP_OP]);
	if (!reg_ok(e->sreg) || e->sreg == 0 || e->op > NFT_CMP_GTE)
		return -EBADMSG;
	return get_value(c, tb[NFTA_CMP_DATA], e->data, &e->data_len);
}

/* ---- range ---- */
static const struct nft_pol range_pol[NFTA_RANGE_MAX + 1] = {
	[NFTA_RANGE_SREG] = { NA_U32 },
	[NFTA_RANGE_OP] = { NA_U32 },
	[NFTA_RANGE_FROM_DATA] = { NA_NEST },
	[NFTA_RANGE_TO_DATA] = { NA_NEST },
};

static int dec_range(struct nft_dctx *c, const struct nlattr **tb, struct xd_fw_expr *e)
{
	if (!tb[NFTA_RANGE_SREG] || !tb[NFTA_RANGE_OP])
		return -EBADMSG;
	e->sreg = xd_nft_be32(tb[NFTA_RANGE_SREG]);
	e->op = xd_nft_be32(tb[NFTA_RANGE_OP]);
	if (!reg_ok(e->sreg) || e->sreg == 0 || e->op > NFT_RANGE_NEQ)
		return -EBADMSG;
	if (get_value(c, tb[NFTA_RANGE_FROM_DATA], e->data, &e->data_len) < 0 ||
	    get_value(c, tb[NFTA_RANGE_TO_DATA], e->data2, &e->data2_len) < 0 ||
	    e->data_len != e->data2_len)
		return -EBADMSG;
	return 0;
}

/* ---- bitwise ---- */
static const struct nft_pol bitwise_pol[XD_NFTA_BITWISE_SREG2 + 1] = {
	[NFTA_BITWISE_SREG] = { NA_U32 },   [NFTA_BITWISE_DREG] = { NA_U32 },
	[NFTA_BITWISE_LEN] = { NA_U32 },    [NFTA_BITWISE_MASK] = { NA_NEST },
	[NFTA_BITWISE_XOR] = { NA_NEST },   [NFTA_BITWISE_OP] = { NA_U32 },
	[NFTA_BITWISE_DATA] = { NA_NEST },  [XD_NFTA_BITWISE_SREG2] = { NA_U32 },
};

static int dec_bitwise(struct nft_dctx *c, const struct nlattr **tb, struct xd_fw_expr *e)
{
	if (!tb[NFTA_BITWISE_SREG] || !tb[NFTA_BITWISE_DREG] || !tb[NFTA_BITWISE_LEN])
		return -EBADMSG;
	e->sreg = xd_nft_be32(tb[NFTA_BITWISE_SREG]);
	e->dreg = xd_nft_be32(tb[NFTA_BITWISE_DREG]);
	e->len = xd_nft_be32(tb[NFTA_BITWISE_LEN]);
	e->op = u32_or(tb[NFTA_BITWISE_OP], 0);
	if (!reg_ok(e->sreg) || !reg_ok(e->dreg) || !e->sreg || !e->dreg || e->len == 0 ||
	    e->len > 16)
		return -EBADMSG;
	switch (e->op) {
	case 0: /* NFT_BITWISE_MASK_XOR (was _BOOL) */
		if (get_value(c, tb[NFTA_BITWISE_MASK], e->data, &e->data_len) < 0 ||
		    get_value(c, tb[NFTA_BITWISE_XOR], e->data2, &e->data2_len) < 0 ||
		    e->data_len != e->len || e->data2_len != e->len)
			return -EBADMSG;
		return 0;
	case 1: /* LSHIFT */
	case 2: /* RSHIFT */
		if (get_value(c, tb[NFTA_BITWISE_DATA], e->data3, &e->data3_len) < 0 ||
		    e->data3_len != 4)
			return -EBADMSG;
		return 0;
	case 3: /* AND */
	case 4: /* OR */
	case 5: /* XOR */
		if (tb[XD_NFTA_BITWISE_SREG2]) {
			e->sreg2 = xd_nft_be32(tb[XD_NFTA_BITWISE_SREG2]);
			return reg_ok(e->sreg2) && e->sreg2 ? 0 : -EBADMSG;
		}
		return -EBADMSG;
	default:
		return -EBADMSG;
	}
}

/* ---- byteorder ---- */
static const struct nft_pol byteorder_pol[NFTA_BYTEORDER_MAX + 1] = {
	[NFTA_BYTEORDER_SREG] = { NA_U32 }, [NFTA_BYTEORDER_DREG] = { NA_U32 },
	[NFTA_BYTEORDER_OP] = { NA_U32 },   [NFTA_BYTEORDER_LEN] = { NA_U32 },
	[NFTA_BYTEORDER_SIZE] = { NA_U32 },
};

static int dec_byteorder(struct nft_dctx *c, const struct nlattr **tb, struct xd_fw_expr *e)
{
	if (!tb[NFTA_BYTEORDER_SREG] || !tb[NFTA_BYTEORDER_DREG] || !tb[NFTA_BYTEORDER_OP] ||
	    !tb[NFTA_BYTEORDER_LEN] || !tb[NFTA_BYTEORDER_SIZE])
		return -EBADMSG;
	e->sreg = xd_nft_be32(tb[NFTA_BYTEORDER_SREG]);
	e->dreg = xd_nft_be32(tb[NFTA_BYTEORDER_DREG]);
	e->op = xd_nft_be32(tb[NFTA_BYTEORDER_OP]);
	e->len = xd_nft_be32(tb[NFTA_BYTEORDER_LEN]);
	e->size = xd_nft_be32(tb[NFTA_BYTEORDER_SIZE]);
	if (!reg_ok(e->sreg) || !reg_ok(e->dreg) || !e->sreg || !e->dreg || e->op > 1 ||
	    (e->size != 2 && e->size != 4 && e->size != 8) || e->len == 0 || e->len > 64 ||
	    e->len % e->size)
		return -EBADMSG;
	return 0;
}

/* ---- payload ---- */
static const struct nft_pol payload_pol[NFTA_PAYLOAD_MAX + 1] = {
	[NFTA_PAYLOAD_DREG] = { NA_U32 },        [NFTA_PAYLOAD_BASE] = { NA_U32 },
	[NFTA_PAYLOAD_OFFSET] = { NA_U32 },      [NFTA_PAYLOAD_LEN] = { NA_U32 },
	[NFTA_PAYLOAD_SREG] = { NA_U32 },        [NFTA_PAYLOAD_CSUM_TYPE] = { NA_U32 },
	[NFTA_PAYLOAD_CSUM_OFFSET] = { NA_U32 }, [NFTA_PAYLOAD_CSUM_FLAGS] = { NA_U32 },
};

static int dec_payload(struct nft_dctx *c, const struct nlattr **tb, struct xd_fw_expr *e)
{
	if (!tb[NFTA_PAYLOAD_BASE] || !tb[NFTA_PAYLOAD_OFFSET] || !tb[NFTA_PAYLOAD_LEN])
		return -EBADMSG;
	e->base = xd_nft_be32(tb[NFTA_PAYLOAD_BASE]);
	e->offset = xd_nft_be32(tb[NFTA_PAYLOAD_OFFSET]);
	e->len = xd_nft_be32(tb[NFTA_PAYLOAD_LEN]);
	if (e->len == 0 || e->len > 64 || e->offset > 0xffff)
		return -EBADMSG;
	if (tb[NFTA_PAYLOAD_SREG]) {
		e->write = true;
		e->sreg = xd_nft_be32(tb[NFTA_PAYLOAD_SREG]);
		return reg_ok(e->sreg) ? 0 : -EBADMSG;
	}
	if (!tb[NFTA_PAYLOAD_DREG])
		return -EBADMSG;
	e->dreg = xd_nft_be32(tb[NFTA_PAYLOAD_DREG]);
	return reg_ok(e->dreg) && e->dreg ? 0 : -EBADMSG;
}

/* ---- meta / ct / rt / xfrm: key + dreg (or sreg for a set) ---- */
static const struct nft_pol meta_pol[NFTA_META_MAX + 1] = {
	[NFTA_META_DREG] = { NA_U32 },
	[NFTA_META_KEY] = { NA_U32 },
	[NFTA_META_SREG] = { NA_U32 },
};

static int dec_meta(struct nft_dctx *c, const struct nlattr **tb, struct xd_fw_expr *e)
{
	if (!tb[NFTA_META_KEY])
		return -EBADMSG;
	e->key = xd_nft_be32(tb[NFTA_META_KEY]);
	if (tb[NFTA_META_SREG]) {
		e->write = true;
		e->sreg = xd_nft_be32(tb[NFTA_META_SREG]);
		return reg_ok(e->sreg) ? 0 : -EBADMSG;
	}
	if (!tb[NFTA_META_DREG])
		return -EBADMSG;
	e->dreg = xd_nft_be32(tb[NFTA_META_DREG]);
	return reg_ok(e->dreg) && e->dreg ? 0 : -EBADMSG;
}

static const struct nft_pol ct_pol[NFTA_CT_MAX + 1] = {
	[NFTA_CT_DREG] = { NA_U32 },
	[NFTA_CT_KEY] = { NA_U32 },
	[NFTA_CT_DIRECTION] = { NA_BIN, 1 },
	[NFTA_CT_SREG] = { NA_U32 },
};

static int dec_ct(struct nft_dctx *c, const struct nlattr **tb, struct xd_fw_expr *e)
{
	if (!tb[NFTA_CT_KEY])
		return -EBADMSG;
	e->key = xd_nft_be32(tb[NFTA_CT_KEY]);
	e->dir = tb[NFTA_CT_DIRECTION] ? *(const uint8_t *)xd_attr_payload(tb[NFTA_CT_DIRECTION])
				       : 0xff;
	if (tb[NFTA_CT_SREG]) {
		e->write = true;
		e->sreg = xd_nft_be32(tb[NFTA_CT_SREG]);
		return reg_ok(e->sreg) ? 0 : -EBADMSG;
	}
	if (!tb[NFTA_CT_DREG])
		return -EBADMSG;
	e->dreg = xd_nft_be32(tb[NFTA_CT_DREG]);
	return reg_ok(e->dreg) && e->dreg ? 0 : -EBADMSG;
}

static const struct nft_pol rt_pol[NFTA_RT_MAX + 1] = {
	[NFTA_RT_DREG] = { NA_U32 },
	[NFTA_RT_KEY] = { NA_U32 },
};

static int dec_rt(struct nft_dctx *c, const struct nlattr **tb, struct xd_fw_expr *e)
{
	if (!tb[NFTA_RT_KEY] || !tb[NFTA_RT_DREG])
		return -EBADMSG;
	e->key = xd_nft_be32(tb[NFTA_RT_KEY]);
	e->dreg = xd_nft_be32(tb[NFTA_RT_DREG]);
	return reg_ok(e->dreg) && e->dreg ? 0 : -EBADMSG;
}

static const struct nft_pol xfrm_pol[NFTA_XFRM_MAX + 1] = {
	[NFTA_XFRM_DREG] = { NA_U32 },
	[NFTA_XFRM_KEY] = { NA_U32 },
	[NFTA_XFRM_DIR] = { NA_BIN, 1 },
	[NFTA_XFRM_SPNUM] = { NA_U32 },
};

static int dec_xfrm(struct nft_dctx *c, const struct nlattr **tb, struct xd_fw_expr *e)
{
	if (!tb[NFTA_XFRM_KEY] || !tb[NFTA_XFRM_DREG] || !tb[NFTA_XFRM_DIR])
		return -EBADMSG;
	e->key = xd_nft_be32(tb[NFTA_XFRM_KEY]);
	e->dreg = xd_nft_be32(tb[NFTA_XFRM_DREG]);
	e->dir = *(const uint8_t *)xd_attr_payload(tb[NFTA_XFRM_DIR]);
	e->spnum = u32_or(tb[NFTA_XFRM_SPNUM], 0);
	return reg_ok(e->dreg) && e->dreg ? 0 : -EBADMSG;
}

/* ---- lookup ---- */
static const struct nft_pol lookup_pol[NFTA_LOOKUP_MAX + 1] = {
	[NFTA_LOOKUP_SET] = { NA_STR, NFT_SET_MAXNAMELEN },
	[NFTA_LOOKUP_SREG] = { NA_U32 },
	[NFTA_LOOKUP_DREG] = { NA_U32 },
	[NFTA_LOOKUP_SET_ID] = { NA_U32 },
	[NFTA_LOOKUP_FLAGS] = { NA_U32 },
};

static int dec_lookup(struct nft_dctx *c, const struct nlattr **tb, struct xd_fw_expr *e)
{
	if (!tb[NFTA_LOOKUP_SET] || !tb[NFTA_LOOKUP_SREG])
		return -EBADMSG;
	e->set = xd_snapshot_intern(c->s, mnl_attr_get_str(tb[NFTA_LOOKUP_SET]),
				    NFT_SET_MAXNAMELEN);
	e->sreg = xd_nft_be32(tb[NFTA_LOOKUP_SREG]);
	e->flags = u32_or(tb[NFTA_LOOKUP_FLAGS], 0);
	/* no DREG = plain set membership; DREG 0 = verdict map */
	e->dreg = tb[NFTA_LOOKUP_DREG] ? xd_nft_be32(tb[NFTA_LOOKUP_DREG]) : UINT32_MAX;
	if (!reg_ok(e->sreg) || !e->sreg || (e->dreg != UINT32_MAX && !reg_ok(e->dreg)))
		return -EBADMSG;
	return 0;
}

/* ---- side effects and terminal statements ---- */
static const struct nft_pol none_pol[1];

static int dec_nothing(struct nft_dctx *c, const struct nlattr **tb, struct xd_fw_expr *e)
{
	return 0;
}

static const struct nft_pol log_pol[NFTA_LOG_MAX + 1] = {
	[NFTA_LOG_PREFIX] = { NA_STR, 128 },
};

static int dec_log(struct nft_dctx *c, const struct nlattr **tb, struct xd_fw_expr *e)
{
	if (tb[NFTA_LOG_PREFIX])
		e->text = xd_snapshot_intern(c->s, mnl_attr_get_str(tb[NFTA_LOG_PREFIX]), 128);
	return 0;
}

static const struct nft_pol limit_pol[NFTA_LIMIT_MAX + 1] = {
	[NFTA_LIMIT_RATE] = { NA_U64 }, [NFTA_LIMIT_UNIT] = { NA_U64 },
	[NFTA_LIMIT_BURST] = { NA_U32 }, [NFTA_LIMIT_TYPE] = { NA_U32 },
	[NFTA_LIMIT_FLAGS] = { NA_U32 },
};

static int dec_limit(struct nft_dctx *c, const struct nlattr **tb, struct xd_fw_expr *e)
{
	e->flags = u32_or(tb[NFTA_LIMIT_FLAGS], 0);
	return 0;
}

static const struct nft_pol quota_pol[NFTA_QUOTA_MAX + 1] = {
	[NFTA_QUOTA_BYTES] = { NA_U64 },
	[NFTA_QUOTA_FLAGS] = { NA_U32 },
};

static int dec_quota(struct nft_dctx *c, const struct nlattr **tb, struct xd_fw_expr *e)
{
	e->flags = u32_or(tb[NFTA_QUOTA_FLAGS], 0);
	return 0;
}

static const struct nft_pol reject_pol[NFTA_REJECT_MAX + 1] = {
	[NFTA_REJECT_TYPE] = { NA_U32 },
	[NFTA_REJECT_ICMP_CODE] = { NA_BIN, 1 },
};

static int dec_reject(struct nft_dctx *c, const struct nlattr **tb, struct xd_fw_expr *e)
{
	e->op = u32_or(tb[NFTA_REJECT_TYPE], 0);
	return 0;
}

static const struct nft_pol nat_pol[NFTA_NAT_MAX + 1] = {
	[NFTA_NAT_TYPE] = { NA_U32 },
	[NFTA_NAT_FAMILY] = { NA_U32 },
};

static int dec_nat(struct nft_dctx *c, const struct nlattr **tb, struct xd_fw_expr *e)
{
	if (!tb[NFTA_NAT_TYPE])
		return -EBADMSG;
	e->op = xd_nft_be32(tb[NFTA_NAT_TYPE]); /* NFT_NAT_SNAT 0, NFT_NAT_DNAT 1 */
	e->text = e->op == NFT_NAT_SNAT ? "snat" : e->op == NFT_NAT_DNAT ? "dnat" : "nat";
	return 0;
}

static int dec_masq(struct nft_dctx *c, const struct nlattr **tb, struct xd_fw_expr *e)
{
	e->op = NFT_NAT_SNAT;
	e->text = "masquerade";
	return 0;
}

static int dec_redir(struct nft_dctx *c, const struct nlattr **tb, struct xd_fw_expr *e)
{
	e->op = NFT_NAT_DNAT;
	e->text = "redirect";
	return 0;
}

static const struct nft_pol dynset_pol[NFTA_DYNSET_MAX + 1] = {
	[NFTA_DYNSET_SET_NAME] = { NA_STR, NFT_SET_MAXNAMELEN },
	[NFTA_DYNSET_OP] = { NA_U32 },
	[NFTA_DYNSET_SREG_KEY] = { NA_U32 },
	[NFTA_DYNSET_FLAGS] = { NA_U32 },
};

static int dec_dynset(struct nft_dctx *c, const struct nlattr **tb, struct xd_fw_expr *e)
{
	if (tb[NFTA_DYNSET_SET_NAME])
		e->set = xd_snapshot_intern(c->s, mnl_attr_get_str(tb[NFTA_DYNSET_SET_NAME]),
					    NFT_SET_MAXNAMELEN);
	e->op = u32_or(tb[NFTA_DYNSET_OP], 0);
	e->flags = u32_or(tb[NFTA_DYNSET_FLAGS], 0);
	return 0;
}

static const struct nft_pol objref_pol[NFTA_OBJREF_MAX + 1] = {
	[NFTA_OBJREF_IMM_TYPE] = { NA_U32 },
	[NFTA_OBJREF_IMM_NAME] = { NA_STR, NFT_OBJ_MAXNAMELEN },
	[NFTA_OBJREF_SET_SREG] = { NA_U32 },
	[NFTA_OBJREF_SET_NAME] = { NA_STR, NFT_SET_MAXNAMELEN },
};

static int dec_objref(struct nft_dctx *c, const struct nlattr **tb, struct xd_fw_expr *e)
{
	e->key = u32_or(tb[NFTA_OBJREF_IMM_TYPE], 0); /* 0: object chosen by a map at runtime */
	if (tb[NFTA_OBJREF_IMM_NAME])
		e->text = xd_snapshot_intern(c->s, mnl_attr_get_str(tb[NFTA_OBJREF_IMM_NAME]),
					     NFT_OBJ_MAXNAMELEN);
	if (tb[NFTA_OBJREF_SET_NAME])
		e->set = xd_snapshot_intern(c->s, mnl_attr_get_str(tb[NFTA_OBJREF_SET_NAME]),
					    NFT_SET_MAXNAMELEN);
	return 0;
}

static const struct nft_pol queue_pol[NFTA_QUEUE_MAX + 1] = {
	[NFTA_QUEUE_FLAGS] = { NA_BIN, 2 },
};

/* ---- exthdr / fib ---- */
static const struct nft_pol exthdr_pol[NFTA_EXTHDR_MAX + 1] = {
	[NFTA_EXTHDR_DREG] = { NA_U32 },   [NFTA_EXTHDR_TYPE] = { NA_BIN, 1 },
	[NFTA_EXTHDR_OFFSET] = { NA_U32 }, [NFTA_EXTHDR_LEN] = { NA_U32 },
	[NFTA_EXTHDR_FLAGS] = { NA_U32 },  [NFTA_EXTHDR_OP] = { NA_U32 },
	[NFTA_EXTHDR_SREG] = { NA_U32 },
};

/* key = header/option type, op = NFT_EXTHDR_OP_*, flags = NFT_EXTHDR_F_* */
static int dec_exthdr(struct nft_dctx *c, const struct nlattr **tb, struct xd_fw_expr *e)
{
	if (!tb[NFTA_EXTHDR_TYPE] || !tb[NFTA_EXTHDR_LEN])
		return -EBADMSG;
	e->key = *(const uint8_t *)xd_attr_payload(tb[NFTA_EXTHDR_TYPE]);
	e->offset = u32_or(tb[NFTA_EXTHDR_OFFSET], 0);
	e->len = xd_nft_be32(tb[NFTA_EXTHDR_LEN]);
	e->flags = u32_or(tb[NFTA_EXTHDR_FLAGS], 0);
	e->op = u32_or(tb[NFTA_EXTHDR_OP], NFT_EXTHDR_OP_IPV6);
	if (tb[NFTA_EXTHDR_SREG]) {
		e->write = true;
		e->sreg = xd_nft_be32(tb[NFTA_EXTHDR_SREG]);
		return reg_ok(e->sreg) ? 0 : -EBADMSG;
	}
	if (!tb[NFTA_EXTHDR_DREG] || e->len == 0 || e->len > 16)
		return -EBADMSG;
	e->dreg = xd_nft_be32(tb[NFTA_EXTHDR_DREG]);
	return reg_ok(e->dreg) && e->dreg ? 0 : -EBADMSG;
}

static const struct nft_pol fib_pol[NFTA_FIB_MAX + 1] = {
	[NFTA_FIB_DREG] = { NA_U32 },
	[NFTA_FIB_RESULT] = { NA_U32 },
	[NFTA_FIB_FLAGS] = { NA_U32 },
};

/* key = NFT_FIB_RESULT_*, flags = NFTA_FIB_F_* */
static int dec_fib(struct nft_dctx *c, const struct nlattr **tb, struct xd_fw_expr *e)
{
	if (!tb[NFTA_FIB_DREG] || !tb[NFTA_FIB_RESULT] || !tb[NFTA_FIB_FLAGS])
		return -EBADMSG;
	e->dreg = xd_nft_be32(tb[NFTA_FIB_DREG]);
	e->key = xd_nft_be32(tb[NFTA_FIB_RESULT]);
	e->flags = xd_nft_be32(tb[NFTA_FIB_FLAGS]);
	return reg_ok(e->dreg) && e->dreg ? 0 : -EBADMSG;
}

/* ---- xt compat ---- */
static const struct nft_pol match_pol[NFTA_MATCH_MAX + 1] = {
	[NFTA_MATCH_NAME] = { NA_STR, 32 },
	[NFTA_MATCH_REV] = { NA_U32 },
	[NFTA_MATCH_INFO] = { NA_BIN, 4096 },
};

static int dec_xt(struct nft_dctx *c, const struct nlattr **tb, struct xd_fw_expr *e,
		  bool target)
{
	/* NFTA_MATCH_* and NFTA_TARGET_* share their numbering */
	const struct nlattr *info = tb[NFTA_MATCH_INFO];

	if (!tb[NFTA_MATCH_NAME] || !tb[NFTA_MATCH_REV])
		return -EBADMSG;
	e->xt = xd_xt_decode(c->s, mnl_attr_get_str(tb[NFTA_MATCH_NAME]),
			     (uint8_t)xd_nft_be32(tb[NFTA_MATCH_REV]), target, c->family,
			     info ? xd_attr_payload(info) : NULL,
			     info ? xd_attr_payload_len(info) : 0);
	if (!e->xt)
		return -ENOMEM;
	e->text = e->xt->name;
	return 0;
}

static int dec_match(struct nft_dctx *c, const struct nlattr **tb, struct xd_fw_expr *e)
{
	return dec_xt(c, tb, e, false);
}

static int dec_target(struct nft_dctx *c, const struct nlattr **tb, struct xd_fw_expr *e)
{
	return dec_xt(c, tb, e, true);
}

#define OPS(n, k, p, f) { n, k, XD_ARRAY_SIZE(p) - 1, p, f }

static const struct expr_ops expr_ops[] = {
	OPS("immediate", XD_FWX_IMMEDIATE, imm_pol, dec_immediate),
	OPS("cmp", XD_FWX_CMP, cmp_pol, dec_cmp),
	OPS("range", XD_FWX_RANGE, range_pol, dec_range),
	OPS("bitwise", XD_FWX_BITWISE, bitwise_pol, dec_bitwise),
	OPS("byteorder", XD_FWX_BYTEORDER, byteorder_pol, dec_byteorder),
	OPS("payload", XD_FWX_PAYLOAD, payload_pol, dec_payload),
	OPS("meta", XD_FWX_META, meta_pol, dec_meta),
	OPS("ct", XD_FWX_CT, ct_pol, dec_ct),
	OPS("rt", XD_FWX_RT, rt_pol, dec_rt),
	OPS("xfrm", XD_FWX_XFRM, xfrm_pol, dec_xfrm),
	OPS("lookup", XD_FWX_LOOKUP, lookup_pol, dec_lookup),
	OPS("counter", XD_FWX_COUNTER, none_pol, dec_nothing),
	OPS("last", XD_FWX_LAST, none_pol, dec_nothing),
	OPS("log", XD_FWX_LOG, log_pol, dec_log),
	OPS("limit", XD_FWX_LIMIT, limit_pol, dec_limit),
	OPS("quota", XD_FWX_QUOTA, quota_pol, dec_quota),
	OPS("reject", XD_FWX_REJECT, reject_pol, dec_reject),
	OPS("nat", XD_FWX_NAT, nat_pol, dec_nat),
	OPS("masq", XD_FWX_NAT, none_pol, dec_masq),
	OPS("redir", XD_FWX_NAT, none_pol, dec_redir),
	OPS("notrack", XD_FWX_NOTRACK, none_pol, dec_nothing),
	OPS("queue", XD_FWX_QUEUE, queue_pol, dec_nothing),
	OPS("dynset", XD_FWX_DYNSET, dynset_pol, dec_dynset),
	OPS("objref", XD_FWX_OBJREF, objref_pol, dec_objref),
	OPS("fib", XD_FWX_FIB, fib_pol, dec_fib),
	OPS("exthdr", XD_FWX_EXTHDR, exthdr_pol, dec_exthdr),
	OPS("match", XD_FWX_MATCH, match_pol, dec_match),
	OPS("target", XD_FWX_TARGET, match_pol, dec_target),
};

static const struct nft_pol expr_pol[NFTA_EXPR_MAX + 1] = {
	[NFTA_EXPR_NAME] = { NA_STR, 32 },
	[NFTA_EXPR_DATA] = { NA_NEST },
};

int xd_nft_expr(struct nft_dctx *c, const struct nlattr *elem, struct xd_fw_expr *e)
{
	const struct nlattr *tb[NFTA_EXPR_MAX + 1];
	const struct nlattr *ab[ATTR_MAX + 1];
	const char *name;

	_Static_assert(NFTA_EXPR_MAX < ATTR_MAX, "attribute slots");
	memset(e, 0, sizeof(*e));
	e->kind = XD_FWX_OPAQUE;
	if (xd_nft_parse(c, NULL, elem, expr_pol, NFTA_EXPR_MAX, tb) < 0 || !tb[NFTA_EXPR_NAME])
		return -EBADMSG;
	name = mnl_attr_get_str(tb[NFTA_EXPR_NAME]);
	e->name = xd_snapshot_intern(c->s, name, 32);
	for (size_t i = 0; i < XD_ARRAY_SIZE(expr_ops); i++) {
		const struct expr_ops *o = &expr_ops[i];
		if (strcmp(o->name, name) != 0)
			continue;
		memset(ab, 0, sizeof(ab));
		if (tb[NFTA_EXPR_DATA] &&
		    xd_nft_parse(c, NULL, tb[NFTA_EXPR_DATA], o->pol, o->max, ab) < 0)
			return -EBADMSG;
		e->kind = o->kind;
		if (o->decode(c, ab, e) < 0) {
			xd_nft_issue(c, -EBADMSG, NFTA_EXPR_DATA, "expression attributes invalid");
			memset(e, 0, sizeof(*e));
			e->kind = XD_FWX_OPAQUE;
			e->name = xd_snapshot_intern(c->s, name, 32);
			return 0;
		}
		if (e->kind == XD_FWX_MATCH || e->kind == XD_FWX_TARGET) {
			/* nft's own heuristic: xt statements mean iptables-nft manages the table */
			for (size_t t = 0; t < c->fw->tables.len; t++) {
				struct xd_fw_table *tab = xd_vec_at(&c->fw->tables, t);
				if (tab->family == c->family && c->table && tab->name &&
				    strcmp(tab->name, c->table) == 0)
					tab->has_xt = true;
			}
		}
		return 0;
	}
	return 0; /* unknown name: opaque, kept with its name */
}
