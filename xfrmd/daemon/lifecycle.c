/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lifecycle.c: raise/clear bookkeeping for findings. The identity is the id plus the subject
 * (xd_finding_identity: equal exactly when the JSON subjects are), so two findings are "the
 * same" exactly when a consumer could not tell them apart. Summaries and evidence may change (a counter
 * rate) without clearing and re-raising. For an id that aggregates (XD_DEF_AGGREGATE) the
 * identity is the id plus the aggregation key, its severity: never its subjects, so the
 * finding stays raised while subjects come and go and the count changes, and is cleared
 * when the last one goes.
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lifecycle.h"
#include "xfrmd/render.h"

void xd_lifecycle_init(struct xd_lifecycle *l)
{
	memset(l, 0, sizeof(*l));
	xd_vec_init(&l->active, sizeof(struct xd_active_finding));
}

static void active_free(struct xd_active_finding *a)
{
	free(a->key);
	json_object_put(a->json);
}

void xd_lifecycle_done(struct xd_lifecycle *l)
{
	for (size_t i = 0; i < l->active.len; i++)
		active_free(xd_vec_at(&l->active, i));
	xd_vec_done(&l->active);
}

static int active_cmp(const void *a, const void *b)
{
	return strcmp(((const struct xd_active_finding *)a)->key,
		      ((const struct xd_active_finding *)b)->key);
}

int xd_lifecycle_update(struct xd_lifecycle *l, const struct xd_findings *f, int64_t now_ms,
			xd_lifecycle_fn fn, void *userdata)
{
	struct xd_vec next;

	xd_vec_init(&next, sizeof(struct xd_active_finding));
	/* build the new set completely first: an allocation failure changes nothing */
	for (size_t i = 0; i < f->items.len; i++) {
		const struct xd_finding *x = xd_findings_at(f, i);
		struct xd_active_finding *a = xd_vec_push(&next);
		if (!a)
			goto nomem;
		a->id = x->def->id;
		a->severity = x->severity;
		if (xd_finding_identity(x, &a->key) < 0)
			goto nomem;
		a->json = xd_finding_json(x);
		if (!a->json)
			goto nomem;
	}
	if (next.len)
		qsort(next.data, next.len, next.elem_size, active_cmp);
	/* the same finding twice (two identical subjects) counts once */
	if (next.len > 1) {
		size_t w = 1;
		for (size_t i = 1; i < next.len; i++) {
			struct xd_active_finding *a = xd_vec_at(&next, i);
			if (active_cmp(a, xd_vec_at(&next, w - 1)) == 0) {
				active_free(a);
				continue;
			}
			if (i != w)
				*(struct xd_active_finding *)xd_vec_at(&next, w) = *a;
			w++;
		}
		next.len = w;
	}
	/* merge walk over two sorted sets */
	size_t i = 0, j = 0;
	while (i < l->active.len || j < next.len) {
		struct xd_active_finding *old = i < l->active.len ? xd_vec_at(&l->active, i) : NULL;
		struct xd_active_finding *nw = j < next.len ? xd_vec_at(&next, j) : NULL;
		int c = !old ? 1 : !nw ? -1 : active_cmp(old, nw);

		if (c < 0) {
			l->cleared++;
			if (fn)
				fn(userdata, false, old, now_ms);
			active_free(old);
			i++;
		} else if (c > 0) {
			nw->raised_at = now_ms;
			l->raised++;
			if (fn)
				fn(userdata, true, nw, now_ms);
			j++;
		} else {
			nw->raised_at = old->raised_at;
			active_free(old);
			i++;
			j++;
		}
	}
	xd_vec_done(&l->active);
	l->active = next;
	return 0;
nomem:
	for (size_t k = 0; k < next.len; k++)
		active_free(xd_vec_at(&next, k));
	xd_vec_done(&next);
	return -ENOMEM;
}
