/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nl-walk.h: the one bounds-checked walk over netlink messages in a datagram and over
 * attributes in a payload, shared by every netlink decoder. Nothing is read before its
 * length has been checked against what remains.
 */
#pragma once

#include <linux/netlink.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Call fn for each message of a datagram. Returns 0, fn's negative result, or -EBADMSG at a
 * message whose length leaves the datagram (*bad_at then points at it; the rest is skipped).
 */
int xd_walk_msgs(const void *buf, size_t len, int (*fn)(void *ud, const struct nlmsghdr *nlh),
		 void *ud, const void **bad_at);

/*
 * Call fn for each attribute in [start, start + len). Returns 0, fn's negative result, or 1
 * when the tail does not form a valid attribute (*bad_at then points at it). Inline, so a
 * decoder's callback is inlined into its loop: every attribute of every SA passes here.
 */
static inline int xd_walk_attrs(const void *start, size_t len,
				int (*fn)(void *ud, const struct nlattr *a), void *ud,
				const void **bad_at)
{
	const unsigned char *p = start;
	size_t pos = 0;

	while (pos < len) {
		const struct nlattr *a = (const struct nlattr *)(p + pos);
		size_t left = len - pos;
		int r;

		if (left < sizeof(*a) || a->nla_len < sizeof(*a) || a->nla_len > left) {
			*bad_at = a;
			return 1;
		}
		r = fn(ud, a);
		if (r < 0)
			return r;
		pos += NLA_ALIGN(a->nla_len);
	}
	return 0;
}

/* The attributes of a message start after its fixed header, aligned. */
static inline const void *xd_msg_attrs(const struct nlmsghdr *nlh, size_t hdrlen, size_t *ret_len)
{
	size_t plen = nlh->nlmsg_len - NLMSG_HDRLEN;
	size_t off = NLMSG_ALIGN(hdrlen);

	*ret_len = plen > off ? plen - off : 0;
	return (const char *)nlh + NLMSG_HDRLEN + off;
}

/* Attribute and message accessors, inline: the decoders call them for every attribute of
 * every SA and policy, where a call into libmnl per field cost more than the field. */
static inline uint16_t xd_attr_type(const struct nlattr *a)
{
	return a->nla_type & NLA_TYPE_MASK;
}

static inline const void *xd_attr_payload(const struct nlattr *a)
{
	return (const char *)a + NLA_HDRLEN;
}

static inline uint16_t xd_attr_payload_len(const struct nlattr *a)
{
	return (uint16_t)(a->nla_len - NLA_HDRLEN);
}

static inline const void *xd_msg_payload(const struct nlmsghdr *nlh)
{
	return (const char *)nlh + NLMSG_HDRLEN;
}
