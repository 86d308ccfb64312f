/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * policy-index.h: finds the policies whose selector covers a given selector without
 * comparing all pairs. Policies of one direction are grouped by "shape" (family and the two
 * prefix lengths), each shape hashed by its masked (saddr, daddr); a query masks its
 * addresses to each shape no more specific than itself and looks that key up. Real policy
 * sets have few shapes, so a query costs O(shapes).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xfrmd/model.h"

struct pol_shape;

struct pol_index {
	const struct xd_snapshot *s;
	struct pol_shape *shapes;
	size_t n_shapes;
};

/* Index the policies of direction `dir` (0 in, 1 out, 2 fwd). Returns 0 or -ENOMEM. */
int xd_pol_index_build(struct pol_index *ix, const struct xd_snapshot *s, uint8_t dir);
void xd_pol_index_done(struct pol_index *ix);

/* Call `visit` for every indexed policy whose selector covers `q`; stop when it returns
 * true. Returns true if stopped. */
bool xd_pol_index_covering(const struct pol_index *ix, const struct xd_selector *q,
			bool (*visit)(const struct xd_policy *p, void *ud), void *ud);
