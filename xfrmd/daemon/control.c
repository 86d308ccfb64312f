/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * control.c: the control socket. Every client is independent: a malformed, oversized or
 * silent client is answered with an error or dropped, and a slow watcher is cut off when its
 * queue passes the limit, without delaying anyone else. Nothing here blocks: sockets are
 * non-blocking and output waits in per-client queues until EPOLLOUT.
 *
 * Replies that grow with the model (show, check, records, ...) are not rendered here at all:
 * a forked child renders one straight into the client's socket, as fast as that client reads
 * (see xd_client_stream()). So the loop never spends the CPU of a reply nobody reads, never
 * holds a whole reply in memory, and the model the child renders cannot change or be freed
 * under it (the child has its own copy-on-write image of it).
 */
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "control.h"
#include "log.h"
#include "xfrmd/util.h"

#define CHUNK (32u * 1024)   /* bytes per SEQPACKET message of a reply */
#define MAX_GROUPS 256

enum { TAG_LISTEN = 1, TAG_CLIENT = 2, TAG_JOB = 3 };

/* What a reply child reports on its pipe before it exits. */
enum { JOB_DONE = 0, JOB_GONE, JOB_STALLED, JOB_FAILED };

struct xd_client {
	int tag; /* TAG_CLIENT: first member, epoll data.ptr points here */
	int fd;
	struct xd_control *ctl;
	struct xd_client *next;
	uid_t uid;
	pid_t pid;
	char *q; /* output queue */
	size_t qoff, qlen, qcap;
	uint64_t deadline_ms; /* request must arrive by then (0 = none) */
	uint64_t progress_ms; /* queued output last moved (or was queued into an empty queue) */
	int job_tag;  /* TAG_JOB: epoll data.ptr of job_fd points here */
	int job_fd;   /* read end of the reply child's status pipe, -1 = no child */
	pid_t job_pid;
	uint64_t job_queued; /* a streamed reply waits for its child (FIFO order); 0 = none */
	xd_client_render_fn job_fn;
	void *job_userdata;
	unsigned char job_arg[16];
	size_t job_arg_size;
	bool watching;
	bool closing;  /* close when the queue is empty */
	bool want_out; /* EPOLLOUT armed */
};

struct xd_control {
	int tag; /* TAG_LISTEN */
	int fd;
	int epfd;
	char path[108];
	gid_t gid;
	size_t queue_limit;
	uint32_t request_timeout_ms;
	uint32_t max_clients;
	xd_control_handler handler;
	void *userdata;
	struct xd_client *clients;
	size_t nclients;
	uint64_t cutoffs;
	char *rxbuf;
	pid_t *reap; /* reply children that ended but were not yet reaped */
	size_t nreap;
	uint64_t job_seq;
	size_t jobs_queued; /* clients whose reply child is not started yet */
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

bool xd_control_peer_allowed(uid_t uid, gid_t gid, const gid_t *groups, size_t ngroups,
			     gid_t allowed)
{
	if (uid == 0)
		return true;
	if (allowed == (gid_t)-1)
		return false;
	if (gid == allowed)
		return true;
	for (size_t i = 0; i < ngroups; i++)
		if (groups[i] == allowed)
			return true;
	return false;
}

/* A socket file left by a crashed instance is removed; a live one means we must not start. */
int xd_unix_clear_stale(const char *path, int type)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, r;

