/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz-procfs.c: file records (/proc/net/xfrm_stat, uname) through their parsers. */
#include <stdint.h>

#include "xfrmd/decode.h"
#include "xfrmd/model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xd_snapshot *s = NULL;

	if (xd_snapshot_new(&s) < 0)
		return 0;
	(void)xd_decode_xfrm_stat(s, data, size);
	(void)xd_decode_uname(s, data, size);
	xd_snapshot_free(s);
	return 0;
}
