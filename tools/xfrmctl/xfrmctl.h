/* SPDX-License-Identifier: GPL-2.0-or-later */
/* xfrmctl.h: what the verbs of xfrmctl share: global options, loading, exit codes. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct xd_snapshot;
struct xd_recbuf;
struct xd_kb;

enum {
	EXIT_OK = 0,
	EXIT_PROBLEMS = 1,
	EXIT_USAGE = 2,
	EXIT_COLLECT = 3,
};

enum json_mode {
	JSON_OFF,
	JSON_SHORT,
	JSON_PRETTY,
};

extern enum json_mode arg_json;
/* --json was given (in any form, --json=off too): watch's default depends on the terminal */
extern bool arg_json_given;
extern const char *arg_read_path;
extern const char *arg_read_path2; /* a second site's snapshot (check) */
extern const char *arg_netns;
extern bool arg_verbose;
extern bool arg_color;
extern bool arg_no_daemon;
/* What the verb needs (enum xd_collect_group); 0 = everything. Live collection and snapshot
 * decoding are both limited to it, so live and replayed output stay identical. */
extern unsigned arg_collect;
extern bool arg_sa_listing; /* collect for a streamed `show sa` (xd_collect_opts.sa_listing) */

/* Collect live (or read arg_read_path) and decode. Prints one error line and returns
 * EXIT_COLLECT on failure, 0 on success. */
int xfrmctl_load(struct xd_snapshot **ret);
/* The same for one snapshot file, or the live kernel when path is NULL. */
int xfrmctl_load_path(const char *path, struct xd_snapshot **ret);
/* Collect or read as above and run the one pipeline (analysis.h) with `o`. The same exit
 * codes; the caller frees *ret with xd_analysis_free(). */
struct xd_analysis;
struct xd_analysis_opts;
int xfrmctl_analyze(const struct xd_analysis_opts *o, struct xd_analysis **ret);
int xfrmctl_analyze_path(const char *path, const struct xd_analysis_opts *o,
			 struct xd_analysis **ret);
/* Mark the dumps of groups a verb did not ask for as not collected (replayed snapshots). */
struct xd_meta;
void xfrmctl_forget_other_groups(struct xd_meta *m, unsigned groups);
/* `show sa` written as the SAs arrive (verb-show-sa.c); the usual exit codes. */
struct xd_table_opts;
int xfrmctl_show_sa_streamed(const struct xd_table_opts *table);
/* Collect live into records only (capture). */
int xfrmctl_collect(struct xd_recbuf **ret);
/* The same, but SA and policy records go to `xfrm_sink` as they arrive instead of into the
 * buffer (NULL: keep them). *ret is set before collection starts, so the sink can read the
 * manifest collected so far; it is NULL again on failure. The daemon's records (not root)
 * are always kept, never streamed. */
struct xd_record_sink;
int xfrmctl_collect_streaming(const struct xd_record_sink *xfrm_sink, struct xd_recbuf **ret);

/*
 * Global options are accepted before and after the verb (`xfrmctl check --json`). Verbs put
 * XFRMCTL_COMMON_LONGOPTS in their option tables, XFRMCTL_COMMON_SHORTOPTS in their short
 * string, and hand unknown option characters to xfrmctl_common_option(): it returns 1 when
 * it handled the option, or EXIT_USAGE after printing the error.
 */
/* daemon-client.c: talking to xfrmd (docs/control-protocol.md). */
struct json_object;
/* $XFRMD_SOCKET or /run/xfrmd/xfrmd.sock */
const char *xfrmctl_daemon_socket(void);
/* Ask the daemon for the JSON document: its socket exists, the output is JSON, and neither
 * -r, --netns nor --no-daemon was given. */
bool xfrmctl_daemon_wanted(void);
/* Connect and send one request; returns the fd or -errno. */
int xfrmctl_daemon_connect(const char *request, int timeout_s);
int xfrmctl_daemon_read_line(int fd, char **pending, size_t *plen, char **ret);
int xfrmctl_daemon_error(struct json_object *doc);
/* One request, one JSON reply. 0 and *ret; -ENOENT/-ECONNREFUSED when no daemon listens
 * (fall back); or an exit code after printing the error. */
int xfrmctl_daemon_query(const char *request, struct json_object **ret);
int xfrmctl_daemon_print(struct json_object *doc);
/* query + print; returns like xfrmctl_daemon_query or an exit code. */
int xfrmctl_daemon_simple(const char *request);
/* Take the daemon's scrubbed records instead of collecting: not root (so direct collection
 * is denied), the socket exists, no -r, --netns or --no-daemon. */