	xd_strlcpy(sa.sun_path, path, sizeof(sa.sun_path));
	fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	r = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	close(fd);
	if (r == 0)
		return -EADDRINUSE;
	if (unlink(path) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

int xd_control_open(struct xd_control **ret, const struct xd_config *cfg, gid_t gid, int epfd,
		    xd_control_handler handler, void *userdata)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct epoll_event ev = { .events = EPOLLIN };
	struct xd_control *ctl;
	char dir[108], *slash;
	mode_t old;
	int r;

	ctl = calloc(1, sizeof(*ctl));
	if (!ctl)
		return -ENOMEM;
	ctl->tag = TAG_LISTEN;
	ctl->epfd = epfd;
	ctl->handler = handler;
	ctl->userdata = userdata;
	ctl->fd = -1;
	xd_strlcpy(ctl->path, cfg->socket_path, sizeof(ctl->path));
	xd_control_reconfigure(ctl, cfg, gid);
	ctl->rxbuf = malloc(XD_REQUEST_MAX_BYTES + 1);
	if (!ctl->rxbuf) {
		free(ctl);
		return -ENOMEM;
	}
	xd_strlcpy(dir, cfg->socket_path, sizeof(dir));
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = 0;
		if (mkdir(dir, 0750) == 0) {
			if (gid != (gid_t)-1 && chown(dir, (uid_t)-1, gid) < 0)
				log_warning("cannot give '%s' to group %u: %m, ignoring", dir,
					    (unsigned)gid);
		} else if (errno != EEXIST) {
			r = -errno;
			goto fail;
		}
	}
	r = xd_unix_clear_stale(cfg->socket_path, SOCK_SEQPACKET);
	if (r < 0)
		goto fail;
	ctl->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (ctl->fd < 0) {
		r = -errno;
		goto fail;
	}
	xd_strlcpy(sa.sun_path, cfg->socket_path, sizeof(sa.sun_path));
	/* no window in which the socket exists with looser permissions */
	old = umask(0177);
	r = bind(ctl->fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (r < 0) {
		r = -errno;
		goto fail;
	}
	if (gid != (gid_t)-1) {
		if (chown(cfg->socket_path, (uid_t)-1, gid) < 0)
			log_warning("cannot give the control socket to group %u: %m, only root may "
				    "connect", (unsigned)gid);
		else if (chmod(cfg->socket_path, 0660) < 0)
			log_warning("cannot make the control socket group-accessible: %m, ignoring");
	}
	if (listen(ctl->fd, 64) < 0) {
		r = -errno;
		goto fail;
	}
	ev.data.ptr = ctl;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, ctl->fd, &ev) < 0) {
		r = -errno;
		goto fail;
	}
	*ret = ctl;
	return 0;
fail:
	if (ctl->fd >= 0) {
		close(ctl->fd);
		(void)unlink(cfg->socket_path);
	}
	free(ctl->rxbuf);
	free(ctl);
	return r;
}

void xd_control_reconfigure(struct xd_control *ctl, const struct xd_config *cfg, gid_t gid)
{
	ctl->gid = gid;
	ctl->queue_limit = cfg->client_queue_bytes;
	ctl->request_timeout_ms = cfg->request_timeout_ms;
	ctl->max_clients = cfg->max_clients;
}

/* A child that ended (or was killed) is reaped now, or at a later tick if it has not quite
 * exited yet: the loop never waits for it. */
static void reap_later(struct xd_control *ctl, pid_t pid)
{
	pid_t *r;

	if (waitpid(pid, NULL, WNOHANG) != 0)
		return;
	r = realloc(ctl->reap, (ctl->nreap + 1) * sizeof(*r));
	if (!r) { /* cannot happen in practice; a short wait is better than a zombie */
		(void)waitpid(pid, NULL, 0);
		return;
	}
	ctl->reap = r;
	ctl->reap[ctl->nreap++] = pid;
}

static void reap_some(struct xd_control *ctl)
{
	for (size_t i = 0; i < ctl->nreap;)
		if (waitpid(ctl->reap[i], NULL, WNOHANG) != 0)
			ctl->reap[i] = ctl->reap[--ctl->nreap];
		else
			i++;
}

static void job_end(struct xd_client *c, bool kill_it)
{
	if (c->job_fd < 0)
		return;
	(void)epoll_ctl(c->ctl->epfd, EPOLL_CTL_DEL, c->job_fd, NULL);
	close(c->job_fd);
	c->job_fd = -1;
	if (kill_it)
		(void)kill(c->job_pid, SIGKILL);
	reap_later(c->ctl, c->job_pid);
	c->job_pid = 0;
}

