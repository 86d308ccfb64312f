/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * daemon.c: the main process. Starts the collector, creates the control socket, drops every
 * capability, then runs one epoll loop that never blocks: collector frames, client requests,
 * signals (signalfd) and timers (the epoll timeout: debounced resync, periodic sample,
 * watchdog, client deadlines). Kernel state reaches it only as scrubbed records, which the
 * model store (store.c) turns into the served model; kernel events and what a resync raises or
 * clears go out to watchers from here; clients are answered by replies.c from the store.
 */
#include <errno.h>
#include <grp.h>
#include <inttypes.h>
#include <linux/capability.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "collector.h"
#include "config.h"
#include "control.h"
#include "daemon.h"
#include "frame.h"
#include "http.h"
#include "log.h"
#include "notify.h"
#include "privs.h"
#include "replies.h"
#include "store.h"
#include "xfrmd/kevent.h"
#include "xfrmd/model.h"
#include "xfrmd/recbuf.h"
#include "xfrmd/render.h"

#define RESYNC_STUCK_MS 30000 /* a resync not answered by then is asked again */
#define REPLY_GRACE_MS 2000   /* how long a due resync waits for replies being written */

/* The event loop's state. The model it serves is the store's; replies read both. */
struct daemon {
	struct xd_config cfg;
	const char *config_path;
	int epfd;
	int sig_tag, col_tag, http_tag; /* epoll data.ptr targets */
	struct xd_http *http;
	int sigfd, colfd;
	pid_t colpid;
	struct xd_control *ctl;
	struct xd_frame_rx rx;
	uint8_t *rxbuf;

	struct xd_store store;
	struct xd_replies replies; /* what the control and HTTP handlers get */
	struct xd_loop_stats stats;

	uint32_t seq;
	bool inflight, sample_pending, ready;
	bool collector_died; /* SIGCHLD for the collector: stop with a failure */
	bool collector_lost; /* its channel broke while a resync was published: stop */
	uint64_t inflight_since, resync_due, next_watchdog;
	uint64_t overruns_logged, overrun_log_at; /* overrun warnings are rate-limited */
};

static gid_t lookup_group(const char *name)
{
	struct group *g = getgrnam(name);

	if (!g) {
		log_warning("group '%s' does not exist: only root may use the control socket",
			    name);
		return (gid_t)-1;
	}
	return g->gr_gid;
}

static void schedule_resync(struct daemon *d, uint32_t delay_ms)
{
	uint64_t due = xd_mono_ms() + delay_ms;

	if (!d->resync_due || due < d->resync_due)
		d->resync_due = due;
}

static void send_resync(struct daemon *d)
{
	uint8_t buf[sizeof(struct xd_frame_hdr)];
	int n;

	d->seq++;
	/* only samples ask the IKE daemons (slow, bounded at seconds); the resyncs between
	 * them carry the IKE view of the latest sample (collector.c) */
	n = xd_frame_build(buf, sizeof(buf),
			   &(struct xd_frame_hdr){ .type = XD_FRAME_RESYNC, .seq = d->seq,
						   .kind = d->sample_pending ? XD_RESYNC_IKE_VIEW : 0 },
			   NULL);
	if (n < 0 || send(d->colfd, buf, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT) < 0) {
		log_warning("asking the collector for a resync failed: %m, retrying");
		schedule_resync(d, 1000);
		return;
	}
	d->inflight = true;
	d->inflight_since = xd_mono_ms();
	d->resync_due = 0;
}

/* A rendered watch line to every watcher; a line that cannot be rendered is dropped. */
static void broadcast_line(struct daemon *d, int r, char *line, size_t len)
{
	if (r < 0) {
		xd_log_errno(LOG_WARNING, r, "rendering a watch line failed: %m, dropping it");
		return;
	}
	xd_control_broadcast(d->ctl, line, len);
	free(line);
}

