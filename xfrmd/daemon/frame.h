/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * frame.h: the framing on the SOCK_SEQPACKET socketpair between the collector (privileged,
 * owns netlink) and the main process (no capabilities). One frame per datagram: a fixed
 * header, then `len` payload bytes. Both ends are the same binary on the same host, but the
 * main process still validates every frame: a confused collector must not crash it.
 *
 *   main -> collector:  RESYNC(seq, flags)              the only command there is
 *   collector -> main:  BEGIN(seq) RECORD* META END(seq) one complete resync
 *                       EVENT                           key-free event summaries
 *                       STATS                           collector counters
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xfrmd/kevent.h"
#include "xfrmd/dumps.h"

#define XD_FRAME_MAGIC 0x5846 /* "XF" */
/* A record is one netlink datagram (≤ 32 KiB from the kernel) or a file (collect.c caps them at 1 MiB). */
#define XD_FRAME_MAX_PAYLOAD (1024u * 1024)

enum xd_frame_type {
	XD_FRAME_RESYNC = 1,
	XD_FRAME_BEGIN,
	XD_FRAME_RECORD,
	XD_FRAME_META,
	XD_FRAME_END,
	XD_FRAME_EVENT,
	XD_FRAME_STATS,
	_XD_FRAME_MAX,
};

/* RESYNC flags: a periodic sample (and the first resync) also asks the IKE daemons. */
#define XD_RESYNC_IKE_VIEW 0x1

struct xd_frame_hdr {
	uint16_t magic;
	uint16_t type;     /* enum xd_frame_type */
	uint32_t seq;      /* resync sequence (RESYNC, BEGIN, RECORD, META, END) */
	uint16_t dump;     /* RECORD: enum xd_dump */
	uint16_t kind;     /* RECORD: enum xd_record_kind; RESYNC: XD_RESYNC_* flags */
	uint16_t nl_proto; /* RECORD: NETLINK_* */
	uint16_t reserved;
	uint32_t len;      /* payload bytes after the header */
};

struct xd_collector_stats {
	uint64_t events;       /* event messages received */
	uint64_t overruns;     /* ENOBUFS on the event socket */
	uint64_t resyncs;      /* resyncs performed */
	uint64_t foreign;      /* datagrams not from the kernel, dropped */
	uint64_t keys_scrubbed; /* key spans zeroed in events */
	uint64_t last_resync_ns; /* duration of the latest collection */
	uint64_t last_resync_cpu_ns; /* CPU of the latest collection and its sending */
};

/* Build a frame into buf (header + payload copy). Returns its length or -EMSGSIZE. */
int xd_frame_build(void *buf, size_t size, const struct xd_frame_hdr *h, const void *payload);

/*
 * Validate one received datagram: magic, type, length, and per-type payload rules (RECORD
 * dump/kind/proto ranges, META/EVENT/STATS exact sizes). On success *h is filled and
 * *payload points into buf. Returns 0 or -EBADMSG.
 */
int xd_frame_parse(const void *buf, size_t len, struct xd_frame_hdr *h, const void **payload);

struct xd_recbuf;

/*
 * The `records` reply on the control socket carries the same frames in a byte stream: a
 * JSON header line, then each frame prefixed by its length as a 4-byte host-order integer.
 */
#define XD_FRAMES_FORMAT "xfrmd-frames-1"

/* Reassembly of resyncs on the main side. */
struct xd_frame_rx {
	struct xd_recbuf *pending; /* records of the resync in progress */
	uint32_t seq;              /* seq of BEGIN, valid while pending */
	bool have_meta;
	uint64_t bad_frames;       /* frames refused (logged by the caller) */
};

enum xd_frame_rx_result {
	XD_RX_NONE,     /* consumed, nothing complete yet */
	XD_RX_COMPLETE, /* *ret_buf is a complete resync (caller owns it), *ret_seq its seq */
	XD_RX_EVENT,    /* *ret_event filled */
	XD_RX_STATS,    /* *ret_stats filled */
};

struct xd_frame_rx_out {
	struct xd_recbuf *buf;
	uint32_t seq;
	struct xd_kevent event;
	struct xd_collector_stats stats;
};

void xd_frame_rx_init(struct xd_frame_rx *rx);
void xd_frame_rx_done(struct xd_frame_rx *rx);
/*
 * Feed one datagram. Returns an enum xd_frame_rx_result, or -EBADMSG for a frame that breaks
 * the protocol (the resync in progress is dropped, later frames still work), or -ENOMEM.
 */
int xd_frame_rx_feed(struct xd_frame_rx *rx, const void *buf, size_t len,
		     struct xd_frame_rx_out *out);