static void client_free(struct xd_client *c)
{
	struct xd_control *ctl = c->ctl;

	job_end(c, true);
	if (c->job_queued)
		ctl->jobs_queued--;

	for (struct xd_client **pp = &ctl->clients; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	ctl->nclients--;
	(void)epoll_ctl(ctl->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	free(c->q);
	free(c);
}

void xd_control_close(struct xd_control *ctl)
{
	if (!ctl)
		return;
	while (ctl->clients)
		client_free(ctl->clients);
	/* killed above: reaping them is quick */
	for (size_t i = 0; i < ctl->nreap; i++)
		(void)waitpid(ctl->reap[i], NULL, 0);
	free(ctl->reap);
	if (ctl->fd >= 0) {
		close(ctl->fd);
		if (unlink(ctl->path) < 0 && errno != ENOENT)
			log_warning("cannot remove '%s': %m, ignoring", ctl->path);
	}
	free(ctl->rxbuf);
	free(ctl);
}

/*
 * While output is pending a client is polled for EPOLLOUT only: it cannot queue a second
 * reply before reading the first, so one client holds at most one reply in memory.
 */
static void arm(struct xd_client *c, bool out)
{
	struct epoll_event ev = { .events = out ? EPOLLOUT : EPOLLIN, .data.ptr = c };

	if (c->want_out == out)
		return;
	c->want_out = out;
	(void)epoll_ctl(c->ctl->epfd, EPOLL_CTL_MOD, c->fd, &ev);
}

/* Write as much of the queue as the socket takes. Returns -1 when the client is gone. */
static int flush(struct xd_client *c)
{
	while (c->qoff < c->qlen) {
		size_t n = c->qlen - c->qoff;
		ssize_t w = send(c->fd, c->q + c->qoff, n > CHUNK ? CHUNK : n,
				 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN) {
				arm(c, true);
				return 0;
			}
			return -1;
		}
		c->qoff += (size_t)w;
		c->progress_ms = now_ms();
	}
	c->qoff = c->qlen = 0;
	arm(c, false);
	if (c->closing)
		return -1;
	/* request_timeout is for reading a request: it starts once the reply is out */
	if (!c->watching)
		c->deadline_ms = now_ms() + c->ctl->request_timeout_ms;
	return 0;
}

/* `limited`: watch events, which a slow reader must not pile up; replies are bounded by the
 * snapshot size and one per client (see arm()). */
static void enqueue(struct xd_client *c, const char *buf, size_t len, bool limited)
{
	if (c->closing)
		return;
	if (limited && c->qlen - c->qoff + len > c->ctl->queue_limit) {
		static const char cut[] = "{\"error\":{\"code\":\"ENOBUFS\",\"message\":\"client too "
					  "slow: output queue limit reached, events were dropped; "
					  "reconnect and resync\"}}\n";
		log_notice("control: cutting off client pid %d uid %u: output queue over %zu bytes",
			   (int)c->pid, (unsigned)c->uid, c->ctl->queue_limit);
		c->ctl->cutoffs++;
		c->qoff = c->qlen = 0;
		c->closing = true;
		/* the final line replaces the queue: that much always fits */
		free(c->q);
		c->q = malloc(sizeof(cut));
		c->qcap = c->q ? sizeof(cut) : 0;
		if (c->q) {
			memcpy(c->q, cut, sizeof(cut) - 1);
			c->qlen = sizeof(cut) - 1;
		}
		return;
	}
	if (c->qoff && c->qoff == c->qlen)
		c->qoff = c->qlen = 0;
	if (c->qlen == c->qoff)
		c->progress_ms = now_ms(); /* the write-stall clock starts with the output */
	if (c->qlen + len > c->qcap) {
		size_t cap = c->qcap ? c->qcap : 4096;
		char *q;
		/* compact before growing, so a steady watcher keeps a small buffer */
		if (c->qoff) {
			memmove(c->q, c->q + c->qoff, c->qlen - c->qoff);
			c->qlen -= c->qoff;
			c->qoff = 0;
		}
		while (cap < c->qlen + len)
			cap *= 2;
		if (cap > c->qcap) {
			q = realloc(c->q, cap);
			if (!q) {
				c->closing = true;
				return;
			}
			c->q = q;
			c->qcap = cap;
		}
	}
	memcpy(c->q + c->qlen, buf, len);
	c->qlen += len;
}

void xd_client_send(struct xd_client *c, const char *buf, size_t len)
{
	enqueue(c, buf, len, false);
	if (flush(c) < 0)
		client_free(c);
}

/* One error line (with its newline) in a json-c string owned by *ret_o. */
static const char *error_line(struct json_object **ret_o, const char *code, const char *message)
{
	struct json_object *o = json_object_new_object(), *e = json_object_new_object();

	json_object_object_add(e, "code", json_object_new_string(code));
	json_object_object_add(e, "message", json_object_new_string(message));
	json_object_object_add(o, "error", e);
	*ret_o = o;
	return json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
}

void xd_client_send_error(struct xd_client *c, const char *code, const char *message)
{
	struct json_object *o;
	const char *s = error_line(&o, code, message);

	enqueue(c, s, strlen(s), false);
	enqueue(c, "\n", 1, false);
	json_object_put(o);
}

/* --- replies rendered by a child process ------------------------------------------------ */

static void do_accept(struct xd_control *ctl);
static void do_read(struct xd_client *c);
static bool readable(int fd);
static bool peer_closed(int fd);

struct job_out {
	int fd;
	int wfd; /* the status pipe */
	size_t sent;
	int status; /* JOB_GONE / JOB_STALLED once writing failed */
};

/* The child's end: its status on the pipe, then nothing else (no atexit, no stdio). */
static _Noreturn void job_exit(const struct job_out *o, int status)
{
	unsigned char st = (unsigned char)status;

	(void)!write(o->wfd, &st, 1);
	_exit(0);
}

/* Send one message, waiting (in the child only) while the client does not read. */
static int job_send(struct job_out *o, const char *p, size_t n)
{
	for (;;) {
		struct pollfd pfd = { .fd = o->fd, .events = POLLOUT };
		ssize_t w = send(o->fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
		int r;

		if (w >= 0) {
			o->sent += (size_t)w;
			return 0;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN) {
			o->status = JOB_GONE;
			return -1;
		}
		r = poll(&pfd, 1, XD_CONTROL_WRITE_STALL_MS);
		if (r == 0) {
			o->status = JOB_STALLED;
			return -1;
		}
		if (r < 0 && errno != EINTR) {
			o->status = JOB_GONE;
			return -1;
		}
	}
}

static ssize_t job_write(void *cookie, const char *buf, size_t len)
{
	struct job_out *o = cookie;

	for (size_t off = 0; off < len; off += CHUNK)
		if (job_send(o, buf + off, len - off > CHUNK ? CHUNK : len - off) < 0)
			/* the client is gone or stopped reading: rendering the rest (renderers
			 * do not all stop at a write error) would only burn CPU */
			job_exit(o, o->status);
	return (ssize_t)len;
}

/* The child keeps the client, its status pipe and stdio: another client's socket held open
 * here would hide that client's disconnection from it. */
static void close_other_fds(int a, int b)
{
	unsigned lo = (unsigned)(a < b ? a : b), hi = (unsigned)(a < b ? b : a);
	DIR *dir;
	struct dirent *de;

#ifdef SYS_close_range
	if ((lo <= 3 || syscall(SYS_close_range, 3u, lo - 1, 0u) == 0) &&
	    (hi <= lo + 1 || syscall(SYS_close_range, lo + 1, hi - 1, 0u) == 0) &&
	    syscall(SYS_close_range, hi + 1, ~0u, 0u) == 0)
		return;
#endif
	dir = opendir("/proc/self/fd");
	if (!dir)
		return;
	while ((de = readdir(dir))) {
		int fd = atoi(de->d_name);
		if (fd > 2 && fd != a && fd != b && fd != dirfd(dir))
			close(fd);
	}
	closedir(dir);
}

static _Noreturn void job_child(struct xd_client *c, int wfd, pid_t parent)
{
	struct job_out o = { .fd = c->fd, .wfd = wfd, .status = JOB_DONE };
	cookie_io_functions_t io = { .write = job_write };
	sigset_t none;
	FILE *f;
	int r;

	/* never outlive the daemon (this child holds its model and a client) */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || getppid() != parent)
		_exit(1);
	close_other_fds(c->fd, wfd);
	/* the daemon's signals are its signalfd's, not ours */
	sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
	f = fopencookie(&o, "w", io);
	if (!f || setvbuf(f, NULL, _IOFBF, CHUNK) != 0) {
		r = -ENOMEM;
	} else {
		/* a failed write ends the child in job_write(): below, the client still reads */
		r = c->job_fn(c->job_userdata, f, c->job_arg_size ? c->job_arg : NULL);
		if (fclose(f) != 0 && r >= 0)
			r = -EIO;
	}
	if (r < 0) {
		/* a reply is complete or ends with an error line: end a cut document's line first */
		struct json_object *e;
		const char *line = error_line(&e, r == -EAGAIN ? "EAGAIN" : r == -ENOMEM ? "ENOMEM"
												       : "EIO",
					      "producing the reply failed");
		char buf[512];
		int n = snprintf(buf, sizeof(buf), "%s%s\n", o.sent ? "\n" : "", line);
		if (n > 0 && (size_t)n < sizeof(buf))
			(void)job_send(&o, buf, (size_t)n);
		job_exit(&o, o.status != JOB_DONE ? o.status : JOB_FAILED);
	}
	job_exit(&o, JOB_DONE);
}

void xd_client_stream(struct xd_client *c, xd_client_render_fn fn, void *userdata,
		      const void *arg, size_t arg_size)
{
	if (c->closing || c->job_fd >= 0 || c->job_queued || arg_size > sizeof(c->job_arg))
		return;
	c->job_fn = fn;
	c->job_userdata = userdata;
	c->job_arg_size = arg_size;
	if (arg_size)
		memcpy(c->job_arg, arg, arg_size);
	c->job_queued = ++c->ctl->job_seq;
	c->ctl->jobs_queued++;
	c->deadline_ms = 0;
	/* the reply owns the socket until it is written: no events (HUP neither) meanwhile */
	(void)epoll_ctl(c->ctl->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	c->want_out = false;
}

/* Fork the child of the longest-waiting streamed reply. One per loop iteration: a fork costs
 * time in proportion to the daemon's memory, and cheap requests (status) that arrived
 * meanwhile are answered in between rather than after every queued fork. */
static void start_job(struct xd_control *ctl)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct xd_client *c = NULL, *next;
	pid_t parent = getpid(), pid;
	int p[2];

	/* first everything cheap that is already waiting: new connections and requests (a
	 * `status` answered now does not wait for this fork, nor for the next ones) */
	do_accept(ctl);
	for (struct xd_client *i = ctl->clients; i; i = next) {
		next = i->next;
		if (!i->watching && !i->closing && i->job_fd < 0 && !i->job_queued &&
		    i->qlen == i->qoff && readable(i->fd))
			do_read(i); /* may free i, nothing else */
	}
	for (;;) {
		c = NULL;
		for (struct xd_client *i = ctl->clients; i; i = i->next)
			if (i->job_queued && (!c || i->job_queued < c->job_queued))
				c = i;
		if (!c)
			return;
		/* no fork for a client that already left (its socket is not polled meanwhile) */
		if (!peer_closed(c->fd))
			break;
		client_free(c);
	}
	c->job_queued = 0;
	ctl->jobs_queued--;
	if (pipe2(p, O_CLOEXEC | O_NONBLOCK) < 0)
		goto fail;
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		goto fail;
	}
	if (pid == 0)
		job_child(c, p[1], parent);
	close(p[1]);
	c->job_tag = TAG_JOB;
	c->job_fd = p[0];
	c->job_pid = pid;
	ev.data.ptr = &c->job_tag;
	if (epoll_ctl(ctl->epfd, EPOLL_CTL_ADD, c->job_fd, &ev) < 0)
		client_free(c);
	return;
fail:
	log_warning("control: cannot start a reply for pid %d: %m", (int)c->pid);
	ev.data.ptr = c;
	if (epoll_ctl(ctl->epfd, EPOLL_CTL_ADD, c->fd, &ev) < 0) {
		client_free(c);
		return;
	}
	xd_client_send_error(c, "EAGAIN", "cannot start the reply now, try again");
	xd_client_send(c, "", 0);
}

