/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * decode-nft.c: turns nf_tables records (NEWGEN/TABLE/CHAIN/SET/SETELEM/RULE/FLOWTABLE
 * messages) into the firewall model. Every attribute is checked against a policy table
 * before it is read; a bad attribute is reported and skipped, a broken message ends that
 * message only. Never hands bytes to libnftnl (it terminates the process on malformed input).
 */
#include <errno.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <stdlib.h>
#include <string.h>

#include "decode-nft.h"
#include "nl-walk.h"
#include "xfrmd/decode.h"
#include "xfrmd/fw-model.h"
#include "xfrmd/model.h"

#define MAX_EXPRS_PER_RULE 256 /* the kernel allows more, but no real rule needs it */

void xd_nft_issue(struct nft_dctx *c, int code, uint16_t attr, const char *what)
{
	struct xd_decode_issue i = { .code = code, .dump = c->dump, .nlmsg_type = c->msg,
				     .attr = attr, .what = what };

	xd_snapshot_add_issue(c->s, &i);
}

struct parse_ctx {
	struct nft_dctx *c;
	const struct nft_pol *pol;
	unsigned max;
	const struct nlattr **tb;
};

static int parse_cb(const struct nlattr *a, void *data)
{
	struct parse_ctx *p = data;
	uint16_t t = xd_attr_type(a);
	uint16_t len = xd_attr_payload_len(a);
	const struct nft_pol *pol;
	bool ok;

	if (t > p->max || p->pol[t].type == NA_NONE) {
		p->c->s->unknown_attrs++;
		return MNL_CB_OK;
	}
	pol = &p->pol[t];
	switch (pol->type) {
	case NA_U32:
		ok = len == 4;
		break;
	case NA_U64:
		ok = len == 8;
		break;
	case NA_STR:
		ok = len > 0 && (!pol->max || len <= pol->max) &&
		     memchr(xd_attr_payload(a), '\0', len) != NULL;
		break;
	case NA_NEST:
		ok = len == 0 || len >= 4;
		break;
	case NA_BIN:
		ok = len > 0 && (!pol->max || len <= pol->max);
		break;
	default:
		ok = false;
	}
	if (!ok) {
		xd_nft_issue(p->c, -EBADMSG, t, "attribute of wrong length");
		return MNL_CB_OK;
	}
	p->tb[t] = a;
	return MNL_CB_OK;
}

int xd_nft_parse(struct nft_dctx *c, const struct nlmsghdr *nlh, const struct nlattr *nest,
		 const struct nft_pol *pol, unsigned max, const struct nlattr **tb)
{
	struct parse_ctx p = { .c = c, .pol = pol, .max = max, .tb = tb };
	int r;

	memset(tb, 0, (max + 1) * sizeof(*tb));
	if (nest)
		r = mnl_attr_parse_nested(nest, parse_cb, &p);
	else
		r = mnl_attr_parse(nlh, sizeof(struct nfgenmsg), parse_cb, &p);
	if (r < 0) {
		xd_nft_issue(c, -EBADMSG, 0, "truncated attribute stream");
		return -EBADMSG;
	}
	return 0;
}

static const struct nft_pol verdict_pol[NFTA_VERDICT_MAX + 1] = {
	[NFTA_VERDICT_CODE] = { NA_U32 },
	[NFTA_VERDICT_CHAIN] = { NA_STR, NFT_CHAIN_MAXNAMELEN },
};

static const struct nft_pol data_pol[NFTA_DATA_MAX + 1] = {
	[NFTA_DATA_VALUE] = { NA_BIN, XD_FW_DATA_MAX },
	[NFTA_DATA_VERDICT] = { NA_NEST },
};

