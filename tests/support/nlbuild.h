/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nlbuild.h: a netlink message builder for tests and fuzz seeds (test-only). Messages are
 * built into a caller-owned datagram buffer exactly as the kernel lays them out.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

struct nlb {
	unsigned char buf[1 << 16] __attribute__((aligned(8)));
	size_t len;       /* bytes used in the datagram */
	size_t msg_start; /* offset of the message being built */
};

void nlb_init(struct nlb *b);
/* Start a message; returns a pointer to its header. */
void *nlb_msg(struct nlb *b, uint16_t type, uint16_t flags);
/* Append raw payload to the current message (4-byte aligned); returns where it went. */
void *nlb_put(struct nlb *b, const void *data, size_t len);
/* Append one attribute; returns its payload. */
void *nlb_attr(struct nlb *b, uint16_t type, const void *data, size_t len);
/* Start/end a nested attribute. */
size_t nlb_nest_start(struct nlb *b, uint16_t type);
void nlb_nest_end(struct nlb *b, size_t start);
/* Fix up the current message's length. */
void nlb_end(struct nlb *b);

/* XFRM helpers: an algorithm attribute whose key bytes are `key` (a canary in tests). */
void nlb_xfrm_alg(struct nlb *b, uint16_t type, const char *name, const void *key,
		  uint32_t key_bits, uint32_t extra_bits);

/* The canary key patterns tests install; never real keys. */
extern const unsigned char xd_test_canary[32];
/* True if any 8-byte window of the canary occurs in buf. */
int xd_test_has_canary(const void *buf, size_t len);
