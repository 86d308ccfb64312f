/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz-ipxfrm-state.c: `ip xfrm state` text (support archives) through the key scrubber, the
 * content test and the importer; a scrubbed text must scrub to nothing the second time. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xfrmd/decode.h"
#include "xfrmd/model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xd_snapshot *s = NULL;
	char *buf = malloc(size ? size : 1);

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	(void)xd_ipxfrm_scrub(buf, size);
	if (xd_ipxfrm_scrub(buf, size) != 0)
		abort(); /* the scrubber left a key behind */
	(void)xd_text_sniff(buf, size);
	if (xd_snapshot_new(&s) == 0) {
		(void)xd_decode_ip_xfrm_state(s, buf, size);
		xd_snapshot_sort(s);
		xd_snapshot_free(s);
	}
	free(buf);
	return 0;
}
