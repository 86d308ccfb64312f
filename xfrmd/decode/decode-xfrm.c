/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * decode-xfrm.c: turns XFRM netlink datagrams (dump elements and replies) into model objects.
 * Never sees key bytes (they are zeroed before, and only name and length are read). Never
 * fails a whole dump for one bad attribute: the attribute becomes a decode issue and the
 * object keeps what was valid. Framing errors end the record with -EBADMSG.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <string.h>

#include "nl-walk.h"
#include "xfrm-uapi.h"
#include "xfrmd/decode.h"
#include "xfrmd/model.h"

/* The last value interned and the bytes it came from: the SAs of a dump repeat their
 * lifetimes and algorithms, and comparing with the previous one is cheaper than a pool
 * lookup. */
struct memo {
	const void *out;
	size_t len;
	unsigned char in[64];
};

struct ctx {
	struct xd_snapshot *s;
	enum xd_dump dump;
	const unsigned char *base; /* start of the record, for issue offsets */
	uint16_t nlmsg_type;
	struct memo lft, algs, alg_name;
};

/* The memo holds `data`: compared a word at a time, inline (a call into libc's memcmp per
 * SA cost more than the compare under emulation). */
static bool memo_holds(const struct memo *m, const void *data, size_t len)
{
	const unsigned char *d = data;
	uint64_t x = 0, a, b;
	size_t i = 0;

	if (!m->out || m->len != len)
		return false;
	for (; i + 8 <= len; i += 8) {
		memcpy(&a, m->in + i, 8);
		memcpy(&b, d + i, 8);
		x |= a ^ b;
	}
	for (; i < len; i++)
		x |= (uint64_t)(m->in[i] ^ d[i]);
	return x == 0;
}

/* Intern `len` bytes (a string when `str`), through the memo. */
static const void *intern_memo(struct ctx *c, struct memo *m, const void *data, size_t len,
			       bool str)
{
	const void *r;

	if (memo_holds(m, data, len))
		return m->out;
	r = str ? (const void *)xd_snapshot_intern(c->s, data, len)
		: xd_snapshot_intern_blob(c->s, data, len);
	if (r && len <= sizeof(m->in)) {
		memcpy(m->in, data, len);
		m->len = len;
		m->out = r;
	}
	return r;
}

static void issue(struct ctx *c, const void *at, uint16_t attr, int code, const char *what)
{
	struct xd_decode_issue i = {
		.code = code,
		.dump = c->dump,
		.offset = (uint32_t)((const unsigned char *)at - c->base),
		.nlmsg_type = c->nlmsg_type,
		.attr = attr,
		.what = what,
	};
	xd_snapshot_add_issue(c->s, &i);
}

