/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * collect-stack.c: records for IKE stack detection (stack.h): UDP/TCP sockets from
 * sock_diag (UDP from /proc/net/udp{,6} when sock_diag cannot list it), /proc/net/netlink,
 * the processes owning IKE and XFRM sockets, their control sockets and versions.
 *
 * Nothing is executed and no daemon is contacted: versions come from the bytes of the
 * daemon's executable (/proc/PID/exe, which also works for a daemon in another mount
 * namespace) or from dpkg's file lists. Only processes in the network namespace being
 * diagnosed are recorded. sock_diag may autoload udp_diag/tcp_diag (small, read-only).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "collect-internal.h"
#include "xfrmd/file.h"
#include "strbuf.h"
#include "xfrmd/decode.h"
#include "xfrmd/model.h"
#include "xfrmd/stack.h"

#define REC_MAX_BYTES (4u << 20)
#define EXE_SCAN_BYTES (64u << 20)
#define MAX_PROCS 65536
#define MAX_FDS_PER_PROC 65536

/* ---- sock_diag ---- */

static int diag_dump(struct xd_nl *nl, struct xd_recbuf *out, enum xd_dump d, uint8_t family,
		     uint8_t proto)
{
	char buf[512] __attribute__((aligned(8)));
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct inet_diag_req_v2 *req;
	struct xd_nl_result res;

	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req = mnl_nlmsg_put_extra_header(nlh, sizeof(*req));
	req->sdiag_family = family;
	req->sdiag_protocol = proto;
	/* unconnected UDP is TCP_CLOSE: ask for every state (netlink.md §4) */
	req->idiag_states = ~0u;
	if (proto == IPPROTO_TCP) {
		/*
		 * TCP: only sockets with local or remote port 4500 (IKE and ESP in TCP), so a
		 * busy server's connections stay out of the snapshot. Bytecode, laid out as
		 * iproute2's ss compiles "A or B": [A: sport == 4500][JMP to end][B: dport ==
		 * 4500]. A jump to the end accepts, to end + 4 rejects; every op must be
		 * reachable along the "yes" chain or the kernel's audit refuses it.
		 */
		struct inet_diag_bc_op ops[5] = {
			{ .code = INET_DIAG_BC_S_EQ, .yes = 8, .no = 12 },
			{ .no = 4500 },
			{ .code = INET_DIAG_BC_JMP, .yes = 4, .no = 12 },
			{ .code = INET_DIAG_BC_D_EQ, .yes = 8, .no = 12 },
			{ .no = 4500 },
		};
		mnl_attr_put(nlh, INET_DIAG_REQ_BYTECODE, sizeof(ops), ops);
	}
	return xd_nl_request(nl, nlh, d, out, &res);
}

static int collect_sockdiag(struct xd_recbuf *out, enum xd_dump d, uint8_t proto)
{
	const char *knob = secure_getenv("XFRMD_TEST_NO_UDP_DIAG");
	struct xd_nl *nl = NULL;
	int r;

	/* tests: behave as a kernel without udp_diag answers (the dump ends in -ENOENT) */
	if (proto == IPPROTO_UDP && knob && xd_streq(knob, "1")) {
		xd_nl_set_status(xd_recbuf_meta(out), d, -ENOENT);
		return -ENOENT;
	}
	r = xd_nl_open(NETLINK_SOCK_DIAG, &nl);
	if (r == 0) {
		r = diag_dump(nl, out, d, AF_INET, proto);
		if (r == 0)
			r = diag_dump(nl, out, d, AF_INET6, proto);
		xd_nl_close(nl);
	}
	if (r < 0)
		xd_recbuf_drop_dump(out, d);
	xd_nl_set_status(xd_recbuf_meta(out), d, r);
	return r;
}

/*
 * Without udp_diag (not built, or a module a container cannot load) sock_diag cannot list
 * UDP sockets; `ss` then reads /proc/net/udp{,6}, and so do we, so a NAT-T socket is still
 * seen. udp6 is absent on a kernel without IPv6: that status is kept, the IPv4 list counts.
 */
