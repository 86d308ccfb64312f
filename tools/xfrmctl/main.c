/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * main.c: xfrmctl's option parsing and the verb table. The table is the usage text: help,
 * the man page test and shell completion all read it.
 */
#include <getopt.h>
#include <malloc.h>
#include <sys/ioctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "verbs.h"
#include "xd-config.h"
#include "xfrmctl.h"
#include "xfrmd/render.h"
#include "xfrmd/table.h"
#include "xfrmd/util.h"

enum json_mode arg_json = JSON_OFF;
bool arg_json_given;
const char *arg_read_path;
const char *arg_read_path2;
const char *arg_netns;
bool arg_verbose;
bool arg_color;
unsigned arg_collect;
bool arg_sa_listing;
const char *arg_columns;
bool arg_no_headings;
bool arg_raw;

/* Each verb's own options (the common ones are in xfrmctl.h). Keep in step with the verb's
 * getopt table: tests/cli checks both, the man page and the completion against these. */
static const struct xfrmctl_opt check_opts[] = {
	{ "--interval", "S", "sample twice, S seconds apart (rate checks)" },
	{ "--fail-on", "warning|error", "lowest severity that exits 1 (default: error)" },
	{ "--nagios", NULL, "one status line, perfdata, plugin exit codes" },
	{ "--stale-after", "S", "an idle older duplicate SA is stale after S s (300)" },
	{ "--larval-after", "S", "a larval SA older than S s is stuck (10)" },
	{ "--expiring-days", "N", "report certificates expiring within N days (30)" },
	{ "--id", "GLOB", "only findings whose id matches (fw.*); repeatable" },
	{ "--peer", "ADDR", "only findings about this peer; repeatable" },
	{ "--ignore", "ID[:PEER]", "acknowledge: leave out (ID may be a glob)" },
	{ "--ignore-file", "FILE", "acknowledge the ID[:PEER] lines of FILE" },
	{ "-o, --output", "COL,...", "table columns to show, in this order" },
	{ "--no-headings", NULL, "no header line" },
	{ "--raw", NULL, "cells separated by one space, blanks escaped" },
	{ NULL }
};
/* show, peers and check print tables: the same three table options each (written out, as
 * the completion generator reads these tables as text). */
static const struct xfrmctl_opt show_opts[] = {
	{ "-o, --output", "COL,...", "table columns to show, in this order" },
	{ "--no-headings", NULL, "no header line" },
	{ "--raw", NULL, "cells separated by one space, blanks escaped" },
	{ NULL }
};
static const struct xfrmctl_opt peers_opts[] = {
	{ "-o, --output", "COL,...", "table columns to show, in this order" },
	{ "--no-headings", NULL, "no header line" },
	{ "--raw", NULL, "cells separated by one space, blanks escaped" },
	{ NULL }
};
static const struct xfrmctl_opt fw_opts[] = {
	{ "--proto", "esp|ah|udp|tcp|icmp", "protocol, ipv6-icmp or a number (required)" },
	{ "--src", "A", "source address (required)" },
	{ "--dst", "B", "destination address (required)" },
	{ "--sport", "N", "source port (udp, tcp)" },
	{ "--dport", "N", "destination port (udp, tcp)" },
	{ "--spi", "N", "ESP/AH SPI" },
	{ "--hook", "prerouting|input|forward|output|postrouting", "one hook only (default: the whole path)" },
	{ "--iif", "IF", "input interface" },
	{ "--oif", "IF", "output interface (default: from the routes)" },
	{ "--ct", "new|established", "conntrack state (default: new)" },
	{ "--secpath", NULL, "decrypted by IPsec (meta secpath exists)" },
	{ "--policy-out", NULL, "an out policy covers it (policy --dir out)" },
	{ "--mark", "N", "the packet's mark" },
	{ "--icmp-type", "TYPE[/CODE]", "ICMP/ICMPv6 type and code (numbers)" },
	{ "--ah-next", "PROTO", "IPv6 AH: the header behind it (41 in tunnel mode)" },
	{ NULL }
};
static const struct xfrmctl_opt capture_opts[] = {
	{ "-w, --write", "FILE", "write to FILE (mode 0600), or - for stdout" },
	{ NULL }
};

