/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * decode.h: bytes -> model. Decoders take (buf, len) and never know whether the bytes came
 * from a socket or a file. Framing errors end that record with -EBADMSG; attribute problems
 * become decode issues in the snapshot. Nothing here prints, exits or aborts.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xfrmd/dumps.h"

struct xd_snapshot;

/* Decode one record into the snapshot. Returns 0, or -EBADMSG on a framing error (the
 * rest of the record is skipped and an issue is recorded). */
int xd_decode_record(struct xd_snapshot *s, const struct xd_record *rec);

/* A sink that decodes into `s` (userdata = s). Its drop() forgets the SAs (XD_DUMP_XFRM_SA)
 * or the policies and templates (XD_DUMP_XFRM_POLICY) decoded so far: see xd_recbuf_stream. */
void xd_decode_sink_init(struct xd_record_sink *sink, struct xd_snapshot *s);

/*
 * Zero the key bytes of every XFRM SA message in a netlink datagram, in place
 * (XFRMA_ALG_AEAD, _CRYPT, _AUTH, _AUTH_TRUNC; DESIGN.md §5). Lengths are kept. A message
 * whose attributes cannot be walked has its whole payload zeroed (fail closed). Returns the
 * number of key spans that held a non-zero byte (0 when the buffer was already clean).
 */
size_t xd_xfrm_scrub(void *buf, size_t len);

/*
 * Text a support archive holds (docs/support-archives.md), as XD_RECORD_TEXT records:
 * `ip [-s] [-d] xfrm state` (dump xfrm.sa), `ip [-s] [-d] xfrm policy` (xfrm.policy),
 * `uname -a` (file.uname); /proc/net/xfrm_stat is the same text live and archived. Unknown
 * lines count as unknown attributes, unreadable known ones are decode issues; returns 0 or
 * -ENOMEM. The state text must have been scrubbed (xd_ipxfrm_scrub) first.
 */
int xd_decode_ip_xfrm_state(struct xd_snapshot *s, const void *buf, size_t len);
int xd_decode_ip_xfrm_policy(struct xd_snapshot *s, const void *buf, size_t len);
int xd_decode_uname_a(struct xd_snapshot *s, const void *buf, size_t len);
/*
 * `sysctl -a` ("net.ipv4.ip_forward = 1"; a '.' in an interface name printed as '/') into
 * the sysctls the live path reads (file.sysctl): the net.* entries, names as the collector
 * writes them (dots). Lines that are not "name = value" are skipped and counted as unknown.
 */
int xd_decode_sysctl_a(struct xd_snapshot *s, const void *buf, size_t len);
/*
 * `ip [-d] address` (not `-o`) into the links and local addresses of the rtnl.link and
 * rtnl.addr dumps: index, name, flags, operational state, the `-d` kind (and an xfrm
 * interface's if_id), inet/inet6 addresses with their prefix (a peer's on point-to-point).
 */
int xd_decode_ip_addr(struct xd_snapshot *s, const void *buf, size_t len);
/*
 * `ip route show table all` (or `ip [-6] route`) into the routes of the rtnl.route dump;
 * device names are resolved through the links decoded before (from `ip address`).
 */
int xd_decode_ip_route(struct xd_snapshot *s, const void *buf, size_t len);

/*
 * Overwrite, in place, the digits of every key in `ip xfrm state`-like text with '0': the hex
 * words after an aead/enc/auth/auth-trunc/comp algorithm name, and any 0x word longer than 64
 * bits anywhere (fail closed). Lengths are kept. Returns the number of words that held a
 * non-zero digit (0 for sos's masked "********" output).
 */
size_t xd_ipxfrm_scrub(void *buf, size_t len);

/* What text a buffer holds, from its first lines (no name to go by, or to check one). */
enum xd_text_kind {
	XD_TEXT_UNKNOWN,
	XD_TEXT_EMPTY, /* only blank lines: an empty SAD/SPD prints nothing */
	XD_TEXT_XFRM_STATE,
	XD_TEXT_XFRM_POLICY,
	XD_TEXT_XFRM_STAT,
	XD_TEXT_UNAME_A,
	XD_TEXT_SYSCTL_A,
	XD_TEXT_IP_ADDR,
	XD_TEXT_IP_ROUTE,
};
enum xd_text_kind xd_text_sniff(const void *buf, size_t len);

/* Individual decoders, exposed for unit tests and fuzzers. */
int xd_decode_xfrm(struct xd_snapshot *s, enum xd_dump dump, const void *buf, size_t len);
int xd_decode_xfrm_stat(struct xd_snapshot *s, const void *buf, size_t len);
int xd_decode_uname(struct xd_snapshot *s, const void *buf, size_t len);
int xd_decode_rtnl(struct xd_snapshot *s, enum xd_dump dump, const void *buf, size_t len);

