/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * recbuf.c: records held in memory in collection order. Bytes live in one growing mapping;
 * a retried dump drops its earlier attempt. The mapping grows with mremap(), which moves the
 * pages instead of copying them, so no stale copy of the (scrubbed, but still) SA messages is
 * left behind and 100k SAs are not copied log(n) times; what was written is wiped before the
 * mapping is unmapped.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "xfrmd/recbuf.h"
#include "xfrmd/util.h"

struct entry {
	enum xd_dump dump;
	enum xd_record_kind kind;
	uint16_t nl_proto;
	size_t off;
	size_t len;
};

struct xd_recbuf {
	struct xd_meta meta;
	struct xd_vec entries; /* struct entry */
	unsigned char *bytes;
	size_t used;
	size_t cap;
	uint64_t streamed; /* dumps handed to `stream` instead of kept */
	struct xd_record_sink stream;
};

static bool is_streamed(const struct xd_recbuf *b, enum xd_dump d)
{
	return d >= 0 && d < 64 && (b->streamed >> d & 1);
}

void xd_recbuf_stream(struct xd_recbuf *b, uint64_t dumps, const struct xd_record_sink *sink)
{
	b->streamed = sink ? dumps : 0;
	if (sink)
		b->stream = *sink;
}

int xd_recbuf_new(struct xd_recbuf **ret)
{
	struct xd_recbuf *b = calloc(1, sizeof(*b));

	if (!b)
		return -ENOMEM;
	xd_vec_init(&b->entries, sizeof(struct entry));
	*ret = b;
	return 0;
}

struct xd_recbuf *xd_recbuf_free(struct xd_recbuf *b)
{
	if (!b)
		return NULL;
	if (b->bytes) {
		explicit_bzero(b->bytes, b->used); /* dropped tails were wiped when dropped */
		munmap(b->bytes, b->cap);
	}
	xd_vec_done(&b->entries);
	free(b);
	return NULL;
}

static int reserve(struct xd_recbuf *b, size_t extra)
{
	size_t ncap;
	unsigned char *n;

	if (b->cap - b->used >= extra)
		return 0;
	ncap = b->cap ? b->cap : 65536;
	while (ncap - b->used < extra) {
		if (ncap > SIZE_MAX / 2)
			return -ENOMEM;
		ncap *= 2;
	}
	n = b->bytes ? mremap(b->bytes, b->cap, ncap, MREMAP_MAYMOVE)
		     : mmap(NULL, ncap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (n == MAP_FAILED)
		return -ENOMEM;
	b->bytes = n;
	b->cap = ncap;
	return 0;
}

int xd_recbuf_add(struct xd_recbuf *b, const struct xd_record *rec)
{
	struct entry *e;
	int r;

	if (is_streamed(b, rec->dump))
		return b->stream.record(b->stream.userdata, rec);
	/* records start 8-byte aligned so decoders may cast to netlink headers */
	size_t pad = (8 - (b->used & 7)) & 7;

	r = reserve(b, rec->len + pad);
	if (r < 0)
		return r;
	b->used += pad;
	e = xd_vec_push(&b->entries);
	if (!e)
		return -ENOMEM;
	*e = (struct entry){ .dump = rec->dump, .kind = rec->kind, .nl_proto = rec->nl_proto,
			     .off = b->used, .len = rec->len };
	if (rec->len)
		memcpy(b->bytes + b->used, rec->data, rec->len);
	b->used += rec->len;
	return 0;
}

int xd_recbuf_carry(struct xd_recbuf *dst, const struct xd_recbuf *src, uint64_t dumps)
{
	for (int d = 0; d < _XD_DUMP_MAX && d < 64; d++) {
		if (!(dumps >> d & 1) || dst->meta.dump_status[d] != XD_DUMP_NOT_COLLECTED ||
		    src->meta.dump_status[d] == XD_DUMP_NOT_COLLECTED)
			continue;
		for (size_t i = 0; i < src->entries.len; i++) {
			const struct entry *e = xd_vec_at(&src->entries, i);
			struct xd_record rec = { .dump = e->dump, .kind = e->kind,
						 .nl_proto = e->nl_proto, .data = src->bytes + e->off,
						 .len = e->len };
			int r;

			if (e->dump != d)
				continue;
			r = xd_recbuf_add(dst, &rec);
			if (r < 0)
				return r;
		}
		dst->meta.dump_status[d] = src->meta.dump_status[d];
		dst->meta.dump_error[d] = src->meta.dump_error[d];
		dst->meta.dump_attempts[d] = src->meta.dump_attempts[d];
	}
	return 0;
}

void xd_recbuf_drop_dump(struct xd_recbuf *b, enum xd_dump d)
{
	size_t w = 0;
	size_t end = 0;

	if (is_streamed(b, d)) {
		if (b->stream.drop)
			b->stream.drop(b->stream.userdata, d);
		return;
	}
	for (size_t i = 0; i < b->entries.len; i++) {
		struct entry *e = xd_vec_at(&b->entries, i);
		if (e->dump == d)
			continue;
		*(struct entry *)xd_vec_at(&b->entries, w++) = *e;
		if (e->off + e->len > end)
			end = e->off + e->len;
	}
	b->entries.len = w;
	/* Reclaim the tail when the dropped dump was the last one collected (the usual case). */
	if (end < b->used) {
		explicit_bzero(b->bytes + end, b->used - end);
		b->used = end;
	}
}

int xd_recbuf_replay(const struct xd_recbuf *b, const struct xd_record_sink *sink)
{
	for (size_t i = 0; i < b->entries.len; i++) {
		const struct entry *e = xd_vec_at(&b->entries, i);
		struct xd_record rec = { .kind = e->kind, .dump = e->dump, .nl_proto = e->nl_proto,
					 .data = b->bytes + e->off, .len = e->len };
		int r = sink->record(sink->userdata, &rec);
		if (r < 0)
			return r;
	}
	return 0;
}

size_t xd_recbuf_count(const struct xd_recbuf *b)
{
	return b->entries.len;
}

struct xd_meta *xd_recbuf_meta(struct xd_recbuf *b)
{
	return &b->meta;
}

const struct xd_meta *xd_recbuf_meta_const(const struct xd_recbuf *b)
{
	return &b->meta;
}

int xd_recbuf_add_sink(void *userdata, const struct xd_record *rec)
{
	return xd_recbuf_add(userdata, rec);
}
