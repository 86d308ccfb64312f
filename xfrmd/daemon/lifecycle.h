/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lifecycle.h: findings over time. A finding is identified by its id and its subject (or, when
 * its id aggregates, by its id and severity, whatever its subjects and count); it is
 * raised the first time a diagnosis reports it and cleared the first time one does not. The
 * current set keeps when each was raised; changes are reported through a callback.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "xfrmd/finding.h"
#include "xfrmd/util.h"

struct json_object;

struct xd_active_finding {
	char *key;                 /* the identity (xd_finding_identity) */
	const char *id;            /* static */
	enum xd_severity severity; /* as last reported */
	int64_t raised_at;         /* epoch milliseconds */
	struct json_object *json;  /* the finding as last reported (owned) */
	bool seen;                 /* internal */
};

struct xd_lifecycle {
	struct xd_vec active; /* struct xd_active_finding, sorted by key */
	uint64_t raised, cleared;
};

typedef void (*xd_lifecycle_fn)(void *userdata, bool raised, const struct xd_active_finding *a,
				int64_t at_ms);

void xd_lifecycle_init(struct xd_lifecycle *l);
void xd_lifecycle_done(struct xd_lifecycle *l);
/*
 * Compare a new diagnosis with the current set at time now_ms: new identities are raised,
 * missing ones cleared (fn is called for each, cleared ones before they are freed), known
 * ones keep raised_at and take the new details. Returns 0 or -ENOMEM (then the set is
 * unchanged and no callback ran for the failed part).
 */
int xd_lifecycle_update(struct xd_lifecycle *l, const struct xd_findings *f, int64_t now_ms,
			xd_lifecycle_fn fn, void *userdata);
