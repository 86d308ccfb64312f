/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz-kevent.c: the kernel-event decoder (decode/decode-kevent.c) on one datagram, read
 * both as an XFRM event datagram and as an nf_tables one, after scrubbing like the collector
 * does; every decoded event is rendered into a watch line. The input is the datagram.
 */
#include <linux/netlink.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xfrmd/decode.h"
#include "xfrmd/kevent.h"
#include "xfrmd/render.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int render(void *ud, const struct xd_kevent *e)
{
	char *line = NULL;
	size_t len;

	(void)ud;
	if (xd_render_watch_kevent(e, &line, &len) == 0)
		free(line);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* aligned like a receive buffer, and writable: the scrubber works in place */
	uint8_t *buf = malloc(size ? size : 1);

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	(void)xd_xfrm_scrub(buf, size);
	(void)xd_decode_kevents(NETLINK_XFRM, buf, size, render, NULL);
	memcpy(buf, data, size);
	(void)xd_decode_kevents(NETLINK_NETFILTER, buf, size, render, NULL);
	(void)xd_decode_kevents(NETLINK_ROUTE, buf, size, render, NULL);
	free(buf);
	return 0;
}
