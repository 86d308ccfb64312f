/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * util.h: small helpers shared by every module (string compare, array size, cleanup
 * attributes, growable vectors). No I/O, no allocation policy beyond malloc/realloc.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define XD_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define xd_streq(a, b) (strcmp((a), (b)) == 0)

#define _xd_cleanup_(f) __attribute__((cleanup(f)))

static inline void xd_freep(void *p)
{
	free(*(void **)p);
}
#define _xd_cleanup_free_ _xd_cleanup_(xd_freep)

/* Take ownership of a pointer out of a cleanup-managed local. */
#define XD_TAKE_PTR(p)                                                                             \
	({                                                                                         \
		__typeof__(p) _tp = (p);                                                           \
		(p) = NULL;                                                                        \
		_tp;                                                                               \
	})

/*
 * A growable array of fixed-size elements. Elements are contiguous so they can be sorted
 * and indexed; the vector never shrinks.
 */
struct xd_vec {
	void *data;
	size_t len;
	size_t cap;
	size_t elem_size;
};

void xd_vec_init(struct xd_vec *v, size_t elem_size);
void xd_vec_done(struct xd_vec *v);
/* Returns a zeroed new element at the end, or NULL on allocation failure. */
void *xd_vec_push(struct xd_vec *v);
static inline void *xd_vec_at(const struct xd_vec *v, size_t i)
{
	return (char *)v->data + i * v->elem_size;
}

/* Parse a decimal unsigned 64-bit number; returns 0 or -EINVAL/-ERANGE. */
int xd_parse_u64(const char *s, uint64_t *ret);
int xd_parse_u32(const char *s, uint32_t *ret);

/* Bounded copy that always NUL-terminates; returns strlen(src) like strlcpy. */
size_t xd_strlcpy(char *dst, const char *src, size_t size);

/* `t` (seconds since the epoch) as "YYYY-MM-DDTHH:MM:SS" in UTC, without reading any time
 * zone file. -ERANGE outside years 0-9999, -ENOBUFS when `len` < 20. */
int xd_fmt_utc(int64_t t, char *buf, size_t len);
/* The same with a "Z" (RFC 3339 UTC), or "?" when it cannot be said; returns buf. */
const char *xd_fmt_utc_z(int64_t t, char *buf, size_t len);
/* `ms` (milliseconds since the epoch) as "YYYY-MM-DDTHH:MM:SS.mmmZ", or "?"; returns buf.
 * The one time format of watch lines (docs/schema/xfrmd-watch.schema.json). */
const char *xd_fmt_utc_ms_z(int64_t ms, char *buf, size_t len);