/* A kernel event summary: shown on watch, and a (debounced) resync scheduled. */
static void on_event(void *userdata, const struct xd_kevent *e)
{
	struct daemon *d = userdata;
	char *line = NULL;
	size_t len = 0;
	int r;

	/* the line first: a watcher learns of the change now, the resync follows later */
	r = xd_render_watch_kevent(e, &line, &len);
	broadcast_line(d, r, line, len);
	if (e->type == XD_KEV_SA_ACQUIRE) {
		/* found in a resync: nothing to schedule */
	} else if (e->type == XD_KEV_OVERRUN) {
		uint64_t now = xd_mono_ms();
		d->stats.overruns++;
		/* a storm overruns many times a second: one line per 10 s says enough */
		if (!d->overrun_log_at || now - d->overrun_log_at >= 10000) {
			log_warning("kernel event buffer overrun: events were lost, resyncing "
				    "(%" PRIu64 " overruns since the last report)",
				    d->stats.overruns - d->overruns_logged);
			d->overruns_logged = d->stats.overruns;
			d->overrun_log_at = now;
		}
		schedule_resync(d, 0);
	} else {
		d->stats.events++;
		schedule_resync(d, d->cfg.debounce_ms);
	}
}

/* A finding a resync raised or cleared (the store's hook): shown on watch. */
static void on_finding(void *userdata, bool raised, const struct xd_active_finding *a, int64_t at)
{
	struct daemon *d = userdata;
	char *line = NULL;
	size_t len = 0;
	int r = xd_render_watch_finding(raised, a->json, at, a->raised_at, &line, &len);

	log_debug("finding %s: %s", raised ? "raised" : "cleared", a->key);
	broadcast_line(d, r, line, len);
}

/*
 * Read what the collector sent, at most 256 frames. Kernel events go out to watchers as they
 * are read; a resync that completed is handed back in *ret_complete for the caller to publish
 * once the frames behind it are read too: an event that arrived while the resync was in
 * flight is shown before the findings of that resync (kernel events first, reconcile after).
 */
static int read_frames(struct daemon *d, struct xd_recbuf **ret_complete)
{
	for (int i = 0; i < 256; i++) {
		struct xd_frame_rx_out out = { 0 };
		ssize_t n = recv(d->colfd, d->rxbuf, sizeof(struct xd_frame_hdr) + XD_FRAME_MAX_PAYLOAD,
				 MSG_DONTWAIT | MSG_TRUNC);
		int r;

		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return 0;
			return xd_log_errno(LOG_ERR, -errno, "reading from the collector failed: %m");
		}
		if (n == 0) {
			log_error("the collector exited");
			return -EPIPE;
		}
		if ((size_t)n > sizeof(struct xd_frame_hdr) + XD_FRAME_MAX_PAYLOAD) {
			d->stats.bad_frames++;
			continue;
		}
		r = xd_frame_rx_feed(&d->rx, d->rxbuf, (size_t)n, &out);
		switch (r) {
		case XD_RX_COMPLETE:
			/* only the resync asked for last counts; one is in flight at a time */
			if (out.seq == d->seq && d->inflight && !*ret_complete) {
				d->inflight = false;
				*ret_complete = XD_TAKE_PTR(out.buf);
			}
			xd_recbuf_free(out.buf);
			break;
		case XD_RX_EVENT:
			on_event(d, &out.event);
			break;
		case XD_RX_STATS:
			xd_store_note_collector(&d->store, &out.stats);
			break;
		case XD_RX_NONE:
			break;
		default:
			d->stats.bad_frames++;
			log_warning("bad frame from the collector (%d), ignoring", r);
		}
	}
	return 0;
}

/*
 * Forward the kernel events the collector has sent meanwhile, without waiting: the store
 * calls it between the stages of a resync, so watchers do not wait for the model.
 */
static void drain_events(void *userdata)
{
	struct daemon *d = userdata;
	struct xd_recbuf *late = NULL;

	/* nothing is in flight while a resync is published: no resync can complete here */
	if (d->colfd >= 0 && read_frames(d, &late) < 0)
		d->collector_lost = true;
	xd_recbuf_free(late);
}

