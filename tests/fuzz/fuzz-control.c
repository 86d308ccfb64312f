/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz-control.c: control-socket requests (one SOCK_SEQPACKET message each) through the
 * daemon's request parser. */
#include <stdint.h>

#include "request.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xd_request req;
	const char *why = NULL;

	(void)xd_request_parse((const char *)data, size, &req, &why);
	return 0;
}
