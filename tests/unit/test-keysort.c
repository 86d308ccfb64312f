/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-keysort.c: the radix sort orders exactly like a stable memcmp() sort of the keys,
 * for widths below, at and above its word and small-buffer sizes; ties are broken by the
 * comparator; the in-place permutation moves every item once to the right slot. The
 * snapshot's policies come out in (dir, priority, index) order whether they arrive in the
 * kernel's dump order (newest first, directions interleaved: placed without sorting) or not.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "model-builder.h"
#include "xfrmd/keysort.h"

static uint32_t rng = 12345;

static uint32_t next_rand(void)
{
	rng = rng * 1103515245u + 12345u;
	return rng >> 8;
}

static const struct xd_keys *ref_keys;

/* reference: memcmp order, input order among equal keys */
static int ref_cmp(const void *pa, const void *pb)
{
	uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
	int r = memcmp(xd_keys_at(ref_keys, a), xd_keys_at(ref_keys, b), ref_keys->width);

	return r ? r : (a > b) - (a < b);
}

static void check_width(size_t n, size_t width, unsigned alphabet)
{
	struct xd_keys ks;
	uint32_t *got = malloc(n * sizeof(*got)), *want = malloc(n * sizeof(*want));

	assert_non_null(got);
	assert_non_null(want);
	assert_int_equal(xd_keys_init(&ks, n, width), 0);
	for (size_t i = 0; i < n; i++) {
		uint8_t *k = xd_keys_at(&ks, i);
		/* a few varying bytes among constant ones, as in real keys */
		for (size_t j = 0; j < width; j++)
			k[j] = j % 3 == 1 ? 0x5a : (uint8_t)(next_rand() % alphabet);
		want[i] = (uint32_t)i;
	}
	assert_int_equal(xd_keys_sort(&ks, got), 0);
	ref_keys = &ks;
	qsort(want, n, sizeof(*want), ref_cmp);
	assert_memory_equal(got, want, n * sizeof(*got));
	xd_keys_done(&ks);
	free(got);
	free(want);
}

static void test_sort_matches_memcmp(void **state)
{
	(void)state;
	check_width(0, 4, 256);
	check_width(1, 4, 256);
	check_width(1000, 1, 256);
	check_width(1000, 9, 3);    /* many equal keys: stability */
	check_width(5000, 23, 256); /* the SA key */
	check_width(777, 64, 2);
	check_width(300, 70, 4);    /* more words than the on-stack difference mask */
}

struct item {
	uint32_t major, minor;
};

static int item_cmp(const void *pa, const void *pb)
{
	const struct item *a = pa, *b = pb;

	if (a->major != b->major)
		return a->major < b->major ? -1 : 1;
	return (a->minor > b->minor) - (a->minor < b->minor);
}

static void test_ties_and_permute(void **state)
{
	enum { N = 2000 };
	struct item items[N], sorted[N];
	struct xd_keys ks;
	uint32_t order[N];

	(void)state;
	assert_int_equal(xd_keys_init(&ks, N, 4), 0);
	for (size_t i = 0; i < N; i++) {
		items[i] = (struct item){ next_rand() % 50, next_rand() };
		xd_key_u32(xd_keys_at(&ks, i), items[i].major); /* the key is only the major */
	}
	memcpy(sorted, items, sizeof(items));
	qsort(sorted, N, sizeof(*sorted), item_cmp);
	assert_int_equal(xd_keys_sort(&ks, order), 0);
	xd_keys_break_ties(&ks, order, items, sizeof(*items), item_cmp);
	assert_int_equal(xd_permute(items, N, sizeof(*items), order), 0);
	assert_memory_equal(items, sorted, sizeof(items));
	for (size_t i = 0; i < N; i++)
		assert_int_equal(order[i], i);
	xd_keys_done(&ks);
}

static void test_key_encoding(void **state)
{
	uint8_t a[15], b[15];

	(void)state;
	/* big-endian fields compare like the numbers they hold */
	xd_key_u64(xd_key_u32(xd_key_u16(a, 2), 0x01000000u), 5);
	xd_key_u64(xd_key_u32(xd_key_u16(b, 2), 0x000000ffu), 7);
	assert_true(memcmp(a, b, 14) > 0);
	xd_key_u8(xd_key_bytes(a, "\x0a\x00", 2), 1);
	xd_key_u8(xd_key_bytes(b, "\x0a\x01", 2), 0);
	assert_true(memcmp(a, b, 3) < 0);
}

/* Policies for tunnels t = n-1 .. 0, fwd before out, each with the index the kernel would
 * give it and its tunnel in the selector: the kernel's dump order. */
static struct xd_snapshot *kernel_order_spd(unsigned n)
{
	struct xd_snapshot *s = mb_new();

	for (unsigned t = n; t-- > 0;) {
		for (uint8_t dir = 2; dir >= 1; dir--) {
			char net[32];
			snprintf(net, sizeof(net), "11.0.%u.0/24", t);
			struct xd_policy *p = mb_policy(s, dir, dir == 2 ? net : "10.0.0.0/16",
							dir == 2 ? "10.0.0.0/16" : net, 100, 0);
			p->index = (2 * t + (dir == 2)) * 8 + dir;
		}
	}
	return s;
}

/* (dir, priority, index) ascending, and every policy moved whole (its selector still names
 * the tunnel its index was made from). */
static void expect_policy_order(const struct xd_snapshot *s, size_t n, bool tunnels)
{
	assert_int_equal(s->policies.len, n);
	for (size_t i = 0; i < n; i++) {
		const struct xd_policy *p = xd_snapshot_policy(s, i);
		const struct xd_addr *net = p->dir == 2 ? &p->sel.saddr : &p->sel.daddr;
		if (tunnels)
			assert_int_equal(net->b[2], (p->index / 8 / 2) & 0xff);
		if (i == 0)
			continue;
		const struct xd_policy *q = xd_snapshot_policy(s, i - 1);
		assert_true(q->dir < p->dir || (q->dir == p->dir && (q->priority < p->priority ||
			    (q->priority == p->priority && q->index < p->index))));
	}
}

static void test_policy_order(void **state)
{
	struct xd_snapshot *s;

	(void)state;
	/* the kernel's order: placed back to front per direction */
	s = kernel_order_spd(200);
	xd_snapshot_sort(s);
	expect_policy_order(s, 400, true);
	xd_snapshot_free(s);

	/* one policy out of that order (a higher priority value): sorted instead */
	s = kernel_order_spd(200);
	((struct xd_policy *)xd_vec_at(&s->policies, 101))->priority = 50;
	xd_snapshot_sort(s);
	expect_policy_order(s, 400, true);
	xd_snapshot_free(s);

	/* oldest first, with socket policies (dir 3, 4) in between: sorted */
	s = mb_new();
	for (unsigned t = 0; t < 100; t++)
		mb_policy(s, (uint8_t)(1 + t % 4), "10.0.0.0/16", "11.0.0.0/24", 100, 0);
	xd_snapshot_sort(s);
	expect_policy_order(s, 100, false);
	xd_snapshot_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sort_matches_memcmp),
		cmocka_unit_test(test_ties_and_permute),
		cmocka_unit_test(test_key_encoding),
		cmocka_unit_test(test_policy_order),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
