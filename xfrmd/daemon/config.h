/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * config.h: /etc/xfrmd/xfrmd.conf, "key = value" lines, '#' comments (xfrmd.conf(5)).
 * Unknown keys and bad values are errors: a typo must not silently keep a default.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define XD_DEFAULT_CONFIG "/etc/xfrmd/xfrmd.conf"

struct xd_config {
	char socket_path[108];     /* control socket */
	char socket_group[64];     /* group allowed to connect (besides root) */
	uint32_t sample_interval_ms; /* periodic resync and sample */
	uint32_t debounce_ms;      /* event -> resync delay */
	uint32_t min_resync_interval_ms; /* at most one resync per this (bounded rate) */
	uint32_t history;          /* samples kept in the ring */
	uint32_t max_clients;
	uint32_t client_queue_bytes; /* per-client output limit before cut-off */
	uint32_t request_timeout_ms; /* a connected client must send its request within this */
	uint32_t event_rcvbuf;     /* netlink event socket receive buffer (bytes) */
	char metrics_listen[128];  /* HTTP /metrics: "unix:/PATH" or a loopback ADDR:PORT; "" = off */
	char user[32];             /* started as root: become this user (as User= in the unit) */
	bool sa_events;            /* join the SA group (messages scrubbed in the collector) */
	bool debug;
};

void xd_config_defaults(struct xd_config *c);
/*
 * Parse a configuration text into *c (starting from what *c holds). On error returns
 * -EINVAL and writes "line N: reason" into err. Never prints.
 */
int xd_config_parse(struct xd_config *c, const char *text, size_t len, char *err, size_t errlen);
/* Read and parse a file; a missing default file is not an error (returns 0, defaults). */
int xd_config_load(struct xd_config *c, const char *path, bool must_exist, char *err,
		   size_t errlen);
