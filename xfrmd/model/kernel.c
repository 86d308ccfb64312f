/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kernel.c: the kernel facts of a snapshot: allocation, lookups, release parsing. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>

#include "xfrmd/kernel.h"
#include "xfrmd/model.h"

struct xd_kernel *xd_snapshot_kernel(struct xd_snapshot *s)
{
	struct xd_kernel *k;

	if (s->kernel)
		return s->kernel;
	k = calloc(1, sizeof(*k));
	if (!k)
		return NULL;
	xd_vec_init(&k->sysctls, sizeof(struct xd_kv));
	xd_vec_init(&k->kconfig, sizeof(struct xd_kv));
	xd_vec_init(&k->kmods, sizeof(struct xd_kmod));
	s->kernel = k;
	return k;
}

void xd_kernel_done(struct xd_kernel *k)
{
	if (!k)
		return;
	xd_vec_done(&k->sysctls);
	xd_vec_done(&k->kconfig);
	xd_vec_done(&k->kmods);
	free(k);
}

static const char *kv_find(const struct xd_vec *v, const char *name)
{
	/* the last value wins: a record collected twice says the later thing */
	for (size_t i = v->len; i-- > 0;) {
		const struct xd_kv *kv = xd_vec_at(v, i);
		if (xd_streq(kv->name, name))
			return kv->value;
	}
	return NULL;
}

const char *xd_kernel_sysctl(const struct xd_snapshot *s, const char *name)
{
	return s->kernel ? kv_find(&s->kernel->sysctls, name) : NULL;
}

const char *xd_kernel_config(const struct xd_snapshot *s, const char *option)
{
	return s->kernel ? kv_find(&s->kernel->kconfig, option) : NULL;
}

uint32_t xd_kernel_kmod_src(const struct xd_snapshot *s, const char *name)
{
	uint32_t src = 0;

	if (!s->kernel)
		return 0;
	for (size_t i = 0; i < s->kernel->kmods.len; i++) {
		const struct xd_kmod *m = xd_vec_at(&s->kernel->kmods, i);
		if (xd_streq(m->name, name))
			src |= m->src;
	}
	return src;
}

static const char *parse_num(const char *p, unsigned *ret)
{
	unsigned v = 0;

	if (!isdigit((unsigned char)*p))
		return NULL;
	while (isdigit((unsigned char)*p)) {
		if (v > 100000)
			return NULL;
		v = v * 10 + (unsigned)(*p++ - '0');
	}
	*ret = v;
	return p;
}

int xd_kernel_version_parse(const char *release, unsigned *maj, unsigned *min, unsigned *patch)
{
	const char *p = release;
	unsigned a = 0, b = 0, c = 0;

	if (!p || !(p = parse_num(p, &a)))
		return -EINVAL;
	if (*p == '.' && (p = parse_num(p + 1, &b)) && *p == '.')
		(void)parse_num(p + 1, &c);
	if (!p)
		return -EINVAL;
	*maj = a;
	*min = b;
	*patch = c;
	return 0;
}

bool xd_machine_is_64bit(const char *m)
{
	static const char *const m64[] = { "x86_64", "aarch64", "ppc64", "ppc64le", "s390x",
					    "mips64", "riscv64", "loongarch64", "sparc64",
					    "alpha", "ia64", "arm64" };

	if (!m)
		return false;
	for (size_t i = 0; i < XD_ARRAY_SIZE(m64); i++)
		if (xd_streq(m, m64[i]))
			return true;
	return false;
}
