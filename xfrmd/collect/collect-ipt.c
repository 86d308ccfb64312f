/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * collect-ipt.c: live collection of legacy iptables (ip_tables/ip6_tables) tables through
 * the get-entries getsockopt interface, as file records framed by ipt-record.h. Only tables
 * listed in /proc/net/ip{,6}_tables_names are asked for: asking for another name makes the
 * kernel autoload iptable_<name>, which would install hooks on an nft-only host.
 */
/* glibc's netinet/in.h must come before the UAPI headers (linux/libc-compat.h) */
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <linux/netfilter_ipv4/ip_tables.h>
#include <linux/netfilter_ipv6/ip6_tables.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "collect-internal.h"
#include "xfrmd/file.h"
#include "xfrmd/ipt-record.h"
#include "xfrmd/model.h"

#define NAMES_MAX 4096
#define TABLE_MAX_BYTES (64u << 20)

_Static_assert(sizeof(struct ipt_getinfo) == sizeof(struct ip6t_getinfo), "same info layout");

static void set_status(struct xd_meta *m, enum xd_dump d, int err)
{
	m->dump_status[d] = xd_nl_status_from_error(err);
	m->dump_error[d] = err;
}

/* Read a names file; returns its length, or -errno. */
static ssize_t read_names(const char *path, char *buf, size_t size)
{
	int fd = xd_file_open(path, 0, NULL, NULL);
	size_t len = 0;

	if (fd < 0)
		return fd;
	while (len < size - 1) {
		ssize_t n = read(fd, buf + len, size - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int r = -errno;
			close(fd);
			return r;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	return (ssize_t)len;
}

/* Fetch one table (info + entries, retried on EAGAIN) and add it as a record. */
static int fetch_table(int fd, int family, const char *name, enum xd_dump d,
		       struct xd_recbuf *out, unsigned attempts)
{
	int level = family == AF_INET ? IPPROTO_IP : IPPROTO_IPV6;
	int opt_info = family == AF_INET ? IPT_SO_GET_INFO : IP6T_SO_GET_INFO;
	int opt_entries = family == AF_INET ? IPT_SO_GET_ENTRIES : IP6T_SO_GET_ENTRIES;
	int r = -EAGAIN;

	for (unsigned a = 0; a < attempts && r == -EAGAIN; a++) {
		struct ipt_getinfo info = { 0 };
		socklen_t ilen = sizeof(info);
		struct xd_ipt_record_hdr h = { 0 };
		_xd_cleanup_free_ struct ipt_get_entries *ge = NULL;
		_xd_cleanup_free_ unsigned char *rec = NULL;
		socklen_t slen;

		xd_strlcpy(info.name, name, sizeof(info.name));
		if (getsockopt(fd, level, opt_info, &info, &ilen) < 0)
			return -errno;
		if (info.size > TABLE_MAX_BYTES)
			return -EFBIG;
		/* the reply buffer must be exactly header + size, else EINVAL; malloc gives the
		 * alignment the kernel's structs need */
		ge = calloc(1, sizeof(*ge) + info.size);
		if (!ge)
			return -ENOMEM;
		xd_strlcpy(ge->name, name, sizeof(ge->name));
		ge->size = info.size;
		slen = (socklen_t)(sizeof(*ge) + info.size);
		if (getsockopt(fd, level, opt_entries, ge, &slen) < 0) {
			r = -errno;
			continue; /* EAGAIN: the table changed between the two calls */
		}
		memcpy(h.magic, XD_IPT_RECORD_MAGIC, 4);
		h.version = XD_IPT_RECORD_VERSION;
		h.family = (uint8_t)family;
		h.hdr_len = sizeof(h);
		xd_strlcpy(h.name, name, sizeof(h.name));
		h.valid_hooks = info.valid_hooks;
		for (int k = 0; k < XD_IPT_HOOKS; k++) {
			h.hook_entry[k] = info.hook_entry[k];
			h.underflow[k] = info.underflow[k];
		}
		h.num_entries = info.num_entries;
		h.size = info.size;
		rec = malloc(sizeof(h) + info.size);
		if (!rec)
			return -ENOMEM;
		memcpy(rec, &h, sizeof(h));
		memcpy(rec + sizeof(h), ge->entrytable, info.size);
		struct xd_record rr = { .kind = XD_RECORD_FILE, .dump = d, .data = rec,
					.len = sizeof(h) + info.size };
		r = xd_recbuf_add(out, &rr);
	}
	return r;
}

static void collect_family(struct xd_recbuf *out, int family, unsigned attempts)
{
	struct xd_meta *m = xd_recbuf_meta(out);
	enum xd_dump dnames = family == AF_INET ? XD_DUMP_IPT_NAMES : XD_DUMP_IP6T_NAMES;
	enum xd_dump d = family == AF_INET ? XD_DUMP_IPT : XD_DUMP_IP6T;
	const char *path = family == AF_INET ? "/proc/net/ip_tables_names"
					     : "/proc/net/ip6_tables_names";
	char names[NAMES_MAX];
	ssize_t n = read_names(path, names, sizeof(names));
	int fd, r = 0;

	if (n < 0) {
		/* no ip_tables module: legacy iptables is not in use at all */
		set_status(m, dnames, (int)n);
		set_status(m, d, (int)n);
		return;
	}
	struct xd_record nrec = { .kind = XD_RECORD_FILE, .dump = dnames, .data = names,
				  .len = (size_t)n };
	set_status(m, dnames, xd_recbuf_add(out, &nrec));
	if (n == 0) {
		set_status(m, d, 0);
		return;
	}
	fd = socket(family, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
	if (fd < 0) {
		set_status(m, d, -errno);
		return;
	}
	for (char *save = NULL, *t = strtok_r(names, "\n", &save); t;
	     t = strtok_r(NULL, "\n", &save)) {
		if (!*t || strlen(t) >= XT_TABLE_MAXNAMELEN)
			continue;
		int rt = fetch_table(fd, family, t, d, out, attempts);
		/* A table that vanished since the names were read is simply not there. */
		if (rt < 0 && rt != -ENOENT && r == 0)
			r = rt;
	}
	close(fd);
	if (r == -EAGAIN) {
		m->dump_status[d] = XD_DUMP_INTERRUPTED;
		m->dump_error[d] = r;
	} else
		set_status(m, d, r);
	m->dump_attempts[d] = 1;
}

/**
 * xd_collect_ipt() - collect legacy ip_tables and ip6_tables tables in use
 * @out: records and manifest are added here
 * @attempts: retries per table when it changes while being read
 */
void xd_collect_ipt(struct xd_recbuf *out, unsigned attempts)
{
	collect_family(out, AF_INET, attempts);
	collect_family(out, AF_INET6, attempts);
}
