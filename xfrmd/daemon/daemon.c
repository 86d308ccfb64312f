/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * daemon.c: the main process. Starts the collector, creates the control socket, drops every
 * capability, then runs one epoll loop that never blocks: collector frames, client requests,
 * signals (signalfd) and timers (the epoll timeout: debounced resync, periodic sample,
 * watchdog, client deadlines). Kernel state reaches it only as scrubbed records (publish.c
 * turns them into the model); clients are answered by replies.c.
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

#include "collector.h"
#include "daemon-internal.h"
#include "daemon.h"
#include "log.h"
#include "notify.h"
#include "privs.h"
#include "xfrmd/analysis.h"
#include "xfrmd/kb.h"
#include "xfrmd/recbuf.h"
#include "xfrmd/model.h"

#define RESYNC_STUCK_MS 30000 /* a resync not answered by then is asked again */
#define REPLY_GRACE_MS 2000   /* how long a due resync waits for replies being written */

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

void xd_daemon_schedule_resync(struct daemon *d, uint32_t delay_ms)
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
		xd_daemon_schedule_resync(d, 1000);
		return;
	}
	d->inflight = true;
	d->inflight_since = xd_mono_ms();
	d->resync_due = 0;
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
			d->bad_frames++;
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
			xd_daemon_on_event(d, &out.event);
			break;
		case XD_RX_STATS:
			d->colst = out.stats;
			break;
		case XD_RX_NONE:
			break;
		default:
			d->bad_frames++;
			log_warning("bad frame from the collector (%d), ignoring", r);
		}
	}
	return 0;
}

static int read_collector(struct daemon *d)
{
	struct xd_recbuf *done = NULL;
	int r = read_frames(d, &done);

	if (done)
		xd_daemon_publish(d, done);
	return r;
}

void xd_daemon_drain_events(struct daemon *d)
{
	struct xd_recbuf *late = NULL;

	/* nothing is in flight while a resync is published: no resync can complete here */
	if (d->colfd >= 0 && read_frames(d, &late) < 0)
		d->collector_lost = true;
	xd_recbuf_free(late);
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
 * A sample is a full resync: at 100k SAs that is seconds of CPU. Samples are therefore spaced
 * at least SAMPLE_COST_FACTOR times the CPU of the latest resync (collector and model) apart,
 * so sampling stays under 1/SAMPLE_COST_FACTOR of a core whatever the configured interval;
 * small models keep the configured interval.
 */
#define SAMPLE_COST_FACTOR 100

double xd_daemon_resync_cpu_s(const struct daemon *d)
{
	return (double)d->colst.last_resync_cpu_ns / 1e9 + d->last_process_cpu_s;
}

uint64_t xd_daemon_sample_interval_ms(const struct daemon *d)
{
	double work_s = xd_daemon_resync_cpu_s(d);
	uint64_t spaced = (uint64_t)(work_s * 1000.0 * SAMPLE_COST_FACTOR);

	return spaced > d->cfg.sample_interval_ms ? spaced : d->cfg.sample_interval_ms;
}

/*
 * When the next sample is due: at start at once, then the interval in effect after the end of
 * the last one. Derived rather than stored, so a reloaded interval and the collector's share
 * of a sample's cost (its stats frame arrives after the sample) apply by themselves.
 */
static uint64_t sample_due(const struct daemon *d)
{
	return d->last_sample_done ? d->last_sample_done + xd_daemon_sample_interval_ms(d) : 1;
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
			xd_daemon_schedule_resync(d, 0);
		}
		if (d->inflight && now - d->inflight_since > RESYNC_STUCK_MS) {
			log_warning("resync %u not answered in %d s, asking again", d->seq,
				    RESYNC_STUCK_MS / 1000);
			d->inflight = false;
			xd_daemon_schedule_resync(d, 0);
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

/*
 * The known-issues base, found as xfrmctl finds it (xd_kb_default_path), so that `check`
 * answers the same whether the daemon serves it or xfrmctl collects itself.
 */
static struct xd_kb *load_known_issues(void)
{
	struct xd_kb *kb = NULL;
	char err[512];

	if (xd_kb_load_default(&kb, err, sizeof(err)) < 0) {
		log_warning("%s: known-issue checks skipped", err);
		return NULL;
	}
	log_debug("known issues: %zu entries", kb->n);
	return kb;
}

int xd_daemon_run(const struct xd_config *cfg, const char *config_path)
{
	struct daemon d = { .cfg = *cfg, .config_path = config_path, .sigfd = -1, .colfd = -1,
			    .epfd = -1 };
	sigset_t mask;
	gid_t gid;
	int r, ret = 1;

	d.started_ms = xd_mono_ms();
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
	r = xd_control_open(&d.ctl, cfg, gid, d.epfd, xd_daemon_handle_request, &d);
	if (r < 0) {
		xd_log_errno(LOG_ERR, r, "control socket '%s': %m%s", cfg->socket_path,
			     r == -EACCES ? " (its directory must be writable by the daemon's user)"
					  : "");
		goto out;
	}
	/* like the control socket, made while a root start could still give it its group */
	if (cfg->metrics_listen[0]) {
		r = xd_http_start(&d.http, cfg->metrics_listen, gid, d.epfd, &d.http_tag,
				  xd_daemon_http_metrics, &d);
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
	d.ring = calloc(cfg->history, sizeof(*d.ring));
	if (!d.rxbuf || !d.ring) {
		log_error("out of memory");
		goto out;
	}
	d.kb = load_known_issues();
	xd_frame_rx_init(&d.rx);
	xd_lifecycle_init(&d.life);
	xd_tunnels_init(&d.tunnels);
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
	xd_lifecycle_done(&d.life);
	xd_tunnels_done(&d.tunnels);
out:
	xd_http_stop(d.http);
	xd_control_close(d.ctl);
	stop_collector(&d);
	if (d.prev2 != d.prev && d.prev2 != d.cur)
		xd_analysis_free(d.prev2);
	if (d.prev != d.cur)
		xd_analysis_free(d.prev);
	xd_analysis_free(d.cur);
	xd_kb_free(d.kb);
	xd_recbuf_free(d.cur_records);
	free(d.rxbuf);
	free(d.ring);
	if (d.sigfd >= 0)
		close(d.sigfd);
	if (d.epfd >= 0)
		close(d.epfd);
	xd_notify_close();
	return ret;
}
