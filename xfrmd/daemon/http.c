/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * http.c: GET /metrics over libmicrohttpd (issue 7: "use an existing small HTTP library
 * rather than a hand-written server"). Runs in the unprivileged main process, in external
 * polling mode: libmicrohttpd's epoll fd sits in the daemon's epoll set, so no thread ever
 * touches the daemon's state, and every socket is non-blocking, so no client can stall the
 * loop. Two kinds of listener:
 *  - a Unix socket ("unix:/run/xfrmd/metrics.sock"): mode 0660 in the socket group, and every
 *    peer checked with SO_PEERCRED like the control socket, so the per-peer map is readable by
 *    exactly the users who may read it over xfrmctl; a reverse proxy in that group can publish
 *    it further;
 *  - a loopback TCP address: any local user can connect, which the documentation says.
 * A client has a bounded time for each request (HTTP_REQUEST_DEADLINE_MS), however slowly it
 * trickles its bytes: libmicrohttpd's own timeout only measures idleness, so a client sending
 * one byte every few seconds would otherwise keep its slot, and a few of them every slot.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
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
#include "http.h"
#include "log.h"
#include "xfrmd/util.h"

/*
 * Slots for simultaneous connections. A scrape is one short request, so a handful is plenty
 * for honest clients; the deadline below is what frees slots held by dishonest ones.
 */
#define HTTP_MAX_CONNECTIONS 32
/*
 * libmicrohttpd's per-address limit tells remote hosts apart; every client of a loopback
 * listener is "127.0.0.1" (or any 127/8 address it binds to), and Unix peers have no address
 * at all. A limit below the total would let a few local connections lock the scraper out
 * (connections over it are refused, not queued), so it is the total here.
 */
#define HTTP_MAX_PER_IP HTTP_MAX_CONNECTIONS
/* libmicrohttpd's idle timeout: a connection with no traffic for this long is closed */
#define HTTP_IDLE_TIMEOUT_S 5
/* from accept (or the end of the previous request) to the end of the reply, at most */
#define HTTP_REQUEST_DEADLINE_MS 10000

#define UNIX_PREFIX "unix:"

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int parse_port(const char *s, uint16_t *ret, const char **why)
{
	uint32_t v = 0;

	*why = "needs a port 1..65535";
	if (!*s || strspn(s, "0123456789") != strlen(s) || strlen(s) > 5)
		return -EINVAL;
	for (; *s; s++)
		v = v * 10 + (uint32_t)(*s - '0');
	if (v < 1 || v > 65535)
		return -EINVAL;
	*ret = (uint16_t)v;
	return 0;
}

static int parse_inet(const char *addr, struct sockaddr_storage *ss, const char **why)
{
	char host[64];
	const char *port;
	uint16_t pn;
	size_t hl;
	int r;

	*why = "takes unix:/PATH, ADDRESS:PORT or [IPv6]:PORT";
	if (addr[0] == '[') {
		const char *end = strchr(addr, ']');
		if (!end || end[1] != ':')
			return -EINVAL;
		hl = (size_t)(end - addr - 1);
		if (hl >= sizeof(host))
			return -EINVAL;
		memcpy(host, addr + 1, hl);
		port = end + 2;
	} else {
		const char *colon = strrchr(addr, ':');
		if (!colon || memchr(addr, ':', (size_t)(colon - addr)))
			return -EINVAL; /* a bare IPv6 address needs brackets */
		hl = (size_t)(colon - addr);
		if (hl >= sizeof(host))
			return -EINVAL;
		memcpy(host, addr, hl);
		port = colon + 1;
	}
	host[hl] = 0;
	r = parse_port(port, &pn, why);
	if (r < 0)
		return r;
	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, host, &((struct sockaddr_in *)ss)->sin_addr) == 1) {
		struct sockaddr_in *in = (struct sockaddr_in *)ss;
		in->sin_family = AF_INET;
		in->sin_port = htons(pn);
		/* metrics reveal the tunnel map: only this host may ask */
		*why = "takes only loopback addresses (127.0.0.0/8, ::1) for TCP";
		return (ntohl(in->sin_addr.s_addr) >> 24) == 127 ? 0 : -EINVAL;
	}
	if (inet_pton(AF_INET6, host, &((struct sockaddr_in6 *)ss)->sin6_addr) == 1) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(pn);
		*why = "takes only loopback addresses (127.0.0.0/8, ::1) for TCP";
		return IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr) ? 0 : -EINVAL;
	}
	*why = "needs a numeric IPv4 or IPv6 address (no host names)";
	return -EINVAL;
}