int xd_nft_data(struct nft_dctx *c, const struct nlattr *nest, uint8_t *value, size_t cap,
		uint8_t *len, bool *is_verdict, int32_t *verdict, const char **chain)
{
	const struct nlattr *tb[NFTA_DATA_MAX + 1];

	*is_verdict = false;
	*len = 0;
	if (xd_nft_parse(c, NULL, nest, data_pol, NFTA_DATA_MAX, tb) < 0)
		return -EBADMSG;
	if (tb[NFTA_DATA_VALUE]) {
		uint16_t l = xd_attr_payload_len(tb[NFTA_DATA_VALUE]);
		if (l > cap) {
			xd_nft_issue(c, -EBADMSG, NFTA_DATA_VALUE, "data value too long");
			return -EBADMSG;
		}
		memcpy(value, xd_attr_payload(tb[NFTA_DATA_VALUE]), l);
		*len = (uint8_t)l;
		return 0;
	}
	if (tb[NFTA_DATA_VERDICT]) {
		const struct nlattr *vb[NFTA_VERDICT_MAX + 1];
		if (xd_nft_parse(c, NULL, tb[NFTA_DATA_VERDICT], verdict_pol, NFTA_VERDICT_MAX,
				 vb) < 0 ||
		    !vb[NFTA_VERDICT_CODE]) {
			xd_nft_issue(c, -EBADMSG, NFTA_DATA_VERDICT, "verdict without code");
			return -EBADMSG;
		}
		*is_verdict = true;
		*verdict = (int32_t)xd_nft_be32(vb[NFTA_VERDICT_CODE]);
		*chain = vb[NFTA_VERDICT_CHAIN]
				 ? xd_snapshot_intern(c->s, mnl_attr_get_str(vb[NFTA_VERDICT_CHAIN]),
						      NFT_CHAIN_MAXNAMELEN)
				 : NULL;
		return 0;
	}
	xd_nft_issue(c, -EBADMSG, 0, "data nest with neither value nor verdict");
	return -EBADMSG;
}

static const char *istr(struct nft_dctx *c, const struct nlattr *a)
{
	return a ? xd_snapshot_intern(c->s, mnl_attr_get_str(a), xd_attr_payload_len(a))
		 : NULL;
}

/* ---- tables ---- */

static const struct nft_pol table_pol[NFTA_TABLE_MAX + 1] = {
	[NFTA_TABLE_NAME] = { NA_STR, NFT_TABLE_MAXNAMELEN },
	[NFTA_TABLE_FLAGS] = { NA_U32 },
	[NFTA_TABLE_USE] = { NA_U32 },
	[NFTA_TABLE_HANDLE] = { NA_U64 },
};

static void decode_table(struct nft_dctx *c, const struct nlmsghdr *nlh)
{
	const struct nlattr *tb[NFTA_TABLE_MAX + 1];
	struct xd_fw_table *t;

	if (xd_nft_parse(c, nlh, NULL, table_pol, NFTA_TABLE_MAX, tb) < 0)
		return;
	if (!tb[NFTA_TABLE_NAME]) {
		xd_nft_issue(c, -EBADMSG, NFTA_TABLE_NAME, "table without name");
		return;
	}
	t = xd_vec_push(&c->fw->tables);
	if (!t)
		return;
	t->name = istr(c, tb[NFTA_TABLE_NAME]);
	t->family = c->family;
	t->backend = XD_FW_NFT;
	if (tb[NFTA_TABLE_FLAGS])
		t->flags = xd_nft_be32(tb[NFTA_TABLE_FLAGS]);
	if (tb[NFTA_TABLE_USE])
		t->use = xd_nft_be32(tb[NFTA_TABLE_USE]);
	if (tb[NFTA_TABLE_HANDLE])
		t->handle = be64toh(mnl_attr_get_u64(tb[NFTA_TABLE_HANDLE]));
}

/* ---- chains ---- */

static const struct nft_pol chain_pol[NFTA_CHAIN_MAX + 1] = {
	[NFTA_CHAIN_TABLE] = { NA_STR, NFT_TABLE_MAXNAMELEN },
	[NFTA_CHAIN_HANDLE] = { NA_U64 },
	[NFTA_CHAIN_NAME] = { NA_STR, NFT_CHAIN_MAXNAMELEN },
	[NFTA_CHAIN_HOOK] = { NA_NEST },
	[NFTA_CHAIN_POLICY] = { NA_U32 },
	[NFTA_CHAIN_TYPE] = { NA_STR, 32 },
	[NFTA_CHAIN_FLAGS] = { NA_U32 },
};