static void collect_proc_udp(struct xd_recbuf *out, enum xd_dump d, const char *path)
{
	_xd_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	int r = xd_file_read(path, XD_FILE_NOFOLLOW, REC_MAX_BYTES, &buf, &len, NULL);

	if (r < 0)
		xd_nl_set_status(xd_recbuf_meta(out), d, r);
	else
		(void)xd_nl_add_file_record(out, d, buf, len);
}

/* ---- processes ---- */

/* Values may hold any byte but NUL; the record's separators are escaped as %XX. */
static void put_escaped(struct xd_strbuf *b, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c <= 0x20 || c == '%' || c == '=' || c >= 0x7f)
			(void)xd_strbuf_printf(b, "%%%02X", c);
		else
			(void)xd_strbuf_append(b, s, 1);
	}
}

/* procfs files of one process (comm, status): never symlinks, never larger than len */
static int read_small(const char *path, char *buf, size_t len)
{
	int fd = xd_file_open(path, XD_FILE_NOFOLLOW, NULL, NULL);
	ssize_t n;
	int r;

	if (fd < 0)
		return fd;
	n = read(fd, buf, len - 1);
	r = n < 0 ? -errno : 0;
	close(fd);
	if (r < 0)
		return r;
	buf[n] = '\0';
	return (int)n;
}

static uint32_t status_field(const char *status, const char *key)
{
	const char *p = strstr(status, key);
	return p ? (uint32_t)strtoul(p + strlen(key), NULL, 10) : 0;
}

static uint32_t elf_bits(const char *exe_link)
{
	unsigned char h[5];
	/* /proc/PID/exe is a link to the executable: followed */
	int fd = xd_file_open(exe_link, 0, NULL, NULL);
	ssize_t n;

	if (fd < 0)
		return 0;
	n = read(fd, h, sizeof(h));
	close(fd);
	if (n != 5 || memcmp(h, "\177ELF", 4) != 0)
		return 0;
	return h[4] == 1 ? 32 : h[4] == 2 ? 64 : 0;
}

struct interest {
	const struct xd_stack_facts *f;
};

static bool inode_interesting(const struct xd_stack_facts *f, uint64_t ino, bool *ike)
{
	for (size_t i = 0; f && i < f->isocks.len; i++) {
		const struct xd_isock *s = xd_vec_at(&f->isocks, i);
		if (s->inode == ino) {
			if (s->sport == 500 || s->sport == 4500)
				*ike = true;
			return true;
		}
	}
	for (size_t i = 0; f && i < f->nlsocks.len; i++) {
		const struct xd_nlsock *s = xd_vec_at(&f->nlsocks, i);
		if (s->inode == ino && s->proto == NETLINK_XFRM) {
			*ike = true;
			return true;
		}
	}
	return false;
}

/* Product and version from the executable's bytes (stack.h xd_stack_version_scan()). */
static bool version_from_binary(const char *path, char *product, size_t plen, char *ver,
				size_t vlen)
{
	char *data = NULL;
	size_t len = 0;
	bool found;

	if (xd_file_read(path, 0, EXE_SCAN_BYTES, &data, &len, NULL) < 0)
		return false;
	found = xd_stack_version_scan(data, len, product, plen, ver, vlen);
	free(data);
	return found;
}

