/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * model.h: the key-free object graph of one snapshot of kernel IPsec state.
 *
 * The model uses the project's own types, never UAPI structs, so checks and renderers are
 * testable with hand-built objects. Raw kernel enum values (mode, proto, dir, ...) are kept as
 * numbers and named through the tables in names.h; unknown values stay numbers. No structure
 * here can hold key bytes: algorithms keep only their name and key length in bits.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "xfrmd/cert.h"
#include "xfrmd/dumps.h"
#include "xfrmd/util.h"

/* "No limit" in the kernel (XFRM_INF); kept explicit so renderers omit it. */
#define XD_INF UINT64_MAX

/* An address without its family; the owning object carries the family. */
struct xd_addr {
	uint8_t b[16];
};

/* memcmp() order of two addresses (bytes unsigned, lexicographic) in two 64-bit compares:
 * the sorts and indexes of a million SAs spend their time here. */
static inline int xd_addr_cmp(const struct xd_addr *a, const struct xd_addr *b)
{
	for (size_t off = 0; off < sizeof(a->b); off += 8) {
		uint64_t x, y;
		__builtin_memcpy(&x, a->b + off, 8);
		__builtin_memcpy(&y, b->b + off, 8);
		if (x != y) {
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
			x = __builtin_bswap64(x);
			y = __builtin_bswap64(y);
#endif
			return x < y ? -1 : 1;
		}
	}
	return 0;
}

struct xd_selector {
	struct xd_addr daddr;
	struct xd_addr saddr;
	uint16_t dport; /* host order */
	uint16_t dport_mask;
	uint16_t sport;
	uint16_t sport_mask;
	uint16_t family;
	uint8_t prefixlen_d;
	uint8_t prefixlen_s;
	uint8_t proto;
	int32_t ifindex;
	uint32_t user;
};

struct xd_lifetime_cfg {
	uint64_t soft_byte_limit;
	uint64_t hard_byte_limit;
	uint64_t soft_packet_limit;
	uint64_t hard_packet_limit;
	uint64_t soft_add_expires_s;
	uint64_t hard_add_expires_s;
	uint64_t soft_use_expires_s;
	uint64_t hard_use_expires_s;
};

struct xd_lifetime_cur {
	uint64_t bytes;
	uint64_t packets;
	uint64_t add_time; /* epoch seconds */
	uint64_t use_time; /* epoch seconds, 0 = never used */
};

struct xd_mark {
	uint32_t v;
	uint32_t m;
};

enum xd_sa_has {
	XD_SA_HAS_AEAD = 1u << 0,
	XD_SA_HAS_ENC = 1u << 1,
	XD_SA_HAS_AUTH = 1u << 2,
	XD_SA_HAS_COMP = 1u << 3,
	XD_SA_HAS_ENCAP = 1u << 4,
	XD_SA_HAS_MARK = 1u << 5,
	XD_SA_HAS_SET_MARK = 1u << 6,
	XD_SA_HAS_IF_ID = 1u << 7,
	XD_SA_HAS_REPLAY = 1u << 8,     /* REPLAY_VAL */
	XD_SA_HAS_REPLAY_ESN = 1u << 9, /* REPLAY_ESN_VAL */
	XD_SA_HAS_EXTRA_FLAGS = 1u << 10,
	XD_SA_HAS_LASTUSED = 1u << 11,
	XD_SA_HAS_OFFLOAD = 1u << 12,
	XD_SA_HAS_SEC_CTX = 1u << 13,
	XD_SA_HAS_DIR = 1u << 14,
	XD_SA_HAS_PCPU = 1u << 15,
	XD_SA_HAS_TFCPAD = 1u << 16,
	XD_SA_HAS_COADDR = 1u << 17,
	XD_SA_HAS_MTIMER = 1u << 18,
	XD_SA_HAS_NAT_KEEPALIVE = 1u << 19,
	XD_SA_HAS_IPTFS = 1u << 20,
	XD_SA_HAS_SET_MARK_MASK = 1u << 21,
};

/* An algorithm: name and sizes only. */
struct xd_alg {
	const char *name;   /* interned in the snapshot's string pool */
	uint32_t key_bits;  /* as the kernel reports alg_key_len */
	uint32_t icv_bits;  /* AEAD ICV length or auth truncation length; 0 if n/a */
};

