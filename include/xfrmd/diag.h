/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * diag.h: checks are pure functions model (+ an earlier sample) -> findings, registered in
 * one table (xfrmd/diag/registry.c). Checks never print; renderers never decide.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "xfrmd/finding.h"

struct xd_snapshot;
struct xd_kb;

struct xd_stack_view;
struct xd_kprofile;
struct xd_sa;

/* A larval (ACQUIRE) state: SPI 0 and no algorithm yet. The predicate the sa.* checks use,
 * for the daemon's xfrm.sa_acquire lines, so both agree on what is larval. */
bool xd_diag_sa_is_larval(const struct xd_sa *sa);

struct xd_diag_opts {
	uint32_t expiring_days;      /* certificates: expiring within this many days */
	uint32_t larval_stuck_s;     /* a larval SA older than this is stuck */
	uint32_t stale_sa_s;         /* an older duplicate idle this long after its successor */
};

struct xd_diag_ctx {
	const struct xd_snapshot *now;
	const struct xd_snapshot *prev; /* earlier sample for rate checks, or NULL */
	double interval_s;             /* seconds between prev and now */
	struct xd_diag_opts opts;
	const struct xd_kb *kb;         /* known issues (kb.h), or NULL: kernel.known_issue off */
	/* the views of `now` derived when it was sorted: set by xd_diag_run (callers leave them) */
	const struct xd_stack_view *stack;
	const struct xd_kprofile *kprofile;
};

typedef void (*xd_check_fn)(const struct xd_diag_ctx *ctx, struct xd_findings *out);

struct xd_check_family {
	const char *name;                  /* "sa", "policy", ... */
	const struct xd_finding_def *defs; /* terminated by { NULL } */
	xd_check_fn run;
};

/* The registry: every check family. */
extern const struct xd_check_family *const xd_check_families[];

void xd_diag_opts_default(struct xd_diag_opts *o);
/* Run every check on a sorted snapshot and sort the findings. Returns 0, -ENOMEM, or
 * -EINVAL when `now` was never sorted (xd_snapshot_sort derives the views checks read). */
int xd_diag_run(const struct xd_diag_ctx *ctx, struct xd_findings *out);

/*
 * Correlate two sites' snapshots (each sorted): SPIs, SA parameters and selectors must match
 * between what one sends and the other receives. Appends peer.* findings. 0 or -ENOMEM.
 */
int xd_diag_cross_site(const struct xd_snapshot *a, const struct xd_snapshot *b,
		       struct xd_findings *out);

/* Look up a finding definition by id across all families (NULL if unknown). */
const struct xd_finding_def *xd_finding_def_find(const char *id);
