/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fw-eval.c: the static evaluator. It reproduces nft_do_chain (registers, BREAK, verdicts,
 * jump/goto/return with a 16-deep stack, chain policies) and ipt_do_table (rule heads,
 * matches, standard targets) over the model, and nf_hook_slow across chains: every base
 * chain of a hook must accept, in ascending priority, equal priorities unordered.
 *
 * Unknown inputs are tracked per register byte. A rule whose match depends on an unknown
 * byte (or on runtime state: limit, quota, dynset, ipset …) is "maybe": evaluation forks
 * into "it matched" and "it did not", and the answer is decided only when both branches
 * agree. A bounded fork budget keeps hostile rule sets from exploding; running out of it is
 * undecidable, never a guess. Neither long chains, loops nor forks use the C stack: the walk
 * is a loop over an explicit cursor, jump stack and list of open forks.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xfrmd/fw.h"

#define REGS_BYTES 80      /* verdict (16) + 4 x 16 */
#define NFT_STACK 16       /* NFT_JUMP_STACK_SIZE */
#define LEGACY_STACK 64    /* ipt_do_table has no fixed bound; loops are rejected at load */
#define FORK_BUDGET 4096   /* forks per chain evaluation */
#define STEP_BUDGET 2000000

/* nft expression constants (uapi nf_tables.h), kept here: fw/ never includes kernel headers */
enum { CMP_EQ, CMP_NEQ, CMP_LT, CMP_LTE, CMP_GT, CMP_GTE };
enum { BASE_LL, BASE_NETWORK, BASE_TRANSPORT };
enum {
	META_LEN = 0, META_PROTOCOL = 1, META_MARK = 3, META_IIF = 4, META_OIF = 5,
	META_IIFNAME = 6, META_OIFNAME = 7, META_NFPROTO = 15, META_L4PROTO = 16,
	META_SECPATH = 25, META_TIME_NS = 30, META_TIME_HOUR = 32,
};
enum { CT_STATE = 0, CT_DIRECTION = 1, CT_STATUS = 2 };
/* IPS_* status bits (host-order word) */
enum { IPS_SEEN_REPLY = 1u << 1, IPS_CONFIRMED = 1u << 3, IPS_SRC_NAT = 1u << 4,
       IPS_DST_NAT = 1u << 5, IPS_SRC_NAT_DONE = 1u << 7, IPS_DST_NAT_DONE = 1u << 8,
       IPS_HELPER = 1u << 13 };
enum { RT_XFRM = 4 };
enum { OBJ_COUNTER = 1, OBJ_CT_HELPER = 3, OBJ_CT_TIMEOUT = 7, OBJ_SECMARK = 8,
       OBJ_CT_EXPECT = 9 };
enum { SET_INTERVAL = 0x4, SET_MAP = 0x8, SET_OBJECT = 0x40 };
enum { ELEM_INTERVAL_END = 0x1, ELEM_CATCHALL = 0x2 };
enum { CTS_ESTABLISHED = 2, CTS_NEW = 8 };
enum { IPPROTO_ICMP_ = 1, IPPROTO_TCP_ = 6, IPPROTO_UDP_ = 17, IPPROTO_ESP_ = 50,
       IPPROTO_AH_ = 51, IPPROTO_ICMPV6_ = 58, IPPROTO_SCTP_ = 132, IPPROTO_DCCP_ = 33 };
enum { XT_ADDRTYPE_LOCAL = 1 << 2 };
enum { FIB_SADDR = 1, FIB_DADDR = 2, FIB_IIF = 8, FIB_OIF = 16, FIB_PRESENT = 32 };
enum { FIB_RESULT_OIF = 1, FIB_RESULT_OIFNAME = 2, FIB_RESULT_ADDRTYPE = 3 };
enum { RTN_LOCAL_ = 2 };
enum { TCP_FIN = 0x01, TCP_SYN = 0x02, TCP_RST = 0x04, TCP_ACK = 0x10 };

enum rmatch { R_NOMATCH, R_MATCH, R_MAYBE };

/* A verdict as the chain walker sees it. */
struct verd {
	int32_t code;      /* XD_NF_* / XD_NFT_*; XD_NFT_CONTINUE when the rule set none */
	const char *chain; /* jump/goto */
	uint32_t ref;      /* resolved chain index, UINT32_MAX if none */
	bool unknown;      /* the verdict itself is not known (vmap on unknown key, queue …) */
};

struct frame {
	const struct xd_fw_chain *chain;
	uint32_t pos;
};

struct fork;

struct ctx {
	const struct xd_fw *fw;
	const struct xd_fw_packet *p;
	uint8_t hook;
	/* the described headers; *_known are bit masks like regs.k */
	uint8_t net[40], net_known[40];
	uint8_t th[20], th_known[20];
	size_t net_len, th_len;
	uint64_t steps;
	unsigned forks_used;
	/* open forks of the base chain being walked, and the jump stacks they saved */
	struct fork *forks;
	size_t nforks, forks_cap;
	struct frame *frames;
	size_t nframes, frames_cap;
	bool forks_heap, frames_heap; /* else they are xd_fw_eval()'s own small arrays */
	bool tracing;
	struct xd_fw_result *res;
	const char *why; /* first reason a rule was "maybe" */
	char whybuf[160];
	bool mark_unknown;
	bool nat_seen;
	bool forwarded; /* the packet is routed through, not local */
	/* IPv6 AH whose next header is not described. nf_tables finds AH as the transport
	 * header (IP6_FH_F_AUTH: `meta l4proto ah`, iptables-nft's `-p ah` match), but
	 * conntrack and legacy ip6tables' -p skip it like an extension header and see the
	 * header behind it (p->ah_next when given) */
	bool v6_ah;
	struct xd_fw_trace nat_rule;
};

/* what an unknown register byte is known not to be (regs.nl) */
enum { NL_NONE, NL_NOT_LO, NL_NOT_LOCAL };

struct regs {
	uint8_t b[REGS_BYTES];
	/* known bits per byte (0xff = the byte is known): a status word or the TCP flags
	 * byte is partly known (SYN of a new connection, but maybe ECN bits) */
	uint8_t k[REGS_BYTES];
	/* unknown, but NL_NOT_LO: an interface index/name that is not loopback; NL_NOT_LOCAL:
	 * an address type (fib … type) that is not RTN_LOCAL */
	uint8_t nl[REGS_BYTES];
};

/* Outcome of walking one base chain from some position. */
struct outcome {
	enum xd_fw_verdict v;
	char why[160];
	struct xd_fw_trace decider;
	bool decider_set;
};

__attribute__((format(printf, 2, 3))) static void set_why(struct ctx *c, const char *fmt, ...)
{
	va_list ap;

	if (c->why)
		return;
	va_start(ap, fmt);
	vsnprintf(c->whybuf, sizeof(c->whybuf), fmt, ap);
	va_end(ap);
	c->why = c->whybuf;
}

/* ---- registers ---- */

static int reg_off(uint32_t reg)
{
	if (reg <= 4)
		return (int)reg * 16;
	if (reg >= 8 && reg <= 23)
		return 16 + (int)(reg - 8) * 4;
	return -1;
}

static bool reg_span(uint32_t reg, uint32_t len, int *off)
{
	*off = reg_off(reg);
	return *off >= 0 && len <= REGS_BYTES && (uint32_t)*off + len <= REGS_BYTES;
}

static void reg_store(struct regs *r, int off, const uint8_t *v, const uint8_t *known, size_t len,
		      size_t pad_to)
{
	memset(r->nl + off, 0, pad_to > len ? pad_to : len);
	memcpy(r->b + off, v, len);
	if (known)
		memcpy(r->k + off, known, len);
	else
		memset(r->k + off, 0xff, len);
	/* nft stores pad the rest of the 32-bit word with zeroes (nft_reg_store8/16) */
	for (size_t i = len; i < pad_to && off + i < REGS_BYTES; i++) {
		r->b[off + i] = 0;
		r->k[off + i] = 0xff;
	}
}

static void reg_unknown(struct regs *r, int off, size_t len)
{
	memset(r->k + off, 0, len);
	memset(r->nl + off, 0, len);
}

static bool reg_known(const struct regs *r, int off, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (r->k[off + i] != 0xff)
			return false;
	return true;
}

/* ---- the synthetic packet headers ---- */

static void build_headers(struct ctx *c)
{
	const struct xd_fw_packet *p = c->p;

	memset(c->net_known, 0, sizeof(c->net_known));
	memset(c->th_known, 0, sizeof(c->th_known));
	memset(c->net, 0, sizeof(c->net));
	memset(c->th, 0, sizeof(c->th));
	if (p->family == XD_NFPROTO_IPV4) {
		c->net_len = 20;
		c->net[0] = 0x45; /* no options: what every IPsec/IKE packet carries */
		c->net_known[0] = 0xff;
		c->net[9] = p->l4proto;
		c->net_known[9] = 0xff;
		memcpy(c->net + 12, p->src, 4);
		memcpy(c->net + 16, p->dst, 4);
		memset(c->net_known + 12, 0xff, 8);
	} else {
		c->net_len = 40;
		c->net[6] = p->l4proto; /* no extension headers */
		c->net_known[6] = 0xff;
		memcpy(c->net + 8, p->src, 16);
		memcpy(c->net + 24, p->dst, 16);
		memset(c->net_known + 8, 0xff, 32);
	}
	switch (p->l4proto) {
	case IPPROTO_UDP_:
	case IPPROTO_TCP_:
	case IPPROTO_SCTP_:
	case IPPROTO_DCCP_:
		c->th_len = p->l4proto == IPPROTO_UDP_ ? 8 : 20;
		if (p->has_sport) {
			c->th[0] = (uint8_t)(p->sport >> 8), c->th[1] = (uint8_t)p->sport;
			c->th_known[0] = c->th_known[1] = 0xff;
		}
		if (p->has_dport) {
			c->th[2] = (uint8_t)(p->dport >> 8), c->th[3] = (uint8_t)p->dport;
			c->th_known[2] = c->th_known[3] = 0xff;
		}
		if (p->l4proto == IPPROTO_TCP_) {
			/* a new connection's packet is its SYN (FIN, SYN, RST, PSH, ACK, URG
			 * known; ECE/CWR may be set for ECN); an established one carries ACK
			 * without SYN, RST or FIN (PSH, URG and ECN bits vary) */
			c->th[13] = p->ct == XD_FW_CT_NEW ? TCP_SYN : TCP_ACK;
			c->th_known[13] = p->ct == XD_FW_CT_NEW ? 0x3f : 0x17;
		}
		break;
	case IPPROTO_ICMP_:
	case IPPROTO_ICMPV6_:
		c->th_len = 8;
		if (p->has_icmp_type) {
			c->th[0] = p->icmp_type;
			c->th_known[0] = 0xff;
		}
		if (p->has_icmp_code) {
			c->th[1] = p->icmp_code;
			c->th_known[1] = 0xff;
		}
		break;
	case IPPROTO_ESP_:
		c->th_len = 8;
		if (p->has_spi) {
			for (int i = 0; i < 4; i++)
				c->th[i] = (uint8_t)(p->spi >> (24 - 8 * i));
			memset(c->th_known, 0xff, 4);
		}
		break;
	case IPPROTO_AH_:
		c->v6_ah = p->family == XD_NFPROTO_IPV6 && !p->has_ah_next;
		c->th_len = 12;
		/* RFC 4302 2.3: the reserved field MUST be zero */
		c->th_known[2] = c->th_known[3] = 0xff;
		if (p->has_spi) {
			for (int i = 0; i < 4; i++)
				c->th[4 + i] = (uint8_t)(p->spi >> (24 - 8 * i));
			memset(c->th_known + 4, 0xff, 4);
		}
		break;
	default:
		c->th_len = 8;
	}
}

