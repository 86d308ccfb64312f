/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ike.c: the IKE daemon's view in a snapshot (ike.h): its storage, and the one rule of which
 * VICI names may carry secrets, shared by the decoder and the collector's scrubber.
 */
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