/* Minimum payload length per attribute type; 0 = not consumed (skipped silently). */
static const uint16_t attr_minlen[XD_XFRMA_KNOWN_MAX + 1] = {
	[XFRMA_ALG_AUTH] = sizeof(struct xfrm_algo),
	[XFRMA_ALG_CRYPT] = sizeof(struct xfrm_algo),
	[XFRMA_ALG_COMP] = sizeof(struct xfrm_algo),
	[XFRMA_ENCAP] = sizeof(struct xfrm_encap_tmpl),
	[XFRMA_TMPL] = sizeof(struct xfrm_user_tmpl),
	[XFRMA_SEC_CTX] = sizeof(struct xfrm_user_sec_ctx),
	[XFRMA_REPLAY_VAL] = sizeof(struct xfrm_replay_state),
	[XFRMA_COADDR] = sizeof(xfrm_address_t),
	[XFRMA_LASTUSED] = sizeof(uint64_t),
	[XFRMA_POLICY_TYPE] = sizeof(struct xfrm_userpolicy_type),
	[XFRMA_ALG_AEAD] = sizeof(struct xfrm_algo_aead),
	[XFRMA_ALG_AUTH_TRUNC] = sizeof(struct xfrm_algo_auth),
	[XFRMA_MARK] = sizeof(struct xfrm_mark),
	[XFRMA_TFCPAD] = sizeof(uint32_t),
	[XFRMA_REPLAY_ESN_VAL] = sizeof(struct xfrm_replay_state_esn),
	[XFRMA_SA_EXTRA_FLAGS] = sizeof(uint32_t),
	[XFRMA_OFFLOAD_DEV] = sizeof(struct xfrm_user_offload),
	[XFRMA_SET_MARK] = sizeof(uint32_t),
	[XFRMA_SET_MARK_MASK] = sizeof(uint32_t),
	[XFRMA_IF_ID] = sizeof(uint32_t),
	[XFRMA_MTIMER_THRESH] = sizeof(uint32_t),
	[XD_XFRMA_SA_DIR] = sizeof(uint8_t),
	[XD_XFRMA_NAT_KEEPALIVE_INTERVAL] = sizeof(uint32_t),
	[XD_XFRMA_SA_PCPU] = sizeof(uint32_t),
	[XD_XFRMA_IPTFS_DROP_TIME] = sizeof(uint32_t),
	[XD_XFRMA_IPTFS_REORDER_WINDOW] = sizeof(uint16_t),
	[XD_XFRMA_IPTFS_INIT_DELAY] = sizeof(uint32_t),
	[XD_XFRMA_IPTFS_MAX_QSIZE] = sizeof(uint32_t),
	[XD_XFRMA_IPTFS_PKT_SIZE] = sizeof(uint32_t),
};

static uint32_t get_u32(const struct nlattr *a)
{
	uint32_t v;
	memcpy(&v, xd_attr_payload(a), sizeof(v));
	return v;
}

static void copy_addr(struct xd_addr *dst, const xfrm_address_t *src)
{
	memcpy(dst->b, src, sizeof(dst->b));
}

static void copy_selector(struct xd_selector *d, const struct xfrm_selector *s)
{
	copy_addr(&d->daddr, &s->daddr);
	copy_addr(&d->saddr, &s->saddr);
	d->dport = ntohs(s->dport);
	d->dport_mask = ntohs(s->dport_mask);
	d->sport = ntohs(s->sport);
	d->sport_mask = ntohs(s->sport_mask);
	d->family = s->family;
	d->prefixlen_d = s->prefixlen_d;
	d->prefixlen_s = s->prefixlen_s;
	d->proto = s->proto;
	d->ifindex = s->ifindex;
	d->user = s->user;
}

/* Lifetime configurations repeat across SAs and policies: store each distinct one once. */
static const struct xd_lifetime_cfg *intern_lft(struct ctx *c, const struct xfrm_lifetime_cfg *s)
{
	struct xd_lifetime_cfg d;
	const struct xd_lifetime_cfg *r;

	d.soft_byte_limit = s->soft_byte_limit;
	d.hard_byte_limit = s->hard_byte_limit;
	d.soft_packet_limit = s->soft_packet_limit;
	d.hard_packet_limit = s->hard_packet_limit;
	d.soft_add_expires_s = s->soft_add_expires_seconds;
	d.hard_add_expires_s = s->hard_add_expires_seconds;
	d.soft_use_expires_s = s->soft_use_expires_seconds;
	d.hard_use_expires_s = s->hard_use_expires_seconds;
	r = intern_memo(c, &c->lft, &d, sizeof(d), false);
	return r ? r : &xd_lifetime_none;
}

static void copy_curlft(struct xd_lifetime_cur *d, const struct xfrm_lifetime_cur *s)
{
	d->bytes = s->bytes;
	d->packets = s->packets;
	d->add_time = s->add_time;
	d->use_time = s->use_time;
}

/*
 * Read an algorithm attribute: name (bounded, NUL checked) and sizes. The key tail is never
 * read; its length is only compared with what alg_key_len claims.
 */
