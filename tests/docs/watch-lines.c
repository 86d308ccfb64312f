/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * watch-lines.c: print the watch lines xfrmd would send for the kernel event datagrams in
 * the files given (decoded as XFRM and as nf_tables events, like the collector does), plus
 * the lines the daemon makes itself (overrun, larval SA, findings raised and cleared), so
 * check-watch-schema.py can validate each against docs/schema/xfrmd-watch.schema.json.
 */
#include <json-c/json.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <stdlib.h>

#include "xfrmd/decode.h"
#include "xfrmd/kevent.h"
#include "xfrmd/render.h"

static int print_line(void *ud, const struct xd_kevent *e)
{
	struct xd_kevent x = *e;
	char *line = NULL;
	size_t len;

	(void)ud;
	x.time_ms = 1796661619448ll;
	if (xd_render_watch_kevent(&x, &line, &len) < 0)
		return -1;
	fputs(line, stdout);
	free(line);
	return 0;
}

int main(int argc, char **argv)
{
	static unsigned char buf[1 << 16] __attribute__((aligned(8)));
	struct xd_kevent own[] = {
		{ .type = XD_KEV_OVERRUN },
		{ .type = XD_KEV_SA_ACQUIRE, .family = 10, .proto = 50, .reqid = 1,
		  .has = XD_KEVH_ADDRS | XD_KEVH_PROTO | XD_KEVH_REQID },
	};
	struct json_object *f = json_tokener_parse(
		"{\"id\":\"sa.one_way\",\"severity\":\"error\",\"summary\":\"s\",\"subject\":{},"
		"\"evidence\":[],\"remedy\":\"r\",\"doc\":\"d\"}");
	char *line = NULL;
	size_t len;

	for (int i = 1; i < argc; i++) {
		FILE *in = fopen(argv[i], "rb");
		size_t n;

		if (!in) {
			perror(argv[i]);
			return 1;
		}
		n = fread(buf, 1, sizeof(buf), in);
		fclose(in);
		(void)xd_xfrm_scrub(buf, n);
		if (xd_decode_kevents(NETLINK_XFRM, buf, n, print_line, NULL) == -1 ||
		    xd_decode_kevents(NETLINK_NETFILTER, buf, n, print_line, NULL) == -1)
			return 1;
	}
	for (size_t i = 0; i < sizeof(own) / sizeof(own[0]); i++)
		if (print_line(NULL, &own[i]) < 0)
			return 1;
	for (int raised = 0; raised < 2; raised++) {
		if (!f || xd_render_watch_finding(raised, f, 1796661619448ll, 1796661600000ll, &line,
						  &len) < 0)
			return 1;
		fputs(line, stdout);
		free(line);
	}
	json_object_put(f);
	return 0;
}
