/* SPDX-License-Identifier: GPL-2.0-or-later */
/* policy-index.c: selector-cover lookups grouped by prefix shape (see policy-index.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "diag-util.h"
#include "policy-index.h"

struct pol_entry {
	struct xd_addr s, d; /* masked to the shape */
	uint32_t pol;
};

struct pol_shape {
	uint16_t family;
	uint8_t ps, pd;
	struct pol_entry *e;
	size_t n, cap;
};

static void mask_addr(struct xd_addr *out, const struct xd_addr *in, uint16_t family, uint8_t plen)
{
	size_t max = diag_host_plen(family);
	unsigned full, rest;

	memset(out, 0, sizeof(*out));
	if (plen > max)
		plen = (uint8_t)max;
	full = plen / 8;
	rest = plen % 8;
	memcpy(out->b, in->b, full);
	if (rest)
		out->b[full] = in->b[full] & (uint8_t)(0xff << (8 - rest));
}

static int entry_cmp(const void *pa, const void *pb)
{
	const struct pol_entry *a = pa, *b = pb;
	int r = xd_addr_cmp(&a->s, &b->s);

	return r ? r : xd_addr_cmp(&a->d, &b->d);
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
	return n;
}

int pol_index_build(struct pol_index *ix, const struct xd_snapshot *s, uint8_t dir)
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
		mask_addr(&e->s, &p->sel.saddr, p->sel.family, p->sel.prefixlen_s);
		mask_addr(&e->d, &p->sel.daddr, p->sel.family, p->sel.prefixlen_d);
		e->pol = (uint32_t)i;
	}
	for (size_t i = 0; i < ix->n_shapes; i++)
		qsort(ix->shapes[i].e, ix->shapes[i].n, sizeof(struct pol_entry), entry_cmp);
	return 0;
oom:
	pol_index_done(ix);
	return -ENOMEM;
}

void pol_index_done(struct pol_index *ix)
{
	for (size_t i = 0; i < ix->n_shapes; i++)
		free(ix->shapes[i].e);
	free(ix->shapes);
	ix->shapes = NULL;
	ix->n_shapes = 0;
}

bool pol_index_covering(const struct pol_index *ix, const struct xd_selector *q,
			bool (*visit)(const struct xd_policy *p, void *ud), void *ud)
{
	for (size_t i = 0; i < ix->n_shapes; i++) {
		const struct pol_shape *sh = &ix->shapes[i];
		struct pol_entry key;
		size_t lo = 0, hi = sh->n;

		/* family 0 (unspec) selectors match every family */
		if ((sh->family && sh->family != q->family) || sh->ps > q->prefixlen_s ||
		    sh->pd > q->prefixlen_d)
			continue;
		mask_addr(&key.s, &q->saddr, q->family, sh->ps);
		mask_addr(&key.d, &q->daddr, q->family, sh->pd);
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (entry_cmp(&sh->e[mid], &key) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (; lo < sh->n && entry_cmp(&sh->e[lo], &key) == 0; lo++) {
			const struct xd_policy *p = xd_snapshot_policy(ix->s, sh->e[lo].pol);
			if (diag_selector_covers(&p->sel, q) && visit(p, ud))
				return true;
		}
	}
	return false;
}