static void read_alg(struct ctx *c, const struct nlattr *a, size_t hdr, struct xd_alg *out)
{
	const char *name = xd_attr_payload(a);
	size_t plen = xd_attr_payload_len(a);
	uint32_t key_bits;
	size_t name_len = strnlen(name, 64);

	if (name_len == 64)
		issue(c, a, xd_attr_type(a), -EBADMSG, "algorithm name not NUL-terminated");
	memcpy(&key_bits, name + 64, sizeof(key_bits));
	out->name = intern_memo(c, &c->alg_name, name, name_len, true);
	out->key_bits = key_bits;
	if (hdr > sizeof(struct xfrm_algo))
		memcpy(&out->icv_bits, name + 68, sizeof(uint32_t));
	if (((uint64_t)key_bits + 7) / 8 > plen - hdr)
		issue(c, a, xd_attr_type(a), -EBADMSG,
		      "algorithm key length larger than the attribute");
}

static struct xd_sa_ext *sa_ext(struct ctx *c, struct xd_sa *sa)
{
	if (!sa->ext)
		sa->ext = xd_snapshot_alloc(c->s, sizeof(*sa->ext));
	return sa->ext;
}

static const char *read_sec_ctx(struct ctx *c, const struct nlattr *a)
{
	struct xfrm_user_sec_ctx h;
	size_t plen = xd_attr_payload_len(a);
	const char *str = (const char *)xd_attr_payload(a) + sizeof(h);

	memcpy(&h, xd_attr_payload(a), sizeof(h));
	if (h.ctx_len > plen - sizeof(h)) {
		issue(c, a, XFRMA_SEC_CTX, -EBADMSG, "security context longer than the attribute");
		return NULL;
	}
	return xd_snapshot_intern(c->s, str, h.ctx_len);
}

/* The SA being decoded and its algorithm set, interned when the message is complete. */
struct sa_dec {
	struct xd_sa *sa;
	struct xd_algs algs;
};

