/* SPDX-License-Identifier: GPL-2.0-or-later */
/* diag-util.c: shared facts about SAs, selectors and addresses for the checks. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <sys/socket.h>

#include "diag-util.h"
#include "xfrmd/names.h"

uint8_t diag_host_plen(uint16_t family)
{
	return family == AF_INET6 ? 128 : 32;
}

enum sa_dir diag_sa_dir(const struct xd_snapshot *s, const struct xd_sa *sa)
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

bool diag_sa_is_larval(const struct xd_sa *sa)
{
	return sa->spi == 0 &&
	       !(sa->has & (XD_SA_HAS_AEAD | XD_SA_HAS_ENC | XD_SA_HAS_AUTH | XD_SA_HAS_COMP));
}

bool diag_sa_is_helper(const struct xd_sa *sa)
{
	return sa->proto == 4 || sa->proto == 41;
}

bool diag_sa_is_real(const struct xd_sa *sa)
{
	return (sa->proto == PROTO_ESP || sa->proto == PROTO_AH || sa->proto == PROTO_COMP) &&
	       !diag_sa_is_larval(sa);
}

bool diag_addr_is_zero(const struct xd_addr *a, uint16_t family)
{
	size_t n = family == AF_INET ? 4 : 16;

	for (size_t i = 0; i < n; i++)
		if (a->b[i])
			return false;
	return true;
}

bool diag_prefix_covers(uint16_t family, const struct xd_addr *outer, uint8_t outer_len,
			const struct xd_addr *inner, uint8_t inner_len)
{
	uint8_t max = diag_host_plen(family);
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

static bool port_covers(uint16_t op, uint16_t om, uint16_t ip, uint16_t im)
{
	/* outer matches every port inner matches: outer's mask bits are a subset of inner's
	 * and agree on them */
	if ((om & im) != om)
		return false;
	return (op & om) == (ip & om);
}

bool diag_selector_covers(const struct xd_selector *o, const struct xd_selector *i)
{
	if (o->family && i->family && o->family != i->family)
		return false;
	if (o->proto && o->proto != i->proto)
		return false;
	if (o->ifindex && o->ifindex != i->ifindex)
		return false;
	if (!port_covers(o->sport, o->sport_mask, i->sport, i->sport_mask) ||
	    !port_covers(o->dport, o->dport_mask, i->dport, i->dport_mask))
		return false;
	return diag_prefix_covers(o->family ? o->family : i->family, &o->saddr, o->prefixlen_s,
				  &i->saddr, i->prefixlen_s) &&
	       diag_prefix_covers(o->family ? o->family : i->family, &o->daddr, o->prefixlen_d,
				  &i->daddr, i->prefixlen_d);
}

bool diag_selector_equal(const struct xd_selector *a, const struct xd_selector *b)
{
	return diag_selector_covers(a, b) && diag_selector_covers(b, a);
}

bool diag_selector_dst_is_local_host(const struct xd_snapshot *s, const struct xd_selector *sel)
{
	return sel->prefixlen_d >= diag_host_plen(sel->family) &&
	       xd_snapshot_is_local(s, sel->family, &sel->daddr);
}

const char *diag_addr(const struct xd_addr *a, uint16_t family, char *buf, size_t len)
{
	return xd_addr_fmt(a, family, buf, len);
}

/* sort-based SA index */
static int key_cmp(const struct xd_sa *a, uint16_t family, const struct xd_addr *saddr,
		   const struct xd_addr *daddr, uint8_t proto, uint32_t reqid)
{
	int r;

	if (a->family != family)
		return a->family < family ? -1 : 1;
	r = memcmp(&a->saddr, saddr, sizeof(*saddr));
	if (r)
		return r;
	r = memcmp(&a->daddr, daddr, sizeof(*daddr));
	if (r)
		return r;
	if (a->proto != proto)
		return a->proto < proto ? -1 : 1;
	if (a->reqid != reqid)
		return a->reqid < reqid ? -1 : 1;
	return 0;
}

static int order_cmp(const void *pa, const void *pb, void *ud)
{
	const struct xd_snapshot *snap = ud;
	const struct xd_sa *a = xd_snapshot_sa(snap, *(const uint32_t *)pa);
	const struct xd_sa *b = xd_snapshot_sa(snap, *(const uint32_t *)pb);
	int r = key_cmp(a, b->family, &b->saddr, &b->daddr, b->proto, b->reqid);

	if (r)
		return r;
	/* within a key: oldest first, then SPI, for a deterministic order */
	if (a->curlft.add_time != b->curlft.add_time)
		return a->curlft.add_time < b->curlft.add_time ? -1 : 1;
	return a->spi < b->spi ? -1 : a->spi > b->spi;
}

int sa_index_build(struct sa_index *ix, const struct xd_snapshot *s)
{
	ix->s = s;
	ix->n = s->sas.len;
	ix->order = malloc((ix->n ? ix->n : 1) * sizeof(*ix->order));
	if (!ix->order)
		return -ENOMEM;
	for (size_t i = 0; i < ix->n; i++)
		ix->order[i] = (uint32_t)i;
	qsort_r(ix->order, ix->n, sizeof(*ix->order), order_cmp, (void *)(uintptr_t)s);
	return 0;
}

void sa_index_done(struct sa_index *ix)
{
	free(ix->order);
	ix->order = NULL;
}

size_t sa_index_find(const struct sa_index *ix, uint16_t family, const struct xd_addr *saddr,
		     const struct xd_addr *daddr, uint8_t proto, uint32_t reqid, size_t *first)
{
	size_t lo = 0, hi = ix->n, end;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (key_cmp(sa_index_at(ix, mid), family, saddr, daddr, proto, reqid) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	end = lo;
	while (end < ix->n && key_cmp(sa_index_at(ix, end), family, saddr, daddr, proto, reqid) == 0)
		end++;
	*first = lo;
	return end - lo;
}

static int key_cmp_noreqid(const struct xd_sa *a, uint16_t family, const struct xd_addr *saddr,
			   const struct xd_addr *daddr, uint8_t proto)
{
	int r = key_cmp(a, family, saddr, daddr, proto, a->reqid);
	return r;
}

size_t sa_index_find_any_reqid(const struct sa_index *ix, uint16_t family,
			       const struct xd_addr *saddr, const struct xd_addr *daddr,
			       uint8_t proto, size_t *first)
{
	size_t lo = 0, hi = ix->n, end;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (key_cmp(sa_index_at(ix, mid), family, saddr, daddr, proto, 0) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	end = lo;
	while (end < ix->n && key_cmp_noreqid(sa_index_at(ix, end), family, saddr, daddr, proto) == 0)
		end++;
	*first = lo;
	return end - lo;
}

const char *diag_sa_desc(const struct xd_sa *sa, char *buf, size_t len)
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

void diag_sa_ends(const struct xd_snapshot *s, const struct xd_sa *sa,
		  const struct xd_addr **local, const struct xd_addr **peer)
{
	if (diag_sa_dir(s, sa) == SA_DIR_IN) {
		*local = &sa->daddr;
		*peer = &sa->saddr;
	} else {
		*local = &sa->saddr;
		*peer = &sa->daddr;
	}
}
