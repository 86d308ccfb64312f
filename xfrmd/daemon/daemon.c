/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * daemon.c: the main process. Starts the collector, creates the control socket, drops every
 * capability, then runs one epoll loop that never blocks: collector frames, client requests,
 * signals (signalfd) and timers (the epoll timeout: debounced resync, periodic sample,
 * watchdog, client deadlines). Kernel state reaches it only as scrubbed records; it turns
 * them into snapshots, runs the checks against the previous sample, tracks findings and
 * per-tunnel counters, and answers clients from the current snapshot.
 */
#include <errno.h>
#include <grp.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <json-c/json.h>
#include <time.h>
#include <unistd.h>

#include "collector.h"
#include "control.h"
#include "daemon.h"
#include "frame.h"
#include "http.h"
#include "kevent.h"
#include "lifecycle.h"
#include "log.h"
#include "notify.h"
#include "privs.h"
#include "xfrmd/decode.h"
#include "xfrmd/diag.h"
#include "xfrmd/peers.h"
#include "xfrmd/recbuf.h"
#include "xfrmd/render.h"
#include "xfrmd/tunnels.h"

#define RESYNC_STUCK_MS 30000 /* a resync not answered by then is asked again */
#define REPLY_GRACE_MS 2000   /* how long a due resync waits for replies being written */


struct sample {
	int64_t at_ms; /* epoch ms */
	uint32_t sas, policies;
	uint32_t errors, warnings;
};

struct daemon {
	struct xd_config cfg;
	const char *config_path;
	int epfd;
	int sig_tag, col_tag, http_tag; /* epoll data.ptr targets */
	struct xd_http *http;
	int sigfd, colfd;
	pid_t colpid;
	struct xd_control *ctl;
	struct xd_frame_rx rx;
	uint8_t *rxbuf;

	struct xd_snapshot *cur;   /* served to clients */
	struct xd_snapshot *prev;  /* the latest periodic sample */
	struct xd_snapshot *prev2; /* the sample before it */
	uint64_t prev_mono_ms, prev2_mono_ms;
	struct xd_findings findings; /* of cur */
	struct xd_lifecycle life;
	struct xd_tunnels tunnels;
	struct sample *ring;
	size_t ring_len, ring_head;

	uint32_t seq;
	bool inflight, sample_pending, ready, stopping;
	uint64_t inflight_since, resync_due, next_sample, next_watchdog;
	uint64_t resyncs, overruns, events, samples, bad_frames;
	uint64_t overruns_logged, overrun_log_at; /* overrun warnings are rate-limited */
	struct xd_collector_stats colst;
	double last_resync_s; /* RESYNC sent -> model published (includes the collector's rate limit) */
	double last_process_s; /* decode + diagnosis + bookkeeping in this process */
	int64_t last_resync_at; /* epoch ms when the current model was published */
	uint64_t started_ms;
};

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int64_t real_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static gid_t lookup_group(const char *name)
{
	struct group *g = getgrnam(name);

	if (!g) {
		log_warning("group '%s' does not exist: only root may use the control socket",
			    name);
		return (gid_t)-1;
	}
	return g->gr_gid;
}

static void schedule_resync(struct daemon *d, uint32_t delay_ms)
{
	uint64_t due = mono_ms() + delay_ms;

	if (!d->resync_due || due < d->resync_due)
		d->resync_due = due;
}

static void send_resync(struct daemon *d)
{
	uint8_t buf[sizeof(struct xd_frame_hdr)];
	int n;

	d->seq++;
	n = xd_frame_build(buf, sizeof(buf), &(struct xd_frame_hdr){ .type = XD_FRAME_RESYNC,
								     .seq = d->seq },
			   NULL);
	if (n < 0 || send(d->colfd, buf, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT) < 0) {
		log_warning("asking the collector for a resync failed: %m, retrying");
		schedule_resync(d, 1000);
		return;
	}
	d->inflight = true;
	d->inflight_since = mono_ms();
	d->resync_due = 0;
}

/* Render into a memory buffer and queue it for one client. */
typedef int (*render_fn)(struct daemon *d, FILE *f, const void *arg);

static void reply(struct daemon *d, struct xd_client *c, render_fn fn, const void *arg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int r;

	if (!f) {
		xd_client_send_error(c, "ENOMEM", "out of memory");
		xd_client_send(c, "", 0);
		return;
	}
	r = fn(d, f, arg);
	if (fclose(f) != 0 || r < 0) {
		free(buf);
		xd_client_send_error(c, "EIO", "rendering the reply failed");
		xd_client_send(c, "", 0);
		return;
	}
	xd_client_send(c, buf, len);
	free(buf);
}

