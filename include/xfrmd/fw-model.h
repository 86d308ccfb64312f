/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fw-model.h: the firewall part of a snapshot: nf_tables tables, chains, rules with their
 * expressions, sets and maps with elements, flowtables, and legacy iptables tables decoded
 * into the same chain/rule shape. Project types only: the evaluator (fw/) and renderers
 * never include netlink or kernel headers.
 *
 * Values the kernel keeps in network order as packet bytes (cmp/immediate/set data) stay
 * byte arrays; numeric attributes (registers, keys, offsets, hooks, priorities) are host
 * order. Unknown kernel values are kept as numbers.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "xfrmd/util.h"

#define XD_FW_DATA_MAX 64 /* the longest register span: 16 x 32-bit registers */
#define XD_FW_CONCAT_MAX 16

/* Netfilter families as the kernel numbers them (NFPROTO_*). */
enum {
	XD_NFPROTO_INET = 1,
	XD_NFPROTO_IPV4 = 2,
	XD_NFPROTO_ARP = 3,
	XD_NFPROTO_NETDEV = 5,
	XD_NFPROTO_BRIDGE = 7,
	XD_NFPROTO_IPV6 = 10,
};

/* NF_INET hook numbers. */
enum xd_fw_hook {
	XD_HOOK_PREROUTING = 0,
	XD_HOOK_INPUT = 1,
	XD_HOOK_FORWARD = 2,
	XD_HOOK_OUTPUT = 3,
	XD_HOOK_POSTROUTING = 4,
	XD_HOOK_INGRESS = 5,
	_XD_HOOK_MAX,
};

/* Verdict codes as the kernel numbers them (NF_* and NFT_*). */
enum {
	XD_NF_DROP = 0,
	XD_NF_ACCEPT = 1,
	XD_NF_STOLEN = 2,
	XD_NF_QUEUE = 3,
	XD_NF_REPEAT = 4,
	XD_NFT_CONTINUE = -1,
	XD_NFT_BREAK = -2,
	XD_NFT_JUMP = -3,
	XD_NFT_GOTO = -4,
	XD_NFT_RETURN = -5,
};

enum xd_fw_backend {
	XD_FW_NFT,    /* nf_tables (native nft and iptables-nft) */
	XD_FW_LEGACY, /* ip_tables / ip6_tables */
};

struct xd_fw_table {
	const char *name;
	uint64_t handle;
	uint32_t flags; /* NFT_TABLE_F_*: 1 dormant, 2 owner */
	uint32_t use;
	uint8_t family;
	uint8_t backend; /* enum xd_fw_backend */
	bool has_xt;     /* holds xt compat expressions: managed by iptables-nft */
};

struct xd_fw_chain {
	const char *table;
	const char *name;
	const char *type; /* "filter", "nat", "route"; NULL for non-base chains */
	const char *dev;  /* netdev hook device, NULL if none */
	uint64_t handle;
	int32_t prio;
	uint32_t hooknum;
	uint32_t policy; /* NF_ACCEPT/NF_DROP */
	uint32_t flags;  /* NFT_CHAIN_BASE 1, HW_OFFLOAD 2, BINDING 4 */
	uint8_t family;
	uint8_t backend;
	bool base;
	bool has_policy;
	/* filled by xd_fw_index(): the chain's rules in order */
	uint32_t *rules;
	uint32_t rule_count;
	uint32_t legacy_offset; /* legacy: byte offset of the first entry (jump target) */
};

enum xd_fw_expr_kind {
	XD_FWX_OPAQUE, /* kept with its name; the evaluator cannot decide it */
	XD_FWX_IMMEDIATE,
	XD_FWX_CMP,
	XD_FWX_RANGE,
	XD_FWX_BITWISE,
	XD_FWX_BYTEORDER,
	XD_FWX_PAYLOAD,
	XD_FWX_META,
	XD_FWX_CT,
	XD_FWX_LOOKUP,
	XD_FWX_XFRM,
	XD_FWX_RT,
	XD_FWX_COUNTER,
	XD_FWX_LOG,
	XD_FWX_LIMIT,
	XD_FWX_QUOTA,
	XD_FWX_REJECT,
	XD_FWX_NAT,   /* nat, masq, redir: terminal accept after a rewrite */
	XD_FWX_NOTRACK,
	XD_FWX_QUEUE,
	XD_FWX_DYNSET,
	XD_FWX_OBJREF,
	XD_FWX_FIB,
	XD_FWX_EXTHDR,
	XD_FWX_MATCH,  /* xt compat match, or a legacy iptables match */
	XD_FWX_TARGET, /* xt compat target, or a legacy iptables extension target */
	XD_FWX_LAST,   /* "last": records last use, no effect */
	_XD_FWX_MAX,
};