static void sa_attr(struct ctx *c, struct sa_dec *d, const struct nlattr *a)
{
	struct xd_sa *sa = d->sa;
	uint16_t type = xd_attr_type(a);
	size_t plen = xd_attr_payload_len(a);
	struct xd_sa_ext *ext;

	switch (type) {
	case XFRMA_ALG_AEAD:
		read_alg(c, a, sizeof(struct xfrm_algo_aead), &d->algs.aead);
		sa->has |= XD_SA_HAS_AEAD;
		break;
	case XFRMA_ALG_CRYPT:
		read_alg(c, a, sizeof(struct xfrm_algo), &d->algs.enc);
		sa->has |= XD_SA_HAS_ENC;
		break;
	case XFRMA_ALG_AUTH_TRUNC:
		/* Carries the truncation length; the kernel always sends ALG_AUTH alongside. */
		read_alg(c, a, sizeof(struct xfrm_algo_auth), &d->algs.auth);
		sa->has |= XD_SA_HAS_AUTH;
		break;
	case XFRMA_ALG_AUTH:
		if (!(sa->has & XD_SA_HAS_AUTH) || !d->algs.auth.icv_bits) {
			uint32_t trunc = d->algs.auth.icv_bits;
			read_alg(c, a, sizeof(struct xfrm_algo), &d->algs.auth);
			d->algs.auth.icv_bits = trunc;
			sa->has |= XD_SA_HAS_AUTH;
		}
		break;
	case XFRMA_ALG_COMP:
		read_alg(c, a, sizeof(struct xfrm_algo), &d->algs.comp);
		sa->has |= XD_SA_HAS_COMP;
		break;
	case XFRMA_ENCAP: {
		struct xfrm_encap_tmpl e;
		memcpy(&e, xd_attr_payload(a), sizeof(e));
		sa->encap.type = e.encap_type;
		sa->encap.sport = ntohs(e.encap_sport);
		sa->encap.dport = ntohs(e.encap_dport);
		copy_addr(&sa->encap.oa, &e.encap_oa);
		sa->has |= XD_SA_HAS_ENCAP;
		break;
	}
	case XFRMA_MARK: {
		struct xfrm_mark m;
		memcpy(&m, xd_attr_payload(a), sizeof(m));
		sa->mark.v = m.v;
		sa->mark.m = m.m;
		sa->has |= XD_SA_HAS_MARK;
		break;
	}
	case XFRMA_SET_MARK:
		sa->set_mark = get_u32(a);
		sa->has |= XD_SA_HAS_SET_MARK;
		break;
	case XFRMA_IF_ID:
		sa->if_id = get_u32(a);
		sa->has |= XD_SA_HAS_IF_ID;
		break;
	case XFRMA_REPLAY_VAL: {
		struct xfrm_replay_state r;
		memcpy(&r, xd_attr_payload(a), sizeof(r));
		/* ESN state wins when both are present */
		if (!(sa->has & XD_SA_HAS_REPLAY_ESN)) {
			sa->replay.oseq = r.oseq;
			sa->replay.seq = r.seq;
			sa->replay.bitmap = r.bitmap;
		}
		sa->has |= XD_SA_HAS_REPLAY;
		break;
	}
	case XFRMA_REPLAY_ESN_VAL: {
		struct xfrm_replay_state_esn r;
		memcpy(&r, xd_attr_payload(a), sizeof(r));
		if ((uint64_t)r.bmp_len * 4 > plen - sizeof(r))
			issue(c, a, type, -EBADMSG, "ESN bitmap longer than the attribute");
		sa->replay.oseq = r.oseq;
		sa->replay.seq = r.seq;
		sa->replay.oseq_hi = r.oseq_hi;
		sa->replay.seq_hi = r.seq_hi;
		sa->replay.window = r.replay_window;
		sa->replay.bmp_len = r.bmp_len;
		sa->replay.bitmap = 0;
		sa->has |= XD_SA_HAS_REPLAY_ESN;
		break;
	}
	case XFRMA_SA_EXTRA_FLAGS:
		sa->extra_flags = get_u32(a);
		sa->has |= XD_SA_HAS_EXTRA_FLAGS;
		break;
	case XFRMA_LASTUSED:
		memcpy(&sa->lastused, xd_attr_payload(a), sizeof(sa->lastused));
		sa->has |= XD_SA_HAS_LASTUSED;
		break;
	case XD_XFRMA_SA_DIR:
		sa->dir = *(const uint8_t *)xd_attr_payload(a);
		sa->has |= XD_SA_HAS_DIR;
		break;
	default:
		/* the rarely present attributes live in the extension block */
		ext = sa_ext(c, sa);
		if (!ext)
			return;
		switch (type) {
		case XFRMA_SEC_CTX:
			ext->sec_ctx = read_sec_ctx(c, a);
			if (ext->sec_ctx)
				sa->has |= XD_SA_HAS_SEC_CTX;
			break;
		case XFRMA_COADDR:
			copy_addr(&ext->coaddr, xd_attr_payload(a));
			sa->has |= XD_SA_HAS_COADDR;
			break;
		case XFRMA_OFFLOAD_DEV: {
			struct xfrm_user_offload o;
			memcpy(&o, xd_attr_payload(a), sizeof(o));
			ext->offload_ifindex = o.ifindex;
			ext->offload_flags = o.flags;
			sa->has |= XD_SA_HAS_OFFLOAD;
			break;
		}
		case XFRMA_TFCPAD:
			ext->tfcpad = get_u32(a);
			sa->has |= XD_SA_HAS_TFCPAD;
			break;
		case XFRMA_SET_MARK_MASK:
			ext->set_mark_mask = get_u32(a);
			sa->has |= XD_SA_HAS_SET_MARK_MASK;
			break;
		case XFRMA_MTIMER_THRESH:
			ext->mtimer_thresh_s = get_u32(a);
			sa->has |= XD_SA_HAS_MTIMER;
			break;
		case XD_XFRMA_NAT_KEEPALIVE_INTERVAL:
			ext->nat_keepalive_interval_s = get_u32(a);
			sa->has |= XD_SA_HAS_NAT_KEEPALIVE;
			break;
		case XD_XFRMA_SA_PCPU:
			ext->pcpu = get_u32(a);
			sa->has |= XD_SA_HAS_PCPU;
			break;
		case XD_XFRMA_IPTFS_DROP_TIME:
			ext->iptfs_drop_time_us = get_u32(a);
			sa->has |= XD_SA_HAS_IPTFS;
			break;
		case XD_XFRMA_IPTFS_REORDER_WINDOW: {
			uint16_t v;
			memcpy(&v, xd_attr_payload(a), sizeof(v));
			ext->iptfs_reorder_window = v;
			sa->has |= XD_SA_HAS_IPTFS;
			break;
		}
		case XD_XFRMA_IPTFS_DONT_FRAG:
			ext->iptfs_dont_frag = true;
			sa->has |= XD_SA_HAS_IPTFS;
			break;
		case XD_XFRMA_IPTFS_INIT_DELAY:
			ext->iptfs_init_delay_us = get_u32(a);
			sa->has |= XD_SA_HAS_IPTFS;
			break;
		case XD_XFRMA_IPTFS_MAX_QSIZE:
			ext->iptfs_max_qsize = get_u32(a);
			sa->has |= XD_SA_HAS_IPTFS;
			break;
		case XD_XFRMA_IPTFS_PKT_SIZE:
			ext->iptfs_pkt_size = get_u32(a);
			sa->has |= XD_SA_HAS_IPTFS;
			break;
		default:
			break;
		}
	}
}

