/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz-archive.c: support archives (archive-read.c, archive-unpack.c). The input is tried
 * as a tar stream, unpacked into a scratch directory which is then read as an archive, and
 * as a single file of command output (supportconfig sections, firewall text sniffing,
 * `sysctl -a`, `ip address`, `ip route`), and given to those importers as it is. No
 * firewall loader: the text is found and named, never handed to nft here. Whatever the input,
 * nothing may be written outside the scratch directory (checked: it is the only entry of its
 * parent) and the scratch directory must be removable.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xfrmd/capture.h"
#include "xfrmd/decode.h"
#include "xfrmd/model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int sink_record(void *ud, const struct xd_record *rec)
{
	return xd_decode_record(ud, rec);
}

static void read_archive(const char *path)
{
	struct xd_snapshot *s = NULL;
	struct xd_record_sink sink = { .record = sink_record };
	char err[256];

	if (xd_snapshot_new(&s) < 0)
		return;
	sink.userdata = s;
	(void)xd_archive_read(path, NULL, &s->meta, &sink, err, sizeof(err));
	xd_snapshot_sort(s);
	xd_snapshot_free(s);
}

static unsigned entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	unsigned n = 0;

	if (!d)
		abort();
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char base[] = "/tmp/xfrmd-fuzz-archive-XXXXXX", dir[64], file[64], cmd[128], err[256];
	int fd;

	struct xd_snapshot *s = NULL;

	/* the text importers that exist only for archives, on the bytes as they are */
	(void)xd_text_sniff(data, size);
	if (xd_snapshot_new(&s) == 0) {
		(void)xd_decode_sysctl_a(s, data, size);
		(void)xd_decode_ip_addr(s, data, size);
		(void)xd_decode_ip_route(s, data, size);
		xd_snapshot_sort(s);
		xd_snapshot_free(s);
	}
	if (!mkdtemp(base))
		return 0;
	snprintf(dir, sizeof(dir), "%s/d", base);
	snprintf(file, sizeof(file), "%s/input", base);
	if (mkdir(dir, 0700) == 0) {
		fd = open(file, O_RDWR | O_CREAT | O_EXCL, 0600);
		if (fd >= 0) {
			if (write(fd, data, size) == (ssize_t)size && lseek(fd, 0, SEEK_SET) == 0 &&
			    xd_archive_untar_fd(fd, dir, err, sizeof(err)) == 0)
				read_archive(dir);
			close(fd);
			if (entries(base) != 2)
				abort(); /* something was written beside the scratch directory */
			read_archive(file);
		}
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
	if (system(cmd) != 0)
		abort();
	return 0;
}