/* Debian: the package whose file list names the executable, and its version. */
static bool version_from_dpkg(const char *exe, char *product, size_t plen, char *ver,
			      size_t vlen, char *src, size_t slen)
{
	static const struct {
		const char *pkg, *product;
	} pkgs[] = {
		{ "strongswan-charon", "strongSwan" }, { "charon-systemd", "strongSwan" },
		{ "strongswan-nm", "strongSwan" },     { "charon-cmd", "strongSwan" },
		{ "libreswan", "libreswan" },          { "openswan", "Openswan" },
		{ "racoon", "ipsec-tools" },           { "openiked", "OpenIKED" },
	};
	for (size_t i = 0; i < XD_ARRAY_SIZE(pkgs); i++) {
		char path[256], *list = NULL, *status = NULL, key[80];
		size_t len = 0, slen2 = 0;
		const char *p, *v;
		bool listed;

		snprintf(path, sizeof(path), "/var/lib/dpkg/info/%s.list", pkgs[i].pkg);
		if (xd_file_read(path, 0, 1u << 20, &list, &len, NULL) < 0)
			continue;
		snprintf(key, sizeof(key), "\n%s\n", exe);
		listed = strstr(list, key) || (strncmp(list, key + 1, strlen(key + 1)) == 0);
		free(list);
		if (!listed || xd_file_read("/var/lib/dpkg/status", 0, 64u << 20, &status,
					    &slen2, NULL) < 0)
			continue;
		snprintf(key, sizeof(key), "Package: %s\n", pkgs[i].pkg);
		p = strstr(status, key);
		v = p ? strstr(p, "\nVersion: ") : NULL;
		if (v && (!strstr(p + 1, "\nPackage: ") || v < strstr(p + 1, "\nPackage: "))) {
			size_t n = strcspn(v + 10, "\n");
			snprintf(ver, vlen, "%.*s", (int)n, v + 10);
			snprintf(product, plen, "%s", pkgs[i].product);
			snprintf(src, slen, "dpkg:%s", pkgs[i].pkg);
			free(status);
			return true;
		}
		free(status);
	}
	return false;
}

static const char *const ctl_paths[] = {
	"/run/charon.vici", "/var/run/charon.vici", "/run/charon.ctl", "/var/run/charon.ctl",
	"/run/pluto/pluto.ctl", "/var/run/pluto/pluto.ctl", "/run/racoon/racoon.sock",
	"/var/racoon/racoon.sock", "/var/run/racoon.sock", "/run/iked.sock", "/var/run/iked.sock",
};

static void daemon_extras(struct xd_strbuf *vb, uint32_t pid, const char *exe)
{
	char link[64], product[32] = "", ver[64] = "", src[300] = "";

	snprintf(link, sizeof(link), "/proc/%u/exe", pid);
	if (version_from_binary(link, product, sizeof(product), ver, sizeof(ver)))
		snprintf(src, sizeof(src), "binary:%s", exe ? exe : link);
	else if (!exe || !version_from_dpkg(exe, product, sizeof(product), ver, sizeof(ver), src,
					    sizeof(src)))
		src[0] = '\0';
	if (src[0]) {
		(void)xd_strbuf_printf(vb, "pid=%u\tproduct=", pid);
		put_escaped(vb, product);
		(void)xd_strbuf_append(vb, "\tversion=", 9);
		put_escaped(vb, ver);
		(void)xd_strbuf_append(vb, "\tsource=", 8);
		put_escaped(vb, src);
		(void)xd_strbuf_append(vb, "\n", 1);
	}
	/* control sockets, seen from the daemon's own mount namespace */
	for (size_t i = 0; i < XD_ARRAY_SIZE(ctl_paths); i++) {
		char p[300];
		struct stat st;
		snprintf(p, sizeof(p), "/proc/%u/root%s", pid, ctl_paths[i]);
		if (stat(p, &st) == 0 && S_ISSOCK(st.st_mode)) {
			(void)xd_strbuf_printf(vb, "ctl=");
			put_escaped(vb, ctl_paths[i]);
			(void)xd_strbuf_printf(vb, "\tpid=%u\n", pid);
		}
	}
}

/* Is any socket an owner must be found for (UDP/TCP on the IKE ports, XFRM netlink)? */
static bool any_ike_socket(const struct xd_stack_facts *f)
{
	for (size_t i = 0; f && i < f->isocks.len; i++) {
		const struct xd_isock *s = xd_vec_at(&f->isocks, i);
		if (s->sport == 500 || s->sport == 4500)
			return true;
	}
	for (size_t i = 0; f && i < f->nlsocks.len; i++) {
		const struct xd_nlsock *s = xd_vec_at(&f->nlsocks, i);
		/* portid 0 is the kernel's own socket, listed in every namespace */
		if (s->proto == NETLINK_XFRM && s->portid != 0)
			return true;
	}
	return false;
}

