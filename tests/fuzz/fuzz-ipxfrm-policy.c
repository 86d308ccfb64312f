/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz-ipxfrm-policy.c: `ip xfrm policy` and `uname -a` text (support archives) through their
 * importers. */
#include <stdint.h>

#include "xfrmd/decode.h"
#include "xfrmd/model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xd_snapshot *s = NULL;

	if (xd_snapshot_new(&s) < 0)
		return 0;
	(void)xd_decode_ip_xfrm_policy(s, data, size);
	(void)xd_decode_uname_a(s, data, size);
	xd_snapshot_sort(s);
	xd_snapshot_free(s);
	return 0;
}
