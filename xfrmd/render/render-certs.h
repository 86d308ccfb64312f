/* SPDX-License-Identifier: GPL-2.0-or-later */
/* render-certs.h: the credential sections, called by the JSON and text renderers. */
#pragma once

#include <stdbool.h>
#include <stdio.h>

struct xd_snapshot;

/* Writes ,"certificates":[...],"key_files":[...],"ike_connections":[...]. 0 or -EIO. */
int xd_render_certs_json(FILE *out, const struct xd_snapshot *s, int flags, const char *sep);
void xd_render_certs_text(FILE *out, const struct xd_snapshot *s, bool verbose);
