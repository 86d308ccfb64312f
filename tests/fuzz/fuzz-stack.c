/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz-stack.c: IKE-stack records (/proc/net/netlink, sock_diag datagrams, processes,
 * versions) through their decoders, then the stack view and every policy fingerprint; the
 * same bytes through the executable version scanner. The first byte picks the record kind.
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
	static const enum xd_dump kinds[] = { XD_DUMP_NETLINK_SOCKETS, XD_DUMP_SOCKDIAG_UDP,
					      XD_DUMP_SOCKDIAG_TCP, XD_DUMP_PROCESSES,
					      XD_DUMP_STACK_VERSIONS };
	struct xd_snapshot *s = NULL;
	struct xd_stack_view v;

	if (size < 1 || xd_snapshot_new(&s) < 0)
		return 0;
	enum xd_dump d = kinds[data[0] % (sizeof(kinds) / sizeof(kinds[0]))];
	/* records are aligned like a recvmsg() buffer (recbuf and the snapshot reader do so) */
	void *copy = malloc(size);
	if (!copy) {
		xd_snapshot_free(s);
		return 0;
	}
	memcpy(copy, data + 1, size - 1);
	struct xd_record r = { .kind = xd_dump_kind(d), .dump = d, .nl_proto = 4,
			       .data = copy, .len = size - 1 };
	(void)xd_decode_record(s, &r);
	/* the same bytes as an executable whose version is looked for */
	char product[32], ver[64];
	(void)xd_stack_version_scan(copy, size - 1, product, sizeof(product), ver, sizeof(ver));
	free(copy);
	xd_stack_view_compute(s, &v);
	xd_snapshot_free(s);
	return 0;
}
