/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * xfrm-uapi.h: the kernel XFRM ABI as seen by nl/ and decode/ only. The build host's
 * <linux/xfrm.h> may be older than the kernels xfrmd reads (Debian 12 ships 6.1 headers),
 * so attribute numbers added later are defined here from the kernel ABI (values never change
 * once released). Struct sizes we depend on are pinned.
 */
#pragma once

#include <linux/netlink.h>
#include <linux/xfrm.h>

/* Attributes after XFRMA_MTIMER_THRESH (32), by the kernel release that added them. */
#define XD_XFRMA_SA_DIR 33                 /* 6.10, u8 */
#define XD_XFRMA_NAT_KEEPALIVE_INTERVAL 34 /* 6.11, u32 */
#define XD_XFRMA_SA_PCPU 35                /* 6.13, u32 */
#define XD_XFRMA_IPTFS_DROP_TIME 36        /* 6.14, u32 us */
#define XD_XFRMA_IPTFS_REORDER_WINDOW 37   /* 6.14, u16 */
#define XD_XFRMA_IPTFS_DONT_FRAG 38        /* 6.14, flag */
#define XD_XFRMA_IPTFS_INIT_DELAY 39       /* 6.14, u32 us */
#define XD_XFRMA_IPTFS_MAX_QSIZE 40        /* 6.14, u32 */
#define XD_XFRMA_IPTFS_PKT_SIZE 41         /* 6.14, u32 */
#define XD_XFRMA_KNOWN_MAX 41

_Static_assert(sizeof(struct xfrm_usersa_info) == 224, "64-bit XFRM ABI expected");
_Static_assert(sizeof(struct xfrm_userpolicy_info) == 168, "64-bit XFRM ABI expected");
_Static_assert(sizeof(struct xfrm_user_tmpl) == 64, "XFRM ABI");
_Static_assert(sizeof(struct xfrm_algo) == 68, "XFRM ABI");
_Static_assert(sizeof(struct xfrm_algo_auth) == 72, "XFRM ABI");
_Static_assert(sizeof(struct xfrm_algo_aead) == 72, "XFRM ABI");
_Static_assert(sizeof(struct xfrm_encap_tmpl) == 24, "XFRM ABI");
_Static_assert(sizeof(struct xfrm_replay_state_esn) == 24, "XFRM ABI");
