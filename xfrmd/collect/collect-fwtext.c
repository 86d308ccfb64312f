/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * collect-fwtext.c: firewall text from a support archive (`nft list ruleset`, `iptables-save`,
 * `ip6tables-save`) turned into the records the live path collects, without a parser of our
 * own: a child process creates a private network namespace, hands the text to the tool that
 * wrote it (`nft -f -`, `iptables-restore`), and dumps the result with the live collectors
 * (collect-nft.c, collect-ipt.c). The kernel is the grammar; the decoders see netlink records
 * as from a live gateway. Needs CAP_SYS_ADMIN for unshare(CLONE_NEWNET): -EPERM without.
 *
 * Why the tools and not libnftables: the same result with no new library in the collector,
 * and the text is parsed in a process that holds nothing else (docs/support-archives.md).
 * The text is untrusted: nft's `include` would read host files as root, so such text is
 * refused; the tools' output goes to /dev/null; everything is bounded in time and size.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "collect-internal.h"
#include "xfrmd/collect.h"
#include "xfrmd/file.h"
#include "xfrmd/model.h"

#define FW_TEXT_MAX (64u << 20)    /* the archive reader's bound on one command's output */
#define FW_RECORDS_MAX (256u << 20) /* what the child may send back */
#define FW_TIMEOUT_S 120           /* a 100k-rule iptables-restore takes seconds */

/* Frames from the child: a header, then `len` bytes. The last frame (dump FRAME_END)
 * carries the child's result and the manifest entries of the dumps it collected. */
#define FRAME_END (-2)

struct frame {
	int32_t kind;
	int32_t dump;
	uint32_t nl_proto;
	uint32_t len;
};

struct frame_end {
	int32_t result;
	int32_t status[_XD_DUMP_MAX];
	int32_t error[_XD_DUMP_MAX];
	uint32_t attempts[_XD_DUMP_MAX];
};

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -EPIPE;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int read_all(int fd, void *buf, size_t len)
{
	char *p = buf;

	while (len) {
		ssize_t n = read(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EPIPE;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* nft's `include "FILE"` reads a file of the host (as root); refuse such text outright. */
static bool has_include(const char *text, size_t len)
{
	const char *p = text, *end = text + len;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol)
			eol = end;
		while (p < eol && (*p == ' ' || *p == '\t' || *p == ';'))
			p++;
		if ((size_t)(eol - p) >= 7 && memcmp(p, "include", 7) == 0)
			return true;
		/* `;` separates statements on one line */
		for (const char *q = p; q < eol; q++)
			if (*q == ';') {
				const char *r = q + 1;
				while (r < eol && (*r == ' ' || *r == '\t'))
					r++;
				if ((size_t)(eol - r) >= 7 && memcmp(r, "include", 7) == 0)
					return true;
			}
		p = eol + 1;
	}
	return false;
}

/* The tool that reads `kind`'s text: legacy first, so that the text stays apart from the
 * nf_tables ruleset an archive's `nft list ruleset` describes; iptables-nft's restore where
 * only that exists. */
static const char *const *tool_names(enum xd_dump kind)
{
	static const char *const nft[] = { "nft", NULL };
	static const char *const ipt[] = { "iptables-legacy-restore", "iptables-restore", NULL };
	static const char *const ip6t[] = { "ip6tables-legacy-restore", "ip6tables-restore", NULL };

	return kind == XD_DUMP_NFT_RULES ? nft : kind == XD_DUMP_IPT ? ipt : ip6t;
}

/* In the namespace: run the tool with the text on its stdin. 0, or -EBADMSG if it refused. */
static int load_text(enum xd_dump kind, const char *text, size_t len)
{
	char path[64];
	const char *tool = xd_program_find(tool_names(kind), path, sizeof(path));
	const char *const nft_argv[] = { "nft", "-f", "-", NULL };
	const char *const restore_argv[] = { path, NULL }; /* the -restore reads stdin */
	int in[2], st;
	pid_t pid;

	if (!tool)
		return -ENOENT;
	if (pipe2(in, O_CLOEXEC) < 0)
		return -errno;
	pid = xd_program_spawn(tool, kind == XD_DUMP_NFT_RULES ? nft_argv : restore_argv, in[0],
			       -1, FW_TIMEOUT_S);
	close(in[0]);
	if (pid < 0) {
		close(in[1]);
		return pid;
	}
	(void)write_all(in[1], text, len); /* a tool that stops early closes its end: EPIPE */
	close(in[1]);
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 127)
		return -ENOENT;
	if (WIFSIGNALED(st) && WTERMSIG(st) == SIGALRM)
		return -ETIME;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -EBADMSG;
}

struct send_ctx {
	int fd;
	int err;
	uint64_t dumps; /* what this kind of text fills: the other family's tables are not its */
};

static uint64_t kind_dumps(enum xd_dump kind)
{
	if (kind == XD_DUMP_IPT)
		return XD_IPT_DUMPS;
	return kind == XD_DUMP_IP6T ? XD_IP6T_DUMPS : XD_NFT_DUMPS;
}

