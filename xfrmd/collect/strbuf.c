/* SPDX-License-Identifier: GPL-2.0-or-later */
/* strbuf.c: growable text buffer with a hard size cap and a sticky error. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

void xd_strbuf_init(struct xd_strbuf *b, size_t max)
{
	memset(b, 0, sizeof(*b));
	b->max = max;
}

void xd_strbuf_done(struct xd_strbuf *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

int xd_strbuf_append(struct xd_strbuf *b, const char *s, size_t n)
{
	if (b->err)
		return b->err;
	if (n > b->max - b->len)
		return b->err = -E2BIG;
	if (b->len + n + 1 > b->cap) {
		size_t ncap = b->cap ? b->cap : 1024;
		char *nd;
		while (ncap < b->len + n + 1)
			ncap *= 2;
		nd = realloc(b->data, ncap);
		if (!nd)
			return b->err = -ENOMEM;
		b->data = nd;
		b->cap = ncap;
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int xd_strbuf_printf(struct xd_strbuf *b, const char *fmt, ...)
{
	char tmp[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0)
		return b->err = -EINVAL;
	/* lines longer than tmp are truncated: every caller writes short key=value lines */
	return xd_strbuf_append(b, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}
