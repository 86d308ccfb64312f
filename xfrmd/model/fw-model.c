/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fw-model.c: owns the firewall part of a snapshot and its lookup indexes (chain -> rules,
 * set -> elements, name -> chain/set). Objects are stored flat in dump order; the indexes
 * are rebuilt on demand so decoders never have to care in which order records arrive.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "xfrmd/fw-model.h"

void xd_fw_init(struct xd_fw *fw)
{
	memset(fw, 0, sizeof(*fw));
	xd_vec_init(&fw->tables, sizeof(struct xd_fw_table));
	xd_vec_init(&fw->chains, sizeof(struct xd_fw_chain));
	xd_vec_init(&fw->rules, sizeof(struct xd_fw_rule));
	xd_vec_init(&fw->exprs, sizeof(struct xd_fw_expr));
	xd_vec_init(&fw->sets, sizeof(struct xd_fw_set));
	xd_vec_init(&fw->elems, sizeof(struct xd_fw_elem));
	xd_vec_init(&fw->flowtables, sizeof(struct xd_fw_flowtable));
}

static void drop_index(struct xd_fw *fw)
{
	for (size_t i = 0; i < fw->chains.len; i++) {
		struct xd_fw_chain *c = xd_vec_at(&fw->chains, i);
		free(c->rules);
		c->rules = NULL;
		c->rule_count = 0;
	}
	for (size_t i = 0; i < fw->sets.len; i++) {
		struct xd_fw_set *st = xd_vec_at(&fw->sets, i);
		free(st->elems);
		st->elems = NULL;
		st->elem_count = 0;
	}
	fw->indexed = false;
}

void xd_fw_done(struct xd_fw *fw)
{
	drop_index(fw);
	xd_vec_done(&fw->tables);
	xd_vec_done(&fw->chains);
	xd_vec_done(&fw->rules);
	xd_vec_done(&fw->exprs);
	xd_vec_done(&fw->sets);
	xd_vec_done(&fw->elems);
	xd_vec_done(&fw->flowtables);
}

