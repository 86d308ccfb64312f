/* SPDX-License-Identifier: GPL-2.0-or-later */
/* render-kstack.h: kernel profile and IKE stack sections, shared by the JSON and text renderers. */
#pragma once

#include <stdbool.h>
#include <stdio.h>

struct json_object;
struct xd_snapshot;

struct json_object *xd_json_kernel(const struct xd_snapshot *s);
struct json_object *xd_json_stack(const struct xd_snapshot *s);
void xd_text_kernel(FILE *out, const struct xd_snapshot *s, bool verbose);
void xd_text_stack(FILE *out, const struct xd_snapshot *s, bool verbose);
