/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * main.c: xfrmctl's option parsing and the verb table. The table is the usage text: help,
 * the man page test and shell completion all read it.
 */
#include <getopt.h>
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
const char *arg_netns;
bool arg_verbose;
bool arg_color;

const struct xfrmctl_verb xfrmctl_verbs[] = {
	{ "status", 0, 0, verb_status, "", "summary of SAs, policies and error counters (default)" },
	{ "show", 0, 4, verb_show, "[sa|policy|stats|kernel|stack|all]", "list kernel IPsec state, keys never shown" },
	{ "capture", 2, 2, verb_capture, "-w FILE", "record a key-free snapshot for later or elsewhere" },
	{ "version", 0, 0, verb_version, "", "print the version" },
	{ "help", 0, 0, verb_help, "", "print this help" },
	{}
};

int verb_help(int argc, char **argv)
{
	printf("Usage: xfrmctl [OPTIONS] [VERB [ARGS]]\n\n"
	       "Diagnose Linux IPsec (XFRM) state read over netlink.\n\n"
	       "Verbs:\n");
	for (const struct xfrmctl_verb *v = xfrmctl_verbs; v->name; v++)
		printf("  %-8s %-22s %s\n", v->name, v->args, v->summary);
	printf("\nOptions:\n"
	       "  -j, --json[=pretty|short]  JSON output (the reference format)\n"
	       "  -r, --read FILE            read a snapshot instead of the live kernel\n"
	       "  -n, --netns NAME           use network namespace NAME (/run/netns/NAME)\n"
	       "  -v, --verbose              more detail\n"
	       "  -h, --help                 this help\n"
	       "  -V, --version              print the version\n\n"
	       "Exit status: 0 ok, 1 problems found (check), 2 usage error, 3 could not collect or read.\n");
	return EXIT_OK;
}

int verb_version(int argc, char **argv)
{
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

/* Returns <0 error exit code negated, 0 to stop successfully, >0 to continue. */
static int parse_argv(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", optional_argument, NULL, 'j' },
		{ "read", required_argument, NULL, 'r' },
		{ "netns", required_argument, NULL, 'n' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{}
	};
	int c;

	while ((c = getopt_long(argc, argv, "+jr:n:vhV", opts, NULL)) >= 0) {
		switch (c) {
		case 'j':
			if (!optarg || xd_streq(optarg, "short"))
				arg_json = JSON_SHORT;
			else if (xd_streq(optarg, "pretty"))
				arg_json = JSON_PRETTY;
			else if (xd_streq(optarg, "off"))
				arg_json = JSON_OFF;
			else
				return -xfrmctl_usage_error("--json takes pretty, short or off");
			break;
		case 'r':
			if (arg_read_path)
				return -xfrmctl_usage_error("-r given twice");
			arg_read_path = optarg;
			break;
		case 'n':
			arg_netns = optarg;
			break;
		case 'v':
			arg_verbose = true;
			break;
		case 'h':
			verb_help(0, NULL);
			return 0;
		case 'V':
			verb_version(0, NULL);
			return 0;
		default:
			return -xfrmctl_usage_error("unknown option");
		}
	}
	if (arg_read_path && arg_netns)
		return -xfrmctl_usage_error("--netns and --read exclude each other");
	return 1;
}

int main(int argc, char **argv)
{
	const struct xfrmctl_verb *verb = NULL;
	int r;

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
	if (argc - 1 < verb->min_args || argc - 1 > verb->max_args)
		return xfrmctl_usage_error("wrong number of arguments for '%s' (usage: %s %s)",
					   verb->name, verb->name, verb->args);
	return verb->fn(argc, argv);
}
