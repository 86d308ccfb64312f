/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * arena.h: a bump allocator in growing chunks. Everything decoded from one snapshot that is
 * not in a vector (strings, rare SA extensions) lives here and is freed at once.
 */
#pragma once

#include <stddef.h>

struct xd_arena;

int xd_arena_new(struct xd_arena **ret);
struct xd_arena *xd_arena_free(struct xd_arena *a);
/* Zeroed, 8-byte aligned memory; NULL on allocation failure or size overflow. */
void *xd_arena_alloc(struct xd_arena *a, size_t size);
size_t xd_arena_used(const struct xd_arena *a);