/*
 * The "in" and "out" devices netfilter passes to a hook (state->in/out), as names from the
 * packet description; NULL when the hook has no such device. POSTROUTING's in device is
 * skb->dev before ip_output() replaces it: the input device of a forwarded packet, none for
 * a locally generated one (both measured on this kernel with counters).
 */
static const char *in_dev(const struct ctx *c)
{
	switch (c->hook) {
	case XD_HOOK_PREROUTING:
	case XD_HOOK_INPUT:
	case XD_HOOK_FORWARD:
		return c->p->iif;
	case XD_HOOK_POSTROUTING:
		return c->forwarded ? c->p->iif : NULL;
	default:
		return NULL;
	}
}

static const char *out_dev(const struct ctx *c)
{
	return c->hook == XD_HOOK_FORWARD || c->hook == XD_HOOK_OUTPUT ||
			       c->hook == XD_HOOK_POSTROUTING
		       ? c->p->oif
		       : NULL;
}

/* ---- expressions ---- */

/* Returns 0 to continue, XD_NFT_BREAK to end the rule, 1 when the expression is "maybe"
 * (continue, remembering that the rule's match is uncertain). */
enum { X_CONT = 0, X_MAYBE = 1, X_BREAK = 2, X_VERDICT = 3 };

/* memcmp() for the few bytes of a register: a call per comparison was a quarter of the time */
static inline int cmp_bytes(const uint8_t *a, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	return 0;
}

static int x_payload(struct ctx *c, const struct xd_fw_expr *e, struct regs *r)
{
	const uint8_t *src, *known;
	size_t avail;
	int off;

	if (e->write) {
		set_why(c, "payload mangling%s", "");
		return X_MAYBE;
	}
	if (!reg_span(e->dreg, e->len, &off))
		return X_BREAK;
	if (e->base == BASE_NETWORK) {
		src = c->net, known = c->net_known, avail = c->net_len;
	} else if (e->base == BASE_TRANSPORT) {
		src = c->th, known = c->th_known, avail = sizeof(c->th);
	} else {
		reg_unknown(r, off, e->len);
		set_why(c, "%s header not described by the packet", e->base == BASE_LL ? "link-layer" : "inner");
		return X_CONT;
	}
	if (e->offset + e->len > avail) {
		reg_unknown(r, off, e->len);
		return X_CONT;
	}
	reg_store(r, off, src + e->offset, known + e->offset, e->len, (e->len + 3) & ~3u);
	for (uint32_t i = e->len; i < ((e->len + 3) & ~3u); i++)
		r->k[off + i] = 0xff;
	return X_CONT;
}

static int x_meta(struct ctx *c, const struct xd_fw_expr *e, struct regs *r)
{
	const struct xd_fw_packet *p = c->p;
	uint8_t v[16] = { 0 };
	int off;

	if (e->write) {
		if (e->key == META_MARK)
			c->mark_unknown = true;
		return X_CONT; /* meta set: no effect on the verdict by itself */
	}
	switch (e->key) {
	case META_NFPROTO:
	case META_L4PROTO:
	case META_SECPATH:
		if (!reg_span(e->dreg, 4, &off))
			return X_BREAK;
		v[0] = e->key == META_NFPROTO ? p->family
		       : e->key == META_L4PROTO ? p->l4proto
						: (uint8_t)p->secpath;
		reg_store(r, off, v, NULL, 4, 4);
		return X_CONT;
	case META_PROTOCOL:
		if (!reg_span(e->dreg, 4, &off))
			return X_BREAK;
		v[0] = p->family == XD_NFPROTO_IPV4 ? 0x08 : 0x86;
		v[1] = p->family == XD_NFPROTO_IPV4 ? 0x00 : 0xdd;
		reg_store(r, off, v, NULL, 4, 4);
		return X_CONT;
	case META_MARK:
		if (!reg_span(e->dreg, 4, &off))
			return X_BREAK;
		memcpy(v, &p->mark, 4);
		reg_store(r, off, v, NULL, 4, 4);
		if (p->mark_unknown || c->mark_unknown) {
			reg_unknown(r, off, 4);
			set_why(c, "packet mark not known%s", "");
		}
		return X_CONT;
	case META_IIFNAME:
	case META_OIFNAME: {
		bool in = e->key == META_IIFNAME;
		const char *name = in ? in_dev(c) : out_dev(c);
		if (!reg_span(e->dreg, 16, &off))
			return X_BREAK;
		/* no device on this hook: current kernels load an empty name (older ones ended
		 * the rule); the differential test holds us to this kernel's behaviour */
		if (!name) {
			reg_store(r, off, v, NULL, 16, 16);
			return X_CONT;
		}
		if (!name[0]) {
			reg_unknown(r, off, 16);
			if (in ? p->iif_not_lo : p->oif_not_lo)
				memset(r->nl + off, NL_NOT_LO, 16);
			set_why(c, "%s not given", in ? "input interface" : "output interface");
			return X_CONT;
		}
		memcpy(v, name, strnlen(name, 16));
		reg_store(r, off, v, NULL, 16, 16);
		return X_CONT;
	}
	case META_IIF:
	case META_OIF:
		if (!reg_span(e->dreg, 4, &off))
			return X_BREAK;
	{
		bool in = e->key == META_IIF;
		const char *name = in ? in_dev(c) : out_dev(c);
		uint32_t idx = in ? p->iif_index : p->oif_index;
		if (!name) {
			reg_store(r, off, v, NULL, 4, 4); /* ifindex 0 without a device */
			return X_CONT;
		}
		if (!idx && strcmp(name, "lo") == 0)
			idx = 1; /* the loopback device is ifindex 1 in every namespace */
		if (idx) {
			memcpy(v, &idx, 4);
			reg_store(r, off, v, NULL, 4, 4);
			return X_CONT;
		}
		reg_unknown(r, off, 4);
		/* a named device other than lo, or a remote peer's packet: not index 1 */
		if (name[0] || (in ? p->iif_not_lo : p->oif_not_lo))
			memset(r->nl + off, NL_NOT_LO, 4);
		set_why(c, "interface index match (iif/oif) depends on runtime ifindex%s", "");
		return X_CONT;
	}
	default:
		if (!reg_span(e->dreg, 16, &off))
			return X_BREAK;
		reg_unknown(r, off, 16);
		if (e->key >= META_TIME_NS && e->key <= META_TIME_HOUR)
			set_why(c, "meta %s: depends on the time the packet passes",
				xd_fw_meta_name(e->key));
		else if (xd_fw_meta_name(e->key))
			set_why(c, "meta %s not modelled", xd_fw_meta_name(e->key));
		else
			set_why(c, "meta key %u not modelled", e->key);
		return X_CONT;
	}
}

static int x_ct(struct ctx *c, const struct xd_fw_expr *e, struct regs *r)
{
	uint8_t v[4] = { 0 };
	int off;

	if (e->write) {
		set_why(c, "ct set%s", "");
		return X_CONT;
	}
	if (!reg_span(e->dreg, e->key == CT_STATE ? 4 : 16, &off))
		return X_BREAK;
	if (e->key == CT_STATE && e->dir == 0xff && !c->fw->has_notrack && !c->v6_ah) {
		uint32_t st = c->p->ct == XD_FW_CT_NEW ? CTS_NEW : CTS_ESTABLISHED;
		memcpy(v, &st, 4);
		reg_store(r, off, v, NULL, 4, 4);
		return X_CONT;
	}
	if (e->key == CT_STATUS && !c->fw->has_notrack && !c->v6_ah) {
		uint32_t val, known;
		uint8_t kb[4];
		if (c->p->ct == XD_FW_CT_NEW) {
			/* not yet confirmed, no reply seen, not expected (that would be related);
			 * the NAT bits are set only by a NAT on the path so far; *_NAT_DONE
			 * depend on whether nat hooks ran, HELPER on helper assignment */
			val = 0;
			known = ~(IPS_SRC_NAT_DONE | IPS_DST_NAT_DONE | IPS_HELPER);
			if (c->res->nat || c->res->nat_possible || c->nat_seen)
				known &= ~(IPS_SRC_NAT | IPS_DST_NAT);
		} else {
			/* established: confirmed and a reply seen; the rest is its history */
			val = IPS_SEEN_REPLY | IPS_CONFIRMED;
			known = IPS_SEEN_REPLY | IPS_CONFIRMED | 0xffff0000u;
		}
		memcpy(v, &val, 4);
		memcpy(kb, &known, 4);
		reg_store(r, off, v, kb, 4, 4);
		return X_CONT;
	}
	if (e->key == CT_DIRECTION && c->p->ct == XD_FW_CT_NEW && !c->fw->has_notrack &&
	    !c->v6_ah) {
		reg_store(r, off, v, NULL, 1, 4); /* IP_CT_DIR_ORIGINAL */
		return X_CONT;
	}
	reg_unknown(r, off, e->key == CT_STATE ? 4 : 16);
	set_why(c, "%s",
		c->v6_ah ? "IPv6 AH: conntrack tracks the protocol behind it, which is not described "
			   "(--ah-next)"
		: c->fw->has_notrack ? "conntrack state may be changed by notrack/ct set rules"
				     : "conntrack key not modelled");
	return X_CONT;
}

/*
 * A NAT rewrite accepts the packet, except that conntrack must find a unique tuple for the
 * rewritten flow. With ports (TCP, UDP, SCTP, DCCP) or an ICMP id it remaps them; ESP, AH and
 * other port-less protocols cannot be remapped, so a second flow rewritten to the same
 * addresses clashes and is dropped (seen in the differential test): that depends on the
 * conntrack table, not on the rule set.
 */