bool xfrmctl_records_wanted(void);
/* The records of the daemon's current model. 0; -ENOENT/-ECONNREFUSED when no daemon
 * listens (collect instead); -EPROTO after printing why it failed. */
int xfrmctl_daemon_records(struct xd_recbuf **ret);

#define XFRMCTL_COMMON_SHORTOPTS "jr:n:v"
#define XFRMCTL_COMMON_LONGOPTS                                                                    \
	{ "json", optional_argument, NULL, 'j' }, { "read", required_argument, NULL, 'r' },        \
		{ "netns", required_argument, NULL, 'n' }, { "verbose", no_argument, NULL, 'v' },                              \
		{ "no-daemon", no_argument, NULL, 'D' }
int xfrmctl_common_option(int c, const char *arg);

/*
 * Table options of the verbs that print tables (show, peers, check): each verb lists
 * XFRMCTL_TABLE_LONGOPTS' entries in its own getopt table and XFRMCTL_TABLE_SHORTOPTS in its
 * short string, and hands 'o', 'H', 'R' to xfrmctl_table_option() (1 handled).
 */
#define XFRMCTL_TABLE_SHORTOPTS "o:"
extern const char *arg_columns;
extern bool arg_no_headings;
extern bool arg_raw;
int xfrmctl_table_option(int c, const char *arg);
/* The terminal width for tables: $COLUMNS when set, else the tty's, else 0 (unlimited). */
size_t xfrmctl_term_width(void);
/* Width, -o, --no-headings, --raw for the render options; 0 or EXIT_USAGE when the -o list
 * names a column table `which` (enum xd_text_table) does not have. */
struct xd_table_opts;
int xfrmctl_table_opts(int which, struct xd_table_opts *ret);
/* Parse a verb whose options are the common ones plus `opts` (its getopt table, with the
 * common and table entries): like xfrmctl_parse_common_only. */
struct option;
int xfrmctl_parse_table_verb(int argc, char **argv, const char *verb, const struct option *opts,
			     int max_positional, char ***ret_positional, int *ret_npositional);
/* Parse a verb's arguments that are only common options; returns 0 or EXIT_USAGE. */
int xfrmctl_parse_common_only(int argc, char **argv, const char *verb, int max_positional,
			      char ***ret_positional, int *ret_npositional);

/* Print "xfrmctl: <msg>" plus "See 'xfrmctl --help'." and return EXIT_USAGE. */
int xfrmctl_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

int verb_status(int argc, char **argv);
int verb_show(int argc, char **argv);
int verb_capture(int argc, char **argv);
int verb_fw(int argc, char **argv);
int verb_check(int argc, char **argv);
int verb_explain(int argc, char **argv);
int verb_peers(int argc, char **argv);
int verb_version(int argc, char **argv);
int verb_watch(int argc, char **argv);
int verb_metrics(int argc, char **argv);
int verb_help(int argc, char **argv);

/* show-filter.c: `show sa spi N reqid N src A dst B`, `show policy dir D [reqid N]`. */
#include <stdint.h>
#include "xfrmd/model.h"
enum {
	XFRMCTL_FILTER_SPI = 1u << 0,
	XFRMCTL_FILTER_REQID = 1u << 1,
	XFRMCTL_FILTER_SRC = 1u << 2,
	XFRMCTL_FILTER_DST = 1u << 3,
	XFRMCTL_FILTER_DIR = 1u << 4,
};
struct xfrmctl_filter {
	unsigned has;
	uint32_t spi, reqid;
	uint8_t dir;
	uint16_t src_family, dst_family;
	struct xd_addr src, dst;
};
extern struct xfrmctl_filter arg_filter;
/* 0 when key is a filter keyword and value valid; -ENOENT when key is none; EXIT_USAGE. */
int xfrmctl_filter_parse(const char *key, const char *value);
bool xfrmctl_sa_wanted(const struct xd_sa *sa);
bool xfrmctl_policy_wanted(const struct xd_snapshot *s, const struct xd_policy *p);
/* Drop the SAs and policies the filter does not want. */
void xfrmctl_filter_snapshot(struct xd_snapshot *s);

/* The known-issues knowledge base, or NULL (the reason is printed on stderr). */
struct xd_kb *xfrmctl_load_kb(void);
