/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tunnels.c: per-tunnel counters monotonic across rekeys. Keeps the last counters of every
 * SA it saw, so an SA's growth is counted once, a rekeyed successor adds its own bytes, and a
 * vanished SA leaves its last value in the total. O(n log n) per snapshot.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "diag-util.h"
#include "xfrmd/tunnels.h"

struct known_sa {
	uint16_t family;
	uint8_t proto;
	struct xd_addr daddr;
	uint32_t spi;
	uint64_t add_time;
	uint64_t bytes, packets;
};

void xd_tunnels_init(struct xd_tunnels *t)
{
	memset(t, 0, sizeof(*t));
	xd_vec_init(&t->tunnels, sizeof(struct xd_tunnel));
	xd_vec_init(&t->known, sizeof(struct known_sa));
}

void xd_tunnels_done(struct xd_tunnels *t)
{
	xd_vec_done(&t->tunnels);
	xd_vec_done(&t->known);
}

static int cmp_u(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

static int known_cmp(const void *pa, const void *pb)
{
	const struct known_sa *a = pa, *b = pb;
	int r;

	if ((r = cmp_u(a->family, b->family)) || (r = cmp_u(a->proto, b->proto)) ||
	    (r = cmp_u(a->spi, b->spi)))
		return r;
	if ((r = memcmp(&a->daddr, &b->daddr, sizeof(a->daddr))))
		return r;
	return cmp_u(a->add_time, b->add_time);
}

static int tunnel_cmp(const void *pa, const void *pb)
{
	const struct xd_tunnel *a = pa, *b = pb;
	int r;

	if ((r = cmp_u(a->family, b->family)) || (r = memcmp(&a->peer, &b->peer, sizeof(a->peer))) ||
	    (r = memcmp(&a->local, &b->local, sizeof(a->local))) ||
	    (r = cmp_u(a->reqid, b->reqid)))
		return r;
	return cmp_u(a->dir, b->dir);
}

/* The tunnel with this key, inserted (sorted) when new; NULL on allocation failure. */
static struct xd_tunnel *tunnel_get(struct xd_vec *v, const struct xd_tunnel *key, bool *created)
{
	size_t lo = 0, hi = v->len;
	struct xd_tunnel *slot;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = tunnel_cmp(xd_vec_at(v, mid), key);
		if (c == 0) {
			*created = false;
			return xd_vec_at(v, mid);
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!xd_vec_push(v))
		return NULL;
	slot = xd_vec_at(v, lo);
	memmove((char *)slot + v->elem_size, slot, (v->len - 1 - lo) * v->elem_size);
	*slot = *key;
	*created = true;
	return slot;
}

int xd_tunnels_update(struct xd_tunnels *t, const struct xd_snapshot *s)
{
	struct xd_vec next;

	xd_vec_init(&next, sizeof(struct known_sa));
	/* pass 1: allocate everything so a failure leaves the totals untouched */
	for (size_t i = 0; i < s->sas.len; i++) {
		const struct xd_sa *sa = xd_snapshot_sa(s, i);
		struct known_sa *k;

		if (!diag_sa_is_real(sa))
			continue;
		k = xd_vec_push(&next);
		if (!k) {
			xd_vec_done(&next);
			return -ENOMEM;
		}
		*k = (struct known_sa){ .family = sa->family, .proto = sa->proto, .daddr = sa->daddr,
					.spi = sa->spi, .add_time = sa->curlft.add_time,
					.bytes = sa->curlft.bytes, .packets = sa->curlft.packets };
	}
	if (next.len)
		qsort(next.data, next.len, next.elem_size, known_cmp);
	for (size_t i = 0; i < t->tunnels.len; i++)
		((struct xd_tunnel *)xd_vec_at(&t->tunnels, i))->sas = 0;

	for (size_t i = 0; i < s->sas.len; i++) {
		const struct xd_sa *sa = xd_snapshot_sa(s, i);
		const struct xd_addr *local, *peer;
		struct known_sa key, *old;
		struct xd_tunnel tk = { 0 }, *tun;
		uint64_t db, dp;
		bool created;

		if (!diag_sa_is_real(sa))
			continue;
		xd_diag_sa_ends(s, sa, &local, &peer);
		tk.family = sa->family;
		tk.local = *local;
		tk.peer = *peer;
		tk.reqid = sa->reqid;
		tk.dir = xd_diag_sa_dir(s, sa) == SA_DIR_IN ? XD_TUNNEL_IN : XD_TUNNEL_OUT;
		tun = tunnel_get(&t->tunnels, &tk, &created);
		if (!tun) {
			xd_vec_done(&next);
			return -ENOMEM;
		}
		key = (struct known_sa){ .family = sa->family, .proto = sa->proto, .daddr = sa->daddr,
					 .spi = sa->spi, .add_time = sa->curlft.add_time };
		old = t->known.len ? bsearch(&key, t->known.data, t->known.len, t->known.elem_size,
					     known_cmp)
				   : NULL;
		if (old && sa->curlft.bytes >= old->bytes && sa->curlft.packets >= old->packets) {
			db = sa->curlft.bytes - old->bytes;
			dp = sa->curlft.packets - old->packets;
		} else {
			/* new SA (first sight or a rekeyed successor): all its traffic is new */
			db = sa->curlft.bytes;
			dp = sa->curlft.packets;
			if (!created && t->updates > 0)
				tun->rekeys++;
		}
		tun->bytes += db;
		tun->packets += dp;
		tun->sas++;
		tun->last_seen = s->meta.captured_at;
	}
	xd_vec_done(&t->known);
	t->known = next;
	/* forget tunnels gone for long (compaction keeps the order) */
	size_t w = 0;
	for (size_t i = 0; i < t->tunnels.len; i++) {
		struct xd_tunnel *x = xd_vec_at(&t->tunnels, i);
		if (x->sas == 0 && s->meta.captured_at - x->last_seen >= XD_TUNNEL_RETAIN_S)
			continue;
		if (i != w)
			*(struct xd_tunnel *)xd_vec_at(&t->tunnels, w) = *x;
		w++;
	}
	t->tunnels.len = w;
	t->updates++;
	return 0;
}