static int nat_verdict(struct ctx *c, struct verd *vd, bool masq)
{
	/* masquerade to the address the packet already has: nothing is rewritten */
	if (masq && c->p->masq_keeps_src) {
		vd->code = XD_NF_ACCEPT;
		c->nat_seen = true;
		return X_VERDICT;
	}
	switch (c->p->l4proto) {
	case IPPROTO_TCP_:
	case IPPROTO_UDP_:
	case IPPROTO_SCTP_:
	case IPPROTO_DCCP_:
	case 1:  /* ICMP */
	case 58: /* ICMPv6 */
		vd->code = XD_NF_ACCEPT;
		c->nat_seen = true;
		return X_VERDICT;
	default:
		vd->unknown = true;
		c->nat_seen = true;
		set_why(c, "NAT of a protocol without ports: dropped if another flow already holds "
			   "the rewritten addresses (conntrack clash)%s", "");
		return X_VERDICT;
	}
}

/* Is this cmp "equals loopback" (ifindex 1 or the exact name "lo") on a not-loopback value? */
static bool cmp_is_lo(const struct regs *r, int off, const struct xd_fw_expr *e)
{
	static const uint8_t lo_name[16] = { 'l', 'o' };
	uint32_t one = 1;

	for (int i = 0; i < e->data_len; i++)
		if (r->nl[off + i] != NL_NOT_LO)
			return false;
	if (e->data_len == 4)
		return memcmp(e->data, &one, 4) == 0;
	return e->data_len == 16 && memcmp(e->data, lo_name, 16) == 0;
}

/* Is this cmp "equals RTN_LOCAL" on an address type known not to be local? */
static bool cmp_is_local(const struct regs *r, int off, const struct xd_fw_expr *e)
{
	uint32_t local = RTN_LOCAL_;

	if (e->data_len != 4 || memcmp(e->data, &local, 4) != 0)
		return false;
	for (int i = 0; i < 4; i++)
		if (r->nl[off + i] != NL_NOT_LOCAL)
			return false;
	return true;
}

/*
 * `fib saddr [. mark] [. iif] oif|oifname [missing]`, the reverse-path check (firewalld's
 * IPv6 rpfilter): the route back to the source from the snapshot (rp_oif). As the kernel's
 * nft_fib: in prerouting a packet from the loopback device finds its input interface; with
 * iif in the key the route must use the input interface, else nothing is found.
 */
static int fib_rpath(struct ctx *c, const struct xd_fw_expr *e, struct regs *r, int off)
{
	const struct xd_fw_packet *p = c->p;
	const char *dev = p->rp_oif[0] ? p->rp_oif : NULL;
	uint32_t index = p->rp_oif_index;
	uint8_t v[16] = { 0 };

	if (xd_streq(p->iif, "lo") && c->hook == XD_HOOK_PREROUTING) {
		dev = p->iif;
		index = p->iif_index ? p->iif_index : 1;
	} else if (e->flags & FIB_IIF) {
		if (dev && !xd_streq(dev, p->iif))
			dev = NULL;
		index = dev ? p->iif_index : 0;
	}
	if (e->flags & FIB_PRESENT) {
		v[0] = dev != NULL;
		reg_store(r, off, v, NULL, 4, 4);
		return X_CONT;
	}
	if (e->key == FIB_RESULT_OIFNAME) {
		if (dev)
			memcpy(v, dev, strnlen(dev, 15));
		reg_store(r, off, v, NULL, 16, 16);
		return X_CONT;
	}
	if (dev && !index) {
		reg_unknown(r, off, 4);
		set_why(c, "fib route lookup: the index of %s is not known", dev);
		return X_CONT;
	}
	memcpy(v, &index, 4);
	reg_store(r, off, v, NULL, 4, 4);
	return X_CONT;
}

/*
 * nft fib. `fib daddr type local` (Docker's published ports, firewalld) follows from the
 * namespace's addresses; with an interface in the key, or for oif/oifname (reverse-path
 * checks), the answer needs the routing tables: undecidable.
 */
static int x_fib(struct ctx *c, const struct xd_fw_expr *e, struct regs *r)
{
	uint8_t v[4] = { 0 };
	int8_t local = e->flags & FIB_DADDR ? c->p->dst_local : c->p->src_local;
	int off;

	if (!reg_span(e->dreg, e->key == FIB_RESULT_OIFNAME ? 16 : 4, &off))
		return X_BREAK;
	if (e->key == FIB_RESULT_ADDRTYPE && !(e->flags & (FIB_IIF | FIB_OIF)) &&
	    !!(e->flags & FIB_DADDR) != !!(e->flags & FIB_SADDR) && local) {
		if (local > 0) {
			uint32_t t = RTN_LOCAL_;
			memcpy(v, &t, 4);
			reg_store(r, off, v, NULL, 4, 4);
			return X_CONT;
		}
		/* not local: unicast, broadcast, unreachable … depends on the routes */
		reg_unknown(r, off, 4);
		memset(r->nl + off, NL_NOT_LOCAL, 4);
		set_why(c, "fib address type other than local: needs the routes%s", "");
		return X_CONT;
	}
	if (e->key != FIB_RESULT_ADDRTYPE && e->flags & FIB_SADDR && !(e->flags & FIB_OIF) &&
	    c->p->rp_known && (!(e->flags & FIB_IIF) || c->p->iif[0]))
		return fib_rpath(c, e, r, off);
	reg_unknown(r, off, e->key == FIB_RESULT_OIFNAME ? 16 : 4);
	set_why(c, "%s",
		e->key == FIB_RESULT_ADDRTYPE
			? (local ? "fib address type with an interface: needs the routes"
				 : "fib address type: the namespace's addresses were not collected")
			: "fib route lookup (reverse-path filter): needs the routes");
	return X_CONT; /* what reads the register is undecided */
}

static int x_cmp(struct ctx *c, const struct xd_fw_expr *e, struct regs *r)
{
	int off, d;
	bool ok;

	if (!reg_span(e->sreg, e->data_len, &off))
		return X_BREAK;
	if (!reg_known(r, off, e->data_len) && (e->op == CMP_EQ || e->op == CMP_NEQ) &&
	    (cmp_is_lo(r, off, e) || cmp_is_local(r, off, e)))
		return e->op == CMP_EQ ? X_BREAK : X_CONT; /* known: it is not that value */
	if (!reg_known(r, off, e->data_len) && (e->op == CMP_EQ || e->op == CMP_NEQ)) {
		/* a known bit that differs decides an equality (tcp flags, ct status) */
		for (int i = 0; i < e->data_len; i++)
			if ((r->b[off + i] ^ e->data[i]) & r->k[off + i])
				return e->op == CMP_EQ ? X_BREAK : X_CONT;
	}
	if (!reg_known(r, off, e->data_len)) {
		set_why(c, "compares a value the packet description does not give%s", "");
		return X_MAYBE;
	}
	d = cmp_bytes(r->b + off, e->data, e->data_len);
	switch (e->op) {
	case CMP_EQ: ok = d == 0; break;
	case CMP_NEQ: ok = d != 0; break;
	case CMP_LT: ok = d < 0; break;
	case CMP_LTE: ok = d <= 0; break;
	case CMP_GT: ok = d > 0; break;
	case CMP_GTE: ok = d >= 0; break;
	default: return X_MAYBE;
	}
	return ok ? X_CONT : X_BREAK;
}

static int x_range(struct ctx *c, const struct xd_fw_expr *e, struct regs *r)
{
	int off;
	bool in;

	if (!reg_span(e->sreg, e->data_len, &off))
		return X_BREAK;
	if (!reg_known(r, off, e->data_len)) {
		set_why(c, "compares a value the packet description does not give%s", "");
		return X_MAYBE;
	}
	in = cmp_bytes(r->b + off, e->data, e->data_len) >= 0 &&
	     cmp_bytes(r->b + off, e->data2, e->data_len) <= 0;
	return (e->op == 0 ? in : !in) ? X_CONT : X_BREAK;
}

static void bswap_elems(uint8_t *d, const uint8_t *s, size_t len, size_t size)
{
	for (size_t i = 0; i + size <= len; i += size)
		for (size_t j = 0; j < size; j++)
			d[i + j] = s[i + size - 1 - j];
}

static int x_bitwise(struct ctx *c, const struct xd_fw_expr *e, struct regs *r)
{
	uint8_t out[16], k[16];
	int so, dso;

	if (!reg_span(e->sreg, e->len, &so) || !reg_span(e->dreg, e->len, &dso))
		return X_BREAK;
	if (e->op == 0) {
		for (uint32_t i = 0; i < e->len; i++) {
			out[i] = (uint8_t)((r->b[so + i] & e->data[i]) ^ e->data2[i]);
			/* a bit masked to zero is known whatever the input */
			k[i] = (uint8_t)(r->k[so + i] | ~e->data[i]);
		}
	} else if (e->op == 1 || e->op == 2) {
		uint32_t shift;
		memcpy(&shift, e->data3, 4);
		if (!reg_known(r, so, e->len) || e->len % 4 || shift >= 32) {
			reg_unknown(r, dso, e->len);
			return X_CONT;
		}
		/* host-order 32-bit words with carry, as nft_bitwise_eval_[lr]shift */
		uint32_t w[4], o[4], carry = 0;
		size_t n = e->len / 4;
		memcpy(w, r->b + so, e->len);
		if (e->op == 1) {
			for (size_t i = n; i-- > 0;) {
				o[i] = (w[i] << shift) | carry;
				carry = shift ? w[i] >> (32 - shift) : 0;
			}
		} else {
			for (size_t i = 0; i < n; i++) {
				o[i] = carry | (w[i] >> shift);
				carry = shift ? w[i] << (32 - shift) : 0;
			}
		}
		memcpy(out, o, e->len);
		memset(k, 1, e->len);
	} else {
		int s2;
		if (!reg_span(e->sreg2, e->len, &s2))
			return X_BREAK;
		for (uint32_t i = 0; i < e->len; i++) {
			uint8_t a = r->b[so + i], b = r->b[s2 + i];
			out[i] = e->op == 3 ? (a & b) : e->op == 4 ? (a | b) : (a ^ b);
			k[i] = r->k[so + i] & r->k[s2 + i];
		}
	}
	memcpy(r->b + dso, out, e->len);
	memcpy(r->k + dso, k, e->len);
	memset(r->nl + dso, 0, e->len); /* a transformed value is no longer "not loopback" */
	return X_CONT;
}

static int x_byteorder(struct ctx *c, const struct xd_fw_expr *e, struct regs *r)
{
	uint8_t tmp[64], k[64];
	int so, dso;

	if (!reg_span(e->sreg, e->len, &so) || !reg_span(e->dreg, e->len, &dso))
		return X_BREAK;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	bswap_elems(tmp, r->b + so, e->len, e->size);
	bswap_elems(k, r->k + so, e->len, e->size);
#else
	memcpy(tmp, r->b + so, e->len);
	memcpy(k, r->k + so, e->len);
#endif
	memcpy(r->b + dso, tmp, e->len);
	memcpy(r->k + dso, k, e->len);
	memset(r->nl + dso, 0, e->len);
	return X_CONT;
}

/* ---- sets ---- */

