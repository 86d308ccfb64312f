/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * file.c: bounded, non-blocking reads of regular files, and the programs run on files (file.h).
 * Lives in the lowest layer so the collector, the snapshot reader, the daemon's configuration
 * and xfrmctl share it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xfrmd/file.h"
#include "xfrmd/util.h"

int xd_file_open(const char *path, unsigned flags, uint64_t *ret_size, struct xd_file_id *ret_id)
{
	struct stat st;
	int fd, r;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK |
				(flags & XD_FILE_NOFOLLOW ? O_NOFOLLOW : 0));
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
	}
	if (ret_size)
		*ret_size = st.st_size > 0 ? (uint64_t)st.st_size : 0;
	if (ret_id)
		*ret_id = (struct xd_file_id){ .dev = st.st_dev, .ino = st.st_ino };
	return fd;
}

int xd_file_read(const char *path, unsigned flags, size_t max, char **ret, size_t *ret_len,
		 struct xd_file_id *ret_id)
{
	_xd_cleanup_free_ char *buf = NULL;
	struct xd_file_id id;
	uint64_t size;
	size_t len = 0, cap;
	int fd, r = 0;

	fd = xd_file_open(path, flags, &size, &id);
	if (fd < 0)
		return fd;
	if (size > max) {
		close(fd);
		return -EFBIG;
	}
	/* procfs and sysfs report size 0: start small and grow as the bytes come, up to max */
	cap = size ? (size_t)size : 4096;
	if (cap > max)
		cap = max;
	buf = malloc(cap + 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	for (;;) {
		ssize_t n;

		if (len == cap) {
			/* full: one more byte says whether there is more (the common case: no) */
			char extra, *nb;
			size_t ncap;

			n = read(fd, &extra, 1);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				r = n < 0 ? -errno : 0;
				break;
			}
			if (cap >= max) {
				r = -EFBIG;
				break;
			}
			ncap = cap > max / 2 ? max : cap ? cap * 2 : 1;
			nb = realloc(buf, ncap + 1);
			if (!nb) {
				r = -ENOMEM;
				break;
			}
			buf = nb;
			cap = ncap;
			buf[len++] = extra;
			continue;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			break;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (r < 0) {
		/* the bytes may be a secret (a swanctl.conf secrets section, a private key) */
		explicit_bzero(buf, len);
		return r;
	}
	buf[len] = '\0';
	*ret = XD_TAKE_PTR(buf);
	*ret_len = len;
	if (ret_id)
		*ret_id = id;
	return 0;
}

const char *xd_file_strerror(int err)
{
	switch (err) {
	case -EISDIR:
		return "is a directory";
	case -EINVAL:
		return "not a regular file";
	case -EFBIG:
		return "file too large";
	default:
		return strerror(err < 0 ? -err : err);
	}
}

const char *xd_program_find(const char *const *names, char *buf, size_t len)
{
	static const char *const dirs[] = { "/usr/sbin", "/sbin", "/usr/bin", "/bin" };

	for (size_t n = 0; names[n]; n++)
		for (size_t d = 0; d < XD_ARRAY_SIZE(dirs); d++) {
			snprintf(buf, len, "%s/%s", dirs[d], names[n]);
			if (access(buf, X_OK) == 0)
				return buf;
		}
	return NULL;
}

/* In the child: `fd` as descriptor `to`, kept across execve (dup2 onto itself would not
 * clear O_CLOEXEC). */
static int child_fd(int fd, int to)
{
	if (fd == to)
		return fcntl(fd, F_SETFD, 0);
	return dup2(fd, to);
}

int xd_program_spawn(const char *path, const char *const *argv, int in_fd, int out_fd,
		     unsigned timeout_s)
{
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (timeout_s)
			alarm(timeout_s);
		if (null < 0 || child_fd(in_fd, 0) < 0 || child_fd(out_fd < 0 ? null : out_fd, 1) < 0 ||
		    dup2(null, 2) < 0)
			_exit(127);
		/* execv() takes char *const[] but writes none of the strings (POSIX) */
		union { const char *const *c; char *const *m; } a = { .c = argv };
		execv(path, a.m);
		_exit(127);
	}
	return pid;
}
