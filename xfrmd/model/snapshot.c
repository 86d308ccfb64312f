/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * snapshot.c: owns every object decoded from one snapshot: vectors of SAs, policies and
 * templates, an arena for the rest, and a pool that interns repeated strings (algorithm
 * names, counter names) so 1M SAs do not carry 1M copies of "rfc4106(gcm(aes))".
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "xfrmd/arena.h"
#include "xfrmd/fw-model.h"
#include "xfrmd/kernel.h"
#include "xfrmd/model.h"
#include "xfrmd/ike.h"
#include "xfrmd/route.h"
#include "xfrmd/stack.h"

struct pool_entry {
	const void *p;
	size_t len;
	bool str; /* strings carry a NUL after len bytes; blobs need not */
};

struct xd_strpool {
	struct pool_entry *slots;
	size_t cap; /* power of two */
	size_t used;
};

const struct xd_lifetime_cfg xd_lifetime_none = { XD_INF, XD_INF, XD_INF, XD_INF, 0, 0, 0, 0 };
const struct xd_algs xd_algs_none;

/* Every SA interns two blobs of ~100 bytes: hash a word at a time, not a byte. */
static uint64_t hash_bytes(const void *data, size_t n)
{
	const unsigned char *s = data;
	uint64_t h = 0x9e3779b97f4a7c15ull ^ n;
	uint64_t w;

	for (; n >= 8; s += 8, n -= 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdull;
		h ^= h >> 32;
	}
	w = 0;
	memcpy(&w, s, n);
	h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
	return h ^ (h >> 29);
}

static int pool_grow(struct xd_strpool *p)
{
	size_t ncap = p->cap ? p->cap * 2 : 64;
	struct pool_entry *n = calloc(ncap, sizeof(*n));

	if (!n)
		return -ENOMEM;
	for (size_t i = 0; i < p->cap; i++) {
		if (!p->slots[i].p)
			continue;
		size_t j = hash_bytes(p->slots[i].p, p->slots[i].len) & (ncap - 1);
		while (n[j].p)
			j = (j + 1) & (ncap - 1);
		n[j] = p->slots[i];
	}
	free(p->slots);
	p->slots = n;
	p->cap = ncap;
	return 0;
}

/* Intern `len` bytes; when `nul` a terminating NUL is added after them (strings). */
static const void *pool_intern(struct xd_snapshot *s, const void *data, size_t len, bool nul)
{
	struct xd_strpool *p = s->pool;
	size_t j;
	char *copy;

	if ((p->used + 1) * 2 > p->cap && pool_grow(p) < 0)
		return NULL;
	j = hash_bytes(data, len) & (p->cap - 1);
	while (p->slots[j].p) {
		if (p->slots[j].len == len && p->slots[j].str == nul &&
		    memcmp(p->slots[j].p, data, len) == 0)
			return p->slots[j].p;
		j = (j + 1) & (p->cap - 1);
	}
	copy = xd_arena_alloc(s->arena, len + (nul ? 1 : 0));
	if (!copy)
		return NULL;
	memcpy(copy, data, len);
	p->slots[j] = (struct pool_entry){ .p = copy, .len = len, .str = nul };
	p->used++;
	return copy;
}

const char *xd_snapshot_intern(struct xd_snapshot *s, const char *str, size_t len)
{
	return pool_intern(s, str, strnlen(str, len), true);
}

const void *xd_snapshot_intern_blob(struct xd_snapshot *s, const void *data, size_t len)
{
	return pool_intern(s, data, len, false);
}

void *xd_snapshot_alloc(struct xd_snapshot *s, size_t size)
{
	return xd_arena_alloc(s->arena, size);
}

int xd_snapshot_new(struct xd_snapshot **ret)
{
	struct xd_snapshot *s = calloc(1, sizeof(*s));

	if (!s)
		return -ENOMEM;
	s->pool = calloc(1, sizeof(*s->pool));
	if (!s->pool || xd_arena_new(&s->arena) < 0) {
		free(s->pool);
		free(s);
		return -ENOMEM;
	}
	xd_vec_init(&s->sas, sizeof(struct xd_sa));
	xd_vec_init(&s->policies, sizeof(struct xd_policy));
	xd_vec_init(&s->tmpls, sizeof(struct xd_tmpl));
	xd_vec_init(&s->issues, sizeof(struct xd_decode_issue));
	xd_vec_init(&s->links, sizeof(struct xd_link));
	xd_vec_init(&s->addrs, sizeof(struct xd_local_addr));
	xd_vec_init(&s->routes, sizeof(struct xd_route));
	xd_vec_init(&s->rules, sizeof(struct xd_rule));
	xd_vec_init(&s->xfrm_stat.counters, sizeof(struct xd_counter));
	xd_certs_init(&s->certs);
	*ret = s;
	return 0;
}

struct xd_snapshot *xd_snapshot_free(struct xd_snapshot *s)
{
	if (!s)
		return NULL;
	xd_vec_done(&s->sas);
	xd_vec_done(&s->policies);
	xd_vec_done(&s->tmpls);
	xd_vec_done(&s->issues);
	xd_vec_done(&s->links);
	xd_vec_done(&s->addrs);
	xd_vec_done(&s->routes);
	xd_vec_done(&s->rules);
	xd_vec_done(&s->xfrm_stat.counters);
	if (s->fw) {
		xd_fw_done(s->fw);
		free(s->fw);
	}
	xd_kernel_done(s->kernel);
	xd_stack_facts_done(s->stack);
	xd_ike_done(s->ike);
	xd_certs_done(&s->certs);
	if (s->pool)
		free(s->pool->slots);
	free(s->pool);
	xd_arena_free(s->arena);
	free(s);
	return NULL;
}

/* Keep at most this many issues: a hostile snapshot must not grow memory without bound. */
#define MAX_ISSUES 1000

void xd_snapshot_add_issue(struct xd_snapshot *s, const struct xd_decode_issue *issue)
{
	struct xd_decode_issue *i;

	if (s->issues.len >= MAX_ISSUES)
		return;
	i = xd_vec_push(&s->issues);
	if (i)
		*i = *issue;
}

struct xd_fw *xd_snapshot_fw(struct xd_snapshot *s)
{
	if (!s->fw) {
		s->fw = malloc(sizeof(*s->fw));
		if (s->fw)
			xd_fw_init(s->fw);
	}
	return s->fw;
}
