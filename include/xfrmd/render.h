/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * render.h: the model as JSON (the reference), text (a view) and later metrics. Renderers
 * never decide what is a problem. JSON is written object by object: a document never sits
 * in memory as one tree.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "xfrmd/table.h"

struct xd_snapshot;
struct xd_findings;
struct xd_finding;
struct xd_vec;

enum xd_render_what {
	XD_RENDER_SA = 1u << 0,
	XD_RENDER_POLICY = 1u << 1,
	XD_RENDER_STATS = 1u << 2,
	XD_RENDER_STATUS = 1u << 3,
	XD_RENDER_KERNEL = 1u << 4, /* kernel profile (kernel.h) */
	XD_RENDER_STACK = 1u << 5,  /* IKE stack (stack.h) */
	XD_RENDER_CERTS = 1u << 6, /* certificates, key files, IKE connections (cert.h) */
	XD_RENDER_IKE = 1u << 7,   /* the IKE daemon's own view (ike.h) */
	XD_RENDER_ROUTES = 1u << 8, /* routes of every table (route.h) */
	XD_RENDER_RULES = 1u << 9,  /* policy-routing rules (route.h) */
};

struct xd_render_opts {
	bool pretty; /* JSON: indented */
	bool color;  /* text: ANSI colour */
	bool verbose;
	const struct xd_snapshot *peer_site; /* check -r A -r B: site B, rendered as meta_site_b */
	struct xd_table_opts table;          /* text tables: width, -o columns, headings, raw */
};

/* The text tables and their columns (for -o): SA, policy, peers, findings. */
enum xd_text_table {
	XD_TABLE_SA,
	XD_TABLE_POLICY,
	XD_TABLE_PEERS,
	XD_TABLE_FINDINGS,
	_XD_TABLE_MAX,
};
const struct xd_table_col *xd_text_table_cols(enum xd_text_table which, size_t *ret_n);

#define XD_SCHEMA_ID "https://xfrmd.invalid/schema/xfrmctl-1.json"
#define XD_SCHEMA_VERSION 1

/* Write a JSON document with `meta` first, then the requested sections. Returns 0/-errno. */
int xd_render_json(FILE *out, const struct xd_snapshot *s, unsigned what,
		   const struct xd_render_opts *o);
int xd_render_text(FILE *out, const struct xd_snapshot *s, unsigned what,
		   const struct xd_render_opts *o);

/*
 * `show sa` streamed (render-sa-stream.c): begin writes meta (the SA dump "streamed") and
 * opens the list, add appends one SA, end closes the document with the SA dump's outcome
 * ("sa_dump"). begin is implied by end. Each returns 0 or -EIO.
 */
struct xd_sa;
struct xd_sa_stream {
	FILE *out;
	bool json;
	struct xd_render_opts o;
	/* internal */
	struct xd_table *table;
	bool began;
	int err;
	uint64_t count;
};
struct xd_sa_stream_outcome {
	int status; /* enum xd_dump_status */
	unsigned attempts;
	int error; /* -errno or 0 */
	uint64_t decode_issues, unknown_attrs, ignored_msgs;
};
int xd_sa_stream_begin(struct xd_sa_stream *st, const struct xd_snapshot *s);
int xd_sa_stream_add(struct xd_sa_stream *st, const struct xd_sa *sa);
int xd_sa_stream_end(struct xd_sa_stream *st, const struct xd_snapshot *s,
		     const struct xd_sa_stream_outcome *oc);

/* Escape a kernel-supplied string for text output: control bytes and DEL become \xNN. */
const char *xd_text_escape(const char *in, char *buf, size_t len);

/* `check` documents: meta, a severity summary, then the findings in their sorted order. */
int xd_render_findings_json(FILE *out, const struct xd_snapshot *s, const struct xd_findings *f,
			    const struct xd_render_opts *o);
int xd_render_findings_text(FILE *out, const struct xd_snapshot *s, const struct xd_findings *f,
			    const struct xd_render_opts *o);