/* The reply child ended: the client is served again, or dropped if its reply did not go out. */
static void job_done(struct xd_client *c)
{
	struct xd_control *ctl = c->ctl;
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c };
	unsigned char st = JOB_GONE;

	if (read(c->job_fd, &st, 1) != 1)
		st = JOB_GONE; /* died without a word */
	job_end(c, false);
	if (st == JOB_STALLED)
		log_notice("control: client pid %d uid %u read nothing of its reply for %d s, "
			   "disconnecting", (int)c->pid, (unsigned)c->uid,
			   XD_CONTROL_WRITE_STALL_MS / 1000);
	if (st != JOB_DONE || epoll_ctl(ctl->epfd, EPOLL_CTL_ADD, c->fd, &ev) < 0) {
		client_free(c);
		return;
	}
	c->want_out = false;
	c->deadline_ms = now_ms() + ctl->request_timeout_ms;
}

void xd_client_subscribe(struct xd_client *c)
{
	c->watching = true;
	c->deadline_ms = 0;
}

void xd_control_broadcast(struct xd_control *ctl, const char *line, size_t len)
{
	struct xd_client *c = ctl->clients, *next;

	for (; c; c = next) {
		next = c->next;
		if (!c->watching || c->closing)
			continue;
		enqueue(c, line, len, true);
		if (flush(c) < 0)
			client_free(c);
	}
}

