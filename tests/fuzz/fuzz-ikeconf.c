/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz-ikeconf.c: the IKE configuration parsers (swanctl.conf / strongswan.conf syntax and
 * ipsec.conf) on bytes, with no file system: every include is served from memory. An include
 * pattern names two files (the pattern and pattern + "~"), each holding the input again under
 * its own identity, so nesting, the include and file bounds, per-tree de-duplication and the
 * notes run too. The input reaches the parsers in an exact-size allocation without a NUL.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xfrmd/ikeconf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct mem {
	const uint8_t *data;
	size_t size;
};

static int mem_expand(void *userdata, const char *pattern, int (*each)(void *ctx, const char *path),
		      void *ctx)
{
	char second[1100];
	int r = each(ctx, pattern);

	if (r < 0)
		return r;
	snprintf(second, sizeof(second), "%s~", pattern);
	return each(ctx, second);
}

static int mem_read(void *userdata, const char *path, size_t max, char **ret, size_t *ret_len,
		    struct xd_file_id *ret_id)
{
	const struct mem *m = userdata;
	uint64_t h = 1469598103934665603ull; /* FNV-1a of the path: one inode per name */
	char *b;

	if (m->size > max)
		return -EFBIG;
	b = malloc(m->size + 1);
	if (!b)
		return -ENOMEM;
	memcpy(b, m->data, m->size);
	b[m->size] = '\0';
	for (const char *p = path; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ull;
	*ret = b;
	*ret_len = m->size;
	*ret_id = (struct xd_file_id){ .dev = 1, .ino = h };
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mem m = { .data = data, .size = size };
	const struct xd_ikeconf_io io = { .expand = mem_expand, .read = mem_read, .userdata = &m };
	struct xd_ikeconf c = { 0 };

	(void)xd_ikeconf_swanctl_parse("/etc/swanctl/swanctl.conf", (const char *)data, size, &io,
				       &c);
	xd_ikeconf_done(&c);
	(void)xd_ikeconf_ipsec_parse("/etc/ipsec.conf", (const char *)data, size, &io, &c);
	xd_ikeconf_done(&c);
	/* no includes at all: the parse alone */
	(void)xd_ikeconf_swanctl_parse("swanctl.conf", (const char *)data, size, NULL, &c);
	xd_ikeconf_done(&c);
	return 0;
}