static int r_show(struct daemon *d, FILE *f, const void *arg)
{
	struct xd_render_opts o = { 0 };

	return xd_render_json(f, d->cur, *(const unsigned *)arg, &o);
}

/* status: the xfrmctl status document plus a "daemon" member with the daemon's counters. */
static int r_status(struct daemon *d, FILE *f, const void *arg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	struct xd_render_opts o = { 0 };
	struct json_object *doc, *dm, *hist;
	int r;

	if (!m)
		return -ENOMEM;
	r = xd_render_json(m, d->cur, XD_RENDER_STATUS, &o);
	if (fclose(m) != 0 || r < 0) {
		free(buf);
		return -EIO;
	}
	doc = json_tokener_parse(buf);
	free(buf);
	if (!doc)
		return -EIO;
	dm = json_object_new_object();
	json_object_object_add(dm, "pid", json_object_new_int(getpid()));
	json_object_object_add(dm, "uptime_s",
			       json_object_new_int64((int64_t)(mono_ms() - d->started_ms) / 1000));
	json_object_object_add(dm, "resyncs", json_object_new_int64((int64_t)d->resyncs));
	json_object_object_add(dm, "overruns", json_object_new_int64((int64_t)d->overruns));
	json_object_object_add(dm, "events", json_object_new_int64((int64_t)d->events));
	json_object_object_add(dm, "samples", json_object_new_int64((int64_t)d->samples));
	json_object_object_add(dm, "sample_interval_ms",
			       json_object_new_int64(d->cfg.sample_interval_ms));
	json_object_object_add(dm, "last_resync_s", json_object_new_double(d->last_resync_s));
	json_object_object_add(dm, "last_resync_at_ms", json_object_new_int64(d->last_resync_at));
	json_object_object_add(dm, "last_process_s", json_object_new_double(d->last_process_s));
	json_object_object_add(dm, "collector_dump_s",
			       json_object_new_double((double)d->colst.last_resync_ns / 1e9));
	json_object_object_add(dm, "clients",
			       json_object_new_int64((int64_t)xd_control_clients(d->ctl)));
	json_object_object_add(dm, "clients_cut_off",
			       json_object_new_int64((int64_t)xd_control_cutoffs(d->ctl)));
	json_object_object_add(dm, "findings_raised", json_object_new_int64((int64_t)d->life.raised));
	json_object_object_add(dm, "findings_cleared",
			       json_object_new_int64((int64_t)d->life.cleared));
	json_object_object_add(dm, "bad_frames", json_object_new_int64((int64_t)d->bad_frames));
	hist = json_object_new_array();
	for (size_t i = 0; i < d->ring_len; i++) {
		size_t k = (d->ring_head + d->cfg.history - d->ring_len + i) % d->cfg.history;
		const struct sample *s = &d->ring[k];
		struct json_object *o2 = json_object_new_object();
		json_object_object_add(o2, "at_ms", json_object_new_int64(s->at_ms));
		json_object_object_add(o2, "sas", json_object_new_int64(s->sas));
		json_object_object_add(o2, "policies", json_object_new_int64(s->policies));
		json_object_object_add(o2, "errors", json_object_new_int64(s->errors));
		json_object_object_add(o2, "warnings", json_object_new_int64(s->warnings));
		json_object_array_add(hist, o2);
	}
	json_object_object_add(dm, "history", hist);
	json_object_object_add(doc, "daemon", dm);
	r = fprintf(f, "%s\n",
		    json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN |
								JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(doc);
	return r < 0 ? -EIO : 0;
}

static int r_check(struct daemon *d, FILE *f, const void *arg)
{
	struct xd_render_opts o = { 0 };

	return xd_render_findings_json(f, d->cur, &d->findings, &o);
}

static int r_peers(struct daemon *d, FILE *f, const void *arg)
{
	struct xd_render_opts o = { 0 };
	struct xd_vec rows;
	int r = xd_peers_build(d->cur, &d->findings, &rows);

	if (r < 0)
		return r;
	r = xd_render_peers_json(f, d->cur, &rows, &o);
	xd_peers_free(&rows);
	return r;
}

/* The exposition text (malloc'ed into *ret). Shared by the metrics command and HTTP. */
static int metrics_text(struct daemon *d, char **ret, size_t *ret_len)
{
	struct xd_prom_daemon pd = {
		.resyncs = d->resyncs, .overruns = d->overruns, .events = d->events,
		.samples = d->samples, .clients = xd_control_clients(d->ctl),
		.last_resync_s = d->last_resync_s,
		.last_sample_at = d->ring_len ? d->ring[(d->ring_head + d->cfg.history - 1) %
							d->cfg.history].at_ms / 1000 : 0,
	};
	char *buf = NULL;
	size_t len = 0;
	FILE *m;
	int r;

	if (!d->cur)
		return -EAGAIN;
	m = open_memstream(&buf, &len);
	if (!m)
		return -ENOMEM;
	r = xd_render_prom(m, d->cur, &d->findings, &d->tunnels, &pd);
	if (fclose(m) != 0 || r < 0) {
		free(buf);
		return -EIO;
	}
	*ret = buf;
	*ret_len = len;
	return 0;
}

static int http_metrics(void *userdata, char **buf, size_t *len)
{
	return metrics_text(userdata, buf, len);
}

static int r_metrics(struct daemon *d, FILE *f, const void *arg)
{
	char *buf = NULL;
	size_t len = 0;
	struct json_object *o;
	int r = metrics_text(d, &buf, &len);

	if (r < 0)
		return r;
	/* exposition text travels as one JSON string: the protocol stays JSON lines */
	o = json_object_new_object();
	json_object_object_add(o, "format", json_object_new_string("prometheus-text-0.0.4"));
	json_object_object_add(o, "metrics", json_object_new_string_len(buf, (int)len));
	free(buf);
	r = fprintf(f, "%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
								       JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return r < 0 ? -EIO : 0;
}

static int r_findings(struct daemon *d, FILE *f, const void *arg)
{
	struct json_object *o = json_object_new_object(), *arr = json_object_new_array();
	int r;

	for (size_t i = 0; i < d->life.active.len; i++) {
		const struct xd_active_finding *a = xd_vec_at(&d->life.active, i);
		struct json_object *e = json_object_new_object();
		json_object_object_add(e, "raised_at_ms", json_object_new_int64(a->raised_at));
		json_object_object_add(e, "finding", json_object_get(a->json));
		json_object_array_add(arr, e);
	}
	json_object_object_add(o, "active_findings", arr);
	r = fprintf(f, "%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
								       JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return r < 0 ? -EIO : 0;
}

static void handle_request(void *userdata, struct xd_client *c, const struct xd_request *req)
{
	struct daemon *d = userdata;

	if (req->cmd == XD_REQ_WATCH) {
		static const char ok[] = "{\"event\":\"watch.started\"}\n";
		xd_client_subscribe(c);
		xd_client_send(c, ok, sizeof(ok) - 1);
		return;
	}
	if (!d->cur) {
		xd_client_send_error(c, "EAGAIN", "no snapshot yet: the first resync is running");
		xd_client_send(c, "", 0);
		return;
	}
	switch (req->cmd) {
	case XD_REQ_STATUS:
		reply(d, c, r_status, NULL);
		break;
	case XD_REQ_SHOW:
		reply(d, c, r_show, &req->what);
		break;
	case XD_REQ_CHECK:
		reply(d, c, r_check, NULL);
		break;
	case XD_REQ_PEERS:
		reply(d, c, r_peers, NULL);
		break;
	case XD_REQ_METRICS:
		reply(d, c, r_metrics, NULL);
		break;
	case XD_REQ_FINDINGS:
		reply(d, c, r_findings, NULL);
		break;
	default:
		xd_client_send_error(c, "EOPNOTSUPP", "unknown command");
		xd_client_send(c, "", 0);
	}
}

static void broadcast_json(struct daemon *d, struct json_object *o)
{
	const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
							      JSON_C_TO_STRING_NOSLASHESCAPE);
	size_t n = strlen(s);
	char *line = malloc(n + 1);

	if (line) {
		memcpy(line, s, n);
		line[n] = '\n';
		xd_control_broadcast(d->ctl, line, n + 1);
		free(line);
	}
	json_object_put(o);
}

static void time_str(int64_t ms, char *buf, size_t len)
{
	time_t sec = (time_t)(ms / 1000);
	struct tm tm;

	gmtime_r(&sec, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + strlen(buf), len - strlen(buf), ".%03dZ", (int)(ms % 1000));
}

static void on_finding(void *userdata, bool raised, const struct xd_active_finding *a, int64_t at)
{
	struct daemon *d = userdata;
	struct json_object *o = json_object_new_object();
	char ts[64];

	time_str(at, ts, sizeof(ts));
	json_object_object_add(o, "event",
			       json_object_new_string(raised ? "finding.raised" : "finding.cleared"));
	json_object_object_add(o, "time", json_object_new_string(ts));
	if (!raised) {
		time_str(a->raised_at, ts, sizeof(ts));
		json_object_object_add(o, "raised_at", json_object_new_string(ts));
	}
	json_object_object_add(o, "finding", json_object_get(a->json));
	log_debug("finding %s: %s", raised ? "raised" : "cleared", a->key);
	broadcast_json(d, o);
}

static void push_sample(struct daemon *d, int64_t at)
{
	struct sample *s = &d->ring[d->ring_head];
	size_t err = 0, warn = 0;

	for (size_t i = 0; i < d->findings.items.len; i++) {
		enum xd_severity sv = xd_findings_at(&d->findings, i)->severity;
		err += sv == XD_SEV_ERROR;
		warn += sv == XD_SEV_WARNING;
	}
	*s = (struct sample){ .at_ms = at, .sas = (uint32_t)d->cur->sas.len,
			      .policies = (uint32_t)d->cur->policies.len, .errors = (uint32_t)err,
			      .warnings = (uint32_t)warn };
	d->ring_head = (d->ring_head + 1) % d->cfg.history;
	if (d->ring_len < d->cfg.history)
		d->ring_len++;
	d->samples++;
}

static bool sa_is_larval(const struct xd_sa *sa)
{
	return sa->spi == 0 &&
	       !(sa->has & (XD_SA_HAS_AEAD | XD_SA_HAS_ENC | XD_SA_HAS_AUTH | XD_SA_HAS_COMP));
}

static bool larval_known(const struct xd_snapshot *old, const struct xd_sa *sa)
{
	for (size_t i = 0; old && i < old->sas.len; i++) {
		const struct xd_sa *o = xd_snapshot_sa(old, i);
		if (sa_is_larval(o) && o->family == sa->family && o->proto == sa->proto &&
		    o->reqid == sa->reqid && o->km_seq == sa->km_seq &&
		    !memcmp(&o->saddr, &sa->saddr, sizeof(sa->saddr)) &&
		    !memcmp(&o->daddr, &sa->daddr, sizeof(sa->daddr)))
			return true;
	}
	return false;
}

static void on_event(struct daemon *d, const struct xd_kevent *e);

/*
 * Larval SAs are created by the kernel's ACQUIRE, which xfrmd never listens to (joining
 * would change the kernel's behaviour), and no SA event announces them: new ones are found
 * by comparing dumps and reported as sa.acquire. Bounded: an acquire storm is reported by
 * its count in the model, not line by line.
 */
static void report_new_larval(struct daemon *d, const struct xd_snapshot *old,
			      const struct xd_snapshot *s)
{
	size_t reported = 0;
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	for (size_t i = 0; i < s->sas.len && reported < 64; i++) {
		const struct xd_sa *sa = xd_snapshot_sa(s, i);
		struct xd_kevent e = { .type = XD_KEV_SA_ACQUIRE,
				       .ts_ns = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec };

		if (!sa_is_larval(sa) || larval_known(old, sa))
			continue;
		e.family = sa->family;
		e.proto = sa->proto;
		e.reqid = sa->reqid;
		e.saddr = sa->saddr;
		e.daddr = sa->daddr;
		e.has = XD_KEVH_ADDRS | XD_KEVH_PROTO | XD_KEVH_REQID;
		on_event(d, &e);
		reported++;
	}
}

/* A complete resync arrived: decode, diagnose against the last sample, publish. */
static void resync_done(struct daemon *d, struct xd_recbuf *buf)
{
	struct xd_snapshot *s = NULL, *olds[3];
	struct xd_record_sink sink;
	struct xd_diag_ctx ctx = { 0 };
	struct xd_findings f;
	bool is_sample = d->sample_pending;
	uint64_t now = mono_ms();
	struct timespec t0, t1;
	int r;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	r = xd_snapshot_new(&s);
	if (r < 0) {
		xd_log_errno(LOG_ERR, r, "resync: %m");
		return;
	}
	s->meta = *xd_recbuf_meta_const(buf);
	s->meta.source = XD_SOURCE_DAEMON;
	xd_decode_sink_init(&sink, s);
	r = xd_recbuf_replay(buf, &sink);
	if (r < 0) {
		xd_log_errno(LOG_ERR, r, "resync: decoding records failed: %m, keeping the previous "
					 "snapshot");
		xd_snapshot_free(s);
		return;
	}
	xd_snapshot_sort(s);

	/*
	 * Rate checks need an interval of about one sample: a sample compares with the previous
	 * sample; an event-triggered resync between samples compares with the one before that
	 * (1-2 intervals back), not with a sample taken milliseconds ago, so traffic.* and
	 * xfrmstat.* findings do not flap with every event.
	 */
	xd_diag_opts_default(&ctx.opts);
	ctx.now = s;
	if (is_sample && d->prev) {
		ctx.prev = d->prev;
		ctx.interval_s = (double)(now - d->prev_mono_ms) / 1000.0;
	} else if (!is_sample && d->prev2) {
		ctx.prev = d->prev2;
		ctx.interval_s = (double)(now - d->prev2_mono_ms) / 1000.0;
	} else if (!is_sample && d->prev &&
		   now - d->prev_mono_ms >= d->cfg.sample_interval_ms / 2) {
		ctx.prev = d->prev;
		ctx.interval_s = (double)(now - d->prev_mono_ms) / 1000.0;
	}
	xd_findings_init(&f);
	r = xd_diag_run(&ctx, &f);
	if (r < 0 || f.error) {
		log_error("resync: diagnosis ran out of memory, keeping the previous findings");
		xd_findings_done(&f);
	} else {
		uint64_t raised = d->life.raised, cleared = d->life.cleared;
		xd_findings_done(&d->findings);
		d->findings = f;
		if (xd_lifecycle_update(&d->life, &d->findings, real_ms(), on_finding, d) < 0)
			log_error("resync: out of memory tracking findings, ignoring");
		else if (d->life.raised != raised || d->life.cleared != cleared)
			log_info("findings: %" PRIu64 " raised, %" PRIu64 " cleared, %zu active",
				 d->life.raised - raised, d->life.cleared - cleared,
				 d->life.active.len);
	}
	if (d->cur)
		report_new_larval(d, d->cur, s);
	if (xd_tunnels_update(&d->tunnels, s) < 0)
		log_error("resync: out of memory updating tunnel counters, ignoring");

	/* cur, prev and prev2 may share snapshots: free each old one that is no longer
	 * referenced, exactly once */
	olds[0] = d->cur;
	olds[1] = d->prev;
	olds[2] = d->prev2;
	if (is_sample) {
		d->prev2 = d->prev;
		d->prev2_mono_ms = d->prev_mono_ms;
		d->prev = s;
		d->prev_mono_ms = now;
		d->sample_pending = false;
	}
	d->cur = s;
	for (int i = 0; i < 3; i++) {
		bool dup = false;
		for (int j = 0; j < i; j++)
			dup |= olds[j] == olds[i];
		if (olds[i] && !dup && olds[i] != d->cur && olds[i] != d->prev && olds[i] != d->prev2)
			xd_snapshot_free(olds[i]);
	}
	if (is_sample)
		push_sample(d, real_ms());
	d->resyncs++;
	d->last_resync_at = real_ms();
	d->last_resync_s = (double)(mono_ms() - d->inflight_since) / 1000.0;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	d->last_process_s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	log_debug("resync %u: %zu SAs, %zu policies, %zu findings in %.3f s%s", d->seq,
		  s->sas.len, s->policies.len, d->findings.items.len, d->last_resync_s,
		  is_sample ? " (sample)" : "");
	if (!d->ready) {
		d->ready = true;
		(void)xd_notify("READY=1\nSTATUS=Following XFRM state");
		log_info("ready: %zu SAs, %zu policies", s->sas.len, s->policies.len);
	}
}

static void on_event(struct daemon *d, const struct xd_kevent *e)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	if (e->type == XD_KEV_SA_ACQUIRE) {
		/* found in a resync: nothing to schedule */
	} else if (e->type == XD_KEV_OVERRUN) {
		uint64_t now = mono_ms();
		d->overruns++;
		/* a storm overruns many times a second: one line per 10 s says enough */
		if (!d->overrun_log_at || now - d->overrun_log_at >= 10000) {
			log_warning("kernel event buffer overrun: events were lost, resyncing "
				    "(%" PRIu64 " overruns since the last report)",
				    d->overruns - d->overruns_logged);
			d->overruns_logged = d->overruns;
			d->overrun_log_at = now;
		}
		schedule_resync(d, 0);
	} else {
		d->events++;
		schedule_resync(d, d->cfg.debounce_ms);
	}
	f = open_memstream(&buf, &len);
	if (!f)
		return;
	(void)xd_kevent_json(f, e);
	if (fclose(f) == 0)
		xd_control_broadcast(d->ctl, buf, len);
	free(buf);
}

static int read_collector(struct daemon *d)
{
	for (int i = 0; i < 256; i++) {
		struct xd_frame_rx_out out = { 0 };
		ssize_t n = recv(d->colfd, d->rxbuf, sizeof(struct xd_frame_hdr) + XD_FRAME_MAX_PAYLOAD,
				 MSG_DONTWAIT | MSG_TRUNC);
		int r;

		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return 0;
			return xd_log_errno(LOG_ERR, -errno, "reading from the collector failed: %m");
		}
		if (n == 0) {
			log_error("the collector exited");
			return -EPIPE;
		}
		if ((size_t)n > sizeof(struct xd_frame_hdr) + XD_FRAME_MAX_PAYLOAD) {
			d->bad_frames++;
			continue;
		}
		r = xd_frame_rx_feed(&d->rx, d->rxbuf, (size_t)n, &out);
		switch (r) {
		case XD_RX_COMPLETE:
			if (out.seq == d->seq) {
				d->inflight = false;
				resync_done(d, out.buf);
			}
			xd_recbuf_free(out.buf);
			break;
		case XD_RX_EVENT:
			on_event(d, &out.event);
			break;
		case XD_RX_STATS:
			d->colst = out.stats;
			break;
		case XD_RX_NONE:
			break;
		default:
			d->bad_frames++;
			log_warning("bad frame from the collector (%d), ignoring", r);
		}
	}
	return 0;
}

