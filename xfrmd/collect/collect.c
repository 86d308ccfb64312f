/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * collect.c: live collection of everything a diagnosis reads, into records. XFRM dumps are
 * made consistent by comparing the kernel's own SA/policy counts before and after each dump
 * and with the number of objects received (XFRM never sets NLM_F_DUMP_INTR); a dump that
 * cannot be made consistent within the attempt bound is kept and marked interrupted.
 */
#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <linux/xfrm.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "collect-internal.h"
#include "xfrmd/file.h"
#include "xd-config.h"
#include "xfrmd/decode.h"
#include "xfrmd/model.h"
#include "xfrmd/collect.h"
#include "xfrmd/nl.h"
#include "xfrmd/recbuf.h"

#define DEFAULT_ATTEMPTS 5
#define MAX_FILE_BYTES (1u << 20)
#define REQ_BUF_SIZE 1024 /* requests are a header plus a few bytes */

enum xd_dump_status xd_nl_status_from_error(int err)
{
	switch (err) {
	case 0:
		return XD_DUMP_COMPLETE;
	case -EPERM:
	case -EACCES:
		return XD_DUMP_DENIED;
	case -EOPNOTSUPP:
	case -EPROTONOSUPPORT:
	case -EAFNOSUPPORT:
	case -EINVAL: /* unknown message type on kernels without it */
		return XD_DUMP_UNSUPPORTED;
	case -ENOENT:
		return XD_DUMP_ABSENT;
	default:
		return XD_DUMP_ERROR;
	}
}

void xd_nl_set_status(struct xd_meta *m, enum xd_dump d, int err)
{
	m->dump_status[d] = xd_nl_status_from_error(err);
	m->dump_error[d] = err;
}

static struct nlmsghdr *put_req(void *buf, uint16_t type, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	return nlh;
}

/* GETSADINFO/GETSPDINFO: returns the object count, or -errno. */
static int64_t info_count(struct xd_nl *nl, enum xd_dump d, struct xd_recbuf *keep)
{
	char buf[REQ_BUF_SIZE] __attribute__((aligned(8)));
	uint16_t type = d == XD_DUMP_XFRM_SADINFO ? XFRM_MSG_GETSADINFO : XFRM_MSG_GETSPDINFO;
	struct nlmsghdr *nlh = put_req(buf, type, 0);
	uint32_t *flags = mnl_nlmsg_put_extra_header(nlh, sizeof(uint32_t));
	_xd_cleanup_(xd_recbuf_freep) struct xd_recbuf *tmp = NULL;
	struct xd_nl_result res;
	struct xd_snapshot *s = NULL;
	int64_t count;
	int r;

	*flags = 0xffffffff; /* ignored by the kernel; what iproute2 sends */
	r = xd_recbuf_new(&tmp);
	if (r < 0)
		return r;
	r = xd_nl_request(nl, nlh, d, tmp, &res);
	if (r < 0)
		return r;
	/* decode the reply to get the count: the same decoder everybody uses */
	r = xd_snapshot_new(&s);
	if (r < 0)
		return r;
	struct xd_record_sink sink;
	xd_decode_sink_init(&sink, s);
	(void)xd_recbuf_replay(tmp, &sink);
	if (d == XD_DUMP_XFRM_SADINFO)
		count = s->sadinfo.present ? (int64_t)s->sadinfo.count : -EBADMSG;
	else
		count = s->spdinfo.present ? (int64_t)s->spdinfo.in + s->spdinfo.out +
						     s->spdinfo.fwd + s->spdinfo.sock_in +
						     s->spdinfo.sock_out + s->spdinfo.sock_fwd
					   : -EBADMSG;
	xd_snapshot_free(s);
	if (keep && count >= 0) {
		xd_recbuf_drop_dump(keep, d);
		r = xd_recbuf_replay(tmp, &(struct xd_record_sink){ .record = xd_recbuf_add_sink,
								    .userdata = keep });
		if (r < 0)
			return r;
	}
	return count;
}

/*
 * Dump SAs or policies until two info counts around the dump agree with each other and with
 * the number of objects received, at most `attempts` times.
 */
