/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * decode-iptables.c: legacy iptables tables (file records framed by ipt-record.h) -> the
 * same chain/rule shape as nf_tables, with rules of backend XD_FW_LEGACY: the ipt_ip head,
 * xt matches as match expressions, and the target as a target expression. Every offset in
 * the blob is bounds-checked; a table whose entry chain cannot be walked is dropped whole
 * (a partial legacy table would give wrong verdicts) and reported.
 */
/* glibc's netinet/in.h must come before the UAPI headers (linux/libc-compat.h) */
#include <netinet/in.h>

#include <errno.h>
#include <linux/netfilter_ipv4/ip_tables.h>
#include <linux/netfilter_ipv6/ip6_tables.h>
#include <stddef.h>
#include <string.h>

#include "decode-nft.h"
#include "xfrmd/decode.h"
#include "xfrmd/fw-model.h"
#include "xfrmd/ipt-record.h"
#include "xfrmd/model.h"

#define XT_ENTRY_HDR 32 /* struct xt_entry_match / xt_entry_target header */
#define MAX_CHAINS 4096

static const char *const builtin_names[XD_IPT_HOOKS] = {
	"PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING",
};

static void issue(struct xd_snapshot *s, enum xd_dump d, uint32_t off, const char *what)
{
	struct xd_decode_issue i = { .code = -EBADMSG, .dump = d, .offset = off, .what = what };

	xd_snapshot_add_issue(s, &i);
}

/* iptables' standard priorities per table and hook (uapi netfilter_ipv4.h). */
static int32_t table_prio(const char *table, unsigned hook)
{
	if (strcmp(table, "raw") == 0)
		return -300;
	if (strcmp(table, "mangle") == 0)
		return -150;
	if (strcmp(table, "security") == 0)
		return 50;
	if (strcmp(table, "nat") == 0)
		return hook == XD_HOOK_PREROUTING || hook == XD_HOOK_OUTPUT ? -100 : 100;
	return 0; /* filter and anything unknown */
}

/* One walked entry, in host terms. */
struct ent {
	uint32_t off;
	uint16_t target_offset, next_offset;
	struct xd_ipt_ip ip;
};

/* struct ipt_ip and struct ip6t_ip6 name their members alike; addresses are alen bytes. */
#define COPY_IPT_IP(to, from, alen)                                             \
	do {                                                                    \
		memcpy((to)->src, &(from)->src, (alen));                        \
		memcpy((to)->smsk, &(from)->smsk, (alen));                      \
		memcpy((to)->dst, &(from)->dst, (alen));                        \
		memcpy((to)->dmsk, &(from)->dmsk, (alen));                      \
		memcpy((to)->iniface, (from)->iniface, 16);                     \
		memcpy((to)->outiface, (from)->outiface, 16);                   \
		memcpy((to)->iniface_mask, (from)->iniface_mask, 16);           \
		memcpy((to)->outiface_mask, (from)->outiface_mask, 16);         \
		(to)->proto = (from)->proto;                                    \
		(to)->flags = (from)->flags;                                    \
		(to)->invflags = (from)->invflags;                              \
	} while (0)

static bool read_entry(const uint8_t *blob, uint32_t size, uint32_t off, uint8_t family,
		       struct ent *e)
{
	memset(e, 0, sizeof(*e));
	e->off = off;
	if (family == AF_INET) {
		struct ipt_entry ie;
		if (size < sizeof(ie) || off > size - sizeof(ie))
			return false;
		memcpy(&ie, blob + off, sizeof(ie));
		e->target_offset = ie.target_offset;
		e->next_offset = ie.next_offset;
		COPY_IPT_IP(&e->ip, &ie.ip, 4);
		if (e->target_offset < sizeof(ie))
			return false;
	} else {
		struct ip6t_entry ie;
		if (size < sizeof(ie) || off > size - sizeof(ie))
			return false;
		memcpy(&ie, blob + off, sizeof(ie));
		e->target_offset = ie.target_offset;
		e->next_offset = ie.next_offset;
		COPY_IPT_IP(&e->ip, &ie.ipv6, 16);
		if (e->target_offset < sizeof(ie))
			return false;
	}
	e->ip.iniface[15] = e->ip.outiface[15] = '\0';
	return e->next_offset >= e->target_offset + XT_ENTRY_HDR && e->next_offset % 8 == 0 &&
	       e->next_offset <= size - off;
}

