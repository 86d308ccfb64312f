/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * decode-kernel.c: kernel-profile file records -> struct xd_kernel. Line based, bounded in
 * line count and length; a malformed line becomes a decode issue and is skipped. Values are
 * kept as text; the profile (model/kernel-profile.c) interprets them.
 */
#include <errno.h>
#include <string.h>

#include "xfrmd/decode.h"
#include "xfrmd/kernel.h"
#include "xfrmd/model.h"

#define MAX_ENTRIES 50000
#define MAX_LINE 4096

struct line_iter {
	const char *p, *end;
	size_t lineno;
};

static bool next_line(struct line_iter *it, const char **ret, size_t *ret_len)
{
	const char *eol;

	if (it->p >= it->end)
		return false;
	eol = memchr(it->p, '\n', (size_t)(it->end - it->p));
	if (!eol)
		eol = it->end;
	*ret = it->p;
	*ret_len = (size_t)(eol - it->p);
	it->p = eol + 1;
	it->lineno++;
	return true;
}

static void issue(struct xd_snapshot *s, enum xd_dump d, const void *base, const char *at,
		  const char *what)
{
	struct xd_decode_issue i = { .code = -EBADMSG, .dump = d,
				     .offset = (uint32_t)(at - (const char *)base), .what = what };
	xd_snapshot_add_issue(s, &i);
}

static int push_kv(struct xd_snapshot *s, struct xd_vec *v, const char *name, size_t nlen,
		   const char *val, size_t vlen)
{
	struct xd_kv *kv;

	kv = xd_vec_push(v);
	if (!kv)
		return -ENOMEM;
	kv->name = xd_snapshot_intern(s, name, nlen);
	kv->value = xd_snapshot_intern(s, val, vlen);
	if (!kv->name || !kv->value) {
		v->len--;
		return -ENOMEM;
	}
	return 0;
}

/* A "name=value" line of n bytes, eq at its '='. */
static int push_line_kv(struct xd_snapshot *s, struct xd_vec *v, const char *line, size_t n,
			const char *eq)
{
	size_t nlen = (size_t)(eq - line);

	return push_kv(s, v, line, nlen, eq + 1, n - nlen - 1);
}

/* A name may hold no NUL, '=' or control bytes: the record format cannot carry them. */
static bool clean(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f || s[i] == '=')
			return false;
	return n > 0;
}

int xd_decode_sysctl(struct xd_snapshot *s, const void *buf, size_t len)
{
	struct xd_kernel *k = xd_snapshot_kernel(s);
	struct line_iter it = { buf, (const char *)buf + len, 0 };
	const char *line;
	size_t n;

	if (!k)
		return -ENOMEM;
	k->sysctl_present = true;
	while (next_line(&it, &line, &n)) {
		const char *eq = memchr(line, '=', n);
		int r;
		if (n == 0)
			continue;
		if (!eq || n > MAX_LINE || !clean(line, (size_t)(eq - line)) ||
		    memchr(line, '\0', n)) {
			issue(s, XD_DUMP_SYSCTL, buf, line, "sysctl line is not name=value");
			continue;
		}
		if (k->sysctls.len >= MAX_ENTRIES) {
			issue(s, XD_DUMP_SYSCTL, buf, line, "too many sysctls");
			break;
		}
		r = push_line_kv(s, &k->sysctls, line, n, eq);
		if (r < 0)
			return r;
	}
	return 0;
}

int xd_decode_kconfig(struct xd_snapshot *s, const void *buf, size_t len)
{
	static const char src[] = "# source: ";
	static const char notset[] = " is not set";
	struct xd_kernel *k = xd_snapshot_kernel(s);
	struct line_iter it = { buf, (const char *)buf + len, 0 };
	const char *line;
	size_t n;

	if (!k)
		return -ENOMEM;
	k->kconfig_present = true;
	while (next_line(&it, &line, &n)) {
		const char *eq;
		int r = 0;

		if (n == 0 || n > MAX_LINE || memchr(line, '\0', n))
			continue;
		if (k->kconfig.len >= MAX_ENTRIES) {
			issue(s, XD_DUMP_KCONFIG, buf, line, "too many config options");
			break;
		}
		if (it.lineno == 1 && n > sizeof(src) - 1 && memcmp(line, src, sizeof(src) - 1) == 0) {
			k->kconfig_source = xd_snapshot_intern(s, line + sizeof(src) - 1,
							       n - (sizeof(src) - 1));
			continue;
		}
		/* "# CONFIG_FOO is not set" is how Kconfig writes "n" */
		if (n > 2 + 7 + sizeof(notset) - 1 && memcmp(line, "# CONFIG_", 9) == 0 &&
		    memcmp(line + n - (sizeof(notset) - 1), notset, sizeof(notset) - 1) == 0) {
			size_t nl = n - 2 - (sizeof(notset) - 1);
			if (clean(line + 2, nl) && !memchr(line + 2, ' ', nl))
				r = push_kv(s, &k->kconfig, line + 2, nl, "n", 1);
		} else if (line[0] == '#') {
			continue;
		} else if (n > 7 && memcmp(line, "CONFIG_", 7) == 0 &&
			   (eq = memchr(line, '=', n)) && clean(line, (size_t)(eq - line))) {
			r = push_line_kv(s, &k->kconfig, line, n, eq);
		} else {
			issue(s, XD_DUMP_KCONFIG, buf, line, "kernel config line not understood");
		}
		if (r < 0)
			return r;
	}
	return 0;
}