static int parse_unix(const char *addr, char *path, size_t pathlen, const char **why)
{
	const char *p = addr + strlen(UNIX_PREFIX);

	*why = "needs an absolute path shorter than 108 bytes after unix:";
	if (p[0] != '/' || strlen(p) >= pathlen || strlen(p) >= sizeof(((struct sockaddr_un *)0)->sun_path))
		return -EINVAL;
	xd_strlcpy(path, p, pathlen);
	return 0;
}

int xd_http_check_addr(const char *addr, const char **ret_why)
{
	struct sockaddr_storage ss;
	char path[108];
	const char *why = "";
	int r;

	if (!strncmp(addr, UNIX_PREFIX, strlen(UNIX_PREFIX)))
		r = parse_unix(addr, path, sizeof(path), &why);
	else
		r = parse_inet(addr, &ss, &why);
	if (ret_why)
		*ret_why = r < 0 ? why : NULL;
	return r;
}

const char *xd_http_unix_path(const char *addr)
{
	return strncmp(addr, UNIX_PREFIX, strlen(UNIX_PREFIX)) ? NULL : addr + strlen(UNIX_PREFIX);
}

#ifdef XD_HAVE_MHD
#include <microhttpd.h>

#if MHD_VERSION < 0x00097100 /* enum MHD_Result since 0.9.71 */
typedef int MHD_Result_;
#else
typedef enum MHD_Result MHD_Result_;
#endif

/* One accepted connection, from libmicrohttpd's connection-started to -closed notification. */
struct conn {
	struct conn *next, *prev;
	int fd;
	bool allowed;         /* the SO_PEERCRED check passed (always true over TCP) */
	bool cut;             /* shut down at its deadline, waiting for libmicrohttpd to notice */
	uint64_t deadline_ms; /* the current request must be answered by then */
};

struct xd_http {
	struct MHD_Daemon *mhd;
	int epfd;
	int mhd_fd;
	char unix_path[108]; /* "" over TCP */
	gid_t gid;           /* the group allowed on the Unix socket; (gid_t)-1: root only */
	struct conn *conns;
	uint64_t cut;        /* connections closed at their deadline */
	xd_http_render_fn fn;
	void *userdata;
};

int xd_http_supported(void)
{
	return 1;
}

static bool peer_allowed(const struct xd_http *h, int fd)
{
	struct ucred cred = { 0 };
	socklen_t len = sizeof(cred);
	gid_t groups[64];
	socklen_t glen = sizeof(groups);
	size_t ng = 0;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return false;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &glen) == 0)
		ng = glen / sizeof(gid_t);
	if (xd_control_peer_allowed(cred.uid, cred.gid, groups, ng, h->gid))
		return true;
	log_notice("metrics: refused pid %d uid %u gid %u: not in the allowed group",
		   (int)cred.pid, (unsigned)cred.uid, (unsigned)cred.gid);
	return false;
}

static void notify_connection(void *cls, struct MHD_Connection *mc, void **socket_context,
			      enum MHD_ConnectionNotificationCode code)
{
	struct xd_http *h = cls;
	struct conn *c = *socket_context;

	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *info =
			MHD_get_connection_info(mc, MHD_CONNECTION_INFO_CONNECTION_FD);
		c = calloc(1, sizeof(*c));
		if (!c)
			return; /* the handler refuses a connection it knows nothing about */
		c->fd = info ? info->connect_fd : -1;
		c->deadline_ms = now_ms() + HTTP_REQUEST_DEADLINE_MS;
		c->allowed = !h->unix_path[0] || (c->fd >= 0 && peer_allowed(h, c->fd));
		c->next = h->conns;
		if (h->conns)
			h->conns->prev = c;
		h->conns = c;
		*socket_context = c;
	} else if (code == MHD_CONNECTION_NOTIFY_CLOSED && c) {
		if (c->prev)
			c->prev->next = c->next;
		else
			h->conns = c->next;
		if (c->next)
			c->next->prev = c->prev;
		free(c);
		*socket_context = NULL;
	}
}

static struct conn *conn_of(struct MHD_Connection *mc)
{
	const union MHD_ConnectionInfo *info =
		MHD_get_connection_info(mc, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return info ? info->socket_context : NULL;
}

/* A request was answered (or failed): a kept-alive connection gets a fresh window. */
static void request_completed(void *cls, struct MHD_Connection *mc, void **con_cls,
			      enum MHD_RequestTerminationCode toe)
{
	struct conn *c = conn_of(mc);

