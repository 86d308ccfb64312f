/* SPDX-License-Identifier: GPL-2.0-or-later */
/* diag-util.h: facts about model objects that several check families need. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xfrmd/diag.h"
#include "xfrmd/model.h"

enum sa_dir {
	SA_DIR_UNKNOWN,
	SA_DIR_IN,
	SA_DIR_OUT,
};

#define PROTO_ESP 50
#define PROTO_AH 51
#define PROTO_COMP 108
#define MODE_TRANSPORT 0
/* tunnel semantics: xd_mode_is_tunnel_like() (model.h), which counts IP-TFS too */
#define POL_IN 0
#define POL_OUT 1
#define POL_FWD 2
#define ACTION_ALLOW 0
#define ACTION_BLOCK 1

/* Direction from XFRMA_SA_DIR when the installer set it, else from local addresses. */
enum sa_dir xd_diag_sa_dir(const struct xd_snapshot *s, const struct xd_sa *sa);
/* Inline: the SA checks ask these several times per SA. */
/* A larval (ACQUIRE) state: SPI 0 and no algorithm yet. */
static inline bool diag_sa_is_larval(const struct xd_sa *sa)
{
	return sa->spi == 0 &&
	       !(sa->has & (XD_SA_HAS_AEAD | XD_SA_HAS_ENC | XD_SA_HAS_AUTH | XD_SA_HAS_COMP));
}

/* Kernel-made or protocol-helper state that is never "paired" (IPIP/IPv6 helper of IPComp). */
static inline bool diag_sa_is_helper(const struct xd_sa *sa)
{
	return sa->proto == 4 || sa->proto == 41;
}

/* An ESP/AH/IPComp SA that carries traffic (not larval, not a helper). */
static inline bool diag_sa_is_real(const struct xd_sa *sa)
{
	return (sa->proto == PROTO_ESP || sa->proto == PROTO_AH || sa->proto == PROTO_COMP) &&
	       !diag_sa_is_larval(sa);
}

bool xd_diag_addr_is_zero(const struct xd_addr *a, uint16_t family);
bool xd_diag_prefix_covers(uint16_t family, const struct xd_addr *outer, uint8_t outer_len,
			const struct xd_addr *inner, uint8_t inner_len);
/* Does selector `outer` match every packet `inner` matches (addresses, proto, ports)? */
bool xd_diag_selector_covers(const struct xd_selector *outer, const struct xd_selector *inner);

/* Port range `outer` (value, mask) matches every port `inner` matches: outer's mask bits
 * are a subset of inner's and agree on them. */
static inline bool diag_port_covers(uint16_t op, uint16_t om, uint16_t ip, uint16_t im)
{
	return (om & im) == om && (op & om) == (ip & om);
}

/* xd_diag_selector_covers without the addresses: family, proto, interface and ports. For
 * callers that have compared the masked addresses already (the policy index). */
static inline bool diag_selector_covers_rest(const struct xd_selector *o,
					     const struct xd_selector *i)
{
	return (!o->family || !i->family || o->family == i->family) &&
	       (!o->proto || o->proto == i->proto) && (!o->ifindex || o->ifindex == i->ifindex) &&
	       diag_port_covers(o->sport, o->sport_mask, i->sport, i->sport_mask) &&
	       diag_port_covers(o->dport, o->dport_mask, i->dport, i->dport_mask);
}
bool xd_diag_selector_equal(const struct xd_selector *a, const struct xd_selector *b);
/* Is the selector's destination one local host address (so nothing is forwarded)? */
bool xd_diag_selector_dst_is_local_host(const struct xd_snapshot *s, const struct xd_selector *sel);
uint8_t xd_diag_host_plen(uint16_t family);

/* Hash of four 64-bit words (two addresses) mixed into `seed`: the SA and policy indexes. */
static inline uint64_t diag_hash_words(uint64_t seed, const uint64_t w[4])
{
	/* four independent products (no chain of dependent rounds), then a finalizer that
	 * folds the high bits into the low ones the tables index with */
	uint64_t h = seed ^ w[0] * 0x9e3779b97f4a7c15ull ^ w[1] * 0xc2b2ae3d27d4eb4full ^
		     w[2] * 0x165667b19e3779f9ull ^ w[3] * 0xd6e8feb86659fd93ull;

	h ^= h >> 32;
	h *= 0xff51afd7ed558ccdull;
	return h ^ (h >> 29);
}

/* The first slot of (reqid, proto) in an open-addressed table of mask + 1 slots. */
static inline size_t diag_reqid_slot(uint32_t reqid, uint8_t proto, size_t mask)
{
	uint64_t h = ((uint64_t)reqid << 8 | proto) * 0x9e3779b97f4a7c15ull;

	return (size_t)(h >> 32) & mask;
}

/*
 * An index of SAs grouped in runs of equal (family, saddr, daddr, proto), each run sorted
 * by reqid (then age and SPI): finds partners and duplicates without comparing all pairs.
 * A hash of the runs makes a lookup O(1) plus a binary search on reqid within the run.
 */
struct sa_index_run {
	uint32_t first; /* position in order[] of the run's first SA */
	uint32_t count; /* 0: empty slot */
};
struct sa_index {
	const struct xd_snapshot *s;
	uint32_t *order; /* SA indices, run by run */
	size_t n;
	struct sa_index_run *runs; /* open addressing, runs_mask + 1 slots */
	size_t runs_mask;
};

int xd_sa_index_build(struct sa_index *ix, const struct xd_snapshot *s);
void xd_sa_index_done(struct sa_index *ix);
/* Range [*first, *last) of SAs with this key; returns the count. */
size_t xd_sa_index_find(const struct sa_index *ix, uint16_t family, const struct xd_addr *saddr,
		     const struct xd_addr *daddr, uint8_t proto, uint32_t reqid, size_t *first);
static inline const struct xd_sa *sa_index_at(const struct sa_index *ix, size_t pos)
{
	return xd_snapshot_sa(ix->s, ix->order[pos]);
}

/* Format helpers writing into caller buffers. */
const char *xd_diag_addr(const struct xd_addr *a, uint16_t family, char *buf, size_t len);

/* Range of SAs with (family, saddr, daddr, proto) and any reqid; returns the count. */
size_t xd_sa_index_find_any_reqid(const struct sa_index *ix, uint16_t family,
			       const struct xd_addr *saddr, const struct xd_addr *daddr,
			       uint8_t proto, size_t *first);
/* End of the group of SAs at `pos` with its run key and reqid: walking the index group by
 * group from 0 visits every (family, saddr, daddr, proto, reqid) once, without lookups. */
size_t xd_sa_index_group_end(const struct sa_index *ix, size_t pos);
/* "10.0.0.1->10.0.0.2" style description of an SA, for summaries. */
const char *xd_diag_sa_desc(const struct xd_sa *sa, char *buf, size_t len);
/* Local and peer address of an SA by its direction (out: saddr is local). */
void xd_diag_sa_ends(const struct xd_snapshot *s, const struct xd_sa *sa,
		  const struct xd_addr **local, const struct xd_addr **peer);
