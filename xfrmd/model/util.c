/* SPDX-License-Identifier: GPL-2.0-or-later */
/* util.c: growable vectors and number parsing shared by every module. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "xfrmd/util.h"

void xd_vec_init(struct xd_vec *v, size_t elem_size)
{
	*v = (struct xd_vec){ .elem_size = elem_size };
}

void xd_vec_done(struct xd_vec *v)
{
	free(v->data);
	v->data = NULL;
	v->len = v->cap = 0;
}

void *xd_vec_push(struct xd_vec *v)
{
	if (v->len == v->cap) {
		size_t ncap = v->cap ? v->cap * 2 : 16;
		void *n;

		if (ncap > SIZE_MAX / v->elem_size)
			return NULL;
		n = realloc(v->data, ncap * v->elem_size);
		if (!n)
			return NULL;
		v->data = n;
		v->cap = ncap;
	}
	void *e = (char *)v->data + v->len * v->elem_size;
	memset(e, 0, v->elem_size);
	v->len++;
	return e;
}

int xd_parse_u64(const char *s, uint64_t *ret)
{
	unsigned long long v;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno == ERANGE)
		return -ERANGE;
	if (*end != '\0')
		return -EINVAL;
	*ret = v;
	return 0;
}

int xd_parse_u32(const char *s, uint32_t *ret)
{
	uint64_t v;
	int r = xd_parse_u64(s, &v);

	if (r < 0)
		return r;
	if (v > UINT32_MAX)
		return -ERANGE;
	*ret = (uint32_t)v;
	return 0;
}

size_t xd_strlcpy(char *dst, const char *src, size_t size)
{
	size_t n = strlen(src);

	if (size) {
		size_t c = n < size - 1 ? n : size - 1;
		memcpy(dst, src, c);
		dst[c] = '\0';
	}
	return n;
}
