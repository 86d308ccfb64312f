/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz-whack.c: libreswan's whack output (the ike.whack_status / ike.whack_traffic record)
 * through the collector's scrubber and the decoder. The first byte picks the dump (bit 0:
 * 0 = --status, 1 = --trafficstatus). A status record is decoded before a traffic record
 * made of the same bytes, so both paths meet the same model. After scrubbing, no line may
 * hold a run of 32 hex digits: scrubbing again removes nothing.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xfrmd/decode.h"
#include "xfrmd/ike.h"
#include "xfrmd/model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xd_snapshot *s = NULL;

	if (size < 1 || xd_snapshot_new(&s) < 0)
		return 0;
	/* an exact-size copy, so a read past the end is caught */
	char *copy = malloc(size - 1 ? size - 1 : 1);
	if (!copy) {
		xd_snapshot_free(s);
		return 0;
	}
	memcpy(copy, data + 1, size - 1);
	struct xd_record r = { .kind = XD_RECORD_FILE, .dump = XD_DUMP_IKE_WHACK_STATUS,
			       .data = copy, .len = size - 1 };
	(void)xd_decode_record(s, &r);
	if (data[0] & 1) {
		r.dump = XD_DUMP_IKE_WHACK_TRAFFIC;
		(void)xd_decode_record(s, &r);
	}
	size_t len = xd_whack_scrub(copy, size - 1);
	if (len > size - 1 || xd_whack_scrub(copy, len) != len)
		abort();
	r.len = len;
	(void)xd_decode_record(s, &r);
	free(copy);
	xd_snapshot_free(s);
	return 0;
}