static const struct xd_fw_set *expr_set(const struct ctx *c, const struct xd_fw_expr *e)
{
	return e->ref < c->fw->sets.len ? xd_vec_at(&c->fw->sets, e->ref) : NULL;
}

/* Does key k (len bytes) fall in [lo, hi] field by field (pipapo ranges)? */
static bool in_fields(const struct xd_fw_set *s, const uint8_t *k, const uint8_t *lo,
		      const uint8_t *hi, size_t len)
{
	size_t o = 0;

	if (!s->field_count)
		return memcmp(k, lo, len) >= 0 && memcmp(k, hi, len) <= 0;
	for (unsigned f = 0; f < s->field_count && o < len; f++) {
		size_t fl = s->field_len[f];
		if (o + fl > len)
			fl = len - o;
		if (memcmp(k + o, lo + o, fl) < 0 || memcmp(k + o, hi + o, fl) > 0)
			return false;
		o += (s->field_len[f] + 3u) & ~3u; /* each field starts on a register */
	}
	return true;
}

/* Find the element matching key; NULL when none. */
static const struct xd_fw_elem *set_find(const struct ctx *c, const struct xd_fw_set *s,
					 const uint8_t *k, size_t len)
{
	const struct xd_fw_elem *best = NULL, *catchall = NULL;

	for (uint32_t i = 0; i < s->elem_count; i++) {
		const struct xd_fw_elem *e = xd_vec_at(&c->fw->elems, s->elems[i]);
		if (e->flags & ELEM_CATCHALL) {
			catchall = e;
			continue;
		}
		if (e->key_len < len)
			continue;
		if (e->has_key_end) {
			if (e->key_end_len >= len && in_fields(s, k, e->key, e->key_end, len))
				return e;
			continue;
		}
		if (!(s->flags & SET_INTERVAL)) {
			if (memcmp(e->key, k, len) == 0)
				return e;
			continue;
		}
		/* rbtree intervals: the greatest element <= k decides; a start wins a tie */
		if (memcmp(e->key, k, len) > 0)
			continue;
		if (!best) {
			best = e;
			continue;
		}
		int d = memcmp(e->key, best->key, len);
		if (d > 0 || (d == 0 && !(e->flags & ELEM_INTERVAL_END)))
			best = e;
	}
	if (best && !(best->flags & ELEM_INTERVAL_END))
		return best;
	return catchall;
}

static int x_lookup(struct ctx *c, const struct xd_fw_rule *ru, const struct xd_fw_expr *e,
		    struct regs *r, struct verd *vd)
{
	const struct xd_fw_set *s = expr_set(c, e);
	const struct xd_fw_elem *el;
	int off;
	bool found;

	if (!s) {
		set_why(c, "set @%s not in the snapshot", e->set);
		return X_MAYBE;
	}
	if (!s->key_len || !reg_span(e->sreg, s->key_len, &off))
		return X_BREAK;
	if (!reg_known(r, off, s->key_len) && s->elem_count == 0) {
		/* nothing in it: no key can match, known or not */
		return e->flags & 1 ? X_CONT : X_BREAK;
	}
	if (!reg_known(r, off, s->key_len)) {
		if (e->dreg == 0) {
			vd->unknown = true;
			set_why(c, "verdict map @%s keyed by an unknown value", e->set);
			return X_VERDICT;
		}
		if (e->dreg != UINT32_MAX) {
			int doff;
			if (reg_span(e->dreg, s->data_len ? s->data_len : 4, &doff))
				reg_unknown(r, doff, s->data_len ? s->data_len : 4);
		}
		set_why(c, "lookup in @%s with an unknown key", e->set);
		return X_MAYBE;
	}
	el = set_find(c, s, r->b + off, s->key_len);
	found = el != NULL;
	if (e->flags & 1) /* NFT_LOOKUP_F_INV */
		return found ? X_BREAK : X_CONT;
	if (!found)
		return X_BREAK;
	if (e->dreg == UINT32_MAX)
		return X_CONT;
	if (e->dreg == 0) {
		if (!el->has_verdict) {
			vd->unknown = true;
			set_why(c, "verdict map @%s element without verdict", e->set);
			return X_VERDICT;
		}
		vd->code = el->verdict;
		vd->chain = el->chain;
		vd->ref = el->ref;
		return X_VERDICT;
	}
	if (s->flags & SET_OBJECT)
		return X_CONT;
	int doff;
	if (!reg_span(e->dreg, el->data_len, &doff))
		return X_BREAK;
	reg_store(r, doff, el->data, NULL, el->data_len, (el->data_len + 3u) & ~3u);
	return X_CONT;
}

/* ---- xt matches and targets ---- */

static bool port_in(uint16_t p, const uint16_t range[2])
{
	return p >= range[0] && p <= range[1];
}

static int xt_ports(struct ctx *c, const struct xd_xt *x, uint8_t proto)
{
	const struct xd_fw_packet *p = c->p;

	if (p->l4proto != proto) {
		set_why(c, "xt match %s on a packet of another protocol", x->name);
		return X_MAYBE;
	}
	bool sany = x->sport[0] == 0 && x->sport[1] == 0xffff;
	bool dany = x->dport[0] == 0 && x->dport[1] == 0xffff;
	bool maybe = false;
	/* every part must hold: one that certainly fails decides, whatever the others */
	if (!sany) {
		if (!p->has_sport)
			maybe = true;
		else if (port_in(p->sport, x->sport) == !!(x->invflags & 1))
			return X_BREAK;
	}
	if (!dany) {
		if (!p->has_dport)
			maybe = true;
		else if (port_in(p->dport, x->dport) == !!(x->invflags & 2))
			return X_BREAK;
	}
	if (maybe)
		set_why(c, "port not given for xt match %s", x->name);
	if (proto == IPPROTO_TCP_ && x->tcp_flg_mask) {
		/* --tcp-flags: against the flags the description implies (SYN for new) */
		uint8_t known = c->th_known[13];
		/* a known flag that differs decides, even when others are not known */
		bool differs = (c->th[13] ^ x->tcp_flg_cmp) & x->tcp_flg_mask & known;
		if (differs || (x->tcp_flg_mask & known) == x->tcp_flg_mask) {
			bool hit = !differs;
			if (hit == !!(x->invflags & 4))
				return X_BREAK;
		} else {
			maybe = true;
			set_why(c, "TCP flags the packet description does not give%s", "");
		}
	}
	if (proto == IPPROTO_TCP_ && x->tcp_option) {
		maybe = true;
		set_why(c, "TCP options are not described%s", "");
	}
	return maybe ? X_MAYBE : X_CONT;
}

/*
 * Is IPv6 header `type` in the packet (ipv6_find_hdr())? 1 yes, 0 no, -1 not known. A
 * described packet has no extension headers unless its protocol is one: the first header
 * after IPv6 is found, anything behind an extension header (IPv6 AH included) is not known.
 */
static int v6_find(const struct ctx *c, uint8_t type)
{
	uint8_t nh = c->p->l4proto;

	if (c->p->family != XD_NFPROTO_IPV6)
		return -1;
	if (nh == type)
		return 1;
	/* behind AH: the described next header (no further extension headers) */
	if (nh == IPPROTO_AH_ && c->p->has_ah_next)
		nh = c->p->ah_next;
	if (nh == type)
		return 1;
	if (nh == 0 || nh == 43 || nh == 44 || nh == IPPROTO_AH_ || nh == 60)
		return -1;
	return 0;
}

static int x_exthdr(struct ctx *c, const struct xd_fw_expr *e, struct regs *r)
{
	const struct xd_fw_packet *p = c->p;
	bool present = e->flags & 1; /* NFT_EXTHDR_F_PRESENT: load 1/0, never break */
	uint8_t v[4] = { 0 };
	int found, off;

	if (e->write)
		return X_CONT; /* TCP option mangling (MSS clamping): no effect on the verdict */
	if (!reg_span(e->dreg, present ? 4 : e->len, &off))
		return X_BREAK;
	switch (e->op) {
	case 0: /* NFT_EXTHDR_OP_IPV6 */
		found = v6_find(c, (uint8_t)e->key);
		break;
	case 2: /* NFT_EXTHDR_OP_IPV4: a described IPv4 header carries no options */
		found = p->family == XD_NFPROTO_IPV4 ? 0 : -1;
		break;
	case 1: /* NFT_EXTHDR_OP_TCPOPT: not a TCP segment breaks; options are not described */
		found = p->l4proto != IPPROTO_TCP_ && !present ? 0 : -1;
		break;
	default:
		found = -1;
	}
	if (found == 0) {
		if (!present)
			return X_BREAK;
		reg_store(r, off, v, NULL, 4, 4);
		return X_CONT;
	}
	if (found == 1 && present) {
		v[0] = 1;
		reg_store(r, off, v, NULL, 4, 4);
		return X_CONT;
	}
	reg_unknown(r, off, present ? 4 : e->len);
	set_why(c, "%s not described by the packet",
		e->op == 0 ? "IPv6 extension header contents" : e->op == 1 ? "TCP options"
								: "header options");
	return found == 1 ? X_CONT : X_MAYBE;
}

static int xt_multiport(struct ctx *c, const struct xd_xt *x)
{
	const struct xd_fw_packet *p = c->p;
	bool hit = false;

	if (p->l4proto != IPPROTO_TCP_ && p->l4proto != IPPROTO_UDP_ &&
	    p->l4proto != IPPROTO_SCTP_ && p->l4proto != IPPROTO_DCCP_)
		return X_BREAK;
	if (((x->mp_flags & 1) && !p->has_sport) || ((x->mp_flags & 2) && !p->has_dport)) {
		set_why(c, "port not given for xt match %s", x->name);
		return X_MAYBE;
	}
	for (unsigned i = 0; i < x->nports && !hit; i++) {
		uint16_t lo = x->ports[i], hi = lo;
		if (x->rev >= 1 && x->pflags[i] && i + 1 < x->nports)
			hi = x->ports[++i];
		if (x->mp_flags & 1)
			hit |= p->sport >= lo && p->sport <= hi;
		if (x->mp_flags & 2)
			hit |= p->dport >= lo && p->dport <= hi;
	}
	if (x->rev >= 1 && x->invflags)
		hit = !hit;
	return hit ? X_CONT : X_BREAK;
}

static int xt_policy(struct ctx *c, const struct xd_xt *x)
{
	bool in = x->pol_flags & 1, out = x->pol_flags & 2;
	bool ipsec;

	if (in == out)
		return X_MAYBE;
	ipsec = in ? c->p->secpath : c->p->policy_out;
	if (x->pol_flags & 4) /* --pol none */
		return ipsec ? X_BREAK : X_CONT;
	if (!ipsec)
		return X_BREAK;
	if (x->pol_len == 0 && !(x->pol_flags & 8))
		return X_CONT;
	set_why(c, "xt policy match on SA details (reqid/spi/proto/mode/tunnel)%s", "");
	return X_MAYBE;
}