/* The algorithm set of an SA; interned (most SAs share one), never NULL. */
struct xd_algs {
	struct xd_alg aead, enc, auth, comp;
};

struct xd_encap {
	uint16_t type;  /* 2 = ESP-in-UDP, 7 = ESP-in-TCP, others raw */
	uint16_t sport; /* host order */
	uint16_t dport; /* host order */
	struct xd_addr oa;
};

struct xd_replay {
	uint32_t oseq;
	uint32_t seq;
	uint32_t oseq_hi; /* ESN only */
	uint32_t seq_hi;  /* ESN only */
	uint32_t bitmap;  /* non-ESN only */
	uint32_t window;  /* effective window in packets (ESN attr wins) */
	uint32_t bmp_len; /* ESN bitmap length in 32-bit words */
};

/* Rarely present attributes, allocated only when one of them is seen. */
struct xd_sa_ext {
	const char *sec_ctx; /* raw bytes as a NUL-terminated string (renderers escape) */
	struct xd_addr coaddr;
	int32_t offload_ifindex;
	uint8_t offload_flags;
	uint32_t pcpu;
	uint32_t tfcpad;
	uint32_t mtimer_thresh_s;
	uint32_t nat_keepalive_interval_s;
	uint32_t set_mark_mask;
	uint32_t iptfs_drop_time_us;
	uint32_t iptfs_init_delay_us;
	uint32_t iptfs_max_qsize;
	uint32_t iptfs_pkt_size;
	uint16_t iptfs_reorder_window;
	bool iptfs_dont_frag;
};

/* Kernel XFRM_MODE_* values the checks reason about; the model keeps the raw number. */
#define XD_MODE_TRANSPORT 0
#define XD_MODE_TUNNEL 1
#define XD_MODE_BEET 4
#define XD_MODE_IPTFS 5 /* IP-TFS (RFC 9347), Linux 6.14 */

/*
 * Tunnel semantics: inner packets travel in an outer IP header between the SA's or template's
 * endpoints, so fwd policies, ip_forward, firewall paths between the gateways and peer
 * pairing apply. IP-TFS is tunnel mode whose inner packets are aggregated and fragmented.
 */
static inline bool xd_mode_is_tunnel_like(uint8_t mode)
{
	return mode == XD_MODE_TUNNEL || mode == XD_MODE_IPTFS;
}

/* xfrm_user_offload.flags (uapi xfrm.h); XFRM_OFFLOAD_PACKET since Linux 6.2 */
#define XD_OFFLOAD_PACKET 4

struct xd_sa {
	struct xd_selector sel;
	struct xd_addr daddr; /* id.daddr */
	struct xd_addr saddr;
	uint32_t spi;         /* host order */
	uint32_t reqid;
	uint32_t km_seq;      /* usersa_info.seq: the key manager's acquire sequence */
	uint32_t has;         /* enum xd_sa_has */
	uint16_t family;
	uint8_t proto;        /* IPPROTO_ESP 50, AH 51, COMP 108, raw otherwise */
	uint8_t mode;         /* kernel XFRM_MODE_* value */
	uint8_t replay_window_u8; /* usersa_info.replay_window (legacy field) */
	uint8_t flags;        /* kernel XFRM_STATE_* bits */
	uint8_t dir;          /* XFRMA_SA_DIR: 1 in, 2 out (only with XD_SA_HAS_DIR) */
	const struct xd_lifetime_cfg *lft; /* interned, never NULL */
	struct xd_lifetime_cur curlft;
	uint32_t stats_replay_window; /* packets older than the window */
	uint32_t stats_replay;        /* duplicates */
	uint32_t stats_integrity_failed;
	uint32_t extra_flags;
	uint32_t if_id;
	uint32_t set_mark;
	struct xd_mark mark;
	const struct xd_algs *algs; /* interned, never NULL */
	struct xd_encap encap;
	struct xd_replay replay;
	uint64_t lastused;
	struct xd_sa_ext *ext;
};

/*
 * Packet offload (full offload): the NIC does the whole ESP processing, so the SA's packets
 * never pass netfilter as ESP nor the kernel's XFRM error counters (xfrm_stat); its
 * counters come from the driver. Crypto offload alone (without the flag) changes neither.
 */
