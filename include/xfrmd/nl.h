/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nl.h: the only module that opens netlink sockets or reads kernel files. It collects
 * records (keys already scrubbed) into a recbuf; it never decodes into the model.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct xd_recbuf;

/*
 * Where the IKE daemons keep their credentials (docs/certificates.md). xd_cert_paths_default()
 * fills the distribution defaults, then applies the environment: SWANCTL_DIR or
 * XFRMD_SWANCTL_DIR, XFRMD_SWANCTL_CONF, XFRMD_IPSEC_D, XFRMD_IPSEC_CONF, XFRMD_NSS_DIRS
 * (":"-separated), XFRMD_CERT_EXTRA (":"-separated "[role=]path"), XFRMD_NO_CERTS=1.
 * A NULL directory is not searched.
 */
struct xd_cert_paths {
	const char *swanctl_dir;  /* /etc/swanctl */
	const char *swanctl_conf; /* NULL = <swanctl_dir>/swanctl.conf */
	const char *ipsecd_dir;   /* /etc/ipsec.d (strongSwan starter's tree, unless it holds NSS) */
	const char *ipsec_conf;   /* /etc/ipsec.conf */
	const char *nss_dirs;     /* "/var/lib/ipsec/nss:/etc/ipsec.d": the first with cert9.db */
	const char *extra;
	bool disabled;
};

void xd_cert_paths_default(struct xd_cert_paths *p);

/* Record every credential found (file.cred, file.conn dumps) and set their statuses. */
void xd_collect_certs(const struct xd_cert_paths *p, struct xd_recbuf *out);

struct xd_collect_opts {
	const char *netns;     /* name under /run/netns, or NULL for the current namespace */
	unsigned max_attempts; /* consistency retries per dump, 0 = default (5) */
	unsigned groups;       /* enum xd_collect_group bits; 0 = everything */
	const struct xd_cert_paths *certs; /* NULL = xd_cert_paths_default() */
	bool sa_listing; /* `show sa`: of the XFRM group only SAs (last, once), no policies */
};

/*
 * Collect every dump of a diagnosis into `buf` and fill its manifest. Per-dump failures are
 * recorded as dump statuses, not returned. Returns 0, or -errno when nothing could be
 * collected at all (e.g. the network namespace cannot be entered).
 */
int xd_collect_live(const struct xd_collect_opts *opts, struct xd_recbuf *buf);

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