static void scan_process(struct xd_strbuf *pb, struct xd_strbuf *vb,
			 const struct xd_stack_facts *f, uint32_t pid, const char *our_ns,
			 bool owners_wanted)
{
	char path[64], buf[4096], comm[64] = "", exe[1024] = "", ns[64];
	uint64_t socks[64];
	unsigned nsocks = 0, nfd = 0;
	bool ike = false;
	ssize_t n;
	DIR *d;
	struct dirent *de;

	snprintf(path, sizeof(path), "/proc/%u/ns/net", pid);
	n = readlink(path, ns, sizeof(ns) - 1);
	if (n <= 0)
		return;
	ns[n] = '\0';
	if (!xd_streq(ns, our_ns))
		return; /* another network namespace: not part of this diagnosis */
	snprintf(path, sizeof(path), "/proc/%u/comm", pid);
	if (read_small(path, comm, sizeof(comm)) > 0)
		comm[strcspn(comm, "\n")] = '\0';
	/* reading every fd link of every process is the expensive part: only when some IKE or
	 * XFRM socket needs its owner, or for a process named like an IKE daemon */
	snprintf(path, sizeof(path), "/proc/%u/fd", pid);
	d = owners_wanted || xd_stack_kind_from_comm(comm) != XD_STACK_UNKNOWN ? opendir(path) : NULL;
	while (d && (de = readdir(d)) && nfd++ < MAX_FDS_PER_PROC) {
		char fdp[320], target[64];
		uint64_t ino;
		if (de->d_name[0] == '.')
			continue;
		snprintf(fdp, sizeof(fdp), "/proc/%u/fd/%s", pid, de->d_name);
		n = readlink(fdp, target, sizeof(target) - 1);
		if (n <= 8)
			continue;
		target[n] = '\0';
		if (sscanf(target, "socket:[%" SCNu64 "]", &ino) != 1)
			continue;
		if (inode_interesting(f, ino, &ike) && nsocks < XD_ARRAY_SIZE(socks))
			socks[nsocks++] = ino;
	}
	if (d)
		closedir(d);
	if (!ike && xd_stack_kind_from_comm(comm) == XD_STACK_UNKNOWN)
		return;

	uint32_t bits;

	snprintf(path, sizeof(path), "/proc/%u/exe", pid);
	n = readlink(path, exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = '\0';
	bits = elf_bits(path);
	snprintf(path, sizeof(path), "/proc/%u/status", pid);
	if (read_small(path, buf, sizeof(buf)) < 0)
		buf[0] = '\0';
	(void)xd_strbuf_printf(pb, "pid=%u\tppid=%u\tuid=%u\tbits=%u\tcomm=", pid,
			       status_field(buf, "\nPPid:"), status_field(buf, "\nUid:"), bits);
	put_escaped(pb, comm);
	if (exe[0]) {
		(void)xd_strbuf_append(pb, "\texe=", 5);
		put_escaped(pb, exe);
	}
	(void)xd_strbuf_append(pb, "\tsockets=", 9);
	for (unsigned i = 0; i < nsocks; i++)
		(void)xd_strbuf_printf(pb, "%s%" PRIu64, i ? "," : "", socks[i]);
	(void)xd_strbuf_append(pb, "\n", 1);
	if (xd_stack_kind_from_comm(comm) != XD_STACK_UNKNOWN)
		daemon_extras(vb, pid, exe[0] ? exe : NULL);
}

/* Decode what sock_diag and /proc/net/netlink said, to know which inodes matter. */
static int only_sockets(void *ud, const struct xd_record *rec)
{
	if (rec->dump != XD_DUMP_SOCKDIAG_UDP && rec->dump != XD_DUMP_SOCKDIAG_TCP &&
	    rec->dump != XD_DUMP_PROC_UDP && rec->dump != XD_DUMP_PROC_UDP6 &&
	    rec->dump != XD_DUMP_NETLINK_SOCKETS)
		return 0;
	(void)xd_decode_record(ud, rec);
	return 0;
}

static void collect_processes(struct xd_recbuf *out)
{
	_xd_cleanup_(xd_snapshot_freep) struct xd_snapshot *tmp = NULL;
	struct xd_strbuf pb, vb;
	char our_ns[64];
	DIR *d;
	struct dirent *de;
	unsigned count = 0;
	bool owners_wanted;
	ssize_t n;

	n = readlink("/proc/self/ns/net", our_ns, sizeof(our_ns) - 1);
	d = n > 0 ? opendir("/proc") : NULL;
	if (!d) {
		xd_nl_set_status(xd_recbuf_meta(out), XD_DUMP_PROCESSES, n > 0 ? -errno : -ENOENT);
		xd_nl_set_status(xd_recbuf_meta(out), XD_DUMP_STACK_VERSIONS, -ENOENT);
		return;
	}
	our_ns[n] = '\0';
	if (xd_snapshot_new(&tmp) == 0)
		(void)xd_recbuf_replay(out, &(struct xd_record_sink){ .record = only_sockets,
								      .userdata = tmp });
	owners_wanted = any_ike_socket(tmp ? tmp->stack : NULL);
	xd_strbuf_init(&pb, REC_MAX_BYTES);
	xd_strbuf_init(&vb, REC_MAX_BYTES);
	while ((de = readdir(d)) && count < MAX_PROCS) {
		char *end;
		unsigned long pid = strtoul(de->d_name, &end, 10);
		if (*end || !pid || pid > UINT32_MAX)
			continue;
		count++;
		scan_process(&pb, &vb, tmp ? tmp->stack : NULL, (uint32_t)pid, our_ns, owners_wanted);
	}
	closedir(d);
	/* KLIPS (Openswan, libreswan <= 3.x) is out of tree and invisible to XFRM netlink;
	 * its /proc file is the only trace (netlink.md 5.3) */
	{
		char *kv = NULL;
		size_t kl = 0;
		if (xd_file_read("/proc/net/ipsec_version", XD_FILE_NOFOLLOW, 4096, &kv, &kl, NULL) == 0) {
			kv[strcspn(kv, "\n")] = '\0';
			(void)xd_strbuf_append(&vb, "klips=", 6);
			put_escaped(&vb, kv[0] ? kv : "?");
			(void)xd_strbuf_append(&vb, "\n", 1);
		}
		free(kv);
	}
	if (pb.err)
		xd_nl_set_status(xd_recbuf_meta(out), XD_DUMP_PROCESSES, pb.err);
	else
		(void)xd_nl_add_file_record(out, XD_DUMP_PROCESSES, pb.data ? pb.data : "", pb.len);
	if (vb.err)
		xd_nl_set_status(xd_recbuf_meta(out), XD_DUMP_STACK_VERSIONS, vb.err);
	else
		(void)xd_nl_add_file_record(out, XD_DUMP_STACK_VERSIONS, vb.data ? vb.data : "",
					    vb.len);
	xd_strbuf_done(&pb);
	xd_strbuf_done(&vb);
}

void xd_collect_stack(struct xd_recbuf *out)
{
	xd_nl_collect_file(out, XD_DUMP_NETLINK_SOCKETS, "/proc/net/netlink");
	if (collect_sockdiag(out, XD_DUMP_SOCKDIAG_UDP, IPPROTO_UDP) < 0) {
		collect_proc_udp(out, XD_DUMP_PROC_UDP, "/proc/net/udp");
		collect_proc_udp(out, XD_DUMP_PROC_UDP6, "/proc/net/udp6");
	}
	(void)collect_sockdiag(out, XD_DUMP_SOCKDIAG_TCP, IPPROTO_TCP);
	collect_processes(out);
}
