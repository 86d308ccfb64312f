/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nlbuild.c: test-only netlink message builder (see nlbuild.h). */
#include <linux/netlink.h>
#include <linux/xfrm.h>
#include <string.h>

#include "nlbuild.h"

const unsigned char xd_test_canary[32] = {
	0xca, 0x4a, 0x21, 0x7e, 0x5e, 0xc8, 0xe7, 0x01, 0xde, 0xad, 0xbe, 0xef, 0x13, 0x37,
	0xc0, 0xde, 0x7a, 0x11, 0x5e, 0xed, 0xfa, 0xce, 0xb0, 0x0c, 0x99, 0x42, 0x17, 0x3f,
	0x8b, 0x6d, 0x2e, 0x55,
};

int xd_test_has_canary(const void *buf, size_t len)
{
	for (size_t i = 0; i + 8 <= sizeof(xd_test_canary); i++)
		if (memmem(buf, len, xd_test_canary + i, 8))
			return 1;
	return 0;
}

void nlb_init(struct nlb *b)
{
	memset(b->buf, 0, sizeof(b->buf));
	b->len = 0;
	b->msg_start = 0;
}

void *nlb_msg(struct nlb *b, uint16_t type, uint16_t flags)
{
	struct nlmsghdr *h;

	b->len = NLMSG_ALIGN(b->len);
	b->msg_start = b->len;
	h = (struct nlmsghdr *)(b->buf + b->len);
	memset(h, 0, sizeof(*h));
	h->nlmsg_type = type;
	h->nlmsg_flags = flags;
	b->len += NLMSG_HDRLEN;
	h->nlmsg_len = NLMSG_HDRLEN;
	return h;
}

void *nlb_put(struct nlb *b, const void *data, size_t len)
{
	void *p = b->buf + b->len;

	if (data)
		memcpy(p, data, len);
	else
		memset(p, 0, len);
	b->len += NLMSG_ALIGN(len);
	nlb_end(b);
	return p;
}

void *nlb_attr(struct nlb *b, uint16_t type, const void *data, size_t len)
{
	struct nlattr *a = (struct nlattr *)(b->buf + b->len);

	a->nla_type = type;
	a->nla_len = (uint16_t)(NLA_HDRLEN + len);
	if (data)
		memcpy((char *)a + NLA_HDRLEN, data, len);
	b->len += NLA_ALIGN(NLA_HDRLEN + len);
	nlb_end(b);
	return (char *)a + NLA_HDRLEN;
}

size_t nlb_nest_start(struct nlb *b, uint16_t type)
{
	size_t at = b->len;

	nlb_attr(b, type, NULL, 0);
	return at;
}

void nlb_nest_end(struct nlb *b, size_t start)
{
	struct nlattr *a = (struct nlattr *)(b->buf + start);

	a->nla_len = (uint16_t)(b->len - start);
}

void nlb_end(struct nlb *b)
{
	struct nlmsghdr *h = (struct nlmsghdr *)(b->buf + b->msg_start);

	h->nlmsg_len = (uint32_t)(b->len - b->msg_start);
}

void nlb_xfrm_alg(struct nlb *b, uint16_t type, const char *name, const void *key,
		  uint32_t key_bits, uint32_t extra_bits)
{
	unsigned char tmp[512] = { 0 };
	size_t hdr = type == XFRMA_ALG_AEAD || type == XFRMA_ALG_AUTH_TRUNC ? 72 : 68;
	size_t klen = (key_bits + 7) / 8;

	strncpy((char *)tmp, name, 64);
	memcpy(tmp + 64, &key_bits, 4);
	if (hdr == 72)
		memcpy(tmp + 68, &extra_bits, 4);
	if (key && klen)
		memcpy(tmp + hdr, key, klen);
	nlb_attr(b, type, tmp, hdr + klen);
}
