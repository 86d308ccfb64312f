/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dumps.h: the named pieces of kernel state a snapshot is made of ("dumps") and the record,
 * the unit every source produces and every decoder consumes (DESIGN.md §2).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum xd_dump {
	XD_DUMP_XFRM_SA,
	XD_DUMP_XFRM_POLICY,
	XD_DUMP_XFRM_SADINFO,
	XD_DUMP_XFRM_SPDINFO,
	XD_DUMP_XFRM_DEFAULT,
	XD_DUMP_XFRM_STAT, /* file: /proc/net/xfrm_stat */
	XD_DUMP_UNAME,     /* file: "sysname\nrelease\nversion\nmachine\n" */
	XD_DUMP_RTNL_LINK, /* RTM_GETLINK dump */
	XD_DUMP_RTNL_ADDR, /* RTM_GETADDR dump */
	XD_DUMP_NFT_GEN,        /* NEWGEN replies: before and after the nf_tables dumps */
	XD_DUMP_NFT_TABLES,
	XD_DUMP_NFT_CHAINS,
	XD_DUMP_NFT_SETS,
	XD_DUMP_NFT_SETELEMS,   /* one GETSETELEM dump per set, in set order */
	XD_DUMP_NFT_RULES,
	XD_DUMP_NFT_FLOWTABLES,
	XD_DUMP_IPT_NAMES,      /* file: /proc/net/ip_tables_names */
	XD_DUMP_IP6T_NAMES,     /* file: /proc/net/ip6_tables_names */
	XD_DUMP_IPT,            /* file: one legacy table, framing in include/xfrmd/ipt-record.h */
	XD_DUMP_IP6T,           /* file: the same for ip6_tables */
	/* kernel profile (kernel.h); file records built by nl/collect-kernel.c */
	XD_DUMP_SYSCTL,          /* "name=value\n" lines from /proc/sys */
	XD_DUMP_KCONFIG,         /* "# source: PATH\n" + the kernel .config text */
	XD_DUMP_MODULES,         /* /proc/modules */
	XD_DUMP_MODULES_BUILTIN, /* /lib/modules/RELEASE/modules.builtin */
	XD_DUMP_MODULES_DEP,     /* modules.dep lines of net/ and crypto/ modules */
	XD_DUMP_SYS_MODULE,      /* names under /sys/module, one per line */
	/* IKE stack detection (stack.h); nl/collect-stack.c */
	XD_DUMP_NETLINK_SOCKETS, /* /proc/net/netlink */
	XD_DUMP_SOCKDIAG_UDP,    /* NETLINK_SOCK_DIAG inet_diag dump, UDP, AF_INET + AF_INET6 */
	XD_DUMP_SOCKDIAG_TCP,    /* same for TCP (IKE and ESP in TCP) */
	XD_DUMP_PROCESSES,       /* "pid=N ppid=N uid=N bits=N comm=X exe=Y sockets=I,J\n" */
	XD_DUMP_STACK_VERSIONS,  /* "pid=N product=X version=V source=S\n", "ctl=PATH\n" */
	XD_DUMP_SELF,            /* "bits=N\n": the collecting process */
	XD_DUMP_CERT_CRED, /* file-like: one credential per record (docs/certificates.md) */
	XD_DUMP_CERT_CONN, /* file-like: identities/certs one connection configures */
	/* /proc/net/udp and /proc/net/udp6, read only when sock_diag cannot list UDP sockets
	 * (no udp_diag); decoded into the same sockets as sockdiag.udp. Stack group. */
	XD_DUMP_PROC_UDP,
	XD_DUMP_PROC_UDP6,
	/* The IKE daemon's own view (ike.h): raw strongSwan VICI packets (4-byte length, type,
	 * name, elements), one per record, values named like keys or secrets zeroed. Stack
	 * group. The events and the command response of list-conns, and of list-sas. */
	XD_DUMP_IKE_VICI_CONNS,
	XD_DUMP_IKE_VICI_SAS,
	/* Routes of every table (RTM_GETROUTE) and policy-routing rules (RTM_GETRULE), one
	 * dump request each for AF_INET and AF_INET6 (route.h). Rtnl group. */
	XD_DUMP_RTNL_ROUTE,
	XD_DUMP_RTNL_RULE,
	/* IKE daemons' log lines (decode-ikelog.c): one record per log source,
	 * "# source: PATH stack: NAME\n" then the lines the classifier recognises, each cut to
	 * a bounded length; nothing else of a log enters a snapshot. Stack group. */
	XD_DUMP_IKE_LOG,
	/* libreswan's own view (ike.h): the text `whack --status` and `whack --trafficstatus`
	 * printed, one record per running pluto, each starting with the line
	 * "# whack pid=N ctl=PATH\n"; lines that look like key material dropped (never
	 * present in whack's output; dropped to be safe by construction). Stack group. */
	XD_DUMP_IKE_WHACK_STATUS,
	XD_DUMP_IKE_WHACK_TRAFFIC,
	/* append new dumps here; names are file format, numbers are not */
	_XD_DUMP_MAX,
	_XD_DUMP_INVALID = -1,
};