/* Name of the target of an entry; its data follows. */
static void target_of(const uint8_t *blob, const struct ent *e, char name[30], uint8_t *rev,
		      const uint8_t **data, size_t *dlen)
{
	const uint8_t *t = blob + e->off + e->target_offset;
	uint16_t tsize;

	memcpy(&tsize, t, 2);
	if (tsize < XT_ENTRY_HDR || tsize > e->next_offset - e->target_offset)
		tsize = (uint16_t)(e->next_offset - e->target_offset);
	memcpy(name, t + 2, 29);
	name[29] = '\0';
	*rev = t[31];
	*data = t + XT_ENTRY_HDR;
	*dlen = tsize - XT_ENTRY_HDR;
}

struct table_ctx {
	struct xd_snapshot *s;
	struct xd_fw *fw;
	enum xd_dump dump;
	const struct xd_ipt_record_hdr *h;
	const uint8_t *blob;
	uint8_t family;
	const char *table;
	size_t chain_first; /* first chain of this table in fw->chains */
	size_t rule_first;
};

/* The chain (of this table) that starts at byte offset `off`, or NULL. */
static const char *chain_at(struct table_ctx *t, uint32_t off)
{
	for (size_t i = t->chain_first; i < t->fw->chains.len; i++) {
		const struct xd_fw_chain *c = xd_vec_at(&t->fw->chains, i);
		if (c->legacy_offset == off)
			return c->name;
	}
	return NULL;
}

static int add_rule(struct table_ctx *t, const struct ent *e, const char *chain)
{
	struct xd_fw *fw = t->fw;
	struct xd_fw_rule *ru;
	struct xd_ipt_ip *ip;
	size_t first = fw->exprs.len;
	uint32_t moff = (uint32_t)(t->family == AF_INET ? sizeof(struct ipt_entry)
						      : sizeof(struct ip6t_entry));
	char name[30];
	uint8_t rev;
	const uint8_t *data;
	size_t dlen;

	/* matches */
	while (moff < e->target_offset) {
		const uint8_t *m = t->blob + e->off + moff;
		uint16_t msize;
		struct xd_fw_expr *x;

		if (e->target_offset - moff < XT_ENTRY_HDR)
			return -EBADMSG;
		memcpy(&msize, m, 2);
		if (msize < XT_ENTRY_HDR || msize > e->target_offset - moff)
			return -EBADMSG;
		memcpy(name, m + 2, 29);
		name[29] = '\0';
		x = xd_vec_push(&fw->exprs);
		if (!x)
			return -ENOMEM;
		x->kind = XD_FWX_MATCH;
		x->name = "match";
		x->xt = xd_xt_decode(t->s, name, m[31], false, t->family == AF_INET ? 2 : 10,
				     m + XT_ENTRY_HDR, msize - XT_ENTRY_HDR);
		if (!x->xt)
			return -ENOMEM;
		moff += msize;
	}
	/* target */
	struct xd_fw_expr *x = xd_vec_push(&fw->exprs);
	if (!x)
		return -ENOMEM;
	x->kind = XD_FWX_TARGET;
	x->name = "target";
	target_of(t->blob, e, name, &rev, &data, &dlen);
	if (name[0] == '\0') {
		/* XT_STANDARD_TARGET: an int verdict */
		struct xd_xt *xt = xd_snapshot_alloc(t->s, sizeof(*xt));
		int32_t v;
		if (!xt)
			return -ENOMEM;
		x->xt = xt;
		xt->name = "";
		if (dlen < 4)
			return -EBADMSG;
		memcpy(&v, data, 4);
		xt->verdict = v;
		if (v >= 0) {
			bool go = t->family == AF_INET ? e->ip.flags & IPT_F_GOTO
						       : e->ip.flags & IP6T_F_GOTO;
			xt->kind = go ? XD_XT_T_GOTO : XD_XT_T_JUMP;
			/* resolved once every chain head is known */
		} else if (v == -XD_NF_DROP - 1)
			xt->kind = XD_XT_T_DROP;
		else if (v == -XD_NF_ACCEPT - 1)
			xt->kind = XD_XT_T_ACCEPT;
		else if (v == -XD_NF_QUEUE - 1)
			xt->kind = XD_XT_T_QUEUE;
		else if (v == -XD_NF_REPEAT - 1)
			xt->kind = XD_XT_T_RETURN;
		else {
			xt->kind = XD_XT_UNKNOWN;
			xt->undecided_info = true;
		}
	} else {
		x->xt = xd_xt_decode(t->s, name, rev, true, t->family == AF_INET ? 2 : 10, data,
				     dlen);
		if (!x->xt)
			return -ENOMEM;
	}
	x->text = x->xt->name;
	ip = xd_snapshot_alloc(t->s, sizeof(*ip));
	ru = xd_vec_push(&fw->rules);
	if (!ip || !ru)
		return -ENOMEM;
	*ip = e->ip;
	ru->table = t->table;
	ru->chain = chain;
	ru->family = t->family == AF_INET ? XD_NFPROTO_IPV4 : XD_NFPROTO_IPV6;
	ru->backend = XD_FW_LEGACY;
	ru->handle = e->off;
	ru->ipt = ip;
	ru->expr_first = (uint32_t)first;
	ru->expr_count = (uint32_t)(fw->exprs.len - first);
	ru->seq = (uint32_t)(fw->rules.len - 1);
	for (size_t i = first; i < fw->exprs.len; i++) {
		const struct xd_fw_expr *m = xd_vec_at(&fw->exprs, i);
		if (m->xt && m->xt->kind == XD_XT_COMMENT)
			ru->comment = m->xt->comment;
	}
	return 0;
}

