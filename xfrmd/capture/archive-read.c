/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * archive-read.c: a support archive as a record source (DESIGN.md §3, docs/support-archives.md).
 * An unpacked sos report or supportconfig directory, or one file of command output, is turned
 * into XD_RECORD_TEXT records of the dumps the netlink path fills (xfrm.sa, xfrm.policy,
 * file.xfrm_stat, file.uname), so the same decoders' model and the same checks run on it.
 *
 * Every input is named in meta: found and read (complete), not in the archive (absent), or
 * there but not the expected text, e.g. "RTNETLINK answers: ..." (error, EBADMSG: a
 * tool.dump_failed finding). Nothing is guessed: a file is used only when its name says what
 * ran and its content agrees. Key material in `ip xfrm state` text is overwritten before the
 * record leaves this file and counted (tool.keys_in_snapshot).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive-unpack.h"
#include "pcapng.h"
#include "xfrmd/capture.h"
#include "xfrmd/decode.h"
#include "xfrmd/file.h"
#include "xfrmd/model.h"

#define MAX_TEXT (64u << 20) /* one command's output; a 100k-SA `ip -s xfrm state` is ~60 MiB */

struct input {
	enum xd_dump dump;
	enum xd_text_kind kind;
	bool lists_links; /* the text is rtnl.link's input too, and shares its status */
};

static const struct input inputs[] = {
	{ XD_DUMP_XFRM_SA, XD_TEXT_XFRM_STATE },
	{ XD_DUMP_XFRM_POLICY, XD_TEXT_XFRM_POLICY },
	{ XD_DUMP_XFRM_STAT, XD_TEXT_XFRM_STAT },
	{ XD_DUMP_UNAME, XD_TEXT_UNAME_A },
	{ XD_DUMP_SYSCTL, XD_TEXT_SYSCTL_A },
	{ XD_DUMP_RTNL_ADDR, XD_TEXT_IP_ADDR, .lists_links = true }, /* `ip address` */
	{ XD_DUMP_RTNL_ROUTE, XD_TEXT_IP_ROUTE }, /* after rtnl.addr: devices by name */
};
#define N_INPUTS (sizeof(inputs) / sizeof(inputs[0]))

/* sos 4.x file names (sos_commands/PLUGIN/COMMAND with blanks as '_'), most detailed first:
 * the libreswan and strongswan plugins run `ip xfrm state|policy` (the state output masked),
 * the kernel plugin `uname -a`, the networking plugin copies /proc/net. */
static const char *const sos_plugins[] = { "libreswan", "strongswan", "networking", "xfrmd",
					   "openswan", "ipsec" };
static const char *const sos_state[] = { "ip_-s_-d_xfrm_state", "ip_-d_-s_xfrm_state",
					 "ip_-s_xfrm_state", "ip_-d_xfrm_state", "ip_xfrm_state" };
static const char *const sos_policy[] = { "ip_-s_-d_xfrm_policy", "ip_-d_-s_xfrm_policy",
					  "ip_-s_xfrm_policy", "ip_-d_xfrm_policy",
					  "ip_xfrm_policy" };

/*
 * Firewall text: `nft list ruleset`, `iptables-save`, `ip6tables-save`. It is not decoded
 * here: the caller's loader (struct xd_archive_opts) turns it into the netlink records of the
 * nf_tables or ip_tables dumps. sos 3.9-4.3 ran `nft list ruleset` and `iptables-save` in the
 * networking plugin, sos 4.x runs `nft -a list ruleset` in firewall_tables (and, since 4.4,
 * only `iptables -vnxL`, which cannot be loaded); supportconfig has one section per table.
 */
enum { FW_NFT, FW_IPT, FW_IP6T, FW_N };
static const enum xd_dump fw_dump[FW_N] = { XD_DUMP_NFT_RULES, XD_DUMP_IPT, XD_DUMP_IP6T };
static const char *const sos_nft[] = { "sos_commands/firewall_tables/nft_-a_list_ruleset",
				       "sos_commands/firewall_tables/nft_list_ruleset",
				       "sos_commands/networking/nft_list_ruleset",
				       "sos_commands/firewalld/nft_list_ruleset" };