static inline bool xd_sa_is_packet_offload(const struct xd_sa *sa)
{
	return sa->ext && sa->ext->offload_ifindex > 0 &&
	       (sa->ext->offload_flags & XD_OFFLOAD_PACKET);
}

enum xd_policy_has {
	XD_POL_HAS_MARK = 1u << 0,
	XD_POL_HAS_IF_ID = 1u << 1,
	XD_POL_HAS_TYPE = 1u << 2,
	XD_POL_HAS_SEC_CTX = 1u << 3,
	XD_POL_HAS_OFFLOAD = 1u << 4,
};

struct xd_tmpl {
	struct xd_addr daddr; /* tunnel endpoint (tunnel mode) */
	struct xd_addr saddr;
	uint32_t spi;  /* host order, 0 = any */
	uint32_t reqid;
	uint32_t aalgos;
	uint32_t ealgos;
	uint32_t calgos;
	uint16_t family; /* encapsulation family */
	uint8_t proto;
	uint8_t mode;
	uint8_t share;
	uint8_t optional;
};

struct xd_policy {
	struct xd_selector sel;
	const struct xd_lifetime_cfg *lft; /* interned, never NULL */
	struct xd_lifetime_cur curlft;
	uint32_t priority;
	uint32_t index;
	uint32_t has; /* enum xd_policy_has */
	uint8_t dir;  /* 0 in, 1 out, 2 fwd, 3/4 socket in/out; others raw */
	uint8_t action;
	uint8_t flags;
	uint8_t share;
	uint8_t type; /* XFRMA_POLICY_TYPE: 0 main, 1 sub */
	struct xd_mark mark;
	uint32_t if_id;
	uint32_t tmpl_first; /* index into snapshot->tmpls */
	uint32_t tmpl_count;
	const char *sec_ctx;
	int32_t offload_ifindex;
	uint8_t offload_flags;
};

struct xd_sadinfo {
	bool present;
	uint32_t count;
	uint32_t hash_count;
	uint32_t hash_max;
};

struct xd_spdinfo {
	bool present;
	uint32_t in, out, fwd;
	uint32_t sock_in, sock_out, sock_fwd;
	uint32_t hash_count, hash_max;
	bool has_hthresh;
	uint8_t v4_lbits, v4_rbits, v6_lbits, v6_rbits;
};

/* Kernel default policy per direction (5.15+): 0 unset, 1 block, 2 accept. */
struct xd_default_policy {
	bool present;
	uint8_t in, fwd, out;
};

struct xd_counter {
	const char *name; /* interned */
	uint64_t value;
};

struct xd_xfrm_stat {
	bool present;
	struct xd_vec counters; /* struct xd_counter, in file order */
};

/* Where a decode problem was found; becomes a tool.decode_issue finding. */
struct xd_decode_issue {
	int code;               /* -errno */
	enum xd_dump dump;
	uint32_t record;        /* record number within the dump */
	uint32_t offset;        /* byte offset in the record */
	uint16_t nlmsg_type;
	uint16_t attr;          /* attribute type, 0 = message level */
	const char *what;       /* static description */
};

enum xd_source {
	XD_SOURCE_LIVE,
	XD_SOURCE_SNAPSHOT,
	XD_SOURCE_DAEMON, /* live, kept current by xfrmd and served over its socket */
};

/* Facts about where a snapshot came from; identical live and replayed except `source`. */
struct xd_meta {
	enum xd_source source;
	char tool[64];
	char kernel_release[128];
	char machine[32];
	char byte_order[8];
	char netns[64];
	int64_t captured_at; /* epoch seconds UTC */
	uint32_t captured_at_ns;
	enum xd_dump_status dump_status[_XD_DUMP_MAX];
	int dump_error[_XD_DUMP_MAX]; /* -errno for denied/error, 0 otherwise */
	uint32_t dump_attempts[_XD_DUMP_MAX];
	uint32_t keys_scrubbed_on_load; /* non-zero key spans found in a snapshot */
};

/* "live", "snapshot" or "daemon" (meta.source in JSON). */
const char *xd_source_name(enum xd_source s);

/* uname(2) of the kernel the snapshot was taken on. */
struct xd_uname {
	bool present;
	const char *sysname, *release, *version, *machine;
};