static const struct nft_pol hook_pol[NFTA_HOOK_MAX + 1] = {
	[NFTA_HOOK_HOOKNUM] = { NA_U32 },
	[NFTA_HOOK_PRIORITY] = { NA_U32 },
	[NFTA_HOOK_DEV] = { NA_STR, 16 },
	[NFTA_HOOK_DEVS] = { NA_NEST },
};

/* Join the NFTA_DEVICE_NAME strings of a nest with commas. */
static const char *dev_list(struct nft_dctx *c, const struct nlattr *nest)
{
	char buf[512] = "";
	size_t used = 0;
	const struct nlattr *a;

	xd_nft_for_each_nested(a, nest) {
		uint16_t l = xd_attr_payload_len(a);
		if (xd_attr_type(a) != NFTA_DEVICE_NAME || l == 0 || l > 16 ||
		    !memchr(xd_attr_payload(a), '\0', l))
			continue;
		int n = snprintf(buf + used, sizeof(buf) - used, "%s%s", used ? "," : "",
				 mnl_attr_get_str(a));
		if (n < 0 || (size_t)n >= sizeof(buf) - used)
			break;
		used += (size_t)n;
	}
	return used ? xd_snapshot_intern(c->s, buf, used) : NULL;
}

static void decode_chain(struct nft_dctx *c, const struct nlmsghdr *nlh)
{
	const struct nlattr *tb[NFTA_CHAIN_MAX + 1];
	struct xd_fw_chain *ch;

	if (xd_nft_parse(c, nlh, NULL, chain_pol, NFTA_CHAIN_MAX, tb) < 0)
		return;
	if (!tb[NFTA_CHAIN_TABLE] || !tb[NFTA_CHAIN_NAME]) {
		xd_nft_issue(c, -EBADMSG, NFTA_CHAIN_NAME, "chain without table or name");
		return;
	}
	ch = xd_vec_push(&c->fw->chains);
	if (!ch)
		return;
	ch->family = c->family;
	ch->backend = XD_FW_NFT;
	ch->table = istr(c, tb[NFTA_CHAIN_TABLE]);
	ch->name = istr(c, tb[NFTA_CHAIN_NAME]);
	if (tb[NFTA_CHAIN_HANDLE])
		ch->handle = be64toh(mnl_attr_get_u64(tb[NFTA_CHAIN_HANDLE]));
	if (tb[NFTA_CHAIN_FLAGS])
		ch->flags = xd_nft_be32(tb[NFTA_CHAIN_FLAGS]);
	if (tb[NFTA_CHAIN_POLICY]) {
		ch->policy = xd_nft_be32(tb[NFTA_CHAIN_POLICY]);
		ch->has_policy = true;
	}
	ch->type = istr(c, tb[NFTA_CHAIN_TYPE]);
	if (tb[NFTA_CHAIN_HOOK]) {
		const struct nlattr *hb[NFTA_HOOK_MAX + 1];
		if (xd_nft_parse(c, NULL, tb[NFTA_CHAIN_HOOK], hook_pol, NFTA_HOOK_MAX, hb) == 0 &&
		    hb[NFTA_HOOK_HOOKNUM] && hb[NFTA_HOOK_PRIORITY]) {
			ch->base = true;
			ch->hooknum = xd_nft_be32(hb[NFTA_HOOK_HOOKNUM]);
			ch->prio = (int32_t)xd_nft_be32(hb[NFTA_HOOK_PRIORITY]);
			if (hb[NFTA_HOOK_DEV])
				ch->dev = istr(c, hb[NFTA_HOOK_DEV]);
			else if (hb[NFTA_HOOK_DEVS])
				ch->dev = dev_list(c, hb[NFTA_HOOK_DEVS]);
		} else
			xd_nft_issue(c, -EBADMSG, NFTA_CHAIN_HOOK, "base chain hook incomplete");
	}
	if (ch->base && !ch->has_policy) {
		/* the kernel always sends a policy for base chains; without it we cannot
		 * know what falling off the chain does, and we never guess */
		xd_nft_issue(c, -EBADMSG, NFTA_CHAIN_POLICY, "base chain without policy");
	}
}

