/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-archive-unpack.c: packed support archives (archive-unpack.c). Hostile tar streams built
 * here member by member: absolute names, `..`, symlinks (and members written through them),
 * hard links, devices, duplicate names, long names, damaged headers; then real tarballs made
 * with tar(1) in each compression, read as the directory they came from.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include "scratch.h"
#include "xfrmd/capture.h"
#include "xfrmd/decode.h"
#include "xfrmd/model.h"

struct tarw {
	unsigned char *buf;
	size_t len;
};

/* n-1 octal digits and a NUL, as tar writes them */
static void octal(unsigned char *f, size_t n, unsigned long long v)
{
	for (size_t i = n - 1; i-- > 0; v >>= 3)
		f[i] = (unsigned char)('0' + (v & 7));
	f[n - 1] = '\0';
}

/* One ustar member (name up to 99 bytes, or a GNU 'L' member before it), data padded. */
static void member(struct tarw *t, const char *name, char type, const char *link,
		   const char *data)
{
	size_t dl = data ? strlen(data) : 0, pad = (dl + 511) / 512 * 512;
	unsigned char h[512] = { 0 };
	unsigned sum = 0;

	if (strlen(name) > 99) {
		member(t, "././@LongLink", 'L', NULL, name);
		name = "truncated";
	}
	memcpy(h, name, strlen(name));
	octal(h + 100, 8, 0644);
	octal(h + 108, 8, 0);
	octal(h + 116, 8, 0);
	octal(h + 124, 12, dl);
	octal(h + 136, 12, 0);
	memset(h + 148, ' ', 8);
	h[156] = (unsigned char)type;
	if (link)
		memcpy(h + 157, link, strlen(link));
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	for (size_t i = 0; i < 512; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
	t->buf = realloc(t->buf, t->len + 512 + pad);
	assert_non_null(t->buf);
	memcpy(t->buf + t->len, h, 512);
	memset(t->buf + t->len + 512, 0, pad);
	if (dl)
		memcpy(t->buf + t->len + 512, data, dl);
	t->len += 512 + pad;
}

static void finish(struct tarw *t)
{
	t->buf = realloc(t->buf, t->len + 1024);
	assert_non_null(t->buf);
	memset(t->buf + t->len, 0, 1024);
	t->len += 1024;
}

static int untar(const struct tarw *t, const char *dir, char *err, size_t errlen)
{
	char path[] = "/tmp/xfrmd-test-tar-XXXXXX";
	int fd = mkstemp(path), r;

	assert_true(fd >= 0);
	unlink(path);
	assert_int_equal(write(fd, t->buf, t->len), (ssize_t)t->len);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	r = xd_archive_untar_fd(fd, dir, err, errlen);
	close(fd);
	return r;
}

static bool exists(const char *dir, const char *rel)
{
	char p[512];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	return lstat(p, &st) == 0;
}

static void rm_rf(const char *dir)
{
	assert_int_equal(scratch_remove(dir), 0);
}

static void test_hostile(void **st)
{
	char base[] = "/tmp/xfrmd-test-unpack-XXXXXX", dir[256], outside[300], err[256] = "";
	struct tarw t = { 0 };
	char longname[200];

	(void)st;
	assert_non_null(mkdtemp(base));
	snprintf(dir, sizeof(dir), "%s/out", base);
	assert_int_equal(mkdir(dir, 0700), 0);
	snprintf(outside, sizeof(outside), "%s/escaped", base);

	member(&t, "sos/sos_commands/kernel/uname_-a", '0', NULL, "Linux gw 6.1 #1 x86_64\n");
	member(&t, "/sos_commands/kernel/abs", '0', NULL, "abs\n");
	member(&t, "sos/../escaped", '0', NULL, "dotdot\n");
	member(&t, "../escaped.txt", '0', NULL, "dotdot\n");
	/* a symlink to outside, then a member written "through" it */
	member(&t, "sos/sos_commands/networking", '2', base, NULL);
	member(&t, "sos/sos_commands/networking/escaped", '0', NULL, "through a link\n");
	member(&t, "sos/sos_commands/libreswan/hard", '1', "/etc/passwd", NULL);
	member(&t, "sos/sos_commands/libreswan/dev", '3', NULL, NULL);
	/* the first member of a name wins; unused names are never written */
	member(&t, "sos/sos_commands/libreswan/ip_xfrm_state", '0', NULL, "first\n");
	member(&t, "sos/sos_commands/libreswan/ip_xfrm_state", '0', NULL, "second\n");
	member(&t, "sos/etc/shadow", '0', NULL, "not used by the reader\n");
	member(&t, "sos/sos_commands/a/b/c", '0', NULL, "too deep\n");
	memset(longname, 'x', sizeof(longname));
	memcpy(longname, "sos/sos_commands/kernel/", 24);
	longname[sizeof(longname) - 1] = '\0';
	member(&t, longname, '0', NULL, "long name\n");
	member(&t, "./sos/version.txt", '0', NULL, "4.5\n");
	finish(&t);

	assert_int_equal(untar(&t, dir, err, sizeof(err)), 0);
	assert_true(exists(dir, "sos/sos_commands/kernel/uname_-a"));
	assert_true(exists(dir, "sos/version.txt"));
	{
		char rel[256];
		snprintf(rel, sizeof(rel), "%s", longname);
		assert_true(exists(dir, rel));
	}
	assert_false(exists(dir, "sos_commands/kernel/abs"));
	assert_false(exists(base, "escaped"));
	assert_false(exists(base, "escaped.txt"));
	{
		/* the symlink was never made: the member after it went into a real directory */
		char p[512];
		struct stat sb;
		snprintf(p, sizeof(p), "%s/sos/sos_commands/networking", dir);
		assert_int_equal(lstat(p, &sb), 0);
		assert_true(S_ISDIR(sb.st_mode));
	}
	assert_false(exists(dir, "sos/sos_commands/libreswan/hard"));
	assert_false(exists(dir, "sos/sos_commands/libreswan/dev"));
	assert_false(exists(dir, "sos/etc"));
	assert_false(exists(dir, "sos/sos_commands/a"));
	{
		char p[512], b[32] = "";
		FILE *f;
		snprintf(p, sizeof(p), "%s/sos/sos_commands/libreswan/ip_xfrm_state", dir);
		f = fopen(p, "r");
		assert_non_null(f);
		assert_non_null(fgets(b, sizeof(b), f));
		fclose(f);
		assert_string_equal(b, "first\n");
	}
	free(t.buf);

	/* a damaged header; a stream that is no tar; a cut one */
	t = (struct tarw){ 0 };
	member(&t, "sos/sos_commands/kernel/uname_-a", '0', NULL, "x\n");
	t.buf[130] ^= 1;
	finish(&t);
	err[0] = '\0';
	assert_int_equal(untar(&t, dir, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "not a tar archive"));
	free(t.buf);
	t = (struct tarw){ .buf = calloc(1, 1024), .len = 1024 };
	memcpy(t.buf, "hello", 5);
	assert_int_equal(untar(&t, dir, err, sizeof(err)), -EBADMSG);
	free(t.buf);
	t = (struct tarw){ 0 };
	member(&t, "sos/sos_commands/kernel/x", '0', NULL, "0123456789");
	t.len -= 512; /* the data block is missing */
	assert_int_equal(untar(&t, dir, err, sizeof(err)), -EBADMSG);
	free(t.buf);
	rm_rf(base);
}

static int sink_record(void *ud, const struct xd_record *rec)
{
	return xd_decode_record(ud, rec);
}

/* Tarballs as sos and supportconfig make them, each compression: the same as the directory. */
static void test_real_tarballs(void **st)
{
	static const char *const how[][2] = { { "cJf", "tar.xz" }, { "czf", "tar.gz" },
					      { "cjf", "tar.bz2" }, { "cf", "tar" } };
	char base[] = "/tmp/xfrmd-test-tarball-XXXXXX", cmd[1024], p[512], err[256];
	const char *uname = "Linux gw1 6.1.0-28-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.119-1 "
			    "(2024-11-22) x86_64 GNU/Linux\n";

	(void)st;
	assert_non_null(mkdtemp(base));
	snprintf(cmd, sizeof(cmd),
		 "mkdir -p '%1$s/sosreport-gw1-2026/sos_commands/kernel' && "
		 "printf '%%s' '%2$s' > '%1$s/sosreport-gw1-2026/sos_commands/kernel/uname_-a' && "
		 "ln -s sos_commands/kernel/uname_-a '%1$s/sosreport-gw1-2026/uname'",
		 base, uname);
	assert_int_equal(system(cmd), 0);
	for (size_t i = 0; i < sizeof(how) / sizeof(how[0]); i++) {
		struct xd_snapshot *s = NULL;
		struct xd_record_sink sink = { .record = sink_record };
		snprintf(p, sizeof(p), "%s/sos.%s", base, how[i][1]);
		snprintf(cmd, sizeof(cmd), "cd '%s' && tar %s '%s' sosreport-gw1-2026 2>/dev/null",
			 base, how[i][0], p);
		if (system(cmd) != 0) /* no xz or bzip2 here */
			continue;
		assert_int_equal(xd_snapshot_new(&s), 0);
		sink.userdata = s;
		assert_true(xd_archive_detect(p));
		assert_int_equal(xd_archive_read(p, NULL, &s->meta, &sink, err, sizeof(err)), 0);
		assert_string_equal(s->meta.tool, "sos report");
		assert_int_equal(s->meta.dump_status[XD_DUMP_UNAME], XD_DUMP_COMPLETE);
		assert_string_equal(s->meta.kernel_release, "6.1.0-28-amd64");
		assert_string_equal(s->dump_input[XD_DUMP_UNAME], "sos_commands/kernel/uname_-a");
		assert_int_equal(s->meta.dump_status[XD_DUMP_XFRM_SA], XD_DUMP_ABSENT);
		xd_snapshot_free(s);
	}
	/* a tarball of something else is named as such */
	snprintf(cmd, sizeof(cmd), "cd '%s' && mkdir other && echo x > other/a && tar czf o.tgz other",
		 base);
	assert_int_equal(system(cmd), 0);
	{
		struct xd_snapshot *s = NULL;
		struct xd_record_sink sink = { .record = sink_record };
		assert_int_equal(xd_snapshot_new(&s), 0);
		sink.userdata = s;
		snprintf(p, sizeof(p), "%s/o.tgz", base);
		assert_int_equal(xd_archive_read(p, NULL, &s->meta, &sink, err, sizeof(err)), -EPROTO);
		assert_non_null(strstr(err, "a packed archive, but neither"));
		xd_snapshot_free(s);
	}
	rm_rf(base);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_real_tarballs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
