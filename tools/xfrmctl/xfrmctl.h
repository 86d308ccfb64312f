/* SPDX-License-Identifier: GPL-2.0-or-later */
/* xfrmctl.h: what the verbs of xfrmctl share: global options, loading, exit codes. */
#pragma once

#include <stdbool.h>

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
extern const char *arg_read_path;
extern const char *arg_read_path2; /* a second site's snapshot (check) */
extern const char *arg_netns;
extern bool arg_verbose;
extern bool arg_color;
/* What the verb needs (enum xd_collect_group); 0 = everything. Live collection and snapshot
 * decoding are both limited to it, so live and replayed output stay identical. */
extern unsigned arg_collect;

/* Collect live (or read arg_read_path) and decode. Prints one error line and returns
 * EXIT_COLLECT on failure, 0 on success. */
int xfrmctl_load(struct xd_snapshot **ret);
/* The same for one snapshot file, or the live kernel when path is NULL. */
int xfrmctl_load_path(const char *path, struct xd_snapshot **ret);
/* Collect live into records only (capture). */
int xfrmctl_collect(struct xd_recbuf **ret);

/*
 * Global options are accepted before and after the verb (`xfrmctl check --json`). Verbs put
 * XFRMCTL_COMMON_LONGOPTS in their option tables, XFRMCTL_COMMON_SHORTOPTS in their short
 * string, and hand unknown option characters to xfrmctl_common_option(): it returns 1 when
 * it handled the option, or EXIT_USAGE after printing the error.
 */
#define XFRMCTL_COMMON_SHORTOPTS "jr:n:v"
#define XFRMCTL_COMMON_LONGOPTS                                                                    \
	{ "json", optional_argument, NULL, 'j' }, { "read", required_argument, NULL, 'r' },        \
		{ "netns", required_argument, NULL, 'n' }, { "verbose", no_argument, NULL, 'v' }
int xfrmctl_common_option(int c, const char *arg);
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
int verb_help(int argc, char **argv);

/* The known-issues knowledge base, or NULL (the reason is printed on stderr). */
struct xd_kb *xfrmctl_load_kb(void);
