/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * scrub-xfrm.c: zeroes key bytes in XFRM SA messages in place (DESIGN.md §5). This is the
 * one function that looks at key bytes, and only to zero them. It serves nl/ on receive and
 * capture/ on write and read. It fails closed: whatever cannot be walked is zeroed.
 */
#include <libmnl/libmnl.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "xfrm-uapi.h"
#include "xfrmd/decode.h"

/* Zero bytes [from, to) of an attribute payload; report whether any was non-zero. */
static bool zero_span(unsigned char *p, size_t n)
{
	uint64_t any = 0, w;
	size_t i = 0;

	/* a word at a time: every SA of a dump passes through here */
	for (; i + 8 <= n; i += 8) {
		memcpy(&w, p + i, 8);
		any |= w;
	}
	for (; i < n; i++)
		any |= p[i];
	if (any)
		explicit_bzero(p, n);
	return any != 0;
}

/* Zero the key part of an algorithm attribute: everything after the fixed header. */
static size_t scrub_attr(struct nlattr *a)
{
	size_t hdr;
	size_t plen = mnl_attr_get_payload_len(a);
	unsigned char *p = mnl_attr_get_payload(a);

	switch (mnl_attr_get_type(a)) {
	case XFRMA_ALG_AUTH:
	case XFRMA_ALG_CRYPT:
		hdr = sizeof(struct xfrm_algo);
		break;
	case XFRMA_ALG_AUTH_TRUNC:
		hdr = sizeof(struct xfrm_algo_auth);
		break;
	case XFRMA_ALG_AEAD:
		hdr = sizeof(struct xfrm_algo_aead);
		break;
	default:
		return 0;
	}
	if (plen <= hdr) {
		/* Too short to hold a key behind a header: nothing to zero past the header, but a
		 * truncated header may still carry key-like bytes in its name field only. */
		return 0;
	}
	return zero_span(p + hdr, plen - hdr) ? 1 : 0;
}

/* Payload offset of the attributes in a key-bearing message, 0 if the type has no keys. */
static size_t attr_offset(uint16_t type)
{
	switch (type) {
	case XFRM_MSG_NEWSA:
	case XFRM_MSG_UPDSA:
		return sizeof(struct xfrm_usersa_info);
	case XFRM_MSG_DELSA:
		return sizeof(struct xfrm_usersa_id);
	default:
		return 0;
	}
}

static size_t scrub_msg(struct nlmsghdr *nlh)
{
	size_t off = attr_offset(nlh->nlmsg_type);
	size_t plen = nlh->nlmsg_len - NLMSG_HDRLEN;
	unsigned char *payload = mnl_nlmsg_get_payload(nlh);
	size_t n = 0;
	size_t pos;

	if (!off)
		return 0;
	off = MNL_ALIGN(off);
	if (plen < off)
		return zero_span(payload, plen) ? 1 : 0;

	pos = off;
	while (pos < plen) {
		struct nlattr *a = (struct nlattr *)(payload + pos);
		size_t left = plen - pos;

		if (left < sizeof(*a) || a->nla_len < sizeof(*a) || a->nla_len > left) {
			/* unwalkable tail: fail closed */
			n += zero_span(payload + pos, left) ? 1 : 0;
			break;
		}
		n += scrub_attr(a);
		/* DELSA carries the whole SA again as XFRMA_SA with its own attributes after it;
		 * they are siblings here, so the loop covers them. */
		pos += MNL_ALIGN(a->nla_len);
	}
	return n;
}

size_t xd_xfrm_scrub(void *buf, size_t len)
{
	unsigned char *p = buf;
	size_t n = 0;

	while (len >= NLMSG_HDRLEN) {
		struct nlmsghdr *nlh = (struct nlmsghdr *)p;
		size_t mlen = nlh->nlmsg_len;

		if (mlen < NLMSG_HDRLEN || mlen > len) {
			/* Broken framing: we cannot know what follows, so zero all of it. */
			n += zero_span(p, len) ? 1 : 0;
			return n;
		}
		n += scrub_msg(nlh);
		mlen = NLMSG_ALIGN(mlen);
		if (mlen >= len)
			return n;
		p += mlen;
		len -= mlen;
	}
	if (len)
		n += zero_span(p, len) ? 1 : 0;
	return n;
}
