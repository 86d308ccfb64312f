/* SPDX-License-Identifier: GPL-2.0-or-later */
/* daemon.h: the main (unprivileged) process of xfrmd: event loop, sampler, state. */
#pragma once

#include "config.h"

/* Run the daemon until SIGTERM/SIGINT. Returns the process exit status. */
int xd_daemon_run(const struct xd_config *cfg, const char *config_path);
