/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-table.c: the table module (table.h): columns sized to content, wrapped inside their
 * column to fit a width (never a line over it when the headers fit), unlimited width never
 * wraps, -o picks and orders columns, raw escapes blanks, a streamed table prints rows past
 * XD_TABLE_STREAM_ROWS as they come and keeps every row.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "xfrmd/table.h"

static const struct xd_table_col cols[] = {
	{ "ADDR", XD_COL_ATOM },
	{ "N", XD_COL_RIGHT },
	{ "TEXT", XD_COL_WRAP },
	{ "EXTRA", XD_COL_HIDDEN },
};

static const char *const row1[] = { "2001:db8::1", "7", "a long free text that has to wrap", "x" };
static const char *const row2[] = { "10.0.0.1", "12345", "short", "y" };

static char *print(const struct xd_table_opts *o, size_t nrows)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct xd_table *t = NULL;

	assert_non_null(f);
	assert_int_equal(xd_table_new(cols, 4, o, f, &t), 0);
	for (size_t i = 0; i < nrows; i++)
		assert_int_equal(xd_table_add(t, i % 2 ? row2 : row1), 0);
	assert_int_equal(xd_table_flush(t), 0);
	xd_table_free(t);
	fclose(f);
	return buf;
}

static void test_natural(void **state)
{
	struct xd_table_opts o = { 0 };
	char *out = print(&o, 2);

	(void)state;
	assert_string_equal(out, "ADDR            N TEXT\n"
				 "2001:db8::1     7 a long free text that has to wrap\n"
				 "10.0.0.1    12345 short\n");
	free(out);
}

static void test_wraps_to_width(void **state)
{
	struct xd_table_opts o = { .width = 30 };
	char *out = print(&o, 2), *line, *save = NULL;
	int lines = 0;

	(void)state;
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		assert_true(strlen(line) <= 30);
		assert_true(line[strlen(line) - 1] != ' '); /* no trailing blanks */
		lines++;
	}
	assert_true(lines > 3); /* the text wrapped onto continuation lines */
	free(out);
	out = print(&o, 2);
	assert_non_null(strstr(out, "2001:db8::1")); /* the address stays whole */
	free(out);
}

static void test_columns_and_raw(void **state)
{
	struct xd_table_opts o = { .columns = "text,Extra,ADDR", .raw = true, .width = 10 };
	char *out = print(&o, 1);
	char err[32];

	(void)state;
	assert_string_equal(out, "TEXT EXTRA ADDR\n"
				 "a\\x20long\\x20free\\x20text\\x20that\\x20has\\x20to\\x20wrap x 2001:db8::1\n");
	free(out);
	o = (struct xd_table_opts){ .no_headings = true, .columns = "N" };
	out = print(&o, 2);
	assert_string_equal(out, "    7\n12345\n");
	free(out);
	assert_int_equal(xd_table_check_columns(cols, 4, "ADDR,nope", err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "nope");
	assert_int_equal(xd_table_check_columns(cols, 4, "", err, sizeof(err)), -EINVAL);
}

static void test_stream(void **state)
{
	char *buf = NULL;
	size_t len = 0, n = 0;
	FILE *f = open_memstream(&buf, &len);
	struct xd_table *t = NULL;
	struct xd_table_opts o = { 0 };

	(void)state;
	assert_int_equal(xd_table_new(cols, 4, &o, f, &t), 0);
	xd_table_set_stream(t, true);
	for (size_t i = 0; i < XD_TABLE_STREAM_ROWS + 10; i++)
		assert_int_equal(xd_table_add(t, row2), 0);
	fflush(f);
	/* past the buffered rows, each row is out as soon as it is added */
	for (const char *p = buf; p && (p = strchr(p, '\n')); p++)
		n++;
	assert_int_equal(n, XD_TABLE_STREAM_ROWS + 10 + 1);
	assert_int_equal(xd_table_add(t, row1), 0); /* wider than the fixed column: overhangs */
	assert_int_equal(xd_table_flush(t), 0);
	xd_table_free(t);
	fclose(f);
	assert_non_null(strstr(buf, "2001:db8::1     7 a long free text that has to wrap\n"));
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_natural),
		cmocka_unit_test(test_wraps_to_width),
		cmocka_unit_test(test_columns_and_raw),
		cmocka_unit_test(test_stream),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
