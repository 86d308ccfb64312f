/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * collect-kernel.c: records for the kernel profile (kernel.h): IPsec-relevant sysctls, the
 * kernel configuration, and which modules are loaded, built in or installed.
 *
 * Probing never writes to the kernel and never loads a module: only files are read (no
 * socket of a family that would autoload, no modprobe). Per netns facts (sysctls) are read
 * after xd_collect_live() entered the namespace; /proc/sys then shows that namespace.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <zlib.h>

#include "collect-internal.h"
#include "xfrmd/file.h"
#include "strbuf.h"
#include "xfrmd/model.h"

#define SYSCTL_MAX_BYTES (4u << 20) /* 4096 interfaces x 11 sysctls fit */
#define KCONFIG_MAX_BYTES (4u << 20)
#define MODFILE_MAX_BYTES (8u << 20)
#define MAX_CONF_DIRS 4096

/* Global sysctls: /proc/sys/<path>, recorded as the dotted name. */
static const char *const global_sysctls[] = {
	"net/ipv4/ip_forward",
	"net/ipv4/ip_no_pmtu_disc",
	"net/ipv4/xfrm4_gc_thresh",
	"net/ipv6/xfrm6_gc_thresh",
	"net/core/xfrm_acq_expires",
	"net/core/xfrm_larval_drop",
	"net/core/xfrm_aevent_etime",
	"net/core/xfrm_aevent_rseqth",
	"net/core/rmem_max",
	"net/core/rmem_default",
};

/* Per-interface sysctls under net/ipv4/conf/<if>/ and net/ipv6/conf/<if>/. */
static const char *const conf4[] = {
	"forwarding", "rp_filter", "send_redirects", "accept_redirects", "secure_redirects",
	"disable_policy", "disable_xfrm",
};
static const char *const conf6[] = {
	"forwarding", "accept_redirects", "disable_policy", "disable_ipv6",
};

static void add_sysctl(struct xd_strbuf *b, const char *path)
{
	char full[512], *val = NULL;
	size_t len = 0;

	if (snprintf(full, sizeof(full), "/proc/sys/%s", path) >= (int)sizeof(full))
		return;
	if (xd_file_read(full, XD_FILE_NOFOLLOW, 4096, &val, &len, NULL) < 0)
		return; /* absent on this kernel (e.g. xfrm4_gc_thresh on new kernels): omitted */
	while (len && (val[len - 1] == '\n' || val[len - 1] == ' '))
		len--;
	for (size_t i = 0; i < len; i++)
		if (val[i] == '\n' || val[i] == '\t')
			val[i] = ' ';
	for (const char *p = path; *p; p++)
		(void)xd_strbuf_append(b, *p == '/' ? "." : p, 1);
	(void)xd_strbuf_append(b, "=", 1);
	(void)xd_strbuf_append(b, val, len);
	(void)xd_strbuf_append(b, "\n", 1);
	free(val);
}

static void add_conf_dir(struct xd_strbuf *b, const char *fam, const char *const *keys,
			 size_t nkeys)
{
	char dir[128];
	DIR *d;
	struct dirent *de;
	unsigned n = 0;

	snprintf(dir, sizeof(dir), "/proc/sys/net/%s/conf", fam);
	d = opendir(dir);
	if (!d)
		return;
	while ((de = readdir(d)) && n++ < MAX_CONF_DIRS) {
		if (de->d_name[0] == '.')
			continue;
		for (size_t k = 0; k < nkeys; k++) {
			char path[512];
			snprintf(path, sizeof(path), "net/%s/conf/%s/%s", fam, de->d_name, keys[k]);
			add_sysctl(b, path);
		}
	}
	closedir(d);
}

static void collect_sysctl(struct xd_recbuf *out)
{
	struct xd_strbuf b;

	if (access("/proc/sys/net", R_OK) < 0) {
		xd_nl_set_status(xd_recbuf_meta(out), XD_DUMP_SYSCTL, -errno);
		return;
	}
	xd_strbuf_init(&b, SYSCTL_MAX_BYTES);
	for (size_t i = 0; i < XD_ARRAY_SIZE(global_sysctls); i++)
		add_sysctl(&b, global_sysctls[i]);
	add_conf_dir(&b, "ipv4", conf4, XD_ARRAY_SIZE(conf4));
	add_conf_dir(&b, "ipv6", conf6, XD_ARRAY_SIZE(conf6));
	if (b.err)
		xd_nl_set_status(xd_recbuf_meta(out), XD_DUMP_SYSCTL, b.err);
	else
		(void)xd_nl_add_file_record(out, XD_DUMP_SYSCTL, b.data ? b.data : "", b.len);
	xd_strbuf_done(&b);
}