static const char *const sos_ipt[] = { "sos_commands/networking/iptables-save",
				       "sos_commands/firewall_tables/iptables-save" };
static const char *const sos_ip6t[] = { "sos_commands/networking/ip6tables-save",
					"sos_commands/firewall_tables/ip6tables-save" };

struct fw_text {
	char *buf;
	size_t len;
	char name[192];
	bool found, too_big;
};

struct rd {
	struct xd_meta *meta;
	const struct xd_record_sink *sink;
	const struct xd_archive_opts *opts;
	char *err;
	size_t errlen;
	int64_t newest_mtime;
	struct fw_text fw[FW_N];
};

static int fail(struct rd *rd, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(struct rd *rd, int code, const char *fmt, ...)
{
	va_list ap;

	if (rd->err && rd->errlen) {
		va_start(ap, fmt);
		vsnprintf(rd->err, rd->errlen, fmt, ap);
		va_end(ap);
	}
	return code;
}

/* The status of an input's dumps: absent, error, complete alike. */
static void input_status(struct xd_meta *m, const struct input *in, enum xd_dump_status st,
			 int err)
{
	m->dump_status[in->dump] = st;
	m->dump_error[in->dump] = err;
	if (in->lists_links) {
		m->dump_status[XD_DUMP_RTNL_LINK] = st;
		m->dump_error[XD_DUMP_RTNL_LINK] = err;
	}
}

/* An input that could not be used: its status, and its name through an empty record (the
 * decoder keeps the names, meta has no room for them). */
static int unusable(struct rd *rd, const struct input *in, const char *name, int err)
{
	struct xd_record rec = { .kind = XD_RECORD_TEXT, .dump = in->dump, .data = "", .len = 0,
				 .origin = name };

	input_status(rd->meta, in, XD_DUMP_ERROR, err);
	return rd->sink->record(rd->sink->userdata, &rec);
}

/* Feed one text as dump d; `name` is what meta.dumps shows. buf is scrubbed in place. */
static int feed(struct rd *rd, const struct input *in, const char *name, char *buf, size_t len)
{
	struct xd_meta *m = rd->meta;
	enum xd_text_kind k = xd_text_sniff(buf, len);
	struct xd_record rec = { .kind = XD_RECORD_TEXT, .dump = in->dump, .data = buf, .len = len,
				 .origin = name };

	if (k != in->kind && !(k == XD_TEXT_EMPTY && (in->dump == XD_DUMP_XFRM_SA ||
						     in->dump == XD_DUMP_XFRM_POLICY)))
		/* the command failed, or printed something else: say so, decode nothing */
		return unusable(rd, in, name, -EBADMSG);
	m->keys_scrubbed_on_load += (uint32_t)xd_ipxfrm_scrub(buf, len);
	input_status(m, in, XD_DUMP_COMPLETE, 0);
	if (in->dump == XD_DUMP_UNAME) {
		/* "Linux host RELEASE #..." */
		char r[sizeof(m->kernel_release)];
		if (sscanf(buf, "%*s %*s %127s", r) == 1)
			xd_strlcpy(m->kernel_release, r, sizeof(m->kernel_release));
	}
	return rd->sink->record(rd->sink->userdata, &rec);
}

static void wipe_free(char *buf, size_t len)
{
	if (buf) {
		explicit_bzero(buf, len);
		free(buf);
	}
}

/* Read dir/rel (not following a symlink in the last component); -ENOENT when absent. */
static int read_rel(struct rd *rd, int dfd, const char *rel, char **ret, size_t *ret_len)
{
	struct stat st;
	int fd, r;

	fd = openat(dfd, rel, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	if (st.st_mtime > rd->newest_mtime)
		rd->newest_mtime = st.st_mtime;
	{
		char p[64];
		snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
		r = xd_file_read(p, 0, MAX_TEXT, ret, ret_len, NULL);
	}
	close(fd);
	return r;
}

/* The first of `names` (newest sos first) that exists under dfd, read; *ret_i says which.
 * -ENOENT when none does, or the error of the first that exists. */
static int read_first(struct rd *rd, int dfd, const char *const *names, size_t n, char **ret,
		      size_t *ret_len, size_t *ret_i)
{
	for (*ret_i = 0; *ret_i < n; ++*ret_i) {
		int r = read_rel(rd, dfd, names[*ret_i], ret, ret_len);
		if (r != -ENOENT && r != -ENOTDIR)
			return r;
	}
	return -ENOENT;
}

/* The dumps loading one kind of firewall text fills. */
static void fw_status(struct xd_meta *m, int kind, enum xd_dump_status st, int err)
{
	static const uint64_t dumps[FW_N] = { XD_NFT_DUMPS, XD_IPT_DUMPS, XD_IP6T_DUMPS };

	for (int d = 0; d < _XD_DUMP_MAX; d++)
		if (xd_dump_in((enum xd_dump)d, dumps[kind])) {
			m->dump_status[d] = st;
			m->dump_error[d] = err;
		}
}

/* Keep firewall text; a supportconfig's sections (one per table) are joined. */
static int fw_add(struct rd *rd, int kind, const char *name, const char *text, size_t len)
{
	struct fw_text *f = &rd->fw[kind];
	char *nb;

	if (!f->found)
		xd_strlcpy(f->name, name, sizeof(f->name));
	f->found = true;
	if (f->too_big || len > MAX_TEXT - f->len - 1) {
		f->too_big = true;
		return 0;
	}
	nb = realloc(f->buf, f->len + len + 2);
	if (!nb)
		return -ENOMEM;
	f->buf = nb;
	memcpy(f->buf + f->len, text, len);
	f->len += len;
	f->buf[f->len++] = '\n';
	f->buf[f->len] = '\0';
	return 0;
}

static const char *fw_reason(int kind, int r)
{
	switch (r) {
	case 0:
		return NULL;
	case -EPERM:
	case -EACCES:
		return "unparseable: needs privileges to load into a private namespace";
	case -ENOENT:
		return kind == FW_NFT ? "unparseable: nft is not installed to load it"
				      : "unparseable: iptables-restore is not installed to load it";
	case -EBADMSG:
		return kind == FW_NFT ? "unparseable: nft -f refused it"
				      : "unparseable: iptables-restore refused it";
	case -ETIME:
		return "unparseable: loading it took too long";
	case -EFBIG:
		return "unparseable: too large";
	case -ENOSYS:
		return "unparseable: this reader does not load firewall text";
	default:
		return "unparseable: could not load it into a private namespace";
	}
}

/* Every firewall text found, loaded through the caller; each input says how it went. */
static int fw_load_all(struct rd *rd, bool report_missing)
{
	int ret = 0;

	for (int k = 0; k < FW_N; k++) {
		struct fw_text *f = &rd->fw[k];
		struct xd_record rec = { .kind = XD_RECORD_TEXT, .dump = fw_dump[k], .data = "",
					 .origin = f->name };
		int r;

		if (!f->found) {
			if (report_missing)
				fw_status(rd->meta, k, XD_DUMP_ABSENT, 0);
			continue;
		}
		if (f->too_big)
			r = -EFBIG;
		else if (!rd->opts || !rd->opts->fw_load)
			r = -ENOSYS;
		else
			r = rd->opts->fw_load(rd->opts->userdata, fw_dump[k], f->buf ? f->buf : "",
					      f->len, rd->meta, rd->sink);
		if (r == -ENOMEM && !ret)
			ret = r;
		if (r < 0)
			fw_status(rd->meta, k,
				  r == -EPERM || r == -EACCES ? XD_DUMP_DENIED : XD_DUMP_ERROR, r);
		rec.reason = fw_reason(k, r);
		r = rd->sink->record(rd->sink->userdata, &rec);
		if (r < 0 && !ret)
			ret = r;
	}
	return ret;
}

static void fw_free(struct rd *rd)
{
	for (int k = 0; k < FW_N; k++)
		free(rd->fw[k].buf);
}

/* The first of `names` that exists becomes firewall text of `kind`. */
static int sos_fw(struct rd *rd, int dfd, int kind, const char *const *names, size_t n)
{
	char *buf = NULL;
	size_t len = 0, i;
	int r = read_first(rd, dfd, names, n, &buf, &len, &i);

	if (r == -ENOENT)
		return 0;
	if (r < 0) {
		rd->fw[kind].found = true;
		rd->fw[kind].too_big = r == -EFBIG;
		xd_strlcpy(rd->fw[kind].name, names[i], sizeof(rd->fw[kind].name));
		return 0;
	}
	r = fw_add(rd, kind, names[i], buf, len);
	free(buf);
	return r;
}

/* First of `names` under sos_commands/PLUGIN/ for any plugin; the input is absent if none. */
static int sos_one(struct rd *rd, int dfd, const struct input *in, const char *const *names,
		   size_t nnames)
{
	char rel[256];
	char *buf = NULL;
	size_t len = 0;
	int r;

	for (size_t i = 0; i < nnames; i++)
		for (size_t p = 0; p < sizeof(sos_plugins) / sizeof(sos_plugins[0]); p++) {
			snprintf(rel, sizeof(rel), "sos_commands/%s/%s", sos_plugins[p], names[i]);
			r = read_rel(rd, dfd, rel, &buf, &len);
			if (r == -ENOENT || r == -ENOTDIR)
				continue;
			if (r < 0)
				return unusable(rd, in, rel, r);
			r = feed(rd, in, rel, buf, len);
			wipe_free(buf, len);
			return r;
		}
	input_status(rd->meta, in, XD_DUMP_ABSENT, 0);
	return 0;
}

static int read_sos(struct rd *rd, int dfd)
{
	static const char *const stat_names[] = { "proc/net/xfrm_stat" };
	static const char *const uname_names[] = { "sos_commands/kernel/uname_-a" };
	static const char *const sysctl_names[] = { "sos_commands/kernel/sysctl_-a" };
	static const char *const addr_names[] = { "sos_commands/networking/ip_-d_address",
						  "sos_commands/networking/ip_address" };
	/* both families since iproute2 ~5.x prints them with `table all` */
	static const char *const route_names[] = { "sos_commands/networking/ip_route_show_table_all" };
	const struct {
		const struct input *in;
		const char *const *names;
		size_t n;
		bool plugin_dirs;
	} plan[] = {
		{ &inputs[0], sos_state, sizeof(sos_state) / sizeof(sos_state[0]), true },
		{ &inputs[1], sos_policy, sizeof(sos_policy) / sizeof(sos_policy[0]), true },
		{ &inputs[2], stat_names, 1, false },
		{ &inputs[3], uname_names, 1, false },
		{ &inputs[4], sysctl_names, 1, false },
		{ &inputs[5], addr_names, 2, false },
		{ &inputs[6], route_names, 1, false },
	};
	int r;

	xd_strlcpy(rd->meta->tool, "sos report", sizeof(rd->meta->tool));
	for (size_t i = 0; i < sizeof(plan) / sizeof(plan[0]); i++) {
		if (plan[i].plugin_dirs) {
			r = sos_one(rd, dfd, plan[i].in, plan[i].names, plan[i].n);
		} else {
			char *buf = NULL;
			size_t len = 0, k;
			r = read_first(rd, dfd, plan[i].names, plan[i].n, &buf, &len, &k);
			if (r == -ENOENT) {
				input_status(rd->meta, plan[i].in, XD_DUMP_ABSENT, 0);
				r = 0;
			} else if (r < 0) {
				r = unusable(rd, plan[i].in, plan[i].names[k], r);
			} else {
				r = feed(rd, plan[i].in, plan[i].names[k], buf, len);
				wipe_free(buf, len);
			}
		}
		if (r < 0)
			return r;
	}
	r = sos_fw(rd, dfd, FW_NFT, sos_nft, sizeof(sos_nft) / sizeof(sos_nft[0]));
	if (r == 0)
		r = sos_fw(rd, dfd, FW_IPT, sos_ipt, sizeof(sos_ipt) / sizeof(sos_ipt[0]));
	if (r == 0)
		r = sos_fw(rd, dfd, FW_IP6T, sos_ip6t, sizeof(sos_ip6t) / sizeof(sos_ip6t[0]));
	return r;
}

/*
 * supportconfig's *.txt files: sections that start with a "#==[ Command ]===...#" (or
 * "Configuration File") line followed by "# COMMAND" (or "# PATH"). The section's body runs to
 * the next "#==[" line. Which section is which is decided by its command line.
 */
static int scan_sections(struct rd *rd, const char *file, char *buf, size_t len, bool *found)
{
	char *p = buf, *end = buf + len;

	while (p < end) {
		char *hdr = p, *eol = memchr(p, '\n', (size_t)(end - p)), *cmd, *body, *bend, *q;
		const struct input *in = NULL;
		char name[160];
		size_t cl;
		int r;

		if (!eol)
			eol = end;
		p = eol + 1;
		if (strncmp(hdr, "#==[", 4) != 0 || p >= end)
			continue;
		cmd = p;
		eol = memchr(cmd, '\n', (size_t)(end - cmd));
		if (!eol)
			eol = end;
		if (cmd[0] != '#')
			continue;
		cl = (size_t)(eol - cmd);
		body = eol + 1 < end ? eol + 1 : end;
		for (bend = body; bend < end; bend = q + 1) {
			q = memchr(bend, '\n', (size_t)(end - bend));
			if (strncmp(bend, "#==[", 4) == 0)
				break;
			if (!q) {
				bend = end;
				break;
			}
		}
		if (bend > end)
			bend = end;
		p = bend;
		snprintf(name, sizeof(name), "%s: %.*s", file, (int)(cl > 100 ? 100 : cl), cmd);
		/* "# /usr/sbin/iptables-save -t filter", "# /usr/sbin/nft list table ip filter" */
		if (memmem(cmd, cl, "/ip6tables-save", 15) || memmem(cmd, cl, "# ip6tables-save", 16))
			r = fw_add(rd, FW_IP6T, name, body, (size_t)(bend - body));
		else if (memmem(cmd, cl, "/iptables-save", 14) || memmem(cmd, cl, "# iptables-save", 15))
			r = fw_add(rd, FW_IPT, name, body, (size_t)(bend - body));
		else if (memmem(cmd, cl, "nft list table ", 15) ||
			 memmem(cmd, cl, "nft list ruleset", 16) ||
			 memmem(cmd, cl, "nft -a list ruleset", 19))
			r = fw_add(rd, FW_NFT, name, body, (size_t)(bend - body));
		else
			r = 1;
		if (r <= 0) {
			if (r < 0)
				return r;
			continue;
		}
		if (memmem(cmd, cl, "xfrm state", 10) || memmem(cmd, cl, "xfrm s ", 7))
			in = &inputs[0];
		else if (memmem(cmd, cl, "xfrm policy", 11) || memmem(cmd, cl, "xfrm pol", 8))
			in = &inputs[1];
		else if (memmem(cmd, cl, "/proc/net/xfrm_stat", 19))
			in = &inputs[2];
		else if (cl >= 8 && memcmp(cmd + cl - 8, "uname -a", 8) == 0)
			in = &inputs[3];
		else if (cl >= 9 && memcmp(cmd + cl - 9, "sysctl -a", 9) == 0)
			in = &inputs[4]; /* env.txt; not "sysctl -a | grep ^vm" */
		else if ((cl >= 8 && memcmp(cmd + cl - 8, "/ip addr", 8) == 0) ||
			 (cl >= 9 && memcmp(cmd + cl - 9, "# ip addr", 9) == 0))
			in = &inputs[5]; /* network.txt; not a namespace's "ip netns exec ... ip addr" */
		else if ((cl >= 9 && memcmp(cmd + cl - 9, "/ip route", 9) == 0) ||
			 (cl >= 10 && memcmp(cmd + cl - 10, "# ip route", 10) == 0))
			in = &inputs[6]; /* the main table's IPv4 routes: all supportconfig has whole */
		if (!in)
			continue;
		/* a later, more detailed section (ip -s) does not replace an earlier one */
		if (found[in - inputs])
			continue;
		found[in - inputs] = true;
		r = feed(rd, in, name, body, (size_t)(bend - body));
		if (r < 0)
			return r;
	}
	return 0;
}

static int read_supportconfig(struct rd *rd, int dfd)
{
	static const char *const files[] = { "network.txt", "security-ipsec.txt",
					     "basic-environment.txt", "proc.txt", "env.txt" };
	bool found[N_INPUTS] = { false };
	int r;

	xd_strlcpy(rd->meta->tool, "supportconfig", sizeof(rd->meta->tool));
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char *buf = NULL;
		size_t len = 0;
		r = read_rel(rd, dfd, files[i], &buf, &len);
		if (r < 0)
			continue;
		r = scan_sections(rd, files[i], buf, len, found);
		wipe_free(buf, len);
		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < N_INPUTS; i++)
		if (!found[i])
			input_status(rd->meta, &inputs[i], XD_DUMP_ABSENT, 0);
	return 0;
}

static bool has(int dfd, const char *rel)
{
	struct stat st;
	return fstatat(dfd, rel, &st, 0) == 0;
}

/* A packed archive unpacks to one top directory (sosreport-HOST-DATE/, scc_HOST_DATE/). */
static int only_subdir(int dfd)
{
	DIR *d = fdopendir(dup(dfd));
	struct dirent *e;
	char name[256] = "";
	int n = 0, fd;

	if (!d)
		return -errno;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && n++ == 0)
			xd_strlcpy(name, e->d_name, sizeof(name));
	closedir(d);
	if (n != 1)
		return -ENOENT;
	fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

static int read_dir(struct rd *rd, const char *path, bool unpacked)
{
	int dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int r;

	if (dfd < 0)
		return fail(rd, -errno, "cannot open: %s", strerror(errno));
	if (unpacked && !has(dfd, "sos_commands") && !has(dfd, "basic-environment.txt") &&
	    !has(dfd, "supportconfig.txt")) {
		int sub = only_subdir(dfd);
		if (sub >= 0) {
			close(dfd);
			dfd = sub;
		}
	}
	if (has(dfd, "sos_commands"))
		r = read_sos(rd, dfd);
	else if (has(dfd, "supportconfig.txt") || has(dfd, "basic-environment.txt"))
		r = read_supportconfig(rd, dfd);
	else if (unpacked)
		r = fail(rd, -EPROTO, "a packed archive, but neither a sos report (sos_commands/) "
				      "nor a supportconfig (basic-environment.txt)");
	else
		r = fail(rd, -EPROTO, "is a directory, but neither a sos report (sos_commands/) nor "
				      "a supportconfig directory (basic-environment.txt)");
	close(dfd);
	return r;
}

static const char *packed_kind(const unsigned char *b, size_t n)
{
	if (n >= 2 && b[0] == 0x1f && b[1] == 0x8b)
		return "gzip";
	if (n >= 6 && memcmp(b, "\xfd" "7zXZ\0", 6) == 0)
		return "xz";
	if (n >= 3 && memcmp(b, "BZh", 3) == 0)
		return "bzip2";
	if (n >= 4 && memcmp(b, "\x28\xb5\x2f\xfd", 4) == 0)
		return "zstd";
	if (n >= 262 && memcmp(b + 257, "ustar", 5) == 0)
		return "tar";
	return NULL;
}

/* Firewall text by its first words: nft's "table FAMILY NAME {" (or a comment nft -a
 * printed), iptables-save's "# Generated by ip6tables-save" header or "*filter" table line. */
static int fw_sniff(const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p)), *q = p;
		size_t n;
		if (!eol)
			eol = end;
		while (q < eol && (*q == ' ' || *q == '\t'))
			q++;
		n = (size_t)(eol - q);
		p = eol + 1;
		if (n == 0)
			continue;
		if (n > 16 && memcmp(q, "# Generated by ", 15) == 0)
			return memmem(q, n, "ip6tables-save", 14) ? FW_IP6T
			       : memmem(q, n, "iptables-save", 13) ? FW_IPT : -1;
		if (q[0] == '#')
			continue;
		if (q[0] == '*' && n > 1)
			return FW_IPT;
		if (n > 6 && memcmp(q, "table ", 6) == 0)
			return FW_NFT;
		return -1;
	}
	return -1;
}

