/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * control.h: the control socket and its clients (docs/control-protocol.md). Owns accepting,
 * the SO_PEERCRED check, per-client bounded output queues, request timeouts and watch
 * subscriptions. What a request means is the daemon's business (the handler callback).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "config.h"
#include "request.h"

struct xd_control;
struct xd_client;

/* Answer one parsed request: write the reply with xd_client_send(). */
typedef void (*xd_control_handler)(void *userdata, struct xd_client *c,
				   const struct xd_request *req);

/*
 * Create the listening socket at cfg->socket_path (its directory 0750 when created, the
 * socket 0660 owned by group `gid`, or root only when gid is (gid_t)-1). Needs to run before
 * capabilities are dropped. Returns 0 or -errno.
 */
int xd_control_open(struct xd_control **ret, const struct xd_config *cfg, gid_t gid, int epfd,
		    xd_control_handler handler, void *userdata);
/* Close every client and the socket, and remove the socket file. */
void xd_control_close(struct xd_control *ctl);
/* Settings that a reload may change (queue limit, timeouts, the allowed group). */
void xd_control_reconfigure(struct xd_control *ctl, const struct xd_config *cfg, gid_t gid);

/* Handle readiness of an fd registered by the control module (epoll data.ptr dispatch). */
void xd_control_dispatch(struct xd_control *ctl, void *tag, uint32_t events);
/* Expire clients whose request did not arrive in time (request_timeout, counted while no
 * reply is being written) or that stopped reading a reply (XD_CONTROL_WRITE_STALL_MS), start
 * the next queued reply child and reap finished ones; returns ms until the next deadline
 * (0: call again after this iteration's events; -1 for none). Call once per loop iteration. */
int xd_control_tick(struct xd_control *ctl, uint64_t now_ms);

/*
 * A client that reads nothing of a reply for this long is disconnected. Generous: it only
 * frees the slot (and, for a streamed reply, the child) of a client that stopped reading.
 */
#define XD_CONTROL_WRITE_STALL_MS 60000

/* Render a reply document into f; 0 or -errno. */
typedef int (*xd_client_render_fn)(void *userdata, FILE *f, const void *arg);
/*
 * Answer with a reply of any size: a forked child renders it straight into the client's
 * socket as fast as the client reads, so the loop neither renders nor holds it, and the
 * model it is rendered from cannot change under it. The child is started by a later
 * xd_control_tick() (one per loop iteration, oldest first), so fn sees the model as it is
 * then. The client's next request is read once the child has finished; a reply that cannot
 * be completed ends with an error line and the connection. arg (arg_size bytes, at most 16)
 * is copied; fn gets the copy, or NULL when arg_size is 0.
 */
void xd_client_stream(struct xd_client *c, xd_client_render_fn fn, void *userdata,
		      const void *arg, size_t arg_size);

/* Queue bytes for a client (a complete newline-terminated JSON document or line). A client
 * over its queue limit is cut off with a final error line. */
void xd_client_send(struct xd_client *c, const char *buf, size_t len);
void xd_client_send_error(struct xd_client *c, const char *code, const char *message);
/* Make the client a watch subscriber: it gets every broadcast line until it disconnects. */
void xd_client_subscribe(struct xd_client *c);
/* Send a line to every watch subscriber. */
void xd_control_broadcast(struct xd_control *ctl, const char *line, size_t len);
size_t xd_control_clients(const struct xd_control *ctl);
/* Is a reply (not watch output) still being written to some client? */
bool xd_control_replies_pending(const struct xd_control *ctl);
uint64_t xd_control_cutoffs(const struct xd_control *ctl);

/* Before binding a Unix socket at `path`: a file left by a crashed instance is removed, a live
 * listener (of socket `type`) means another instance runs: -EADDRINUSE. 0 or -errno. */
int xd_unix_clear_stale(const char *path, int type);

/* Is a peer with these credentials allowed? Root always; otherwise gid or a supplementary
 * group must equal `allowed` (and allowed must not be (gid_t)-1). */
bool xd_control_peer_allowed(uid_t uid, gid_t gid, const gid_t *groups, size_t ngroups,
			     gid_t allowed);
