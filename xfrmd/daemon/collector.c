/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * collector.c: the collector process. Keeps CAP_NET_ADMIN only (resync dumps need it on the
 * sending process, testing.md §1.1), joins the key-free XFRM groups (and SA, scrubbed in
 * nl/events.c) and nf_tables' change group. Two threads: the event thread (no capability at
 * all) decodes each event datagram into key-free events (decode/decode-kevent.c) and sends
 * them at once, whatever the other is doing; the main thread runs the dumps, only on RESYNC
 * from the main process and at most once per min_resync_interval: a confused main process
 * cannot make it hammer the kernel. A dump takes a while (much longer in a slow guest), and
 * an event must not wait for it. It exits when the main process goes away.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/netlink.h>
#include <linux/xfrm.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "collector.h"
#include "frame.h"
#include "log.h"
#include "notify.h"
#include "privs.h"
#include "xfrmd/collect.h"
#include "xfrmd/decode.h"
#include "xfrmd/kevent.h"
#include "xfrmd/nl.h"
#include "xfrmd/recbuf.h"

#define EVENT_BUF (64u * 1024)   /* ≥ 32 KiB: the kernel batches up to that (netlink.md §1.11) */
#define EVENTS_PER_ROUND 64      /* datagrams per poll round, so neither socket starves */

struct collector {
	int fd;      /* socketpair to main: both threads send whole frames (SOCK_SEQPACKET) */
	int ev;      /* XFRM event socket (event thread) */
	int nft;     /* nf_tables event socket, -1 when unavailable (event thread) */
	const struct xd_config *cfg;
	struct xd_collector_stats st; /* resync fields: main thread only */
	uint8_t *frame;
	bool resync_wanted;
	uint16_t resync_flags; /* XD_RESYNC_*, of every RESYNC since the last resync */
	uint32_t resync_seq;
	/* the IKE view (XD_IKE_VIEW_DUMPS) of the latest sample, carried into the resyncs
	 * between samples so the ike.* findings neither vanish nor flap in between */
	struct xd_recbuf *ike;
	uint64_t last_resync_ms;

	/* the event thread's counters, copied out under the lock for STATS frames */
	pthread_mutex_t lock;
	uint64_t events, overruns;
	struct xd_nl_events_stats evst;
};

/* The event thread's own state. */
struct evthread {
	struct collector *c;
	uint8_t *frame; /* its own frame buffer: frames are built while the other thread sends */
	uint8_t *buf;   /* one datagram */
	struct xd_nl_events_stats evst;
	uint64_t events, overruns;
	int64_t now_ms; /* realtime of the datagram being decoded */
	uint64_t last_stats; /* monotonic ms of its latest STATS frame */
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Blocking send of one frame built in `frame`; the main process always drains its end. */
static int send_frame_buf(int fd, uint8_t *frame, const struct xd_frame_hdr *h,
			  const void *payload)
{
	int n = xd_frame_build(frame, sizeof(struct xd_frame_hdr) + XD_FRAME_MAX_PAYLOAD, h,
			       payload);

	if (n < 0)
		return n;
	for (;;) {
		if (send(fd, frame, (size_t)n, MSG_NOSIGNAL) >= 0)
			return 0;
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN) {
			struct pollfd p = { .fd = fd, .events = POLLOUT };
			(void)poll(&p, 1, 1000);
			continue;
		}
		return -errno;
	}
}

static int send_frame(struct collector *c, const struct xd_frame_hdr *h, const void *payload)
{
	return send_frame_buf(c->fd, c->frame, h, payload);
}

static int record_sink(void *userdata, const struct xd_record *rec)
{
	struct collector *c = userdata;
	struct xd_frame_hdr h = { .type = XD_FRAME_RECORD, .seq = c->resync_seq,
				  .dump = (uint16_t)rec->dump, .kind = (uint16_t)rec->kind,
				  .nl_proto = rec->nl_proto, .len = (uint32_t)rec->len };

	if (rec->len > XD_FRAME_MAX_PAYLOAD)
		return -EMSGSIZE;
	return send_frame(c, &h, rec->data);
}

/*
 * The IKE daemons' view (VICI requests of up to 2 s each, journal reads) is asked for on
 * samples and the first resync only: event-triggered resyncs come in bursts and must stay
 * cheap. Between samples the records of the latest sample are carried over, so the ike.*
 * findings are the same with and without the daemon and do not flap.
 */
