/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * decode-stack.c: IKE-stack records -> struct xd_stack_facts: /proc/net/netlink, sock_diag
 * inet_diag replies (or /proc/net/udp{,6} where sock_diag cannot list UDP), and the process
 * and version records built by collect/collect-stack.c.
 * Bounded; malformed lines and messages become decode issues and are skipped.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nl-walk.h"
#include "xfrmd/decode.h"
#include "xfrmd/model.h"
#include "xfrmd/stack.h"

#define MAX_ITEMS 200000
#define MAX_PROC_SOCKS 64

static void issue(struct xd_snapshot *s, enum xd_dump d, uint32_t off, const char *what)
{
	struct xd_decode_issue i = { .code = -EBADMSG, .dump = d, .offset = off, .what = what };
	xd_snapshot_add_issue(s, &i);
}

/* "sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode", header line first. */
int xd_decode_netlink_sockets(struct xd_snapshot *s, const void *buf, size_t len)
{
	struct xd_stack_facts *f = xd_snapshot_stack(s);
	const char *p = buf, *end = p + len;
	bool header = true;

	if (!f)
		return -ENOMEM;
	f->netlink_present = true;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		char line[256];
		unsigned long long sk, inode;
		unsigned eth, pid, rmem, wmem, dump, locks, drops;
		unsigned groups;
		size_t n;

		if (!eol)
			eol = end;
		n = (size_t)(eol - p);
		if (n && !header) {
			struct xd_nlsock *ns;
			if (n >= sizeof(line) ||
			    (memcpy(line, p, n), line[n] = '\0',
			     sscanf(line, "%llx %u %u %x %u %u %u %u %u %llu", &sk, &eth, &pid, &groups,
				    &rmem, &wmem, &dump, &locks, &drops, &inode) != 10)) {
				issue(s, XD_DUMP_NETLINK_SOCKETS, (uint32_t)(p - (const char *)buf),
				      "/proc/net/netlink line not understood");
			} else if (f->nlsocks.len < MAX_ITEMS) {
				ns = xd_vec_push(&f->nlsocks);
				if (!ns)
					return -ENOMEM;
				*ns = (struct xd_nlsock){ .proto = eth, .portid = pid, .groups = groups,
							  .drops = drops, .inode = inode };
			}
		}
		header = false;
		p = eol + 1;
	}
	return 0;
}

struct diag_ctx {
	struct xd_snapshot *s;
	enum xd_dump d;
	const void *buf;
};

static int diag_msg(void *ud, const struct nlmsghdr *nlh)
{
	struct diag_ctx *c = ud;
	struct xd_stack_facts *f = c->s->stack;
	const struct inet_diag_msg *m;
	struct xd_isock *is;

	if (nlh->nlmsg_type == NLMSG_DONE || nlh->nlmsg_type == NLMSG_ERROR ||
	    nlh->nlmsg_type == NLMSG_NOOP)
		return 0;
	if (nlh->nlmsg_type != SOCK_DIAG_BY_FAMILY) {
		c->s->ignored_msgs++;
		return 0;
	}
	if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(*m)) {
		issue(c->s, c->d, (uint32_t)((const char *)nlh - (const char *)c->buf),
		      "inet_diag message too short");
		return 0;
	}
	if (f->isocks.len >= MAX_ITEMS)
		return 0;
	m = (const void *)((const char *)nlh + NLMSG_HDRLEN);
	is = xd_vec_push(&f->isocks);
	if (!is)
		return -ENOMEM;
	is->family = m->idiag_family;
	is->proto = c->d == XD_DUMP_SOCKDIAG_UDP ? IPPROTO_UDP : IPPROTO_TCP;
	is->state = m->idiag_state;
	is->sport = ntohs(m->id.idiag_sport);
	is->dport = ntohs(m->id.idiag_dport);
	memcpy(is->src, m->id.idiag_src, sizeof(is->src));
	is->inode = m->idiag_inode;
	is->uid = m->idiag_uid;
	is->rqueue = m->idiag_rqueue;
	is->ifindex = m->id.idiag_if;
	return 0;
}

