/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fw.h: static firewall evaluation. A packet description walks every base chain of the
 * hooks on its path, in priority order, across nf_tables tables and legacy iptables, and
 * gets accept, drop or undecidable (with the reason), plus the trace of the rules that
 * decided. Never guesses: whatever depends on state the snapshot does not hold (rates,
 * ipsets, interface indexes, SA details, ...) makes the answer undecidable unless every
 * possible outcome leads to the same verdict.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xfrmd/fw-model.h"

enum xd_fw_ct {
	XD_FW_CT_NEW,
	XD_FW_CT_ESTABLISHED,
};

/* What is known about the packet. Unknown fields make rules that read them undecidable. */
struct xd_fw_packet {
	uint8_t family; /* 2 = IPv4, 10 = IPv6 (AF_* numbering, equal to NFPROTO_*) */
	uint8_t l4proto;
	uint8_t src[16], dst[16];
	bool has_sport, has_dport, has_spi;
	uint16_t sport, dport; /* host order */
	uint32_t spi;          /* host order; ESP/AH */
	/* ICMP/ICMPv6 type and code when known (without them, rules on them are undecidable
	 * for ICMP packets only) */
	bool has_icmp_type, has_icmp_code;
	uint8_t icmp_type, icmp_code;
	/* IPv6 AH: the header behind it (41 IPv6 or 4 IPv4 in tunnel mode, 59 none, …). The
	 * kernel skips AH like an extension header: protocol matches and conntrack see this
	 * one. Without it, whatever reads the protocol of an IPv6 AH packet is undecidable. */
	bool has_ah_next;
	uint8_t ah_next;
	char iif[16], oif[16]; /* "" = not known */
	/* interface indexes when known (0 = unknown; "lo" is always 1) */
	uint32_t iif_index, oif_index;
	/* the name is not known, but it is not the loopback device (a packet from or to a
	 * remote peer): decides `iif lo accept` / `iifname "lo"` rules without guessing */
	bool iif_not_lo, oif_not_lo;
	enum xd_fw_ct ct;
	bool secpath;    /* arrived decrypted (meta secpath exists / -m policy --dir in) */
	bool policy_out; /* an outbound IPsec policy will transform it (rt ipsec exists) */
	bool mark_unknown;
	uint32_t mark;   /* skb mark, 0 by default */
	/* is the source/destination one of the namespace's own addresses (addrtype, fib …
	 * type local)? 1 yes, -1 no, 0 not known (addresses not collected) */
	int8_t src_local, dst_local;
	/* the reverse-path lookup (rpfilter, `fib saddr … oif`): the route back to the source
	 * as the kernel looks it up (destination = the source, mark as the packet's); rp_known
	 * false: not done (routes not collected); rp_oif "" = no unicast route (none, local,
	 * blackhole, unreachable …); rp_oif_index 0 = index not known */
	/* masquerade keeps the source: it is the only address of the output interface (of
	 * its family), so a port-less flow (ESP, AH) is not rewritten and cannot clash */
	bool masq_keeps_src;
	bool rp_known;
	char rp_oif[16];
	uint32_t rp_oif_index;
};

enum xd_fw_verdict {
	XD_FW_ACCEPT,
	XD_FW_DROP,
	XD_FW_UNDECIDABLE,
};

struct xd_fw_trace {
	const char *table;
	const char *chain;
	uint64_t handle;      /* rule handle; 0 for a chain policy */
	uint32_t rule;        /* index into fw->rules, UINT32_MAX for a policy */
	uint8_t family;
	uint8_t backend;
	uint8_t hook;
	int32_t prio;
	const char *effect;   /* "accept", "drop", "jump", "goto", "return", "policy accept", … */
	const char *note;     /* why, for undecidable steps */
};

#define XD_FW_TRACE_MAX 128

struct xd_fw_result {
	enum xd_fw_verdict verdict;
	char reason[256];     /* undecidable: why; drop/accept: short summary */
	/* The step that decided (the dropping rule, the last accepting one, or the undecidable
	 * one); rule == UINT32_MAX and handle 0 when a chain policy decided. */
	struct xd_fw_trace decider;
	bool decider_set;
	bool nat;             /* a NAT rule rewrote the packet on the way */
	struct xd_fw_trace nat_rule;
	/* a NAT rule may rewrite it, depending on something undecided (interface, rate, …) */
	bool nat_possible;
	struct xd_fw_trace nat_possible_rule;
	size_t ntrace;
	struct xd_fw_trace trace[XD_FW_TRACE_MAX];
	uint64_t steps;       /* rule evaluations, for the benchmark and for the budget */
};

/**
 * xd_fw_eval() - evaluate a packet through a sequence of hooks
 * @fw: the firewall model (indexed with xd_fw_index() first)
 * @pkt: packet description
 * @hooks: hook numbers in path order (e.g. prerouting, input)
 * @nhooks: number of hooks
 * @res: result, filled in whole
 *
 * Returns 0 (the verdict is in @res), or -EINVAL for a bad packet description.
 */
int xd_fw_eval(const struct xd_fw *fw, const struct xd_fw_packet *pkt, const uint8_t *hooks,
	       size_t nhooks, struct xd_fw_result *res);

/* The hooks a packet passes: local input, local output, or forwarded. */
size_t xd_fw_path(int kind, uint8_t hooks[3]);
enum { XD_FW_PATH_INPUT, XD_FW_PATH_OUTPUT, XD_FW_PATH_FORWARD };

const char *xd_fw_verdict_name(enum xd_fw_verdict v);
