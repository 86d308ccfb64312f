/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * http.c: GET /metrics over libmicrohttpd (issue 7: "use an existing small HTTP library
 * rather than a hand-written server"). Runs in the unprivileged main process, in external
 * polling mode: libmicrohttpd's epoll fd sits in the daemon's epoll set, so no thread ever
 * touches the daemon's state. Loopback only, few connections, short timeouts: remote scrapes
 * go through node_exporter's textfile collector (`xfrmctl metrics`) or a proxy.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "http.h"
#include "xfrmd/util.h"

#define HTTP_MAX_CONNECTIONS 8
#define HTTP_MAX_PER_IP 4
#define HTTP_TIMEOUT_S 10

static int parse_addr(const char *addr, struct sockaddr_storage *ss)
{
	char host[64], port[8];
	const char *colon;
	struct addrinfo hints = { .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV,
				  .ai_socktype = SOCK_STREAM };
	struct addrinfo *ai = NULL;
	size_t hl;

	if (addr[0] == '[') {
		const char *end = strchr(addr, ']');
		if (!end || end[1] != ':')
			return -EINVAL;
		hl = (size_t)(end - addr - 1);
		if (hl >= sizeof(host))
			return -EINVAL;
		memcpy(host, addr + 1, hl);
		colon = end + 1;
	} else {
		colon = strrchr(addr, ':');
		if (!colon)
			return -EINVAL;
		hl = (size_t)(colon - addr);
		if (hl >= sizeof(host))
			return -EINVAL;
		memcpy(host, addr, hl);
	}
	host[hl] = 0;
	if (strlen(colon + 1) == 0 || strlen(colon + 1) >= sizeof(port))
		return -EINVAL;
	xd_strlcpy(port, colon + 1, sizeof(port));
	if (getaddrinfo(host, port, &hints, &ai) != 0 || !ai)
		return -EINVAL;
	memcpy(ss, ai->ai_addr, ai->ai_addrlen);
	freeaddrinfo(ai);
	/* metrics reveal the tunnel map: only this host may ask */
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)ss;
		if ((ntohl(in->sin_addr.s_addr) >> 24) != 127)
			return -EINVAL;
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)ss;
		if (!IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr))
			return -EINVAL;
	} else {
		return -EINVAL;
	}
	return 0;
}

int xd_http_check_addr(const char *addr)
{
	struct sockaddr_storage ss;

	return parse_addr(addr, &ss);
}

#ifdef XD_HAVE_MHD
#include <microhttpd.h>

#if MHD_VERSION < 0x00097100 /* enum MHD_Result since 0.9.71 */
typedef int MHD_Result_;
#else
typedef enum MHD_Result MHD_Result_;
#endif

struct xd_http {
	struct MHD_Daemon *mhd;
	int epfd;
	int mhd_fd;
	xd_http_render_fn fn;
	void *userdata;
};

int xd_http_supported(void)
{
	return 1;
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
	struct MHD_Response *resp;
	char *buf = NULL;
	size_t len = 0;
	MHD_Result_ r;

	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return respond_static(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET\n");
	if (*upload_data_size)
		return respond_static(conn, MHD_HTTP_BAD_REQUEST, "no body expected\n");
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

int xd_http_start(struct xd_http **ret, const char *addr, int epfd, void *tag,
		  xd_http_render_fn fn, void *userdata)
{
	struct sockaddr_storage ss = { 0 };
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = tag };
	const union MHD_DaemonInfo *info;
	struct xd_http *h;
	unsigned flags = MHD_USE_EPOLL;
	int r;

	r = parse_addr(addr, &ss);
	if (r < 0)
		return r;
	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	h->fn = fn;
	h->userdata = userdata;
	h->epfd = epfd;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	h->mhd = MHD_start_daemon(flags, ntohs(((struct sockaddr_in *)&ss)->sin_port), NULL, NULL,
				  handler, h, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
				  MHD_OPTION_CONNECTION_LIMIT, (unsigned)HTTP_MAX_CONNECTIONS,
				  MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)HTTP_MAX_PER_IP,
				  MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)HTTP_TIMEOUT_S,
				  MHD_OPTION_END);
	if (!h->mhd) {
		free(h);
		return -EADDRNOTAVAIL;
	}
	info = MHD_get_daemon_info(h->mhd, MHD_DAEMON_INFO_EPOLL_FD);
	if (!info || epoll_ctl(epfd, EPOLL_CTL_ADD, info->epoll_fd, &ev) < 0) {
		r = info ? -errno : -EIO;
		MHD_stop_daemon(h->mhd);
		free(h);
		return r;
	}
	h->mhd_fd = info->epoll_fd;
	*ret = h;
	return 0;
}

void xd_http_run(struct xd_http *h)
{
	(void)MHD_run(h->mhd);
}

int xd_http_timeout_ms(struct xd_http *h)
{
	MHD_UNSIGNED_LONG_LONG ms;

	if (MHD_get_timeout(h->mhd, &ms) != MHD_YES)
		return -1;
	return ms > 60000 ? 60000 : (int)ms;
}

void xd_http_stop(struct xd_http *h)
{
	if (!h)
		return;
	(void)epoll_ctl(h->epfd, EPOLL_CTL_DEL, h->mhd_fd, NULL);
	MHD_stop_daemon(h->mhd);
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

int xd_http_start(struct xd_http **ret, const char *addr, int epfd, void *tag,
		  xd_http_render_fn fn, void *userdata)
{
	return -EOPNOTSUPP;
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