/* A complete resync arrived: the store makes it the served model. */
static void publish(struct daemon *d, struct xd_recbuf *buf)
{
	const struct xd_store_hooks hooks = { .finding = on_finding, .event = on_event,
					      .drain = drain_events, .userdata = d };
	const struct xd_resync rs = { .records = buf, .is_sample = d->sample_pending,
				      .asked_mono_ms = d->inflight_since,
				      .sample_interval_ms = d->cfg.sample_interval_ms };
	const struct xd_analysis *a;

	if (xd_store_publish(&d->store, &rs, &hooks) < 0)
		return;
	a = d->store.cur;
	if (rs.is_sample)
		d->sample_pending = false;
	log_debug("resync %u: %zu SAs, %zu policies, %zu findings in %.3f s%s", d->seq,
		  a->snap->sas.len, a->snap->policies.len, a->findings.items.len,
		  d->store.last_resync_s, rs.is_sample ? " (sample)" : "");
	if (!d->ready) {
		d->ready = true;
		(void)xd_notify("READY=1\nSTATUS=Following XFRM state");
		log_info("ready: %zu SAs, %zu policies", a->snap->sas.len, a->snap->policies.len);
	}
}

static int read_collector(struct daemon *d)
{
	struct xd_recbuf *done = NULL;
	int r = read_frames(d, &done);

	if (done)
		publish(d, done);
	return r;
}

static void reload(struct daemon *d)
{
	struct xd_config c;
	char err[256] = "", msg[128];
	struct timespec ts;
	gid_t gid;
	int r;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	snprintf(msg, sizeof(msg), "RELOADING=1\nMONOTONIC_USEC=%" PRIu64,
		 (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000);
	(void)xd_notify(msg);
	xd_config_defaults(&c);
	r = xd_config_load(&c, d->config_path, false, err, sizeof(err));
	if (r < 0) {
		log_error("reload: %s: %s, keeping the running configuration", d->config_path, err);
	} else {
		if (!xd_streq(c.socket_path, d->cfg.socket_path) ||
		    c.event_rcvbuf != d->cfg.event_rcvbuf || c.sa_events != d->cfg.sa_events ||
		    c.min_resync_interval_ms != d->cfg.min_resync_interval_ms ||
		    c.history != d->cfg.history || !xd_streq(c.metrics_listen, d->cfg.metrics_listen) ||
		    !xd_streq(c.user, d->cfg.user))
			log_warning("reload: socket, event_rcvbuf, sa_events, min_resync_interval, "
				    "history, metrics_listen and user take effect after a restart, "
				    "ignoring their new values");
		xd_strlcpy(c.metrics_listen, d->cfg.metrics_listen, sizeof(c.metrics_listen));
		xd_strlcpy(c.user, d->cfg.user, sizeof(c.user));
		c.history = d->cfg.history;
		xd_strlcpy(c.socket_path, d->cfg.socket_path, sizeof(c.socket_path));
		c.event_rcvbuf = d->cfg.event_rcvbuf;
		c.sa_events = d->cfg.sa_events;
		c.min_resync_interval_ms = d->cfg.min_resync_interval_ms;
		d->cfg = c;
		xd_log_max_level = c.debug ? LOG_DEBUG : LOG_INFO;
		gid = lookup_group(c.socket_group);
		xd_control_reconfigure(d->ctl, &c, gid);
		xd_http_set_group(d->http, gid);
		log_info("reloaded %s", d->config_path);
	}
	(void)xd_notify("READY=1");
}

/* Returns false when the loop must end. */
static bool read_signals(struct daemon *d)
{
	struct signalfd_siginfo si;

	while (read(d->sigfd, &si, sizeof(si)) == sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGTERM:
		case SIGINT:
			log_info("received %s, stopping", si.ssi_signo == SIGTERM ? "SIGTERM" : "SIGINT");
			return false;
		case SIGHUP:
			reload(d);
			break;
		case SIGCHLD: {
			int st;
			if (waitpid(d->colpid, &st, WNOHANG) == d->colpid) {
				log_error("the collector died (status %d), stopping", st);
				d->colpid = 0;
				d->collector_died = true;
				return false;
			}
			break;
		}
		}
	}
	return true;
}