/* ---- sets ---- */

static const struct nft_pol set_pol[NFTA_SET_MAX + 1] = {
	[NFTA_SET_TABLE] = { NA_STR, NFT_TABLE_MAXNAMELEN },
	[NFTA_SET_NAME] = { NA_STR, NFT_SET_MAXNAMELEN },
	[NFTA_SET_FLAGS] = { NA_U32 },
	[NFTA_SET_KEY_TYPE] = { NA_U32 },
	[NFTA_SET_KEY_LEN] = { NA_U32 },
	[NFTA_SET_DATA_TYPE] = { NA_U32 },
	[NFTA_SET_DATA_LEN] = { NA_U32 },
	[NFTA_SET_DESC] = { NA_NEST },
	[NFTA_SET_HANDLE] = { NA_U64 },
	[NFTA_SET_OBJ_TYPE] = { NA_U32 },
};

static const struct nft_pol desc_pol[NFTA_SET_DESC_MAX + 1] = {
	[NFTA_SET_DESC_SIZE] = { NA_U32 },
	[NFTA_SET_DESC_CONCAT] = { NA_NEST },
};

static void decode_concat(struct nft_dctx *c, struct xd_fw_set *st, const struct nlattr *nest)
{
	const struct nlattr *el;

	xd_nft_for_each_nested(el, nest) {
		const struct nlattr *f;
		if (xd_attr_type(el) != NFTA_LIST_ELEM)
			continue;
		xd_nft_for_each_nested(f, el) {
			if (xd_attr_type(f) != NFTA_SET_FIELD_LEN ||
			    xd_attr_payload_len(f) != 4)
				continue;
			uint32_t l = xd_nft_be32(f);
			if (st->field_count >= XD_FW_CONCAT_MAX || l == 0 || l > XD_FW_DATA_MAX) {
				xd_nft_issue(c, -EBADMSG, NFTA_SET_DESC_CONCAT, "bad concat field");
				st->field_count = 0;
				return;
			}
			st->field_len[st->field_count++] = (uint8_t)l;
		}
	}
}

static void decode_set(struct nft_dctx *c, const struct nlmsghdr *nlh)
{
	const struct nlattr *tb[NFTA_SET_MAX + 1];
	struct xd_fw_set *st;

	if (xd_nft_parse(c, nlh, NULL, set_pol, NFTA_SET_MAX, tb) < 0)
		return;
	if (!tb[NFTA_SET_TABLE] || !tb[NFTA_SET_NAME]) {
		xd_nft_issue(c, -EBADMSG, NFTA_SET_NAME, "set without table or name");
		return;
	}
	st = xd_vec_push(&c->fw->sets);
	if (!st)
		return;
	st->family = c->family;
	st->table = istr(c, tb[NFTA_SET_TABLE]);
	st->name = istr(c, tb[NFTA_SET_NAME]);
	if (tb[NFTA_SET_FLAGS])
		st->flags = xd_nft_be32(tb[NFTA_SET_FLAGS]);
	if (tb[NFTA_SET_KEY_TYPE])
		st->key_type = xd_nft_be32(tb[NFTA_SET_KEY_TYPE]);
	if (tb[NFTA_SET_KEY_LEN])
		st->key_len = xd_nft_be32(tb[NFTA_SET_KEY_LEN]);
	if (tb[NFTA_SET_DATA_TYPE])
		st->data_type = xd_nft_be32(tb[NFTA_SET_DATA_TYPE]);
	if (tb[NFTA_SET_DATA_LEN])
		st->data_len = xd_nft_be32(tb[NFTA_SET_DATA_LEN]);
	if (tb[NFTA_SET_OBJ_TYPE])
		st->obj_type = xd_nft_be32(tb[NFTA_SET_OBJ_TYPE]);
	if (tb[NFTA_SET_HANDLE])
		st->handle = be64toh(mnl_attr_get_u64(tb[NFTA_SET_HANDLE]));
	if (st->key_len > XD_FW_DATA_MAX || st->data_len > XD_FW_DATA_MAX) {
		xd_nft_issue(c, -EBADMSG, NFTA_SET_KEY_LEN, "set key or data too long");
		st->key_len = st->key_len > XD_FW_DATA_MAX ? XD_FW_DATA_MAX : st->key_len;
		st->data_len = st->data_len > XD_FW_DATA_MAX ? XD_FW_DATA_MAX : st->data_len;
	}
	if (tb[NFTA_SET_DESC]) {
		const struct nlattr *db[NFTA_SET_DESC_MAX + 1];
		if (xd_nft_parse(c, NULL, tb[NFTA_SET_DESC], desc_pol, NFTA_SET_DESC_MAX, db) == 0 &&
		    db[NFTA_SET_DESC_CONCAT])
			decode_concat(c, st, db[NFTA_SET_DESC_CONCAT]);
	}
}

