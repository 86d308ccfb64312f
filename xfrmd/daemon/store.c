/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * store.c: the model store (store.h). A complete resync becomes the served model here:
 * decode, checks against the previous sample, findings lifecycle, per-tunnel counters, the
 * sample history, and what follows from the new model for watchers (findings raised and
 * cleared, new larval SAs), handed to the event loop's hooks.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "log.h"
#include "store.h"
#include "xfrmd/analysis.h"
#include "xfrmd/decode.h"
#include "xfrmd/diag.h"
#include "xfrmd/kb.h"
#include "xfrmd/model.h"
#include "xfrmd/recbuf.h"

/*
 * The known-issues base, found as xfrmctl finds it (xd_kb_default_path), so that `check`
 * answers the same whether the daemon serves it or xfrmctl collects itself.
 */
static struct xd_kb *load_known_issues(void)
{
	struct xd_kb *kb = NULL;
	char err[512];

	if (xd_kb_load_default(&kb, err, sizeof(err)) < 0) {
		log_warning("%s: known-issue checks skipped", err);
		return NULL;
	}
	log_debug("known issues: %zu entries", kb->n);
	return kb;
}

int xd_store_init(struct xd_store *st, size_t history)
{
	memset(st, 0, sizeof(*st));
	xd_lifecycle_init(&st->life);
	xd_tunnels_init(&st->tunnels);
	xd_ike_failures_init(&st->ike_failures);
	st->history = history;
	st->ring = calloc(history, sizeof(*st->ring));
	if (!st->ring)
		return -ENOMEM;
	st->kb = load_known_issues();
	return 0;
}

void xd_store_done(struct xd_store *st)
{
	xd_lifecycle_done(&st->life);
	xd_tunnels_done(&st->tunnels);
	xd_ike_failures_done(&st->ike_failures);
	if (st->prev2 != st->prev && st->prev2 != st->cur)
		xd_analysis_free(st->prev2);
	if (st->prev != st->cur)
		xd_analysis_free(st->prev);
	xd_analysis_free(st->cur);
	xd_kb_free(st->kb);
	xd_recbuf_free(st->cur_records);
	free(st->ring);
	memset(st, 0, sizeof(*st));
}

const struct xd_sample *xd_store_sample(const struct xd_store *st, size_t i)
{
	return &st->ring[(st->ring_head + st->history - st->ring_len + i) % st->history];
}

void xd_store_note_collector(struct xd_store *st, const struct xd_collector_stats *cs)
{
	st->colst = *cs;
}

/*
 * A sample is a full resync: at 100k SAs that is seconds of CPU. Samples are therefore spaced
 * at least SAMPLE_COST_FACTOR times the CPU of the latest resync (collector and model) apart,
 * so sampling stays under 1/SAMPLE_COST_FACTOR of a core whatever the configured interval;
 * small models keep the configured interval.
 */
#define SAMPLE_COST_FACTOR 100

double xd_store_resync_cpu_s(const struct xd_store *st)
{
	return (double)st->colst.last_resync_cpu_ns / 1e9 + st->last_process_cpu_s;
}

uint64_t xd_store_sample_interval_ms(const struct xd_store *st, uint64_t configured_ms)
{
	double work_s = xd_store_resync_cpu_s(st);
	uint64_t spaced = (uint64_t)(work_s * 1000.0 * SAMPLE_COST_FACTOR);

	return spaced > configured_ms ? spaced : configured_ms;
}

static void push_sample(struct xd_store *st, int64_t at)
{
	struct xd_sample *s = &st->ring[st->ring_head];
	size_t err = 0, warn = 0;

	for (size_t i = 0; i < st->cur->findings.items.len; i++) {
		enum xd_severity sv = xd_findings_at(&st->cur->findings, i)->severity;
		err += sv == XD_SEV_ERROR;
		warn += sv == XD_SEV_WARNING;
	}
	*s = (struct xd_sample){ .at_ms = at, .sas = (uint32_t)st->cur->snap->sas.len,
				 .policies = (uint32_t)st->cur->snap->policies.len,
				 .errors = (uint32_t)err,
				 .warnings = (uint32_t)warn };
	st->ring_head = (st->ring_head + 1) % st->history;
	if (st->ring_len < st->history)
		st->ring_len++;
	st->samples++;
}