bool xd_control_replies_pending(const struct xd_control *ctl)
{
	for (const struct xd_client *c = ctl->clients; c; c = c->next)
		if (!c->watching && c->qlen > c->qoff)
			return true;
	return false;
}

size_t xd_control_clients(const struct xd_control *ctl)
{
	return ctl->nclients;
}

uint64_t xd_control_cutoffs(const struct xd_control *ctl)
{
	return ctl->cutoffs;
}

static bool authorize(struct xd_control *ctl, int fd, struct ucred *cred)
{
	socklen_t len = sizeof(*cred);
	gid_t groups[MAX_GROUPS];
	socklen_t glen = sizeof(groups);
	size_t ng = 0;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, cred, &len) < 0)
		return false;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &glen) == 0)
		ng = glen / sizeof(gid_t);
	return xd_control_peer_allowed(cred->uid, cred->gid, groups, ng, ctl->gid);
}

/*
 * Closing a unix socket with unread input makes the peer's next read fail with ECONNRESET,
 * which a simple client may see before our one-line answer: drop what already arrived.
 */
static void discard_and_close(int fd)
{
	char sink[256];

	for (int i = 0; i < 4 && recv(fd, sink, sizeof(sink), MSG_DONTWAIT | MSG_TRUNC) > 0; i++)
		;
	close(fd);
}