int xd_decode_sockdiag(struct xd_snapshot *s, enum xd_dump d, const void *buf, size_t len)
{
	struct xd_stack_facts *f = xd_snapshot_stack(s);
	struct diag_ctx c = { s, d, buf };
	const void *bad = NULL;
	int r;

	if (!f)
		return -ENOMEM;
	if (d == XD_DUMP_SOCKDIAG_UDP)
		f->udp_present = true;
	else
		f->tcp_present = true;
	/* the shared walker checks every length in size_t (libmnl's mnl_nlmsg_ok() casts
	 * nlmsg_len to int, so a hostile length >= 2^31 would pass it) */
	r = xd_walk_msgs(buf, len, diag_msg, &c, &bad);
	if (r == -EBADMSG)
		issue(s, d, (uint32_t)((const char *)bad - (const char *)buf),
		      "netlink message length outside the datagram");
	return r;
}

/* n upper- or lower-case hex digits, nothing else (strtoul would take signs and blanks). */
static bool hexn(const char *s, size_t n, uint32_t *ret)
{
	uint32_t v = 0;

	for (size_t k = 0; k < n; k++) {
		char c = s[k];
		int x = c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10
			: c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
		if (x < 0)
			return false;
		v = v << 4 | (uint32_t)x;
	}
	*ret = v;
	return true;
}

/* "ADDR:PORT" of /proc/net/udp{,6}: ADDR is 1 or 4 %08X words of the address as the kernel
 * holds it (network byte order read as a host integer), PORT is %04X in host order. */
static bool proc_addr(const char *tok, size_t words, uint8_t addr[16], uint16_t *port)
{
	uint32_t v;

	if (strlen(tok) != words * 8 + 5 || tok[words * 8] != ':')
		return false;
	for (size_t w = 0; w < words; w++) {
		if (!hexn(tok + w * 8, 8, &v))
			return false;
		memcpy(addr + w * 4, &v, 4);
	}
	if (!hexn(tok + words * 8 + 1, 4, &v))
		return false;
	*port = (uint16_t)v;
	return true;
}

/*
 * One socket line: "sl: local rem st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
 * ref pointer drops" (the kernel's udp4_format_sock / udp6_sock_seq_show layout).
 */
static int proc_udp_line(struct xd_snapshot *s, bool v6, char *line)
{
	struct xd_stack_facts *f = s->stack;
	char *tok[10], *save = NULL;
	size_t n = 0;
	struct xd_isock is = { .family = v6 ? AF_INET6 : AF_INET, .proto = IPPROTO_UDP };
	uint16_t rport;
	uint8_t raddr[16];
	unsigned long long st, tx, rx, uid, ino;
	char *end;

	for (char *t = strtok_r(line, " \t", &save); t && n < XD_ARRAY_SIZE(tok);
	     t = strtok_r(NULL, " \t", &save))
		tok[n++] = t;
	if (n < XD_ARRAY_SIZE(tok) || tok[0][strlen(tok[0]) - 1] != ':')
		return -EBADMSG;
	if (!proc_addr(tok[1], v6 ? 4 : 1, is.src, &is.sport) ||
	    !proc_addr(tok[2], v6 ? 4 : 1, raddr, &rport))
		return -EBADMSG;
	is.dport = rport;
	st = strtoull(tok[3], &end, 16);
	if (*end || end == tok[3] || st > 0xff)
		return -EBADMSG;
	tx = strtoull(tok[4], &end, 16);
	if (*end != ':' || end == tok[4])
		return -EBADMSG;
	rx = strtoull(end + 1, &end, 16);
	if (*end || rx > UINT32_MAX || tx > UINT32_MAX)
		return -EBADMSG;
	uid = strtoull(tok[7], &end, 10);
	if (*end || end == tok[7] || uid > UINT32_MAX)
		return -EBADMSG;
	ino = strtoull(tok[9], &end, 10);
	if (*end || end == tok[9] || ino > UINT32_MAX)
		return -EBADMSG;
	is.state = (uint8_t)st;
	is.rqueue = (uint32_t)rx;
	is.uid = (uint32_t)uid;
	is.inode = (uint32_t)ino; /* sock_diag reports the inode in 32 bits too */
	if (f->isocks.len >= MAX_ITEMS)
		return 0;
	struct xd_isock *slot = xd_vec_push(&f->isocks);
	if (!slot)
		return -ENOMEM;
	*slot = is;
	return 0;
}