const struct xfrmctl_verb xfrmctl_verbs[] = {
	{ "status", verb_status, "", "summary of SAs, policies and error counters (default)" },
	{ "show", verb_show, "[sa|policy|stats|kernel|stack|fw|certs|ike|routes|rules|all] [spi|reqid|src|dst|dir] V", "list kernel IPsec state, keys never shown", show_opts },
	{ "check", verb_check, "", "diagnose: findings with evidence and remedies", check_opts },
	{ "peers", verb_peers, "[ADDRESS...]", "one row per remote gateway: SAs, traffic, state, findings", peers_opts },
	{ "watch", verb_watch, "", "stream events from xfrmd: text on a terminal, else JSON lines" },
	{ "metrics", verb_metrics, "", "Prometheus text exposition (from xfrmd when it runs)" },
	{ "explain", verb_explain, "[ID]", "what a finding means and how to fix it" },
	{ "fw", verb_fw, "verdict", "evaluate a packet through the firewall, with the deciding rule", fw_opts },
	{ "capture", verb_capture, "", "record a key-free snapshot for later or elsewhere", capture_opts },
	{ "version", verb_version, "", "print the version" },
	{ "help", verb_help, "[VERB]", "print this help, or a verb's options" },
	{}
};

static const char common_help[] =
	"  -j, --json[=pretty|short|off]  JSON output (the reference format)\n"
	"  -r, --read PATH                read a snapshot, sos report or supportconfig\n"
	"                                 (directory or tarball) or ip xfrm text\n"
	"                                 instead of the live kernel\n"
	"  -n, --netns NAME               use network namespace NAME (/run/netns/NAME)\n"
	"  -v, --verbose                  more detail\n"
	"      --no-daemon                collect directly even when xfrmd runs\n"
	"  -h, --help                     help (of the verb, after a verb)\n";

static const char exit_help[] =
	"Exit status: 0 ok, 1 problems found (check), 2 usage error,\n"
	"3 could not collect or read.\n";

static const struct xfrmctl_verb *find_verb(const char *name)
{
	for (const struct xfrmctl_verb *v = xfrmctl_verbs; v->name; v++)
		if (xd_streq(v->name, name))
			return v;
	return NULL;
}

int xfrmctl_verb_help(const struct xfrmctl_verb *v)
{
	const char *second = NULL;

	/* a long synopsis continues on a second line, before its last bracket group */
	if (strlen(v->name) + strlen(v->args) + 26 > 80)
		second = strrchr(v->args, '[');
	if (second && second > v->args)
		printf("Usage: xfrmctl %s %.*s\n       %s [OPTIONS]\n\n%s.\n", v->name,
		       (int)(second - v->args - 1), v->args, second, v->summary);
	else
		printf("Usage: xfrmctl %s%s%s [OPTIONS]\n\n%s.\n", v->name, v->args[0] ? " " : "",
		       v->args, v->summary);
	if (v->opts) {
		printf("\n%s options:\n", v->name);
		for (const struct xfrmctl_opt *o = v->opts; o->name; o++) {
			char left[64];
			snprintf(left, sizeof(left), "%s%s%s", o->name, o->arg ? " " : "",
				 o->arg ? o->arg : "");
			if (strlen(left) > 26)
				printf("  %s\n  %-26s %s\n", left, "", o->help);
			else
				printf("  %-26s %s\n", left, o->help);
		}
	}
	printf("\nOptions:\n%s\n%s", common_help, exit_help);
	return EXIT_OK;
}

/* The verbs as a two-column table (indented two spaces), the summary wrapped to fit. */
static void verb_table(void)
{
	static const struct xd_table_col cols[] = { { "", 0 }, { "VERB", 0 }, { "SUMMARY", XD_COL_WRAP } };
	struct xd_table_opts to = { .width = xfrmctl_term_width(), .no_headings = true };
	struct xd_table *t = NULL;

	if (to.width > 0 && to.width < 40)
		to.width = 40;
	if (xd_table_new(cols, XD_ARRAY_SIZE(cols), &to, stdout, &t) < 0)
		return;
	for (const struct xfrmctl_verb *v = xfrmctl_verbs; v->name; v++)
		if (xd_table_add(t, (const char *const[]){ " ", v->name, v->summary }) < 0)
			break;
	(void)xd_table_flush(t);
	xd_table_free(t);
}