/* ---- set elements ---- */

static const struct nft_pol elist_pol[NFTA_SET_ELEM_LIST_MAX + 1] = {
	[NFTA_SET_ELEM_LIST_TABLE] = { NA_STR, NFT_TABLE_MAXNAMELEN },
	[NFTA_SET_ELEM_LIST_SET] = { NA_STR, NFT_SET_MAXNAMELEN },
	[NFTA_SET_ELEM_LIST_ELEMENTS] = { NA_NEST },
};

static const struct nft_pol elem_pol[NFTA_SET_ELEM_MAX + 1] = {
	[NFTA_SET_ELEM_KEY] = { NA_NEST },
	[NFTA_SET_ELEM_DATA] = { NA_NEST },
	[NFTA_SET_ELEM_FLAGS] = { NA_U32 },
	[NFTA_SET_ELEM_KEY_END] = { NA_NEST },
	[NFTA_SET_ELEM_OBJREF] = { NA_STR, 256 },
};

static void decode_setelems(struct nft_dctx *c, const struct nlmsghdr *nlh)
{
	const struct nlattr *tb[NFTA_SET_ELEM_LIST_MAX + 1];
	const char *table, *set;
	const struct nlattr *el;

	if (xd_nft_parse(c, nlh, NULL, elist_pol, NFTA_SET_ELEM_LIST_MAX, tb) < 0)
		return;
	if (!tb[NFTA_SET_ELEM_LIST_TABLE] || !tb[NFTA_SET_ELEM_LIST_SET]) {
		xd_nft_issue(c, -EBADMSG, NFTA_SET_ELEM_LIST_SET, "elements without table or set");
		return;
	}
	if (!tb[NFTA_SET_ELEM_LIST_ELEMENTS])
		return;
	table = istr(c, tb[NFTA_SET_ELEM_LIST_TABLE]);
	set = istr(c, tb[NFTA_SET_ELEM_LIST_SET]);
	xd_nft_for_each_nested(el, tb[NFTA_SET_ELEM_LIST_ELEMENTS]) {
		const struct nlattr *eb[NFTA_SET_ELEM_MAX + 1];
		struct xd_fw_elem e = { .table = table, .set = set, .family = c->family };
		bool isv;

		if (xd_attr_type(el) != NFTA_LIST_ELEM)
			continue;
		if (xd_nft_parse(c, NULL, el, elem_pol, NFTA_SET_ELEM_MAX, eb) < 0)
			continue;
		if (eb[NFTA_SET_ELEM_FLAGS])
			e.flags = xd_nft_be32(eb[NFTA_SET_ELEM_FLAGS]);
		if (eb[NFTA_SET_ELEM_KEY] &&
		    (xd_nft_data(c, eb[NFTA_SET_ELEM_KEY], e.key, sizeof(e.key), &e.key_len, &isv,
				 &e.verdict, &e.chain) < 0 || isv))
			continue;
		if (!eb[NFTA_SET_ELEM_KEY] && !(e.flags & NFT_SET_ELEM_CATCHALL)) {
			xd_nft_issue(c, -EBADMSG, NFTA_SET_ELEM_KEY, "element without key");
			continue;
		}
		if (eb[NFTA_SET_ELEM_KEY_END]) {
			if (xd_nft_data(c, eb[NFTA_SET_ELEM_KEY_END], e.key_end, sizeof(e.key_end),
					&e.key_end_len, &isv, &e.verdict, &e.chain) < 0 || isv)
				continue;
			e.has_key_end = true;
		}
		if (eb[NFTA_SET_ELEM_DATA]) {
			if (xd_nft_data(c, eb[NFTA_SET_ELEM_DATA], e.data, sizeof(e.data), &e.data_len,
					&e.has_verdict, &e.verdict, &e.chain) < 0)
				continue;
			e.has_data = !e.has_verdict;
		}
		struct xd_fw_elem *p = xd_vec_push(&c->fw->elems);
		if (p)
			*p = e;
	}
}

