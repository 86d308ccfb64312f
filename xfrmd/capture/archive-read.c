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

#include "pcapng.h"
#include "xfrmd/capture.h"
#include "xfrmd/decode.h"
#include "xfrmd/file.h"
#include "xfrmd/model.h"

#define MAX_TEXT (64u << 20) /* one command's output; a 100k-SA `ip -s xfrm state` is ~60 MiB */

struct input {
	enum xd_dump dump;
	enum xd_text_kind kind;
};

static const struct input inputs[] = {
	{ XD_DUMP_XFRM_SA, XD_TEXT_XFRM_STATE },
	{ XD_DUMP_XFRM_POLICY, XD_TEXT_XFRM_POLICY },
	{ XD_DUMP_XFRM_STAT, XD_TEXT_XFRM_STAT },
	{ XD_DUMP_UNAME, XD_TEXT_UNAME_A },
};

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

struct rd {
	struct xd_meta *meta;
	const struct xd_record_sink *sink;
	char *err;
	size_t errlen;
	int64_t newest_mtime;
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

/* An input that could not be used: its status, and its name through an empty record (the
 * decoder keeps the names, meta has no room for them). */
static int unusable(struct rd *rd, enum xd_dump d, const char *name, int err)
{
	struct xd_record rec = { .kind = XD_RECORD_TEXT, .dump = d, .data = "", .len = 0,
				 .origin = name };

	rd->meta->dump_status[d] = XD_DUMP_ERROR;
	rd->meta->dump_error[d] = err;
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
		return unusable(rd, in->dump, name, -EBADMSG);
	m->keys_scrubbed_on_load += (uint32_t)xd_ipxfrm_scrub(buf, len);
	m->dump_status[in->dump] = XD_DUMP_COMPLETE;
	m->dump_error[in->dump] = 0;
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
				return unusable(rd, in->dump, rel, r);
			r = feed(rd, in, rel, buf, len);
			wipe_free(buf, len);
			return r;
		}
	rd->meta->dump_status[in->dump] = XD_DUMP_ABSENT;
	return 0;
}

static int read_sos(struct rd *rd, int dfd)
{
	static const char *const stat_names[] = { "proc/net/xfrm_stat" };
	static const char *const uname_names[] = { "sos_commands/kernel/uname_-a" };
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
	};
	int r;

	xd_strlcpy(rd->meta->tool, "sos report", sizeof(rd->meta->tool));
	for (size_t i = 0; i < sizeof(plan) / sizeof(plan[0]); i++) {
		if (plan[i].plugin_dirs) {
			r = sos_one(rd, dfd, plan[i].in, plan[i].names, plan[i].n);
		} else {
			char *buf = NULL;
			size_t len = 0;
			r = read_rel(rd, dfd, plan[i].names[0], &buf, &len);
			if (r == -ENOENT || r == -ENOTDIR) {
				rd->meta->dump_status[plan[i].in->dump] = XD_DUMP_ABSENT;
				r = 0;
			} else if (r < 0) {
				r = unusable(rd, plan[i].in->dump, plan[i].names[0], r);
			} else {
				r = feed(rd, plan[i].in, plan[i].names[0], buf, len);
				wipe_free(buf, len);
			}
		}
		if (r < 0)
			return r;
	}
	return 0;
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
		if (memmem(cmd, cl, "xfrm state", 10) || memmem(cmd, cl, "xfrm s ", 7))
			in = &inputs[0];
		else if (memmem(cmd, cl, "xfrm policy", 11) || memmem(cmd, cl, "xfrm pol", 8))
			in = &inputs[1];
		else if (memmem(cmd, cl, "/proc/net/xfrm_stat", 19))
			in = &inputs[2];
		else if (cl >= 8 && memcmp(cmd + cl - 8, "uname -a", 8) == 0)
			in = &inputs[3];
		if (!in)
			continue;
		/* a later, more detailed section (ip -s) does not replace an earlier one */
		if (found[in - inputs])
			continue;
		found[in - inputs] = true;
		snprintf(name, sizeof(name), "%s: %.*s", file, (int)(cl > 100 ? 100 : cl), cmd);
		r = feed(rd, in, name, body, (size_t)(bend - body));
		if (r < 0)
			return r;
	}
	return 0;
}

static int read_supportconfig(struct rd *rd, int dfd)
{
	static const char *const files[] = { "network.txt", "security-ipsec.txt",
					     "basic-environment.txt", "proc.txt" };
	bool found[4] = { false };
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
	for (size_t i = 0; i < 4; i++)
		if (!found[i])
			rd->meta->dump_status[inputs[i].dump] = XD_DUMP_ABSENT;
	return 0;
}

static bool has(int dfd, const char *rel)
{
	struct stat st;
	return fstatat(dfd, rel, &st, 0) == 0;
}

static int read_dir(struct rd *rd, const char *path)
{
	int dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int r;

	if (dfd < 0)
		return fail(rd, -errno, "cannot open: %s", strerror(errno));
	if (has(dfd, "sos_commands"))
		r = read_sos(rd, dfd);
	else if (has(dfd, "supportconfig.txt") || has(dfd, "basic-environment.txt"))
		r = read_supportconfig(rd, dfd);
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

static int read_single(struct rd *rd, const char *path, char *buf, size_t len)
{
	enum xd_text_kind k;
	const char *packed = packed_kind((const unsigned char *)buf, len);
	const char *base = strrchr(path, '/');

	if (packed)
		return fail(rd, -EPROTONOSUPPORT,
			    "a %s archive: unpack it first (tar xf FILE) and give the directory",
			    packed);
	if (memmem(buf, len < 4096 ? len : 4096, "#==[", 4)) {
		bool found[4] = { false };
		xd_strlcpy(rd->meta->tool, "supportconfig", sizeof(rd->meta->tool));
		return scan_sections(rd, base ? base + 1 : path, buf, len, found);
	}
	k = xd_text_sniff(buf, len);
	for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++)
		if (inputs[i].kind == k) {
			xd_strlcpy(rd->meta->tool, "text", sizeof(rd->meta->tool));
			return feed(rd, &inputs[i], base ? base + 1 : path, buf, len);
		}
	return fail(rd, -EPROTO, "not a snapshot file, nor `ip xfrm state`, `ip xfrm policy`, "
				 "/proc/net/xfrm_stat or `uname -a` text");
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

int xd_archive_read(const char *path, struct xd_meta *meta, const struct xd_record_sink *sink,
		    char *errbuf, size_t errlen)
{
	struct rd rd = { .meta = meta, .sink = sink, .err = errbuf, .errlen = errlen };
	struct stat st;
	char *buf = NULL;
	size_t len = 0;
	int r;

	if (errbuf && errlen)
		errbuf[0] = '\0';
	memset(meta, 0, sizeof(*meta));
	meta->source = XD_SOURCE_SNAPSHOT;
	if (stat(path, &st) < 0)
		return fail(&rd, -errno, "cannot open: %s", strerror(errno));
	if (S_ISDIR(st.st_mode)) {
		r = read_dir(&rd, path);
	} else {
		r = xd_file_read(path, 0, MAX_TEXT, &buf, &len, NULL);
		if (r < 0)
			return fail(&rd, r, "cannot read: %s", xd_file_strerror(r));
		rd.newest_mtime = st.st_mtime;
		r = read_single(&rd, path, buf, len);
		wipe_free(buf, len);
	}
	/* the archive says when its commands ran only through file times */
	meta->captured_at = rd.newest_mtime;
	return r;
}