static bool addr_in(const uint8_t *a, const uint8_t *lo, const uint8_t *hi, size_t n)
{
	return memcmp(a, lo, n) >= 0 && memcmp(a, hi, n) <= 0;
}

/* Why an xt match is not decided: what it depends on, for those real rule sets use. */
static void xt_unknown_why(struct ctx *c, const struct xd_xt *x)
{
	static const struct {
		const char *name, *why;
	} known[] = {
		{ "rpfilter", "reverse-path filter: needs the routes" },
		{ "time", "depends on the time the packet passes" },
		{ "limit", "rate limit: matches or not depending on traffic" },
		{ "hashlimit", "rate limit: matches or not depending on traffic" },
		{ "connlimit", "depends on the number of connections" },
		{ "set", "ipset contents are not in the snapshot" },
		{ "length", "the packet length is not described" },
		{ "mark", "packet mark match" },
		{ "connmark", "depends on the connection's mark" },
		{ "pkttype", "link-layer packet type not described" },
		{ "string", "depends on the payload" },
		{ "u32", "depends on the payload" },
		{ "statistic", "matches at random or every n-th packet" },
		{ "socket", "depends on the sockets of the host" },
		{ "owner", "depends on the sending process" },
	};

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (x->name && strcmp(x->name, known[i].name) == 0) {
			set_why(c, "xt match %s: %s", x->name, known[i].why);
			return;
		}
	set_why(c, "xt match %s not understood", x->name);
}

static int x_xt_match(struct ctx *c, const struct xd_xt *x)
{
	const struct xd_fw_packet *p = c->p;

	if (x->undecided_info) {
		xt_unknown_why(c, x);
		return X_MAYBE;
	}
	switch (x->kind) {
	case XD_XT_UDP:
		return xt_ports(c, x, IPPROTO_UDP_);
	case XD_XT_TCP:
		return xt_ports(c, x, IPPROTO_TCP_);
	case XD_XT_MULTIPORT:
		return xt_multiport(c, x);
	case XD_XT_EXTHDR6: {
		int f = v6_find(c, x->exthdr);
		if (f == 0)
			return X_BREAK; /* the match is false without the header, inverted or not */
		set_why(c, "xt match %s: IPv6 extension headers not described", x->name);
		return X_MAYBE;
	}
	case XD_XT_ICMP: {
		bool hit;
		/* -p icmp is checked before; a fragment is not described */
		if (x->icmp_type == 0xff)
			return x->invflags & 1 ? X_BREAK : X_CONT;
		if (p->l4proto != (p->family == XD_NFPROTO_IPV4 ? IPPROTO_ICMP_ : IPPROTO_ICMPV6_) ||
		    c->v6_ah) {
			set_why(c, "xt match %s on a packet of another protocol", x->name);
			return X_MAYBE;
		}
		if (!p->has_icmp_type) {
			set_why(c, "ICMP type not given (--icmp-type)%s", "");
			return X_MAYBE;
		}
		hit = p->icmp_type == x->icmp_type;
		if (hit && (x->icmp_code[0] > 0 || x->icmp_code[1] < 0xff)) {
			if (!p->has_icmp_code) {
				set_why(c, "ICMP code not given (--icmp-type TYPE/CODE)%s", "");
				return X_MAYBE;
			}
			hit = p->icmp_code >= x->icmp_code[0] && p->icmp_code <= x->icmp_code[1];
		}
		return hit != !!(x->invflags & 1) ? X_CONT : X_BREAK;
	}
	case XD_XT_ADDRTYPE: {
		/* --src-type/--dst-type LOCAL from the namespace's addresses; other types
		 * (unicast, broadcast, …) and --limit-iface-* need the routes */
		bool maybe = false;
		for (int side = 0; side < 2; side++) {
			uint16_t mask = side ? x->addrtype_dst : x->addrtype_src;
			int8_t local = side ? p->dst_local : p->src_local;
			bool inv = x->addrtype_flags & (side ? 2 : 1), hit;
			if (!mask)
				continue;
			if (!local || (x->addrtype_flags & 0xc) ||
			    (local < 0 && mask != XT_ADDRTYPE_LOCAL) ||
			    (local > 0 && !(mask & XT_ADDRTYPE_LOCAL) && p->family != XD_NFPROTO_IPV4)) {
				maybe = true;
				continue;
			}
			hit = local > 0 && (mask & XT_ADDRTYPE_LOCAL);
			if (hit == inv)
				return X_BREAK;
		}
		if (maybe)
			set_why(c, "xt match addrtype: %s",
				p->dst_local || p->src_local ? "address types other than local need the routes"
							      : "the namespace's addresses were not collected");
		return maybe ? X_MAYBE : X_CONT;
	}
	case XD_XT_RPFILTER: {
		/* xt_rpfilter: the route back to the source must use the input interface (any
		 * unicast route with --loose); loopback packets pass; a local route only with
		 * --accept-local */
		bool hit;
		if (!p->rp_known || !p->iif[0] ||
		    (!p->rp_oif[0] && (x->rpfilter_flags & 4) && !p->src_local)) {
			set_why(c, "xt match rpfilter: %s",
				p->rp_known ? "the input interface is not given (--iif)"
					    : "reverse-path filter: the routes were not collected");
			return X_MAYBE;
		}
		if (xd_streq(p->iif, "lo"))
			hit = true;
		else if (!p->rp_oif[0])
			hit = (x->rpfilter_flags & 4) && p->src_local > 0;
		else
			hit = (x->rpfilter_flags & 1) || xd_streq(p->rp_oif, p->iif);
		return hit != !!(x->rpfilter_flags & 8) ? X_CONT : X_BREAK;
	}
	case XD_XT_RECENT:
		/* --set records the source and matches (unless inverted); every other mode
		 * asks whether earlier packets were recorded */
		if (x->recent_check_set & 2)
			return x->inv ? X_BREAK : X_CONT;
		set_why(c, "xt match recent: depends on earlier packets%s", "");
		return X_MAYBE;
	case XD_XT_AH:
		if (p->family == XD_NFPROTO_IPV6) {
			int f = v6_find(c, IPPROTO_AH_);
			bool in;
			if (f == 0)
				return X_BREAK;
			if (f < 0) {
				set_why(c, "xt match ah: IPv6 extension headers not described%s", "");
				return X_MAYBE;
			}
			if (x->ah_hdrlen) {
				set_why(c, "xt match ah: AH header length not described%s", "");
				return X_MAYBE;
			}
			if (x->spi[0] == 0 && x->spi[1] == 0xffffffffu && !(x->invflags & 1))
				return X_CONT;
			if (!p->has_spi) {
				set_why(c, "SPI not given for xt match %s", x->name);
				return X_MAYBE;
			}
			in = p->spi >= x->spi[0] && p->spi <= x->spi[1];
			return in != !!(x->invflags & 1) ? X_CONT : X_BREAK;
		}
		/* fall through */
	case XD_XT_ESP: {
		uint8_t proto = x->kind == XD_XT_ESP ? IPPROTO_ESP_ : IPPROTO_AH_;
		if (p->l4proto != proto) {
			set_why(c, "xt match %s on a packet of another protocol", x->name);
			return X_MAYBE;
		}
		if (x->spi[0] == 0 && x->spi[1] == 0xffffffffu && !(x->invflags & 1))
			return X_CONT;
		if (!p->has_spi) {
			set_why(c, "SPI not given for xt match %s", x->name);
			return X_MAYBE;
		}
		bool in = p->spi >= x->spi[0] && p->spi <= x->spi[1];
		return in != !!(x->invflags & 1) ? X_CONT : X_BREAK;
	}
	case XD_XT_STATE:
	case XD_XT_CONNTRACK: {
		if (c->fw->has_notrack || c->v6_ah) {
			set_why(c, "conntrack state not known (notrack rules or IPv6 AH)%s", "");
			return X_MAYBE;
		}
		uint32_t bit = p->ct == XD_FW_CT_NEW ? CTS_NEW : CTS_ESTABLISHED;
		bool hit = (x->state_mask & bit) != 0;
		/* --ctstate SNAT/DNAT (1 << 6, 1 << 7): the connection was NATed; a new one only
		 * by a NAT on its path so far, an established one: not described */
		if (!hit && x->kind == XD_XT_CONNTRACK && (x->state_mask & 0xc0) &&
		    (p->ct != XD_FW_CT_NEW || c->res->nat || c->res->nat_possible || c->nat_seen)) {
			set_why(c, "conntrack SNAT/DNAT status not known%s", "");
			return X_MAYBE;
		}
		if (x->kind == XD_XT_CONNTRACK && (x->ct_invflags & 1))
			hit = !hit;
		return hit ? X_CONT : X_BREAK;
	}
	case XD_XT_COMMENT:
		return X_CONT;
	case XD_XT_IPRANGE: {
		size_t n = p->family == XD_NFPROTO_IPV4 ? 4 : 16;
		if (x->iprange_flags & 1) {
			bool in = addr_in(p->src, x->range_src[0], x->range_src[1], n);
			if (in == !!(x->iprange_flags & 0x10))
				return X_BREAK;
		}
		if (x->iprange_flags & 2) {
			bool in = addr_in(p->dst, x->range_dst[0], x->range_dst[1], n);
			if (in == !!(x->iprange_flags & 0x20))
				return X_BREAK;
		}
		return X_CONT;
	}
	case XD_XT_POLICY:
		return xt_policy(c, x);
	default:
		xt_unknown_why(c, x);
		return X_MAYBE;
	}
}

static int x_xt_target(struct ctx *c, const struct xd_fw_expr *e, struct verd *vd)
{
	const struct xd_xt *x = e->xt;

	if (x->undecided_info) {
		vd->unknown = true;
		set_why(c, "target %s not understood", x->name);
		return X_VERDICT;
	}
	switch (x->kind) {
	case XD_XT_T_ACCEPT:
		vd->code = XD_NF_ACCEPT;
		return X_VERDICT;
	case XD_XT_T_DROP:
	case XD_XT_T_REJECT:
		vd->code = XD_NF_DROP;
		return X_VERDICT;
	case XD_XT_T_RETURN:
		vd->code = XD_NFT_RETURN;
		return X_VERDICT;
	case XD_XT_T_JUMP:
	case XD_XT_T_GOTO:
		vd->code = x->kind == XD_XT_T_JUMP ? XD_NFT_JUMP : XD_NFT_GOTO;
		vd->chain = x->jump;
		vd->ref = e->ref;
		return X_VERDICT;
	case XD_XT_T_NAT:
		return nat_verdict(c, vd, x->name && strcmp(x->name, "MASQUERADE") == 0);
	case XD_XT_T_MARK:
		c->mark_unknown = true;
		return X_CONT;
	case XD_XT_T_LOG:
	case XD_XT_T_NOOP:
	case XD_XT_T_CT: /* untracking is accounted for in fw->has_notrack */
		return X_CONT;
	default:
		vd->unknown = true;
		set_why(c, "target %s decides at runtime", x->name);
		return X_VERDICT;
	}
}