static void do_accept(struct xd_control *ctl)
{
	/* up to a full backlog: a connection left waiting would also wait for a reply fork */
	for (int i = 0; i < 64; i++) {
		struct epoll_event ev = { .events = EPOLLIN };
		struct ucred cred = { 0 };
		struct xd_client *c;
		int fd = accept4(ctl->fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

		if (fd < 0) {
			if (errno != EAGAIN && errno != EINTR)
				log_warning("control: accept failed: %m, ignoring");
			return;
		}
		if (!authorize(ctl, fd, &cred)) {
			static const char no[] = "{\"error\":{\"code\":\"EACCES\",\"message\":\"permission "
						 "denied: not root and not in the allowed group\"}}\n";
			log_notice("control: refused pid %d uid %u gid %u: not in the allowed group",
				   (int)cred.pid, (unsigned)cred.uid, (unsigned)cred.gid);
			(void)send(fd, no, sizeof(no) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
			discard_and_close(fd);
			continue;
		}
		if (ctl->nclients >= ctl->max_clients) {
			static const char busy[] = "{\"error\":{\"code\":\"EBUSY\",\"message\":\"too many "
						   "clients\"}}\n";
			(void)send(fd, busy, sizeof(busy) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
			discard_and_close(fd);
			continue;
		}
		c = calloc(1, sizeof(*c));
		if (!c) {
			close(fd);
			continue;
		}
		c->tag = TAG_CLIENT;
		c->fd = fd;
		c->ctl = ctl;
		c->uid = cred.uid;
		c->pid = cred.pid;
		c->deadline_ms = now_ms() + ctl->request_timeout_ms;
		c->job_fd = -1;
		ev.data.ptr = c;
		if (epoll_ctl(ctl->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
			close(fd);
			free(c);
			continue;
		}
		c->next = ctl->clients;
		ctl->clients = c;
		ctl->nclients++;
		log_debug("control: client pid %d uid %u connected", (int)c->pid, (unsigned)c->uid);
	}
}

static bool readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 0) > 0;
}

static bool peer_closed(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLRDHUP };

	return poll(&p, 1, 0) != 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR));
}

