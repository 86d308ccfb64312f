/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz-rtnl.c: one datagram through the rtnetlink link and address decoders. */
#include <stdint.h>

#include "xfrmd/decode.h"
#include "xfrmd/model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xd_snapshot *s = NULL;

	if (xd_snapshot_new(&s) < 0)
		return 0;
	(void)xd_decode_rtnl(s, XD_DUMP_RTNL_LINK, data, size);
	(void)xd_decode_rtnl(s, XD_DUMP_RTNL_ADDR, data, size);
	xd_snapshot_sort(s);
	xd_snapshot_free(s);
	return 0;
}
