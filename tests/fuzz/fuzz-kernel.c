/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz-kernel.c: kernel-profile file records (sysctl, kernel config, module lists, self)
 * through their decoders, then the profile computed from the result. The first byte picks
 * the record kind so one corpus covers every parser.
 */
#include <stdint.h>

#include "xfrmd/decode.h"
#include "xfrmd/kernel.h"
#include "xfrmd/model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum xd_dump kinds[] = { XD_DUMP_SYSCTL, XD_DUMP_KCONFIG, XD_DUMP_MODULES,
					      XD_DUMP_MODULES_BUILTIN, XD_DUMP_MODULES_DEP,
					      XD_DUMP_SYS_MODULE, XD_DUMP_SELF, XD_DUMP_UNAME };
	struct xd_snapshot *s = NULL;
	struct xd_kprofile p;

	if (size < 1 || xd_snapshot_new(&s) < 0)
		return 0;
	struct xd_record r = { .kind = XD_RECORD_FILE,
			       .dump = kinds[data[0] % (sizeof(kinds) / sizeof(kinds[0]))],
			       .data = data + 1, .len = size - 1 };
	(void)xd_decode_record(s, &r);
	xd_kprofile_compute(s, &p);
	xd_snapshot_free(s);
	return 0;
}