enum xd_link_has {
	XD_LINK_HAS_OPERSTATE = 1u << 0,
	XD_LINK_HAS_XFRM_IF_ID = 1u << 1,
	XD_LINK_HAS_XFRM_LINK = 1u << 2,
	XD_LINK_HAS_VTI_IKEY = 1u << 3,
	XD_LINK_HAS_VTI_OKEY = 1u << 4,
	XD_LINK_HAS_VTI_LOCAL = 1u << 5,
	XD_LINK_HAS_VTI_REMOTE = 1u << 6,
	XD_LINK_HAS_VTI_LINK = 1u << 7,
};

/* RFC 2863 operational states as the kernel numbers them (IF_OPER_*); others stay raw. */
#define XD_OPER_UNKNOWN 0
#define XD_OPER_NOTPRESENT 1
#define XD_OPER_DOWN 2
#define XD_OPER_LOWERLAYERDOWN 3
#define XD_OPER_DORMANT 5
#define XD_OPER_UP 6

/* A network interface (rtnetlink). */
struct xd_link {
	int32_t ifindex;
	uint32_t flags;   /* IFF_* */
	const char *name; /* interned; renderers escape */
	const char *kind; /* IFLA_INFO_KIND ("xfrm", "vti", "veth"...) or NULL */
	uint32_t has;     /* enum xd_link_has */
	uint8_t operstate; /* IFLA_OPERSTATE, with XD_LINK_HAS_OPERSTATE */
	/* kind "xfrm": the if_id SAs and policies name it by; the lower device; external mode
	 * (collect_md: the if_id comes from per-packet metadata, not from the device) */
	uint32_t xfrm_if_id;
	int32_t xfrm_link;
	bool xfrm_collect_md;
	/* kind "vti"/"vti6": keys in host order (the kernel uses them as the skb mark of the
	 * SA and policy lookups), the outer endpoints (family = vti_family), the lower device */
	uint16_t vti_family;
	uint32_t vti_ikey, vti_okey;
	struct xd_addr vti_local, vti_remote;
	int32_t vti_link;
};

/* A local address (rtnetlink): decides SA direction and what "forwarded" means. */
struct xd_local_addr {
	uint16_t family;
	uint8_t prefixlen;
	int32_t ifindex;
	struct xd_addr addr;
};

struct xd_strpool;
struct xd_arena;
struct xd_fw;
struct xd_kernel;      /* kernel.h */
struct xd_stack_facts; /* stack.h */
struct xd_ike;          /* ike.h */

struct xd_snapshot {
	struct xd_meta meta;
	struct xd_vec sas;      /* struct xd_sa */
	struct xd_vec policies; /* struct xd_policy */
	struct xd_vec tmpls;    /* struct xd_tmpl */
	struct xd_sadinfo sadinfo;
	struct xd_spdinfo spdinfo;
	struct xd_default_policy defaults;
	struct xd_xfrm_stat xfrm_stat;
	struct xd_uname uname;
	struct xd_vec links;    /* struct xd_link */
	struct xd_vec addrs;    /* struct xd_local_addr, sorted by xd_snapshot_sort() */
	struct xd_vec routes;   /* struct xd_route (route.h), in dump order */
	struct xd_vec rules;    /* struct xd_rule (route.h), in dump (= the kernel's) order */
	struct xd_kernel *kernel;     /* kernel profile facts; NULL if none were recorded */
	struct xd_stack_facts *stack; /* IKE stack facts; NULL if none were recorded */
	struct xd_ike *ike;           /* the IKE daemon's own view (ike.h); NULL if none */
	struct xd_vec issues;   /* struct xd_decode_issue */
	/* where a support archive's dump came from ("sos_commands/libreswan/ip_xfrm_state"),
	 * interned; NULL for netlink and snapshot sources (the text records' origin) */
	const char *dump_input[_XD_DUMP_MAX];
	/* why such an input could not be used (the text records' reason), interned or NULL */
	const char *dump_reason[_XD_DUMP_MAX];
	struct xd_certs certs;  /* the IKE daemon's credentials (cert.h) */
	uint64_t unknown_attrs; /* attributes skipped because the type is unknown */
	uint64_t ignored_msgs;  /* messages of a type the decoder does not consume */
	struct xd_fw *fw;       /* firewall (fw-model.h), NULL until a firewall record is seen */
	/* the views derived from all of the above, once, by xd_snapshot_sort() (views.c);
	 * NULL before (or when their allocation failed) */
	struct xd_snapshot_views *views;
	struct xd_strpool *pool;
	struct xd_arena *arena;
};

