/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pcapng.h: the pieces of pcapng (draft-ietf-opsawg-pcapng) a snapshot uses, and the layout
 * of our records in it (docs/snapshot-format.md).
 */
#pragma once

#include <stdint.h>

#define PCAPNG_SHB 0x0A0D0D0Au
#define PCAPNG_IDB 0x00000001u
#define PCAPNG_EPB 0x00000006u
#define PCAPNG_BOM 0x1A2B3C4Du
#define PCAPNG_BOM_SWAPPED 0x4D3C2B1Au

#define PCAPNG_OPT_END 0
#define PCAPNG_OPT_COMMENT 1
#define PCAPNG_OPT_SHB_USERAPPL 4
#define PCAPNG_OPT_IF_NAME 2

#define LINKTYPE_NETLINK 253
#define LINKTYPE_USER0 147

#define ARPHRD_NETLINK_ 824

/* Interface numbers in every snapshot we write. */
#define SNAP_IF_NETLINK 0
#define SNAP_IF_FILES 1

/* The 16-byte "cooked" header nlmon captures carry before each netlink datagram. */
struct snap_nl_cooked {
	uint16_t pkttype;  /* big endian */
	uint16_t hatype;   /* big endian, ARPHRD_NETLINK */
	uint16_t halen;    /* big endian, 0 */
	uint8_t addr[8];
	uint16_t protocol; /* big endian netlink family */
};
_Static_assert(sizeof(struct snap_nl_cooked) == 16, "cooked header");

#define SNAP_FORMAT "xfrm-snapshot"
#define SNAP_VERSION 1
#define SNAP_MAX_BLOCK (16u << 20)