static int collect(struct collector *c, bool ike_view, struct xd_recbuf *buf)
{
	struct xd_collect_opts opts = { .no_ike_control = !ike_view && c->ike };
	struct xd_recbuf *ike = NULL;
	int r = xd_collect_live(&opts, buf);

	if (r < 0)
		return r;
	if (opts.no_ike_control)
		return xd_recbuf_carry(buf, c->ike, XD_IKE_VIEW_DUMPS);
	r = xd_recbuf_new(&ike);
	if (r >= 0)
		r = xd_recbuf_carry(ike, buf, XD_IKE_VIEW_DUMPS);
	if (r < 0) {
		xd_recbuf_free(ike);
		return r;
	}
	xd_recbuf_free(c->ike);
	c->ike = ike;
	return 0;
}

static int resync(struct collector *c)
{
	bool ike_view = c->resync_flags & XD_RESYNC_IKE_VIEW;
	struct xd_recbuf *buf = NULL;
	struct xd_record_sink sink = { .record = record_sink, .userdata = c };
	struct timespec t0, t1, cpu0, cpu1;
	int r;

	c->resync_wanted = false;
	c->resync_flags = 0;
	c->last_resync_ms = now_ms();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu0);
	r = xd_recbuf_new(&buf);
	if (r < 0)
		return r;
	r = collect(c, ike_view, buf);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (r < 0) {
		xd_log_errno(LOG_ERR, r, "collector: collecting kernel state failed: %m");
		xd_recbuf_free(buf);
		return 0; /* the main process sees no END and asks again later */
	}
	pthread_mutex_lock(&c->lock);
	c->st.resyncs++;
	c->st.last_resync_ns = (uint64_t)(t1.tv_sec - t0.tv_sec) * 1000000000u +
			       (uint64_t)(t1.tv_nsec - t0.tv_nsec);
	pthread_mutex_unlock(&c->lock);
	r = send_frame(c, &(struct xd_frame_hdr){ .type = XD_FRAME_BEGIN, .seq = c->resync_seq },
		       NULL);
	if (r >= 0)
		r = xd_recbuf_replay(buf, &sink);
	if (r >= 0)
		r = send_frame(c, &(struct xd_frame_hdr){ .type = XD_FRAME_META, .seq = c->resync_seq,
							  .len = sizeof(struct xd_meta) },
			       xd_recbuf_meta_const(buf));
	if (r >= 0)
		r = send_frame(c, &(struct xd_frame_hdr){ .type = XD_FRAME_END, .seq = c->resync_seq },
			       NULL);
	xd_recbuf_free(buf);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu1);
	pthread_mutex_lock(&c->lock);
	c->st.last_resync_cpu_ns = (uint64_t)(cpu1.tv_sec - cpu0.tv_sec) * 1000000000u +
				   (uint64_t)(cpu1.tv_nsec - cpu0.tv_nsec);
	pthread_mutex_unlock(&c->lock);
	return r;
}

/* Either thread: the counters of both, sent from the caller's frame buffer. */
static int send_stats(struct collector *c, uint8_t *frame)
{
	struct xd_collector_stats st;

	pthread_mutex_lock(&c->lock);
	st = c->st;
	st.events = c->events;
	st.overruns = c->overruns;
	st.foreign = c->evst.foreign;
	st.keys_scrubbed = c->evst.keys_scrubbed;
	pthread_mutex_unlock(&c->lock);
	return send_frame_buf(c->fd, frame,
			      &(struct xd_frame_hdr){ .type = XD_FRAME_STATS, .len = sizeof(st) },
			      &st);
}

static int send_event(struct evthread *t, const struct xd_kevent *e)
{
	return send_frame_buf(t->c->fd, t->frame,
			      &(struct xd_frame_hdr){ .type = XD_FRAME_EVENT, .len = sizeof(*e) }, e);
}

static int64_t realtime_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int on_kevent(void *ud, const struct xd_kevent *e)
{
	struct evthread *t = ud;
	struct xd_kevent x = *e;

	x.time_ms = t->now_ms;
	t->events++;
	return send_event(t, &x);
}

