/* SPDX-License-Identifier: GPL-2.0-or-later */
/* policy-index.c: selector-cover lookups grouped by prefix shape (see policy-index.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "diag-util.h"
#include "policy-index.h"

#define NO_ENTRY UINT32_MAX

/* (saddr, daddr) masked to a shape, as four words: compared and hashed a word at a time */
struct pol_key {
	uint64_t w[4];
};

struct pol_entry {
	struct pol_key key;
	uint32_t pol;  /* position in the snapshot's policies */
	uint32_t next; /* the next entry with the same key, in policy order, or NO_ENTRY */
};

struct pol_slot {
	uint32_t first, last; /* a chain of entries; first == NO_ENTRY: empty */
};

struct pol_shape {
	uint16_t family;
	uint8_t ps, pd;
	struct pol_key mask; /* the prefix masks of saddr and daddr */
	struct pol_entry *e;
	size_t n, cap;
	struct pol_slot *slots;
	size_t slots_mask;
};

/* prefix mask of plen bits (at most the family's address length) in address byte order */
static void prefix_mask(uint64_t w[2], uint16_t family, uint8_t plen)
{
	uint8_t b[16] = { 0 };
	unsigned max = xd_diag_host_plen(family);

	if (plen > max)
		plen = (uint8_t)max;
	memset(b, 0xff, plen / 8);
	if (plen % 8)
		b[plen / 8] = (uint8_t)(0xff << (8 - plen % 8));
	memcpy(w, b, 16);
}

static void key_of(struct pol_key *k, const struct pol_key *mask, const struct xd_addr *s,
		   const struct xd_addr *d)
{
	memcpy(k->w, s->b, 16);
	memcpy(k->w + 2, d->b, 16);
	for (size_t i = 0; i < 4; i++)
		k->w[i] &= mask->w[i];
}

static bool key_eq(const struct pol_key *a, const struct pol_key *b)
{
	return ((a->w[0] ^ b->w[0]) | (a->w[1] ^ b->w[1]) | (a->w[2] ^ b->w[2]) |
		(a->w[3] ^ b->w[3])) == 0;
}

/* The slot of this key: its chain, or the empty slot where it would go. */
static struct pol_slot *slot_of(const struct pol_shape *sh, const struct pol_key *k)
{
	for (size_t j = diag_hash_words(0, k->w) & sh->slots_mask;; j = (j + 1) & sh->slots_mask) {
		struct pol_slot *sl = &sh->slots[j];
		if (sl->first == NO_ENTRY || key_eq(&sh->e[sl->first].key, k))
			return sl;
	}
}

static struct pol_shape *shape_get(struct pol_index *ix, uint16_t family, uint8_t ps, uint8_t pd)
{
	struct pol_shape *n;

	for (size_t i = 0; i < ix->n_shapes; i++)
		if (ix->shapes[i].family == family && ix->shapes[i].ps == ps && ix->shapes[i].pd == pd)
			return &ix->shapes[i];
	n = realloc(ix->shapes, (ix->n_shapes + 1) * sizeof(*n));
	if (!n)
		return NULL;
	ix->shapes = n;
	n = &ix->shapes[ix->n_shapes++];
	*n = (struct pol_shape){ .family = family, .ps = ps, .pd = pd };
	prefix_mask(n->mask.w, family, ps);
	prefix_mask(n->mask.w + 2, family, pd);
	return n;
}

/* Chain every entry of the shape under its key, in policy order. */
static int shape_hash(struct pol_shape *sh)
{
	size_t slots = 16;

	while (slots < 2 * sh->n)
		slots *= 2;
	sh->slots = malloc(slots * sizeof(*sh->slots));
	if (!sh->slots)
		return -ENOMEM;
	memset(sh->slots, 0xff, slots * sizeof(*sh->slots)); /* NO_ENTRY everywhere */
	sh->slots_mask = slots - 1;
	for (size_t i = 0; i < sh->n; i++) {
		struct pol_slot *sl = slot_of(sh, &sh->e[i].key);
		if (sl->first == NO_ENTRY)
			sl->first = (uint32_t)i;
		else
			sh->e[sl->last].next = (uint32_t)i;
		sl->last = (uint32_t)i;
	}
	return 0;
}

int xd_pol_index_build(struct pol_index *ix, const struct xd_snapshot *s, uint8_t dir)
{
	*ix = (struct pol_index){ .s = s };
	for (size_t i = 0; i < s->policies.len; i++) {
		const struct xd_policy *p = xd_snapshot_policy(s, i);
		struct pol_shape *sh;
		struct pol_entry *e;

		if (p->dir != dir)
			continue;
		sh = shape_get(ix, p->sel.family, p->sel.prefixlen_s, p->sel.prefixlen_d);
		if (!sh)
			goto oom;
		if (sh->n == sh->cap) {
			size_t nc = sh->cap ? sh->cap * 2 : 8;
			e = realloc(sh->e, nc * sizeof(*e));
			if (!e)
				goto oom;
			sh->e = e;
			sh->cap = nc;
		}
		e = &sh->e[sh->n++];
		key_of(&e->key, &sh->mask, &p->sel.saddr, &p->sel.daddr);
		e->pol = (uint32_t)i;
		e->next = NO_ENTRY;
	}
	for (size_t i = 0; i < ix->n_shapes; i++)
		if (shape_hash(&ix->shapes[i]) < 0)
			goto oom;
	return 0;
oom:
	xd_pol_index_done(ix);
	return -ENOMEM;
}

void xd_pol_index_done(struct pol_index *ix)
{
	for (size_t i = 0; i < ix->n_shapes; i++) {
		free(ix->shapes[i].e);
		free(ix->shapes[i].slots);
	}
	free(ix->shapes);
	ix->shapes = NULL;
	ix->n_shapes = 0;
}

bool xd_pol_index_covering(const struct pol_index *ix, const struct xd_selector *q,
			bool (*visit)(const struct xd_policy *p, void *ud), void *ud)
{
	for (size_t i = 0; i < ix->n_shapes; i++) {
		const struct pol_shape *sh = &ix->shapes[i];
		struct pol_key key;
		bool same_family = sh->family == q->family;

		/* family 0 (unspec) selectors match every family */
		if ((sh->family && !same_family) || sh->ps > q->prefixlen_s || sh->pd > q->prefixlen_d)
			continue;
		/* the query's own family bounds its prefixes, as the kernel masks them */
		if (!same_family) {
			struct pol_key m;
			prefix_mask(m.w, q->family, sh->ps);
			prefix_mask(m.w + 2, q->family, sh->pd);
			key_of(&key, &m, &q->saddr, &q->daddr);
		} else {
			key_of(&key, &sh->mask, &q->saddr, &q->daddr);
		}
		for (uint32_t e = slot_of(sh, &key)->first; e != NO_ENTRY; e = sh->e[e].next) {
			const struct xd_policy *p = xd_snapshot_policy(ix->s, sh->e[e].pol);
			/* same family: the chain's key is the query's addresses masked to the
			 * policy's own prefixes, so its addresses cover the query's already */
			bool covers = same_family ? diag_selector_covers_rest(&p->sel, q)
						  : xd_diag_selector_covers(&p->sel, q);
			if (covers && visit(p, ud))
				return true;
		}
	}
	return false;
}
