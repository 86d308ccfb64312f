/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kevent.h: one kernel event (an XFRM multicast message or a committed nf_tables
 * transaction) as the project's own key-free type (model layer: types only). decode/ makes it from the scrubbed
 * datagram (xd_decode_kevents), render/ turns it into a watch line (xd_render_watch_kevent).
 * It holds identities only (addresses, SPI, reqid, policy index): never a message body, so
 * no key byte can travel with it, not even between the daemon's two processes.
 */
#pragma once

#include <stdint.h>

#include "xfrmd/model.h"

enum xd_kevent_type {
	XD_KEV_SA_ADDED = 1,
	XD_KEV_SA_UPDATED,
	XD_KEV_SA_DELETED,
	XD_KEV_SA_EXPIRED,
	XD_KEV_SA_FLUSHED,
	XD_KEV_POLICY_ADDED,
	XD_KEV_POLICY_UPDATED,
	XD_KEV_POLICY_DELETED,
	XD_KEV_POLICY_EXPIRED,
	XD_KEV_POLICY_FLUSHED,
	XD_KEV_POLICY_DEFAULT,
	XD_KEV_MAPPING,
	XD_KEV_MIGRATE,
	XD_KEV_OVERRUN,    /* the event socket overflowed: events were lost */
	XD_KEV_SA_ACQUIRE, /* a larval SA appeared (seen in a resync, never decoded) */
	XD_KEV_FW_CHANGED, /* an nf_tables transaction was committed (NFT_MSG_NEWGEN) */
	_XD_KEV_MAX,
};

enum xd_kevent_has {
	XD_KEVH_ADDRS = 1u << 0, /* saddr/daddr */
	XD_KEVH_SPI = 1u << 1,
	XD_KEVH_REQID = 1u << 2,
	XD_KEVH_INDEX = 1u << 3, /* policy index + dir */
	XD_KEVH_HARD = 1u << 4,
	XD_KEVH_SEL = 1u << 5,   /* policy selector prefixes */
	XD_KEVH_MAPPING = 1u << 6,
	XD_KEVH_PROTO = 1u << 7,
	XD_KEVH_PROCESS = 1u << 8, /* pid + comm of the process that committed */
};

struct xd_kevent {
	uint32_t type; /* enum xd_kevent_type */
	uint32_t has;  /* enum xd_kevent_has */
	int64_t time_ms; /* epoch ms when the datagram was read; set by the reader, not decode */
	uint16_t family;
	uint8_t proto;
	uint8_t dir;
	uint8_t hard;
	uint8_t sel_plen_s, sel_plen_d;
	uint8_t pad;
	struct xd_addr saddr, daddr; /* SA id / policy selector */
	uint32_t spi;                /* host order */
	uint32_t reqid;
	uint32_t index;
	struct xd_addr new_addr; /* MAPPING: new source address */
	uint16_t old_sport, new_sport;
	uint32_t pid;  /* FW_CHANGED */
	char comm[16]; /* FW_CHANGED: printable ASCII only, NUL-terminated */
};
