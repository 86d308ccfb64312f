/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * collector.h: the privileged half of xfrmd. A child process that keeps only CAP_NET_ADMIN,
 * owns every netlink socket, scrubs keys, and answers the one command it knows (RESYNC) with
 * records over the socketpair (frame.h). It never parses client input.
 */
#pragma once

#include <sys/types.h>

#include "config.h"

/*
 * Fork the collector. On success *ret_fd is the main process's end of the socketpair
 * (SOCK_SEQPACKET, non-blocking, close-on-exec) and the child's pid is returned; -errno on
 * failure. The child never returns from this function.
 */
pid_t xd_collector_start(const struct xd_config *cfg, int *ret_fd);