static struct xd_fw_chain *new_chain(struct table_ctx *t, const char *name, uint32_t off)
{
	struct xd_fw_chain *c;

	if (t->fw->chains.len - t->chain_first >= MAX_CHAINS)
		return NULL;
	c = xd_vec_push(&t->fw->chains);
	if (!c)
		return NULL;
	c->table = t->table;
	c->name = name;
	c->family = t->family == AF_INET ? XD_NFPROTO_IPV4 : XD_NFPROTO_IPV6;
	c->backend = XD_FW_LEGACY;
	c->legacy_offset = off;
	return c;
}

static int walk_table(struct table_ctx *t)
{
	const struct xd_ipt_record_hdr *h = t->h;
	const char *chain = NULL;
	uint32_t off = 0;
	unsigned n = 0;
	bool ended = false;

	while (off < h->size && !ended) {
		struct ent e;
		char name[30];
		uint8_t rev;
		const uint8_t *data;
		size_t dlen;
		int r;

		if (!read_entry(t->blob, h->size, off, t->family, &e) || ++n > h->num_entries + 1)
			return -EBADMSG;
		for (unsigned k = 0; k < XD_IPT_HOOKS; k++) {
			if (!(h->valid_hooks & (1u << k)) || h->hook_entry[k] != off)
				continue;
			struct xd_fw_chain *c = new_chain(t, builtin_names[k], off);
			if (!c)
				return -ENOMEM;
			c->base = true;
			c->hooknum = k;
			c->prio = table_prio(t->table, k);
			c->type = strcmp(t->table, "nat") == 0 ? "nat" : "filter";
			chain = c->name;
		}
		target_of(t->blob, &e, name, &rev, &data, &dlen);
		if (strcmp(name, "ERROR") == 0) {
			char cname[33];
			size_t l = dlen < 32 ? dlen : 32;
			memcpy(cname, data, l);
			cname[l] = '\0';
			if (strcmp(cname, "ERROR") == 0) {
				ended = true; /* the table terminator */
			} else {
				const char *in = xd_snapshot_intern(t->s, cname, sizeof(cname));
				if (!in || !new_chain(t, in, off + e.next_offset))
					return -ENOMEM;
				chain = in;
			}
		} else {
			bool policy = false;
			for (unsigned k = 0; k < XD_IPT_HOOKS; k++) {
				if (!(h->valid_hooks & (1u << k)) || h->underflow[k] != off)
					continue;
				/* the built-in chain's policy: a standard verdict */
				int32_t v;
				if (name[0] != '\0' || dlen < 4)
					return -EBADMSG;
				memcpy(&v, data, 4);
				for (size_t i = t->chain_first; i < t->fw->chains.len; i++) {
					struct xd_fw_chain *c = xd_vec_at(&t->fw->chains, i);
					if (c->base && c->hooknum == k) {
						c->has_policy = true;
						c->policy = (uint32_t)(-v - 1);
					}
				}
				policy = true;
			}
			if (!policy) {
				if (!chain)
					return -EBADMSG;
				r = add_rule(t, &e, chain);
				if (r < 0)
					return r;
			}
		}
		off += e.next_offset;
	}
	if (!ended)
		return -EBADMSG;
	/* resolve jumps to chain names */
	for (size_t i = t->rule_first; i < t->fw->rules.len; i++) {
		const struct xd_fw_rule *ru = xd_vec_at(&t->fw->rules, i);
		struct xd_fw_expr *x = xd_vec_at(&t->fw->exprs, ru->expr_first + ru->expr_count - 1);
		if (x->xt && (x->xt->kind == XD_XT_T_JUMP || x->xt->kind == XD_XT_T_GOTO)) {
			x->xt->jump = chain_at(t, (uint32_t)x->xt->verdict);
			if (!x->xt->jump)
				x->xt->undecided_info = true;
		}
	}
	return 0;
}

