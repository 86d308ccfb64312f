/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-file.c: xd_file_open()/xd_file_read() (file.h) refuse what is not a regular file
 * without blocking (a FIFO with no writer would block a plain open() forever; alarm() is the
 * hang guard), name a directory as such, bound the size, read procfs files that report size 0
 * and follow symlinks unless told not to.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "scratch.h"
#include "xfrmd/file.h"

static char dir[] = "/tmp/xd-test-file.XXXXXX";

static void path(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", dir, name);
}

static void write_file(const char *name, const char *data, size_t len)
{
	assert_int_equal(scratch_write(dir, name, data, len), 0);
}

static void test_fifo_and_dir(void **state)
{
	char p[256], *buf = NULL;
	size_t len = 0;

	path(p, sizeof(p), "fifo");
	assert_int_equal(mkfifo(p, 0600), 0);
	alarm(60); /* a blocking open would hang here */
	assert_int_equal(xd_file_open(p, 0, NULL, NULL), -EINVAL);
	assert_int_equal(xd_file_read(p, 0, 4096, &buf, &len, NULL), -EINVAL);
	alarm(0);
	assert_null(buf);
	assert_int_equal(xd_file_read(dir, 0, 4096, &buf, &len, NULL), -EISDIR);
	assert_int_equal(xd_file_read("/dev/null", 0, 4096, &buf, &len, NULL), -EINVAL);
	assert_string_equal(xd_file_strerror(-EISDIR), "is a directory");
	assert_string_equal(xd_file_strerror(-EINVAL), "not a regular file");
}

static void test_bounds(void **state)
{
	char p[256], *buf = NULL;
	size_t len = 0;
	struct xd_file_id id = { 0 }, id2 = { 0 };

	write_file("ten", "0123456789", 10);
	path(p, sizeof(p), "ten");
	assert_int_equal(xd_file_read(p, 0, 9, &buf, &len, NULL), -EFBIG);
	assert_int_equal(xd_file_read(p, 0, 10, &buf, &len, &id), 0);
	assert_int_equal(len, 10);
	assert_int_equal(buf[10], '\0');
	assert_memory_equal(buf, "0123456789", 10);
	free(buf);
	/* empty */
	write_file("empty", "", 0);
	path(p, sizeof(p), "empty");
	assert_int_equal(xd_file_read(p, 0, 0, &buf, &len, NULL), 0);
	assert_int_equal(len, 0);
	free(buf);
	/* a symlink is followed, and is the same file; NOFOLLOW refuses it */
	char link[256], target[256];
	path(link, sizeof(link), "link");
	path(target, sizeof(target), "ten");
	assert_int_equal(symlink(target, link), 0);
	assert_int_equal(xd_file_read(link, 0, 100, &buf, &len, &id2), 0);
	free(buf);
	assert_true(id.dev == id2.dev && id.ino == id2.ino);
	assert_int_equal(xd_file_read(link, XD_FILE_NOFOLLOW, 100, &buf, &len, NULL), -ELOOP);
	assert_int_equal(xd_file_read("/nonexistent/x", 0, 100, &buf, &len, NULL), -ENOENT);
}

static void test_procfs(void **state)
{
	char *buf = NULL;
	size_t len = 0;

	/* size 0 in stat, bytes when read; longer than the first 4096-byte chunk */
	assert_int_equal(xd_file_read("/proc/self/maps", XD_FILE_NOFOLLOW, 16u << 20, &buf, &len,
				      NULL),
			 0);
	assert_true(len > 0);
	assert_int_equal(strlen(buf), len);
	free(buf);
	assert_int_equal(xd_file_read("/proc/self/maps", 0, 8, &buf, &len, NULL), -EFBIG);
}

static int setup(void **state)
{
	return scratch_make(dir);
}

static int teardown(void **state)
{
	return scratch_remove(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fifo_and_dir),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_procfs),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