/* Unpacked privately, read as a directory, removed. */
static int read_packed(struct rd *rd, const char *path, const char *compression)
{
	char *dir = NULL;
	int r = xd_archive_unpack(path, compression, &dir, rd->err, rd->errlen);

	if (r < 0)
		return r;
	r = read_dir(rd, dir, true);
	xd_archive_unpack_remove(dir);
	return r;
}

static const char *packed_file(const char *path)
{
	unsigned char b[512];
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return NULL;
	n = read(fd, b, sizeof(b));
	close(fd);
	return n > 0 ? packed_kind(b, (size_t)n) : NULL;
}

static int read_single(struct rd *rd, const char *path, char *buf, size_t len)
{
	int fw;
	enum xd_text_kind k;
	const char *packed = packed_kind((const unsigned char *)buf, len);
	const char *base = strrchr(path, '/');

	if (packed)
		return read_packed(rd, path, packed);
	if (memmem(buf, len < 4096 ? len : 4096, "#==[", 4)) {
		bool found[N_INPUTS] = { false };
		xd_strlcpy(rd->meta->tool, "supportconfig", sizeof(rd->meta->tool));
		return scan_sections(rd, base ? base + 1 : path, buf, len, found);
	}
	k = xd_text_sniff(buf, len);
	fw = k == XD_TEXT_UNKNOWN ? fw_sniff(buf, len) : -1;
	if (fw >= 0) {
		xd_strlcpy(rd->meta->tool, "text", sizeof(rd->meta->tool));
		return fw_add(rd, fw, base ? base + 1 : path, buf, len);
	}
	for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++)
		if (inputs[i].kind == k) {
			xd_strlcpy(rd->meta->tool, "text", sizeof(rd->meta->tool));
			return feed(rd, &inputs[i], base ? base + 1 : path, buf, len);
		}
	return fail(rd, -EPROTO, "not a snapshot file, nor `ip xfrm state`, `ip xfrm policy`, "
				 "/proc/net/xfrm_stat, `uname -a`, `sysctl -a`, `ip address`, "
				 "`ip route`, `nft list ruleset` or `iptables-save` text");
}