static void reload(struct daemon *d)
{
	struct xd_config c;
	char err[256] = "", msg[128];
	struct timespec ts;
	int r;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	snprintf(msg, sizeof(msg), "RELOADING=1\nMONOTONIC_USEC=%" PRIu64,
		 (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000);
	(void)xd_notify(msg);
	xd_config_defaults(&c);
	r = xd_config_load(&c, d->config_path, false, err, sizeof(err));
	if (r < 0) {
		log_error("reload: %s: %s, keeping the running configuration", d->config_path, err);
	} else {
		if (!xd_streq(c.socket_path, d->cfg.socket_path) ||
		    c.event_rcvbuf != d->cfg.event_rcvbuf || c.sa_events != d->cfg.sa_events ||
		    c.min_resync_interval_ms != d->cfg.min_resync_interval_ms ||
		    c.history != d->cfg.history || !xd_streq(c.metrics_listen, d->cfg.metrics_listen))
			log_warning("reload: socket, event_rcvbuf, sa_events, min_resync_interval, "
				    "history and metrics_listen take effect after a restart, ignoring "
				    "their new values");
		xd_strlcpy(c.metrics_listen, d->cfg.metrics_listen, sizeof(c.metrics_listen));
		c.history = d->cfg.history;
		xd_strlcpy(c.socket_path, d->cfg.socket_path, sizeof(c.socket_path));
		c.event_rcvbuf = d->cfg.event_rcvbuf;
		c.sa_events = d->cfg.sa_events;
		c.min_resync_interval_ms = d->cfg.min_resync_interval_ms;
		if (c.sample_interval_ms != d->cfg.sample_interval_ms)
			d->next_sample = mono_ms() + c.sample_interval_ms;
		d->cfg = c;
		xd_log_max_level = c.debug ? LOG_DEBUG : LOG_INFO;
		xd_control_reconfigure(d->ctl, &c, lookup_group(c.socket_group));
		log_info("reloaded %s", d->config_path);
	}
	(void)xd_notify("READY=1");
}

/* Returns false when the loop must end. */
static bool read_signals(struct daemon *d)
{
	struct signalfd_siginfo si;

	while (read(d->sigfd, &si, sizeof(si)) == sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGTERM:
		case SIGINT:
			log_info("received %s, stopping", si.ssi_signo == SIGTERM ? "SIGTERM" : "SIGINT");
			return false;
		case SIGHUP:
			reload(d);
			break;
		case SIGCHLD: {
			int st;
			if (waitpid(d->colpid, &st, WNOHANG) == d->colpid) {
				log_error("the collector died (status %d), stopping", st);
				d->colpid = 0;
				return false;
			}
			break;
		}
		}
	}
	return true;
}