/* ---- legacy rule head (ipt_ip / ip6t_ip6) ---- */

static int iface_match(const char *pkt, const char *rule, const uint8_t *mask, bool present,
		       bool not_lo, bool *unknown)
{
	char name[16] = { 0 };
	bool any = true;

	for (int i = 0; i < 16; i++)
		any &= mask[i] == 0;
	if (any)
		return 1;
	if (present && !pkt[0]) {
		/* "-i lo" (mask covering the terminating NUL) cannot match a non-loopback device */
		if (not_lo && strcmp(rule, "lo") == 0 && mask[0] && mask[1] && mask[2])
			return 0;
		*unknown = true;
		return 1;
	}
	if (present)
		memcpy(name, pkt, strnlen(pkt, 16));
	for (int i = 0; i < 16; i++)
		if ((name[i] ^ rule[i]) & mask[i])
			return 0;
	return 1;
}

static int legacy_head(struct ctx *c, const struct xd_fw_rule *ru)
{
	const struct xd_ipt_ip *ip = ru->ipt;
	const struct xd_fw_packet *p = c->p;
	size_t n = p->family == XD_NFPROTO_IPV4 ? 4 : 16;
	bool v4 = p->family == XD_NFPROTO_IPV4, unknown = false;

	for (int side = 0; side < 2; side++) {
		const uint8_t *a = side ? p->dst : p->src;
		const uint8_t *want = side ? ip->dst : ip->src;
		const uint8_t *m = side ? ip->dmsk : ip->smsk;
		bool eq = true;
		for (size_t i = 0; i < n; i++)
			eq &= (a[i] & m[i]) == want[i];
		if (eq == !!(ip->invflags & (side ? 0x10 : 0x08)))
			return X_BREAK;
	}
	const char *idev = in_dev(c), *odev = out_dev(c);
	int mi = iface_match(idev ? idev : "", ip->iniface, ip->iniface_mask, idev != NULL,
			     p->iif_not_lo, &unknown);
	if (mi == !!(ip->invflags & 0x01) && !unknown)
		return X_BREAK;
	bool u2 = false;
	int mo = iface_match(odev ? odev : "", ip->outiface, ip->outiface_mask, odev != NULL,
			     p->oif_not_lo, &u2);
	if (mo == !!(ip->invflags & 0x02) && !u2)
		return X_BREAK;
	if (v4 || (ip->flags & 0x01)) { /* ip6: only with IP6T_F_PROTO */
		uint8_t proto = p->l4proto;
		if (!v4 && proto == IPPROTO_AH_ && ip->proto) {
			/* ip6_tables' -p skips AH like an extension header */
			if (!p->has_ah_next) {
				set_why(c, "IPv6 AH: ip6tables -p sees the header behind it, which is "
					   "not described (--ah-next)%s", "");
				return X_MAYBE;
			}
			proto = p->ah_next;
		}
		if (ip->proto && (proto == ip->proto) == !!(ip->invflags & 0x40))
			return X_BREAK;
	}
	if (v4 && (ip->flags & 0x01) != !!(ip->invflags & 0x20))
		return X_BREAK; /* -f: only non-first fragments; our packet is not one */
	if (!v4 && (ip->flags & 0x02)) {
		set_why(c, "ip6tables traffic-class match%s", "");
		return X_MAYBE;
	}
	if (unknown || u2) {
		set_why(c, "interface not given for iptables rule%s", "");
		return X_MAYBE;
	}
	return X_CONT;
}

/* ---- one rule ---- */

/* Evaluate a rule: R_MATCH/R_MAYBE fill *vd with the verdict it sets (CONTINUE if none). */
static enum rmatch eval_rule(struct ctx *c, const struct xd_fw_rule *ru, struct verd *vd)
{
	struct regs r;
	bool maybe = false, opaque = false;

	memset(&r.k, 0, sizeof(r.k));
	memset(&r.nl, 0, sizeof(r.nl));
	vd->code = XD_NFT_CONTINUE;
	vd->chain = NULL;
	vd->ref = UINT32_MAX;
	vd->unknown = false;
	if (ru->ipt) {
		int h = legacy_head(c, ru);
		if (h == X_BREAK)
			return R_NOMATCH;
		maybe |= h == X_MAYBE;
	}
	for (uint32_t i = 0; i < ru->expr_count; i++) {
		const struct xd_fw_expr *e = xd_fw_expr_at(c->fw, ru->expr_first + i);
		int x = X_CONT;

		switch (e->kind) {
		case XD_FWX_IMMEDIATE:
			if (e->dreg == 0) {
				vd->code = e->verdict;
				vd->chain = e->chain;
				vd->ref = e->ref;
				x = X_VERDICT;
			} else {
				int off;
				if (!reg_span(e->dreg, e->data_len, &off))
					x = X_BREAK;
				else
					reg_store(&r, off, e->data, NULL, e->data_len, e->data_len);
			}
			break;
		case XD_FWX_CMP:
			x = x_cmp(c, e, &r);
			break;
		case XD_FWX_RANGE:
			x = x_range(c, e, &r);
			break;
		case XD_FWX_BITWISE:
			x = x_bitwise(c, e, &r);
			break;
		case XD_FWX_BYTEORDER:
			x = x_byteorder(c, e, &r);
			break;
		case XD_FWX_PAYLOAD:
			x = x_payload(c, e, &r);
			break;
		case XD_FWX_META:
			x = x_meta(c, e, &r);
			break;
		case XD_FWX_CT:
			x = x_ct(c, e, &r);
			break;
		case XD_FWX_LOOKUP:
			x = x_lookup(c, ru, e, &r, vd);
			break;
		case XD_FWX_XFRM: {
			bool has = e->dir == 0 ? c->p->secpath : c->p->policy_out;
			int off;
			if (!has)
				x = X_BREAK;
			else {
				if (reg_span(e->dreg, 16, &off))
					reg_unknown(&r, off, 16);
				set_why(c, "ipsec %s expression needs SA details", e->dir ? "out" : "in");
			}
			break;
		}
		case XD_FWX_RT: {
			int off;
			if (!reg_span(e->dreg, 4, &off)) {
				x = X_BREAK;
				break;
			}
			if (e->key == RT_XFRM) {
				uint8_t v[4] = { c->p->policy_out, 0, 0, 0 };
				reg_store(&r, off, v, NULL, 4, 4);
			} else {
				reg_unknown(&r, off, 16 <= REGS_BYTES - off ? 16 : 4);
				set_why(c, "rt key not modelled%s", "");
			}
			break;
		}
		case XD_FWX_COUNTER:
		case XD_FWX_LOG:
		case XD_FWX_LAST:
		case XD_FWX_NOTRACK:
			break;
		case XD_FWX_OBJREF:
			if (e->key != OBJ_COUNTER && e->key != OBJ_CT_HELPER &&
			    e->key != OBJ_CT_TIMEOUT && e->key != OBJ_SECMARK &&
			    e->key != OBJ_CT_EXPECT) {
				set_why(c, "stateful object %s (quota/limit/connlimit)", e->text);
				x = X_MAYBE;
			}
			break;
		case XD_FWX_LIMIT:
			set_why(c, "rate limit: matches or not depending on traffic%s", "");
			x = X_MAYBE;
			break;
		case XD_FWX_QUOTA:
			set_why(c, "quota: depends on traffic so far%s", "");
			x = X_MAYBE;
			break;
		case XD_FWX_DYNSET:
			set_why(c, "dynamic set update @%s", e->set);
			x = X_MAYBE;
			break;
		case XD_FWX_REJECT:
			vd->code = XD_NF_DROP;
			x = X_VERDICT;
			break;
		case XD_FWX_NAT:
			x = nat_verdict(c, vd, e->text && strcmp(e->text, "masquerade") == 0);
			break;
		case XD_FWX_QUEUE:
			vd->unknown = true;
			set_why(c, "queued to userspace%s", "");
			x = X_VERDICT;
			break;
		case XD_FWX_MATCH:
			x = e->xt ? x_xt_match(c, e->xt) : X_MAYBE;
			break;
		case XD_FWX_TARGET:
			if (!e->xt) {
				vd->unknown = true;
				x = X_VERDICT;
			} else
				x = x_xt_target(c, e, vd);
			break;
		case XD_FWX_EXTHDR:
			x = x_exthdr(c, e, &r);
			break;
		case XD_FWX_FIB:
			x = x_fib(c, e, &r);
			break;
		case XD_FWX_OPAQUE:
		default:
			/* may break, continue, load anything or even end the rule with a verdict */
			set_why(c, "expression \"%s\" not evaluated statically", e->name);
			memset(r.k + 16, 0, REGS_BYTES - 16);
			opaque = true;
			x = X_MAYBE;
			break;
		}
		if (x == X_BREAK)
			return R_NOMATCH;
		if (x == X_MAYBE)
			maybe = true;
		if (x == X_VERDICT)
			break; /* a verdict ends the expression list */
	}
	if (opaque)
		vd->unknown = true; /* it may have set a verdict of its own */
	return maybe ? R_MAYBE : R_MATCH;
}

/* ---- chain walking with forks ---- */

static void trace_add(struct ctx *c, const struct xd_fw_chain *ch, const struct xd_fw_rule *ru,
		      uint32_t idx, const char *effect, const char *note, int32_t prio)
{
	struct xd_fw_result *res = c->res;
	struct xd_fw_trace *t;

	if (!c->tracing || res->ntrace >= XD_FW_TRACE_MAX)
		return;
	t = &res->trace[res->ntrace++];
	*t = (struct xd_fw_trace){ .table = ch->table, .chain = ch->name,
				   .handle = ru ? ru->handle : 0,
				   .rule = ru ? idx : UINT32_MAX, .family = ch->family,
				   .backend = ch->backend, .hook = c->hook, .prio = prio,
				   .effect = effect, .note = note };
}

static struct xd_fw_trace mk_step(struct ctx *c, const struct xd_fw_chain *ch,
				  const struct xd_fw_rule *ru, uint32_t idx, const char *effect,
				  int32_t prio)
{
	return (struct xd_fw_trace){ .table = ch->table, .chain = ch->name,
				     .handle = ru ? ru->handle : 0,
				     .rule = ru ? idx : UINT32_MAX, .family = ch->family,
				     .backend = ch->backend, .hook = c->hook, .prio = prio,
				     .effect = effect };
}

/*
 * The walk is a loop, never a recursion: a chain of 100,000 rules, a goto loop in a crafted
 * snapshot or thousands of undecided rules must not grow the C stack. Where the walk is in
 * the rule set is a cursor; jumps push on its bounded stack as nft_do_chain/ipt_do_table do.
 */