enum xd_record_kind {
	XD_RECORD_NETLINK, /* one datagram as the kernel sent it (keys zeroed) */
	XD_RECORD_FILE,    /* the bytes of a file */
	XD_RECORD_TEXT,    /* a command's text output from a support archive (decode.h) */
};

enum xd_dump_status {
	XD_DUMP_NOT_COLLECTED, /* nobody asked for it */
	XD_DUMP_COMPLETE,
	XD_DUMP_INTERRUPTED,   /* could not be made consistent */
	XD_DUMP_DENIED,        /* EPERM/EACCES */
	XD_DUMP_UNSUPPORTED,   /* this kernel lacks it (e.g. GETDEFAULT before 5.15) */
	XD_DUMP_ABSENT,        /* file does not exist (e.g. no CONFIG_XFRM_STATISTICS) */
	XD_DUMP_ERROR,         /* any other failure */
	_XD_DUMP_STATUS_MAX,
};

struct xd_record {
	enum xd_record_kind kind;
	enum xd_dump dump;
	uint16_t nl_proto; /* NETLINK_* for netlink records */
	const void *data;
	size_t len;
	const char *origin; /* XD_RECORD_TEXT: the archive file it came from, or NULL */
	/* XD_RECORD_TEXT: why the input could not be used ("unparseable: ..."), or NULL */
	const char *reason;
};

/* What a command needs: collection and decoding can be limited to these groups. */
enum xd_collect_group {
	XD_COLLECT_XFRM = 1u << 0,     /* SAs, policies, SAD/SPD counts, default policy, xfrm_stat, uname */
	XD_COLLECT_RTNL = 1u << 1,     /* interfaces, local addresses, routes and rules */
	XD_COLLECT_FIREWALL = 1u << 2, /* nf_tables and legacy iptables */
	XD_COLLECT_KERNEL = 1u << 3,   /* sysctls, configuration, modules */
	XD_COLLECT_STACK = 1u << 4,    /* IKE daemons: sockets, processes, versions */
	XD_COLLECT_OTHER = 1u << 5,    /* everything else (e.g. credentials) */
	XD_COLLECT_ALL = 0x3fu,
};

/*
 * The IKE daemons' own view: what their control channels answer (strongSwan's VICI,
 * libreswan's whack) and their logs. Stack group; what no_ike_control leaves out.
 */
#define XD_IKE_CONTROL_DUMPS                                                              \
	((1ull << XD_DUMP_IKE_VICI_CONNS) | (1ull << XD_DUMP_IKE_VICI_SAS) |               \
	 (1ull << XD_DUMP_IKE_WHACK_STATUS) | (1ull << XD_DUMP_IKE_WHACK_TRAFFIC))
#define XD_IKE_VIEW_DUMPS (XD_IKE_CONTROL_DUMPS | (1ull << XD_DUMP_IKE_LOG))

/*
 * What loading one kind of firewall text fills (support archives, xd_collect_fw_text()):
 * `nft list ruleset` the nf_tables dumps, `iptables-save` and `ip6tables-save` their family's
 * legacy table names and tables; never the other family's.
 */
#define XD_NFT_DUMPS                                                                      \
	((1ull << XD_DUMP_NFT_GEN) | (1ull << XD_DUMP_NFT_TABLES) |                         \
	 (1ull << XD_DUMP_NFT_CHAINS) | (1ull << XD_DUMP_NFT_SETS) |                        \
	 (1ull << XD_DUMP_NFT_SETELEMS) | (1ull << XD_DUMP_NFT_RULES) |                     \
	 (1ull << XD_DUMP_NFT_FLOWTABLES))
#define XD_IPT_DUMPS ((1ull << XD_DUMP_IPT_NAMES) | (1ull << XD_DUMP_IPT))
#define XD_IP6T_DUMPS ((1ull << XD_DUMP_IP6T_NAMES) | (1ull << XD_DUMP_IP6T))

static inline bool xd_dump_in(enum xd_dump d, unsigned long long mask)
{
	return (unsigned)d < 64 && ((mask >> d) & 1);
}

/* The group a dump belongs to. */
enum xd_collect_group xd_dump_group(enum xd_dump d);

/* Name of a dump ("xfrm.sa"), NULL if out of range. */
const char *xd_dump_name(enum xd_dump d);
/* Dump for a name, or _XD_DUMP_INVALID. */
enum xd_dump xd_dump_from_name(const char *name);
enum xd_record_kind xd_dump_kind(enum xd_dump d);
/* Netlink protocol of a netlink dump; -1 for file dumps. */
int xd_dump_nl_proto(enum xd_dump d);

const char *xd_dump_status_name(enum xd_dump_status st);
enum xd_dump_status xd_dump_status_from_name(const char *name);

/* Consumer of records: the decoder, a snapshot writer, a test. Returns 0 or -errno. */
struct xd_record_sink {
	int (*record)(void *userdata, const struct xd_record *rec);
	void *userdata;
	/* Optional: forget what the records of dump d brought so far (it is being retried).
	 * Only called on sinks that receive records while they are collected (recbuf.h). */
	void (*drop)(void *userdata, enum xd_dump d);
};
