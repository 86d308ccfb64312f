/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * replies.h: answers to control-socket requests and the metrics exposition. They read the
 * model store and the event loop's counters and change neither; the loop owns both and
 * passes them in struct xd_replies.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "control.h"
#include "request.h"
#include "store.h"

/* What the event loop counts (status "daemon", metrics). */
struct xd_loop_stats {
	uint64_t started_ms; /* monotonic */
	uint64_t overruns;   /* kernel event buffer overruns */
	uint64_t events;     /* kernel events that scheduled a resync */
	uint64_t bad_frames; /* frames from the collector that were dropped */
};

struct xd_replies {
	const struct xd_store *store;
	const struct xd_loop_stats *loop;
	const struct xd_config *cfg;
	const struct xd_control *ctl; /* client counts; set once the socket is open */
};

/* The control-socket handler (xd_control_handler, userdata = a struct xd_replies). */
void xd_replies_handle(void *userdata, struct xd_client *c, const struct xd_request *req);
/* The Prometheus exposition of the current model (malloc'ed); -EAGAIN before the first. */
int xd_replies_metrics_text(const struct xd_replies *rp, char **ret, size_t *ret_len);
/* The same as an xd_http_render_fn (userdata = a struct xd_replies). */
int xd_replies_http_metrics(void *userdata, char **buf, size_t *len);
