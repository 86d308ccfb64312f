/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * verb-watch.c: `xfrmctl watch`: subscribe to xfrmd's event stream and print each event as
 * one JSON line as it arrives (SA added/deleted/expired, policy changes, NAT mapping
 * changes, findings raised/cleared). Needs the daemon: events cannot be collected after
 * the fact. Ends when the daemon closes the stream (exit 0) or cuts us off (exit 3).
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xfrmctl.h"

int verb_watch(int argc, char **argv)
{
	char *pending = NULL;
	size_t plen = 0;
	int fd, r;

	r = xfrmctl_parse_common_only(argc, argv, "watch", 0, NULL, NULL);
	if (r)
		return r;
	if (arg_read_path || arg_netns)
		return xfrmctl_usage_error("watch follows the running xfrmd; -r and --netns do not apply");
	fd = xfrmctl_daemon_connect("{\"command\":\"watch\"}", 0);
	if (fd < 0) {
		fprintf(stderr, "xfrmctl: watch needs xfrmd running (%s: %s)\n",
			xfrmctl_daemon_socket(), strerror(-fd));
		return EXIT_COLLECT;
	}
	for (;;) {
		char *line = NULL;
		struct json_object *doc;

		r = xfrmctl_daemon_read_line(fd, &pending, &plen, &line);
		if (r < 0)
			break;
		doc = json_tokener_parse(line);
		if (doc && xfrmctl_daemon_error(doc)) {
			json_object_put(doc);
			free(line);
			r = -ECONNABORTED;
			break;
		}
		json_object_put(doc);
		/* lines are printed as received: a pipe reader sees each event at once */
		if (printf("%s\n", line) < 0 || fflush(stdout) != 0) {
			free(line);
			r = -EIO;
			break;
		}
		free(line);
	}
	free(pending);
	close(fd);
	return r == -EPIPE ? EXIT_OK : EXIT_COLLECT;
}