/* Decoded xtables extensions (compat match/target and legacy iptables). */
enum xd_xt_kind {
	XD_XT_UNKNOWN, /* kept by name; undecidable */
	XD_XT_POLICY,
	XD_XT_UDP,
	XD_XT_TCP,
	XD_XT_MULTIPORT,
	XD_XT_ESP,
	XD_XT_AH,
	XD_XT_CONNTRACK,
	XD_XT_STATE,
	XD_XT_COMMENT,
	XD_XT_IPRANGE,
	XD_XT_SET,
	XD_XT_EXTHDR6, /* ip6 frag, rt, hbh, dst: false unless the packet has the header */
	XD_XT_ICMP,    /* icmp, icmp6 */
	XD_XT_RECENT,
	XD_XT_ADDRTYPE,
	XD_XT_RPFILTER,
	/* targets */
	XD_XT_T_ACCEPT, /* standard verdicts, legacy */
	XD_XT_T_DROP,
	XD_XT_T_RETURN,
	XD_XT_T_JUMP,
	XD_XT_T_GOTO,
	XD_XT_T_QUEUE,
	XD_XT_T_LOG,     /* non-terminal */
	XD_XT_T_REJECT,  /* terminal drop */
	XD_XT_T_MARK,    /* non-terminal, changes the mark */
	XD_XT_T_NAT,     /* SNAT/DNAT/MASQUERADE/REDIRECT: terminal accept after a rewrite */
	XD_XT_T_NOOP,    /* targets without effect on the verdict (CONNMARK save, TCPMSS…) */
	XD_XT_T_CT,      /* CT: no verdict; ct_state_change when it untracks or sets a zone */
};

struct xd_xt_policy_elem {
	uint8_t saddr[16], smask[16], daddr[16], dmask[16];
	uint32_t spi; /* host order */
	uint32_t reqid;
	uint8_t proto, mode;
	uint8_t match;  /* bits: saddr 1, daddr 2, proto 4, mode 8, spi 16, reqid 32 */
	uint8_t invert; /* the same bits */
};

struct xd_xt {
	uint8_t kind; /* enum xd_xt_kind */
	uint8_t rev;
	bool inv;   /* whole match inverted (ip6t/ipt flags or ! prefix where known) */
	const char *name;
	/* ports: udp/tcp/multiport/esp/ah; ranges are inclusive, host order */
	uint16_t sport[2], dport[2];
	uint8_t nports;      /* multiport */
	uint8_t mp_flags;    /* multiport: 1 src, 2 dst, 3 any */
	uint16_t ports[15];
	uint8_t pflags[15];  /* multiport v1: 1 = ports[i]..ports[i+1] is a range */
	uint8_t invflags;    /* per-extension inversion bits */
	uint32_t spi[2];     /* esp/ah, host order */
	uint32_t state_mask; /* conntrack/state: XT_STATE bits */
	uint16_t ct_flags, ct_invflags; /* conntrack mtinfo match_flags/invert_flags */
	uint8_t iprange_flags;
	uint8_t range_src[2][16], range_dst[2][16];
	uint16_t pol_flags; /* policy: MATCH_IN 1, MATCH_OUT 2, MATCH_NONE 4, STRICT 8 */
	uint16_t pol_len;
	struct xd_xt_policy_elem *pol; /* pol_len elements */
	const char *comment;
	int32_t verdict;     /* legacy standard target: verdict or byte offset */
	const char *jump;    /* legacy: resolved chain name for jump/goto */
	uint8_t exthdr;      /* XD_XT_EXTHDR6: the IPv6 header number (44 frag, 43 rt, …) */
	uint32_t ah_hdrlen;  /* ip6 ah: --ahlen (0 = any) */
	uint8_t tcp_option, tcp_flg_mask, tcp_flg_cmp; /* tcp: --tcp-option, --tcp-flags */
	uint8_t icmp_type, icmp_code[2];  /* icmp/icmp6: type 0xff = any; code range */
	uint8_t recent_check_set;         /* recent: XT_RECENT_CHECK 1, SET 2, UPDATE 4, … */
	uint16_t addrtype_src, addrtype_dst; /* addrtype: 1 << RTN_* masks */
	uint32_t addrtype_flags;             /* INVERT_SOURCE 1, INVERT_DEST 2, LIMIT_IFACE_IN 4, OUT 8 */
	uint8_t rpfilter_flags;              /* LOOSE 1, VALID_MARK 2, ACCEPT_LOCAL 4, INVERT 8 */
	bool ct_state_change; /* CT target with --notrack or a zone: conntrack state changes */
	bool undecided_info; /* info present but not understood: the evaluator gives up */
};

