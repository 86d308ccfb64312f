/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * control.c: the control socket. Every client is independent: a malformed, oversized or
 * silent client is answered with an error or dropped, and a slow watcher is cut off when its
 * queue passes the limit, without delaying anyone else. Nothing here blocks: sockets are
 * non-blocking and output waits in per-client queues until EPOLLOUT.
 */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "control.h"
#include "log.h"
#include "xfrmd/util.h"

#define CHUNK (32u * 1024)   /* bytes per SEQPACKET message of a reply */
#define MAX_GROUPS 256

enum { TAG_LISTEN = 1, TAG_CLIENT = 2 };

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
static int clear_stale(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, r;

	xd_strlcpy(sa.sun_path, path, sizeof(sa.sun_path));
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
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
	r = clear_stale(cfg->socket_path);
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

static void client_free(struct xd_client *c)
{
	struct xd_control *ctl = c->ctl;

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
	}
	c->qoff = c->qlen = 0;
	arm(c, false);
	return c->closing ? -1 : 0;
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

void xd_client_send_error(struct xd_client *c, const char *code, const char *message)
{
	struct json_object *o = json_object_new_object(), *e = json_object_new_object();
	const char *s;

	json_object_object_add(e, "code", json_object_new_string(code));
	json_object_object_add(e, "message", json_object_new_string(message));
	json_object_object_add(o, "error", e);
	s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	enqueue(c, s, strlen(s), false);
	enqueue(c, "\n", 1, false);
	json_object_put(o);
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
	for (int i = 0; i < 16; i++) {
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
		if (n == 0) { /* orderly close */
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

	for (c = ctl->clients; c; c = next) {
		next = c->next;
		if (!c->deadline_ms || c->watching)
			continue;
		if (now >= c->deadline_ms) {
			log_debug("control: client pid %d idle too long, disconnecting", (int)c->pid);
			client_free(c);
			continue;
		}
		if (soonest < 0 || (int64_t)(c->deadline_ms - now) < soonest)
			soonest = (int64_t)(c->deadline_ms - now);
	}
	return (int)soonest;
}
