/* SPDX-License-Identifier: GPL-2.0-or-later */
/* render-text.h: the SA table rows of render-text.c, shared with the streamed `show sa`. */
#pragma once
#include <stddef.h>
#include <stdio.h>

#include "xfrmd/render.h"

struct xd_sa;
struct xd_table;

/* A table of `which` with the columns, width and colour of `o`. */
int xd_text_table_new(enum xd_text_table which, FILE *out, const struct xd_render_opts *o,
		      struct xd_table **ret);
int xd_text_sa_row(struct xd_table *t, const struct xd_sa *sa);
void xd_text_sa_count(FILE *out, size_t n);