static bool larval_known(const struct xd_snapshot *old, const struct xd_sa *sa)
{
	for (size_t i = 0; old && i < old->sas.len; i++) {
		const struct xd_sa *o = xd_snapshot_sa(old, i);
		if (xd_diag_sa_is_larval(o) && o->family == sa->family && o->proto == sa->proto &&
		    o->reqid == sa->reqid && o->km_seq == sa->km_seq &&
		    !memcmp(&o->saddr, &sa->saddr, sizeof(sa->saddr)) &&
		    !memcmp(&o->daddr, &sa->daddr, sizeof(sa->daddr)))
			return true;
	}
	return false;
}

/*
 * Larval SAs are created by the kernel's ACQUIRE, which xfrmd never listens to (joining
 * would change the kernel's behaviour), and no SA event announces them: new ones are found
 * by comparing dumps and reported as xfrm.sa_acquire. Bounded: an acquire storm is reported by
 * its count in the model, not line by line.
 */
static void report_new_larval(const struct xd_store_hooks *h, const struct xd_snapshot *old,
			      const struct xd_snapshot *s)
{
	size_t reported = 0;
	int64_t now = xd_real_ms();

	for (size_t i = 0; i < s->sas.len && reported < 64; i++) {
		const struct xd_sa *sa = xd_snapshot_sa(s, i);
		struct xd_kevent e = { .type = XD_KEV_SA_ACQUIRE, .time_ms = now };

		if (!xd_diag_sa_is_larval(sa) || larval_known(old, sa))
			continue;
		e.family = sa->family;
		e.proto = sa->proto;
		e.reqid = sa->reqid;
		e.saddr = sa->saddr;
		e.daddr = sa->daddr;
		e.has = XD_KEVH_ADDRS | XD_KEVH_PROTO | XD_KEVH_REQID;
		h->event(h->userdata, &e);
		reported++;
	}
}

/*
 * The decode sink, forwarding kernel events between records: decoding a large model takes a
 * while (hundreds of ms at 100k SAs), and a watcher must not wait for it. A record is one
 * netlink datagram (at most 32 KiB) or a file, so the check for events is cheap in comparison.
 */
struct draining_sink {
	struct xd_record_sink inner;
	const struct xd_store_hooks *h;
};

static int draining_record(void *userdata, const struct xd_record *rec)
{
	struct draining_sink *w = userdata;
	int r = w->inner.record(w->inner.userdata, rec);

	w->h->drain(w->h->userdata);
	return r;
}

/*
 * The earlier analysis the rate checks compare with. They need an interval of about one
 * sample: a sample compares with the previous sample; an event-triggered resync between
 * samples compares with the one before that (1-2 intervals back), not with a sample taken
 * milliseconds ago, so traffic.* and xfrmstat.* findings do not flap with every event.
 */
static const struct xd_analysis *rate_baseline(const struct xd_store *st,
					       const struct xd_resync *rs, uint64_t now)
{
	if (rs->is_sample)
		return st->prev;
	if (st->prev2)
		return st->prev2;
	if (st->prev && now - st->prev_mono_ms >= rs->sample_interval_ms / 2)
		return st->prev;
	return NULL;
}

/* Free each of the old analyses that cur, prev and prev2 no longer reference, exactly once. */
static void free_unreferenced(struct xd_store *st, struct xd_analysis *olds[3])
{
	for (int i = 0; i < 3; i++) {
		bool dup = false;
		for (int j = 0; j < i; j++)
			dup |= olds[j] == olds[i];
		if (olds[i] && !dup && olds[i] != st->cur && olds[i] != st->prev &&
		    olds[i] != st->prev2)
			xd_analysis_free(olds[i]);
	}
}

