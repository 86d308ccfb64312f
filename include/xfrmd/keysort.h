/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * keysort.h: sorting in linear time by a fixed-width byte key (LSD radix sort), for the
 * model's SA and policy arrays and the checks' indexes, where a comparison sort of 100k+
 * items was the largest cost of a diagnosis.
 *
 * The caller writes one key per item so that memcmp() order of the keys is the order it
 * wants: numbers big-endian (xd_key_u32 ...), addresses as their bytes. The sort makes one
 * pass per key byte that differs between items, so constant bytes (the unused 12 bytes of
 * an IPv4 address, a family every item shares) cost nothing. Equal keys keep their input
 * order; when the key is only a prefix of the full order, xd_keys_break_ties() finishes it.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

struct xd_keys {
	uint8_t *k;     /* n keys of `width` bytes, each at a multiple of `stride` */
	size_t n, width;
	size_t stride;  /* width rounded up to whole 64-bit words, the rest zero */
};

/* Room for n keys of width bytes (zeroed). 0 or -ENOMEM. */
int xd_keys_init(struct xd_keys *ks, size_t n, size_t width);
void xd_keys_done(struct xd_keys *ks);

static inline uint8_t *xd_keys_at(const struct xd_keys *ks, size_t i)
{
	return ks->k + i * ks->stride;
}

/* Append v to a key being written at p, big-endian; returns the next position. */
static inline uint8_t *xd_key_u8(uint8_t *p, uint8_t v)
{
	*p = v;
	return p + 1;
}

static inline uint8_t *xd_key_u16(uint8_t *p, uint16_t v)
{
	v = __builtin_bswap16(v);
	__builtin_memcpy(p, &v, 2);
	return p + 2;
}

static inline uint8_t *xd_key_u32(uint8_t *p, uint32_t v)
{
	v = __builtin_bswap32(v);
	__builtin_memcpy(p, &v, 4);
	return p + 4;
}

static inline uint8_t *xd_key_u64(uint8_t *p, uint64_t v)
{
	v = __builtin_bswap64(v);
	__builtin_memcpy(p, &v, 8);
	return p + 8;
}

static inline uint8_t *xd_key_bytes(uint8_t *p, const void *b, size_t len)
{
	__builtin_memcpy(p, b, len);
	return p + len;
}

/* ret_order[i] = the input index of the i-th item in key order (stable). 0 or -ENOMEM. */
int xd_keys_sort(const struct xd_keys *ks, uint32_t *ret_order);

/* Order each run of equal keys in `order` by cmp(a, b) on the items (base, size). */
void xd_keys_break_ties(const struct xd_keys *ks, uint32_t *order, const void *base, size_t size,
			int (*cmp)(const void *a, const void *b));

/*
 * Sort n items of `size` bytes in place: key(k, item) writes each item's key of `width`
 * bytes, cmp (NULL when the key is the whole order) orders items with equal keys. 0 or
 * -ENOMEM, and then the items are untouched.
 */
int xd_sort_by_key(void *base, size_t n, size_t size, size_t width,
		   void (*key)(uint8_t *k, const void *item), int (*cmp)(const void *a, const void *b));

/* Rearrange n items of `size` bytes so that item i becomes the old item order[i], in place
 * (one temporary item). order is left as the identity. 0 or -ENOMEM. */
int xd_permute(void *base, size_t n, size_t size, uint32_t *order);
