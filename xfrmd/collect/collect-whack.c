/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * collect-whack.c: libreswan's own view, as `whack --status` and `whack --trafficstatus`
 * print it, into the ike.whack_status and ike.whack_traffic dumps (dumps.h, ike.h).
 *
 * pluto has no stable machine-readable control protocol of its own (the whack message
 * layout changes between releases and must match pluto's build), so the `whack` that
 * belongs to the running pluto is run: the one beside its executable (/proc/PID/exe's
 * directory). Its control socket comes from pluto's own command line (`--ctlsocket PATH`,
 * else `--rundir DIR`/pluto.ctl, else /run/pluto/pluto.ctl), resolved through /proc/PID/root
 * so a pluto in a container or a private mount namespace is reached. XFRMD_WHACK_SOCKET and
 * XFRMD_WHACK name the socket and the binary explicitly (tests, unusual setups).
 *
 * whack runs as a child process, never through a shell: argv built here, stdin /dev/null,
 * stderr discarded, a minimal environment, no inherited descriptors, no_new_privs, and the
 * uid/gid that own the control socket (the only access whack needs; its capabilities are
 * cleared when that owner is root, so it runs as an unprivileged root-owned process that can
 * reach root-owned files by permission bits only). Its output is bounded (4 MiB) and its time
 * too (2 s, then SIGKILL): a pluto that does not answer becomes a dump status, never a hang.
 * Only listing commands are sent; `--showstates` is not asked: its lines are the state
 * section of `--status` (4.x and 5.x), so it would only double the bytes. Lines that look like key material (long hex runs) are
 * dropped before a record is made: whack's status holds none, this keeps it so by construction.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "collect-internal.h"
#include "xfrmd/decode.h"
#include "xfrmd/file.h"
#include "xfrmd/ike.h"
#include "xfrmd/model.h"

#define WHACK_DEFAULT_SOCKET "/run/pluto/pluto.ctl"
#define WHACK_TIMEOUT_MS 2000
#define WHACK_OUTPUT_MAX (4u << 20)
#define MAX_PLUTOS 8 /* more in one network namespace is not a real setup */

struct pluto {
	uint32_t pid;
	char ctl[600];   /* the control socket, as a path seen from here */
	char whack[600]; /* the whack binary, as a path seen from here */
};

/* ---- finding pluto, its socket and its whack ---- */

/* pluto's control socket from its command line, as pluto sees the path. */
static void pluto_ctl(uint32_t pid, char *ret, size_t rlen)
{
	char rundir[512] = "", ctl[512] = "";

	(void)xd_proc_arg(pid, "--rundir", rundir, sizeof(rundir));
	(void)xd_proc_arg(pid, "--ctlsocket", ctl, sizeof(ctl));
	if (ctl[0] == '/')
		snprintf(ret, rlen, "%s", ctl);
	else if (rundir[0] == '/')
		snprintf(ret, rlen, "%s/pluto.ctl", rundir);
	else
		snprintf(ret, rlen, "%s", WHACK_DEFAULT_SOCKET);
}

/* Socket and whack of the pluto with this pid; false when its exe cannot be read. */
static bool pluto_paths(uint32_t pid, struct pluto *p)
{
	char path[64], exe[512], sock[512], *slash;
	ssize_t n;

	p->pid = pid;
	snprintf(path, sizeof(path), "/proc/%u/exe", pid);
	n = readlink(path, exe, sizeof(exe) - 1);
	if (n <= 0)
		return false;
	exe[n] = '\0';
	/* " (deleted)": pluto was upgraded under its feet; the new whack still talks to it
	 * only if the protocol did not change, which is the best that can be had */
	if (n > 10 && xd_streq(exe + n - 10, " (deleted)"))
		exe[n - 10] = '\0';
	slash = strrchr(exe, '/');
	if (!slash)
		return false;
	*slash = '\0';
	snprintf(p->whack, sizeof(p->whack), "/proc/%u/root%s/whack", pid, exe);
	pluto_ctl(pid, sock, sizeof(sock));
	snprintf(p->ctl, sizeof(p->ctl), "/proc/%u/root%s", pid, sock);
	return true;
}

/* The plutos in our network namespace (at most max); their number. */
static size_t find_plutos(struct xd_ike_procs *procs, struct pluto *ret, size_t max)
{
	size_t n = xd_ike_procs_get(procs), found = 0;

	for (size_t i = 0; i < n && found < max; i++)
		if (procs->d[i].stack == XD_IKE_PROC_LIBRESWAN &&
		    pluto_paths(procs->d[i].pid, &ret[found]))
			found++;
	return found;
}

/* ---- running whack ---- */

static long remaining_ms(const struct timespec *deadline)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (deadline->tv_sec - now.tv_sec) * 1000 + (deadline->tv_nsec - now.tv_nsec) / 1000000;
}

