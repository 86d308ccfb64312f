/* SPDX-License-Identifier: GPL-2.0-or-later */
/* render-ike.h: the IKE daemon's view (ike.h), called by the JSON and text renderers. */
#pragma once

#include <stdbool.h>
#include <stdio.h>

struct xd_snapshot;

/* Writes ,"ike":{...} (docs/schema/xfrmctl.schema.json). 0 or -EIO. */
int xd_render_ike_json(FILE *out, const struct xd_snapshot *s, int flags);
void xd_render_ike_text(FILE *out, const struct xd_snapshot *s, bool verbose);