	if (c && !c->cut)
		c->deadline_ms = now_ms() + HTTP_REQUEST_DEADLINE_MS;
}

static MHD_Result_ respond_static(struct MHD_Connection *conn, unsigned code, const char *text)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(strlen(text), (void *)(uintptr_t)text,
								   MHD_RESPMEM_PERSISTENT);
	MHD_Result_ r;

	if (!resp)
		return MHD_NO;
	(void)MHD_add_response_header(resp, "Content-Type", "text/plain; charset=utf-8");
	r = MHD_queue_response(conn, code, resp);
	MHD_destroy_response(resp);
	return r;
}

static MHD_Result_ handler(void *cls, struct MHD_Connection *conn, const char *url,
			   const char *method, const char *version, const char *upload_data,
			   size_t *upload_data_size, void **con_cls)
{
	struct xd_http *h = cls;
	struct conn *c = conn_of(conn);
	struct MHD_Response *resp;
	char *buf = NULL;
	size_t len = 0;
	MHD_Result_ r;

	if (!c || !c->allowed)
		return respond_static(conn, MHD_HTTP_FORBIDDEN,
				      "permission denied: not root and not in the allowed group\n");
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return respond_static(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET\n");
	if (*upload_data_size)
		return respond_static(conn, MHD_HTTP_BAD_REQUEST, "no body expected\n");
	/* a landing page, as exporters have: someone opening the address learns where to go */
	if (strcmp(url, "/") == 0)
		return respond_static(conn, MHD_HTTP_OK,
				      "xfrmd: Prometheus metrics at /metrics (xfrmd(8), "
				      "docs/monitoring.md)\n");
	if (strcmp(url, "/metrics") != 0)
		return respond_static(conn, MHD_HTTP_NOT_FOUND, "see /metrics\n");
	if (h->fn(h->userdata, &buf, &len) < 0)
		return respond_static(conn, MHD_HTTP_SERVICE_UNAVAILABLE, "no model yet\n");
	resp = MHD_create_response_from_buffer(len, buf, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(buf);
		return MHD_NO;
	}
	(void)MHD_add_response_header(resp, "Content-Type", "text/plain; version=0.0.4; charset=utf-8");
	r = MHD_queue_response(conn, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	return r;
}

static int unix_listen(const char *path, gid_t gid)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	mode_t old;
	int fd, r;

	r = xd_unix_clear_stale(path, SOCK_STREAM);
	if (r < 0)
		return r;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	xd_strlcpy(sa.sun_path, path, sizeof(sa.sun_path));
	/* no window in which the socket exists with looser permissions */
	old = umask(0177);
	r = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (r < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	if (gid != (gid_t)-1) {
		if (chown(path, (uid_t)-1, gid) < 0)
			log_warning("cannot give the metrics socket to group %u: %m, only root may "
				    "connect", (unsigned)gid);
		else if (chmod(path, 0660) < 0)
			log_warning("cannot make the metrics socket group-accessible: %m, ignoring");
	}
	if (listen(fd, 64) < 0) {
		r = -errno;
		close(fd);
		(void)unlink(path);
		return r;
	}
	return fd;
}

int xd_http_start(struct xd_http **ret, const char *addr, gid_t gid, int epfd, void *tag,
		  xd_http_render_fn fn, void *userdata)
{
	struct sockaddr_storage ss = { 0 };
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = tag };
	const union MHD_DaemonInfo *info;
	const char *why;
	struct xd_http *h;
	unsigned flags = MHD_USE_EPOLL;
	int r, lfd = -1;

	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	h->fn = fn;
	h->userdata = userdata;
	h->epfd = epfd;
	h->gid = gid;
	if (xd_http_unix_path(addr)) {
		r = parse_unix(addr, h->unix_path, sizeof(h->unix_path), &why);
		if (r >= 0)
			r = lfd = unix_listen(h->unix_path, gid);
		if (r < 0) {
			free(h);
			return r;
		}
		h->mhd = MHD_start_daemon(flags, 0, NULL, NULL, handler, h,
					  MHD_OPTION_LISTEN_SOCKET, (MHD_socket)lfd,
					  MHD_OPTION_CONNECTION_LIMIT, (unsigned)HTTP_MAX_CONNECTIONS,
					  MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)HTTP_IDLE_TIMEOUT_S,
					  MHD_OPTION_NOTIFY_CONNECTION, notify_connection, h,
					  MHD_OPTION_NOTIFY_COMPLETED, request_completed, h,
					  MHD_OPTION_END);
	} else {
		r = parse_inet(addr, &ss, &why);
		if (r < 0) {
			free(h);
			return r;
		}
		if (ss.ss_family == AF_INET6)
			flags |= MHD_USE_IPv6;
		h->mhd = MHD_start_daemon(flags, ntohs(((struct sockaddr_in *)&ss)->sin_port), NULL,
					  NULL, handler, h, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
					  MHD_OPTION_CONNECTION_LIMIT, (unsigned)HTTP_MAX_CONNECTIONS,
					  MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)HTTP_MAX_PER_IP,
					  MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)HTTP_IDLE_TIMEOUT_S,
					  MHD_OPTION_NOTIFY_CONNECTION, notify_connection, h,
					  MHD_OPTION_NOTIFY_COMPLETED, request_completed, h,
					  MHD_OPTION_END);
	}
	if (!h->mhd) {
		if (lfd >= 0) {
			close(lfd);
			(void)unlink(h->unix_path);
		}
		free(h);
		return -EADDRNOTAVAIL;
	}
	info = MHD_get_daemon_info(h->mhd, MHD_DAEMON_INFO_EPOLL_FD);
	if (!info || epoll_ctl(epfd, EPOLL_CTL_ADD, info->epoll_fd, &ev) < 0) {
		r = info ? -errno : -EIO;
		xd_http_stop(h);
		return r;
	}
	h->mhd_fd = info->epoll_fd;
	*ret = h;
	return 0;
}