static void consistent_dump(struct xd_nl *nl, struct xd_recbuf *out, enum xd_dump d,
			    uint16_t type, enum xd_dump info, unsigned attempts)
{
	struct xd_meta *m = xd_recbuf_meta(out);
	int r = 0;

	for (unsigned a = 1; a <= attempts; a++) {
		char buf[REQ_BUF_SIZE] __attribute__((aligned(8)));
		struct nlmsghdr *nlh = put_req(buf, type, NLM_F_DUMP);
		struct xd_nl_result res;
		int64_t before, after;

		m->dump_attempts[d] = a;
		before = info_count(nl, info, NULL);
		/* known before the dump, so a sink writing as records arrive can report it */
		xd_nl_set_status(m, info, before < 0 ? (int)before : 0);
		xd_recbuf_drop_dump(out, d);
		r = xd_nl_request(nl, nlh, d, out, &res);
		if (r < 0) {
			xd_recbuf_drop_dump(out, d);
			xd_nl_set_status(m, d, r);
			return;
		}
		after = info_count(nl, info, out);
		if (after < 0) {
			/* Without counts consistency cannot be checked; one dump is all we get. */
			xd_nl_set_status(m, info, (int)after);
			xd_nl_set_status(m, d, 0);
			return;
		}
		xd_nl_set_status(m, info, 0);
		if (!res.dump_intr && before == after && (uint64_t)after == res.messages) {
			xd_nl_set_status(m, d, 0);
			return;
		}
		if (a < attempts) {
			struct timespec ts = { .tv_nsec = 1000000L * a * a };
			nanosleep(&ts, NULL);
		}
	}
	m->dump_status[d] = XD_DUMP_INTERRUPTED;
	m->dump_error[d] = -EAGAIN;
}

static void collect_default(struct xd_nl *nl, struct xd_recbuf *out)
{
	char buf[REQ_BUF_SIZE] __attribute__((aligned(8)));
	struct nlmsghdr *nlh = put_req(buf, XFRM_MSG_GETDEFAULT, 0);
	struct xd_nl_result res;
	int r;

	mnl_nlmsg_put_extra_header(nlh, sizeof(struct xfrm_userpolicy_default));
	r = xd_nl_request(nl, nlh, XD_DUMP_XFRM_DEFAULT, out, &res);
	if (r < 0)
		xd_recbuf_drop_dump(out, XD_DUMP_XFRM_DEFAULT);
	xd_nl_set_status(xd_recbuf_meta(out), XD_DUMP_XFRM_DEFAULT, r);
}

/*
 * Links, addresses, routes and rules: local addresses decide SA direction and what
 * "forwarded" means; routes and rules answer which interface a packet leaves by.
 * rtnetlink sets NLM_F_DUMP_INTR on change: retry a bounded number of times. A dump of
 * several families (routes, rules: one request per family, as AF_UNSPEC would also bring
 * multicast and MPLS tables) is retried as a whole.
 */
static void collect_rtnl_dump(struct xd_nl *nl, struct xd_recbuf *out, enum xd_dump d,
			      uint16_t type, const uint8_t *families, size_t nfam,
			      unsigned attempts)
{
	struct xd_meta *m = xd_recbuf_meta(out);
	int r = 0;

	for (unsigned a = 1; a <= attempts; a++) {
		bool intr = false;

		m->dump_attempts[d] = a;
		xd_recbuf_drop_dump(out, d);
		for (size_t f = 0; f < nfam; f++) {
			char buf[REQ_BUF_SIZE] __attribute__((aligned(8)));
			struct nlmsghdr *nlh = put_req(buf, type, NLM_F_DUMP);
			/* the largest fixed header of the three (ifinfomsg; rtmsg and fib_rule_hdr
			 * are 12 bytes): the kernel reads the family from its first byte and,
			 * without strict checking, nothing else, so every table is dumped */
			struct rtgenmsg *g =
				mnl_nlmsg_put_extra_header(nlh, type == RTM_GETLINK || type == RTM_GETADDR
								? sizeof(struct ifinfomsg)
								: sizeof(struct rtmsg));
			struct xd_nl_result res;

			g->rtgen_family = families[f];
			r = xd_nl_request(nl, nlh, d, out, &res);
			if (r == -EAFNOSUPPORT && f > 0)
				continue; /* IPv6 disabled (ipv6.disable=1): the IPv4 part stands */
			if (r < 0) {
				xd_recbuf_drop_dump(out, d);
				xd_nl_set_status(m, d, r);
				return;
			}
			intr |= res.dump_intr;
		}
		if (!intr) {
			xd_nl_set_status(m, d, 0);
			return;
		}
	}
	m->dump_status[d] = XD_DUMP_INTERRUPTED;
	m->dump_error[d] = -EINTR;
}

