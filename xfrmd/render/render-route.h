/* SPDX-License-Identifier: GPL-2.0-or-later */
/* render-route.h: routes and policy-routing rules (route.h), for the JSON and text renderers. */
#pragma once

#include <stdbool.h>
#include <stdio.h>

struct xd_snapshot;

/* Write ,"routes":[...] or ,"rules":[...] (docs/schema/xfrmctl.schema.json). 0 or -EIO. */
int xd_render_routes_json(FILE *out, const struct xd_snapshot *s, int flags, const char *sep);
int xd_render_rules_json(FILE *out, const struct xd_snapshot *s, int flags, const char *sep);
/* Lines as `ip route show table all` and `ip rule` print them. */
void xd_render_routes_text(FILE *out, const struct xd_snapshot *s);
void xd_render_rules_text(FILE *out, const struct xd_snapshot *s);