static void watchdog(struct daemon *d, uint64_t now)
{
	uint64_t usec = xd_notify_watchdog_usec();

	if (!usec || now < d->next_watchdog)
		return;
	(void)xd_notify("WATCHDOG=1");
	d->next_watchdog = now + usec / 2000;
}

static int timeout_until(uint64_t due, uint64_t now, int cur)
{
	int t;

	if (!due)
		return cur;
	t = due <= now ? 0 : (int)(due - now);
	return cur < 0 || t < cur ? t : cur;
}

static int loop(struct daemon *d)
{
	for (;;) {
		struct epoll_event evs[32];
		uint64_t now = mono_ms();
		int timeout = -1, n;

		watchdog(d, now);
		if (now >= d->next_sample) {
			d->sample_pending = true;
			schedule_resync(d, 0);
			d->next_sample = now + d->cfg.sample_interval_ms;
		}
		if (d->inflight && now - d->inflight_since > RESYNC_STUCK_MS) {
			log_warning("resync %u not answered in %d s, asking again", d->seq,
				    RESYNC_STUCK_MS / 1000);
			d->inflight = false;
			schedule_resync(d, 0);
		}
		/*
		 * A resync blocks this loop while the model is rebuilt (about 0.3 s at 10k
		 * policies): let replies being written drain first, for at most REPLY_GRACE_MS,
		 * so a client reading a large `show` is not starved by a stream of resyncs.
		 */
		if (d->resync_due && !d->inflight && now >= d->resync_due &&
		    (!xd_control_replies_pending(d->ctl) || now - d->resync_due >= REPLY_GRACE_MS))
			send_resync(d);
		if (d->resync_due && !d->inflight)
			timeout = timeout_until(now >= d->resync_due ? d->resync_due + REPLY_GRACE_MS
								      : d->resync_due,
						now, timeout);
		timeout = timeout_until(d->next_sample, now, timeout);
		if (xd_notify_watchdog_usec())
			timeout = timeout_until(d->next_watchdog, now, timeout);
		{
			int ct = xd_control_tick(d->ctl, now);
			if (ct >= 0 && (timeout < 0 || ct < timeout))
				timeout = ct;
		}
		if (d->http) {
			int ht = xd_http_timeout_ms(d->http);
			if (ht >= 0 && (timeout < 0 || ht < timeout))
				timeout = ht;
		}
		if (d->inflight) /* wake up to notice a stuck resync */
			timeout = timeout_until(d->inflight_since + RESYNC_STUCK_MS + 1, now, timeout);

		n = epoll_wait(d->epfd, evs, XD_ARRAY_SIZE(evs), timeout);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return xd_log_errno(LOG_ERR, -errno, "epoll_wait failed: %m");
		}
		if (n == 0 && d->http) /* connection timeouts of the HTTP endpoint */
			xd_http_run(d->http);
		for (int i = 0; i < n; i++) {
			void *tag = evs[i].data.ptr;
			if (tag == &d->sig_tag) {
				if (!read_signals(d))
					return 0;
			} else if (tag == &d->col_tag) {
				if (read_collector(d) < 0)
					return -EPIPE;
			} else if (tag == &d->http_tag) {
				xd_http_run(d->http);
			} else {
				xd_control_dispatch(d->ctl, tag, evs[i].events);
			}
		}
	}
}

