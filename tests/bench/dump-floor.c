/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dump-floor.c: the kernel's own cost of an XFRM dump, as the floor of the scale benchmark:
 * dump every SA and every policy and discard the bytes (zeroing them: SA replies carry keys).
 * Prints the number of messages and bytes. Usage: dump-floor
 */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/xfrm.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static int dump(struct mnl_socket *nl, uint16_t type, unsigned long *msgs, unsigned long *bytes)
{
	static char buf[1 << 16];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	unsigned seq = (unsigned)time(NULL);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (n <= 0)
			return n < 0 ? -errno : 0;
		*bytes += (unsigned long)n;
		for (struct nlmsghdr *h = (void *)buf; mnl_nlmsg_ok(h, (int)n); h = mnl_nlmsg_next(h, (int *)&n)) {
			if (h->nlmsg_type == NLMSG_DONE) {
				explicit_bzero(buf, sizeof(buf));
				return 0;
			}
			if (h->nlmsg_type == NLMSG_ERROR)
				return -EPROTO;
			(*msgs)++;
		}
		explicit_bzero(buf, sizeof(buf));
	}
}

int main(void)
{
	struct mnl_socket *nl = mnl_socket_open(NETLINK_XFRM);
	unsigned long sa = 0, pol = 0, bytes = 0;

	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		perror("netlink");
		return 1;
	}
	if (dump(nl, XFRM_MSG_GETSA, &sa, &bytes) < 0 || dump(nl, XFRM_MSG_GETPOLICY, &pol, &bytes) < 0) {
		perror("dump");
		return 1;
	}
	printf("%lu SAs, %lu policies, %lu bytes\n", sa, pol, bytes);
	mnl_socket_close(nl);
	return 0;
}