/* ---- rules ---- */

static const struct nft_pol rule_pol[NFTA_RULE_MAX + 1] = {
	[NFTA_RULE_TABLE] = { NA_STR, NFT_TABLE_MAXNAMELEN },
	[NFTA_RULE_CHAIN] = { NA_STR, NFT_CHAIN_MAXNAMELEN },
	[NFTA_RULE_HANDLE] = { NA_U64 },
	[NFTA_RULE_EXPRESSIONS] = { NA_NEST },
	[NFTA_RULE_COMPAT] = { NA_NEST },
	[NFTA_RULE_USERDATA] = { NA_BIN, 256 },
	[NFTA_RULE_POSITION] = { NA_U64 },
};

static const struct nft_pol compat_pol[NFTA_RULE_COMPAT_MAX + 1] = {
	[NFTA_RULE_COMPAT_PROTO] = { NA_U32 },
	[NFTA_RULE_COMPAT_FLAGS] = { NA_U32 },
};

/* Userdata is a TLV list {u8 type, u8 len, value}; type 0 is the comment (libnftnl udata.h). */
static const char *udata_comment(struct nft_dctx *c, const uint8_t *p, size_t len)
{
	size_t off = 0;

	while (off + 2 <= len) {
		uint8_t t = p[off], l = p[off + 1];
		if (off + 2 + l > len)
			break;
		if (t == 0 && l > 0)
			return xd_snapshot_intern(c->s, (const char *)p + off + 2, l);
		off += 2u + l;
	}
	return NULL;
}

static void decode_rule(struct nft_dctx *c, const struct nlmsghdr *nlh)
{
	const struct nlattr *tb[NFTA_RULE_MAX + 1];
	struct xd_fw_rule ru = { .family = c->family, .backend = XD_FW_NFT };
	const struct nlattr *el;
	struct xd_fw *fw = c->fw;
	size_t first = fw->exprs.len;

	if (xd_nft_parse(c, nlh, NULL, rule_pol, NFTA_RULE_MAX, tb) < 0)
		return;
	if (!tb[NFTA_RULE_TABLE] || !tb[NFTA_RULE_CHAIN]) {
		xd_nft_issue(c, -EBADMSG, NFTA_RULE_CHAIN, "rule without table or chain");
		return;
	}
	ru.table = istr(c, tb[NFTA_RULE_TABLE]);
	ru.chain = istr(c, tb[NFTA_RULE_CHAIN]);
	if (tb[NFTA_RULE_HANDLE])
		ru.handle = be64toh(mnl_attr_get_u64(tb[NFTA_RULE_HANDLE]));
	if (tb[NFTA_RULE_POSITION])
		ru.position = be64toh(mnl_attr_get_u64(tb[NFTA_RULE_POSITION]));
	if (tb[NFTA_RULE_USERDATA])
		ru.comment = udata_comment(c, xd_attr_payload(tb[NFTA_RULE_USERDATA]),
					   xd_attr_payload_len(tb[NFTA_RULE_USERDATA]));
	if (tb[NFTA_RULE_COMPAT]) {
		const struct nlattr *cb[NFTA_RULE_COMPAT_MAX + 1];
		if (xd_nft_parse(c, NULL, tb[NFTA_RULE_COMPAT], compat_pol, NFTA_RULE_COMPAT_MAX,
				 cb) == 0 &&
		    cb[NFTA_RULE_COMPAT_PROTO]) {
			ru.has_compat = true;
			ru.compat_proto = xd_nft_be32(cb[NFTA_RULE_COMPAT_PROTO]);
			if (cb[NFTA_RULE_COMPAT_FLAGS])
				ru.compat_flags = xd_nft_be32(cb[NFTA_RULE_COMPAT_FLAGS]);
		}
	}
	c->table = ru.table;
	if (tb[NFTA_RULE_EXPRESSIONS]) {
		xd_nft_for_each_nested(el, tb[NFTA_RULE_EXPRESSIONS]) {
			struct xd_fw_expr *e;
			if (xd_attr_type(el) != NFTA_LIST_ELEM)
				continue;
			if (fw->exprs.len - first >= MAX_EXPRS_PER_RULE) {
				xd_nft_issue(c, -E2BIG, NFTA_RULE_EXPRESSIONS, "too many expressions");
				/* a rule we cannot see whole must not be evaluated as if it were */
				e = xd_vec_push(&fw->exprs);
				if (e) {
					e->kind = XD_FWX_OPAQUE;
					e->name = "(truncated)";
				}
				break;
			}
			e = xd_vec_push(&fw->exprs);
			if (!e)
				return;
			if (xd_nft_expr(c, el, e) < 0) {
				/* keep a placeholder: dropping it would change what the rule does */
				memset(e, 0, sizeof(*e));
				e->kind = XD_FWX_OPAQUE;
				e->name = "(malformed)";
			}
		}
	}
	ru.expr_first = (uint32_t)first;
	ru.expr_count = (uint32_t)(fw->exprs.len - first);
	ru.seq = (uint32_t)fw->rules.len;
	struct xd_fw_rule *p = xd_vec_push(&fw->rules);
	if (p)
		*p = ru;
}

