/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * frame.c: building, validating and reassembling collector frames. Never trusts a length it
 * has not compared with the datagram; a protocol error drops the resync in progress and is
 * counted, it never ends the process.
 */
#include <errno.h>
#include <string.h>

#include "frame.h"
#include "xfrmd/model.h"
#include "xfrmd/recbuf.h"

int xd_frame_build(void *buf, size_t size, const struct xd_frame_hdr *h, const void *payload)
{
	struct xd_frame_hdr hdr = *h;

	if (h->len > XD_FRAME_MAX_PAYLOAD || size < sizeof(hdr) + h->len)
		return -EMSGSIZE;
	hdr.magic = XD_FRAME_MAGIC;
	memcpy(buf, &hdr, sizeof(hdr));
	if (h->len)
		memcpy((char *)buf + sizeof(hdr), payload, h->len);
	return (int)(sizeof(hdr) + h->len);
}

int xd_frame_parse(const void *buf, size_t len, struct xd_frame_hdr *h, const void **payload)
{
	if (len < sizeof(*h))
		return -EBADMSG;
	memcpy(h, buf, sizeof(*h));
	if (h->magic != XD_FRAME_MAGIC || h->type == 0 || h->type >= _XD_FRAME_MAX ||
	    h->len != len - sizeof(*h) || h->len > XD_FRAME_MAX_PAYLOAD)
		return -EBADMSG;
	switch (h->type) {
	case XD_FRAME_RECORD:
		if (h->dump >= _XD_DUMP_MAX || h->kind != xd_dump_kind(h->dump))
			return -EBADMSG;
		if (h->kind == XD_RECORD_NETLINK && h->nl_proto != xd_dump_nl_proto(h->dump))
			return -EBADMSG;
		break;
	case XD_FRAME_META:
		if (h->len != sizeof(struct xd_meta))
			return -EBADMSG;
		break;
	case XD_FRAME_EVENT:
		if (h->len != sizeof(struct xd_kevent))
			return -EBADMSG;
		break;
	case XD_FRAME_STATS:
		if (h->len != sizeof(struct xd_collector_stats))
			return -EBADMSG;
		break;
	default:
		if (h->len != 0)
			return -EBADMSG;
	}
	*payload = (const char *)buf + sizeof(*h);
	return 0;
}

void xd_frame_rx_init(struct xd_frame_rx *rx)
{
	memset(rx, 0, sizeof(*rx));
}

void xd_frame_rx_done(struct xd_frame_rx *rx)
{
	rx->pending = xd_recbuf_free(rx->pending);
}

/* A manifest from the wire: enums in range, strings terminated. */
static int meta_sane(struct xd_meta *m)
{
	m->tool[sizeof(m->tool) - 1] = 0;
	m->kernel_release[sizeof(m->kernel_release) - 1] = 0;
	m->machine[sizeof(m->machine) - 1] = 0;
	m->byte_order[sizeof(m->byte_order) - 1] = 0;
	m->netns[sizeof(m->netns) - 1] = 0;
	if ((unsigned)m->source > XD_SOURCE_DAEMON)
		return -EBADMSG;
	for (size_t i = 0; i < _XD_DUMP_MAX; i++)
		if ((unsigned)m->dump_status[i] >= _XD_DUMP_STATUS_MAX)
			return -EBADMSG;
	return 0;
}

static int fail(struct xd_frame_rx *rx)
{
	rx->pending = xd_recbuf_free(rx->pending);
	rx->bad_frames++;
	return -EBADMSG;
}

int xd_frame_rx_feed(struct xd_frame_rx *rx, const void *buf, size_t len,
		     struct xd_frame_rx_out *out)
{
	struct xd_frame_hdr h;
	const void *p;
	int r;

	if (xd_frame_parse(buf, len, &h, &p) < 0)
		return fail(rx);
	switch (h.type) {
	case XD_FRAME_EVENT:
		memcpy(&out->event, p, sizeof(out->event));
		/* SA_ACQUIRE is made by the main process from dumps, never sent by the collector */
		if (out->event.type == 0 || out->event.type >= _XD_KEV_MAX ||
		    out->event.type == XD_KEV_SA_ACQUIRE)
			return fail(rx);
		return XD_RX_EVENT;
	case XD_FRAME_STATS:
		memcpy(&out->stats, p, sizeof(out->stats));
		return XD_RX_STATS;
	case XD_FRAME_BEGIN:
		/* a BEGIN while one is pending: the older resync was abandoned */
		rx->pending = xd_recbuf_free(rx->pending);
		r = xd_recbuf_new(&rx->pending);
		if (r < 0)
			return r;
		rx->seq = h.seq;
		rx->have_meta = false;
		return XD_RX_NONE;
	case XD_FRAME_RECORD: {
		struct xd_record rec = { .kind = h.kind, .dump = h.dump, .nl_proto = h.nl_proto,
					 .data = p, .len = h.len };
		if (!rx->pending || h.seq != rx->seq || rx->have_meta)
			return fail(rx);
		r = xd_recbuf_add(rx->pending, &rec);
		if (r < 0) {
			rx->pending = xd_recbuf_free(rx->pending);
			return r;
		}
		return XD_RX_NONE;
	}
	case XD_FRAME_META: {
		struct xd_meta m;
		if (!rx->pending || h.seq != rx->seq)
			return fail(rx);
		memcpy(&m, p, sizeof(m));
		if (meta_sane(&m) < 0)
			return fail(rx);
		*xd_recbuf_meta(rx->pending) = m;
		rx->have_meta = true;
		return XD_RX_NONE;
	}
	case XD_FRAME_END:
		if (!rx->pending || h.seq != rx->seq || !rx->have_meta)
			return fail(rx);
		out->buf = XD_TAKE_PTR(rx->pending);
		out->seq = h.seq;
		return XD_RX_COMPLETE;
	default: /* RESYNC travels the other way */
		return fail(rx);
	}
}
