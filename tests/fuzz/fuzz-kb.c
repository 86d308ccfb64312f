/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz-kb.c: the known-issues parser (untrusted JSON: size, depth and types capped). */
#include <stdint.h>

#include "xfrmd/kb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xd_kb *kb = NULL;
	char err[256];

	if (xd_kb_parse((const char *)data, size, &kb, err, sizeof(err)) == 0)
		xd_kb_free(kb);
	return 0;
}