static void watchdog(struct daemon *d, uint64_t now)
{
	uint64_t usec = xd_notify_watchdog_usec();

	if (!usec || now < d->next_watchdog)
		return;
	(void)xd_notify("WATCHDOG=1");
	d->next_watchdog = now + usec / 2000;
}

/*
 * When the next sample is due: at start at once, then the interval in effect after the end of
 * the last one. Derived rather than stored, so a reloaded interval and the collector's share
 * of a sample's cost (its stats frame arrives after the sample) apply by themselves.
 */
static uint64_t sample_due(const struct daemon *d)
{
	const struct xd_store *st = &d->store;

	return st->last_sample_mono_ms ? st->last_sample_mono_ms +
						 xd_store_sample_interval_ms(st, d->cfg.sample_interval_ms)
				       : 1;
}

static int timeout_until(uint64_t due, uint64_t now, int cur)
{
	int t;

	if (!due)
		return cur;
	t = due <= now ? 0 : (int)(due - now);
	return cur < 0 || t < cur ? t : cur;
}

static int loop(struct daemon *d)
{
	for (;;) {
		struct epoll_event evs[32];
		uint64_t now = xd_mono_ms();
		int timeout = -1, n;

		watchdog(d, now);
		if (!d->sample_pending && now >= sample_due(d)) {
			d->sample_pending = true;
			schedule_resync(d, 0);
		}
		if (d->inflight && now - d->inflight_since > RESYNC_STUCK_MS) {
			log_warning("resync %u not answered in %d s, asking again", d->seq,
				    RESYNC_STUCK_MS / 1000);
			d->inflight = false;
			schedule_resync(d, 0);
		}
		/*
		 * A resync blocks this loop while the model is rebuilt (about 0.3 s at 10k
		 * policies): let replies being written drain first, for at most REPLY_GRACE_MS,
		 * so a client reading a large `show` is not starved by a stream of resyncs.
		 */
		if (d->resync_due && !d->inflight && now >= d->resync_due &&
		    (!xd_control_replies_pending(d->ctl) || now - d->resync_due >= REPLY_GRACE_MS))
			send_resync(d);
		if (d->resync_due && !d->inflight)
			timeout = timeout_until(now >= d->resync_due ? d->resync_due + REPLY_GRACE_MS
								      : d->resync_due,
						now, timeout);
		if (!d->sample_pending)
			timeout = timeout_until(sample_due(d), now, timeout);
		if (xd_notify_watchdog_usec())
			timeout = timeout_until(d->next_watchdog, now, timeout);
		{
			int ct = xd_control_tick(d->ctl, now);
			if (ct >= 0 && (timeout < 0 || ct < timeout))
				timeout = ct;
		}
		if (d->http) {
			int ht = xd_http_timeout_ms(d->http);
			if (ht >= 0 && (timeout < 0 || ht < timeout))
				timeout = ht;
		}
		if (d->inflight) /* wake up to notice a stuck resync */
			timeout = timeout_until(d->inflight_since + RESYNC_STUCK_MS + 1, now, timeout);

		n = epoll_wait(d->epfd, evs, XD_ARRAY_SIZE(evs), timeout);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return xd_log_errno(LOG_ERR, -errno, "epoll_wait failed: %m");
		}
		/* timeouts and request deadlines of the HTTP endpoint, also while other fds are busy */
		if (d->http && (n == 0 || xd_http_timeout_ms(d->http) == 0))
			xd_http_run(d->http);
		for (int i = 0; i < n; i++) {
			void *tag = evs[i].data.ptr;
			if (tag == &d->sig_tag) {
				/* SIGTERM stops cleanly; a dead collector is a failure (exit 1, so
				 * systemd's Restart=on-failure applies) whichever of its SIGCHLD and
				 * the EOF on its socket is seen first */
				if (!read_signals(d))
					return d->collector_died ? -EPIPE : 0;
			} else if (tag == &d->col_tag) {
				if (read_collector(d) < 0 || d->collector_lost)
					return -EPIPE;
			} else if (tag == &d->http_tag) {
				xd_http_run(d->http);
			} else {
				xd_control_dispatch(d->ctl, tag, evs[i].events);
			}
		}
	}
}

