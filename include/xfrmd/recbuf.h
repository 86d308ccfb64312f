/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * recbuf.h: records kept in memory, plus the manifest describing how they were collected.
 * Live collection fills one; the decoder and the snapshot writer read it.
 */
#pragma once

#include "xfrmd/dumps.h"
#include "xfrmd/model.h"

struct xd_recbuf;

int xd_recbuf_new(struct xd_recbuf **ret);
struct xd_recbuf *xd_recbuf_free(struct xd_recbuf *b);

/* Append a copy of a record. */
int xd_recbuf_add(struct xd_recbuf *b, const struct xd_record *rec);
/* Forget every record of one dump (a retried dump replaces its earlier attempt). */
void xd_recbuf_drop_dump(struct xd_recbuf *b, enum xd_dump d);
/* Feed every record, in insertion order, to a sink; stops at the first error. */
int xd_recbuf_replay(const struct xd_recbuf *b, const struct xd_record_sink *sink);
size_t xd_recbuf_count(const struct xd_recbuf *b);
/*
 * Copy into `dst` the records and manifest entries (status, error, attempts) of every dump in
 * `dumps` (bit 1 << enum xd_dump) that `src` has and `dst` did not collect (status "not
 * collected"). The daemon's event-triggered resyncs leave the IKE daemons alone and carry
 * the IKE view of the latest sample this way. Returns 0 or -ENOMEM (dst may then hold part).
 */
int xd_recbuf_carry(struct xd_recbuf *dst, const struct xd_recbuf *src, uint64_t dumps);

/* The manifest (collection facts): statuses, kernel, time. Owned by the buffer. */
struct xd_meta *xd_recbuf_meta(struct xd_recbuf *b);
const struct xd_meta *xd_recbuf_meta_const(const struct xd_recbuf *b);

static inline void xd_recbuf_freep(struct xd_recbuf **b)
{
	xd_recbuf_free(*b);
}

/*
 * Hand the records of the dumps in `dumps` (bit 1 << enum xd_dump) to `sink` as they are
 * added instead of keeping them; dropping such a dump calls sink->drop. A diagnosis then
 * never holds the raw SA and policy messages and the model at the same time. Replay and
 * count see only the records kept. The sink must outlive the buffer's collection.
 */
void xd_recbuf_stream(struct xd_recbuf *b, uint64_t dumps, const struct xd_record_sink *sink);

/* A record-sink callback that appends to the recbuf passed as userdata. */
int xd_recbuf_add_sink(void *userdata, const struct xd_record *rec);