static void collect_rtnl(struct xd_recbuf *out, unsigned attempts)
{
	static const uint8_t unspec[] = { AF_UNSPEC }, inet[] = { AF_INET, AF_INET6 };
	static const enum xd_dump dumps[] = { XD_DUMP_RTNL_LINK, XD_DUMP_RTNL_ADDR,
					      XD_DUMP_RTNL_ROUTE, XD_DUMP_RTNL_RULE };
	struct xd_nl *nl = NULL;
	int r = xd_nl_open(NETLINK_ROUTE, &nl);

	if (r < 0) {
		for (size_t i = 0; i < sizeof(dumps) / sizeof(dumps[0]); i++)
			xd_nl_set_status(xd_recbuf_meta(out), dumps[i], r);
		return;
	}
	collect_rtnl_dump(nl, out, XD_DUMP_RTNL_LINK, RTM_GETLINK, unspec, 1, attempts);
	collect_rtnl_dump(nl, out, XD_DUMP_RTNL_ADDR, RTM_GETADDR, unspec, 1, attempts);
	collect_rtnl_dump(nl, out, XD_DUMP_RTNL_ROUTE, RTM_GETROUTE, inet, 2, attempts);
	collect_rtnl_dump(nl, out, XD_DUMP_RTNL_RULE, RTM_GETRULE, inet, 2, attempts);
	xd_nl_close(nl);
}

static void collect_xfrm(struct xd_recbuf *out, unsigned attempts)
{
	struct xd_meta *m = xd_recbuf_meta(out);
	struct xd_nl *nl = NULL;
	int r = xd_nl_open(NETLINK_XFRM, &nl);

	if (r < 0) {
		/* e.g. EPROTONOSUPPORT without xfrm_user: every XFRM dump shares the fate */
		for (enum xd_dump d = XD_DUMP_XFRM_SA; d <= XD_DUMP_XFRM_DEFAULT; d++)
			xd_nl_set_status(m, d, r);
		return;
	}
	consistent_dump(nl, out, XD_DUMP_XFRM_SA, XFRM_MSG_GETSA, XD_DUMP_XFRM_SADINFO,
			attempts);
	consistent_dump(nl, out, XD_DUMP_XFRM_POLICY, XFRM_MSG_GETPOLICY, XD_DUMP_XFRM_SPDINFO,
			attempts);
	collect_default(nl, out);
	xd_nl_close(nl);
}

/*
 * `show sa` streams the SAs out as they arrive (xd_recbuf_stream), so everything else it
 * shows is collected first, the policies not at all, and the SA dump is tried once: a retry
 * cannot take back what was already written. Its consistency is still checked and reported.
 */
static void collect_sa_listing(struct xd_recbuf *out)
{
	struct xd_meta *m = xd_recbuf_meta(out);
	struct xd_nl *nl = NULL;
	int r = xd_nl_open(NETLINK_XFRM, &nl);

	if (r < 0) {
		xd_nl_set_status(m, XD_DUMP_XFRM_SA, r);
		xd_nl_set_status(m, XD_DUMP_XFRM_SADINFO, r);
		xd_nl_set_status(m, XD_DUMP_XFRM_DEFAULT, r);
		return;
	}
	collect_default(nl, out);
	xd_nl_collect_file(out, XD_DUMP_XFRM_STAT, "/proc/net/xfrm_stat");
	consistent_dump(nl, out, XD_DUMP_XFRM_SA, XFRM_MSG_GETSA, XD_DUMP_XFRM_SADINFO, 1);
	xd_nl_close(nl);
}

