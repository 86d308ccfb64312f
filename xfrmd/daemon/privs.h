/* SPDX-License-Identifier: GPL-2.0-or-later */
/* privs.h: dropping capabilities for the two halves of xfrmd (style.md §11). */
#pragma once

#include <stdint.h>
#include <sys/types.h>

/*
 * Keep exactly the capabilities in `keep` (a mask of 1 << CAP_*) in the effective and
 * permitted sets, none inheritable or ambient, drop everything else from the bounding set,
 * and set no_new_privs and non-dumpable. `keep` = 0 drops everything. Returns 0 or -errno.
 */
int xd_privs_restrict(uint64_t keep);
/* Does the process hold this capability in its effective set? */
int xd_privs_have(int cap);
/*
 * Started as root: become `uid` with primary group `gid` and the supplementary groups of the
 * user `name`, keeping exactly the capabilities in `keep` (effective and permitted; all others
 * also leave the bounding set) -- what User=, Group= and AmbientCapabilities= give the unit.
 * Returns 0 or -errno; on failure the process must not go on.
 */
int xd_privs_switch_user(const char *name, uid_t uid, gid_t gid, uint64_t keep);
