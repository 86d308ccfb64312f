/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sort.c: the deterministic order of objects in every output (docs/json-schema.md):
 * SAs by (family, daddr, spi, proto, saddr, reqid); policies by (dir, priority, index).
 * Policy index is unique per kernel, SA (daddr, spi, proto, mark) too, so the order is total
 * for real kernel state and stable for golden files.
 */
#include <stdlib.h>
#include <string.h>

#include "xfrmd/model.h"

#define CMP(a, b)                                                                                  \
	do {                                                                                       \
		if ((a) != (b))                                                                    \
			return (a) < (b) ? -1 : 1;                                                 \
	} while (0)

static int sa_cmp(const void *pa, const void *pb)
{
	const struct xd_sa *a = pa, *b = pb;
	int r;

	CMP(a->family, b->family);
	r = memcmp(&a->daddr, &b->daddr, sizeof(a->daddr));
	if (r)
		return r;
	CMP(a->spi, b->spi);
	CMP(a->proto, b->proto);
	r = memcmp(&a->saddr, &b->saddr, sizeof(a->saddr));
	if (r)
		return r;
	CMP(a->reqid, b->reqid);
	CMP(a->mark.v, b->mark.v);
	CMP(a->mark.m, b->mark.m);
	CMP(a->if_id, b->if_id);
	CMP(a->curlft.add_time, b->curlft.add_time);
	return 0;
}

static int policy_cmp(const void *pa, const void *pb)
{
	const struct xd_policy *a = pa, *b = pb;

	CMP(a->dir, b->dir);
	CMP(a->priority, b->priority);
	CMP(a->index, b->index);
	return 0;
}

void xd_snapshot_sort(struct xd_snapshot *s)
{
	if (s->sas.len > 1)
		qsort(s->sas.data, s->sas.len, sizeof(struct xd_sa), sa_cmp);
	if (s->policies.len > 1)
		qsort(s->policies.data, s->policies.len, sizeof(struct xd_policy), policy_cmp);
}
