/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nl.h: the only module that opens netlink sockets or reads kernel files. It collects
 * records (keys already scrubbed) into a recbuf; it never decodes into the model.
 */
#pragma once

#include <stdbool.h>

struct xd_recbuf;

struct xd_collect_opts {
	const char *netns;     /* name under /run/netns, or NULL for the current namespace */
	unsigned max_attempts; /* consistency retries per dump, 0 = default (5) */
	unsigned groups;       /* enum xd_collect_group bits; 0 = everything */
};

/*
 * Collect every dump of a diagnosis into `buf` and fill its manifest. Per-dump failures are
 * recorded as dump statuses, not returned. Returns 0, or -errno when nothing could be
 * collected at all (e.g. the network namespace cannot be entered).
 */
int xd_collect_live(const struct xd_collect_opts *opts, struct xd_recbuf *buf);

/* Enter a named network namespace (/run/netns/NAME or a path). Returns 0 or -errno. */
int xd_netns_enter(const char *name);