struct cursor {
	const struct xd_fw_chain *ch;
	uint32_t pos;
	int sp;
	struct frame stack[LEGACY_STACK];
};

/*
 * An undecided rule whose verdict matters: both outcomes are walked, "it matched" (a) first
 * with tracing off, then "it did not" (b) from the next rule with the jump stack as it was.
 * Open forks live in ctx->forks (their saved stacks in ctx->frames), innermost last.
 */
struct fork {
	const struct xd_fw_chain *ch; /* the undecided rule */
	uint32_t pos;
	int sp;               /* b's jump stack: sp frames ... */
	size_t frame0;        /* ... saved at ctx->frames[frame0] while a runs */
	size_t ntrace;        /* trace length before a */
	bool tracing;         /* tracing before a */
	bool in_b;            /* a is decided and kept in .a; b runs */
	struct outcome a;
	char why[160];        /* why the rule was undecided */
};

/*
 * v with room for need elements: moved to the heap (*heap false: v is a caller's array) or
 * reallocated when short. NULL when out of memory; v is then unchanged.
 */
static void *reserve(void *v, size_t *cap, size_t need, size_t elem, bool *heap)
{
	size_t n = *cap ? *cap : 16;
	void *p;

	if (need <= *cap)
		return v;
	while (n < need)
		n *= 2;
	p = *heap ? realloc(v, n * elem) : malloc(n * elem);
	if (!p)
		return NULL;
	if (!*heap && *cap)
		memcpy(p, v, *cap * elem);
	*heap = true;
	*cap = n;
	return p;
}

/*
 * Apply verdict vd of the rule at the cursor. Returns true when it decides the branch
 * (*out filled), false when the walk goes on from where it left the cursor.
 */
static bool apply(struct ctx *c, const struct xd_fw_chain *base, struct cursor *w,
		  const struct verd *vd, struct outcome *out)
{
	const struct xd_fw_chain *ch = w->ch;
	uint32_t pos = w->pos;
	const struct xd_fw_rule *ru = xd_fw_rule_at(c->fw, ch->rules[pos]);
	int limit = ch->backend == XD_FW_LEGACY ? LEGACY_STACK : NFT_STACK;

	if (vd->unknown) {
		if (c->nat_seen && !c->res->nat_possible) {
			c->res->nat_possible = true;
			c->res->nat_possible_rule = mk_step(c, ch, ru, ch->rules[pos], "nat?", base->prio);
		}
		out->v = XD_FW_UNDECIDABLE;
		snprintf(out->why, sizeof(out->why), "%s",
			 c->why ? c->why : "verdict decided at runtime");
		out->decider = mk_step(c, ch, ru, ch->rules[pos], "undecidable", base->prio);
		out->decider_set = true;
		trace_add(c, ch, ru, ch->rules[pos], "undecidable", "verdict not known statically",
			  base->prio);
		return true;
	}
	switch (vd->code) {
	case XD_NF_ACCEPT:
	case XD_NF_DROP:
		out->v = vd->code == XD_NF_ACCEPT ? XD_FW_ACCEPT : XD_FW_DROP;
		out->why[0] = '\0';
		out->decider = mk_step(c, ch, ru, ch->rules[pos],
				       vd->code == XD_NF_ACCEPT ? "accept" : "drop", base->prio);
		out->decider_set = true;
		trace_add(c, ch, ru, ch->rules[pos], out->decider.effect, NULL, base->prio);
		if (c->nat_seen && c->tracing && !c->res->nat) {
			c->res->nat = true;
			c->res->nat_rule = out->decider;
		} else if (c->nat_seen && !c->tracing && !c->res->nat_possible) {
			/* the branch of an undecided rule: this NAT may happen */
			c->res->nat_possible = true;
			c->res->nat_possible_rule = out->decider;
		}
		return true;
	case XD_NFT_CONTINUE:
		w->pos++;
		return false;
	case XD_NFT_RETURN:
		trace_add(c, ch, ru, ch->rules[pos], "return", NULL, base->prio);
		if (w->sp == 0) {
			w->pos = ch->rule_count; /* base: policy */
			return false;
		}
		w->sp--;
		w->ch = w->stack[w->sp].chain;
		w->pos = w->stack[w->sp].pos + 1;
		return false;
	case XD_NFT_JUMP:
	case XD_NFT_GOTO: {
		const struct xd_fw_chain *to =
			vd->ref < c->fw->chains.len ? xd_vec_at(&c->fw->chains, vd->ref) : NULL;
		if (!to) {
			out->v = XD_FW_UNDECIDABLE;
			snprintf(out->why, sizeof(out->why), "jump to a chain not in the snapshot");
			out->decider = mk_step(c, ch, ru, ch->rules[pos], "undecidable", base->prio);
			out->decider_set = true;
			return true;
		}
		trace_add(c, ch, ru, ch->rules[pos], vd->code == XD_NFT_JUMP ? "jump" : "goto",
			  to->name, base->prio);
		if (vd->code == XD_NFT_JUMP) {
			if (w->sp >= limit) {
				out->v = XD_FW_UNDECIDABLE;
				snprintf(out->why, sizeof(out->why),
					 "jump stack exhausted (loop or nesting deeper than %d)", limit);
				out->decider = mk_step(c, ch, ru, ch->rules[pos], "undecidable",
						       base->prio);
				out->decider_set = true;
				return true;
			}
			w->stack[w->sp].chain = ch;
			w->stack[w->sp].pos = pos;
			w->sp++;
		}
		w->ch = to;
		w->pos = 0;
		return false;
	}
	default:
		out->v = XD_FW_UNDECIDABLE;
		snprintf(out->why, sizeof(out->why), "verdict code not modelled (queue/stolen)");
		out->decider = mk_step(c, ch, ru, ch->rules[pos], "undecidable", base->prio);
		out->decider_set = true;
		return true;
	}
}

/* Open a fork at the undecided rule under the cursor; false when out of memory. */
static bool fork_open(struct ctx *c, const struct cursor *w, const char *why)
{
	struct fork *fv = reserve(c->forks, &c->forks_cap, c->nforks + 1, sizeof(*fv),
				  &c->forks_heap), *f;

	if (!fv)
		return false;
	c->forks = fv;
	if (w->sp > 0) {
		struct frame *sv = reserve(c->frames, &c->frames_cap, c->nframes + (size_t)w->sp,
					   sizeof(*sv), &c->frames_heap);
		if (!sv)
			return false;
		c->frames = sv;
	}
	f = &c->forks[c->nforks++];
	*f = (struct fork){ .ch = w->ch, .pos = w->pos, .sp = w->sp, .frame0 = c->nframes,
			    .ntrace = c->res->ntrace, .tracing = c->tracing };
	snprintf(f->why, sizeof(f->why), "%s", why);
	if (w->sp > 0)
		memcpy(c->frames + c->nframes, w->stack, sizeof(w->stack[0]) * (size_t)w->sp);
	c->nframes += (size_t)w->sp;
	return true;
}

/* Walk from the cursor until the current branch is decided in *out (cleared by the caller). */
static void walk_branch(struct ctx *c, const struct xd_fw_chain *base, struct cursor *w,
			struct outcome *out)
{
	for (;;) {
		const struct xd_fw_chain *ch = w->ch;

		if (w->pos >= ch->rule_count) {
			/* end of chain: a jumped-to chain returns; otherwise (base chain, or a
			 * chain reached by goto) the base chain's policy applies */
			if (w->sp > 0) {
				w->sp--;
				w->ch = w->stack[w->sp].chain;
				w->pos = w->stack[w->sp].pos + 1;
				continue;
			}
			ch = base;
			if (!ch->has_policy || (ch->policy != XD_NF_ACCEPT && ch->policy != XD_NF_DROP)) {
				out->v = XD_FW_UNDECIDABLE;
				snprintf(out->why, sizeof(out->why), "base chain without a known policy");
			} else
				out->v = ch->policy == XD_NF_ACCEPT ? XD_FW_ACCEPT : XD_FW_DROP;
			out->decider = mk_step(c, ch, NULL, UINT32_MAX,
					       out->v == XD_FW_ACCEPT ? "policy accept"
					       : out->v == XD_FW_DROP ? "policy drop"
								      : "policy ?",
					       base->prio);
			out->decider_set = true;
			trace_add(c, ch, NULL, UINT32_MAX, out->decider.effect, NULL, base->prio);
			return;
		}
		const struct xd_fw_rule *ru = xd_fw_rule_at(c->fw, ch->rules[w->pos]);
		struct verd vd;
		enum rmatch m;

		if (++c->steps > STEP_BUDGET) {
			out->v = XD_FW_UNDECIDABLE;
			snprintf(out->why, sizeof(out->why), "evaluation budget exhausted");
			return;
		}
		c->why = NULL;
		c->nat_seen = false;
		m = eval_rule(c, ru, &vd);
		if (m == R_NOMATCH) {
			w->pos++;
			continue;
		}
		if (m == R_MATCH) {
			if (apply(c, base, w, &vd, out))
				return;
			continue;
		}
		/* R_MAYBE: fork. A rule that sets no verdict cannot change the outcome. */
		if (!vd.unknown && vd.code == XD_NFT_CONTINUE) {
			w->pos++;
			continue;
		}
		if (++c->forks_used > FORK_BUDGET) {
			out->v = XD_FW_UNDECIDABLE;
			snprintf(out->why, sizeof(out->why), "too many undecidable rules on the path");
			return;
		}
		if (!fork_open(c, w, c->why ? c->why : "rule not decidable")) {
			out->v = XD_FW_UNDECIDABLE;
			snprintf(out->why, sizeof(out->why), "out of memory evaluating the rule set");
			return;
		}
		c->tracing = false;
		if (apply(c, base, w, &vd, out))
			return;
	}
}