static int send_record(void *ud, const struct xd_record *rec)
{
	struct send_ctx *c = ud;
	struct frame f = { .kind = (int32_t)rec->kind, .dump = (int32_t)rec->dump,
			   .nl_proto = rec->nl_proto, .len = (uint32_t)rec->len };

	if (c->err)
		return c->err;
	if (!(c->dumps & (1ull << rec->dump)))
		return 0;
	c->err = write_all(c->fd, &f, sizeof(f));
	if (!c->err)
		c->err = write_all(c->fd, rec->data, rec->len);
	return c->err;
}

static _Noreturn void child(enum xd_dump kind, const char *text, size_t len, int fd)
{
	struct frame_end *e = calloc(1, sizeof(*e));
	struct frame f = { .dump = FRAME_END, .len = sizeof(*e) };
	struct xd_recbuf *b = NULL;
	struct send_ctx sc = { .fd = fd, .dumps = kind_dumps(kind) };
	int r;

	signal(SIGPIPE, SIG_IGN);
	alarm(FW_TIMEOUT_S + 30);
	if (!e)
		_exit(1);
	if (unshare(CLONE_NEWNET) < 0)
		r = -errno;
	else
		r = load_text(kind, text, len);
	if (r == 0)
		r = xd_recbuf_new(&b);
	if (r == 0) {
		struct xd_record_sink sink = { .record = send_record, .userdata = &sc };
		const struct xd_meta *m;
		if (kind == XD_DUMP_NFT_RULES)
			xd_collect_nft(b, 5);
		else
			xd_collect_ipt(b, 5);
		r = xd_recbuf_replay(b, &sink);
		m = xd_recbuf_meta_const(b);
		for (int d = 0; d < _XD_DUMP_MAX; d++) {
			if (!(sc.dumps & (1ull << d)))
				continue;
			e->status[d] = (int32_t)m->dump_status[d];
			e->error[d] = m->dump_error[d];
			e->attempts[d] = m->dump_attempts[d];
		}
	}
	e->result = r;
	if (write_all(fd, &f, sizeof(f)) < 0 || write_all(fd, e, sizeof(*e)) < 0)
		_exit(1);
	_exit(0);
}

/* Read the child's frames into `out`; 0 with the child's result in *result. */
static int receive(int fd, struct xd_recbuf *out, int *result)
{
	struct xd_meta *m = xd_recbuf_meta(out);
	size_t total = 0;
	void *buf = NULL;
	int r;

	for (;;) {
		struct frame f;
		r = read_all(fd, &f, sizeof(f));
		if (r < 0)
			break;
		if (f.dump == FRAME_END) {
			struct frame_end e;
			if (f.len != sizeof(e) || (r = read_all(fd, &e, sizeof(e))) < 0) {
				r = r < 0 ? r : -EBADMSG;
				break;
			}
			*result = e.result;
			for (int d = 0; d < _XD_DUMP_MAX && e.result == 0; d++)
				if (e.status[d] > XD_DUMP_NOT_COLLECTED &&
				    e.status[d] < _XD_DUMP_STATUS_MAX) {
					m->dump_status[d] = (enum xd_dump_status)e.status[d];
					m->dump_error[d] = e.error[d] <= 0 ? e.error[d] : -EIO;
					m->dump_attempts[d] = e.attempts[d];
				}
			r = 0;
			break;
		}
		total += f.len;
		if (f.dump < 0 || f.dump >= _XD_DUMP_MAX ||
		    (f.kind != XD_RECORD_NETLINK && f.kind != XD_RECORD_FILE) ||
		    total > FW_RECORDS_MAX) {
			r = -EBADMSG;
			break;
		}
		free(buf);
		buf = malloc(f.len ? f.len : 1);
		if (!buf) {
			r = -ENOMEM;
			break;
		}
		r = read_all(fd, buf, f.len);
		if (r == 0) {
			struct xd_record rec = { .kind = (enum xd_record_kind)f.kind,
						 .dump = (enum xd_dump)f.dump,
						 .nl_proto = (uint16_t)f.nl_proto, .data = buf,
						 .len = f.len };
			r = xd_recbuf_add(out, &rec);
		}
		if (r < 0)
			break;
	}
	free(buf);
	return r;
}

int xd_collect_fw_text(enum xd_dump kind, const char *text, size_t len, struct xd_recbuf *out)
{
	int fds[2], st, r, result = -EPIPE;
	pid_t pid;

	if (kind != XD_DUMP_NFT_RULES && kind != XD_DUMP_IPT && kind != XD_DUMP_IP6T)
		return -EINVAL;
	if (len > FW_TEXT_MAX || memchr(text, '\0', len))
		return -EBADMSG;
	if (kind == XD_DUMP_NFT_RULES && has_include(text, len))
		return -EBADMSG;
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		r = -errno;
		close(fds[0]);
		close(fds[1]);
		return r;
	}
	if (pid == 0) {
		close(fds[0]);
		child(kind, text, len, fds[1]);
	}
	close(fds[1]);
	r = receive(fds[0], out, &result);
	close(fds[0]);
	if (r < 0)
		kill(pid, SIGKILL); /* it stops writing only when it is gone */
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			break;
	if (WIFSIGNALED(st) && WTERMSIG(st) == SIGALRM)
		return -ETIME;
	return r < 0 ? r : result;
}
