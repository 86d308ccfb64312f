/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * proc-daemons.c: the IKE daemons running in our network namespace, and what their own
 * environment and command line say, read from /proc. One walk and one reader for the VICI
 * client, the whack runner and the log reader, which each had their own copy.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collect-internal.h"
#include "xfrmd/file.h"
#include "xfrmd/util.h"

#define ENVIRON_MAX_BYTES (256u << 10)
#define CMDLINE_MAX_BYTES (64u << 10)

static bool read_link(const char *path, char *buf, size_t len)
{
	ssize_t n = readlink(path, buf, len - 1);

	if (n <= 0)
		return false;
	buf[n] = '\0';
	return true;
}

/* /proc/PID/comm without its newline; false when the process is gone or unreadable. */
static bool read_comm(unsigned long pid, char *buf, size_t len)
{
	char p[64];
	ssize_t n;
	int fd;

	snprintf(p, sizeof(p), "/proc/%lu/comm", pid);
	fd = open(p, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return false;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return true;
}

static enum xd_ike_proc_stack stack_of(const char *comm)
{
	if (xd_streq(comm, "charon") || xd_streq(comm, "charon-systemd"))
		return XD_IKE_PROC_STRONGSWAN;
	if (xd_streq(comm, "pluto"))
		return XD_IKE_PROC_LIBRESWAN;
	return XD_IKE_PROC_NONE;
}

static size_t walk_ike_daemons(struct xd_ike_proc *ret, size_t max)
{
	char our_ns[64], init_ns[64] = "", ns[64], p[64];
	struct dirent *de;
	size_t n = 0;
	DIR *dir;

	if (!read_link("/proc/self/ns/net", our_ns, sizeof(our_ns)) || !(dir = opendir("/proc")))
		return 0;
	(void)read_link("/proc/1/ns/net", init_ns, sizeof(init_ns));
	while (n < max && (de = readdir(dir))) {
		char *end, comm[32];
		unsigned long pid = strtoul(de->d_name, &end, 10);
		enum xd_ike_proc_stack st;

		if (*end || !pid || pid > UINT32_MAX || !read_comm(pid, comm, sizeof(comm)))
			continue;
		st = stack_of(comm);
		if (st == XD_IKE_PROC_NONE)
			continue;
		snprintf(p, sizeof(p), "/proc/%lu/ns/net", pid);
		if (!read_link(p, ns, sizeof(ns)) || !xd_streq(ns, our_ns))
			continue;
		ret[n] = (struct xd_ike_proc){ .pid = (uint32_t)pid, .stack = st,
					       .init_netns = xd_streq(ns, init_ns) };
		snprintf(ret[n].comm, sizeof(ret[n].comm), "%s", comm);
		n++;
	}
	closedir(dir);
	return n;
}

size_t xd_ike_procs_get(struct xd_ike_procs *procs)
{
	if (!procs->walked) {
		procs->n = walk_ike_daemons(procs->d, XD_ARRAY_SIZE(procs->d));
		procs->walked = true;
	}
	return procs->n;
}

/* /proc/PID/<what>: NUL-separated strings (environ, cmdline), malloc'ed and NUL-terminated. */
static bool read_proc_strings(uint32_t pid, const char *what, size_t max, char **ret,
			      size_t *ret_len)
{
	char p[64];

	snprintf(p, sizeof(p), "/proc/%u/%s", pid, what);
	return xd_file_read(p, XD_FILE_NOFOLLOW, max, ret, ret_len, NULL) >= 0;
}

/* The value of s when it is "key=value", or NULL. */
static const char *value_of(const char *s, const char *key, size_t klen)
{
	return strncmp(s, key, klen) == 0 && s[klen] == '=' ? s + klen + 1 : NULL;
}

bool xd_proc_env(uint32_t pid, const char *name, char *ret, size_t rlen)
{
	char *env = NULL;
	size_t len = 0, nl = strlen(name);
	const char *v = NULL;
	bool found;

	if (!read_proc_strings(pid, "environ", ENVIRON_MAX_BYTES, &env, &len))
		return false;
	for (size_t i = 0; i < len && !v; i += strlen(env + i) + 1)
		v = value_of(env + i, name, nl);
	found = v != NULL;
	if (found)
		snprintf(ret, rlen, "%s", v);
	free(env);
	return found;
}

bool xd_proc_arg(uint32_t pid, const char *opt, char *ret, size_t rlen)
{
	char *cmd = NULL;
	size_t len = 0, ol = strlen(opt);
	bool found = false;

	if (!read_proc_strings(pid, "cmdline", CMDLINE_MAX_BYTES, &cmd, &len))
		return false;
	/* the last one wins, as getopt_long leaves it */
	for (size_t i = 0; i < len; i += strlen(cmd + i) + 1) {
		const char *a = cmd + i, *v = value_of(a, opt, ol);
		if (v) {
			snprintf(ret, rlen, "%s", v);
			found = true;
		} else if (xd_streq(a, opt) && i + strlen(a) + 1 < len) {
			snprintf(ret, rlen, "%s", a + strlen(a) + 1);
			found = true;
		}
	}
	free(cmd);
	return found;
}