int verb_help(int argc, char **argv)
{
	if (argc > 2)
		return xfrmctl_usage_error("help takes at most one verb");
	if (argc == 2) {
		const struct xfrmctl_verb *v = find_verb(argv[1]);
		if (!v)
			return xfrmctl_usage_error("help: unknown verb '%s'", argv[1]);
		return xfrmctl_verb_help(v);
	}
	printf("Usage: xfrmctl [OPTIONS] [VERB [ARGS]]\n\n"
	       "Diagnose Linux IPsec (XFRM) state read over netlink.\n\n"
	       "Verbs:\n");
	verb_table();
	printf("\nOptions:\n%s"
	       "  -V, --version                  print the version\n\n"
	       "'xfrmctl help VERB' or 'xfrmctl VERB --help' lists a verb's own options.\n%s",
	       common_help, exit_help);
	return EXIT_OK;
}

/* `VERB --help` or `VERB -h` anywhere before a "--" asks for the verb's help. */
static bool wants_verb_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (xd_streq(argv[i], "--"))
			break;
		if (xd_streq(argv[i], "--help") || xd_streq(argv[i], "-h"))
			return true;
	}
	return false;
}

int verb_version(int argc, char **argv)
{
	if (argc > 1)
		return xfrmctl_usage_error("version takes no arguments");
	printf("xfrmctl %s\n", XD_VERSION);
	return EXIT_OK;
}

/* no-color.org: NO_COLOR set and not empty; a dumb terminal has no escape sequences. */
static bool want_color(void)
{
	const char *e = secure_getenv("XFRMCTL_COLOR"), *nc = secure_getenv("NO_COLOR");
	const char *term = secure_getenv("TERM");

	if (e && xd_streq(e, "always"))
		return true;
	if (e && xd_streq(e, "never"))
		return false;
	if (nc && nc[0])
		return false;
	if (term && xd_streq(term, "dumb"))
		return false;
	return isatty(STDOUT_FILENO);
}

size_t xfrmctl_term_width(void)
{
	const char *c = secure_getenv("COLUMNS");
	struct winsize ws;
	uint32_t n;

	/* an exported COLUMNS is a request, honoured on a pipe too (golden tests, `| less`) */
	if (c && xd_parse_u32(c, &n) == 0 && n > 0)
		return n;
	if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return 0; /* piped: one record per line, nothing cut */
}

int xfrmctl_table_option(int c, const char *arg)
{
	switch (c) {
	case 'o':
		arg_columns = arg;
		return 1;
	case 'H':
		arg_no_headings = true;
		return 1;
	case 'R':
		arg_raw = true;
		return 1;
	default:
		return 0;
	}
}

int xfrmctl_table_opts(int which, struct xd_table_opts *ret)
{
	size_t n;
	const struct xd_table_col *cols = xd_text_table_cols((enum xd_text_table)which, &n);
	char bad[64], names[512];

	if (arg_columns && xd_table_check_columns(cols, n, arg_columns, bad, sizeof(bad)) < 0)
		return xfrmctl_usage_error("-o: unknown column '%s' (%s)", bad,
					   xd_table_column_names(cols, n, names, sizeof(names)));
	*ret = (struct xd_table_opts){ .width = arg_raw ? 0 : xfrmctl_term_width(),
				       .columns = arg_columns,
				       .no_headings = arg_no_headings,
				       .raw = arg_raw };
	return 0;
}

int xfrmctl_parse_table_verb(int argc, char **argv, const char *verb, const struct option *opts,
			     int max_positional, char ***ret_positional, int *ret_npositional)
{
	int c, r;

	optind = 0;
	while ((c = getopt_long(argc, argv, XFRMCTL_COMMON_SHORTOPTS XFRMCTL_TABLE_SHORTOPTS, opts,
				NULL)) >= 0) {
		if (xfrmctl_table_option(c, optarg))
			continue;
		r = xfrmctl_common_option(c, optarg);
		if (r != 1)
			return r;
	}
	if (argc - optind > max_positional)
		return xfrmctl_usage_error("%s: unexpected argument '%s'", verb,
					   argv[optind + max_positional]);
	*ret_positional = argv + optind;
	*ret_npositional = argc - optind;
	return 0;
}