void xd_http_set_group(struct xd_http *h, gid_t gid)
{
	if (h)
		h->gid = gid;
}

/*
 * Close connections past their deadline. libmicrohttpd has no call to drop a connection from
 * outside its callbacks; shutting the socket down makes its next read see end-of-file, and it
 * then closes and forgets the connection itself (the fd stays libmicrohttpd's to close).
 */
static bool cut_late(struct xd_http *h, uint64_t now)
{
	bool any = false;

	for (struct conn *c = h->conns; c; c = c->next) {
		if (c->cut || now < c->deadline_ms || c->fd < 0)
			continue;
		(void)shutdown(c->fd, SHUT_RDWR);
		c->cut = true;
		h->cut++;
		any = true;
	}
	if (any)
		log_debug("metrics: closed connections that took longer than %d ms for a request "
			  "(%" PRIu64 " so far)", HTTP_REQUEST_DEADLINE_MS, h->cut);
	return any;
}

void xd_http_run(struct xd_http *h)
{
	(void)MHD_run(h->mhd);
	if (cut_late(h, now_ms()))
		(void)MHD_run(h->mhd); /* notice the shut-down sockets now: their slots are free */
}

int xd_http_timeout_ms(struct xd_http *h)
{
	MHD_UNSIGNED_LONG_LONG ms;
	uint64_t now = now_ms();
	int t = -1;

	if (MHD_get_timeout(h->mhd, &ms) == MHD_YES)
		t = ms > 60000 ? 60000 : (int)ms;
	for (const struct conn *c = h->conns; c; c = c->next) {
		int left;
		if (c->cut)
			continue;
		left = c->deadline_ms <= now ? 0 : (int)(c->deadline_ms - now);
		if (t < 0 || left < t)
			t = left;
	}
	return t;
}

void xd_http_stop(struct xd_http *h)
{
	if (!h)
		return;
	if (h->mhd_fd > 0)
		(void)epoll_ctl(h->epfd, EPOLL_CTL_DEL, h->mhd_fd, NULL);
	MHD_stop_daemon(h->mhd); /* closes the listening socket and every connection */
	if (h->unix_path[0])
		(void)unlink(h->unix_path);
	free(h);
}
#else
struct xd_http {
	int unused;
};

int xd_http_supported(void)
{
	return 0;
}

int xd_http_start(struct xd_http **ret, const char *addr, gid_t gid, int epfd, void *tag,
		  xd_http_render_fn fn, void *userdata)
{
	return -EOPNOTSUPP;
}

void xd_http_set_group(struct xd_http *h, gid_t gid)
{
}

void xd_http_run(struct xd_http *h)
{
}

int xd_http_timeout_ms(struct xd_http *h)
{
	return -1;
}

void xd_http_stop(struct xd_http *h)
{
}
#endif