/*
 * /proc/net/udp and /proc/net/udp6: what `ss` reads when sock_diag has no UDP handler (a
 * kernel without udp_diag). The header line is skipped; a bad line is a decode issue.
 */
int xd_decode_proc_udp(struct xd_snapshot *s, enum xd_dump d, const void *buf, size_t len)
{
	struct xd_stack_facts *f = xd_snapshot_stack(s);
	const char *p = buf, *end = p + len;
	bool v6 = d == XD_DUMP_PROC_UDP6;

	if (!f)
		return -ENOMEM;
	f->udp_present = true;
	f->udp_from_proc = true;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		char line[512];
		size_t n, skip;
		int r;

		if (!eol)
			eol = end;
		n = (size_t)(eol - p);
		skip = 0;
		while (skip < n && p[skip] == ' ')
			skip++;
		/* the header ("  sl  local_address ...") and blank lines carry no socket */
		if (n - skip == 0 || (n - skip >= 2 && memcmp(p + skip, "sl", 2) == 0)) {
			p = eol + 1;
			continue;
		}
		if (n >= sizeof(line) || memchr(p, '\0', n)) {
			r = -EBADMSG;
		} else {
			memcpy(line, p, n);
			line[n] = '\0';
			r = proc_udp_line(s, v6, line);
		}
		if (r == -ENOMEM)
			return r;
		if (r < 0)
			issue(s, d, (uint32_t)(p - (const char *)buf), v6 ? "/proc/net/udp6 line not understood"
								       : "/proc/net/udp line not understood");
		p = eol + 1;
	}
	return 0;
}

