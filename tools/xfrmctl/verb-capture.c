/* SPDX-License-Identifier: GPL-2.0-or-later */
/* verb-capture.c: `xfrmctl capture -w FILE|-`: record a key-free snapshot (to a file, or to
 * standard output for a pipe). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "xfrmctl.h"
#include "xfrmd/capture.h"
#include "xfrmd/recbuf.h"
#include "xfrmd/util.h"

int verb_capture(int argc, char **argv)
{
	static const struct option opts[] = { { "write", required_argument, NULL, 'w' },
						XFRMCTL_COMMON_LONGOPTS,
						{} };
	const char *path = NULL;
	struct xd_recbuf *buf = NULL;
	int c, r;

	optind = 0; /* 0, not 1: glibc then re-reads the option string (permuting again) */
	while ((c = getopt_long(argc, argv, "w:" XFRMCTL_COMMON_SHORTOPTS, opts, NULL)) >= 0) {
		switch (c) {
		case 'w':
			path = optarg;
			break;
		default:
			r = xfrmctl_common_option(c, optarg);
			if (r != 1)
				return r;
		}
	}
	if (!path)
		return xfrmctl_usage_error("capture needs -w FILE");
	if (optind < argc)
		return xfrmctl_usage_error("capture: unexpected argument '%s'", argv[optind]);
	if (arg_read_path)
		return xfrmctl_usage_error("capture records the live kernel; it cannot use -r");
	if (xd_streq(path, "-") && isatty(STDOUT_FILENO))
		return xfrmctl_usage_error("capture -w -: standard output is a terminal; "
					   "redirect it to a file or a pipe");
	r = xfrmctl_collect(&buf);
	if (r)
		return r;
	if (xd_streq(path, "-")) {
		r = xd_capture_write_stream(stdout, buf);
		path = "standard output";
	} else {
		r = xd_capture_write(path, buf);
	}
	xd_recbuf_free(buf);
	if (r < 0) {
		fprintf(stderr, "xfrmctl: cannot write %s: %s\n", path, strerror(-r));
		return EXIT_COLLECT;
	}
	return EXIT_OK;
}
