/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * peers.c: folds SAs, policy templates and findings into one row per remote gateway — the
 * status matrix operators kept by hand. State: up (SAs both ways, no warning or error about
 * the peer), degraded (one way only, or findings), down (policies name the peer but no SA
 * exists), unknown (the SA dump is incomplete).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "diag-util.h"
#include "xfrmd/peers.h"

const char *xd_peer_state_name(enum xd_peer_state s)
{
	static const char *const n[] = { "unknown", "up", "degraded", "down" };
	return (unsigned)s < 4 ? n[s] : "unknown";
}

static int row_cmp(const void *pa, const void *pb)
{
	const struct xd_peer_row *a = pa, *b = pb;
	int r;

	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	r = memcmp(&a->peer, &b->peer, sizeof(a->peer));
	return r ? r : memcmp(&a->local, &b->local, sizeof(a->local));
}

/* One contribution per SA or template; sorted and merged afterwards, so building the matrix
 * costs O(n log n) even on a concentrator with 100k peers. */
static struct xd_peer_row *contrib(struct xd_vec *rows, uint16_t family, const struct xd_addr *local,
				   const struct xd_addr *peer)
{
	struct xd_peer_row *r = xd_vec_push(rows);

	if (!r)
		return NULL;
	r->family = family;
	r->local = *local;
	r->peer = *peer;
	xd_vec_init(&r->finding_ids, sizeof(const char *));
	return r;
}

static void merge_rows(struct xd_vec *rows)
{
	size_t w = 0;

	if (rows->len > 1)
		qsort(rows->data, rows->len, sizeof(struct xd_peer_row), row_cmp);
	for (size_t i = 0; i < rows->len; i++) {
		struct xd_peer_row *r = xd_vec_at(rows, i);
		struct xd_peer_row *last = w ? xd_vec_at(rows, w - 1) : NULL;

		if (last && row_cmp(last, r) == 0) {
			last->sas_in += r->sas_in;
			last->sas_out += r->sas_out;
			last->bytes_in += r->bytes_in;
			last->bytes_out += r->bytes_out;
			last->packets_in += r->packets_in;
			last->packets_out += r->packets_out;
			last->policies += r->policies;
			continue;
		}
		if (i != w)
			*(struct xd_peer_row *)xd_vec_at(rows, w) = *r;
		w++;
	}
	rows->len = w;
}

static void add_id(struct xd_peer_row *r, const char *id)
{
	const char **slot;

	for (size_t i = 0; i < r->finding_ids.len; i++)
		if (*(const char **)xd_vec_at(&r->finding_ids, i) == id)
			return;
	slot = xd_vec_push(&r->finding_ids);
	if (slot)
		*slot = id;
}

static int id_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* First row with (family, peer) >= key. */
static size_t lower_bound(const struct xd_vec *rows, uint16_t family, const struct xd_addr *peer)
{
	size_t lo = 0, hi = rows->len;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct xd_peer_row *r = xd_vec_at(rows, mid);
		int c = r->family != family ? (r->family < family ? -1 : 1)
					    : memcmp(&r->peer, peer, sizeof(*peer));
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void fold_subject(struct xd_vec *rows, const struct xd_finding *x,
			 const struct xd_subject *sj)
{
	for (size_t k = lower_bound(rows, sj->family, &sj->peer); k < rows->len; k++) {
		struct xd_peer_row *r = xd_vec_at(rows, k);
		if (r->family != sj->family || memcmp(&r->peer, &sj->peer, sizeof(r->peer)))
			break;
		if ((sj->has & XD_SUBJ_LOCAL) && memcmp(&r->local, &sj->local, sizeof(r->local)))
			continue;
		add_id(r, x->def->id);
		r->errors += x->severity == XD_SEV_ERROR;
		r->warnings += x->severity == XD_SEV_WARNING;
	}
}

int xd_peers_build(const struct xd_snapshot *s, const struct xd_findings *f, struct xd_vec *rows)
{
	xd_vec_init(rows, sizeof(struct xd_peer_row));
	for (size_t i = 0; i < s->sas.len; i++) {
		const struct xd_sa *sa = xd_snapshot_sa(s, i);
		const struct xd_addr *local, *peer;
		struct xd_peer_row *r;

		if (!diag_sa_is_real(sa))
			continue;
		xd_diag_sa_ends(s, sa, &local, &peer);
		r = contrib(rows, sa->family, local, peer);
		if (!r)
			return -ENOMEM;
		if (xd_diag_sa_dir(s, sa) == SA_DIR_IN) {
			r->sas_in = 1;
			r->bytes_in = sa->curlft.bytes;
			r->packets_in = sa->curlft.packets;
		} else {
			r->sas_out = 1;
			r->bytes_out = sa->curlft.bytes;
			r->packets_out = sa->curlft.packets;
		}
	}
	for (size_t i = 0; i < s->policies.len; i++) {
		const struct xd_policy *p = xd_snapshot_policy(s, i);

		for (uint32_t k = 0; k < p->tmpl_count; k++) {
			const struct xd_tmpl *t = xd_policy_tmpl(s, p, k);
			struct xd_peer_row *r;

			if (!xd_mode_is_tunnel_like(t->mode) || xd_diag_addr_is_zero(&t->daddr, t->family))
				continue;
			if (p->dir == POL_OUT)
				r = contrib(rows, t->family, &t->saddr, &t->daddr);
			else if (p->dir == POL_IN || p->dir == POL_FWD)
				r = contrib(rows, t->family, &t->daddr, &t->saddr);
			else
				continue;
			if (!r)
				return -ENOMEM;
			r->policies = 1;
		}
	}
	merge_rows(rows);
	/* every subject of an aggregated finding: a row sees the findings that concern its
	 * peer (and counts them) whether or not their id aggregates */
	for (size_t i = 0; f && i < f->items.len; i++) {
		const struct xd_finding *x = xd_findings_at(f, i);

		for (size_t j = 0; j < xd_finding_count(x); j++) {
			const struct xd_subject *sj = xd_finding_subject_at(x, j);

			if (sj->has & XD_SUBJ_PEER)
				fold_subject(rows, x, sj);
		}
	}
	bool sa_view_complete = s->meta.dump_status[XD_DUMP_XFRM_SA] == XD_DUMP_COMPLETE;
	for (size_t k = 0; k < rows->len; k++) {
		struct xd_peer_row *r = xd_vec_at(rows, k);

		if (!sa_view_complete)
			r->state = XD_PEER_UNKNOWN;
		else if (!r->sas_in && !r->sas_out)
			r->state = XD_PEER_DOWN;
		else if (r->sas_in && r->sas_out && !r->errors && !r->warnings)
			r->state = XD_PEER_UP;
		else
			r->state = XD_PEER_DEGRADED;
		if (r->finding_ids.len > 1)
			qsort(r->finding_ids.data, r->finding_ids.len, sizeof(const char *), id_cmp);
	}
	return 0;
}

void xd_peers_free(struct xd_vec *rows)
{
	for (size_t k = 0; k < rows->len; k++)
		xd_vec_done(&((struct xd_peer_row *)xd_vec_at(rows, k))->finding_ids);
	xd_vec_done(rows);
}
