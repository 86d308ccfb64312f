/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz-vici.c: a strongSwan VICI packet (the ike.vici_conns / ike.vici_sas record) through
 * the collector's scrubber and then the decoder. The first byte picks the dump (bit 0: 0 =
 * list-conns, 1 = list-sas). After scrubbing, no value named like a secret may be left
 * non-zero: checked by decoding the scrubbed copy again, which must not fail differently.
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
	enum xd_dump d = data[0] & 1 ? XD_DUMP_IKE_VICI_SAS : XD_DUMP_IKE_VICI_CONNS;
	/* an exact-size copy, so a read past the end is caught */
	void *copy = malloc(size - 1 ? size - 1 : 1);
	if (!copy) {
		xd_snapshot_free(s);
		return 0;
	}
	memcpy(copy, data + 1, size - 1);
	struct xd_record r = { .kind = XD_RECORD_FILE, .dump = d, .data = copy, .len = size - 1 };
	(void)xd_decode_record(s, &r);
	(void)xd_vici_scrub(copy, size - 1);
	/* a scrubbed packet holds no secret values: scrubbing again finds nothing */
	if (xd_vici_scrub(copy, size - 1) != 0)
		abort();
	(void)xd_decode_record(s, &r);
	free(copy);
	xd_snapshot_free(s);
	return 0;
}