static int add_fd(int epfd, int fd, void *tag)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = tag };

	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

/*
 * The directory of a socket, created for the daemon's user when missing (what RuntimeDirectory=
 * does in the unit); an existing one is left alone.
 */
static void make_socket_dir(const char *sock, uid_t uid, gid_t gid)
{
	char dir[128], *slash;

	xd_strlcpy(dir, sock, sizeof(dir));
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return;
	*slash = 0;
	if (mkdir(dir, 0750) == 0 && chown(dir, uid, gid) < 0)
		log_warning("cannot give '%s' to uid %u gid %u: %m, ignoring", dir, (unsigned)uid,
			    (unsigned)gid);
}

/*
 * Started as root (not by the unit, which starts us as User=xfrmd with the one capability in
 * AmbientCapabilities=): become the configured user the same way, so that neither process
 * keeps uid 0. The collector then keeps CAP_NET_ADMIN and the main process nothing, exactly as
 * under the unit. `user = root` keeps uid 0 on purpose.
 */
static int become_user(const struct xd_config *cfg)
{
	const char *metrics_sock = xd_http_unix_path(cfg->metrics_listen);
	struct passwd *pw;
	struct group *g;
	char name[sizeof(cfg->user)];
	uid_t uid;
	gid_t gid;
	int r;

	if (getuid() != 0 && geteuid() != 0)
		return 0;
	if (xd_streq(cfg->user, "root")) {
		log_warning("running as root ('user = root'): the main process parses client "
			    "requests as uid 0");
		return 0;
	}
	errno = 0;
	pw = getpwnam(cfg->user);
	if (!pw) {
		log_error("started as root, but user '%s' does not exist (create it with "
			  "systemd-sysusers, or set 'user' in the configuration)", cfg->user);
		return -ENOENT;
	}
	if (pw->pw_uid == 0)
		return 0;
	xd_strlcpy(name, pw->pw_name, sizeof(name));
	uid = pw->pw_uid;
	gid = pw->pw_gid;
	/* the readers' group as the primary one, like Group=xfrmd-read in the unit */
	g = getgrnam(cfg->socket_group);
	if (g)
		gid = g->gr_gid;
	make_socket_dir(cfg->socket_path, uid, gid);
	if (metrics_sock)
		make_socket_dir(metrics_sock, uid, gid);
	r = xd_privs_switch_user(name, uid, gid, 1ull << CAP_NET_ADMIN);
	if (r < 0)
		return xd_log_errno(LOG_ERR, r, "becoming user '%s' failed: %m", name);
	log_info("started as root: running as user %s (uid %u, gid %u), collector with "
		 "CAP_NET_ADMIN only", name, (unsigned)uid, (unsigned)gid);
	return 0;
}

static void stop_collector(struct daemon *d)
{
	if (d->colfd >= 0)
		close(d->colfd); /* EOF ends the collector's loop */
	d->colfd = -1;
	if (d->colpid > 0) {
		for (int i = 0; i < 50; i++) { /* at most 0.5 s: the collector has nothing to flush */
			if (waitpid(d->colpid, NULL, WNOHANG) == d->colpid) {
				d->colpid = 0;
				return;
			}
			usleep(10000);
		}
		(void)kill(d->colpid, SIGKILL);
		(void)waitpid(d->colpid, NULL, 0);
		d->colpid = 0;
	}
}

