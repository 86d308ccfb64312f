/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * http.h: the optional Prometheus scrape endpoint (GET /metrics) on a loopback address,
 * served by libmicrohttpd from the daemon's own epoll loop (no thread). Off by default.
 */
#pragma once

#include <stddef.h>

struct xd_http;

/* Produce the exposition text; *buf is malloc'ed and handed over. Returns 0 or -errno. */
typedef int (*xd_http_render_fn)(void *userdata, char **buf, size_t *len);

/* Is HTTP support compiled in? */
int xd_http_supported(void);
/*
 * Listen on `addr` ("127.0.0.1:9687", "[::1]:9687"; loopback only) and register with epfd
 * using data.ptr = tag. Returns 0 or -errno (-EOPNOTSUPP without libmicrohttpd, -EINVAL for
 * an address that is not loopback or not numeric).
 */
int xd_http_start(struct xd_http **ret, const char *addr, int epfd, void *tag,
		  xd_http_render_fn fn, void *userdata);
/* Process readiness (call when the tag fires) and timeouts. */
void xd_http_run(struct xd_http *h);
/* Milliseconds until libmicrohttpd needs a call for its timeouts, -1 for none. */
int xd_http_timeout_ms(struct xd_http *h);
void xd_http_stop(struct xd_http *h);
/* Check an address for the configuration (-n): 0 or -EINVAL. */
int xd_http_check_addr(const char *addr);