static int tmpl_add(struct ctx *c, struct xd_policy *p, const struct nlattr *a)
{
	size_t plen = xd_attr_payload_len(a);
	const unsigned char *data = xd_attr_payload(a);
	size_t n = plen / sizeof(struct xfrm_user_tmpl);

	if (plen % sizeof(struct xfrm_user_tmpl))
		issue(c, a, XFRMA_TMPL, -EBADMSG, "template list length not a multiple of 64");
	if (p->tmpl_count) {
		issue(c, a, XFRMA_TMPL, -EBADMSG, "duplicate template attribute");
		return 0;
	}
	p->tmpl_first = (uint32_t)c->s->tmpls.len;
	for (size_t i = 0; i < n; i++) {
		struct xfrm_user_tmpl t;
		struct xd_tmpl *d = xd_vec_push(&c->s->tmpls);

		if (!d)
			return -ENOMEM;
		memcpy(&t, data + i * sizeof(t), sizeof(t));
		copy_addr(&d->daddr, &t.id.daddr);
		copy_addr(&d->saddr, &t.saddr);
		d->spi = ntohl(t.id.spi);
		d->proto = t.id.proto;
		d->family = t.family;
		d->reqid = t.reqid;
		d->mode = t.mode;
		d->share = t.share;
		d->optional = t.optional;
		d->aalgos = t.aalgos;
		d->ealgos = t.ealgos;
		d->calgos = t.calgos;
		p->tmpl_count++;
	}
	return 0;
}

