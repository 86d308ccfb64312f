/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * archive-unpack.c: a packed sos report or supportconfig (`.tar.xz`, `.tar.gz`, `.tar.bz2`,
 * `.tar.zst`, `.tar`) unpacked into a private temporary directory, which the directory reader
 * then reads like an unpacked one.
 *
 * The archive is untrusted. Decompression runs in a child (the distribution's gzip, xz,
 * bzip2 or zstd, at fixed paths); the tar framing is read here (ustar headers, GNU long
 * names, pax `path`) rather than by tar(1), so that nothing but what the reader uses is ever
 * written: regular files only (never a symlink, hard link, device or FIFO), named
 * `[TOP/]sos_commands/PLUGIN/FILE`, `[TOP/]proc/net/xfrm_stat` or `[TOP/]NAME.txt`, with no
 * absolute name, no empty, `.` or `..` component, created with O_EXCL|O_NOFOLLOW under a
 * mkdtemp() directory (0700). Bounded: headers read, bytes read, files and bytes written.
 * (libarchive is not a dependency; tar(1) can be told neither to skip symlinks nor to stop
 * after N members.)
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "archive-unpack.h"
#include "xfrmd/file.h"
#include "xfrmd/util.h"

#define BLK 512
#define MAX_HEADERS 1000000u           /* members looked at */
#define MAX_STREAM (16ull << 30)       /* decompressed bytes read */
#define MAX_FILES 4096u                /* files written */
#define MAX_FILE (64ull << 20)         /* one file: the reader's bound on one command's output */
#define MAX_WRITTEN (1ull << 30)       /* bytes written */
#define MAX_NAME 1024

struct untar {
	int fd;
	int dfd;
	uint64_t read;
	uint64_t written;
	unsigned headers, files;
	char *err;
	size_t errlen;
	char longname[MAX_NAME + 1]; /* from a GNU 'L' or pax 'x' member, for the next one */
	bool have_longname;
};

