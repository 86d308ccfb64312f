/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * model-builder.h: hand-built snapshots for check and renderer tests (test-only). Pointers
 * returned stay valid until the next object of the same kind is added.
 */
#pragma once

#include <stdint.h>

#include "xfrmd/finding.h"
#include "xfrmd/model.h"

#define MB_NOW 1700001000

/* A snapshot whose dumps are all complete, captured at MB_NOW. */
struct xd_snapshot *mb_new(void);
struct xd_sa *mb_sa(struct xd_snapshot *s, const char *src, const char *dst, uint8_t proto,
		    uint32_t spi, uint32_t reqid, uint8_t mode);
struct xd_policy *mb_policy(struct xd_snapshot *s, uint8_t dir, const char *src_prefix,
			    const char *dst_prefix, uint32_t priority, uint8_t action);
/* Template on the most recently added policy. */
struct xd_tmpl *mb_tmpl(struct xd_snapshot *s, const char *src, const char *dst, uint8_t proto,
			uint32_t reqid, uint8_t mode);
void mb_local(struct xd_snapshot *s, const char *addr);
/* Give every SA and template so far this mode (e.g. XD_MODE_IPTFS for a tunnel fixture). */
void mb_all_modes(struct xd_snapshot *s, uint8_t mode);
void mb_counter(struct xd_snapshot *s, const char *name, uint64_t value);
/* The writable lifetime configuration and algorithm set of an SA made by mb_sa(). */
struct xd_lifetime_cfg *mb_lft(struct xd_sa *sa);
struct xd_algs *mb_algs(struct xd_sa *sa);
/* Sort like a decoded snapshot; call before running checks. */
void mb_finish(struct xd_snapshot *s);

/* The string value of a finding's evidence entry KEY, NULL when it has none. */
const char *mb_ev_str(const struct xd_finding *x, const char *key);