/* "kernel/net/ipv4/esp4.ko.xz" -> "esp4"; '-' becomes '_' as modprobe does. */
static size_t module_basename(const char *p, size_t n, char *out, size_t outlen)
{
	const char *slash = p, *dot;
	size_t m;

	for (size_t i = 0; i < n; i++)
		if (p[i] == '/')
			slash = p + i + 1;
	m = n - (size_t)(slash - p);
	dot = memchr(slash, '.', m);
	if (dot)
		m = (size_t)(dot - slash);
	if (m == 0 || m >= outlen)
		return 0;
	for (size_t i = 0; i < m; i++)
		out[i] = slash[i] == '-' ? '_' : slash[i];
	out[m] = '\0';
	return m;
}

static int decode_module_list(struct xd_snapshot *s, enum xd_dump d, const void *buf,
			      size_t len, uint32_t src, bool first_token)
{
	struct xd_kernel *k = xd_snapshot_kernel(s);
	struct line_iter it = { buf, (const char *)buf + len, 0 };
	const char *line;
	size_t n;

	if (!k)
		return -ENOMEM;
	switch (src) {
	case XD_KMOD_LOADED:
		k->modules_present = true;
		break;
	case XD_KMOD_BUILTIN:
		k->builtin_present = true;
		break;
	case XD_KMOD_INSTALLED:
		k->modules_dep_present = true;
		break;
	default:
		k->sys_module_present = true;
		break;
	}
	while (next_line(&it, &line, &n)) {
		char name[64];
		size_t m = n;
		struct xd_kmod *km;

		if (n == 0)
			continue;
		if (first_token) {
			const char *sp = memchr(line, ' ', n);
			if (sp)
				m = (size_t)(sp - line);
		}
		if (!clean(line, m) || !module_basename(line, m, name, sizeof(name))) {
			issue(s, d, buf, line, "module list line not understood");
			continue;
		}
		if (k->kmods.len >= MAX_ENTRIES) {
			issue(s, d, buf, line, "too many modules");
			break;
		}
		km = xd_vec_push(&k->kmods);
		if (!km)
			return -ENOMEM;
		km->name = xd_snapshot_intern(s, name, sizeof(name));
		km->src = src;
		if (!km->name) {
			k->kmods.len--;
			return -ENOMEM;
		}
	}
	return 0;
}

int xd_decode_modules(struct xd_snapshot *s, enum xd_dump d, const void *buf, size_t len)
{
	switch (d) {
	case XD_DUMP_MODULES:
		return decode_module_list(s, d, buf, len, XD_KMOD_LOADED, true);
	case XD_DUMP_MODULES_BUILTIN:
		return decode_module_list(s, d, buf, len, XD_KMOD_BUILTIN, false);
	case XD_DUMP_MODULES_DEP:
		return decode_module_list(s, d, buf, len, XD_KMOD_INSTALLED, false);
	case XD_DUMP_SYS_MODULE:
		return decode_module_list(s, d, buf, len, XD_KMOD_SYSFS, false);
	default:
		return -EINVAL;
	}
}

int xd_decode_self(struct xd_snapshot *s, const void *buf, size_t len)
{
	struct xd_kernel *k = xd_snapshot_kernel(s);
	char tmp[32];

	if (!k)
		return -ENOMEM;
	if (len < 6 || len >= sizeof(tmp) || memcmp(buf, "bits=", 5) != 0) {
		issue(s, XD_DUMP_SELF, buf, buf, "self record not understood");
		return 0;
	}
	memcpy(tmp, (const char *)buf + 5, len - 5);
	tmp[len - 5] = '\0';
	if (tmp[len - 6] == '\n')
		tmp[len - 6] = '\0';
	if (xd_parse_u32(tmp, &k->collector_bits) < 0 ||
	    (k->collector_bits != 32 && k->collector_bits != 64)) {
		k->collector_bits = 0;
		issue(s, XD_DUMP_SELF, buf, buf, "self record: bad pointer width");
	}
	return 0;
}