static int add_fd(int epfd, int fd, void *tag)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = tag };

	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

static void stop_collector(struct daemon *d)
{
	if (d->colfd >= 0)
		close(d->colfd); /* EOF ends the collector's loop */
	d->colfd = -1;
	if (d->colpid > 0) {
		for (int i = 0; i < 50; i++) { /* at most 0.5 s: the collector has nothing to flush */
			if (waitpid(d->colpid, NULL, WNOHANG) == d->colpid) {
				d->colpid = 0;
				return;
			}
			usleep(10000);
		}
		(void)kill(d->colpid, SIGKILL);
		(void)waitpid(d->colpid, NULL, 0);
		d->colpid = 0;
	}
}

int xd_daemon_run(const struct xd_config *cfg, const char *config_path)
{
	struct daemon d = { .cfg = *cfg, .config_path = config_path, .sigfd = -1, .colfd = -1,
			    .epfd = -1 };
	sigset_t mask;
	gid_t gid;
	int r, ret = 1;

	d.started_ms = mono_ms();
	signal(SIGPIPE, SIG_IGN);
	r = xd_notify_init();
	if (r < 0)
		xd_log_errno(LOG_WARNING, r, "NOTIFY_SOCKET unusable: %m, ignoring");
	/* the collector first: it must not inherit the control socket or the signalfd */
	d.colpid = xd_collector_start(cfg, &d.colfd);
	if (d.colpid < 0) {
		xd_log_errno(LOG_ERR, d.colpid, "starting the collector failed: %m");
		return 1;
	}
	d.epfd = epoll_create1(EPOLL_CLOEXEC);
	if (d.epfd < 0) {
		xd_log_errno(LOG_ERR, -errno, "epoll_create1: %m");
		goto out;
	}
	gid = lookup_group(cfg->socket_group);
	r = xd_control_open(&d.ctl, cfg, gid, d.epfd, handle_request, &d);
	if (r < 0) {
		xd_log_errno(LOG_ERR, r, "control socket '%s': %m", cfg->socket_path);
		goto out;
	}
	/* from here on this process parses client bytes: it keeps no capability at all */
	r = xd_privs_restrict(0);
	if (r < 0) {
		xd_log_errno(LOG_ERR, r, "dropping capabilities failed: %m");
		goto out;
	}
	(void)prctl(PR_SET_NAME, "xfrmd", 0, 0, 0);
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0 ||
	    (d.sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK)) < 0) {
		xd_log_errno(LOG_ERR, -errno, "signalfd: %m");
		goto out;
	}
	/* the collector may already have died before SIGCHLD was blocked */
	if (waitpid(d.colpid, NULL, WNOHANG) == d.colpid) {
		d.colpid = 0;
		log_error("the collector exited at start");
		goto out;
	}
	d.rxbuf = malloc(sizeof(struct xd_frame_hdr) + XD_FRAME_MAX_PAYLOAD);
	d.ring = calloc(cfg->history, sizeof(*d.ring));
	if (!d.rxbuf || !d.ring) {
		log_error("out of memory");
		goto out;
	}
	xd_frame_rx_init(&d.rx);
	xd_findings_init(&d.findings);
	xd_lifecycle_init(&d.life);
	xd_tunnels_init(&d.tunnels);
	if ((r = add_fd(d.epfd, d.sigfd, &d.sig_tag)) < 0 ||
	    (r = add_fd(d.epfd, d.colfd, &d.col_tag)) < 0) {
		xd_log_errno(LOG_ERR, r, "epoll_ctl: %m");
		goto out;
	}
	if (cfg->metrics_listen[0]) {
		r = xd_http_start(&d.http, cfg->metrics_listen, d.epfd, &d.http_tag, http_metrics, &d);
		if (r < 0) {
			xd_log_errno(LOG_ERR, r, "metrics endpoint on %s: %m%s", cfg->metrics_listen,
				     r == -EOPNOTSUPP ? " (built without libmicrohttpd)" : "");
			goto out;
		}
		log_info("serving metrics on http://%s/metrics", cfg->metrics_listen);
	}
	d.next_sample = mono_ms(); /* the first sample now; READY=1 when it is in */
	log_info("started: collector pid %d, socket %s", (int)d.colpid, cfg->socket_path);
	r = loop(&d);
	ret = r < 0 ? 1 : 0;
	(void)xd_notify("STOPPING=1");
	xd_frame_rx_done(&d.rx);
	xd_findings_done(&d.findings);
	xd_lifecycle_done(&d.life);
	xd_tunnels_done(&d.tunnels);
out:
	xd_http_stop(d.http);
	xd_control_close(d.ctl);
	stop_collector(&d);
	if (d.prev2 != d.prev && d.prev2 != d.cur)
		xd_snapshot_free(d.prev2);
	if (d.prev != d.cur)
		xd_snapshot_free(d.prev);
	xd_snapshot_free(d.cur);
	free(d.rxbuf);
	free(d.ring);
	if (d.sigfd >= 0)
		close(d.sigfd);
	if (d.epfd >= 0)
		close(d.epfd);
	xd_notify_close();
	return ret;
}