int xd_snapshot_new(struct xd_snapshot **ret);
struct xd_snapshot *xd_snapshot_free(struct xd_snapshot *s);

/* Intern a string of at most len bytes (stops at NUL). NULL on allocation failure. */
const char *xd_snapshot_intern(struct xd_snapshot *s, const char *str, size_t len);
/* Intern an arbitrary blob (lifetime configurations, algorithm sets): equal blobs share one
 * copy. Returns NULL on allocation failure. */
const void *xd_snapshot_intern_blob(struct xd_snapshot *s, const void *data, size_t len);
/* Interned shared defaults used when interning fails. */
extern const struct xd_lifetime_cfg xd_lifetime_none;
extern const struct xd_algs xd_algs_none;

/* Zeroed memory owned by the snapshot. */
void *xd_snapshot_alloc(struct xd_snapshot *s, size_t size);

/* Record a decode issue; never fails the caller (an allocation failure just loses the issue). */
void xd_snapshot_add_issue(struct xd_snapshot *s, const struct xd_decode_issue *issue);

/*
 * Sort SAs, policies and addresses into the documented deterministic order and derive the
 * views every consumer shares (the kernel profile, kernel.h; the IKE stack view, stack.h);
 * call once after decoding, before lookups. The snapshot is not changed after this.
 */
void xd_snapshot_sort(struct xd_snapshot *s);
/* The second half of xd_snapshot_sort(): compute s->views (views.c). */
void xd_snapshot_derive_views(struct xd_snapshot *s);

/* Is this one of the host's own addresses? Needs the rtnl.addr dump (see has_local_addrs). */
bool xd_snapshot_is_local(const struct xd_snapshot *s, uint16_t family, const struct xd_addr *a);
/* True when local addresses were collected, so "not local" means something. */
bool xd_snapshot_has_local_addrs(const struct xd_snapshot *s);
/* For the firewall's address-type matches: 1 a local address, -1 not, 0 not known (no
 * address dump, or the loopback prefix beyond its listed address). */
int xd_snapshot_addr_local(const struct xd_snapshot *s, uint16_t family, const struct xd_addr *a);
/* Is a the only address of its family on interface ifindex (IPv6 link-local ones aside)?
 * Then masquerade out of that interface keeps it as the source. */
bool xd_snapshot_only_addr(const struct xd_snapshot *s, uint16_t family, int32_t ifindex,
			   const struct xd_addr *a);
/* The SA with this (family, daddr, spi, proto) in a sorted snapshot, or NULL. */
const struct xd_sa *xd_snapshot_find_sa(const struct xd_snapshot *s, uint16_t family,
					const struct xd_addr *daddr, uint32_t spi, uint8_t proto);
/* Interface by index, or NULL. */
const struct xd_link *xd_snapshot_link(const struct xd_snapshot *s, int32_t ifindex);

/* ESP, AH and IPComp as 0, 1, 2 (for per-protocol tables); -1 for any other protocol. */
static inline int xd_ipsec_proto_index(uint8_t proto)
{
	return proto == 50 ? 0 : proto == 51 ? 1 : proto == 108 ? 2 : -1;
}

static inline size_t xd_snapshot_sa_count(const struct xd_snapshot *s)
{
	return s->sas.len;
}
static inline const struct xd_sa *xd_snapshot_sa(const struct xd_snapshot *s, size_t i)
{
	return xd_vec_at(&s->sas, i);
}
static inline const struct xd_policy *xd_snapshot_policy(const struct xd_snapshot *s, size_t i)
{
	return xd_vec_at(&s->policies, i);
}
static inline const struct xd_tmpl *xd_policy_tmpl(const struct xd_snapshot *s,
						   const struct xd_policy *p, size_t i)
{
	return xd_vec_at(&s->tmpls, p->tmpl_first + i);
}

static inline void xd_snapshot_freep(struct xd_snapshot **s)
{
	xd_snapshot_free(*s);
}
