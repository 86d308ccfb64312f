/* SPDX-License-Identifier: GPL-2.0-or-later */
/* diag-util.c: shared facts about SAs, selectors and addresses for the checks. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <sys/socket.h>

#include "diag-util.h"
#include "xfrmd/names.h"

uint8_t xd_diag_host_plen(uint16_t family)
{
	return family == AF_INET6 ? 128 : 32;
}

enum sa_dir xd_diag_sa_dir(const struct xd_snapshot *s, const struct xd_sa *sa)
{
	bool dst_local, src_local;

	if (sa->has & XD_SA_HAS_DIR)
		return sa->dir == 1 ? SA_DIR_IN : sa->dir == 2 ? SA_DIR_OUT : SA_DIR_UNKNOWN;
	if (!xd_snapshot_has_local_addrs(s))
		return SA_DIR_UNKNOWN;
	dst_local = xd_snapshot_is_local(s, sa->family, &sa->daddr);
	src_local = xd_snapshot_is_local(s, sa->family, &sa->saddr);
	if (dst_local && !src_local)
		return SA_DIR_IN;
	if (src_local && !dst_local)
		return SA_DIR_OUT;
	return SA_DIR_UNKNOWN;
}

bool xd_diag_addr_is_zero(const struct xd_addr *a, uint16_t family)
{
	size_t n = family == AF_INET ? 4 : 16;

	for (size_t i = 0; i < n; i++)
		if (a->b[i])
			return false;
	return true;
}

bool xd_diag_prefix_covers(uint16_t family, const struct xd_addr *outer, uint8_t outer_len,
			const struct xd_addr *inner, uint8_t inner_len)
{
	uint8_t max = xd_diag_host_plen(family);
	unsigned full, rest;

	if (outer_len > max)
		outer_len = max;
	if (inner_len > max)
		inner_len = max;
	if (outer_len > inner_len)
		return false;
	full = outer_len / 8;
	rest = outer_len % 8;
	if (memcmp(outer->b, inner->b, full) != 0)
		return false;
	if (rest) {
		uint8_t mask = (uint8_t)(0xff << (8 - rest));
		if ((outer->b[full] & mask) != (inner->b[full] & mask))
			return false;
	}
	return true;
}

bool xd_diag_selector_covers(const struct xd_selector *o, const struct xd_selector *i)
{
	return diag_selector_covers_rest(o, i) &&
	       xd_diag_prefix_covers(o->family ? o->family : i->family, &o->saddr, o->prefixlen_s,
				  &i->saddr, i->prefixlen_s) &&
	       xd_diag_prefix_covers(o->family ? o->family : i->family, &o->daddr, o->prefixlen_d,
				  &i->daddr, i->prefixlen_d);
}

bool xd_diag_selector_equal(const struct xd_selector *a, const struct xd_selector *b)
{
	return xd_diag_selector_covers(a, b) && xd_diag_selector_covers(b, a);
}

bool xd_diag_selector_dst_is_local_host(const struct xd_snapshot *s, const struct xd_selector *sel)
{
	return sel->prefixlen_d >= xd_diag_host_plen(sel->family) &&
	       xd_snapshot_is_local(s, sel->family, &sel->daddr);
}

const char *xd_diag_addr(const struct xd_addr *a, uint16_t family, char *buf, size_t len)
{
	return xd_addr_fmt(a, family, buf, len);
}

/* sort-based SA index */
/* (family, saddr, daddr, proto): the run key; reqid orders SAs within a run */
static int run_cmp(const struct xd_sa *a, uint16_t family, const struct xd_addr *saddr,
		   const struct xd_addr *daddr, uint8_t proto)
{
	int r;

	if (a->family != family)
		return a->family < family ? -1 : 1;
	r = xd_addr_cmp(&a->saddr, saddr);
	if (r)
		return r;
	r = xd_addr_cmp(&a->daddr, daddr);
	if (r)
		return r;
	if (a->proto != proto)
		return a->proto < proto ? -1 : 1;
	return 0;
}

/* Order within a run: reqid, oldest first, then SPI. */
static int in_run_cmp(const struct xd_sa *a, const struct xd_sa *b)
{
	if (a->reqid != b->reqid)
		return a->reqid < b->reqid ? -1 : 1;
	if (a->curlft.add_time != b->curlft.add_time)
		return a->curlft.add_time < b->curlft.add_time ? -1 : 1;
	return (a->spi > b->spi) - (a->spi < b->spi);
}

static int in_run_cmp_r(const void *pa, const void *pb, void *ud)
{
	const struct xd_snapshot *s = ud;

	return in_run_cmp(xd_snapshot_sa(s, *(const uint32_t *)pa),
			  xd_snapshot_sa(s, *(const uint32_t *)pb));
}

