/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz-rtnl.c: one datagram through the rtnetlink link, address, route and rule decoders,
 * then route lookups over whatever was decoded (the lookup reads every decoded field).
 */
#include <stdint.h>
#include <string.h>

#include "xfrmd/decode.h"
#include "xfrmd/model.h"
#include "xfrmd/route.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xd_snapshot *s = NULL;
	struct xd_route_result r;

	if (xd_snapshot_new(&s) < 0)
		return 0;
	(void)xd_decode_rtnl(s, XD_DUMP_RTNL_LINK, data, size);
	(void)xd_decode_rtnl(s, XD_DUMP_RTNL_ADDR, data, size);
	(void)xd_decode_rtnl(s, XD_DUMP_RTNL_ROUTE, data, size);
	(void)xd_decode_rtnl(s, XD_DUMP_RTNL_RULE, data, size);
	xd_snapshot_sort(s);
	s->meta.dump_status[XD_DUMP_RTNL_ROUTE] = XD_DUMP_COMPLETE;
	s->meta.dump_status[XD_DUMP_RTNL_RULE] = XD_DUMP_COMPLETE;
	/* each decoded route's own destination, from each family, local and forwarded */
	for (size_t i = 0; i < s->routes.len && i < 64; i++) {
		const struct xd_route *rt = xd_vec_at(&s->routes, i);
		struct xd_route_query q = { .family = rt->family, .dst = rt->dst, .src = rt->src,
					    .has_src = i & 1, .iif = (i & 2) ? "" : NULL,
					    .mark = (uint32_t)i, .proto = 17, .has_ports = true,
					    .sport = 500, .dport = 500 };
		(void)xd_route_lookup(s, &q, &r);
		(void)xd_route_result_oif_name(s, &r);
	}
	xd_snapshot_free(s);
	return 0;
}
