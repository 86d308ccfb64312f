/* SPDX-License-Identifier: GPL-2.0-or-later */
/* arena.c: bump allocation in chunks that double up to 1 MiB; freed all at once. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xfrmd/arena.h"

struct chunk {
	struct chunk *next;
	size_t size;
	size_t used;
	max_align_t data[];
};

struct xd_arena {
	struct chunk *head;
	size_t total;
};

int xd_arena_new(struct xd_arena **ret)
{
	struct xd_arena *a = calloc(1, sizeof(*a));

	if (!a)
		return -ENOMEM;
	*ret = a;
	return 0;
}

struct xd_arena *xd_arena_free(struct xd_arena *a)
{
	if (!a)
		return NULL;
	for (struct chunk *c = a->head, *n; c; c = n) {
		n = c->next;
		free(c);
	}
	free(a);
	return NULL;
}

void *xd_arena_alloc(struct xd_arena *a, size_t size)
{
	struct chunk *c = a->head;
	void *p;

	if (size > SIZE_MAX - 16)
		return NULL;
	size = (size + 7) & ~(size_t)7;
	if (!c || c->size - c->used < size) {
		size_t csize = c ? c->size * 2 : 4096;

		if (csize > (1u << 20))
			csize = 1u << 20;
		if (csize < size)
			csize = size;
		c = malloc(sizeof(*c) + csize);
		if (!c)
			return NULL;
		c->size = csize;
		c->used = 0;
		c->next = a->head;
		a->head = c;
	}
	p = (char *)c->data + c->used;
	c->used += size;
	a->total += size;
	memset(p, 0, size);
	return p;
}

size_t xd_arena_used(const struct xd_arena *a)
{
	return a->total;
}