static void do_read(struct xd_client *c)
{
	struct xd_control *ctl = c->ctl;
	struct xd_request req;
	const char *why = "";
	ssize_t n;
	int r;

	for (;;) {
		n = recv(c->fd, ctl->rxbuf, XD_REQUEST_MAX_BYTES + 1, MSG_DONTWAIT | MSG_TRUNC);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return;
			client_free(c);
			return;
		}
		/* SOCK_SEQPACKET reads 0 both for an empty message and at the peer's close: only
		 * the shutdown state tells them apart, and an empty message deserves an answer */
		if (n == 0 && peer_closed(c->fd)) {
			client_free(c);
			return;
		}
		if (c->closing || c->watching) /* watchers have nothing more to say */
			continue;
		r = xd_request_parse(ctl->rxbuf, (size_t)n, &req, &why);
		if (r < 0) {
			log_debug("control: bad request from pid %d: %s", (int)c->pid, why);
			xd_client_send_error(c, r == -EMSGSIZE ? "EMSGSIZE" : r == -EOPNOTSUPP ? "EOPNOTSUPP"
							   : "EINVAL", why);
			c->closing = true; /* one error, then goodbye: a confused client gets no more */
			if (flush(c) < 0)
				client_free(c);
			return;
		}
		c->deadline_ms = now_ms() + ctl->request_timeout_ms;
		ctl->handler(ctl->userdata, c, &req);
		/* the handler may have freed c (flush failure): touch nothing after it */
		return;
	}
}

void xd_control_dispatch(struct xd_control *ctl, void *tag, uint32_t events)
{
	if (*(int *)tag == TAG_LISTEN) {
		do_accept(ctl);
		return;
	}
	if (*(int *)tag == TAG_JOB) {
		job_done((struct xd_client *)((char *)tag - offsetof(struct xd_client, job_tag)));
		return;
	}
	struct xd_client *c = tag;
	if (events & (EPOLLERR | EPOLLHUP) && !(events & EPOLLIN)) {
		client_free(c);
		return;
	}
	if (events & EPOLLOUT && flush(c) < 0) {
		client_free(c);
		return;
	}
	if (events & EPOLLIN)
		do_read(c);
}

int xd_control_tick(struct xd_control *ctl, uint64_t now)
{
	struct xd_client *c, *next;
	int64_t soonest = -1;

	reap_some(ctl);
	if (ctl->nreap) /* a reply child is exiting: look again soon */
		soonest = 20;
	if (ctl->jobs_queued)
		start_job(ctl);
	if (ctl->jobs_queued) /* the next one after this iteration's events */
		soonest = 0;
	for (c = ctl->clients; c; c = next) {
		uint64_t due;

		next = c->next;
		/* a reply child has its own stall bound */
		if (c->watching || c->job_fd >= 0 || c->job_queued)
			continue;
		if (c->qlen > c->qoff) {
			/* a reply is being written: not idle, unless the client stopped reading */
			due = c->progress_ms + XD_CONTROL_WRITE_STALL_MS;
			if (now >= due) {
				log_notice("control: client pid %d uid %u read nothing of its reply for "
					   "%d s, disconnecting", (int)c->pid, (unsigned)c->uid,
					   XD_CONTROL_WRITE_STALL_MS / 1000);
				client_free(c);
				continue;
			}
		} else {
			/* a request that arrived in time but was not read yet (the loop was busy)
			 * is not the client's delay: it is read in this iteration */
			if (!c->deadline_ms || (now >= c->deadline_ms && readable(c->fd)))
				continue;
			due = c->deadline_ms;
			if (now >= due) {
				log_debug("control: client pid %d sent no request in time, disconnecting",
					  (int)c->pid);
				client_free(c);
				continue;
			}
		}
		if (soonest < 0 || (int64_t)(due - now) < soonest)
			soonest = (int64_t)(due - now);
	}
	return (int)soonest;
}
