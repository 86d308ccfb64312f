/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * clock.h: the main process's two clocks in milliseconds: monotonic for deadlines and
 * durations, real time for what clients and watchers are shown.
 */
#pragma once

#include <stdint.h>
#include <time.h>

static inline uint64_t xd_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static inline int64_t xd_real_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
