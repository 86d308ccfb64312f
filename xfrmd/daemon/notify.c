/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * notify.c: sd_notify over $NOTIFY_SOCKET. The address is a filesystem path or, with a
 * leading '@', an abstract socket. The socket is opened once, before privileges are dropped,
 * because the path may not be reachable afterwards.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "notify.h"
#include "xfrmd/util.h"

static int notify_fd = -1;
static struct sockaddr_un notify_addr;
static socklen_t notify_addr_len;
static uint64_t watchdog_usec;

int xd_notify_init(void)
{
	const char *path = getenv("NOTIFY_SOCKET");
	const char *wd = getenv("WATCHDOG_USEC");
	const char *wpid = getenv("WATCHDOG_PID");
	size_t n;

	if (wd) {
		uint64_t v = 0, pid = 0;
		if (xd_parse_u64(wd, &v) == 0 &&
		    (!wpid || (xd_parse_u64(wpid, &pid) == 0 && pid == (uint64_t)getpid())))
			watchdog_usec = v;
	}
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
	if (!path || !*path)
		return 0;
	n = strlen(path);
	if ((path[0] != '/' && path[0] != '@') || n >= sizeof(notify_addr.sun_path))
		return -EINVAL;
	memset(&notify_addr, 0, sizeof(notify_addr));
	notify_addr.sun_family = AF_UNIX;
	memcpy(notify_addr.sun_path, path, n);
	if (path[0] == '@')
		notify_addr.sun_path[0] = 0;
	notify_addr_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
	notify_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (notify_fd < 0)
		return -errno;
	unsetenv("NOTIFY_SOCKET");
	return 0;
}

int xd_notify(const char *state)
{
	if (notify_fd < 0)
		return 0;
	if (sendto(notify_fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *)&notify_addr,
		   notify_addr_len) < 0)
		return -errno;
	return 0;
}

uint64_t xd_notify_watchdog_usec(void)
{
	return watchdog_usec;
}

void xd_notify_close(void)
{
	if (notify_fd >= 0)
		close(notify_fd);
	notify_fd = -1;
}