static bool str_eq(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

/* Linear scans are fine for name lookups done once per index build; the hot paths (rule and
 * element iteration) use the per-object index arrays. For big rule sets the chain lookup of
 * each rule goes through a small open-addressing table. */
struct name_slot {
	void *obj;
	uint64_t hash;
};

static uint64_t key_hash(uint8_t backend, uint8_t family, const char *table, const char *name)
{
	uint64_t h = 1469598103934665603ull ^ ((uint64_t)backend << 8 | family);

	for (const char *p = table ? table : ""; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ull;
	h = (h ^ 0xff) * 1099511628211ull;
	for (const char *p = name ? name : ""; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ull;
	return h;
}

const struct xd_fw_chain *xd_fw_find_chain(const struct xd_fw *fw, uint8_t family,
					   const char *table, const char *name, uint8_t backend)
{
	for (size_t i = 0; i < fw->chains.len; i++) {
		const struct xd_fw_chain *c = xd_vec_at(&fw->chains, i);
		if (c->family == family && c->backend == backend && str_eq(c->table, table) &&
		    str_eq(c->name, name))
			return c;
	}
	return NULL;
}

const struct xd_fw_set *xd_fw_find_set(const struct xd_fw *fw, uint8_t family,
				       const char *table, const char *name)
{
	for (size_t i = 0; i < fw->sets.len; i++) {
		const struct xd_fw_set *st = xd_vec_at(&fw->sets, i);
		if (st->family == family && str_eq(st->table, table) && str_eq(st->name, name))
			return st;
	}
	return NULL;
}

struct htab {
	struct name_slot *slots;
	size_t mask;
};

static int htab_build(struct htab *h, size_t n)
{
	size_t cap = 16;

	while (cap < n * 2)
		cap *= 2;
	h->slots = calloc(cap, sizeof(*h->slots));
	h->mask = cap - 1;
	return h->slots ? 0 : -ENOMEM;
}

static void htab_put(struct htab *h, uint64_t hash, void *obj)
{
	size_t j = hash & h->mask;

	while (h->slots[j].obj)
		j = (j + 1) & h->mask;
	h->slots[j].obj = obj;
	h->slots[j].hash = hash;
}

static struct xd_fw_chain *htab_chain(const struct htab *h, uint8_t backend, uint8_t family,
				      const char *table, const char *name)
{
	uint64_t hash = key_hash(backend, family, table, name);

	for (size_t j = hash & h->mask; h->slots[j].obj; j = (j + 1) & h->mask) {
		struct xd_fw_chain *c = h->slots[j].obj;
		if (h->slots[j].hash == hash && c->family == family && c->backend == backend &&
		    str_eq(c->table, table) && str_eq(c->name, name))
			return c;
	}
	return NULL;
}

static struct xd_fw_set *htab_set(const struct htab *h, uint8_t family, const char *table,
				  const char *name)
{
	uint64_t hash = key_hash(0, family, table, name);

	for (size_t j = hash & h->mask; h->slots[j].obj; j = (j + 1) & h->mask) {
		struct xd_fw_set *s = h->slots[j].obj;
		if (h->slots[j].hash == hash && s->family == family && str_eq(s->table, table) &&
		    str_eq(s->name, name))
			return s;
	}
	return NULL;
}

/**
 * xd_fw_index() - build chain->rules and set->elements indexes
 * @fw: the firewall model
 *
 * Rules whose chain is unknown and elements whose set is unknown are left out of every
 * index (the evaluator never sees them). Returns 0 or -ENOMEM (the model is then unindexed).
 */
int xd_fw_index(struct xd_fw *fw)
{
	struct htab hc = { 0 }, hs = { 0 };
	struct xd_fw_chain **rule_chain = NULL;
	struct xd_fw_set **elem_set = NULL;
	int r = -ENOMEM;

	if (fw->indexed)
		return 0;
	drop_index(fw);
	if (htab_build(&hc, fw->chains.len) < 0 || htab_build(&hs, fw->sets.len) < 0)
		goto out;
	for (size_t i = 0; i < fw->chains.len; i++) {
		struct xd_fw_chain *c = xd_vec_at(&fw->chains, i);
		/* first definition wins: a duplicate from a corrupt snapshot is ignored */
		if (!htab_chain(&hc, c->backend, c->family, c->table, c->name))
			htab_put(&hc, key_hash(c->backend, c->family, c->table, c->name), c);
	}
	for (size_t i = 0; i < fw->sets.len; i++) {
		struct xd_fw_set *s = xd_vec_at(&fw->sets, i);
		if (!htab_set(&hs, s->family, s->table, s->name))
			htab_put(&hs, key_hash(0, s->family, s->table, s->name), s);
	}
	rule_chain = calloc(fw->rules.len + 1, sizeof(*rule_chain));
	elem_set = calloc(fw->elems.len + 1, sizeof(*elem_set));
	if (!rule_chain || !elem_set)
		goto out;
	for (size_t i = 0; i < fw->rules.len; i++) {
		const struct xd_fw_rule *ru = xd_vec_at(&fw->rules, i);
		rule_chain[i] = htab_chain(&hc, ru->backend, ru->family, ru->table, ru->chain);
		if (rule_chain[i])
			rule_chain[i]->rule_count++;
	}
	for (size_t i = 0; i < fw->elems.len; i++) {
		const struct xd_fw_elem *e = xd_vec_at(&fw->elems, i);
		elem_set[i] = htab_set(&hs, e->family, e->table, e->set);
		if (elem_set[i])
			elem_set[i]->elem_count++;
	}
	for (size_t i = 0; i < fw->chains.len; i++) {
		struct xd_fw_chain *c = xd_vec_at(&fw->chains, i);
		if (c->rule_count && !(c->rules = calloc(c->rule_count, sizeof(uint32_t))))
			goto out;
		c->rule_count = 0;
	}
	for (size_t i = 0; i < fw->sets.len; i++) {
		struct xd_fw_set *s = xd_vec_at(&fw->sets, i);
		if (s->elem_count && !(s->elems = calloc(s->elem_count, sizeof(uint32_t))))
			goto out;
		s->elem_count = 0;
	}
	for (size_t i = 0; i < fw->rules.len; i++)
		if (rule_chain[i])
			rule_chain[i]->rules[rule_chain[i]->rule_count++] = (uint32_t)i;
	/* resolve names once, so evaluation never searches by name */
	for (size_t i = 0; i < fw->rules.len; i++) {
		const struct xd_fw_rule *ru = xd_vec_at(&fw->rules, i);
		for (uint32_t k = 0; k < ru->expr_count && ru->expr_first + k < fw->exprs.len; k++) {
			struct xd_fw_expr *e = xd_vec_at(&fw->exprs, ru->expr_first + k);
			const char *chain = NULL;
			e->ref = UINT32_MAX;
			if (e->kind == XD_FWX_LOOKUP && e->set) {
				struct xd_fw_set *st = htab_set(&hs, ru->family, ru->table, e->set);
				if (st)
					e->ref = (uint32_t)(st - (struct xd_fw_set *)fw->sets.data);
				continue;
			}
			if (e->kind == XD_FWX_IMMEDIATE && e->dreg == 0)
				chain = e->chain;
			else if (e->kind == XD_FWX_TARGET && e->xt)
				chain = e->xt->jump;
			if (!chain)
				continue;
			struct xd_fw_chain *ch = htab_chain(&hc, ru->backend, ru->family, ru->table, chain);
			if (ch)
				e->ref = (uint32_t)(ch - (struct xd_fw_chain *)fw->chains.data);
		}
	}
	for (size_t i = 0; i < fw->elems.len; i++) {
		struct xd_fw_elem *e = xd_vec_at(&fw->elems, i);
		struct xd_fw_chain *ch = e->has_verdict && e->chain
						 ? htab_chain(&hc, XD_FW_NFT, e->family, e->table, e->chain)
						 : NULL;
		e->ref = ch ? (uint32_t)(ch - (struct xd_fw_chain *)fw->chains.data) : UINT32_MAX;
	}
	for (size_t i = 0; i < fw->elems.len; i++)
		if (elem_set[i])
			elem_set[i]->elems[elem_set[i]->elem_count++] = (uint32_t)i;
	/* notrack or ct writes anywhere make ct state a runtime question */
	fw->has_notrack = false;
	fw->ct_user4 = fw->ct_user6 = false;
	for (size_t i = 0; i < fw->rules.len; i++) {
		const struct xd_fw_rule *ru = xd_vec_at(&fw->rules, i);
		for (uint32_t k = 0; k < ru->expr_count && ru->expr_first + k < fw->exprs.len; k++) {
			const struct xd_fw_expr *e = xd_vec_at(&fw->exprs, ru->expr_first + k);
			const char *xn = e->xt && e->xt->name ? e->xt->name : "";
			if (!(e->kind == XD_FWX_CT || e->kind == XD_FWX_NAT ||
			      e->kind == XD_FWX_NOTRACK ||
			      (e->kind == XD_FWX_OBJREF && (e->key == 3 || e->key == 7 || e->key == 9)) ||
			      ((e->kind == XD_FWX_MATCH || e->kind == XD_FWX_TARGET) &&
			       (str_eq(xn, "conntrack") || str_eq(xn, "state") ||
				str_eq(xn, "connmark") || str_eq(xn, "CONNMARK") || str_eq(xn, "CT") ||
				str_eq(xn, "NOTRACK") || str_eq(xn, "helper") ||
				str_eq(xn, "connlimit") || (e->xt && e->xt->kind == XD_XT_T_NAT)))))
				continue;
			fw->ct_user4 |= ru->family == XD_NFPROTO_IPV4 || ru->family == XD_NFPROTO_INET;
			fw->ct_user6 |= ru->family == XD_NFPROTO_IPV6 || ru->family == XD_NFPROTO_INET;
		}
	}
	/* what changes a packet's conntrack entry: notrack, `ct zone set` (another table) and
	 * CT --notrack/--zone; a mark, label, helper or timeout leaves the state as it is */
	for (size_t i = 0; i < fw->exprs.len; i++) {
		const struct xd_fw_expr *e = xd_vec_at(&fw->exprs, i);
		if (e->kind == XD_FWX_NOTRACK || (e->kind == XD_FWX_CT && e->write && e->key == 17) ||
		    (e->kind == XD_FWX_TARGET && e->xt && e->xt->kind == XD_XT_T_CT &&
		     e->xt->ct_state_change))
			fw->has_notrack = true;
	}
	fw->indexed = true;
	r = 0;
out:
	if (r < 0)
		drop_index(fw);
	free(rule_chain);
	free(elem_set);
	free(hc.slots);
	free(hs.slots);
	return r;
}

const char *xd_fw_family_name(uint8_t family)
{
	switch (family) {
	case XD_NFPROTO_INET:
		return "inet";
	case XD_NFPROTO_IPV4:
		return "ip";
	case XD_NFPROTO_ARP:
		return "arp";
	case XD_NFPROTO_NETDEV:
		return "netdev";
	case XD_NFPROTO_BRIDGE:
		return "bridge";
	case XD_NFPROTO_IPV6:
		return "ip6";
	default:
		return NULL;
	}
}

static const char *const hook_names[_XD_HOOK_MAX] = {
	[XD_HOOK_PREROUTING] = "prerouting", [XD_HOOK_INPUT] = "input",
	[XD_HOOK_FORWARD] = "forward",       [XD_HOOK_OUTPUT] = "output",
	[XD_HOOK_POSTROUTING] = "postrouting", [XD_HOOK_INGRESS] = "ingress",
};

const char *xd_fw_hook_name(uint32_t hook)
{
	return hook < _XD_HOOK_MAX ? hook_names[hook] : NULL;
}

int xd_fw_hook_from_name(const char *name)
{
	for (int i = 0; i < _XD_HOOK_MAX; i++)
		if (name && strcmp(name, hook_names[i]) == 0)
			return i;
	return -EINVAL;
}
