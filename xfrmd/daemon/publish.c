/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * publish.c: turns a complete resync into the served model: decode, checks against the
 * previous sample, findings lifecycle, per-tunnel counters, the sample ring, and the events
 * that follow from it (findings raised/cleared, new larval SAs), next to the kernel events
 * the collector forwards. Everything watchers see leaves through here.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon-internal.h"
#include "log.h"
#include "notify.h"
#include "xfrmd/analysis.h"
#include "xfrmd/decode.h"
#include "xfrmd/diag.h"
#include "xfrmd/recbuf.h"
#include "xfrmd/render.h"

/* A rendered watch line to every watcher; a line that cannot be rendered is dropped. */
static void broadcast_line(struct daemon *d, int r, char *line, size_t len)
{
	if (r < 0) {
		xd_log_errno(LOG_WARNING, r, "rendering a watch line failed: %m, dropping it");
		return;
	}
	xd_control_broadcast(d->ctl, line, len);
	free(line);
}

static void on_finding(void *userdata, bool raised, const struct xd_active_finding *a, int64_t at)
{
	struct daemon *d = userdata;
	char *line = NULL;
	size_t len = 0;
	int r = xd_render_watch_finding(raised, a->json, at, a->raised_at, &line, &len);

	log_debug("finding %s: %s", raised ? "raised" : "cleared", a->key);
	broadcast_line(d, r, line, len);
}