struct xd_fw_expr {
	uint8_t kind; /* enum xd_fw_expr_kind */
	const char *name;
	uint32_t sreg, dreg, sreg2; /* raw kernel register numbers */
	uint32_t op, key, base, offset, len, flags, dir, spnum, size;
	uint8_t data_len, data2_len, data3_len;
	uint8_t data[16];  /* cmp/immediate/range from/bitwise mask */
	uint8_t data2[16]; /* range to/bitwise xor */
	uint8_t data3[16]; /* bitwise shift data */
	int32_t verdict;   /* immediate with dreg 0 */
	const char *chain; /* immediate jump/goto target */
	const char *set;   /* lookup/dynset/objref set */
	const char *text;  /* log prefix, objref name, nat type, … (display only) */
	struct xd_xt *xt;  /* match/target */
	bool write;        /* payload/meta/ct with a source register: a mangle */
	/* filled by xd_fw_index(): the set of a lookup, the chain of a jump/goto (index into
	 * fw->sets / fw->chains), UINT32_MAX when unresolved */
	uint32_t ref;
};

/* Legacy iptables rule head (struct ipt_ip / ip6t_ip6). */
struct xd_ipt_ip {
	uint8_t src[16], smsk[16], dst[16], dmsk[16];
	char iniface[16], outiface[16];
	uint8_t iniface_mask[16], outiface_mask[16];
	uint16_t proto;
	uint8_t flags;    /* IPT_F_FRAG 1, IPT_F_GOTO 2; ip6: IP6T_F_PROTO 1, TOS 2, GOTO 4 */
	uint8_t invflags; /* IPT_INV_*: VIA_IN 1, VIA_OUT 2, TOS 4, SRCIP 8, DSTIP 16, FRAG 32, PROTO 64 */
};

struct xd_fw_rule {
	const char *table;
	const char *chain;
	const char *comment;
	uint64_t handle;   /* nft handle; legacy: byte offset of the entry */
	uint64_t position;
	uint32_t expr_first; /* index into xd_fw.exprs */
	uint32_t expr_count;
	uint32_t compat_proto;
	uint32_t compat_flags;
	uint8_t family;
	uint8_t backend;
	bool has_compat;
	struct xd_ipt_ip *ipt; /* legacy only */
	uint32_t seq;          /* dump order, for a stable sort */
};

struct xd_fw_set {
	const char *table;
	const char *name;
	uint64_t handle;
	uint32_t flags; /* NFT_SET_*: ANONYMOUS 1, CONSTANT 2, INTERVAL 4, MAP 8, TIMEOUT 16, EVAL 32, OBJECT 64, CONCAT 128 */
	uint32_t key_type, key_len, data_type, data_len, obj_type;
	uint8_t family;
	uint8_t field_count;
	uint8_t field_len[XD_FW_CONCAT_MAX];
	/* filled by xd_fw_index() */
	uint32_t *elems;
	uint32_t elem_count;
};