int xd_daemon_run(const struct xd_config *cfg, const char *config_path)
{
	struct daemon d = { .cfg = *cfg, .config_path = config_path, .sigfd = -1, .colfd = -1,
			    .epfd = -1 };
	sigset_t mask;
	gid_t gid;
	int r, ret = 1;

	d.stats.started_ms = xd_mono_ms();
	d.replies = (struct xd_replies){ .store = &d.store, .loop = &d.stats, .cfg = &d.cfg };
	signal(SIGPIPE, SIG_IGN);
	r = xd_notify_init();
	if (r < 0)
		xd_log_errno(LOG_WARNING, r, "NOTIFY_SOCKET unusable: %m, ignoring");
	if (become_user(cfg) < 0)
		return 1;
	/* the collector first: it must not inherit the control socket or the signalfd */
	d.colpid = xd_collector_start(cfg, &d.colfd);
	if (d.colpid < 0) {
		xd_log_errno(LOG_ERR, d.colpid, "starting the collector failed: %m");
		return 1;
	}
	d.epfd = epoll_create1(EPOLL_CLOEXEC);
	if (d.epfd < 0) {
		xd_log_errno(LOG_ERR, -errno, "epoll_create1: %m");
		goto out;
	}
	gid = lookup_group(cfg->socket_group);
	r = xd_control_open(&d.ctl, cfg, gid, d.epfd, xd_replies_handle, &d.replies);
	if (r < 0) {
		xd_log_errno(LOG_ERR, r, "control socket '%s': %m%s", cfg->socket_path,
			     r == -EACCES ? " (its directory must be writable by the daemon's user)"
					  : "");
		goto out;
	}
	d.replies.ctl = d.ctl;
	/* like the control socket, made while a root start could still give it its group */
	if (cfg->metrics_listen[0]) {
		r = xd_http_start(&d.http, cfg->metrics_listen, gid, d.epfd, &d.http_tag,
				  xd_replies_http_metrics, &d.replies);
		if (r < 0) {
			xd_log_errno(LOG_ERR, r, "metrics endpoint on %s: %m%s", cfg->metrics_listen,
				     r == -EOPNOTSUPP ? " (built without libmicrohttpd)" : "");
			goto out;
		}
		if (xd_http_unix_path(cfg->metrics_listen))
			log_info("serving /metrics over HTTP on the Unix socket %s",
				 xd_http_unix_path(cfg->metrics_listen));
		else
			log_info("serving metrics on http://%s/metrics", cfg->metrics_listen);
	}
	/* from here on this process parses client bytes: it keeps no capability at all */
	r = xd_privs_restrict(0);
	if (r < 0) {
		xd_log_errno(LOG_ERR, r, "dropping capabilities failed: %m");
		goto out;
	}
	(void)prctl(PR_SET_NAME, "xfrmd", 0, 0, 0);
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0 ||
	    (d.sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK)) < 0) {
		xd_log_errno(LOG_ERR, -errno, "signalfd: %m");
		goto out;
	}
	/* the collector may already have died before SIGCHLD was blocked */
	if (waitpid(d.colpid, NULL, WNOHANG) == d.colpid) {
		d.colpid = 0;
		log_error("the collector exited at start");
		goto out;
	}
	d.rxbuf = malloc(sizeof(struct xd_frame_hdr) + XD_FRAME_MAX_PAYLOAD);
	if (!d.rxbuf || xd_store_init(&d.store, cfg->history) < 0) {
		log_error("out of memory");
		goto out;
	}
	xd_frame_rx_init(&d.rx);
	if ((r = add_fd(d.epfd, d.sigfd, &d.sig_tag)) < 0 ||
	    (r = add_fd(d.epfd, d.colfd, &d.col_tag)) < 0) {
		xd_log_errno(LOG_ERR, r, "epoll_ctl: %m");
		goto out;
	}
	/* the first sample is due at once (sample_due); READY=1 when it is in */
	log_info("started: collector pid %d, socket %s", (int)d.colpid, cfg->socket_path);
	r = loop(&d);
	ret = r < 0 ? 1 : 0;
	(void)xd_notify("STOPPING=1");
	xd_frame_rx_done(&d.rx);
out:
	xd_http_stop(d.http);
	xd_control_close(d.ctl);
	stop_collector(&d);
	xd_store_done(&d.store);
	free(d.rxbuf);
	if (d.sigfd >= 0)
		close(d.sigfd);
	if (d.epfd >= 0)
		close(d.epfd);
	xd_notify_close();
	return ret;
}
