/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nl-socket.c: opening netlink sockets and running one request/dump to completion. Every
 * datagram is checked for a kernel sender, sequence and port, scrubbed when it is XFRM, and
 * handed on as a record. Progress is bounded by a receive timeout.
 */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/netlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "xfrmd/decode.h"
#include "xfrmd/nl.h"
#include "xfrmd/recbuf.h"
#include "xfrmd/util.h"

#define RCVBUF_BYTES (8u << 20)
#define RECV_TIMEOUT_S 10

int xd_nl_open(int proto, struct xd_nl **ret)
{
	struct xd_nl *nl = calloc(1, sizeof(*nl));
	int one = 1;
	int size = RCVBUF_BYTES;
	struct timeval tv = { .tv_sec = RECV_TIMEOUT_S };
	int r;

	if (!nl)
		return -ENOMEM;
	nl->proto = proto;
	nl->sock = mnl_socket_open2(proto, SOCK_CLOEXEC);
	if (!nl->sock) {
		r = -errno;
		free(nl);
		return r;
	}
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		r = -errno;
		mnl_socket_close(nl->sock);
		free(nl);
		return r;
	}
	nl->portid = mnl_socket_get_portid(nl->sock);
	nl->seq = (uint32_t)time(NULL);
	/* Best effort: a bigger buffer and extended acks; failures only cost diagnostics. */
	if (setsockopt(mnl_socket_get_fd(nl->sock), SOL_SOCKET, SO_RCVBUFFORCE, &size,
		       sizeof(size)) < 0)
		(void)setsockopt(mnl_socket_get_fd(nl->sock), SOL_SOCKET, SO_RCVBUF, &size,
				 sizeof(size));
	(void)setsockopt(mnl_socket_get_fd(nl->sock), SOL_NETLINK, NETLINK_EXT_ACK, &one,
			 sizeof(one));
	(void)setsockopt(mnl_socket_get_fd(nl->sock), SOL_NETLINK, NETLINK_CAP_ACK, &one,
			 sizeof(one));
	(void)setsockopt(mnl_socket_get_fd(nl->sock), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	*ret = nl;
	return 0;
}

struct xd_nl *xd_nl_close(struct xd_nl *nl)
{
	if (!nl)
		return NULL;
	mnl_socket_close(nl->sock);
	free(nl);
	return NULL;
}

/* Receive one datagram from the kernel into buf. Returns length or -errno. */
static ssize_t recv_kernel(struct xd_nl *nl, void *buf, size_t len)
{
	for (;;) {
		struct sockaddr_nl sa;
		struct iovec iov = { .iov_base = buf, .iov_len = len };
		struct msghdr msg = { .msg_name = &sa, .msg_namelen = sizeof(sa), .msg_iov = &iov,
				      .msg_iovlen = 1 };
		ssize_t n = recvmsg(mnl_socket_get_fd(nl->sock), &msg, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN ? -ETIMEDOUT : -errno;
		}
		if (msg.msg_flags & MSG_TRUNC)
			return -EMSGSIZE;
		if (msg.msg_namelen != sizeof(sa) || sa.nl_pid != 0) {
			/* not from the kernel: never let another process feed us state */
			nl->foreign_dropped++;
			explicit_bzero(buf, (size_t)n);
			continue;
		}
		return n;
	}
}

/*
 * Inspect one datagram of our request: returns 1 when the request is finished (DONE, or the
 * final reply of a non-dump request), 0 to continue, -errno on a kernel error. Sets
 * *dump_intr when the kernel flagged the dump inconsistent.
 */
static int check_datagram(struct xd_nl *nl, const void *buf, size_t len, bool is_dump,
			  bool *dump_intr, bool *skip)
{
	const struct nlmsghdr *nlh = buf;
	int left = (int)len;
	int done = 0;

	*skip = false;
	while (mnl_nlmsg_ok(nlh, left)) {
		if (nlh->nlmsg_seq != nl->seq || nlh->nlmsg_pid != nl->portid) {
			/* a stale reply from an earlier request: drop the datagram */
			*skip = true;
			return 0;
		}
		if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
			*dump_intr = true;
		if (nlh->nlmsg_type == NLMSG_ERROR) {
			const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
			if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(*e))
				return -EBADMSG;
			if (e->error)
				return e->error;
			return 1; /* ack */
		}
		if (nlh->nlmsg_type == NLMSG_DONE) {
			/* a dump that failed says so in DONE's payload, not in an NLMSG_ERROR:
			 * sock_diag without udp_diag ends its UDP dump with -ENOENT there, and
			 * taking that for "no sockets" raised false alarms */
			int32_t err = 0;
			if (nlh->nlmsg_len >= NLMSG_HDRLEN + sizeof(err))
				memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof(err));
			return err < 0 ? err : 1;
		}
		if (!is_dump)
			done = 1;
		nlh = mnl_nlmsg_next(nlh, &left);
	}
	return done;
}

int xd_nl_request(struct xd_nl *nl, struct nlmsghdr *req, enum xd_dump dump,
		  struct xd_recbuf *out, struct xd_nl_result *res)
{
	static const size_t bufsize = 1u << 16;
	_xd_cleanup_free_ unsigned char *buf = malloc(bufsize);
	bool is_dump = req->nlmsg_flags & NLM_F_DUMP;

	memset(res, 0, sizeof(*res));
	if (!buf)
		return -ENOMEM;
	req->nlmsg_seq = ++nl->seq;
	req->nlmsg_pid = nl->portid;
	if (mnl_socket_sendto(nl->sock, req, req->nlmsg_len) < 0)
		return -errno;

	for (;;) {
		bool skip;
		ssize_t n = recv_kernel(nl, buf, bufsize);
		int r;

		if (n < 0)
			return (int)n;
		if (nl->proto == NETLINK_XFRM)
			(void)xd_xfrm_scrub(buf, (size_t)n);
		r = check_datagram(nl, buf, (size_t)n, is_dump, &res->dump_intr, &skip);
		if (skip)
			continue;
		if (r < 0) {
			explicit_bzero(buf, bufsize);
			return r;
		}
		int left = (int)n;
		for (const struct nlmsghdr *nlh = (const void *)buf; mnl_nlmsg_ok(nlh, left);
		     nlh = mnl_nlmsg_next(nlh, &left))
			if (nlh->nlmsg_type >= NLMSG_MIN_TYPE)
				res->messages++;
		if (out) {
			struct xd_record rec = { .kind = XD_RECORD_NETLINK, .dump = dump,
						 .nl_proto = (uint16_t)nl->proto, .data = buf,
						 .len = (size_t)n };
			int ra = xd_recbuf_add(out, &rec);
			if (ra < 0) {
				explicit_bzero(buf, bufsize);
				return ra;
			}
		}
		if (r == 1)
			break;
	}
	explicit_bzero(buf, bufsize);
	return 0;
}
