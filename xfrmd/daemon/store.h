/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * store.h: the daemon's model store. It holds what the daemon serves (the current analysis
 * and the scrubbed records it came from), the samples the rate checks compare with, the
 * findings lifecycle, the per-tunnel counters and the sample history. Only store.c changes
 * it: the event loop (daemon.c) hands it complete resyncs; replies.c reads it through a const
 * pointer. The store knows nothing of fds, clients or timers: what a resync raises, clears or
 * finds goes out through the hooks the loop passes in.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "frame.h"
#include "lifecycle.h"
#include "xfrmd/analysis.h"
#include "xfrmd/ike.h"
#include "xfrmd/kevent.h"
#include "xfrmd/tunnels.h"

struct xd_recbuf;
struct xd_kb;

/* One entry of the history (status "history"): what a periodic sample found. */
struct xd_sample {
	int64_t at_ms; /* epoch ms */
	uint32_t sas, policies;
	uint32_t errors, warnings;
};

struct xd_store {
	/* analyses (analysis.h: snapshot, findings, peer rows), the same pipeline as xfrmctl's;
	 * cur, prev and prev2 may be the same one */
	struct xd_analysis *cur;       /* served to clients, NULL before the first resync */
	struct xd_recbuf *cur_records; /* the scrubbed records cur was decoded from */
	struct xd_analysis *prev;      /* the latest periodic sample */
	struct xd_analysis *prev2;     /* the sample before it */
	uint64_t prev_mono_ms, prev2_mono_ms;
	struct xd_kb *kb; /* known issues, or NULL (logged at start) */
	struct xd_lifecycle life;
	struct xd_tunnels tunnels;
	struct xd_ike_failures ike_failures; /* xfrmd_ike_failures_total */
	struct xd_sample *ring; /* the history, `history` entries */
	size_t history, ring_len, ring_head;

	uint64_t resyncs, samples;
	uint64_t last_sample_mono_ms; /* when the latest sample was published, 0 before */
	int64_t last_resync_at; /* epoch ms when the current model was published */
	/* RESYNC asked -> model published (includes the collector's rate limit) */
	double last_resync_s;
	double last_process_s; /* decode + diagnosis + bookkeeping in this process */
	double last_process_cpu_s; /* CPU this process spent on the current model */
	struct xd_collector_stats colst; /* the collector's report on its latest resync */
};

/* How a resync's consequences leave the store (all called during xd_store_publish()). */
struct xd_store_hooks {
	/* a finding raised or cleared (lifecycle.h) */
	void (*finding)(void *userdata, bool raised, const struct xd_active_finding *a,
			int64_t at_ms);
	/* an event found by comparing models, not announced by the kernel (a new larval SA) */
	void (*event)(void *userdata, const struct xd_kevent *e);
	/* between the stages of a long resync: forward what the kernel said meanwhile, so
	 * watchers do not wait for the model (kernel events first, findings after) */
	void (*drain)(void *userdata);
	void *userdata;
};

/* A complete resync for xd_store_publish(). */
struct xd_resync {
	struct xd_recbuf *records; /* taken over */
	bool is_sample; /* a periodic sample: becomes the rate checks' baseline */
	uint64_t asked_mono_ms; /* when it was asked for */
	uint64_t sample_interval_ms; /* the configured interval (the rate baseline's age) */
};

/* An empty store keeping `history` samples, with the known-issues base loaded (a missing one
 * is logged and skipped). 0 or -ENOMEM. xd_store_done() is safe on a zeroed store. */
int xd_store_init(struct xd_store *st, size_t history);
void xd_store_done(struct xd_store *st);

/*
 * Decode, analyse against the latest sample, track findings and tunnels, and make the result
 * the served model. Returns 0, or -errno when the resync was dropped and the previous model
 * stays (logged here).
 */
int xd_store_publish(struct xd_store *st, const struct xd_resync *rs,
		     const struct xd_store_hooks *h);
/* The collector's statistics, which arrive after the resync they describe. */
void xd_store_note_collector(struct xd_store *st, const struct xd_collector_stats *cs);

/* The i-th oldest sample of the history, i < ring_len. */
const struct xd_sample *xd_store_sample(const struct xd_store *st, size_t i);
/* CPU seconds of the latest resync, collector and main process together. */
double xd_store_resync_cpu_s(const struct xd_store *st);
/* The interval between samples in effect: the configured one, or longer on a large model. */
uint64_t xd_store_sample_interval_ms(const struct xd_store *st, uint64_t configured_ms);
