/* SPDX-License-Identifier: GPL-2.0-or-later */
/* strbuf.h: a growable text buffer for file records built from many small files. */
#pragma once

#include <stdarg.h>
#include <stddef.h>

struct xd_strbuf {
	char *data;
	size_t len;
	size_t cap;
	size_t max; /* hard cap: appends beyond it fail with -E2BIG */
	int err;    /* first error, sticky */
};

void xd_strbuf_init(struct xd_strbuf *b, size_t max);
void xd_strbuf_done(struct xd_strbuf *b);
int xd_strbuf_append(struct xd_strbuf *b, const char *s, size_t n);
int xd_strbuf_printf(struct xd_strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
