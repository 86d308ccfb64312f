/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz-udp.c: /proc/net/udp and /proc/net/udp6 text (the collector's fallback when sock_diag
 * cannot list UDP sockets) through their decoder, then the stack view. The first byte picks
 * the file.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xfrmd/decode.h"
#include "xfrmd/model.h"
#include "xfrmd/stack.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xd_snapshot *s = NULL;
	struct xd_stack_view v;

	if (size < 1 || xd_snapshot_new(&s) < 0)
		return 0;
	enum xd_dump d = data[0] & 1 ? XD_DUMP_PROC_UDP6 : XD_DUMP_PROC_UDP;
	/* an exact-size copy, so a read past the end is caught */
	void *copy = malloc(size - 1 ? size - 1 : 1);
	if (!copy) {
		xd_snapshot_free(s);
		return 0;
	}
	memcpy(copy, data + 1, size - 1);
	struct xd_record r = { .kind = XD_RECORD_FILE, .dump = d, .data = copy, .len = size - 1 };
	(void)xd_decode_record(s, &r);
	free(copy);
	xd_stack_view_compute(s, &v);
	xd_snapshot_free(s);
	return 0;
}
