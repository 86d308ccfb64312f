/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * http.h: the optional Prometheus scrape endpoint (GET /metrics), on a Unix socket with the
 * control socket's group check or on a loopback TCP address, served by libmicrohttpd from
 * the daemon's own epoll loop (no thread). Off by default.
 */
#pragma once

#include <stddef.h>
#include <sys/types.h>

struct xd_http;

/* Produce the exposition text; *buf is malloc'ed and handed over. Returns 0 or -errno. */
typedef int (*xd_http_render_fn)(void *userdata, char **buf, size_t *len);

/* Is HTTP support compiled in? */
int xd_http_supported(void);
/*
 * Listen on `addr` ("unix:/run/xfrmd/metrics.sock", "127.0.0.1:9687", "[::1]:9687") and
 * register with epfd using data.ptr = tag. A Unix socket is made mode 0660, group `gid`, and
 * serves only root and members of `gid` (SO_PEERCRED); (gid_t)-1 means root only. Returns 0
 * or -errno (-EOPNOTSUPP without libmicrohttpd, -EINVAL for a bad address, -EADDRINUSE when
 * another instance serves the Unix socket).
 */
int xd_http_start(struct xd_http **ret, const char *addr, gid_t gid, int epfd, void *tag,
		  xd_http_render_fn fn, void *userdata);
/* The group allowed on the Unix socket from now on (a reload); the file keeps its group. */
void xd_http_set_group(struct xd_http *h, gid_t gid);
/* Process readiness (call when the tag fires) and timeouts, and close late connections. */
void xd_http_run(struct xd_http *h);
/* Milliseconds until xd_http_run() is due for a timeout or a deadline, -1 for none. */
int xd_http_timeout_ms(struct xd_http *h);
void xd_http_stop(struct xd_http *h);
/*
 * Check a metrics_listen value: 0, or -EINVAL with *ret_why (may be NULL) saying what is wrong
 * (a port outside 1..65535, a host name, a non-loopback address, a relative Unix path).
 */
int xd_http_check_addr(const char *addr, const char **ret_why);
/* The path of a "unix:PATH" value, NULL for a TCP address. */
const char *xd_http_unix_path(const char *addr);
