/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sort.c: the deterministic order of objects in every output (docs/json-schema.md):
 * SAs by (family, daddr, spi, proto, saddr, reqid); policies by (dir, priority, index).
 * Policy index is unique per kernel, SA (daddr, spi, proto, mark) too, so the order is total
 * for real kernel state and stable for golden files.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "xfrmd/fw-model.h"
#include "xfrmd/keysort.h"
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
	r = xd_addr_cmp(&a->daddr, &b->daddr);
	if (r)
		return r;
	CMP(a->spi, b->spi);
	CMP(a->proto, b->proto);
	r = xd_addr_cmp(&a->saddr, &b->saddr);
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

static int addr_cmp(const void *pa, const void *pb)
{
	const struct xd_local_addr *a = pa, *b = pb;

	CMP(a->family, b->family);
	return xd_addr_cmp(&a->addr, &b->addr);
}

static int link_cmp(const void *pa, const void *pb)
{
	const struct xd_link *a = pa, *b = pb;

	CMP(a->ifindex, b->ifindex);
	return 0;
}

bool xd_snapshot_has_local_addrs(const struct xd_snapshot *s)
{
	return s->meta.dump_status[XD_DUMP_RTNL_ADDR] == XD_DUMP_COMPLETE;
}

/* Asked twice per SA by the checks: a binary search with the compare inlined. */
bool xd_snapshot_is_local(const struct xd_snapshot *s, uint16_t family, const struct xd_addr *a)
{
	const struct xd_local_addr *v = s->addrs.data;
	size_t lo = 0, hi = s->addrs.len;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int r = v[mid].family != family ? (v[mid].family < family ? -1 : 1)
						: xd_addr_cmp(&v[mid].addr, a);
		if (r == 0)
			return true;
		if (r < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

int xd_snapshot_addr_local(const struct xd_snapshot *s, uint16_t family, const struct xd_addr *a)
{
	if (!xd_snapshot_has_local_addrs(s))
		return 0;
	if (xd_snapshot_is_local(s, family, a))
		return 1;
	/* the loopback prefix is local as a whole (a local route, not one address each);
	 * other whole-prefix local routes (AnyIP) would need the routing tables */
	if (family == AF_INET && a->b[0] == 127)
		return 0;
	return -1;
}

bool xd_snapshot_only_addr(const struct xd_snapshot *s, uint16_t family, int32_t ifindex,
			   const struct xd_addr *a)
{
	const struct xd_local_addr *v = s->addrs.data;
	bool found = false;

	for (size_t i = 0; i < s->addrs.len; i++) {
		if (v[i].family != family || v[i].ifindex != ifindex ||
		    (family == AF_INET6 && v[i].addr.b[0] == 0xfe && (v[i].addr.b[1] & 0xc0) == 0x80))
			continue;
		if (xd_addr_cmp(&v[i].addr, a) != 0)
			return false;
		found = true;
	}
	return found;
}

const struct xd_link *xd_snapshot_link(const struct xd_snapshot *s, int32_t ifindex)
{
	struct xd_link key = { .ifindex = ifindex };

	if (!s->links.len)
		return NULL;
	return bsearch(&key, s->links.data, s->links.len, sizeof(key), link_cmp);
}

/* The leading fields of sa_cmp as a byte key: (family, daddr, spi, proto). */
#define SA_KEY_LEN (2 + 16 + 4 + 1)
static void sa_key(uint8_t *k, const void *item)
{
	const struct xd_sa *sa = item;

	k = xd_key_u16(k, sa->family);
	k = xd_key_bytes(k, sa->daddr.b, 16);
	k = xd_key_u32(k, sa->spi);
	xd_key_u8(k, sa->proto);
}

/* All of policy_cmp: (dir, priority, index). */
#define POLICY_KEY_LEN (1 + 4 + 4)
static void policy_key(uint8_t *k, const void *item)
{
	const struct xd_policy *p = item;

	k = xd_key_u8(k, p->dir);
	k = xd_key_u32(k, p->priority);
	xd_key_u32(k, p->index);
}

/* A comparison sort of 264-byte SAs was the largest single cost of loading 100k SAs: sort
 * by key in linear time; qsort stays the fallback without memory. `cmp` orders equal keys
 * unless the key is the whole order (`key_is_total`). */
static void sort_by_key(struct xd_vec *v, size_t width, void (*key)(uint8_t *k, const void *item),
			int (*cmp)(const void *a, const void *b), bool key_is_total)
{
	if (xd_sort_by_key(v->data, v->len, v->elem_size, width, key, key_is_total ? NULL : cmp) < 0)
		qsort(v->data, v->len, v->elem_size, cmp);
}

/*
 * The kernel dumps its policies newest first, directions interleaved, and gives each new
 * policy a higher index: per direction that is policy_cmp's order reversed. When the dump
 * is in that order (equal priorities, as most SPDs have), place each direction's policies
 * back to front and move each policy once, without sorting. Returns false when it is not.
 */
static bool policies_from_dump_order(struct xd_vec *v)
{
	size_t n = v->len, start[257] = { 0 };
	const struct xd_policy *last[256] = { NULL };
	uint32_t *order;
	int r;

	for (size_t i = 0; i < n; i++) {
		const struct xd_policy *p = xd_vec_at(v, i), *q = last[p->dir];
		if (q && policy_cmp(p, q) >= 0)
			return false;
		last[p->dir] = p;
		start[p->dir + 1]++;
	}
	order = malloc(n * sizeof(*order));
	if (!order)
		return false;
	for (size_t d = 1; d <= 256; d++)
		start[d] += start[d - 1]; /* start[d + 1]: one past the end of direction d */
	for (size_t i = 0; i < n; i++) {
		const struct xd_policy *p = xd_vec_at(v, i);
		order[--start[p->dir + 1]] = (uint32_t)i;
	}
	r = xd_permute(v->data, n, v->elem_size, order);
	free(order);
	return r == 0;
}

void xd_snapshot_sort(struct xd_snapshot *s)
{
	if (s->addrs.len > 1)
		qsort(s->addrs.data, s->addrs.len, sizeof(struct xd_local_addr), addr_cmp);
	if (s->links.len > 1)
		qsort(s->links.data, s->links.len, sizeof(struct xd_link), link_cmp);
	if (s->sas.len > 1)
		sort_by_key(&s->sas, SA_KEY_LEN, sa_key, sa_cmp, false);
	if (s->policies.len > 1 && !policies_from_dump_order(&s->policies))
		sort_by_key(&s->policies, POLICY_KEY_LEN, policy_key, policy_cmp, true);
	/* the firewall keeps dump order (rule order matters); it only needs its indexes.
	 * On allocation failure it stays unindexed and the evaluator refuses to run. */
	if (s->fw)
		(void)xd_fw_index(s->fw);
	xd_snapshot_derive_views(s);
}

const struct xd_sa *xd_snapshot_find_sa(const struct xd_snapshot *s, uint16_t family,
					const struct xd_addr *daddr, uint32_t spi, uint8_t proto)
{
	size_t lo = 0, hi = s->sas.len;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct xd_sa *m = xd_snapshot_sa(s, mid);
		int r = m->family != family ? (m->family < family ? -1 : 1)
					    : xd_addr_cmp(&m->daddr, daddr);
		if (!r)
			r = m->spi != spi ? (m->spi < spi ? -1 : 1) : (m->proto > proto) - (m->proto < proto);
		if (r < 0)
			lo = mid + 1;
		else if (r > 0)
			hi = mid;
		else
			return m;
	}
	return NULL;
}
