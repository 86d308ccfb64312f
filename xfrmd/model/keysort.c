/* SPDX-License-Identifier: GPL-2.0-or-later */
/* keysort.c: LSD radix sort of byte keys, tie breaking and in-place permutation (keysort.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "xfrmd/keysort.h"
#include "xfrmd/util.h"

int xd_keys_init(struct xd_keys *ks, size_t n, size_t width)
{
	*ks = (struct xd_keys){ .n = n, .width = width, .stride = (width + 7) / 8 * 8 };
	ks->k = calloc(n ? n : 1, ks->stride ? ks->stride : 8);
	return ks->k ? 0 : -ENOMEM;
}

void xd_keys_done(struct xd_keys *ks)
{
	free(ks->k);
	ks->k = NULL;
}

static uint64_t key_word(const struct xd_keys *ks, size_t i, size_t w)
{
	uint64_t x;

	memcpy(&x, ks->k + i * ks->stride + w * 8, 8);
	return x;
}

static bool keys_equal(const struct xd_keys *ks, size_t a, size_t b)
{
	for (size_t w = 0; w < ks->stride / 8; w++)
		if (key_word(ks, a, w) != key_word(ks, b, w))
			return false;
	return true;
}

/* One stable counting pass on byte j: src -> dst. */
static void radix_pass(const struct xd_keys *ks, size_t j, const uint32_t *src, uint32_t *dst)
{
	uint32_t count[256] = { 0 }, sum = 0;
	const uint8_t *k = ks->k + j;
	size_t n = ks->n, stride = ks->stride;

	for (size_t i = 0; i < n; i++)
		count[k[i * stride]]++;
	for (size_t b = 0; b < 256; b++) {
		uint32_t x = count[b];
		count[b] = sum;
		sum += x;
	}
	for (size_t i = 0; i < n; i++)
		dst[count[k[(size_t)src[i] * stride]]++] = src[i];
}

int xd_keys_sort(const struct xd_keys *ks, uint32_t *ret_order)
{
	size_t n = ks->n, words = ks->stride / 8;
	uint64_t differs[8] = { 0 }, *diff = differs;
	uint32_t *tmp, *src = ret_order, *dst;

	for (size_t i = 0; i < n; i++)
		ret_order[i] = (uint32_t)i;
	if (n < 2 || !ks->width)
		return 0;
	tmp = malloc(n * sizeof(*tmp));
	if (words > XD_ARRAY_SIZE(differs))
		diff = calloc(words, sizeof(*diff));
	if (!tmp || !diff) {
		free(tmp);
		if (diff != differs)
			free(diff);
		return -ENOMEM;
	}
	/* which bytes differ from the first key anywhere: only those need a pass */
	for (size_t i = 1; i < n; i++)
		for (size_t w = 0; w < words; w++)
			diff[w] |= key_word(ks, i, w) ^ key_word(ks, 0, w);
	dst = tmp;
	/* least significant byte first; each pass is stable, so earlier passes break ties */
	for (size_t j = ks->width; j-- > 0;) {
		uint8_t d[8];
		memcpy(d, &diff[j / 8], 8);
		if (!d[j % 8])
			continue;
		radix_pass(ks, j, src, dst);
		uint32_t *t = src;
		src = dst;
		dst = t;
	}
	if (src != ret_order)
		memcpy(ret_order, src, n * sizeof(*src));
	if (diff != differs)
		free(diff);
	free(tmp);
	return 0;
}

struct tie_ctx {
	const char *base;
	size_t size;
	int (*cmp)(const void *a, const void *b);
};

static int tie_cmp(const void *pa, const void *pb, void *arg)
{
	const struct tie_ctx *t = arg;

	return t->cmp(t->base + *(const uint32_t *)pa * t->size,
		      t->base + *(const uint32_t *)pb * t->size);
}

void xd_keys_break_ties(const struct xd_keys *ks, uint32_t *order, const void *base, size_t size,
			int (*cmp)(const void *a, const void *b))
{
	struct tie_ctx t = { base, size, cmp };

	for (size_t i = 0; i < ks->n;) {
		size_t end = i + 1;
		while (end < ks->n && keys_equal(ks, order[i], order[end]))
			end++;
		if (end - i > 1)
			qsort_r(order + i, end - i, sizeof(*order), tie_cmp, &t);
		i = end;
	}
}

int xd_permute(void *base, size_t n, size_t size, uint32_t *order)
{
	char *a = base, *tmp;

	if (n < 2)
		return 0;
	tmp = malloc(size);
	if (!tmp)
		return -ENOMEM;
	/* follow each cycle: slot j takes item order[j], and so on back to the start */
	for (size_t i = 0; i < n; i++) {
		size_t j = i;
		if (order[i] == i)
			continue;
		memcpy(tmp, a + i * size, size);
		while (order[j] != i) {
			size_t k = order[j];
			memcpy(a + j * size, a + k * size, size);
			order[j] = (uint32_t)j;
			j = k;
		}
		memcpy(a + j * size, tmp, size);
		order[j] = (uint32_t)j;
	}
	free(tmp);
	return 0;
}

int xd_sort_by_key(void *base, size_t n, size_t size, size_t width,
		   void (*key)(uint8_t *k, const void *item), int (*cmp)(const void *a, const void *b))
{
	struct xd_keys ks = { 0 };
	uint32_t *order = malloc((n ? n : 1) * sizeof(*order));
	int r = order ? xd_keys_init(&ks, n, width) : -ENOMEM;

	for (size_t i = 0; r == 0 && i < n; i++)
		key(xd_keys_at(&ks, i), (const char *)base + i * size);
	if (r == 0)
		r = xd_keys_sort(&ks, order);
	if (r == 0 && cmp)
		xd_keys_break_ties(&ks, order, base, size, cmp);
	if (r == 0)
		r = xd_permute(base, n, size, order);
	xd_keys_done(&ks);
	free(order);
	return r;
}
