/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * utc.c: seconds since the epoch as "YYYY-MM-DDTHH:MM:SS" in UTC, by arithmetic. Every
 * timestamp xfrmd prints is UTC, and glibc's gmtime_r initialises the local time zone on
 * first use, reading /etc/localtime: a file no output depends on.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "xfrmd/util.h"

/* Days since 1970-01-01 to a proleptic Gregorian (year, month, day): the era arithmetic
 * of H. Hinnant's civil_from_days, eras of 400 years (146097 days) starting 0000-03-01. */
static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);                         /* [0, 146096] */
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);              /* [0, 365] */
	unsigned mp = (5 * doy + 2) / 153;                                   /* March = 0 */

	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

int xd_fmt_utc(int64_t t, char *buf, size_t len)
{
	/* years 0..9999: what four digits and RFC 3339 can say */
	static const int64_t lo = -62167219200ll, hi = 253402300799ll;
	int64_t days, secs, y;
	unsigned m, d;
	int n;

	if (t < lo || t > hi)
		return -ERANGE;
	days = t / 86400;
	secs = t % 86400;
	if (secs < 0) {
		secs += 86400;
		days--;
	}
	civil_from_days(days, &y, &m, &d);
	n = snprintf(buf, len, "%04" PRId64 "-%02u-%02uT%02u:%02u:%02u", y, m, d,
		     (unsigned)(secs / 3600), (unsigned)(secs / 60 % 60), (unsigned)(secs % 60));
	return n < 0 || (size_t)n >= len ? -ENOBUFS : 0;
}

const char *xd_fmt_utc_z(int64_t t, char *buf, size_t len)
{
	/* room for the "Z" */
	if (len < 2 || xd_fmt_utc(t, buf, len - 1) < 0)
		xd_strlcpy(buf, "?", len);
	else
		strcat(buf, "Z");
	return buf;
}

const char *xd_fmt_utc_ms_z(int64_t ms, char *buf, size_t len)
{
	/* floor division: a time before the epoch still has a millisecond part in 0..999 */
	int frac = (int)(ms % 1000);
	int64_t sec = ms / 1000 - (frac < 0);
	size_t n;

	if (frac < 0)
		frac += 1000;
	/* room for ".mmmZ" */
	if (len < 6 || xd_fmt_utc(sec, buf, len - 5) < 0) {
		xd_strlcpy(buf, "?", len);
		return buf;
	}
	n = strlen(buf);
	snprintf(buf + n, len - n, ".%03dZ", frac);
	return buf;
}
