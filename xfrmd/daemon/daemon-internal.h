/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * daemon-internal.h: the main process's state, shared by its three files: daemon.c (process
 * set-up, the loop, signals, the collector channel), publish.c (a resync becomes the served
 * model; events and findings go out to watchers) and replies.c (answers to clients).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "config.h"
#include "control.h"
#include "frame.h"
#include "http.h"
#include "xfrmd/kevent.h"
#include "lifecycle.h"
#include "request.h"
#include "xfrmd/analysis.h"
#include "xfrmd/finding.h"
#include "xfrmd/kb.h"
#include "xfrmd/tunnels.h"

struct xd_recbuf;

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

	/* analyses (analysis.h: snapshot, findings, peer rows), the same pipeline as xfrmctl's;
	 * cur, prev and prev2 may be the same one */
	struct xd_analysis *cur;   /* served to clients */
	struct xd_recbuf *cur_records; /* the scrubbed records cur was decoded from */
	struct xd_analysis *prev;  /* the latest periodic sample */
	struct xd_analysis *prev2; /* the sample before it */
	uint64_t prev_mono_ms, prev2_mono_ms;
	struct xd_kb *kb; /* known issues, or NULL (logged at start) */
	struct xd_lifecycle life;
	struct xd_tunnels tunnels;
	struct sample *ring;
	size_t ring_len, ring_head;

	uint32_t seq;
	bool inflight, sample_pending, ready, stopping;
	bool collector_died; /* SIGCHLD for the collector: stop with a failure */
	bool collector_lost; /* its channel broke while a resync was published: stop */
	uint64_t inflight_since, resync_due, next_watchdog;
	uint64_t last_sample_done; /* monotonic ms when the latest sample was published */
	uint64_t resyncs, overruns, events, samples, bad_frames;
	uint64_t overruns_logged, overrun_log_at; /* overrun warnings are rate-limited */
	struct xd_collector_stats colst;
	double last_process_cpu_s; /* CPU the main process spent on the latest model */
	double last_resync_s; /* RESYNC sent -> model published (includes the collector's rate limit) */
	double last_process_s; /* decode + diagnosis + bookkeeping in this process */
	int64_t last_resync_at; /* epoch ms when the current model was published */
	uint64_t started_ms;
};

static inline uint64_t xd_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static inline int64_t xd_real_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* daemon.c */
void xd_daemon_schedule_resync(struct daemon *d, uint32_t delay_ms);
/* Forward the kernel events the collector has sent meanwhile, without waiting: publish.c
 * calls it between the stages of a resync, so watchers do not wait for the model. */
void xd_daemon_drain_events(struct daemon *d);

/* publish.c: a complete resync (records, taken over) becomes the served model. */
void xd_daemon_publish(struct daemon *d, struct xd_recbuf *buf);
/* A kernel event summary: shown on watch, and a (debounced) resync scheduled. */
void xd_daemon_on_event(struct daemon *d, const struct xd_kevent *e);

/* replies.c: the control-socket handler. */
void xd_daemon_handle_request(void *userdata, struct xd_client *c, const struct xd_request *req);
/* The Prometheus exposition of the current model (malloc'ed); -EAGAIN before the first. */
int xd_daemon_metrics_text(struct daemon *d, char **ret, size_t *ret_len);
/* The same as an xd_http_render_fn (userdata = the daemon). */
int xd_daemon_http_metrics(void *userdata, char **buf, size_t *len);

/* The interval between samples in effect: the configured one, or longer on a large model
 * (daemon.c). */
uint64_t xd_daemon_sample_interval_ms(const struct daemon *d);
/* CPU seconds of the latest resync, collector and main process together. */
double xd_daemon_resync_cpu_s(const struct daemon *d);
