/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nl.h: the netlink transport, the only module that opens netlink sockets: request/dump
 * sockets whose datagrams are scrubbed of key bytes as they arrive, event subscriptions,
 * network namespaces. What is read (which dumps, which files) is xfrmd/collect's business
 * (collect.h); nl/ never decodes into the model.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xfrmd/dumps.h"

struct xd_recbuf;

struct mnl_socket;
struct nlmsghdr;

struct xd_nl {
	struct mnl_socket *sock;
	int proto;
	uint32_t portid;
	uint32_t seq;
	uint64_t foreign_dropped; /* datagrams not sent by the kernel */
};

struct xd_nl_result {
	bool dump_intr;    /* NLM_F_DUMP_INTR seen */
	uint64_t messages; /* non-control messages received */
};

int xd_nl_open(int proto, struct xd_nl **ret);
struct xd_nl *xd_nl_close(struct xd_nl *nl);

/*
 * Send `req` (seq and pid are filled in) and receive until the request completes. Each
 * datagram is scrubbed (XFRM) and, when `out` is set, appended as a record of `dump`.
 * Returns 0 or -errno (a kernel error reply, a timeout, a truncated datagram).
 */
int xd_nl_request(struct xd_nl *nl, struct nlmsghdr *req, enum xd_dump dump,
		  struct xd_recbuf *out, struct xd_nl_result *res);

/* Enter a named network namespace (/run/netns/NAME or a path). Returns 0 or -errno. */
int xd_netns_enter(const char *name);

/*
 * Event subscriptions (the daemon's collector). Opens an XFRM socket that joins exactly the
 * groups in `groups` (XFRMNLGRP_* numbers), non-blocking and close-on-exec, with a receive
 * buffer of `rcvbuf` bytes (SO_RCVBUFFORCE, else SO_RCVBUF). Refuses XFRMNLGRP_ACQUIRE and
 * XFRMNLGRP_AEVENTS with -EPERM: joining them changes kernel behaviour (netlink.md §1.4).
 * Returns the fd or -errno.
 */
int xd_nl_events_open(const unsigned *groups, size_t ngroups, int rcvbuf);

/*
 * The nf_tables change subscription (NFNLGRP_NFTABLES on NETLINK_NETFILTER): rule sets carry
 * no keys; every committed transaction ends with NFT_MSG_NEWGEN naming the committing process.
 * Non-blocking, close-on-exec. Returns the fd or -errno. Read it with xd_nl_events_recv().
 */
int xd_nl_nft_events_open(int rcvbuf);

struct xd_nl_events_stats {
	uint64_t foreign;       /* datagrams not sent by the kernel, dropped */
	uint64_t truncated;     /* datagrams larger than the buffer, dropped */
	uint64_t keys_scrubbed; /* key spans zeroed */
};

/*
 * Receive one event datagram into buf and scrub it (xd_xfrm_scrub) before returning. Returns
 * its length, -EAGAIN when nothing is queued, -ENOBUFS after an overrun (events were lost:
 * resync; the socket keeps working), or another -errno.
 */
long xd_nl_events_recv(int fd, void *buf, size_t len, struct xd_nl_events_stats *st);
