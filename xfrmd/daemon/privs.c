/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * privs.c: capability dropping with capset(2) and prctl(2) directly: the two calls we need
 * do not justify libcap-ng. Order matters: the bounding set is pruned while CAP_SETPCAP is
 * still held, then capset() shrinks the sets, then no_new_privs makes the result final.
 */
#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "privs.h"

static int capget_(struct __user_cap_data_struct d[2])
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };

	return syscall(SYS_capget, &h, d) < 0 ? -errno : 0;
}

int xd_privs_have(int cap)
{
	struct __user_cap_data_struct d[2] = { 0 };
	int r = capget_(d);

	if (r < 0)
		return r;
	return !!(d[cap / 32].effective & (1u << (cap % 32)));
}

int xd_privs_restrict(uint64_t keep)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct d[2] = { 0 };
	int r;

	r = capget_(d);
	if (r < 0)
		return r;
	/* bounding set: needs CAP_SETPCAP; without it (already unprivileged) skip quietly */
	for (int c = 0; c <= 63; c++) {
		if (keep & (1ull << c))
			continue;
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL && errno != EPERM)
			return -errno;
	}
	(void)prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	for (int i = 0; i < 2; i++) {
		uint32_t k = (uint32_t)(keep >> (32 * i));
		d[i].effective &= k;
		d[i].permitted &= k;
		d[i].inheritable = 0;
	}
	if (syscall(SYS_capset, &h, d) < 0)
		return -errno;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	/* key bytes pass through the collector's buffers; nobody may ptrace or core-dump us */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return -errno;
	return 0;
}

int xd_privs_switch_user(const char *name, uid_t uid, gid_t gid, uint64_t keep)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct d[2] = { 0 };
	int r;

	/* the bounding set first: pruning it needs CAP_SETPCAP, which the new uid will not have */
	for (int c = 0; c <= 63; c++) {
		if (keep & (1ull << c))
			continue;
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
			return -errno;
	}
	/* keep the permitted set across setuid(); the effective set is emptied by it */
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return -errno;
	/* like User= in a unit: the user's own supplementary groups, `gid` as the primary one */
	if (initgroups(name, gid) < 0 || setresgid(gid, gid, gid) < 0 ||
	    setresuid(uid, uid, uid) < 0) {
		r = -errno;
		(void)prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
		return r;
	}
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		return -errno;
	/* there is no way back: a uid 0 left anywhere would mean the switch failed */
	if (getuid() == 0 || geteuid() == 0 || getgid() != gid)
		return -EPERM;
	r = capget_(d);
	if (r < 0)
		return r;
	for (int i = 0; i < 2; i++) {
		uint32_t k = (uint32_t)(keep >> (32 * i));
		d[i].permitted &= k;
		d[i].effective = d[i].permitted;
		d[i].inheritable = 0;
	}
	if (syscall(SYS_capset, &h, d) < 0)
		return -errno;
	return 0;
}
