/* SPDX-License-Identifier: GPL-2.0-or-later */
/* collect-internal.h: what the collectors in xfrmd/collect/ share. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xfrmd/dumps.h"
#include "xfrmd/nl.h"
#include "xfrmd/recbuf.h"

/* Map a collection error to a dump status. */
enum xd_dump_status xd_nl_status_from_error(int err);

/* Firewall collectors (collect-nft.c, collect-ipt.c): failures become dump statuses. */
void xd_collect_nft(struct xd_recbuf *out, unsigned attempts);
void xd_collect_ipt(struct xd_recbuf *out, unsigned attempts);
/* Record a dump's status from a collection result (0 or -errno). */
struct xd_meta;
void xd_nl_set_status(struct xd_meta *m, enum xd_dump d, int err);
/* Read a whole (small) file into one record of `d`, setting the dump's status. */
void xd_nl_collect_file(struct xd_recbuf *out, enum xd_dump d, const char *path);
/* Append a file record built in memory and set the dump's status from the result. */
int xd_nl_add_file_record(struct xd_recbuf *out, enum xd_dump d, const void *data, size_t len);

/* An IKE daemon process in our network namespace (proc-daemons.c). */
enum xd_ike_proc_stack { XD_IKE_PROC_NONE, XD_IKE_PROC_STRONGSWAN, XD_IKE_PROC_LIBRESWAN };

struct xd_ike_proc {
	uint32_t pid;
	enum xd_ike_proc_stack stack;
	char comm[32];
	bool init_netns; /* in the host's network namespace (the journal is the host's) */
};

/* The charon, charon-systemd and pluto processes in our network namespace, for one
 * collection: the VICI client, the whack runner and the log reader all need them, and /proc
 * is walked once, by the first that asks. Zero-initialise before the collection. */
struct xd_ike_procs {
	bool walked;
	size_t n;
	struct xd_ike_proc d[8];
};
/* The daemons (procs->d), walking /proc on the first call; returns their number. */
size_t xd_ike_procs_get(struct xd_ike_procs *procs);
/* The value of NAME in /proc/PID/environ; false if absent or unreadable. */
bool xd_proc_env(uint32_t pid, const char *name, char *ret, size_t rlen);
/* The value of option OPT ("--config VALUE" or "--config=VALUE", the last one) on the
 * process's command line; false if absent or unreadable. */
bool xd_proc_arg(uint32_t pid, const char *opt, char *ret, size_t rlen);

/*
 * strongswan.conf `conf` as a daemon reads it (swanconf.c): every path read under `root`
 * ("" or "/proc/PID/root"), include globs expanded in place, bounded in files, bytes and
 * depth. *ret is malloc'ed text; -ENODATA when nothing could be read, -EINVAL for a relative
 * conf, or the first file's -errno.
 */
int xd_swanconf_load(const char *root, const char *conf, char **ret);
/* Called for each section opened (value NULL, name the section's) and each setting, with the
 * dotted path of the sections around it ("" at the top). */
typedef void (*xd_swanconf_fn)(void *ud, const char *section, const char *name,
			       const char *value);
/* Walk the sections and settings of loaded text (which it cuts up in place). */
void xd_swanconf_walk(char *text, xd_swanconf_fn fn, void *ud);

/* Collectors, each called once by xd_collect_live(). */
void xd_collect_kernel(struct xd_recbuf *out);
void xd_collect_stack(struct xd_recbuf *out);
/* strongSwan's own view over VICI (ike.vici_conns, ike.vici_sas); bounded in time. */
void xd_collect_vici(struct xd_recbuf *out, struct xd_ike_procs *procs);
/* The IKE daemons' recent log lines the classifier recognises (ike.log); bounded. */
void xd_collect_ikelog(struct xd_recbuf *out, struct xd_ike_procs *procs);
/* libreswan's own view through whack (ike.whack_status, ike.whack_traffic); bounded in time. */
void xd_collect_whack(struct xd_recbuf *out, struct xd_ike_procs *procs);