static int fail(struct untar *u, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(struct untar *u, int code, const char *fmt, ...)
{
	va_list ap;

	if (u->err && u->errlen) {
		va_start(ap, fmt);
		vsnprintf(u->err, u->errlen, fmt, ap);
		va_end(ap);
	}
	return code;
}

/* Exactly len bytes; 0, 1 at a clean end of stream (nothing read), or -errno. */
static int get(struct untar *u, void *buf, size_t len)
{
	char *p = buf;
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(u->fd, p + got, len - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return got == 0 ? 1 : -EBADMSG;
		got += (size_t)n;
	}
	u->read += len;
	if (u->read > MAX_STREAM)
		return -EFBIG;
	return 0;
}

/* Skip len bytes (rounded up to blocks). */
static int skip(struct untar *u, uint64_t len)
{
	char buf[16 * BLK];
	uint64_t left = (len + BLK - 1) / BLK * BLK;

	while (left) {
		size_t n = left > sizeof(buf) ? sizeof(buf) : (size_t)left;
		int r = get(u, buf, n);
		if (r)
			return r > 0 ? -EBADMSG : r;
		left -= n;
	}
	return 0;
}

/* The size field: octal digits (blank/NUL ended), or base-256 when the high bit is set. */
static int field_size(const unsigned char *f, size_t n, uint64_t *ret)
{
	uint64_t v = 0;
	size_t i = 0;

	if (f[0] & 0x80) {
		if (f[0] != 0x80)
			return -EBADMSG; /* negative or absurd */
		for (i = 1; i < n; i++) {
			if (v >> 55)
				return -EFBIG;
			v = v << 8 | f[i];
		}
		*ret = v;
		return 0;
	}
	while (i < n && f[i] == ' ')
		i++;
	for (; i < n && f[i] >= '0' && f[i] <= '7'; i++) {
		if (v >> 60)
			return -EFBIG;
		v = v * 8 + (uint64_t)(f[i] - '0');
	}
	if (i < n && f[i] != ' ' && f[i] != '\0')
		return -EBADMSG;
	*ret = v;
	return 0;
}

static bool checksum_ok(const unsigned char *h)
{
	uint64_t want, sum = 0;

	if (field_size(h + 148, 8, &want) < 0)
		return false;
	for (size_t i = 0; i < BLK; i++)
		sum += (i >= 148 && i < 156) ? ' ' : h[i];
	return sum == want;
}

/*
 * Is `name` (already checked: relative, clean components) one the reader uses? Either as it
 * is, or below one top directory (sosreport-HOST-DATE/, scc_HOST_DATE/).
 */
static bool wanted_from(char *const *c, size_t n)
{
	size_t l;

	if (n == 3 && strcmp(c[0], "sos_commands") == 0)
		return true;
	if (n == 3 && strcmp(c[0], "proc") == 0 && strcmp(c[1], "net") == 0 &&
	    strcmp(c[2], "xfrm_stat") == 0)
		return true;
	if (n == 1 && (l = strlen(c[0])) > 4 && strcmp(c[0] + l - 4, ".txt") == 0)
		return true;
	return false;
}

/* Split a member name; false for a name that must never be written. */
static bool split(char *name, char **c, size_t max, size_t *ret_n)
{
	size_t n = 0;
	char *save = NULL, *t;

	if (name[0] == '/' || name[0] == '\0')
		return false;
	/* "./x" is how `tar -C dir .` names x */
	while (name[0] == '.' && name[1] == '/')
		name += 2;
	for (t = strtok_r(name, "/", &save); t; t = strtok_r(NULL, "/", &save)) {
		if (strcmp(t, ".") == 0 || strcmp(t, "..") == 0 || n == max)
			return false;
		c[n++] = t;
	}
	*ret_n = n;
	return n > 0;
}

/* Open (creating) the directories c[0..n-1] below u->dfd without following a symlink. */
static int open_dirs(struct untar *u, char *const *c, size_t n)
{
	int dfd = dup(u->dfd);

	if (dfd < 0)
		return -errno;
	for (size_t i = 0; i < n; i++) {
		int nfd;
		if (mkdirat(dfd, c[i], 0700) < 0 && errno != EEXIST) {
			int r = -errno;
			close(dfd);
			return r;
		}
		nfd = openat(dfd, c[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		close(dfd);
		if (nfd < 0)
			return -errno;
		dfd = nfd;
	}
	return dfd;
}

/* Write one member's `size` bytes of data to c[0..n-1]; skip it if it exists already. */
static int extract(struct untar *u, char *const *c, size_t n, uint64_t size)
{
	char buf[16 * BLK];
	uint64_t left = (size + BLK - 1) / BLK * BLK, data = size;
	int dfd, fd, r = 0;

	if (size > MAX_FILE || u->written + size > MAX_WRITTEN || u->files == MAX_FILES)
		return fail(u, -EFBIG, "unpacking would exceed the bounds (%u files, %llu MiB)",
			    MAX_FILES, (unsigned long long)(MAX_WRITTEN >> 20));
	dfd = open_dirs(u, c, n - 1);
	if (dfd < 0)
		return skip(u, size); /* a component is a file or symlink: not ours to follow */
	fd = openat(dfd, c[n - 1], O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	close(dfd);
	if (fd < 0)
		return skip(u, size); /* the first member of a name wins */
	u->files++;
	u->written += size;
	while (left && r == 0) {
		size_t k = left > sizeof(buf) ? sizeof(buf) : (size_t)left;
		size_t w = data < k ? (size_t)data : k;
		r = get(u, buf, k);
		if (r > 0)
			r = -EBADMSG;
		if (r == 0 && w && write(fd, buf, w) != (ssize_t)w)
			r = -EIO;
		left -= k;
		data -= w;
	}
	close(fd);
	return r;
}

/* The "path" record of a pax extended header; other records are ignored. */
static void pax_path(struct untar *u, char *d, size_t len)
{
	size_t off = 0;

	while (off < len) {
		char *sp, *end;
		unsigned long rl = strtoul(d + off, &end, 10);
		if (end == d + off || *end != ' ' || rl == 0 || rl > len - off)
			return;
		sp = end + 1;
		if ((size_t)(d + off + rl - sp) > 5 && memcmp(sp, "path=", 5) == 0 &&
		    d[off + rl - 1] == '\n') {
			size_t vl = (size_t)(d + off + rl - 1 - (sp + 5));
			if (vl <= MAX_NAME) {
				memcpy(u->longname, sp + 5, vl);
				u->longname[vl] = '\0';
				u->have_longname = true;
			}
		}
		off += rl;
	}
}

int xd_archive_untar_fd(int fd, const char *dir, char *err, size_t errlen)
{
	struct untar u = { .fd = fd, .err = err, .errlen = errlen };
	unsigned char h[BLK];
	int r = 0;

	u.dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (u.dfd < 0)
		return fail(&u, -errno, "cannot open %s: %s", dir, strerror(errno));
	for (;;) {
		char name[MAX_NAME + 256 + 2], *c[64];
		uint64_t size;
		size_t n;
		char type;

		r = get(&u, h, BLK);
		if (r == 1 && u.headers > 0) {
			r = 0; /* no end-of-archive blocks: tolerated */
			break;
		}
		if (r) {
			r = r > 0 ? -EBADMSG : r;
			break;
		}
		if (h[0] == '\0') {
			bool zero = true;
			for (size_t i = 0; i < BLK && zero; i++)
				zero = h[i] == 0;
			if (zero) { /* the end-of-archive block */
				r = u.headers ? 0 : -EBADMSG;
				break;
			}
		}
		if (!checksum_ok(h) || ++u.headers > MAX_HEADERS) {
			r = u.headers > MAX_HEADERS ? -EFBIG : -EBADMSG;
			break;
		}
		r = field_size(h + 124, 12, &size);
		if (r < 0)
			break;
		type = (char)h[156];
		if (type == 'L' || type == 'x') {
			char *d;
			if (size > (type == 'L' ? MAX_NAME : 64 * 1024)) {
				r = skip(&u, size); /* a longer name is no name of ours */
				u.have_longname = false;
				if (r)
					break;
				continue;
			}
			d = calloc(1, (size + BLK - 1) / BLK * BLK + 1);
			if (!d) {
				r = -ENOMEM;
				break;
			}
			r = size ? get(&u, d, (size + BLK - 1) / BLK * BLK) : 0;
			if (r == 0 && type == 'L') {
				snprintf(u.longname, sizeof(u.longname), "%s", d);
				u.have_longname = true;
			} else if (r == 0) {
				pax_path(&u, d, (size_t)size);
			}
			free(d);
			if (r) {
				r = r > 0 ? -EBADMSG : r;
				break;
			}
			continue;
		}
		if (u.have_longname) {
			snprintf(name, sizeof(name), "%s", u.longname);
			u.have_longname = false;
		} else if (memcmp(h + 257, "ustar", 5) == 0 && h[345]) {
			snprintf(name, sizeof(name), "%.155s/%.100s", (char *)h + 345, (char *)h);
		} else {
			snprintf(name, sizeof(name), "%.100s", (char *)h);
		}
		if ((type == '0' || type == '\0' || type == '7') &&
		    split(name, c, sizeof(c) / sizeof(c[0]), &n) &&
		    (wanted_from(c, n) || (n > 1 && wanted_from(c + 1, n - 1))))
			r = extract(&u, c, n, size);
		else
			r = skip(&u, type == '5' || type == '1' || type == '2' ? 0 : size);
		if (r)
			break;
	}
	close(u.dfd);
	if (r == -EBADMSG && !(err && err[0]))
		fail(&u, r, "not a tar archive, or a damaged one");
	if (r == -EFBIG && !(err && err[0]))
		fail(&u, r, "too large to unpack (bounds: %u members, %llu GiB)", MAX_HEADERS,
		     (unsigned long long)(MAX_STREAM >> 30));
	return r;
}

/* Read fd to its end; false after 16 MiB (trailing bytes nobody needs). */
static bool drain(int fd)
{
	char buf[16 * BLK];
	size_t total = 0;

	while (total < (16u << 20)) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n == 0;
		total += (size_t)n;
	}
	return false;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

void xd_archive_unpack_remove(char *dir)
{
	if (!dir)
		return;
	(void)nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
	free(dir);
}

int xd_archive_unpack(const char *path, const char *compression, char **ret_dir, char *err,
		      size_t errlen)
{
	const char *tmp = getenv("TMPDIR");
	char tool[64], *dir;
	int in, p[2] = { -1, -1 }, st, r;
	bool drained;
	pid_t pid = -1;

	if (err && errlen)
		err[0] = '\0';
	if (!tmp || tmp[0] != '/')
		tmp = "/tmp";
	if (asprintf(&dir, "%s/xfrmctl-archive-XXXXXX", tmp) < 0)
		return -ENOMEM;
	if (!mkdtemp(dir)) {
		r = -errno;
		snprintf(err, errlen, "cannot make a temporary directory in %s: %s", tmp,
			 strerror(errno));
		free(dir);
		return r;
	}
	in = open(path, O_RDONLY | O_NOCTTY | O_CLOEXEC);
	if (in < 0) {
		r = -errno;
		goto out;
	}
	if (strcmp(compression, "tar") == 0) {
		r = xd_archive_untar_fd(in, dir, err, errlen);
		close(in);
		goto out;
	}
	if (strcmp(compression, "gzip") && strcmp(compression, "xz") &&
	    strcmp(compression, "bzip2") && strcmp(compression, "zstd")) {
		close(in);
		r = -EINVAL;
		goto out;
	}
	if (!xd_program_find((const char *const[]){ compression, NULL }, tool, sizeof(tool))) {
		close(in);
		r = -ENOENT;
		snprintf(err, errlen, "a %s archive, and %s is not installed", compression,
			 compression);
		goto out;
	}
	if (pipe2(p, O_CLOEXEC) < 0) {
		r = -errno;
		close(in);
		goto out;
	}
	pid = xd_program_spawn(tool, (const char *const[]){ compression, "-dc", NULL }, in, p[1], 0);
	close(in);
	close(p[1]);
	if (pid < 0) {
		r = pid;
		close(p[0]);
		goto out;
	}
	r = xd_archive_untar_fd(p[0], dir, err, errlen);
	/* tar pads its output past the end-of-archive blocks: read the decompressor to its end
	 * (so that its status says whether the whole stream was sound), within a bound */
	drained = r == 0 && drain(p[0]);
	close(p[0]);
	if (r < 0 || !drained)
		kill(pid, SIGKILL);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	/* a stream cut short (or not compressed this way) shows in the decompressor's status */
	if (r == 0 && drained && !(WIFEXITED(st) && WEXITSTATUS(st) == 0)) {
		r = -EBADMSG;
		snprintf(err, errlen, "%s could not decompress it (damaged or truncated)",
			 compression);
	}
out:
	if (r < 0) {
		if (err && errlen && !err[0])
			snprintf(err, errlen, "cannot unpack: %s", strerror(-r));
		xd_archive_unpack_remove(dir);
		return r;
	}
	*ret_dir = dir;
	return 0;
}
