/* SPDX-License-Identifier: GPL-2.0-or-later */
/* log.c: stderr logging with journald priority prefixes and control-byte filtering. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

int xd_log_max_level = LOG_INFO;

__attribute__((format(printf, 2, 0)))
static void emit(int level, const char *fmt, va_list ap, int err)
{
	char msg[1024], out[4200];
	size_t o = 0;
	int saved = errno;

	if (level > xd_log_max_level)
		return;
	errno = err; /* for %m */
	vsnprintf(msg, sizeof(msg), fmt, ap);
	errno = saved;
	o = (size_t)snprintf(out, sizeof(out), "<%d>", level & 7);
	for (const unsigned char *p = (const unsigned char *)msg; *p && o + 5 < sizeof(out); p++) {
		if (*p < 0x20 || *p == 0x7f)
			o += (size_t)snprintf(out + o, sizeof(out) - o, "\\x%02x", *p);
		else
			out[o++] = (char)*p;
	}
	out[o++] = '\n';
	/* one write per line so concurrent writers (collector and main) never interleave */
	(void)!write(STDERR_FILENO, out, o);
}

void xd_log(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(level, fmt, ap, errno);
	va_end(ap);
}

int xd_log_errno(int level, int r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(level, fmt, ap, r < 0 ? -r : r);
	va_end(ap);
	return r;
}
