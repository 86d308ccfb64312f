/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rtunnel.h: route-based IPsec tunnels, one per xfrm or vti/vti6 interface, with what the
 * kernel ties to it. An xfrm interface owns the SAs and policies whose if_id equals its own;
 * a VTI owns the SAs and policies between its endpoints whose mark its key (ikey inbound,
 * okey outbound) matches, because the kernel looks them up with that key as the mark. The
 * checks (check-route.c) and `xfrmctl show tunnels` read the same rows.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "xfrmd/model.h"
#include "xfrmd/util.h"

enum xd_rtunnel_kind {
	XD_RTUNNEL_XFRM,
	XD_RTUNNEL_VTI, /* vti (IPv4 outer) or vti6 (IPv6 outer) */
};

enum xd_rtunnel_state {
	XD_RTUNNEL_UP,       /* interface up, SAs both ways */
	XD_RTUNNEL_DEGRADED, /* interface up, SAs one way only */
	XD_RTUNNEL_IDLE,     /* interface up, no SA */
	XD_RTUNNEL_DOWN,     /* interface down */
};

struct xd_rtunnel {
	const struct xd_link *link; /* borrowed from the snapshot */
	enum xd_rtunnel_kind kind;
	enum xd_rtunnel_state state;
	bool if_up;
	uint16_t family; /* of local/peer; 0 when no endpoint is known */
	struct xd_addr local, peer; /* vti: its endpoints; xfrm: those of its first SA or policy */
	uint32_t peers;  /* distinct remote endpoints of its SAs and policy templates */
	uint32_t sas_in, sas_out;
	uint32_t policies;
	int32_t routes; /* unicast routes of any table out of the interface; -1 not collected */
	int disable_policy, disable_xfrm; /* sysctl values, -1 not recorded */
};

/* Is the interface down (administratively, or no carrier / lower layer down)? */
bool xd_link_is_down(const struct xd_link *l);
/* A route-based IPsec device (kind xfrm, vti or vti6)? */
bool xd_link_is_rtunnel(const struct xd_link *l);

/* Does `key` (a VTI key or a packet mark) satisfy this SA or policy mark? */
static inline bool xd_mark_matches(const struct xd_mark *m, uint32_t key)
{
	return (key & m->m) == m->v;
}

/* Does the SA belong to the interface; *ret_inbound tells its direction there. For a VTI the
 * endpoints must match; the mark is checked only when `want_mark`. */
bool xd_rtunnel_sa_on(const struct xd_snapshot *s, const struct xd_link *l, const struct xd_sa *sa,
		      bool want_mark, bool *ret_inbound);
/* The same for a policy (dir in, out or fwd); a VTI's policy is matched by its template. */
bool xd_rtunnel_policy_on(const struct xd_snapshot *s, const struct xd_link *l,
			  const struct xd_policy *p, bool want_mark);

/* The rows of every route-based interface of a sorted snapshot, in interface order
 * (struct xd_rtunnel into *ret, initialised here). 0 or -ENOMEM. */
int xd_rtunnels_build(const struct xd_snapshot *s, struct xd_vec *ret);

const char *xd_rtunnel_kind_name(enum xd_rtunnel_kind k);
const char *xd_rtunnel_state_name(enum xd_rtunnel_state st);