static int policy_attr(struct ctx *c, struct xd_policy *p, const struct nlattr *a)
{
	switch (xd_attr_type(a)) {
	case XFRMA_TMPL:
		return tmpl_add(c, p, a);
	case XFRMA_MARK: {
		struct xfrm_mark m;
		memcpy(&m, xd_attr_payload(a), sizeof(m));
		p->mark.v = m.v;
		p->mark.m = m.m;
		p->has |= XD_POL_HAS_MARK;
		break;
	}
	case XFRMA_IF_ID:
		p->if_id = get_u32(a);
		p->has |= XD_POL_HAS_IF_ID;
		break;
	case XFRMA_POLICY_TYPE: {
		struct xfrm_userpolicy_type t;
		memcpy(&t, xd_attr_payload(a), sizeof(t));
		p->type = t.type;
		p->has |= XD_POL_HAS_TYPE;
		break;
	}
	case XFRMA_SEC_CTX:
		p->sec_ctx = read_sec_ctx(c, a);
		if (p->sec_ctx)
			p->has |= XD_POL_HAS_SEC_CTX;
		break;
	case XFRMA_OFFLOAD_DEV: {
		struct xfrm_user_offload o;
		memcpy(&o, xd_attr_payload(a), sizeof(o));
		p->offload_ifindex = o.ifindex;
		p->offload_flags = o.flags;
		p->has |= XD_POL_HAS_OFFLOAD;
		break;
	}
	default:
		break;
	}
	return 0;
}

/*
 * Walk the attributes after a fixed header, validating each against attr_minlen before the
 * callback sees it. Unknown types are counted and skipped; a broken tail is one issue.
 */
typedef int (*attr_fn)(struct ctx *c, void *obj, const struct nlattr *a);

struct attr_walk {
	struct ctx *c;
	void *obj;
	attr_fn fn;
};

static int info_attr(void *ud, const struct nlattr *a)
{
	struct attr_walk *w = ud;

	return w->fn(w->c, w->obj, a);
}

static int checked_attr(void *ud, const struct nlattr *a)
{
	struct attr_walk *w = ud;
	uint16_t type = xd_attr_type(a);

	if (type > XD_XFRMA_KNOWN_MAX) {
		w->c->s->unknown_attrs++;
		return 0;
	}
	if (a->nla_len - sizeof(*a) < attr_minlen[type]) {
		issue(w->c, a, type, -EBADMSG, "attribute shorter than its type requires");
		return 0;
	}
	return type ? w->fn(w->c, w->obj, a) : 0;
}

static int walk_attrs(struct ctx *c, const struct nlmsghdr *nlh, size_t hdrlen, void *obj,
		      attr_fn fn)
{
	struct attr_walk w = { .c = c, .obj = obj, .fn = fn };
	const void *bad = NULL;
	size_t len;
	const void *start = xd_msg_attrs(nlh, hdrlen, &len);
	int r = xd_walk_attrs(start, len, checked_attr, &w, &bad);

	if (r == 1)
		issue(c, bad, 0, -EBADMSG, "truncated attribute");
	return r < 0 ? r : 0;
}

static int sa_attr_cb(struct ctx *c, void *obj, const struct nlattr *a)
{
	sa_attr(c, obj, a);
	return 0;
}

static int policy_attr_cb(struct ctx *c, void *obj, const struct nlattr *a)
{
	return policy_attr(c, obj, a);
}

static int decode_sa(struct ctx *c, const struct nlmsghdr *nlh)
{
	struct xfrm_usersa_info u;
	struct xd_sa *sa;

	if (nlh->nlmsg_len - NLMSG_HDRLEN < sizeof(u)) {
		issue(c, nlh, 0, -EBADMSG, "SA message shorter than xfrm_usersa_info");
		return 0;
	}
	memcpy(&u, xd_msg_payload(nlh), sizeof(u));
	sa = xd_vec_push(&c->s->sas);
	if (!sa)
		return -ENOMEM;
	copy_selector(&sa->sel, &u.sel);
	copy_addr(&sa->daddr, &u.id.daddr);
	copy_addr(&sa->saddr, &u.saddr);
	sa->spi = ntohl(u.id.spi);
	sa->proto = u.id.proto;
	sa->lft = intern_lft(c, &u.lft);
	copy_curlft(&sa->curlft, &u.curlft);
	sa->stats_replay_window = u.stats.replay_window;
	sa->stats_replay = u.stats.replay;
	sa->stats_integrity_failed = u.stats.integrity_failed;
	sa->km_seq = u.seq;
	sa->reqid = u.reqid;
	sa->family = u.family;
	sa->mode = u.mode;
	sa->replay_window_u8 = u.replay_window;
	sa->replay.window = u.replay_window;
	sa->flags = u.flags;
	struct sa_dec d = { .sa = sa };
	int r = walk_attrs(c, nlh, sizeof(u), &d, sa_attr_cb);
	const struct xd_algs *algs = intern_memo(c, &c->algs, &d.algs, sizeof(d.algs), false);

	sa->algs = algs ? algs : &xd_algs_none;
	return r;
}

