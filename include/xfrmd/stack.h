/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * stack.h: which IKE daemons run and which installed the kernel's policies.
 *
 * Facts (decoded from records): IKE sockets from sock_diag, netlink sockets from
 * /proc/net/netlink, processes owning them, control sockets, versions read from files.
 * Derived (pure functions over a snapshot): the daemons found, and per policy the stack
 * whose fingerprint (priority scheme, socket policy, bypass priority) it carries. A
 * snapshot without process information still attributes policies by fingerprint.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xfrmd/util.h"

struct xd_snapshot;
struct xd_policy;

/* An inet socket from sock_diag (only IKE-relevant ones are kept). */
struct xd_isock {
	uint8_t family;   /* AF_INET, AF_INET6 */
	uint8_t proto;    /* IPPROTO_UDP, IPPROTO_TCP */
	uint8_t state;    /* TCP_* state numbers as the kernel reports them */
	uint16_t sport;   /* host order */
	uint16_t dport;
	uint8_t src[16];
	uint32_t inode;
	uint32_t uid;
	uint32_t rqueue;
	uint32_t ifindex;
};

/* A netlink socket from /proc/net/netlink. */
struct xd_nlsock {
	uint32_t proto;  /* "Eth": 6 = NETLINK_XFRM, 4 = SOCK_DIAG ... */
	uint32_t portid;
	uint32_t groups; /* low 32 bits of the membership bitmap */
	uint32_t drops;
	uint64_t inode;
};

enum xd_stack_kind {
	XD_STACK_UNKNOWN,
	XD_STACK_STRONGSWAN,
	XD_STACK_LIBRESWAN,
	XD_STACK_OPENSWAN, /* Openswan or libreswan <= 3.24: the priority scheme is shared */
	XD_STACK_RACOON,
	XD_STACK_IKED,
	XD_STACK_MANUAL,   /* ip xfrm / setkey by hand: priority 0, no daemon scheme */
	_XD_STACK_KIND_MAX,
};

struct xd_proc {
	uint32_t pid;
	uint32_t ppid;
	uint32_t uid;
	const char *comm;
	const char *exe;       /* readlink(/proc/PID/exe), may be NULL */
	uint32_t elf_bits;     /* 32/64 from the executable's ELF header, 0 = unknown */
	uint32_t sock_first;   /* index into stack->proc_inodes */
	uint32_t sock_count;
};

struct xd_stack_version {
	uint32_t pid;
	const char *version; /* "5.9.8" */
	const char *product; /* "strongSwan", "libreswan" */
	const char *source;  /* where it was read */
};

struct xd_stack_facts {
	bool udp_present, tcp_present, netlink_present, procs_present, versions_present;
	bool udp_from_proc;        /* UDP sockets came from /proc/net/udp{,6}, not sock_diag */
	struct xd_vec isocks;      /* struct xd_isock */
	struct xd_vec nlsocks;     /* struct xd_nlsock */
	struct xd_vec procs;       /* struct xd_proc */
	struct xd_vec proc_inodes; /* uint64_t socket inodes, referenced by procs */
	struct xd_vec ctl_sockets; /* struct xd_stack_version: pid + path in .source */
	struct xd_vec versions;    /* struct xd_stack_version */
	const char *klips;         /* /proc/net/ipsec_version's first line: KLIPS is loaded */
};

struct xd_stack_facts *xd_snapshot_stack(struct xd_snapshot *s);
void xd_stack_facts_done(struct xd_stack_facts *f);

const char *xd_stack_kind_name(enum xd_stack_kind k);
/* Daemon kind for a process name ("charon", "charon-systemd", "pluto", ...). */
enum xd_stack_kind xd_stack_kind_from_comm(const char *comm);

/*
 * Product ("Libreswan", "Openswan", "ipsec-tools", "OpenIKED", "strongSwan") and version of an
 * IKE daemon from the bytes of its executable. Vendor-ID labels of other or older releases
 * ("Libreswan 3.0 - 3.5") are never taken for the version. Returns false (version unknown)
 * rather than guess. Pure.
 */
bool xd_stack_version_scan(const char *data, size_t len, char *product, size_t plen,
			   char *ver, size_t vlen);

/* ---- derived ---- */

#define XD_MAX_DAEMONS 8

struct xd_daemon {
	enum xd_stack_kind kind;
	uint32_t pid;          /* 0 when known only from a netlink socket or control socket */
	const char *comm;
	const char *version;   /* NULL if unknown */
	const char *version_source;
	uint32_t elf_bits;
	uint32_t xfrm_groups;  /* XFRM netlink memberships of its sockets */
	bool acquire_listener; /* member of XFRMNLGRP_ACQUIRE: the kernel sees a key manager */
	uint16_t ike_ports[4]; /* UDP ports it owns among 500/4500 (and others it binds) */
	unsigned n_ike_ports;
	const char *ctl_socket;
};

struct xd_port_owner {
	uint8_t addr[16]; /* local address the socket is bound to (zero = any) */
	uint16_t port;
	uint8_t proto;
	uint8_t family;
	uint32_t pid;          /* 0 = owner unknown (no process information) */
	const char *comm;
	enum xd_stack_kind kind;
};

struct xd_stack_view {
	bool have_processes;   /* the snapshot carried process information */
	bool have_sockets;     /* sock_diag answered */
	bool have_netlink;
	unsigned n_daemons;
	struct xd_daemon daemons[XD_MAX_DAEMONS];
	unsigned n_owners;
	struct xd_port_owner owners[16];
	uint32_t acquire_listeners;    /* XFRM sockets in the ACQUIRE group */
	uint32_t policies_by_kind[_XD_STACK_KIND_MAX]; /* non-socket policies per fingerprint */
	uint32_t first_policy_by_kind[_XD_STACK_KIND_MAX]; /* kernel index of the first, in order */
	uint32_t socket_policies;
	uint32_t ike_sockets;          /* UDP sockets on 500/4500 */
	const char *klips;             /* KLIPS version line, NULL when not loaded */
};

struct xd_policy_fp {
	enum xd_stack_kind kind;
	const char *scheme; /* static: "strongSwan >= 5.4 priority formula", ... */
};

/* Fingerprint of one policy from its own fields (selector, priority, direction). */
void xd_policy_fingerprint(const struct xd_policy *p, struct xd_policy_fp *ret);
/*
 * What a reqid suggests about its installer (netlink.md §3.3), or NULL for 0. A hint only:
 * 16389 fits libreswan's ESP slot and a busy strongSwan alike, so it never decides alone.
 */
const char *xd_reqid_hint(uint32_t reqid);
/* Everything above folded into one view. Pure. */
void xd_stack_view_compute(const struct xd_snapshot *s, struct xd_stack_view *ret);
/* The stack view xd_snapshot_sort() derived once for this snapshot, or NULL (as above). */
const struct xd_stack_view *xd_snapshot_stack_view(const struct xd_snapshot *s);
/* The running daemon of a kind, or NULL. */
const struct xd_daemon *xd_stack_view_daemon(const struct xd_stack_view *v,
					     enum xd_stack_kind kind);
