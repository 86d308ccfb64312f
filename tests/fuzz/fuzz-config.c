/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz-config.c: xfrmd.conf text through the configuration parser (also what `xfrmd -t`
 * and a reload run), including the metrics_listen address parser. */
#include <stdint.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xd_config c;
	char err[256];

	xd_config_defaults(&c);
	(void)xd_config_parse(&c, (const char *)data, size, err, sizeof(err));
	return 0;
}
