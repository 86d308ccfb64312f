/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * peers.c: folds SAs, policy templates and findings into one row per remote gateway — the
 * status matrix operators kept by hand. State: up (SAs both ways, no warning or error about
 * the peer), degraded (one way only, or findings), down (policies name the peer but no SA
 * exists), unknown (the SA dump is incomplete). The IKE column is the daemon's own word
 * about the peer: the state of its IKE SA, whatever the kernel holds.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "diag-util.h"
#include "xfrmd/ike.h"
#include "xfrmd/peers.h"
#include "xfrmd/rtunnel.h"

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

/* An IKE SA's address as the daemon printed it ("192.0.2.1", "2001:db8::1"). */
static bool ike_host(const char *text, uint16_t *family, struct xd_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (!text)
		return false;
	if (inet_pton(AF_INET, text, a->b) == 1)
		*family = AF_INET;
	else if (inet_pton(AF_INET6, text, a->b) == 1)
		*family = AF_INET6;
	else
		return false;
	return true;
}

static bool ike_established(const char *state)
{
	return state && strcasecmp(state, "ESTABLISHED") == 0;
}

/* Rows for peers only the IKE daemon names (no SA, no policy): contributions like the SAs'. */
static int ike_contrib(const struct xd_snapshot *s, struct xd_vec *rows)
{
	const struct xd_ike *ike = s->ike;

	for (size_t i = 0; ike && ike->sas_present && i < ike->sas.len; i++) {
		const struct xd_ike_sa *sa = xd_vec_at(&ike->sas, i);
		struct xd_addr l, r;
		uint16_t fl = 0, fr = 0;
		if (!ike_host(sa->local_host, &fl, &l) || !ike_host(sa->remote_host, &fr, &r) || fl != fr)
			continue;
		if (!contrib(rows, fr, &l, &r))
			return -ENOMEM;
	}
	return 0;
}

/* The IKE column: each IKE SA marks the rows of its peer (and local address). */
static void ike_fold(const struct xd_snapshot *s, struct xd_vec *rows)
{
	const struct xd_ike *ike = s->ike;

	if (!ike || !ike->sas_present)
		return;
	for (size_t k = 0; k < rows->len; k++)
		((struct xd_peer_row *)xd_vec_at(rows, k))->ike_state = "none";
	for (size_t i = 0; i < ike->sas.len; i++) {
		const struct xd_ike_sa *sa = xd_vec_at(&ike->sas, i);
		struct xd_addr l, r;
		uint16_t fl = 0, fr = 0;
		bool local_known;
		if (!ike_host(sa->remote_host, &fr, &r))
			continue;
		local_known = ike_host(sa->local_host, &fl, &l) && fl == fr;
		for (size_t k = lower_bound(rows, fr, &r); k < rows->len; k++) {
			struct xd_peer_row *row = xd_vec_at(rows, k);
			if (row->family != fr || memcmp(&row->peer, &r, sizeof(r)))
				break;
			if (local_known && memcmp(&row->local, &l, sizeof(l)))
				continue;
			/* an ESTABLISHED IKE SA speaks for the peer over one still connecting */
			if (!xd_streq(row->ike_state, "none") && ike_established(row->ike_state))
				continue;
			row->ike_state = sa->state ? sa->state : "?";
			row->ike_conn = sa->name;
		}
	}
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

/* The route-based interface of each peer's SAs: only SAs with an if_id or a mark can be on
 * one, and interfaces are few, so this stays linear in the SAs. */
static void set_interfaces(const struct xd_snapshot *s, struct xd_vec *rows)
{
	const struct xd_link *tun[64];
	size_t nt = 0;

	for (size_t i = 0; i < s->links.len && nt < XD_ARRAY_SIZE(tun); i++) {
		const struct xd_link *l = xd_vec_at(&s->links, i);
		if (xd_link_is_rtunnel(l) && l->name)
			tun[nt++] = l;
	}
	for (size_t i = 0; nt && i < s->sas.len; i++) {
		const struct xd_sa *sa = xd_snapshot_sa(s, i);
		const struct xd_addr *local, *peer;
		bool in;

		if (!(sa->has & (XD_SA_HAS_IF_ID | XD_SA_HAS_MARK)) || !diag_sa_is_real(sa))
			continue;
		for (size_t t = 0; t < nt; t++) {
			if (!xd_rtunnel_sa_on(s, tun[t], sa, true, &in))
				continue;
			xd_diag_sa_ends(s, sa, &local, &peer);
			for (size_t k = lower_bound(rows, sa->family, peer); k < rows->len; k++) {
				struct xd_peer_row *r = xd_vec_at(rows, k);
				if (r->family != sa->family || memcmp(&r->peer, peer, sizeof(r->peer)))
					break;
				if (!memcmp(&r->local, local, sizeof(r->local)) && !r->interface)
					r->interface = tun[t]->name;
			}
			break;
		}
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
	if (ike_contrib(s, rows) < 0)
		return -ENOMEM;
	merge_rows(rows);
	ike_fold(s, rows);
	set_interfaces(s, rows);
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
