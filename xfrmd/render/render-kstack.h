/* SPDX-License-Identifier: GPL-2.0-or-later */
/* render-kstack.h: kernel profile and IKE stack sections, shared by the JSON and text renderers. */
#pragma once

#include <stdbool.h>
#include <stdio.h>

struct json_object;
struct xd_snapshot;

struct json_object *xd_json_kernel(const struct xd_snapshot *s);
/* The stack view without its per-policy list, which can be as long as the SPD: the caller
 * streams "policy_fingerprints" entries from xd_json_policy_fingerprint(). */
struct json_object *xd_json_stack(const struct xd_snapshot *s);
struct xd_policy;
/* One policy's fingerprint, or NULL for a socket policy (not listed). */
struct json_object *xd_json_policy_fingerprint(const struct xd_snapshot *s,
					       const struct xd_policy *p);
void xd_text_kernel(FILE *out, const struct xd_snapshot *s, bool verbose);
void xd_text_stack(FILE *out, const struct xd_snapshot *s, bool verbose);
