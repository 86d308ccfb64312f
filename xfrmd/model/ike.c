/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ike.c: the IKE daemon's view in a snapshot (ike.h): its storage, and the one rule of which
 * VICI names may carry secrets, shared by the decoder and the collector's scrubber.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "xfrmd/ike.h"
#include "xfrmd/model.h"

struct xd_ike *xd_snapshot_ike(struct xd_snapshot *s)
{
	struct xd_ike *ike;

	if (s->ike)
		return s->ike;
	ike = calloc(1, sizeof(*ike));
	if (!ike)
		return NULL;
	xd_vec_init(&ike->conns, sizeof(struct xd_ike_conn));
	xd_vec_init(&ike->child_cfgs, sizeof(struct xd_ike_child_cfg));
	xd_vec_init(&ike->sas, sizeof(struct xd_ike_sa));
	xd_vec_init(&ike->child_sas, sizeof(struct xd_ike_child_sa));
	xd_vec_init(&ike->strings, sizeof(const char *));
	xd_vec_init(&ike->events, sizeof(struct xd_ike_event));
	s->ike = ike;
	return ike;
}

void xd_ike_done(struct xd_ike *ike)
{
	if (!ike)
		return;
	xd_vec_done(&ike->conns);
	xd_vec_done(&ike->child_cfgs);
	xd_vec_done(&ike->sas);
	xd_vec_done(&ike->child_sas);
	xd_vec_done(&ike->strings);
	xd_vec_done(&ike->events);
	free(ike);
}

const char *xd_ike_string(const struct xd_ike *ike, uint32_t i)
{
	if (!ike || i >= ike->strings.len)
		return NULL;
	return *(const char *const *)xd_vec_at(&ike->strings, i);
}

static const char *const event_kind_names[_XD_IKE_EV_MAX] = {
	[XD_IKE_EV_AUTH_FAILED] = "auth_failed",
	[XD_IKE_EV_NO_PROPOSAL] = "no_proposal",
	[XD_IKE_EV_TS_UNACCEPTABLE] = "ts_unacceptable",
	[XD_IKE_EV_PEER_UNREACHABLE] = "peer_unreachable",
	[XD_IKE_EV_ID_MISMATCH] = "id_mismatch",
	[XD_IKE_EV_DPD_DEAD] = "dpd_dead",
	[XD_IKE_EV_INVALID_KE] = "invalid_ke",
	[XD_IKE_EV_NATT_TRANSPORT] = "natt_transport",
	[XD_IKE_EV_IKE_UP] = "ike_up",
	[XD_IKE_EV_CHILD_UP] = "child_up",
	[XD_IKE_EV_IKE_DOWN] = "ike_down",
	[XD_IKE_EV_CHILD_DOWN] = "child_down",
};

const char *xd_ike_event_kind_name(enum xd_ike_event_kind k)
{
	if ((unsigned)k >= _XD_IKE_EV_MAX)
		return NULL;
	return event_kind_names[k];
}

bool xd_ike_event_is_failure(enum xd_ike_event_kind k)
{
	return (unsigned)k < XD_IKE_EV_IKE_UP;
}

/* Case-insensitive search for `needle` in the first `len` bytes of `name`. */
static bool contains(const char *name, size_t len, const char *needle)
{
	size_t n = strlen(needle);

	for (size_t i = 0; i + n <= len; i++)
		if (strncasecmp(name + i, needle, n) == 0)
			return true;
	return false;
}

bool xd_vici_name_is_secret(const char *name, size_t len)
{
	static const char *const words[] = { "key", "secret", "psk", "passw" };
	static const char keysize[] = "-keysize";
	size_t ks = sizeof(keysize) - 1;

	/* "encr-keysize", "integ-keysize": a length in bits, which is not a secret */
	if (len > ks && strncasecmp(name + len - ks, keysize, ks) == 0 &&
	    !contains(name, len - ks, "key") && !contains(name, len - ks, "secret"))
		return false;
	/* IKEv2's derived keys are SK_d, SK_ai, SK_ei, SK_pi ... (RFC 7296 2.14) */
	if (len >= 3 && strncasecmp(name, "sk", 2) == 0 && (name[2] == '_' || name[2] == '-'))
		return true;
	for (size_t i = 0; i < XD_ARRAY_SIZE(words); i++)
		if (contains(name, len, words[i]))
			return true;
	return false;
}

/* ---- the failure tally across samples ---- */

void xd_ike_failures_init(struct xd_ike_failures *f)
{
	memset(f, 0, sizeof(*f));
}

void xd_ike_failures_done(struct xd_ike_failures *f)
{
	free(f->prev);
	memset(f, 0, sizeof(*f));
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ull;
	return h;
}

static uint64_t fnv_str(uint64_t h, const char *s)
{
	/* the terminating NUL keeps ("ab","c") and ("a","bc") apart; NULL differs from "" */
	return s ? fnv(h, s, strlen(s) + 1) : fnv(h, "\377", 1);
}

/* An event's identity; the kind sits in the low byte so the tally can read it back. */
static uint64_t event_key(const struct xd_ike_event *e)
{
	uint64_t h = 0xcbf29ce484222325ull;

	h = fnv(h, &e->time_s, sizeof(e->time_s));
	h = fnv_str(h, e->stack);
	h = fnv_str(h, e->conn);
	h = fnv_str(h, e->peer);
	h = fnv_str(h, e->text);
	return (h & ~(uint64_t)0xff) | (uint64_t)e->kind;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int xd_ike_failures_update(struct xd_ike_failures *f, const struct xd_snapshot *s)
{
	const struct xd_ike *ike = s->ike;
	uint64_t *cur;
	size_t n = 0, j = 0;

	if (!ike || !ike->events_present)
		return 0;
	cur = malloc((ike->events.len ? ike->events.len : 1) * sizeof(*cur));
	if (!cur)
		return -ENOMEM;
	for (size_t i = 0; i < ike->events.len; i++) {
		const struct xd_ike_event *e = xd_vec_at(&ike->events, i);
		if (xd_ike_event_is_failure(e->kind))
			cur[n++] = event_key(e);
	}
	qsort(cur, n, sizeof(*cur), cmp_u64);
	/* a merge of two sorted multisets: what cur holds beyond prev is new */
	for (size_t i = 0; i < n; i++) {
		while (j < f->n_prev && f->prev[j] < cur[i])
			j++;
		if (j < f->n_prev && f->prev[j] == cur[i]) {
			j++;
			continue;
		}
		f->total[cur[i] & 0xff]++;
	}
	free(f->prev);
	f->prev = cur;
	f->n_prev = n;
	f->seen = true;
	return 0;
}
