/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-utc.c: xd_fmt_utc agrees with glibc's gmtime_r at the edges that break date
 * arithmetic (the epoch, before it, leap days, century years, 2038, year 9999) and on a
 * sweep of days across four centuries; it refuses what four digits cannot hold.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include <cmocka.h>

#include "xfrmd/util.h"

static void expect_like_gmtime(int64_t t)
{
	char want[64], got[64];
	struct tm tm;
	time_t tt = (time_t)t;

	assert_non_null(gmtime_r(&tt, &tm));
	strftime(want, sizeof(want), "%Y-%m-%dT%H:%M:%S", &tm);
	assert_int_equal(xd_fmt_utc(t, got, sizeof(got)), 0);
	assert_string_equal(got, want);
}

static void test_edges(void **state)
{
	static const int64_t at[] = {
		0, -1, 1, 59, 60, 86399, 86400, -86400, -86401,
		951782400,   /* 2000-02-29 */
		951868800,   /* 2000-03-01 */
		4107542400,  /* 2100-03-01 (2100 is no leap year) */
		2147483647,  /* 2038-01-19T03:14:07 */
		2147483648,
		-2208988800, /* 1900-01-01 */
		253402300799, /* 9999-12-31T23:59:59 */
	};

	char buf[64];

	for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++)
		expect_like_gmtime(at[i]);
	/* glibc's %Y does not pad year 1; RFC 3339 wants four digits */
	assert_int_equal(xd_fmt_utc(-62135596800ll, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "0001-01-01T00:00:00");
}

static void test_sweep(void **state)
{
	/* every 37 hours and 11 seconds from 1800 to 2200: every month, leap or not */
	for (int64_t t = -5364662400ll; t < 7258118400ll; t += 37 * 3600 + 11)
		expect_like_gmtime(t);
}

static void test_refusals(void **state)
{
	char buf[64];

	assert_int_equal(xd_fmt_utc(253402300800ll, buf, sizeof(buf)), -ERANGE);
	assert_int_equal(xd_fmt_utc(-62167219201ll, buf, sizeof(buf)), -ERANGE);
	assert_int_equal(xd_fmt_utc(INT64_MIN, buf, sizeof(buf)), -ERANGE);
	assert_int_equal(xd_fmt_utc(0, buf, 19), -ENOBUFS); /* 19 characters and the NUL */
	assert_int_equal(xd_fmt_utc(0, buf, 20), 0);
	assert_string_equal(buf, "1970-01-01T00:00:00");
	assert_string_equal(xd_fmt_utc_z(0, buf, sizeof(buf)), "1970-01-01T00:00:00Z");
	assert_string_equal(xd_fmt_utc_z(0, buf, 20), "?"); /* no room for the Z */
	assert_string_equal(xd_fmt_utc_z(253402300800ll, buf, sizeof(buf)), "?");
}

/* the watch lines' time: milliseconds, floor-divided before the epoch */
static void test_ms(void **state)
{
	char buf[64];

	assert_string_equal(xd_fmt_utc_ms_z(0, buf, sizeof(buf)), "1970-01-01T00:00:00.000Z");
	assert_string_equal(xd_fmt_utc_ms_z(1796661619448ll, buf, sizeof(buf)),
			    "2026-12-07T16:40:19.448Z");
	assert_string_equal(xd_fmt_utc_ms_z(-1, buf, sizeof(buf)), "1969-12-31T23:59:59.999Z");
	assert_string_equal(xd_fmt_utc_ms_z(-1000, buf, sizeof(buf)), "1969-12-31T23:59:59.000Z");
	assert_string_equal(xd_fmt_utc_ms_z(0, buf, 24), "?"); /* 24 characters and the NUL */
	assert_string_equal(xd_fmt_utc_ms_z(0, buf, 25), "1970-01-01T00:00:00.000Z");
	assert_string_equal(xd_fmt_utc_ms_z(INT64_MIN, buf, sizeof(buf)), "?");
	assert_string_equal(xd_fmt_utc_ms_z(INT64_MAX, buf, sizeof(buf)), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_edges),
		cmocka_unit_test(test_sweep),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_ms),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