static int decode_policy(struct ctx *c, const struct nlmsghdr *nlh)
{
	struct xfrm_userpolicy_info u;
	struct xd_policy *p;

	if (nlh->nlmsg_len - NLMSG_HDRLEN < sizeof(u)) {
		issue(c, nlh, 0, -EBADMSG, "policy message shorter than xfrm_userpolicy_info");
		return 0;
	}
	memcpy(&u, xd_msg_payload(nlh), sizeof(u));
	p = xd_vec_push(&c->s->policies);
	if (!p)
		return -ENOMEM;
	copy_selector(&p->sel, &u.sel);
	p->lft = intern_lft(c, &u.lft);
	copy_curlft(&p->curlft, &u.curlft);
	p->priority = u.priority;
	p->index = u.index;
	p->dir = u.dir;
	p->action = u.action;
	p->flags = u.flags;
	p->share = u.share;
	return walk_attrs(c, nlh, sizeof(u), p, policy_attr_cb);
}

static int sadinfo_attr_cb(struct ctx *c, void *obj, const struct nlattr *a)
{
	struct xd_sadinfo *i = obj;

	switch (xd_attr_type(a)) {
	case XFRMA_SAD_CNT:
		if (xd_attr_payload_len(a) >= 4)
			i->count = get_u32(a);
		break;
	case XFRMA_SAD_HINFO:
		if (xd_attr_payload_len(a) >= sizeof(struct xfrmu_sadhinfo)) {
			struct xfrmu_sadhinfo h;
			memcpy(&h, xd_attr_payload(a), sizeof(h));
			i->hash_count = h.sadhcnt;
			i->hash_max = h.sadhmcnt;
		}
		break;
	default:
		break;
	}
	return 0;
}

static int spdinfo_attr_cb(struct ctx *c, void *obj, const struct nlattr *a)
{
	struct xd_spdinfo *i = obj;
	size_t plen = xd_attr_payload_len(a);

	switch (xd_attr_type(a)) {
	case XFRMA_SPD_INFO:
		if (plen >= sizeof(struct xfrmu_spdinfo)) {
			struct xfrmu_spdinfo v;
			memcpy(&v, xd_attr_payload(a), sizeof(v));
			i->in = v.incnt;
			i->out = v.outcnt;
			i->fwd = v.fwdcnt;
			i->sock_in = v.inscnt;
			i->sock_out = v.outscnt;
			i->sock_fwd = v.fwdscnt;
		}
		break;
	case XFRMA_SPD_HINFO:
		if (plen >= sizeof(struct xfrmu_spdhinfo)) {
			struct xfrmu_spdhinfo h;
			memcpy(&h, xd_attr_payload(a), sizeof(h));
			i->hash_count = h.spdhcnt;
			i->hash_max = h.spdhmcnt;
		}
		break;
	case XFRMA_SPD_IPV4_HTHRESH:
	case XFRMA_SPD_IPV6_HTHRESH:
		if (plen >= sizeof(struct xfrmu_spdhthresh)) {
			struct xfrmu_spdhthresh t;
			memcpy(&t, xd_attr_payload(a), sizeof(t));
			i->has_hthresh = true;
			if (xd_attr_type(a) == XFRMA_SPD_IPV4_HTHRESH) {
				i->v4_lbits = t.lbits;
				i->v4_rbits = t.rbits;
			} else {
				i->v6_lbits = t.lbits;
				i->v6_rbits = t.rbits;
			}
		}
		break;
	default:
		break;
	}
	return 0;
}