/* Walk base chain `base` from its first rule to an outcome, through every fork. */
static void walk(struct ctx *c, const struct xd_fw_chain *base, struct outcome *out)
{
	struct cursor w; /* the stack is written before it is read: not cleared per chain */

	w.ch = base;
	w.pos = 0;
	w.sp = 0;
	c->nforks = c->nframes = 0;
	memset(out, 0, sizeof(*out));
	for (;;) {
		walk_branch(c, base, &w, out);
		/* *out decides the innermost open branch: close the forks it completes */
		for (;;) {
			struct fork *f;

			if (c->nforks == 0)
				return;
			f = &c->forks[c->nforks - 1];
			if (!f->in_b)
				break;
			/* both branches known: equal decided verdicts stand, else undecidable */
			if (f->a.v != out->v || out->v == XD_FW_UNDECIDABLE) {
				const struct xd_fw_rule *ru = xd_fw_rule_at(c->fw, f->ch->rules[f->pos]);
				struct outcome u = {
					.v = XD_FW_UNDECIDABLE,
					.decider = mk_step(c, f->ch, ru, f->ch->rules[f->pos],
							   "undecidable", base->prio),
					.decider_set = true,
				};
				if (f->a.v == XD_FW_UNDECIDABLE)
					memcpy(u.why, f->a.why, sizeof(u.why));
				else if (out->v == XD_FW_UNDECIDABLE)
					memcpy(u.why, out->why, sizeof(u.why));
				else
					snprintf(u.why, sizeof(u.why), "%s", f->why);
				*out = u;
			}
			c->nforks--;
		}
		/* a is decided: walk b from the rule after the undecided one */
		struct fork *f = &c->forks[c->nforks - 1];
		const struct xd_fw_rule *ru = xd_fw_rule_at(c->fw, f->ch->rules[f->pos]);

		f->a = *out;
		f->in_b = true;
		memset(out, 0, sizeof(*out));
		c->tracing = f->tracing;
		trace_add(c, f->ch, ru, f->ch->rules[f->pos], "maybe", NULL, base->prio);
		if (c->tracing && c->res->ntrace > f->ntrace) {
			/* the note must outlive this fork: keep it in the result */
			struct xd_fw_trace *t = &c->res->trace[c->res->ntrace - 1];
			t->note = "match undecidable; both outcomes evaluated";
		}
		w.ch = f->ch;
		w.pos = f->pos + 1;
		w.sp = f->sp;
		if (f->sp > 0)
			memcpy(w.stack, c->frames + f->frame0, sizeof(w.stack[0]) * (size_t)f->sp);
		/* forks opened in b stack above this one, so its saved frames can go now */
		c->nframes = f->frame0;
	}
}

/* ---- hooks and chains ---- */

static bool family_applies(uint8_t chain_family, uint8_t pkt_family)
{
	return chain_family == pkt_family || chain_family == XD_NFPROTO_INET;
}

static bool table_dormant(const struct xd_fw *fw, const struct xd_fw_chain *ch)
{
	for (size_t i = 0; i < fw->tables.len; i++) {
		const struct xd_fw_table *t = xd_vec_at(&fw->tables, i);
		if (t->backend == ch->backend && t->family == ch->family && t->name && ch->table &&
		    strcmp(t->name, ch->table) == 0)
			return t->flags & 1;
	}
	return false;
}

/* Collect the base chains of a hook, sorted by priority (stable). */
static size_t hook_chains(const struct ctx *c, uint8_t hook, const struct xd_fw_chain **out,
			  size_t cap, bool *netdev)
{
	const struct xd_fw *fw = c->fw;
	size_t n = 0;

	for (size_t i = 0; i < fw->chains.len; i++) {
		const struct xd_fw_chain *ch = xd_vec_at(&fw->chains, i);
		if (!ch->base)
			continue;
		if (ch->family == XD_NFPROTO_NETDEV ||
		    (ch->family == XD_NFPROTO_INET && ch->hooknum == XD_HOOK_INGRESS)) {
			*netdev = true;
			continue;
		}
		if (ch->hooknum != hook || !family_applies(ch->family, c->p->family))
			continue;
		if (table_dormant(fw, ch))
			continue;
		/* nat chains only see the first packet of a connection */
		if (ch->type && strcmp(ch->type, "nat") == 0 && c->p->ct != XD_FW_CT_NEW)
			continue;
		if (n < cap)
			out[n++] = ch;
	}
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && out[j - 1]->prio > out[j]->prio; j--) {
			const struct xd_fw_chain *t = out[j];
			out[j] = out[j - 1];
			out[j - 1] = t;
		}
	return n;
}

#define MAX_HOOK_CHAINS 256

int xd_fw_eval(const struct xd_fw *fw, const struct xd_fw_packet *pkt, const uint8_t *hooks,
	       size_t nhooks, struct xd_fw_result *res)
{
	struct ctx c = { .fw = fw, .p = pkt, .res = res, .tracing = true };
	/* the usual few open forks and their jump stacks; deeper nests move to the heap */
	struct fork fork_buf[8];
	struct frame frame_buf[128];
	bool undecided = false, dropped = false, netdev = false;
	char why[160] = "";
	char nat_note[160] = "";
	struct xd_fw_trace nat_by = { 0 };

	memset(res, 0, sizeof(*res));
	if (!fw || !pkt || (pkt->family != XD_NFPROTO_IPV4 && pkt->family != XD_NFPROTO_IPV6) ||
	    !fw->indexed)
		return -EINVAL;
	build_headers(&c);
	c.forks = fork_buf;
	c.forks_cap = sizeof(fork_buf) / sizeof(fork_buf[0]);
	c.frames = frame_buf;
	c.frames_cap = sizeof(frame_buf) / sizeof(frame_buf[0]);
	c.mark_unknown = pkt->mark_unknown;
	for (size_t h = 0; h < nhooks; h++)
		c.forwarded |= hooks[h] == XD_HOOK_FORWARD;
	if (nhooks == 1 && hooks[0] == XD_HOOK_POSTROUTING && pkt->iif[0])
		c.forwarded = true; /* postrouting alone: an input interface means routed */
	for (size_t h = 0; h < nhooks && !dropped; h++) {
		const struct xd_fw_chain *chains[MAX_HOOK_CHAINS];
		size_t n;

		c.hook = hooks[h];
		n = hook_chains(&c, hooks[h], chains, MAX_HOOK_CHAINS, &netdev);
		for (size_t i = 0; i < n; i++) {
			struct outcome o; /* walk() fills it whole */

			c.forks_used = 0;
			c.nat_seen = false;
			/* a DNAT (certain, or in the matched branch of an undecided rule) may send
			 * the packet elsewhere: another address, another path (a container behind
			 * a Docker-style DNAT is reached by forward, not input) */
			if ((res->nat || res->nat_possible) && !nat_note[0])
				nat_by = res->nat ? res->nat_rule : res->nat_possible_rule;
			if (res->nat && !nat_note[0])
				snprintf(nat_note, sizeof(nat_note),
					 "packet rewritten by NAT (%s %s handle %llu) before this chain",
					 res->nat_rule.table, res->nat_rule.chain,
					 (unsigned long long)res->nat_rule.handle);
			else if (res->nat_possible && !nat_note[0])
				snprintf(nat_note, sizeof(nat_note),
					 "packet may be rewritten by NAT (%s %s handle %llu) before "
					 "this chain",
					 res->nat_possible_rule.table, res->nat_possible_rule.chain,
					 (unsigned long long)res->nat_possible_rule.handle);
			walk(&c, chains[i], &o);
			if (o.v != XD_FW_ACCEPT && chains[i]->type &&
			    strcmp(chains[i]->type, "nat") == 0 && c.v6_ah) {
				o.v = XD_FW_UNDECIDABLE;
				snprintf(o.why, sizeof(o.why),
					 "nat chain %s/%s decides, but whether conntrack tracks IPv6 AH "
					 "depends on the protocol behind it",
					 chains[i]->table, chains[i]->name);
			} else if (o.v != XD_FW_ACCEPT && chains[i]->type &&
				   strcmp(chains[i]->type, "nat") == 0 &&
				   !(pkt->family == XD_NFPROTO_IPV4 ? fw->ct_user4 : fw->ct_user6)) {
				/* a nat chain runs only when conntrack is on; no rule here turns it
				 * on (something outside the rule set may): it may not run at all */
				o.v = XD_FW_UNDECIDABLE;
				snprintf(o.why, sizeof(o.why),
					 "nat chain %s/%s decides, but it runs only if conntrack is "
					 "active and no rule activates it",
					 chains[i]->table, chains[i]->name);
			}
			/* after source NAT in postrouting no route is looked up any more: a chain
			 * without rules gives its policy whatever the addresses (empty legacy
			 * tables next to iptables-nft ones are common) */
			if (o.v != XD_FW_UNDECIDABLE && nat_note[0] && !dropped &&
			    (chains[i]->rule_count || nat_by.hook != XD_HOOK_POSTROUTING ||
			     c.hook != XD_HOOK_POSTROUTING)) {
				/* later chains saw rewritten addresses we did not model; a drop too:
				 * the rewritten packet may not match the dropping rule, or not even
				 * pass this hook */
				o.v = XD_FW_UNDECIDABLE;
				snprintf(o.why, sizeof(o.why), "%s", nat_note);
				/* the rewrite is what is not known: name the NAT rule */
				o.decider = nat_by;
				o.decider_set = true;
			}
			if (o.v == XD_FW_DROP) {
				if (!dropped || !res->decider_set) {
					res->decider = o.decider;
					res->decider_set = o.decider_set;
				}
				dropped = true;
			} else if (o.v == XD_FW_UNDECIDABLE) {
				if (!undecided && !dropped) {
					memcpy(why, o.why, sizeof(why));
					res->decider = o.decider;
					res->decider_set = o.decider_set;
				}
				undecided = true;
			} else if (!dropped && !undecided) {
				res->decider = o.decider;
				res->decider_set = o.decider_set;
			}
			/* a drop anywhere is final whatever the order of equal priorities */
			if (dropped)
				break;
		}
	}
	if (c.forks_heap)
		free(c.forks);
	if (c.frames_heap)
		free(c.frames);
	res->steps = c.steps;
	if (dropped) {
		res->verdict = XD_FW_DROP;
		snprintf(res->reason, sizeof(res->reason), "dropped by %s %s %s",
			 xd_fw_family_name(res->decider.family) ?: "?", res->decider.table,
			 res->decider.chain);
	} else if (netdev) {
		res->verdict = XD_FW_UNDECIDABLE;
		snprintf(res->reason, sizeof(res->reason),
			 "netdev/ingress base chains exist and are not evaluated");
	} else if (undecided) {
		res->verdict = XD_FW_UNDECIDABLE;
		snprintf(res->reason, sizeof(res->reason), "%s", why[0] ? why : "undecidable");
	} else {
		res->verdict = XD_FW_ACCEPT;
		snprintf(res->reason, sizeof(res->reason), "accepted by every base chain on the path");
	}
	return 0;
}

size_t xd_fw_path(int kind, uint8_t hooks[3])
{
	switch (kind) {
	case XD_FW_PATH_OUTPUT:
		hooks[0] = XD_HOOK_OUTPUT;
		hooks[1] = XD_HOOK_POSTROUTING;
		return 2;
	case XD_FW_PATH_FORWARD:
		hooks[0] = XD_HOOK_PREROUTING;
		hooks[1] = XD_HOOK_FORWARD;
		hooks[2] = XD_HOOK_POSTROUTING;
		return 3;
	default:
		hooks[0] = XD_HOOK_PREROUTING;
		hooks[1] = XD_HOOK_INPUT;
		return 2;
	}
}

const char *xd_fw_verdict_name(enum xd_fw_verdict v)
{
	switch (v) {
	case XD_FW_ACCEPT:
		return "accept";
	case XD_FW_DROP:
		return "drop";
	default:
		return "undecidable";
	}
}
