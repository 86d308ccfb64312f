/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tunnels.h: per-tunnel byte and packet counters that survive rekeys. A tunnel is
 * (family, local, peer, reqid, direction); its totals are the sum over every SA that ever
 * belonged to it, so they only grow, unlike an SA's counters which start at zero after each
 * rekey. Fed one snapshot at a time (the daemon's samples; xfrmctl's single snapshot).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "xfrmd/model.h"
#include "xfrmd/util.h"

enum xd_tunnel_dir {
	XD_TUNNEL_IN = 1,
	XD_TUNNEL_OUT = 2,
};

struct xd_tunnel {
	uint16_t family;
	uint8_t dir; /* enum xd_tunnel_dir */
	struct xd_addr local;
	struct xd_addr peer;
	uint32_t reqid;
	uint64_t bytes;   /* monotonic total */
	uint64_t packets; /* monotonic total */
	uint32_t sas;     /* SAs of the tunnel in the latest snapshot */
	uint64_t rekeys;  /* SAs that joined the tunnel after the first one */
	int64_t last_seen; /* meta.captured_at of the last snapshot with an SA of it */
};

/* A tunnel without SAs for this long (by the snapshots' capture times) is forgotten: its
 * series ends, and the table stays bounded by the tunnels of the last hour. */
#define XD_TUNNEL_RETAIN_S 3600

struct xd_tunnels {
	struct xd_vec tunnels; /* struct xd_tunnel, sorted by key */
	struct xd_vec known;   /* internal: SAs of the previous snapshot, sorted */
	uint64_t updates;
};

void xd_tunnels_init(struct xd_tunnels *t);
void xd_tunnels_done(struct xd_tunnels *t);

/*
 * Account snapshot `s` (sorted): growth of SAs seen before, the whole counters of new ones.
 * An SA whose counters went down (replaced under the same SPI) counts as new. Returns 0 or
 * -ENOMEM (then the totals are those of the previous update).
 */
int xd_tunnels_update(struct xd_tunnels *t, const struct xd_snapshot *s);

static inline size_t xd_tunnels_count(const struct xd_tunnels *t)
{
	return t->tunnels.len;
}
static inline const struct xd_tunnel *xd_tunnels_at(const struct xd_tunnels *t, size_t i)
{
	return xd_vec_at(&t->tunnels, i);
}