struct xd_fw_elem {
	const char *table;
	const char *set;
	uint8_t family;
	uint8_t key_len, key_end_len, data_len;
	bool has_key_end, has_data, has_verdict;
	uint32_t flags; /* INTERVAL_END 1, CATCHALL 2 */
	uint8_t key[XD_FW_DATA_MAX];
	uint8_t key_end[XD_FW_DATA_MAX];
	uint8_t data[XD_FW_DATA_MAX];
	int32_t verdict;
	const char *chain;
	uint32_t ref; /* filled by xd_fw_index(): chain index of a jump/goto verdict */
};

struct xd_fw_flowtable {
	const char *table;
	const char *name;
	const char *devs; /* comma separated */
	uint32_t hooknum;
	int32_t prio;
	uint8_t family;
};

struct xd_fw {
	bool nft_present;    /* nf_tables records were decoded */
	bool legacy_present; /* ip_tables records were decoded */
	bool nft_gen_known;
	uint32_t nft_gen;
	struct xd_vec tables;     /* struct xd_fw_table */
	struct xd_vec chains;     /* struct xd_fw_chain */
	struct xd_vec rules;      /* struct xd_fw_rule */
	struct xd_vec exprs;      /* struct xd_fw_expr */
	struct xd_vec sets;       /* struct xd_fw_set */
	struct xd_vec elems;      /* struct xd_fw_elem */
	struct xd_vec flowtables; /* struct xd_fw_flowtable */
	char legacy_names4[256];  /* /proc/net/ip_tables_names, comma separated */
	char legacy_names6[256];
	bool indexed;
	bool has_notrack; /* some rule can make packets untracked or change ct state */
	/* some rule needs conntrack (ct, nat, xt conntrack/state …), which turns it on in the
	 * namespace for its family (an inet table: both): nat chains only ever see packets
	 * when conntrack is on for the packet's family */
	bool ct_user4, ct_user6;
};

struct xd_snapshot;

/**
 * xd_snapshot_fw() - the firewall part of a snapshot, created on first use
 * @s: snapshot (owns the result; freed with it)
 *
 * Returns the model, or NULL on allocation failure.
 */
struct xd_fw *xd_snapshot_fw(struct xd_snapshot *s);

/* Empty model / release everything it owns (not the strings: they live in the snapshot). */
void xd_fw_init(struct xd_fw *fw);
void xd_fw_done(struct xd_fw *fw);

/*
 * Build the chain -> rules and set -> elements indexes (after decoding, before evaluating).
 * Idempotent. Returns 0 or -ENOMEM.
 */
int xd_fw_index(struct xd_fw *fw);

/**
 * xd_fw_find_chain() - a chain by backend, family, table and name (linear; for tools and
 * tests, the evaluator uses the references resolved by xd_fw_index())
 * Returns the chain (borrowed from @fw) or NULL.
 */
const struct xd_fw_chain *xd_fw_find_chain(const struct xd_fw *fw, uint8_t family,
					   const char *table, const char *name, uint8_t backend);
/**
 * xd_fw_find_set() - a set or map by family, table and name (linear, like xd_fw_find_chain())
 * Returns the set (borrowed from @fw) or NULL.
 */
const struct xd_fw_set *xd_fw_find_set(const struct xd_fw *fw, uint8_t family,
				       const char *table, const char *name);

static inline const struct xd_fw_rule *xd_fw_rule_at(const struct xd_fw *fw, size_t i)
{
	return xd_vec_at(&fw->rules, i);
}
static inline const struct xd_fw_expr *xd_fw_expr_at(const struct xd_fw *fw, size_t i)
{
	return xd_vec_at(&fw->exprs, i);
}

/* Names for display: "inet", "ip", ...; "input", ... NULL for values without a name. */
const char *xd_fw_family_name(uint8_t family);
const char *xd_fw_hook_name(uint32_t hook);
/* nft's name of a meta key ("l4proto", "hour", …), NULL for one without a name. */
const char *xd_fw_meta_name(uint32_t key);
/* Hook number for a name, or -EINVAL. */
int xd_fw_hook_from_name(const char *name);

/* Readable form of a rule ("meta l4proto == 50 counter accept"); see fw-text.c. */
const char *xd_fw_rule_text(const struct xd_fw *fw, const struct xd_fw_rule *r, char *buf,
			    size_t len);