/* SADINFO/SPDINFO use their own attribute numbering; walk them without the SA min table. */
static void walk_info(struct ctx *c, const struct nlmsghdr *nlh, void *obj, attr_fn fn)
{
	struct attr_walk w = { .c = c, .obj = obj, .fn = fn };
	const void *bad = NULL;
	size_t len;
	const void *start;

	if (nlh->nlmsg_len - NLMSG_HDRLEN < sizeof(uint32_t)) {
		issue(c, nlh, 0, -EBADMSG, "info message too short");
		return;
	}
	start = xd_msg_attrs(nlh, sizeof(uint32_t), &len);
	if (xd_walk_attrs(start, len, info_attr, &w, &bad) == 1)
		issue(c, bad, 0, -EBADMSG, "truncated attribute");
}

static void decode_default(struct ctx *c, const struct nlmsghdr *nlh)
{
	struct xfrm_userpolicy_default d;

	if (nlh->nlmsg_len - NLMSG_HDRLEN < sizeof(d)) {
		issue(c, nlh, 0, -EBADMSG, "default policy message too short");
		return;
	}
	memcpy(&d, xd_msg_payload(nlh), sizeof(d));
	c->s->defaults.present = true;
	c->s->defaults.in = d.in;
	c->s->defaults.fwd = d.fwd;
	c->s->defaults.out = d.out;
}

static int decode_msg(struct ctx *c, const struct nlmsghdr *nlh)
{
	c->nlmsg_type = nlh->nlmsg_type;
	switch (nlh->nlmsg_type) {
	case NLMSG_NOOP:
	case NLMSG_DONE:
	case NLMSG_ERROR:
		return 0;
	case XFRM_MSG_NEWSA:
	case XFRM_MSG_UPDSA:
		if (c->dump == XD_DUMP_XFRM_SA)
			return decode_sa(c, nlh);
		break;
	case XFRM_MSG_NEWPOLICY:
	case XFRM_MSG_UPDPOLICY:
		if (c->dump == XD_DUMP_XFRM_POLICY)
			return decode_policy(c, nlh);
		break;
	case XFRM_MSG_NEWSADINFO:
		if (c->dump == XD_DUMP_XFRM_SADINFO) {
			c->s->sadinfo.present = true;
			walk_info(c, nlh, &c->s->sadinfo, sadinfo_attr_cb);
			return 0;
		}
		break;
	case XFRM_MSG_NEWSPDINFO:
		if (c->dump == XD_DUMP_XFRM_SPDINFO) {
			c->s->spdinfo.present = true;
			walk_info(c, nlh, &c->s->spdinfo, spdinfo_attr_cb);
			return 0;
		}
		break;
	case XFRM_MSG_GETDEFAULT:
		if (c->dump == XD_DUMP_XFRM_DEFAULT) {
			decode_default(c, nlh);
			return 0;
		}
		break;
	default:
		break;
	}
	c->s->ignored_msgs++;
	return 0;
}

static int decode_msg_cb(void *ud, const struct nlmsghdr *nlh)
{
	return decode_msg(ud, nlh);
}

int xd_decode_xfrm(struct xd_snapshot *s, enum xd_dump dump, const void *buf, size_t len)
{
	struct ctx c = { .s = s, .dump = dump, .base = buf };
	const void *bad = NULL;
	int r = xd_walk_msgs(buf, len, decode_msg_cb, &c, &bad);

	if (r == -EBADMSG)
		issue(&c, bad, 0, -EBADMSG, "netlink message length outside the datagram");
	return r;
}
