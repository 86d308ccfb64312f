/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * main.c: xfrmd [-d] [-f CONFIG] [-n]. Parses options and the configuration, then hands over
 * to the daemon (daemon.c). -n checks the configuration and exits, like ipsecctl -n.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "config.h"
#include "daemon.h"
#include "log.h"
#include "xd-config.h"

static void help(void)
{
	printf("Usage: xfrmd [-d] [-f CONFIG] [-t]\n\n"
	       "Follow kernel IPsec (XFRM) state, diagnose it over time and serve it on a\n"
	       "local socket (see xfrmd(8), xfrmd.conf(5)).\n\n"
	       "  -d, --debug         log debug messages\n"
	       "  -f, --config FILE   configuration file (default " XD_DEFAULT_CONFIG ")\n"
	       "  -t, --test-config   check the configuration and exit\n"
	       "  -h, --help          this help\n"
	       "  -V, --version       print the version\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "debug", no_argument, NULL, 'd' },
		{ "config", required_argument, NULL, 'f' },
		/* -t as sshd -t and nginx -t: -n means a network namespace in xfrmctl */
		{ "test-config", no_argument, NULL, 't' },
		{ "check-config", no_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{}
	};
	const char *path = XD_DEFAULT_CONFIG;
	bool explicit_path = false, check_only = false, debug = false;
	struct xd_config cfg;
	char err[256] = "";
	int c, r;

	while ((c = getopt_long(argc, argv, "df:thV", opts, NULL)) >= 0) {
		switch (c) {
		case 'd':
			debug = true;
			break;
		case 'f':
			path = optarg;
			explicit_path = true;
			break;
		case 't':
			check_only = true;
			break;
		case 'h':
			help();
			return 0;
		case 'V':
			printf("xfrmd %s\n", XD_VERSION);
			return 0;
		default:
			fputs("See 'xfrmd --help'.\n", stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "xfrmd: unexpected argument '%s'\nSee 'xfrmd --help'.\n", argv[optind]);
		return 2;
	}
	xd_config_defaults(&cfg);
	r = xd_config_load(&cfg, path, explicit_path, err, sizeof(err));
	if (r < 0) {
		xd_log(LOG_ERR, "%s: %s", path, err);
		return check_only ? 1 : 2;
	}
	if (debug)
		cfg.debug = true;
	xd_log_max_level = cfg.debug ? LOG_DEBUG : LOG_INFO;
	if (check_only) {
		printf("%s: configuration OK\n", path);
		return 0;
	}
	return xd_daemon_run(&cfg, path);
}