/* Read a whole (small) file into a record. */
void xd_nl_collect_file(struct xd_recbuf *out, enum xd_dump d, const char *path)
{
	_xd_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	int r = xd_file_read(path, 0, MAX_FILE_BYTES, &buf, &len, NULL);

	if (r < 0) {
		xd_nl_set_status(xd_recbuf_meta(out), d, r);
		return;
	}
	(void)xd_nl_add_file_record(out, d, buf, len);
}

static void collect_uname(struct xd_recbuf *out)
{
	struct xd_meta *m = xd_recbuf_meta(out);
	struct utsname u;
	char buf[sizeof(u) + 8];
	int n;

	if (uname(&u) < 0) {
		xd_nl_set_status(m, XD_DUMP_UNAME, -errno);
		return;
	}
	n = snprintf(buf, sizeof(buf), "%s\n%s\n%s\n%s\n", u.sysname, u.release, u.version,
		     u.machine);
	struct xd_record rec = { .kind = XD_RECORD_FILE, .dump = XD_DUMP_UNAME, .data = buf,
				 .len = (size_t)n };
	xd_nl_set_status(m, XD_DUMP_UNAME, xd_recbuf_add(out, &rec));
	xd_strlcpy(m->kernel_release, u.release, sizeof(m->kernel_release));
	xd_strlcpy(m->machine, u.machine, sizeof(m->machine));
}

static void fill_meta(struct xd_meta *m)
{
	struct timespec ts;
	char link[64];
	ssize_t n;

	m->source = XD_SOURCE_LIVE;
	snprintf(m->tool, sizeof(m->tool), "xfrmd %s", XD_VERSION);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	xd_strlcpy(m->byte_order, "little", sizeof(m->byte_order));
#else
	xd_strlcpy(m->byte_order, "big", sizeof(m->byte_order));
#endif
	clock_gettime(CLOCK_REALTIME, &ts);
	m->captured_at = ts.tv_sec;
	m->captured_at_ns = (uint32_t)ts.tv_nsec;
	n = readlink("/proc/self/ns/net", link, sizeof(link) - 1);
	if (n > 0) {
		link[n] = '\0';
		xd_strlcpy(m->netns, link, sizeof(m->netns));
	}
}

int xd_collect_live(const struct xd_collect_opts *opts, struct xd_recbuf *out)
{
	unsigned attempts = opts && opts->max_attempts ? opts->max_attempts : DEFAULT_ATTEMPTS;
	unsigned g = opts && opts->groups ? opts->groups : XD_COLLECT_ALL;
	int r;

	if (opts && opts->netns) {
		r = xd_netns_enter(opts->netns);
		if (r < 0)
			return r;
	}
	fill_meta(xd_recbuf_meta(out));
	/* uname is cheap and names the kernel in every document */
	collect_uname(out);
	if (g & XD_COLLECT_XFRM && opts && opts->sa_listing) {
		collect_sa_listing(out);
	} else if (g & XD_COLLECT_XFRM) {
		collect_xfrm(out, attempts);
		xd_nl_collect_file(out, XD_DUMP_XFRM_STAT, "/proc/net/xfrm_stat");
	}
	if (g & XD_COLLECT_RTNL)
		collect_rtnl(out, attempts);
	if (g & XD_COLLECT_FIREWALL) {
		xd_collect_nft(out, attempts);
		xd_collect_ipt(out, attempts);
	}
	if (g & XD_COLLECT_KERNEL)
		xd_collect_kernel(out);
	if (g & XD_COLLECT_STACK) {
		xd_collect_stack(out);
		if (!opts || !opts->no_ike_control) {
			struct xd_ike_procs procs = { 0 };
			xd_collect_vici(out, &procs);
			xd_collect_whack(out, &procs);
			xd_collect_ikelog(out, &procs);
		}
	}
	/* credentials are the "other" group (dumps.h) */
	if (g & XD_COLLECT_OTHER) {
		if (opts && opts->certs) {
			xd_collect_certs(opts->certs, out);
		} else {
			struct xd_cert_paths p;
			xd_cert_paths_default(&p);
			xd_collect_certs(&p, out);
		}
	}
	return 0;
}