/* nf_tables records (any nft.* dump) and legacy iptables file records (fw-model.h). */
int xd_decode_nft(struct xd_snapshot *s, enum xd_dump dump, const void *buf, size_t len);
int xd_decode_iptables(struct xd_snapshot *s, enum xd_dump dump, const void *buf, size_t len);
/* Kernel profile (kernel.h) and IKE stack (stack.h) records. */
int xd_decode_sysctl(struct xd_snapshot *s, const void *buf, size_t len);
int xd_decode_kconfig(struct xd_snapshot *s, const void *buf, size_t len);
/* /proc/modules, modules.builtin, modules.dep (filtered), /sys/module listing. */
int xd_decode_modules(struct xd_snapshot *s, enum xd_dump d, const void *buf, size_t len);
int xd_decode_self(struct xd_snapshot *s, const void *buf, size_t len);
int xd_decode_netlink_sockets(struct xd_snapshot *s, const void *buf, size_t len);
int xd_decode_sockdiag(struct xd_snapshot *s, enum xd_dump d, const void *buf, size_t len);
/* /proc/net/udp (XD_DUMP_PROC_UDP) or /proc/net/udp6 text into the same sockets. */
int xd_decode_proc_udp(struct xd_snapshot *s, enum xd_dump d, const void *buf, size_t len);
int xd_decode_processes(struct xd_snapshot *s, const void *buf, size_t len);
int xd_decode_stack_versions(struct xd_snapshot *s, const void *buf, size_t len);
/*
 * Decode one record of the file.cred or file.conn dump into s->certs (cert.h). Malformed certificate
 * bytes become an unreadable xd_cert (cert.unreadable), never an error; a malformed header
 * returns -EBADMSG and records a decode issue. Returns 0, -EBADMSG or -ENOMEM.
 */
int xd_decode_cert_cred(struct xd_snapshot *s, const void *buf, size_t len);
int xd_decode_cert_conn(struct xd_snapshot *s, const void *buf, size_t len);

/*
 * Kernel events (kevent.h): call fn for each event in one scrubbed datagram of the XFRM event
 * groups (nl_proto NETLINK_XFRM) or of nf_tables' change group (NETLINK_NETFILTER; NEWGEN
 * only). Messages of other types, or too short for their fixed header, are skipped; time_ms
 * is left 0 for the caller. Returns 0, fn's negative result, -EBADMSG at a message whose
 * length leaves the datagram (events before it were delivered), or -EPROTONOSUPPORT.
 */
struct xd_kevent;
typedef int (*xd_kevent_fn)(void *ud, const struct xd_kevent *e);
int xd_decode_kevents(uint16_t nl_proto, const void *buf, size_t len, xd_kevent_fn fn, void *ud);

/*
 * strongSwan VICI packets (ike.vici_conns, ike.vici_sas; ike.h): one packet per record.
 * list-conn and list-sa events become connections, IKE SAs and CHILD_SAs; the command
 * response marks the listing complete; other packets are counted as ignored. Returns 0,
 * -EBADMSG (framing; an issue is recorded, what was decoded before stays) or -ENOMEM.
 */
int xd_decode_vici(struct xd_snapshot *s, enum xd_dump dump, const void *buf, size_t len);
/*
 * Zero, in place, every VICI value whose name or enclosing section/list name looks like a key
 * or secret (xd_vici_name_is_secret()); a packet that cannot be walked has everything after
 * the bad element zeroed (its whole body when the header is bad: fail closed). Lengths are
 * kept. Returns the number of values that held a non-zero byte.
 */
size_t xd_vici_scrub(void *buf, size_t len);

/*
 * IKE daemons' log lines (ike.log; decode-ikelog.c): one record per source, "# source: PATH
 * stack: NAME" header lines then raw lines. Recognised lines become s->ike->events, with the
 * connection and peer taken from the line or from earlier lines of the same IKE SA; the
 * others are ignored. Returns 0 or -ENOMEM.
 */
int xd_decode_ikelog(struct xd_snapshot *s, const void *buf, size_t len);
/* A log line is cut to this many bytes before it is classified or recorded. */
#define XD_IKELOG_LINE_MAX 512
/* Is this log line one the decoder recognises (a failure, up/down or context line)? Only
 * such lines may enter a snapshot: everything else a log holds (keys at high debug levels)
 * stays out. Looks at the first XD_IKELOG_LINE_MAX bytes. Pure. */
bool xd_ikelog_keep(const char *line, size_t len);
/* The Unix time of a log line's stamp (0 when it has none we read); `now` places a
 * year-less syslog stamp in the year that puts it closest before now. */
int64_t xd_ikelog_time(const char *line, size_t len, int64_t now);
/*
 * libreswan's `whack --status` and `whack --trafficstatus` text (ike.whack_status,
 * ike.whack_traffic; ike.h), 4.x ("000 " line prefixes) and 5.x formats: connections with
 * their one child configuration, IKE SAs and CHILD_SAs (SPIs, traffic). Lines it does not
 * know are skipped. Returns 0 or -ENOMEM.
 */
int xd_decode_whack(struct xd_snapshot *s, enum xd_dump dump, const void *buf, size_t len);
/*
 * Drop, in place, every line of whack output holding a run of 32 or more hex digits (key
 * material is never printed by whack; this keeps it so by construction). Returns the new
 * length; the bytes after it are zeroed.
 */
size_t xd_whack_scrub(char *buf, size_t len);

/* strongSwan VICI packet types (the first byte after the length), shared by the decoder and
 * the client in xfrmd/collect/collect-vici.c. */
enum {
	VICI_CMD_REQUEST = 0,
	VICI_CMD_RESPONSE = 1,
	VICI_CMD_UNKNOWN = 2,
	VICI_EVENT_REGISTER = 3,
	VICI_EVENT_UNREGISTER = 4,
	VICI_EVENT_CONFIRM = 5,
	VICI_EVENT_UNKNOWN = 6,
	VICI_EVENT = 7,
};