/* Undo the %XX escaping of collect/collect-stack.c in place; returns false on a bad escape. */
static bool unescape(char *v)
{
	char *w = v;

	for (char *r = v; *r; r++) {
		if (*r == '%') {
			unsigned x;
			if (!r[1] || !r[2] || sscanf(r + 1, "%2x", &x) != 1 || x == 0)
				return false;
			*w++ = (char)x;
			r += 2;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
	return true;
}

/* Split "k=v\tk=v" into a callback per pair. Returns false when a field has no '='. */
typedef bool (*field_fn)(struct xd_snapshot *s, void *obj, const char *k, char *v);

static bool for_fields(struct xd_snapshot *s, char *line, void *obj, field_fn fn)
{
	char *save = NULL;

	for (char *tok = strtok_r(line, "\t", &save); tok; tok = strtok_r(NULL, "\t", &save)) {
		char *eq = strchr(tok, '=');
		if (!eq)
			return false;
		*eq = '\0';
		if (!unescape(eq + 1) || !fn(s, obj, tok, eq + 1))
			return false;
	}
	return true;
}

static bool proc_field(struct xd_snapshot *s, void *obj, const char *k, char *v)
{
	struct xd_proc *p = obj;
	struct xd_stack_facts *f = s->stack;

	if (xd_streq(k, "pid"))
		return xd_parse_u32(v, &p->pid) == 0;
	if (xd_streq(k, "ppid"))
		return xd_parse_u32(v, &p->ppid) == 0;
	if (xd_streq(k, "uid"))
		return xd_parse_u32(v, &p->uid) == 0;
	if (xd_streq(k, "bits"))
		return xd_parse_u32(v, &p->elf_bits) == 0;
	if (xd_streq(k, "comm"))
		return (p->comm = xd_snapshot_intern(s, v, 64));
	if (xd_streq(k, "exe"))
		return (p->exe = xd_snapshot_intern(s, v, 4096));
	if (xd_streq(k, "sockets")) {
		char *save = NULL;
		/* a repeated key appends: the process's inodes stay one contiguous run */
		if (p->sock_count == 0)
			p->sock_first = (uint32_t)f->proc_inodes.len;
		for (char *t = strtok_r(v, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
			uint64_t ino, *slot;
			if (xd_parse_u64(t, &ino) < 0 || p->sock_count >= MAX_PROC_SOCKS)
				return false;
			slot = xd_vec_push(&f->proc_inodes);
			if (!slot)
				return false;
			*slot = ino;
			p->sock_count++;
		}
		return true;
	}
	return true; /* unknown keys: a newer collector; ignored */
}

static int for_lines(struct xd_snapshot *s, enum xd_dump d, const void *buf, size_t len,
		     int (*fn)(struct xd_snapshot *s, char *line))
{
	const char *p = buf, *end = p + len;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		char line[8192];
		size_t n;
		int r;

		if (!eol)
			eol = end;
		n = (size_t)(eol - p);
		if (n) {
			if (n >= sizeof(line) || memchr(p, '\0', n)) {
				issue(s, d, (uint32_t)(p - (const char *)buf), "line too long or has NUL");
			} else {
				memcpy(line, p, n);
				line[n] = '\0';
				r = fn(s, line);
				if (r == -ENOMEM)
					return r;
				if (r < 0)
					issue(s, d, (uint32_t)(p - (const char *)buf),
					      "line not understood");
			}
		}
		p = eol + 1;
	}
	return 0;
}

static int proc_line(struct xd_snapshot *s, char *line)
{
	struct xd_stack_facts *f = s->stack;
	struct xd_proc pr = { 0 }, *slot;
	size_t inodes_before = f->proc_inodes.len;

	if (f->procs.len >= MAX_ITEMS)
		return -E2BIG;
	if (!for_fields(s, line, &pr, proc_field) || !pr.pid || !pr.comm) {
		f->proc_inodes.len = inodes_before;
		return -EBADMSG;
	}
	slot = xd_vec_push(&f->procs);
	if (!slot)
		return -ENOMEM;
	*slot = pr;
	return 0;
}

int xd_decode_processes(struct xd_snapshot *s, const void *buf, size_t len)
{
	struct xd_stack_facts *f = xd_snapshot_stack(s);

	if (!f)
		return -ENOMEM;
	f->procs_present = true;
	return for_lines(s, XD_DUMP_PROCESSES, buf, len, proc_line);
}

static bool ver_field(struct xd_snapshot *s, void *obj, const char *k, char *v)
{
	struct xd_stack_version *sv = obj;

	if (xd_streq(k, "pid"))
		return xd_parse_u32(v, &sv->pid) == 0;
	if (xd_streq(k, "product"))
		return (sv->product = xd_snapshot_intern(s, v, 64));
	if (xd_streq(k, "version"))
		return (sv->version = xd_snapshot_intern(s, v, 64));
	if (xd_streq(k, "source") || xd_streq(k, "ctl") || xd_streq(k, "klips"))
		return (sv->source = xd_snapshot_intern(s, v, 4096));
	return true;
}

static int ver_line(struct xd_snapshot *s, char *line)
{
	struct xd_stack_facts *f = s->stack;
	struct xd_stack_version sv = { 0 };
	bool ctl = strncmp(line, "ctl=", 4) == 0;
	bool klips = strncmp(line, "klips=", 6) == 0;

	if (f->versions.len + f->ctl_sockets.len >= MAX_ITEMS)
		return -E2BIG;
	if (!for_fields(s, line, &sv, ver_field))
		return -EBADMSG;
	if (klips) {
		if (!sv.source)
			return -EBADMSG;
		f->klips = sv.source;
		return 0;
	}
	if (ctl) {
		struct xd_stack_version *slot;
		if (!sv.source)
			return -EBADMSG;
		slot = xd_vec_push(&f->ctl_sockets);
		if (!slot)
			return -ENOMEM;
		*slot = (struct xd_stack_version){ .pid = sv.pid, .source = sv.source };
		return 0;
	}
	if (!sv.pid || !sv.version || !sv.product)
		return -EBADMSG;
	struct xd_stack_version *slot = xd_vec_push(&f->versions);
	if (!slot)
		return -ENOMEM;
	*slot = sv;
	return 0;
}

int xd_decode_stack_versions(struct xd_snapshot *s, const void *buf, size_t len)
{
	struct xd_stack_facts *f = xd_snapshot_stack(s);

	if (!f)
		return -ENOMEM;
	f->versions_present = true;
	return for_lines(s, XD_DUMP_STACK_VERSIONS, buf, len, ver_line);
}
