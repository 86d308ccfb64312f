/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fw-builder.c: see fw-builder.h. Allocation failures abort: this is test code only. */
#include <stdlib.h>
#include <string.h>

#include "fw-builder.h"

static void *push(struct xd_vec *v)
{
	void *p = xd_vec_push(v);
	if (!p)
		abort();
	return p;
}

struct xd_fw *fwb_new(void)
{
	struct xd_fw *fw = malloc(sizeof(*fw));
	if (!fw)
		abort();
	xd_fw_init(fw);
	fw->nft_present = true;
	return fw;
}

void fwb_free(struct xd_fw *fw)
{
	if (!fw)
		return;
	for (size_t i = 0; i < fw->exprs.len; i++)
		free(((struct xd_fw_expr *)xd_vec_at(&fw->exprs, i))->xt);
	xd_fw_done(fw);
	free(fw);
}

void fwb_chain(struct xd_fw *fw, uint8_t family, const char *table, const char *name, int hook,
	       int32_t prio, int policy)
{
	struct xd_fw_chain *c = push(&fw->chains);
	c->family = family;
	c->table = table;
	c->name = name;
	if (hook >= 0) {
		c->base = true;
		c->hooknum = (uint32_t)hook;
		c->prio = prio;
		c->policy = (uint32_t)policy;
		c->has_policy = true;
		c->type = "filter";
	}
	fw->indexed = false;
}

void fwb_rule(struct xd_fw *fw, uint8_t family, const char *table, const char *chain,
	      uint64_t handle)
{
	struct xd_fw_rule *r = push(&fw->rules);
	r->family = family;
	r->table = table;
	r->chain = chain;
	r->handle = handle;
	r->expr_first = (uint32_t)fw->exprs.len;
	r->seq = (uint32_t)(fw->rules.len - 1);
	fw->indexed = false;
}

static struct xd_fw_expr *add(struct xd_fw *fw, uint8_t kind, const char *name)
{
	struct xd_fw_expr *e = push(&fw->exprs);
	struct xd_fw_rule *r = xd_vec_at(&fw->rules, fw->rules.len - 1);
	e->kind = kind;
	e->name = name;
	r->expr_count++;
	return e;
}

void fwb_meta(struct xd_fw *fw, uint32_t key, uint32_t dreg)
{
	struct xd_fw_expr *e = add(fw, XD_FWX_META, "meta");
	e->key = key;
	e->dreg = dreg;
}

void fwb_payload(struct xd_fw *fw, uint32_t base, uint32_t off, uint32_t len, uint32_t dreg)
{
	struct xd_fw_expr *e = add(fw, XD_FWX_PAYLOAD, "payload");
	e->base = base;
	e->offset = off;
	e->len = len;
	e->dreg = dreg;
}

void fwb_cmp(struct xd_fw *fw, uint32_t sreg, uint32_t op, const void *data, uint8_t len)
{
	struct xd_fw_expr *e = add(fw, XD_FWX_CMP, "cmp");
	e->sreg = sreg;
	e->op = op;
	memcpy(e->data, data, len);
	e->data_len = len;
}

void fwb_cmp_u8(struct xd_fw *fw, uint32_t sreg, uint8_t v)
{
	fwb_cmp(fw, sreg, 0, &v, 1);
}

void fwb_cmp_be16(struct xd_fw *fw, uint32_t sreg, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };
	fwb_cmp(fw, sreg, 0, b, 2);
}

void fwb_verdict(struct xd_fw *fw, int32_t verdict, const char *chain)
{
	struct xd_fw_expr *e = add(fw, XD_FWX_IMMEDIATE, "immediate");
	e->dreg = 0;
	e->verdict = verdict;
	e->chain = chain;
}

void fwb_lookup(struct xd_fw *fw, const char *set, uint32_t sreg, uint32_t dreg, uint32_t flags)
{
	struct xd_fw_expr *e = add(fw, XD_FWX_LOOKUP, "lookup");
	e->set = set;
	e->sreg = sreg;
	e->dreg = dreg;
	e->flags = flags;
}

void fwb_simple(struct xd_fw *fw, uint8_t kind)
{
	struct xd_fw_expr *e = add(fw, kind, "simple");
	if (kind == XD_FWX_NAT)
		e->text = "masquerade";
}

void fwb_ct_state(struct xd_fw *fw, uint32_t dreg)
{
	struct xd_fw_expr *e = add(fw, XD_FWX_CT, "ct");
	e->key = 0;
	e->dir = 0xff;
	e->dreg = dreg;
}

void fwb_bitwise(struct xd_fw *fw, uint32_t sreg, uint32_t dreg, const void *mask, uint8_t len)
{
	struct xd_fw_expr *e = add(fw, XD_FWX_BITWISE, "bitwise");
	e->sreg = sreg;
	e->dreg = dreg;
	e->len = len;
	memcpy(e->data, mask, len);
	e->data_len = e->data2_len = len;
}

void fwb_set(struct xd_fw *fw, uint8_t family, const char *table, const char *name,
	     uint32_t flags, uint32_t key_len)
{
	struct xd_fw_set *s = push(&fw->sets);
	s->family = family;
	s->table = table;
	s->name = name;
	s->flags = flags;
	s->key_len = key_len;
	fw->indexed = false;
}

void fwb_elem(struct xd_fw *fw, uint8_t family, const char *table, const char *set,
	      const void *key, uint8_t key_len, uint32_t flags)
{
	struct xd_fw_elem *e = push(&fw->elems);
	e->family = family;
	e->table = table;
	e->set = set;
	memcpy(e->key, key, key_len);
	e->key_len = key_len;
	e->flags = flags;
	fw->indexed = false;
}

void fwb_velem(struct xd_fw *fw, uint8_t family, const char *table, const char *set,
	       const void *key, uint8_t key_len, int32_t verdict, const char *chain)
{
	fwb_elem(fw, family, table, set, key, key_len, 0);
	struct xd_fw_elem *e = xd_vec_at(&fw->elems, fw->elems.len - 1);
	e->has_verdict = true;
	e->verdict = verdict;
	e->chain = chain;
}

void fwb_xt(struct xd_fw *fw, uint8_t expr_kind, uint8_t xt_kind, const char *name,
	    const char *jump)
{
	struct xd_fw_expr *e = add(fw, expr_kind, name);
	struct xd_xt *x = calloc(1, sizeof(*x));

	if (!x)
		abort();
	x->kind = xt_kind;
	x->name = name;
	x->jump = jump;
	e->xt = x;
}

void fwb_finish(struct xd_fw *fw)
{
	if (xd_fw_index(fw) < 0)
		abort();
}