/* /proc/config.gz is gzip: zlib is the only way to read it without running a program. */
static int read_gz(const char *path, struct xd_strbuf *b)
{
	char chunk[16384];
	int fd = xd_file_open(path, 0, NULL, NULL);
	gzFile gz;
	int n;

	if (fd < 0)
		return fd;
	gz = gzdopen(fd, "rb");
	if (!gz) {
		close(fd);
		return -ENOMEM;
	}
	while ((n = gzread(gz, chunk, sizeof(chunk))) > 0)
		if (xd_strbuf_append(b, chunk, (size_t)n) < 0)
			break;
	if (n < 0 && !b->err)
		b->err = -EBADMSG;
	gzclose(gz);
	return b->err;
}

static void collect_kconfig(struct xd_recbuf *out, const char *release)
{
	struct xd_strbuf b;
	char boot[300];
	int r;

	xd_strbuf_init(&b, KCONFIG_MAX_BYTES);
	(void)xd_strbuf_printf(&b, "# source: /proc/config.gz\n");
	r = access("/proc/config.gz", R_OK) == 0 ? read_gz("/proc/config.gz", &b) : -ENOENT;
	if (r < 0) {
		char *text = NULL;
		size_t len = 0;

		xd_strbuf_done(&b);
		xd_strbuf_init(&b, KCONFIG_MAX_BYTES);
		snprintf(boot, sizeof(boot), "/boot/config-%s", release);
		r = xd_file_read(boot, 0, KCONFIG_MAX_BYTES, &text, &len, NULL);
		if (r == 0) {
			(void)xd_strbuf_printf(&b, "# source: %s\n", boot);
			(void)xd_strbuf_append(&b, text, len);
			r = b.err;
			free(text);
		}
	}
	if (r < 0)
		xd_nl_set_status(xd_recbuf_meta(out), XD_DUMP_KCONFIG, r);
	else
		(void)xd_nl_add_file_record(out, XD_DUMP_KCONFIG, b.data, b.len);
	xd_strbuf_done(&b);
}

/* modules.dep is large; keep the lines of networking and crypto modules only. */
static void collect_modules_dep(struct xd_recbuf *out, const char *release)
{
	char path[300], *text = NULL;
	size_t len = 0;
	struct xd_strbuf b;
	int r;

	snprintf(path, sizeof(path), "/lib/modules/%s/modules.dep", release);
	r = xd_file_read(path, 0, MODFILE_MAX_BYTES, &text, &len, NULL);
	if (r < 0) {
		xd_nl_set_status(xd_recbuf_meta(out), XD_DUMP_MODULES_DEP, r);
		return;
	}
	xd_strbuf_init(&b, MODFILE_MAX_BYTES);
	for (char *p = text, *end = text + len; p < end;) {
		char *eol = memchr(p, '\n', (size_t)(end - p));
		char *colon;
		if (!eol)
			eol = end;
		colon = memchr(p, ':', (size_t)(eol - p));
		if (colon) {
			*colon = '\0';
			/* only the module path is kept: dependencies do not matter here */
			if (strstr(p, "net/") || strstr(p, "crypto/")) {
				(void)xd_strbuf_append(&b, p, (size_t)(colon - p));
				(void)xd_strbuf_append(&b, "\n", 1);
			}
		}
		p = eol + 1;
	}
	free(text);
	if (b.err)
		xd_nl_set_status(xd_recbuf_meta(out), XD_DUMP_MODULES_DEP, b.err);
	else
		(void)xd_nl_add_file_record(out, XD_DUMP_MODULES_DEP, b.data ? b.data : "", b.len);
	xd_strbuf_done(&b);
}

static void collect_sys_module(struct xd_recbuf *out)
{
	struct xd_strbuf b;
	DIR *d = opendir("/sys/module");
	struct dirent *de;

	if (!d) {
		xd_nl_set_status(xd_recbuf_meta(out), XD_DUMP_SYS_MODULE, -errno);
		return;
	}
	xd_strbuf_init(&b, SYSCTL_MAX_BYTES);
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			(void)xd_strbuf_printf(&b, "%s\n", de->d_name);
	closedir(d);
	if (b.err)
		xd_nl_set_status(xd_recbuf_meta(out), XD_DUMP_SYS_MODULE, b.err);
	else
		(void)xd_nl_add_file_record(out, XD_DUMP_SYS_MODULE, b.data ? b.data : "", b.len);
	xd_strbuf_done(&b);
}

static void collect_self(struct xd_recbuf *out)
{
	char line[32];
	int n = snprintf(line, sizeof(line), "bits=%zu\n", sizeof(void *) * 8);

	(void)xd_nl_add_file_record(out, XD_DUMP_SELF, line, (size_t)n);
}

void xd_collect_kernel(struct xd_recbuf *out)
{
	struct utsname u;
	char path[300];

	if (uname(&u) < 0)
		u.release[0] = '\0';
	collect_self(out);
	collect_sysctl(out);
	collect_kconfig(out, u.release);
	xd_nl_collect_file(out, XD_DUMP_MODULES, "/proc/modules");
	snprintf(path, sizeof(path), "/lib/modules/%s/modules.builtin", u.release);
	xd_nl_collect_file(out, XD_DUMP_MODULES_BUILTIN, path);
	collect_modules_dep(out, u.release);
	collect_sys_module(out);
}