/* Sort one run in place; runs are a rekey's few SAs, so insertion sort unless long. */
static void sort_run(const struct xd_snapshot *s, uint32_t *v, size_t n)
{
	if (n > 16) {
		qsort_r(v, n, sizeof(*v), in_run_cmp_r, (void *)(uintptr_t)s);
		return;
	}
	for (size_t i = 1; i < n; i++) {
		uint32_t x = v[i];
		size_t j = i;
		for (; j > 0 && in_run_cmp(xd_snapshot_sa(s, v[j - 1]), xd_snapshot_sa(s, x)) > 0; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

static uint64_t run_hash(uint16_t family, const struct xd_addr *saddr, const struct xd_addr *daddr,
			 uint8_t proto)
{
	uint64_t w[4];

	memcpy(w, saddr->b, 16);
	memcpy(w + 2, daddr->b, 16);
	return diag_hash_words((uint64_t)family << 8 | proto, w);
}

/* The slot of this run key: its run, or the empty slot where it would go. */
static struct sa_index_run *run_slot(const struct sa_index *ix, uint16_t family,
				     const struct xd_addr *saddr, const struct xd_addr *daddr,
				     uint8_t proto)
{
	size_t j = run_hash(family, saddr, daddr, proto) & ix->runs_mask;

	for (;; j = (j + 1) & ix->runs_mask) {
		struct sa_index_run *r = &ix->runs[j];
		if (!r->count ||
		    run_cmp(sa_index_at(ix, r->first), family, saddr, daddr, proto) == 0)
			return r;
	}
}

/*
 * Group SAs by run key without sorting: count each run through the hash (with order[] as
 * the identity, so a slot's `first` names an SA), give each run its place, fill every run
 * from its end with its SAs taken last to first (so they keep their order and `first` ends
 * at the run's start), then order each run's few SAs. Linear in the number of SAs.
 */
int xd_sa_index_build(struct sa_index *ix, const struct xd_snapshot *s)
{
	_xd_cleanup_free_ uint32_t *run_of = NULL, *grouped = NULL;
	size_t slots = 16, end = 0;

	*ix = (struct sa_index){ .s = s, .n = s->sas.len };
	while (slots < 2 * ix->n)
		slots *= 2;
	ix->order = malloc((ix->n ? ix->n : 1) * sizeof(*ix->order));
	ix->runs = calloc(slots, sizeof(*ix->runs));
	run_of = malloc((ix->n ? ix->n : 1) * sizeof(*run_of));
	grouped = malloc((ix->n ? ix->n : 1) * sizeof(*grouped));
	if (!ix->order || !ix->runs || !run_of || !grouped) {
		xd_sa_index_done(ix);
		return -ENOMEM;
	}
	ix->runs_mask = slots - 1;
	for (size_t i = 0; i < ix->n; i++)
		ix->order[i] = (uint32_t)i;
	for (size_t i = 0; i < ix->n; i++) {
		const struct xd_sa *a = xd_snapshot_sa(s, i);
		struct sa_index_run *r = run_slot(ix, a->family, &a->saddr, &a->daddr, a->proto);
		if (!r->count++)
			r->first = (uint32_t)i;
		run_of[i] = (uint32_t)(r - ix->runs);
	}
	for (size_t j = 0; j < slots; j++) {
		end += ix->runs[j].count;
		ix->runs[j].first = (uint32_t)end;
	}
	for (size_t i = ix->n; i-- > 0;)
		grouped[--ix->runs[run_of[i]].first] = (uint32_t)i;
	for (size_t j = 0; j < slots; j++)
		if (ix->runs[j].count > 1)
			sort_run(s, grouped + ix->runs[j].first, ix->runs[j].count);
	free(ix->order);
	ix->order = XD_TAKE_PTR(grouped);
	return 0;
}

void xd_sa_index_done(struct sa_index *ix)
{
	free(ix->order);
	free(ix->runs);
	ix->order = NULL;
	ix->runs = NULL;
}

size_t xd_sa_index_find(const struct sa_index *ix, uint16_t family, const struct xd_addr *saddr,
		     const struct xd_addr *daddr, uint8_t proto, uint32_t reqid, size_t *first)
{
	const struct sa_index_run *run = run_slot(ix, family, saddr, daddr, proto);
	size_t lo = run->first, hi = (size_t)run->first + run->count, end;

	/* lower bound of reqid within the run (sorted by reqid) */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (sa_index_at(ix, mid)->reqid < reqid)
			lo = mid + 1;
		else
			hi = mid;
	}
	end = lo;
	while (end < (size_t)run->first + run->count && sa_index_at(ix, end)->reqid == reqid)
		end++;
	*first = lo;
	return end - lo;
}

size_t xd_sa_index_find_any_reqid(const struct sa_index *ix, uint16_t family,
			       const struct xd_addr *saddr, const struct xd_addr *daddr,
			       uint8_t proto, size_t *first)
{
	const struct sa_index_run *run = run_slot(ix, family, saddr, daddr, proto);

	*first = run->first;
	return run->count;
}

size_t xd_sa_index_group_end(const struct sa_index *ix, size_t pos)
{
	const struct xd_sa *head = sa_index_at(ix, pos);
	size_t end = pos + 1;

	while (end < ix->n) {
		const struct xd_sa *x = sa_index_at(ix, end);
		if (x->reqid != head->reqid ||
		    run_cmp(x, head->family, &head->saddr, &head->daddr, head->proto) != 0)
			break;
		end++;
	}
	return end;
}

const char *xd_diag_sa_desc(const struct xd_sa *sa, char *buf, size_t len)
{
	char a[64], b[64], n[16];
	const char *proto = xd_name_proto(sa->proto);

	if (!proto) {
		snprintf(n, sizeof(n), "proto %u", sa->proto);
		proto = n;
	}
	snprintf(buf, len, "%s %s->%s spi 0x%08x reqid %u", proto,
		 xd_addr_fmt(&sa->saddr, sa->family, a, sizeof(a)),
		 xd_addr_fmt(&sa->daddr, sa->family, b, sizeof(b)), sa->spi, sa->reqid);
	return buf;
}

void xd_diag_sa_ends(const struct xd_snapshot *s, const struct xd_sa *sa,
		  const struct xd_addr **local, const struct xd_addr **peer)
{
	if (xd_diag_sa_dir(s, sa) == SA_DIR_IN) {
		*local = &sa->daddr;
		*peer = &sa->saddr;
	} else {
		*local = &sa->saddr;
		*peer = &sa->daddr;
	}
}

bool xd_diag_sa_is_larval(const struct xd_sa *sa)
{
	return diag_sa_is_larval(sa);
}