/* ---- flowtables ---- */

static const struct nft_pol ft_pol[NFTA_FLOWTABLE_MAX + 1] = {
	[NFTA_FLOWTABLE_TABLE] = { NA_STR, NFT_TABLE_MAXNAMELEN },
	[NFTA_FLOWTABLE_NAME] = { NA_STR, NFT_NAME_MAXLEN },
	[NFTA_FLOWTABLE_HOOK] = { NA_NEST },
};

static const struct nft_pol fthook_pol[NFTA_FLOWTABLE_HOOK_MAX + 1] = {
	[NFTA_FLOWTABLE_HOOK_NUM] = { NA_U32 },
	[NFTA_FLOWTABLE_HOOK_PRIORITY] = { NA_U32 },
	[NFTA_FLOWTABLE_HOOK_DEVS] = { NA_NEST },
};

static void decode_flowtable(struct nft_dctx *c, const struct nlmsghdr *nlh)
{
	const struct nlattr *tb[NFTA_FLOWTABLE_MAX + 1];
	struct xd_fw_flowtable *ft;

	if (xd_nft_parse(c, nlh, NULL, ft_pol, NFTA_FLOWTABLE_MAX, tb) < 0)
		return;
	if (!tb[NFTA_FLOWTABLE_TABLE] || !tb[NFTA_FLOWTABLE_NAME])
		return;
	ft = xd_vec_push(&c->fw->flowtables);
	if (!ft)
		return;
	ft->family = c->family;
	ft->table = istr(c, tb[NFTA_FLOWTABLE_TABLE]);
	ft->name = istr(c, tb[NFTA_FLOWTABLE_NAME]);
	if (tb[NFTA_FLOWTABLE_HOOK]) {
		const struct nlattr *hb[NFTA_FLOWTABLE_HOOK_MAX + 1];
		if (xd_nft_parse(c, NULL, tb[NFTA_FLOWTABLE_HOOK], fthook_pol,
				 NFTA_FLOWTABLE_HOOK_MAX, hb) == 0) {
			if (hb[NFTA_FLOWTABLE_HOOK_NUM])
				ft->hooknum = xd_nft_be32(hb[NFTA_FLOWTABLE_HOOK_NUM]);
			if (hb[NFTA_FLOWTABLE_HOOK_PRIORITY])
				ft->prio = (int32_t)xd_nft_be32(hb[NFTA_FLOWTABLE_HOOK_PRIORITY]);
			if (hb[NFTA_FLOWTABLE_HOOK_DEVS])
				ft->devs = dev_list(c, hb[NFTA_FLOWTABLE_HOOK_DEVS]);
		}
	}
}