/* Forward every datagram waiting on one event socket, at most EVENTS_PER_ROUND. */
static int read_events(struct evthread *t, int fd, uint16_t nl_proto)
{
	for (int i = 0; i < EVENTS_PER_ROUND; i++) {
		long n = xd_nl_events_recv(fd, t->buf, EVENT_BUF, &t->evst);
		int r;

		if (n == -EAGAIN)
			return 0;
		t->now_ms = realtime_ms();
		if (n == -ENOBUFS) {
			/* events were lost: tell main (it resyncs), and keep reading */
			struct xd_kevent e = { .type = XD_KEV_OVERRUN, .time_ms = t->now_ms };
			t->overruns++;
			r = send_event(t, &e);
			if (r < 0)
				return r;
			continue;
		}
		if (n < 0)
			return xd_log_errno(LOG_ERR, (int)n, "collector: reading events failed: %m");
		/* a broken message ends its datagram; the events before it went out */
		r = xd_decode_kevents(nl_proto, t->buf, (size_t)n, on_kevent, t);
		explicit_bzero(t->buf, (size_t)n);
		if (r < 0 && r != -EBADMSG)
			return r;
	}
	return 0;
}

static void publish_counters(struct evthread *t)
{
	struct collector *c = t->c;

	pthread_mutex_lock(&c->lock);
	c->events = t->events;
	c->overruns = t->overruns;
	c->evst = t->evst;
	pthread_mutex_unlock(&c->lock);
}

/*
 * The event thread: wait on the event sockets, forward what arrives. It needs no capability
 * (its sockets are bound and joined already) and drops them all for itself; capabilities are
 * per thread. A failure ends the whole collector, as the main process expects of it.
 */
static void *event_thread(void *arg)
{
	struct evthread *t = arg;
	struct collector *c = t->c;
	int r = xd_privs_restrict(0);

	if (r < 0) {
		xd_log_errno(LOG_ERR, r, "collector: dropping the event thread's capabilities failed: %m");
		_exit(1);
	}
	for (;;) {
		struct pollfd p[2] = { { .fd = c->ev, .events = POLLIN },
				       { .fd = c->nft, .events = POLLIN } }; /* fd -1 is ignored */

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			break;
		}
		if ((p[0].revents & (POLLIN | POLLERR)) &&
		    (r = read_events(t, c->ev, NETLINK_XFRM)) < 0)
			break;
		if ((p[1].revents & (POLLIN | POLLERR)) &&
		    (r = read_events(t, c->nft, NETLINK_NETFILTER)) < 0)
			break;
		publish_counters(t);
		/* the main process shows these in status and metrics: about once a second */
		if (now_ms() - t->last_stats >= 1000) {
			t->last_stats = now_ms();
			if ((r = send_stats(c, t->frame)) < 0)
				break;
		}
	}
	/* the main process went away (EPIPE) or the event socket broke: nothing left to do */
	if (r != -EPIPE)
		xd_log_errno(LOG_ERR, r, "collector: forwarding events failed: %m");
	_exit(r == -EPIPE ? 0 : 1);
}

/* Returns 0 on EOF (main went away), 1 to go on, -errno on a broken channel. */
static int read_command(struct collector *c)
{
	uint8_t buf[sizeof(struct xd_frame_hdr) + 16];
	struct xd_frame_hdr h;
	const void *p;
	ssize_t n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);

	if (n == 0)
		return 0;
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 1 : -errno;
	if (xd_frame_parse(buf, (size_t)n, &h, &p) < 0 || h.type != XD_FRAME_RESYNC) {
		log_warning("collector: unexpected command frame, ignoring");
		return 1;
	}
	c->resync_wanted = true;
	c->resync_flags |= h.kind;
	c->resync_seq = h.seq;
	return 1;
}

static int run(struct collector *c)
{
	for (;;) {
		struct pollfd p = { .fd = c->fd, .events = POLLIN };
		int timeout = -1;
		uint64_t now = now_ms();
		int r;

		if (c->resync_wanted) {
			uint64_t due = c->last_resync_ms + c->cfg->min_resync_interval_ms;
			if (!c->last_resync_ms || now >= due) {
				r = resync(c);
				if (r < 0)
					return xd_log_errno(LOG_ERR, r, "collector: sending records failed: %m");
				r = send_stats(c, c->frame);
				if (r < 0)
					return r;
				continue;
			}
			timeout = (int)(due - now);
		}
		r = poll(&p, 1, timeout);
		if (r < 0 && errno != EINTR)
			return -errno;
		if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
			r = read_command(c);
			if (r <= 0)
				return r;
		}
	}
}