int xfrmctl_common_option(int c, const char *arg)
{
	switch (c) {
	case 'j':
		arg_json_given = true;
		if (!arg || xd_streq(arg, "short"))
			arg_json = JSON_SHORT;
		else if (xd_streq(arg, "pretty"))
			arg_json = JSON_PRETTY;
		else if (xd_streq(arg, "off"))
			arg_json = JSON_OFF;
		else
			return xfrmctl_usage_error("--json takes pretty, short or off");
		return 1;
	case 'r':
		if (arg_read_path && arg_read_path2)
			return xfrmctl_usage_error("-r given more than twice");
		if (arg_read_path)
			arg_read_path2 = arg;
		else
			arg_read_path = arg;
		return 1;
	case 'n':
		arg_netns = arg;
		return 1;
	case 'v':
		arg_verbose = true;
		return 1;
	case 'D':
		arg_no_daemon = true;
		return 1;
	default:
		return xfrmctl_usage_error("unknown option");
	}
}

int xfrmctl_parse_common_only(int argc, char **argv, const char *verb, int max_positional,
			      char ***ret_positional, int *ret_npositional)
{
	static const struct option opts[] = { XFRMCTL_COMMON_LONGOPTS, {} };
	int c, r;

	optind = 0; /* 0, not 1: glibc then re-reads the option string (permuting again) */
	while ((c = getopt_long(argc, argv, XFRMCTL_COMMON_SHORTOPTS, opts, NULL)) >= 0) {
		r = xfrmctl_common_option(c, optarg);
		if (r != 1)
			return r;
	}
	if (argc - optind > max_positional)
		return xfrmctl_usage_error("%s: unexpected argument '%s'", verb,
					   argv[optind + max_positional]);
	if (ret_positional) {
		*ret_positional = argv + optind;
		*ret_npositional = argc - optind;
	}
	return 0;
}

/* Returns <0 error exit code negated, 0 to stop successfully, >0 to continue. */
static int parse_argv(int argc, char **argv)
{
	static const struct option opts[] = {
		XFRMCTL_COMMON_LONGOPTS,
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{}
	};
	int c, r;

	while ((c = getopt_long(argc, argv, "+" XFRMCTL_COMMON_SHORTOPTS "hV", opts, NULL)) >= 0) {
		switch (c) {
		case 'h':
			verb_help(0, NULL);
			return 0;
		case 'V':
			verb_version(0, NULL);
			return 0;
		default:
			r = xfrmctl_common_option(c, optarg);
			if (r != 1)
				return -r;
		}
	}
	return 1;
}

int main(int argc, char **argv)
{
	/* A large document (show sa: ~70 MB at 100k SAs) leaves in 256 KiB writes, not 4 KiB ones;
	 * the verbs that stream (watch, check --interval) flush after each line or round. */
	static char outbuf[256 * 1024];
	const struct xfrmctl_verb *verb = NULL;
	int r;

	if (!isatty(STDOUT_FILENO))
		(void)setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));
	/* A diagnosis builds and drops an index per check family: from the heap, the next one
	 * reuses the memory instead of each being a fresh mapping that is faulted in and
	 * unmapped again (glibc's default above 128 KiB). Only the model's own vectors past
	 * 32 MiB (a million SAs) get mappings, which mremap grows without copying. With
	 * --interval the heap stays at a round's peak, which the next round reuses. */
	(void)mallopt(M_MMAP_THRESHOLD, 32 << 20);
	(void)mallopt(M_TRIM_THRESHOLD, 1 << 30);
	r = parse_argv(argc, argv);
	if (r <= 0)
		return -r;
	arg_color = want_color();
	argc -= optind;
	argv += optind;
	if (argc == 0) {
		static char status[] = "status";
		static char *def[] = { status, NULL };
		argc = 1;
		argv = def;
	}
	verb = find_verb(argv[0]);
	if (!verb)
		return xfrmctl_usage_error("unknown verb '%s'", argv[0]);
	if (wants_verb_help(argc, argv))
		return xfrmctl_verb_help(verb);
	r = verb->fn(argc, argv);
	return r;
}