/*
 * In the child, before exec: only async-signal-safe calls. Takes the socket owner's
 * identity; clears every capability when that identity is root.
 */
static void child_drop(uid_t uid, gid_t gid)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = { { 0 } };

	if (setgroups(0, NULL) < 0 && errno != EPERM)
		_exit(126);
	if (getegid() != gid && setresgid(gid, gid, gid) < 0)
		_exit(126);
	if (geteuid() != uid && setresuid(uid, uid, uid) < 0)
		_exit(126);
	(void)prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	if (uid == 0)
		(void)syscall(SYS_capset, &h, data);
}

/*
 * Run `whack --ctlsocket CTL OPTION`; its stdout into *ret (malloc'ed, NUL-terminated).
 * -ETIMEDOUT (killed), -EFBIG (more than the bound; killed), -ENOEXEC (whack could not be
 * run or exited non-zero with no output), else 0.
 */
static int run_whack(const struct pluto *p, const char *option, char **ret, size_t *ret_len)
{
	char a0[] = "whack", a1[] = "--ctlsocket", a3[64], e0[] = "PATH=/usr/sbin:/usr/bin:/sbin:/bin",
	     e1[] = "LC_ALL=C", ctl[sizeof(p->ctl) + 2], dir[sizeof(p->ctl)], empty[] = "";
	char *const argv[] = { a0, a1, ctl, a3, NULL };
	char *const envp[] = { e0, e1, NULL };
	struct timespec deadline;
	struct stat st;
	size_t len = 0, cap = 64 << 10;
	char *buf, *slash;
	int pipefd[2] = { -1, -1 }, devnull = -1, exe_fd = -1, dir_fd = -1, status = 0, r = 0;
	bool killed = false;
	pid_t child;

	/*
	 * Without capabilities the child may not follow /proc/PID/root (ptrace access rules), so
	 * both the socket's directory and the binary are opened here: the child changes into the
	 * directory and names the socket relative to it, and executes the binary by descriptor.
	 */
	snprintf(dir, sizeof(dir), "%s", p->ctl);
	slash = strrchr(dir, '/');
	if (!slash || !slash[1])
		return -EINVAL;
	*slash = '\0';
	snprintf(ctl, sizeof(ctl), "./%s", slash + 1);
	snprintf(a3, sizeof(a3), "%s", option);
	if (stat(p->ctl, &st) < 0)
		return -errno;
	if (!S_ISSOCK(st.st_mode))
		return -ENOTSOCK;
	if (access(p->whack, X_OK) < 0)
		return -errno;
	buf = malloc(cap);
	if (!buf)
		return -ENOMEM;
	exe_fd = open(p->whack, O_PATH | O_CLOEXEC);
	dir_fd = open(dir[0] ? dir : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (exe_fd < 0 || dir_fd < 0 || devnull < 0 || pipe2(pipefd, O_CLOEXEC) < 0) {
		r = -errno;
		goto fail;
	}
	child = fork();
	if (child < 0) {
		r = -errno;
		goto fail;
	}
	if (child == 0) {
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGPIPE, SIG_DFL);
		if (fchdir(dir_fd) < 0)
			_exit(126);
		if (dup2(devnull, 0) < 0 || dup2(pipefd[1], 1) < 0 || dup2(devnull, 2) < 0 ||
		    dup2(exe_fd, 3) < 0)
			_exit(126);
		/* dup2 onto itself (exe_fd may already be 3) keeps O_CLOEXEC: clear it, or a
		 * script run by descriptor could not be read by its interpreter */
		if (fcntl(3, F_SETFD, 0) < 0)
			_exit(126);
		/* 0-3 lost O_CLOEXEC with dup2 (3 stays open so a script can be run by descriptor
		 * too); every other one has it or is closed here */
		(void)syscall(SYS_close_range, 4, ~0u, 0);
		child_drop(st.st_uid, st.st_gid);
		syscall(SYS_execveat, 3, empty, argv, envp, AT_EMPTY_PATH);
		_exit(127);
	}
	close(pipefd[1]);
	close(devnull);
	close(exe_fd);
	close(dir_fd);
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += WHACK_TIMEOUT_MS / 1000;
	deadline.tv_nsec += (WHACK_TIMEOUT_MS % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	for (;;) {
		struct pollfd pfd = { .fd = pipefd[0], .events = POLLIN };
		long ms = remaining_ms(&deadline);
		ssize_t n;
		int pr;
		if (ms <= 0) {
			r = -ETIMEDOUT;
			break;
		}
		pr = poll(&pfd, 1, (int)ms);
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr < 0) {
			r = -errno;
			break;
		}
		if (pr == 0) {
			r = -ETIMEDOUT;
			break;
		}
		if (len + 1 >= cap) {
			char *nb;
			if (cap >= WHACK_OUTPUT_MAX) {
				r = -EFBIG;
				break;
			}
			cap *= 2;
			nb = realloc(buf, cap);
			if (!nb) {
				r = -ENOMEM;
				break;
			}
			buf = nb;
		}
		n = read(pipefd[0], buf + len, cap - len - 1);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0) {
			r = -errno;
			break;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(pipefd[0]);
	if (r < 0) {
		kill(child, SIGKILL);
		killed = true;
	}
	while (waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	if (!killed && r == 0 && (!WIFEXITED(status) || WEXITSTATUS(status) >= 126))
		r = -ENOEXEC; /* not run at all, or could not drop privileges */
	if (!killed && r == 0 && WEXITSTATUS(status) != 0 && len == 0)
		r = -ECONNREFUSED; /* whack could not talk to pluto */
	if (r < 0) {
		free(buf);
		return r;
	}
	buf[len] = '\0';
	*ret = buf;
	*ret_len = len;
	return 0;
fail:
	for (int i = 0; i < 2; i++)
		if (pipefd[i] >= 0)
			close(pipefd[i]);
	if (devnull >= 0)
		close(devnull);
	if (exe_fd >= 0)
		close(exe_fd);
	if (dir_fd >= 0)
		close(dir_fd);
	free(buf);
	return r;
}

/* ---- recording ---- */

static int record(struct xd_recbuf *out, enum xd_dump d, const struct pluto *p, char *text,
		  size_t len)
{
	char hdr[800];
	int hl = snprintf(hdr, sizeof(hdr), "# whack pid=%u ctl=%s\n", p->pid, p->ctl);
	size_t kept = xd_whack_scrub(text, len);
	struct xd_record rec = { .kind = XD_RECORD_FILE, .dump = d };
	char *all = malloc((size_t)hl + kept);
	int r;

	if (!all)
		return -ENOMEM;
	memcpy(all, hdr, (size_t)hl);
	memcpy(all + hl, text, kept);
	rec.data = all;
	rec.len = (size_t)hl + kept;
	r = xd_recbuf_add(out, &rec);
	free(all);
	return r;
}

static int ask(struct xd_recbuf *out, enum xd_dump d, const struct pluto *p, const char *option)
{
	char *text = NULL;
	size_t len = 0;
	int r = run_whack(p, option, &text, &len);

	if (r < 0)
		return r;
	r = record(out, d, p, text, len);
	free(text);
	return r;
}

void xd_collect_whack(struct xd_recbuf *out, struct xd_ike_procs *procs)
{
	struct xd_meta *m = xd_recbuf_meta(out);
	const char *env_sock = secure_getenv("XFRMD_WHACK_SOCKET");
	const char *env_whack = secure_getenv("XFRMD_WHACK");
	struct pluto plutos[MAX_PLUTOS];
	size_t n;
	int rs = 0, rt = 0;

	if (env_sock && env_sock[0]) {
		memset(&plutos[0], 0, sizeof(plutos[0]));
		snprintf(plutos[0].ctl, sizeof(plutos[0].ctl), "%s", env_sock);
		snprintf(plutos[0].whack, sizeof(plutos[0].whack), "%s",
			 env_whack && env_whack[0] ? env_whack : "/usr/libexec/ipsec/whack");
		n = 1;
	} else {
		n = find_plutos(procs, plutos, XD_ARRAY_SIZE(plutos));
		if (env_whack && env_whack[0])
			for (size_t i = 0; i < n; i++)
				snprintf(plutos[i].whack, sizeof(plutos[i].whack), "%s", env_whack);
	}
	if (n == 0) {
		/* no pluto: nothing to ask, nothing is wrong */
		xd_nl_set_status(m, XD_DUMP_IKE_WHACK_STATUS, -ENOENT);
		xd_nl_set_status(m, XD_DUMP_IKE_WHACK_TRAFFIC, -ENOENT);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		int r = ask(out, XD_DUMP_IKE_WHACK_STATUS, &plutos[i], "--status");
		if (r < 0 && !rs)
			rs = r;
		/* a pluto that did not answer the first listing will not answer the second */
		if (r != -ETIMEDOUT && r != -ENOENT && r != -ENOTSOCK && r != -ECONNREFUSED)
			r = ask(out, XD_DUMP_IKE_WHACK_TRAFFIC, &plutos[i], "--trafficstatus");
		if (r < 0 && !rt)
			rt = r;
	}
	xd_nl_set_status(m, XD_DUMP_IKE_WHACK_STATUS, rs);
	xd_nl_set_status(m, XD_DUMP_IKE_WHACK_TRAFFIC, rt);
	/* a pluto runs (or a socket was named) but its socket is missing: unreachable, not an
	 * absent daemon */
	if (rs == -ENOENT)
		m->dump_status[XD_DUMP_IKE_WHACK_STATUS] = XD_DUMP_ERROR;
	if (rt == -ENOENT)
		m->dump_status[XD_DUMP_IKE_WHACK_TRAFFIC] = XD_DUMP_ERROR;
}