static void push_sample(struct daemon *d, int64_t at)
{
	struct sample *s = &d->ring[d->ring_head];
	size_t err = 0, warn = 0;

	for (size_t i = 0; i < d->cur->findings.items.len; i++) {
		enum xd_severity sv = xd_findings_at(&d->cur->findings, i)->severity;
		err += sv == XD_SEV_ERROR;
		warn += sv == XD_SEV_WARNING;
	}
	*s = (struct sample){ .at_ms = at, .sas = (uint32_t)d->cur->snap->sas.len,
			      .policies = (uint32_t)d->cur->snap->policies.len,
			      .errors = (uint32_t)err,
			      .warnings = (uint32_t)warn };
	d->ring_head = (d->ring_head + 1) % d->cfg.history;
	if (d->ring_len < d->cfg.history)
		d->ring_len++;
	d->samples++;
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
static void report_new_larval(struct daemon *d, const struct xd_snapshot *old,
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
		xd_daemon_on_event(d, &e);
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
	struct daemon *d;
};

static int draining_record(void *userdata, const struct xd_record *rec)
{
	struct draining_sink *w = userdata;
	int r = w->inner.record(w->inner.userdata, rec);

	xd_daemon_drain_events(w->d);
	return r;
}

/*
 * The earlier analysis the rate checks compare with. They need an interval of about one
 * sample: a sample compares with the previous sample; an event-triggered resync between
 * samples compares with the one before that (1-2 intervals back), not with a sample taken
 * milliseconds ago, so traffic.* and xfrmstat.* findings do not flap with every event.
 */
static const struct xd_analysis *rate_baseline(const struct daemon *d, bool is_sample,
					       uint64_t now)
{
	if (is_sample)
		return d->prev;
	if (d->prev2)
		return d->prev2;
	if (d->prev && now - d->prev_mono_ms >= d->cfg.sample_interval_ms / 2)
		return d->prev;
	return NULL;
}

/* Free each of the old analyses that cur, prev and prev2 no longer reference, exactly once. */
static void free_unreferenced(struct daemon *d, struct xd_analysis *olds[3])
{
	for (int i = 0; i < 3; i++) {
		bool dup = false;
		for (int j = 0; j < i; j++)
			dup |= olds[j] == olds[i];
		if (olds[i] && !dup && olds[i] != d->cur && olds[i] != d->prev &&
		    olds[i] != d->prev2)
			xd_analysis_free(olds[i]);
	}
}

/* A complete resync arrived: decode, analyse against the last sample, publish. */
void xd_daemon_publish(struct daemon *d, struct xd_recbuf *buf)
{
	struct xd_snapshot *s = NULL;
	struct xd_analysis *a = NULL, *olds[3];
	struct draining_sink dsink = { .d = d };
	struct xd_record_sink sink;
	struct xd_analysis_opts ao = { .what = XD_ANALYZE_PEERS, .kb = d->kb };
	bool is_sample = d->sample_pending;
	uint64_t now = xd_mono_ms();
	uint64_t raised = d->life.raised, cleared = d->life.cleared;
	struct timespec t0, t1, cpu0, cpu1;
	int r;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu0);
	r = xd_snapshot_new(&s);
	if (r < 0) {
		xd_log_errno(LOG_ERR, r, "resync: %m");
		xd_recbuf_free(buf);
		return;
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
		return;
	}
	/* what the kernel said while a large model was decoded goes out before the findings */
	xd_daemon_drain_events(d);

	xd_diag_opts_default(&ao.diag);
	ao.prev = rate_baseline(d, is_sample, now);
	r = xd_analyze_snapshot(s, &ao, &a);
	/* the same before the findings: events are facts, findings the reconciliation */
	xd_daemon_drain_events(d);
	if (r < 0) {
		xd_log_errno(LOG_ERR, r, "resync: analysis failed: %m, keeping the previous model");
		xd_recbuf_free(buf);
		return;
	}
	if (xd_lifecycle_update(&d->life, &a->findings, xd_real_ms(), on_finding, d) < 0)
		log_error("resync: out of memory tracking findings, ignoring");
	else if (d->life.raised != raised || d->life.cleared != cleared)
		log_info("findings: %" PRIu64 " raised, %" PRIu64 " cleared, %zu active",
			 d->life.raised - raised, d->life.cleared - cleared, d->life.active.len);
	if (d->cur)
		report_new_larval(d, d->cur->snap, a->snap);
	if (xd_tunnels_update(&d->tunnels, a->snap) < 0)
		log_error("resync: out of memory updating tunnel counters, ignoring");

	olds[0] = d->cur;
	olds[1] = d->prev;
	olds[2] = d->prev2;
	if (is_sample) {
		d->prev2 = d->prev;
		d->prev2_mono_ms = d->prev_mono_ms;
		d->prev = a;
		d->prev_mono_ms = now;
		d->sample_pending = false;
	}
	d->cur = a;
	free_unreferenced(d, olds);
	/* kept for the `records` command: xfrmctl renders text from them like a live collection */
	xd_recbuf_free(d->cur_records);
	d->cur_records = buf;
	if (is_sample)
		push_sample(d, xd_real_ms());
	d->resyncs++;
	d->last_resync_at = xd_real_ms();
	d->last_resync_s = (double)(xd_mono_ms() - d->inflight_since) / 1000.0;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	d->last_process_s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu1);
	d->last_process_cpu_s =
		(double)(cpu1.tv_sec - cpu0.tv_sec) + (double)(cpu1.tv_nsec - cpu0.tv_nsec) / 1e9;
	/* the next sample counts from this one's end (sample_due) */
	if (is_sample)
		d->last_sample_done = xd_mono_ms();
	log_debug("resync %u: %zu SAs, %zu policies, %zu findings in %.3f s%s", d->seq,
		  a->snap->sas.len, a->snap->policies.len, a->findings.items.len,
		  d->last_resync_s, is_sample ? " (sample)" : "");
	if (!d->ready) {
		d->ready = true;
		(void)xd_notify("READY=1\nSTATUS=Following XFRM state");
		log_info("ready: %zu SAs, %zu policies", a->snap->sas.len, a->snap->policies.len);
	}
}

void xd_daemon_on_event(struct daemon *d, const struct xd_kevent *e)
{
	char *line = NULL;
	size_t len = 0;
	int r;

	/* the line first: a watcher learns of the change now, the resync follows later */
	r = xd_render_watch_kevent(e, &line, &len);
	broadcast_line(d, r, line, len);
	if (e->type == XD_KEV_SA_ACQUIRE) {
		/* found in a resync: nothing to schedule */
	} else if (e->type == XD_KEV_OVERRUN) {
		uint64_t now = xd_mono_ms();
		d->overruns++;
		/* a storm overruns many times a second: one line per 10 s says enough */
		if (!d->overrun_log_at || now - d->overrun_log_at >= 10000) {
			log_warning("kernel event buffer overrun: events were lost, resyncing "
				    "(%" PRIu64 " overruns since the last report)",
				    d->overruns - d->overruns_logged);
			d->overruns_logged = d->overruns;
			d->overrun_log_at = now;
		}
		xd_daemon_schedule_resync(d, 0);
	} else {
		d->events++;
		xd_daemon_schedule_resync(d, d->cfg.debounce_ms);
	}
}