int xd_store_publish(struct xd_store *st, const struct xd_resync *rs,
		     const struct xd_store_hooks *h)
{
	struct xd_recbuf *buf = rs->records;
	struct xd_snapshot *s = NULL;
	struct xd_analysis *a = NULL, *olds[3];
	struct draining_sink dsink = { .h = h };
	struct xd_record_sink sink;
	struct xd_analysis_opts ao = { .what = XD_ANALYZE_PEERS, .kb = st->kb };
	uint64_t now = xd_mono_ms();
	uint64_t raised = st->life.raised, cleared = st->life.cleared;
	struct timespec t0, t1, cpu0, cpu1;
	int r;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu0);
	r = xd_snapshot_new(&s);
	if (r < 0) {
		xd_log_errno(LOG_ERR, r, "resync: %m");
		xd_recbuf_free(buf);
		return r;
	}
	s->meta = *xd_recbuf_meta_const(buf);
	s->meta.source = XD_SOURCE_DAEMON;
	xd_decode_sink_init(&dsink.inner, s);
	sink = (struct xd_record_sink){ .record = draining_record, .userdata = &dsink };
	r = xd_recbuf_replay(buf, &sink);
	if (r < 0) {
		xd_log_errno(LOG_ERR, r, "resync: decoding records failed: %m, keeping the previous "
					 "snapshot");
		xd_snapshot_free(s);
		xd_recbuf_free(buf);
		return r;
	}
	/* what the kernel said while a large model was decoded goes out before the findings */
	h->drain(h->userdata);

	xd_diag_opts_default(&ao.diag);
	ao.prev = rate_baseline(st, rs, now);
	r = xd_analyze_snapshot(s, &ao, &a);
	/* the same before the findings: events are facts, findings the reconciliation */
	h->drain(h->userdata);
	if (r < 0) {
		xd_log_errno(LOG_ERR, r, "resync: analysis failed: %m, keeping the previous model");
		xd_recbuf_free(buf);
		return r;
	}
	if (xd_lifecycle_update(&st->life, &a->findings, xd_real_ms(), h->finding,
				h->userdata) < 0)
		log_error("resync: out of memory tracking findings, ignoring");
	else if (st->life.raised != raised || st->life.cleared != cleared)
		log_info("findings: %" PRIu64 " raised, %" PRIu64 " cleared, %zu active",
			 st->life.raised - raised, st->life.cleared - cleared, st->life.active.len);
	if (st->cur)
		report_new_larval(h, st->cur->snap, a->snap);
	if (xd_tunnels_update(&st->tunnels, a->snap) < 0)
		log_error("resync: out of memory updating tunnel counters, ignoring");
	if (xd_ike_failures_update(&st->ike_failures, a->snap) < 0)
		log_error("resync: out of memory counting IKE failures, ignoring");

	olds[0] = st->cur;
	olds[1] = st->prev;
	olds[2] = st->prev2;
	if (rs->is_sample) {
		st->prev2 = st->prev;
		st->prev2_mono_ms = st->prev_mono_ms;
		st->prev = a;
		st->prev_mono_ms = now;
	}
	st->cur = a;
	free_unreferenced(st, olds);
	/* kept for the `records` command: xfrmctl renders text from them like a live collection */
	xd_recbuf_free(st->cur_records);
	st->cur_records = buf;
	if (rs->is_sample)
		push_sample(st, xd_real_ms());
	st->resyncs++;
	st->last_resync_at = xd_real_ms();
	st->last_resync_s = (double)(xd_mono_ms() - rs->asked_mono_ms) / 1000.0;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	st->last_process_s =
		(double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu1);
	st->last_process_cpu_s =
		(double)(cpu1.tv_sec - cpu0.tv_sec) + (double)(cpu1.tv_nsec - cpu0.tv_nsec) / 1e9;
	/* the next sample counts from this one's end (the loop's sample_due) */
	if (rs->is_sample)
		st->last_sample_mono_ms = xd_mono_ms();
	return 0;
}