static void names_list(char *dst, size_t size, const char *buf, size_t len)
{
	size_t o = 0;

	for (size_t i = 0; i < len && o + 1 < size; i++) {
		char ch = buf[i];
		if (ch == '\n') {
			if (i + 1 < len)
				dst[o++] = ',';
		} else if (ch >= 0x20 && ch < 0x7f)
			dst[o++] = ch;
	}
	dst[o] = '\0';
}

/**
 * xd_decode_iptables() - decode a legacy iptables record
 * @s: snapshot
 * @dump: XD_DUMP_IPT, _IP6T, _IPT_NAMES or _IP6T_NAMES
 * @buf: record bytes (untrusted)
 * @len: length
 *
 * Returns 0, -ENOMEM, or -EBADMSG when the record is malformed (nothing of it is kept).
 */
int xd_decode_iptables(struct xd_snapshot *s, enum xd_dump dump, const void *buf, size_t len)
{
	struct xd_fw *fw = xd_snapshot_fw(s);
	struct xd_ipt_record_hdr h;
	struct table_ctx t;
	size_t chains0, rules0, exprs0;
	int r;

	if (!fw)
		return -ENOMEM;
	fw->indexed = false;
	if (dump == XD_DUMP_IPT_NAMES || dump == XD_DUMP_IP6T_NAMES) {
		if (dump == XD_DUMP_IPT_NAMES)
			names_list(fw->legacy_names4, sizeof(fw->legacy_names4), buf, len);
		else
			names_list(fw->legacy_names6, sizeof(fw->legacy_names6), buf, len);
		return 0;
	}
	if (len < sizeof(h)) {
		issue(s, dump, 0, "legacy table record too short");
		return -EBADMSG;
	}
	memcpy(&h, buf, sizeof(h));
	if (memcmp(h.magic, XD_IPT_RECORD_MAGIC, 4) != 0 || h.version != XD_IPT_RECORD_VERSION ||
	    h.hdr_len != sizeof(h) || h.size != len - sizeof(h) ||
	    h.family != (dump == XD_DUMP_IPT ? AF_INET : AF_INET6) ||
	    !memchr(h.name, '\0', sizeof(h.name))) {
		issue(s, dump, 0, "legacy table record header invalid");
		return -EBADMSG;
	}
	for (unsigned k = 0; k < XD_IPT_HOOKS; k++)
		if ((h.valid_hooks & (1u << k)) &&
		    (h.hook_entry[k] >= h.size || h.underflow[k] >= h.size)) {
			issue(s, dump, 0, "legacy hook offset outside the table");
			return -EBADMSG;
		}
	fw->legacy_present = true;
	chains0 = fw->chains.len;
	rules0 = fw->rules.len;
	exprs0 = fw->exprs.len;
	t = (struct table_ctx){ .s = s, .fw = fw, .dump = dump, .h = &h,
				.blob = (const uint8_t *)buf + sizeof(h), .family = h.family,
				.table = xd_snapshot_intern(s, h.name, sizeof(h.name)),
				.chain_first = chains0, .rule_first = rules0 };
	if (!t.table)
		return -ENOMEM;
	r = walk_table(&t);
	if (r < 0) {
		/* all or nothing: roll the table back */
		fw->chains.len = chains0;
		fw->rules.len = rules0;
		fw->exprs.len = exprs0;
		if (r == -EBADMSG)
			issue(s, dump, 0, "legacy table entries cannot be walked");
		return r;
	}
	struct xd_fw_table *tab = xd_vec_push(&fw->tables);
	if (!tab)
		return -ENOMEM;
	tab->name = t.table;
	tab->family = h.family == AF_INET ? XD_NFPROTO_IPV4 : XD_NFPROTO_IPV6;
	tab->backend = XD_FW_LEGACY;
	return 0;
}
