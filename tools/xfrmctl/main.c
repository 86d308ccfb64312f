/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * main.c: xfrmctl's option parsing and the verb table. The table is the usage text: help,
 * the man page test and shell completion all read it.
 */
#include <getopt.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "verbs.h"
#include "xd-config.h"
#include "xfrmctl.h"
#include "xfrmd/util.h"

enum json_mode arg_json = JSON_OFF;
const char *arg_read_path;
const char *arg_read_path2;
const char *arg_netns;
bool arg_verbose;
bool arg_color;
unsigned arg_collect;
bool arg_sa_listing;

const struct xfrmctl_verb xfrmctl_verbs[] = {
	{ "status", verb_status, "", "summary of SAs, policies and error counters (default)" },
	{ "show", verb_show, "[sa|policy|stats|kernel|stack|firewall|certs|all]", "list kernel IPsec state, keys never shown" },
	{ "check", verb_check, "[--interval S] [--fail-on warning|error] [--nagios] [--stale-after S]", "diagnose: findings with evidence and remedies" },
	{ "peers", verb_peers, "", "one row per remote gateway: SAs, traffic, state, findings" },
	{ "watch", verb_watch, "", "stream events from xfrmd as JSON lines (needs the daemon)" },
	{ "metrics", verb_metrics, "", "Prometheus text exposition (from xfrmd when it runs)" },
	{ "explain", verb_explain, "[ID]", "what a finding means and how to fix it" },
	{ "fw", verb_fw, "verdict --proto P --src A --dst B [--sport N] [--dport N] [--spi N] [--hook H] [--iif IF] [--oif IF] [--ct new|established] [--secpath] [--policy-out]", "evaluate a packet through the firewall, with the deciding rule" },
	{ "capture", verb_capture, "-w FILE", "record a key-free snapshot for later or elsewhere" },
	{ "version", verb_version, "", "print the version" },
	{ "help", verb_help, "", "print this help" },
	{}
};

int verb_help(int argc, char **argv)
{
	if (argc > 1)
		return xfrmctl_usage_error("help takes no arguments");
	printf("Usage: xfrmctl [OPTIONS] [VERB [ARGS]]\n\n"
	       "Diagnose Linux IPsec (XFRM) state read over netlink.\n\n"
	       "Verbs:\n");
	for (const struct xfrmctl_verb *v = xfrmctl_verbs; v->name; v++)
		printf("  %-8s %-50s %s\n", v->name, v->args, v->summary);
	printf("\nOptions:\n"
	       "  -j, --json[=pretty|short]  JSON output (the reference format)\n"
	       "  -r, --read FILE            read a snapshot instead of the live kernel\n"
	       "  -n, --netns NAME           use network namespace NAME (/run/netns/NAME)\n"
	       "  -v, --verbose              more detail\n"
	       "      --no-daemon            collect directly even when xfrmd runs\n"
	       "  -h, --help                 this help\n"
	       "  -V, --version              print the version\n\n"
	       "Exit status: 0 ok, 1 problems found (check), 2 usage error, 3 could not collect or read.\n");
	return EXIT_OK;
}

int verb_version(int argc, char **argv)
{
	if (argc > 1)
		return xfrmctl_usage_error("version takes no arguments");
	printf("xfrmctl %s\n", XD_VERSION);
	return EXIT_OK;
}

static bool want_color(void)
{
	const char *e = secure_getenv("XFRMCTL_COLOR");

	if (e && xd_streq(e, "always"))
		return true;
	if (e && xd_streq(e, "never"))
		return false;
	if (secure_getenv("NO_COLOR"))
		return false;
	return isatty(STDOUT_FILENO);
}

int xfrmctl_common_option(int c, const char *arg)
{
	switch (c) {
	case 'j':
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
	for (const struct xfrmctl_verb *v = xfrmctl_verbs; v->name; v++)
		if (xd_streq(v->name, argv[0]))
			verb = v;
	if (!verb)
		return xfrmctl_usage_error("unknown verb '%s'", argv[0]);
	r = verb->fn(argc, argv);
	return r;
}
