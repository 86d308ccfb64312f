/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * probe-wrong-way.c: built into a lower layer only by tests/layers/check-wrong-way.sh
 * (-Dlayer-probe=LAYER). It calls the renderer, the top layer of the core, so the layer
 * check of xfrmd/meson.build must fail to link it.
 */
#include <stdio.h>

#include "xfrmd/render.h"

void xd_layer_probe(FILE *out);

void xd_layer_probe(FILE *out)
{
	xd_render_text(out, NULL, 0, NULL);
}
