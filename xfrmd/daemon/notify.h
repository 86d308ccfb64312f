/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * notify.h: the service manager notification protocol (sd_notify(3)) spoken directly: one
 * AF_UNIX datagram to $NOTIFY_SOCKET per state change. No libsystemd needed for four lines.
 */
#pragma once

#include <stdint.h>

/* Read NOTIFY_SOCKET and WATCHDOG_USEC/WATCHDOG_PID; unset them so children don't inherit
 * them. Returns 0 (also when not under a service manager) or -errno. */
int xd_notify_init(void);
/* Send a state string ("READY=1"); a no-op without NOTIFY_SOCKET. Returns 0 or -errno. */
int xd_notify(const char *state);
/* Watchdog interval in microseconds (0 = disabled). */
uint64_t xd_notify_watchdog_usec(void);
void xd_notify_close(void);
