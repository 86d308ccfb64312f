/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * analysis.h: the one pipeline from records to a result (DESIGN.md §2): decode every record
 * of a source into a new snapshot, sort it (which derives the kernel profile and the stack
 * view), run every check, and fold the findings per peer. xfrmctl's verbs and the daemon
 * consume the result; nothing downstream recomputes any part of it.
 */
#pragma once

#include <stdbool.h>

#include "xfrmd/diag.h"
#include "xfrmd/dumps.h"
#include "xfrmd/finding.h"
#include "xfrmd/util.h"

struct xd_snapshot;
struct xd_meta;
struct xd_kb;

/*
 * A source of records: live collection, a snapshot file, the daemon's records. run() feeds
 * every record to `sink`, fills `meta` (the manifest), and returns 0 or -errno.
 */
struct xd_record_source {
	int (*run)(void *userdata, const struct xd_record_sink *sink, struct xd_meta *meta);
	void *userdata;
};

enum {
	XD_ANALYZE_FINDINGS = 1u << 0, /* run the checks */
	XD_ANALYZE_PEERS = 1u << 1,    /* fold the findings per peer (implies FINDINGS) */
};

struct xd_analysis_opts {
	unsigned what;                 /* XD_ANALYZE_* bits; 0 = decode and sort only */
	struct xd_diag_opts diag;      /* thresholds (xd_diag_opts_default) */
	const struct xd_kb *kb;        /* known issues, or NULL */
	const struct xd_analysis *prev; /* an earlier sample for the rate checks, or NULL */
};

/* The result. Immutable once returned: every field is complete or empty. */
struct xd_analysis {
	struct xd_snapshot *snap;    /* decoded and sorted, with its views (model/views.c) */
	struct xd_findings findings; /* sorted; empty without XD_ANALYZE_FINDINGS */
	struct xd_vec peers;         /* struct xd_peer_row (peers.h); empty without _PEERS */
	double interval_s;           /* seconds since opts.prev, 0 without one */
};

/*
 * Run the pipeline. Returns 0 with *ret set, the source's -errno (nothing is returned then),
 * or -ENOMEM. Decode problems are findings (tool.decode_issue), not errors.
 */
int xd_analyze(const struct xd_record_source *src, const struct xd_analysis_opts *o,
	       struct xd_analysis **ret);
/* The same from a snapshot already decoded (taken over, sorted here). On error it is freed. */
int xd_analyze_snapshot(struct xd_snapshot *s, const struct xd_analysis_opts *o,
			struct xd_analysis **ret);
/* Free everything, the snapshot included. NULL-safe; returns NULL. */
struct xd_analysis *xd_analysis_free(struct xd_analysis *a);