/* Start the event thread; it runs until the process ends. */
static int start_events(struct collector *c, struct evthread *t)
{
	pthread_t th;
	pthread_attr_t a;
	int r;

	*t = (struct evthread){ .c = c };
	t->frame = malloc(sizeof(struct xd_frame_hdr) + XD_FRAME_MAX_PAYLOAD);
	t->buf = malloc(EVENT_BUF);
	if (!t->frame || !t->buf)
		return -ENOMEM;
	r = pthread_attr_init(&a);
	if (r)
		return -r;
	(void)pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	r = pthread_create(&th, &a, event_thread, t);
	pthread_attr_destroy(&a);
	return -r;
}

static int child(int fd, const struct xd_config *cfg)
{
	static const unsigned groups_sa[] = { XFRMNLGRP_EXPIRE, XFRMNLGRP_POLICY,
					      XFRMNLGRP_MAPPING, XFRMNLGRP_MIGRATE,
					      XFRMNLGRP_REPORT, XFRMNLGRP_SA };
	struct collector c = { .fd = fd, .ev = -1, .nft = -1, .cfg = cfg,
			       .lock = PTHREAD_MUTEX_INITIALIZER };
	static struct evthread evt; /* lives as long as the process: the thread is never joined */
	size_t ngroups = XD_ARRAY_SIZE(groups_sa) - (cfg->sa_events ? 0 : 1);
	int size = 4 << 20;
	int r;

	sigset_t all;

	/* the main process may block signals for its signalfd: start from a clean mask */
	sigemptyset(&all);
	(void)sigprocmask(SIG_SETMASK, &all, NULL);
	/* die with the main process; it is our only reason to exist */
	(void)prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0);
	if (getppid() == 1)
		return 0;
	(void)prctl(PR_SET_NAME, "xfrmd-collect", 0, 0, 0);
	signal(SIGPIPE, SIG_IGN);
	if (xd_privs_have(CAP_NET_ADMIN) != 1) {
		log_error("collector: CAP_NET_ADMIN is missing: XFRM state cannot be read "
			  "(run as root or with AmbientCapabilities=CAP_NET_ADMIN)");
		return -EPERM;
	}
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size));
	c.ev = xd_nl_events_open(groups_sa, ngroups, (int)cfg->event_rcvbuf);
	if (c.ev < 0)
		return xd_log_errno(LOG_ERR, c.ev, "collector: subscribing to XFRM events failed: %m");
	/* firewall changes (key-free): a kernel without nf_tables just has none to report */
	c.nft = xd_nl_nft_events_open((int)cfg->event_rcvbuf);
	if (c.nft < 0)
		xd_log_errno(LOG_NOTICE, c.nft, "collector: no nf_tables events (%m), firewall changes "
					       "are seen at the next sample, ignoring");
	r = xd_privs_restrict(1ull << CAP_NET_ADMIN);
	if (r < 0)
		return xd_log_errno(LOG_ERR, r, "collector: dropping capabilities failed: %m");
	c.frame = malloc(sizeof(struct xd_frame_hdr) + XD_FRAME_MAX_PAYLOAD);
	if (!c.frame)
		return -ENOMEM;
	/* after the capabilities are dropped: a new thread inherits its creator's */
	r = start_events(&c, &evt);
	if (r < 0)
		return xd_log_errno(LOG_ERR, r, "collector: starting the event thread failed: %m");
	/* the event thread still uses the sockets and `c`: _exit() after this releases them */
	return run(&c);
}

pid_t xd_collector_start(const struct xd_config *cfg, int *ret_fd)
{
	int sv[2];
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		int r = -errno;
		close(sv[0]);
		close(sv[1]);
		return r;
	}
	if (pid == 0) {
		int r;
		close(sv[0]);
		xd_notify_close(); /* only the main process speaks to the service manager */
		r = child(sv[1], cfg);
		_exit(r < 0 ? 1 : 0);
	}
	close(sv[1]);
	if (fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL) | O_NONBLOCK) < 0) {
		int r = -errno;
		close(sv[0]);
		return r;
	}
	*ret_fd = sv[0];
	return pid;
}
