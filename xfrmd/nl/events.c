/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * events.c: the XFRM event subscription of the daemon's collector. Which groups are joined is
 * a correctness question, not a tuning one: ACQUIRE makes the kernel believe a key manager is
 * alive and AEVENTS switches on per-SA event generation, so both are refused here. SA group
 * messages carry keys (netlink.md §1.7): every datagram is scrubbed before it is returned,
 * and the receive buffer is the only place key bytes ever exist.
 */
#include <errno.h>
#include <stdbool.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>
#include <linux/xfrm.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "xfrmd/decode.h"
#include "xfrmd/nl.h"

/* An allowlist, not a denylist: a group a future kernel adds is refused until someone has
 * checked that listening to it changes nothing in the kernel. */
static bool group_allowed(unsigned g)
{
	switch (g) {
	case XFRMNLGRP_EXPIRE:
	case XFRMNLGRP_SA:
	case XFRMNLGRP_POLICY:
	case XFRMNLGRP_REPORT:
	case XFRMNLGRP_MIGRATE:
	case XFRMNLGRP_MAPPING:
		return true;
	default:
		return false;
	}
}

int xd_nl_events_open(const unsigned *groups, size_t ngroups, int rcvbuf)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int fd, r;

	for (size_t i = 0; i < ngroups; i++)
		if (!group_allowed(groups[i]))
			return -EPERM;
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_XFRM);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		goto fail;
	for (size_t i = 0; i < ngroups; i++)
		if (setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &groups[i],
			       sizeof(groups[i])) < 0)
			goto fail;
	return fd;
fail:
	r = -errno;
	close(fd);
	return r;
}

int xd_nl_nft_events_open(int rcvbuf)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	unsigned group = NFNLGRP_NFTABLES;
	int fd, r;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_NETFILTER);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &group, sizeof(group)) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	return fd;
}

long xd_nl_events_recv(int fd, void *buf, size_t len, struct xd_nl_events_stats *st)
{
	for (;;) {
		struct sockaddr_nl sa;
		struct iovec iov = { .iov_base = buf, .iov_len = len };
		struct msghdr msg = { .msg_name = &sa, .msg_namelen = sizeof(sa), .msg_iov = &iov,
				      .msg_iovlen = 1 };
		ssize_t n = recvmsg(fd, &msg, MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		/* scrub first, whatever happens to the datagram next */
		st->keys_scrubbed += xd_xfrm_scrub(buf, (size_t)n < len ? (size_t)n : len);
		if (msg.msg_flags & MSG_TRUNC) {
			/* the tail (maybe with keys) never reached us; the head is unparseable */
			explicit_bzero(buf, len);
			st->truncated++;
			continue;
		}
		if (msg.msg_namelen != sizeof(sa) || sa.nl_pid != 0) {
			explicit_bzero(buf, (size_t)n);
			st->foreign++;
			continue;
		}
		return (long)n;
	}
}
