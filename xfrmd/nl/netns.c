/* SPDX-License-Identifier: GPL-2.0-or-later */
/* netns.c: entering a named network namespace, as `ip netns exec` names them. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "xfrmd/nl.h"

int xd_netns_enter(const char *name)
{
	char path[4096];
	int fd, r;

	if (!name || !*name)
		return -EINVAL;
	if (strchr(name, '/'))
		snprintf(path, sizeof(path), "%s", name);
	else if (snprintf(path, sizeof(path), "/run/netns/%s", name) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	/* O_NONBLOCK: a FIFO given as a namespace path must not hang the open; setns() refuses it */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	r = setns(fd, CLONE_NEWNET) < 0 ? -errno : 0;
	close(fd);
	return r;
}