bool xd_archive_detect(const char *path)
{
	struct stat st;
	unsigned char b[4];
	uint32_t magic;
	int fd;
	ssize_t n;

	if (stat(path, &st) < 0)
		return false;
	if (S_ISDIR(st.st_mode))
		return true;
	if (!S_ISREG(st.st_mode))
		return false;
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, b, sizeof(b));
	close(fd);
	if (n != (ssize_t)sizeof(b))
		return n >= 0 && n < (ssize_t)sizeof(b) && n > 0; /* too short for pcapng: text */
	memcpy(&magic, b, 4);
	/* the section header block type reads the same in either byte order */
	return magic != PCAPNG_SHB;
}

int xd_archive_read(const char *path, const struct xd_archive_opts *opts, struct xd_meta *meta,
		    const struct xd_record_sink *sink, char *errbuf, size_t errlen)
{
	struct rd rd = { .meta = meta, .sink = sink, .opts = opts, .err = errbuf,
			 .errlen = errlen };
	struct stat st;
	char *buf = NULL;
	size_t len = 0;
	bool whole = false; /* a whole archive, not one file: missing inputs are said */
	const char *packed;
	int r;

	if (errbuf && errlen)
		errbuf[0] = '\0';
	memset(meta, 0, sizeof(*meta));
	meta->source = XD_SOURCE_SNAPSHOT;
	if (stat(path, &st) < 0)
		return fail(&rd, -errno, "cannot open: %s", strerror(errno));
	if (S_ISDIR(st.st_mode)) {
		r = read_dir(&rd, path, false);
		whole = true;
	} else if ((packed = packed_file(path))) {
		/* larger than any one text: recognised by its first block, never read whole */
		rd.newest_mtime = st.st_mtime;
		r = read_packed(&rd, path, packed);
		whole = true;
	} else {
		r = xd_file_read(path, 0, MAX_TEXT, &buf, &len, NULL);
		if (r < 0)
			return fail(&rd, r, "cannot read: %s", xd_file_strerror(r));
		rd.newest_mtime = st.st_mtime;
		r = read_single(&rd, path, buf, len);
		wipe_free(buf, len);
	}
	/* a single file names only the input it is: the other firewall inputs stay unasked */
	if (r == 0 && (whole || rd.fw[FW_NFT].found || rd.fw[FW_IPT].found ||
		       rd.fw[FW_IP6T].found))
		r = fw_load_all(&rd, whole);
	fw_free(&rd);
	/* the archive says when its commands ran only through file times */
	meta->captured_at = rd.newest_mtime;
	return r;
}
