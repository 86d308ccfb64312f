/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nl-walk.c: bounds-checked iteration over netlink messages and attributes (nl-walk.h). */
#include <errno.h>

#include "nl-walk.h"

int xd_walk_msgs(const void *buf, size_t len, int (*fn)(void *ud, const struct nlmsghdr *nlh),
		 void *ud, const void **bad_at)
{
	const unsigned char *p = buf;

	while (len > 0) {
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)p;
		size_t mlen;
		int r;

		if (len < NLMSG_HDRLEN || nlh->nlmsg_len < NLMSG_HDRLEN || nlh->nlmsg_len > len) {
			*bad_at = p;
			return -EBADMSG;
		}
		r = fn(ud, nlh);
		if (r < 0)
			return r;
		mlen = NLMSG_ALIGN(nlh->nlmsg_len);
		if (mlen >= len)
			break;
		p += mlen;
		len -= mlen;
	}
	return 0;
}
