/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * read-file.c: bounded reads of kernel files (procfs, sysfs, /lib/modules) and the helper
 * that turns bytes built in memory into a file record. Reads only; never writes anywhere.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "collect-internal.h"
#include "xfrmd/model.h"

int xd_nl_read_file(const char *path, size_t max, char **ret, size_t *ret_len)
{
	_xd_cleanup_free_ char *buf = NULL;
	size_t len = 0, cap = 4096;
	int fd, r = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	buf = malloc(cap + 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	for (;;) {
		ssize_t n;

		if (len == cap) {
			/* procfs files report size 0, so grow as we go, up to max */
			size_t ncap = cap * 2 > max ? max : cap * 2;
			char *nb;
			if (ncap <= cap) {
				r = -EFBIG;
				break;
			}
			nb = realloc(buf, ncap + 1);
			if (!nb) {
				r = -ENOMEM;
				break;
			}
			buf = nb;
			cap = ncap;
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
	if (r < 0)
		return r;
	buf[len] = '\0';
	*ret = XD_TAKE_PTR(buf);
	*ret_len = len;
	return 0;
}

int xd_nl_add_file_record(struct xd_recbuf *out, enum xd_dump d, const void *data, size_t len)
{
	struct xd_record rec = { .kind = XD_RECORD_FILE, .dump = d, .data = data, .len = len };
	int r = xd_recbuf_add(out, &rec);

	xd_nl_set_status(xd_recbuf_meta(out), d, r);
	return r;
}