/* One finding as a json-c object (caller owns it); shared by check, peers and the daemon. */
struct json_object *xd_finding_json(const struct xd_finding *x);
/* The meta object of a snapshot (caller owns it). */
struct json_object *xd_meta_json(const struct xd_snapshot *s);

/* `peers`: the status matrix (rows are struct xd_peer_row, see peers.h). */
int xd_render_peers_json(FILE *out, const struct xd_snapshot *s, const struct xd_vec *rows,
			 const struct xd_render_opts *o);
int xd_render_peers_text(FILE *out, const struct xd_snapshot *s, const struct xd_vec *rows,
			 const struct xd_render_opts *o);
/*
 * Firewall (render-fw.c): a verdict with its packet, decider and trace
 * ({"meta","verdict","trace"}), and the IPsec-relevant view of the rule set
 * ({"meta","firewall"}). Each returns 0 or -EIO.
 */
struct xd_fw_packet;
struct xd_fw_result;
int xd_render_fw_verdict_json(FILE *out, const struct xd_snapshot *s,
			      const struct xd_fw_packet *p, const uint8_t *hooks, size_t nhooks,
			      const struct xd_fw_result *res, const struct xd_render_opts *o);
int xd_render_fw_verdict_text(FILE *out, const struct xd_snapshot *s,
			      const struct xd_fw_packet *p, const uint8_t *hooks, size_t nhooks,
			      const struct xd_fw_result *res, const struct xd_render_opts *o);
int xd_render_firewall_json(FILE *out, const struct xd_snapshot *s, const struct xd_render_opts *o);
int xd_render_firewall_text(FILE *out, const struct xd_snapshot *s, const struct xd_render_opts *o);
/* `show tunnels`: the route-based tunnels (rtunnel.h), its own document like the firewall. */
int xd_render_tunnels_json(FILE *out, const struct xd_snapshot *s, const struct xd_render_opts *o);
int xd_render_tunnels_text(FILE *out, const struct xd_snapshot *s, const struct xd_render_opts *o);

struct xd_tunnels;

/* Daemon-only facts for the metrics exposition (xfrmctl standalone passes NULL). */
struct xd_ike_failures;

struct xd_prom_daemon {
	uint64_t resyncs;
	uint64_t overruns;
	uint64_t events;
	uint64_t samples;
	uint64_t clients;
	double last_resync_s; /* duration of the latest resync */
	int64_t last_sample_at; /* epoch seconds */
	const struct xd_ike_failures *ike_failures; /* NULL: no xfrmd_ike_failures_total */
};

/*
 * Prometheus text exposition (format 0.0.4): SA/policy counts by direction, per-peer state,
 * per-tunnel bytes/packets (monotonic across rekeys when `t` has seen several samples),
 * every xfrm_stat counter by name, findings by id and severity, and daemon counters when `d`
 * is set. `f` and `t` may be NULL. Returns 0 or -errno.
 */
int xd_render_prom(FILE *out, const struct xd_snapshot *s, const struct xd_findings *f,
		   const struct xd_tunnels *t, const struct xd_prom_daemon *d);

/*
 * Watch lines (docs/schema/xfrmd-watch.schema.json): one JSON object and a newline, with
 * "event" and "time" (RFC 3339 UTC with milliseconds, xd_fmt_utc_ms_z). *ret is malloc'ed
 * and NUL-terminated; *ret_len counts the newline. Returns 0, -EINVAL (unknown event type)
 * or -ENOMEM.
 */
struct xd_kevent;
struct json_object;
/* Event name as in the watch stream ("xfrm.sa_deleted"), NULL when out of range. */
const char *xd_kevent_name(uint32_t type);
int xd_render_watch_kevent(const struct xd_kevent *e, char **ret, size_t *ret_len);
/* finding.raised / finding.cleared: `finding` as xd_finding_json() made it (a reference is
 * taken); raised_at_ms only on a cleared one. */
int xd_render_watch_finding(bool raised, struct json_object *finding, int64_t time_ms,
			    int64_t raised_at_ms, char **ret, size_t *ret_len);
