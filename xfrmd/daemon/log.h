/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * log.h: xfrmd's logging: one line per message on stderr with a "<N>" syslog priority prefix
 * that journald understands. Every message passes through a filter that turns control bytes
 * into \xNN, so a kernel or client string can never forge a log line.
 */
#pragma once

#include <stdbool.h>
#include <syslog.h>

extern int xd_log_max_level; /* LOG_INFO by default; LOG_DEBUG with -d */

void xd_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Logs and returns r (a -errno), so callers can `return xd_log_errno(r, ...)`. "%m" is r. */
int xd_log_errno(int level, int r, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#define log_debug(...) xd_log(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) xd_log(LOG_INFO, __VA_ARGS__)
#define log_notice(...) xd_log(LOG_NOTICE, __VA_ARGS__)
#define log_warning(...) xd_log(LOG_WARNING, __VA_ARGS__)
#define log_error(...) xd_log(LOG_ERR, __VA_ARGS__)