static const struct nft_pol gen_pol[NFTA_GEN_MAX + 1] = {
	[NFTA_GEN_ID] = { NA_U32 },
};

static void decode_gen(struct nft_dctx *c, const struct nlmsghdr *nlh)
{
	const struct nlattr *tb[NFTA_GEN_MAX + 1];

	if (xd_nft_parse(c, nlh, NULL, gen_pol, NFTA_GEN_MAX, tb) < 0 || !tb[NFTA_GEN_ID])
		return;
	c->fw->nft_gen = xd_nft_be32(tb[NFTA_GEN_ID]);
	c->fw->nft_gen_known = true;
}

/*
 * mnl_nlmsg_ok() casts nlmsg_len to int: a length above INT_MAX from a hostile snapshot
 * passes it and walks out of the buffer. Compare unsigned instead.
 */
static bool msg_ok(const struct nlmsghdr *nlh, int left)
{
	return left >= (int)sizeof(*nlh) && nlh->nlmsg_len >= sizeof(*nlh) &&
	       nlh->nlmsg_len <= (uint32_t)left;
}

/**
 * xd_decode_nft() - decode one nf_tables record (a netlink datagram) into the firewall model
 * @s: snapshot
 * @dump: which nft dump the record belongs to
 * @buf: record bytes (untrusted)
 * @len: record length
 *
 * Returns 0, -ENOMEM, or -EBADMSG when the datagram framing is broken (messages before the
 * break are kept).
 */
int xd_decode_nft(struct xd_snapshot *s, enum xd_dump dump, const void *buf, size_t len)
{
	struct xd_fw *fw = xd_snapshot_fw(s);
	_xd_cleanup_free_ void *copy = NULL;
	const struct nlmsghdr *nlh = buf;
	int left = len > INT32_MAX ? INT32_MAX : (int)len;
	struct nft_dctx c = { .s = s, .fw = fw, .dump = dump };

	if (!fw)
		return -ENOMEM;
	if ((uintptr_t)buf % 4) {
		/* netlink headers and attributes need 4-byte alignment; a caller's buffer
		 * (a fuzzer, a file slice) need not have it */
		copy = malloc(len ? len : 1);
		if (!copy)
			return -ENOMEM;
		memcpy(copy, buf, len);
		nlh = copy;
	}
	fw->nft_present = true;
	fw->indexed = false;
	for (; msg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
		const struct nfgenmsg *g;

		if (nlh->nlmsg_type < NLMSG_MIN_TYPE)
			continue;
		if ((nlh->nlmsg_type >> 8) != NFNL_SUBSYS_NFTABLES ||
		    nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(*g)) {
			s->ignored_msgs++;
			continue;
		}
		g = xd_msg_payload(nlh);
		c.msg = nlh->nlmsg_type & 0xff;
		c.family = g->nfgen_family;
		c.table = NULL;
		switch (c.msg) {
		case NFT_MSG_NEWGEN:
			decode_gen(&c, nlh);
			break;
		case NFT_MSG_NEWTABLE:
			decode_table(&c, nlh);
			break;
		case NFT_MSG_NEWCHAIN:
			decode_chain(&c, nlh);
			break;
		case NFT_MSG_NEWSET:
			decode_set(&c, nlh);
			break;
		case NFT_MSG_NEWSETELEM:
			decode_setelems(&c, nlh);
			break;
		case NFT_MSG_NEWRULE:
			decode_rule(&c, nlh);
			break;
		case NFT_MSG_NEWFLOWTABLE:
			decode_flowtable(&c, nlh);
			break;
		default:
			s->ignored_msgs++;
		}
	}
	if (left != 0) {
		xd_nft_issue(&c, -EBADMSG, 0, "truncated netlink message");
		return -EBADMSG;
	}
	return 0;
}
