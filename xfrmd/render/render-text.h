/* SPDX-License-Identifier: GPL-2.0-or-later */
/* render-text.h: the SA table rows of render-text.c, shared with the streamed `show sa`. */
#pragma once
#include <stddef.h>
#include <stdio.h>

struct xd_sa;
struct xd_render_opts;

void xd_text_sa_header(FILE *out, const struct xd_render_opts *o);
void xd_text_sa_row(FILE *out, const struct xd_sa *sa);
void xd_text_sa_count(FILE *out, size_t n);
