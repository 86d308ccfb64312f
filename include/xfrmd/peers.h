/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * peers.h: the per-peer status matrix (DESIGN.md §7): one row per remote gateway seen in SAs
 * and policy templates, with SAs and traffic each way, the state and the findings behind it.
 */
#pragma once

#include <stdint.h>

#include "xfrmd/finding.h"
#include "xfrmd/model.h"

enum xd_peer_state {
	XD_PEER_UNKNOWN,
	XD_PEER_UP,
	XD_PEER_DEGRADED,
	XD_PEER_DOWN,
};

struct xd_peer_row {
	uint16_t family;
	struct xd_addr local;
	struct xd_addr peer;
	uint32_t sas_out, sas_in;
	uint64_t bytes_out, bytes_in, packets_out, packets_in;
	uint32_t policies;
	uint32_t errors, warnings;
	enum xd_peer_state state;
	const char *interface; /* route-based: the xfrm/vti interface its SAs use (rtunnel.h), or NULL */
	struct xd_vec finding_ids; /* const char * (static ids), unique, sorted */
	/* the IKE daemon's view of this peer (ike.h): the state of its IKE SA with the peer
	 * ("ESTABLISHED", "CONNECTING", ...; an ESTABLISHED one first), "none" when the daemon
	 * has none, NULL when no daemon's view was read; the IKE SA's connection or NULL */
	const char *ike_state;
	const char *ike_conn;
};

const char *xd_peer_state_name(enum xd_peer_state s);

/* Build the matrix of snapshot `s` from its findings `f` into `rows` (struct xd_peer_row),
 * sorted by (family, peer, local). A peer the IKE daemon has an IKE SA with gets a row even
 * without SAs or policies (an IKE SA up with its CHILD_SA missing). Returns 0 or -ENOMEM. */
int xd_peers_build(const struct xd_snapshot *s, const struct xd_findings *f, struct xd_vec *rows);
void xd_peers_free(struct xd_vec *rows);
