/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * collect.h: everything the privileged collector reads — netlink dumps (through nl.h), /proc
 * and /sys files, IKE configurations, credentials and NSS databases — as records (keys
 * already scrubbed) in a recbuf. It never decodes into the model's objects.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "xfrmd/dumps.h"

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

/*
 * The VICI socket path (as the daemon sees it) that strongSwan's `daemon` ("charon",
 * "charon-systemd", which falls back to charon's section) reads from its strongswan.conf
 * `conf`, with the include statements followed as strongSwan does (globs relative to the
 * including file, expanded in place); every path is read under `root` ("" or "/proc/PID/root").
 * Bounded in files, bytes and depth. Returns 1 with the path in ret, 0 when no socket is set
 * (the compiled-in default applies; ret untouched), -errno when conf cannot be read.
 */
int xd_vici_conf_socket(const char *root, const char *conf, const char *daemon, char *ret,
			size_t rlen);

struct xd_collect_opts {
	const char *netns;     /* name under /run/netns, or NULL for the current namespace */
	unsigned max_attempts; /* consistency retries per dump, 0 = default (5) */
	unsigned groups;       /* enum xd_collect_group bits; 0 = everything */
	const struct xd_cert_paths *certs; /* NULL = xd_cert_paths_default() */
	bool sa_listing; /* `show sa`: of the XFRM group only SAs (last, once), no policies */
	/* leave the IKE daemons alone (VICI, whack, their logs: XD_IKE_VIEW_DUMPS): the
	 * daemon's event-triggered resyncs must stay cheap and never wait on charon; those
	 * dumps then stay "not collected" (the daemon carries its latest sample's) */
	bool no_ike_control;
};

/*
 * Collect every dump of a diagnosis into `buf` and fill its manifest. Per-dump failures are
 * recorded as dump statuses, not returned. Returns 0, or -errno when nothing could be
 * collected at all (e.g. the network namespace cannot be entered).
 */
int xd_collect_live(const struct xd_collect_opts *opts, struct xd_recbuf *buf);

/*
 * Firewall text from a support archive as the records the live path collects: `kind` is
 * XD_DUMP_NFT_RULES for `nft list ruleset` text, XD_DUMP_IPT / XD_DUMP_IP6T for
 * `iptables-save` / `ip6tables-save` text. A child process loads it into a private network
 * namespace with the tool that printed it and dumps the result with the live collectors;
 * records and the dumps' statuses land in `out`. Returns 0, -EPERM without the privilege to
 * create a network namespace (CAP_SYS_ADMIN), -ENOENT when the tool is not installed,
 * -EBADMSG when the tool refused the text (or it uses nft's `include`), -ETIME when loading
 * took too long, or another -errno.
 */
int xd_collect_fw_text(enum xd_dump kind, const char *text, size_t len, struct xd_recbuf *out);
