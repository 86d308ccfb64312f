/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fw-text.c: a readable one-line form of a rule for traces and `show firewall`. It is close
 * to nft syntax for the common IPsec-relevant shapes (protocol, addresses, ports, interface
 * names, ct state, sets, verdicts) and falls back to a bytecode-like form for the rest. It
 * is a view, never parsed back.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "xfrmd/fw-model.h"

struct out {
	char *buf;
	size_t len, used;
};

__attribute__((format(printf, 2, 3))) static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->used >= o->len)
		return;
	if (o->used && o->buf[o->used - 1] != ' ') {
		o->buf[o->used++] = ' ';
		o->buf[o->used] = '\0';
		if (o->used >= o->len)
			return;
	}
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->used, o->len - o->used, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->used = (size_t)n >= o->len - o->used ? o->len - 1 : o->used + (size_t)n;
}

enum field { F_RAW, F_PROTO, F_ADDR4, F_ADDR6, F_PORT, F_IFNAME, F_CTSTATE, F_CTSTATUS, F_U8 };

const char *xd_fw_meta_name(uint32_t key)
{
	static const char *const n[] = {
		[0] = "length", [1] = "protocol", [2] = "priority", [3] = "mark", [4] = "iif",
		[5] = "oif", [6] = "iifname", [7] = "oifname", [8] = "iiftype", [9] = "oiftype",
		[10] = "skuid", [11] = "skgid", [12] = "nftrace", [13] = "rtclassid",
		[14] = "secmark", [15] = "nfproto", [16] = "l4proto", [17] = "ibrname",
		[18] = "obrname", [19] = "pkttype", [20] = "cpu", [21] = "iifgroup",
		[22] = "oifgroup", [23] = "cgroup", [24] = "random", [25] = "secpath",
		[26] = "iifkind", [27] = "oifkind", [28] = "ibrpvid", [29] = "ibrvproto",
		[30] = "time", [31] = "day", [32] = "hour", [33] = "sdif", [34] = "sdifname",
		[35] = "broute",
	};
	return key < sizeof(n) / sizeof(n[0]) && n[key] ? n[key] : NULL;
}

static const char *ct_name(uint32_t key)
{
	static const char *const n[] = {
		[0] = "state", [1] = "direction", [2] = "status", [3] = "mark", [4] = "secmark",
		[5] = "expiration", [6] = "helper", [7] = "l3proto", [8] = "saddr",
		[9] = "daddr", [10] = "protocol", [11] = "proto-src", [12] = "proto-dst",
		[13] = "label", [14] = "packets", [15] = "bytes", [16] = "avgpkt", [17] = "zone",
		[18] = "event", [19] = "ip saddr", [20] = "ip daddr", [21] = "ip6 saddr",
		[22] = "ip6 daddr", [23] = "id",
	};
	return key < sizeof(n) / sizeof(n[0]) && n[key] ? n[key] : NULL;
}

/* `ct status` bits as nft names them, "|"-separated; false when a bit has no name */
static bool put_ct_status(struct out *o, const char *prefix, uint32_t v)
{
	static const char *const n[] = { "expected", "seen-reply", "assured", "confirmed",
					 "snat", "dnat", NULL, NULL, NULL, "dying" };
	char s[96];
	size_t used = (size_t)snprintf(s, sizeof(s), "%s", prefix);
	size_t start = used;

	if (!v)
		return false;
	for (unsigned b = 0; b < 32; b++) {
		if (!(v & (1u << b)))
			continue;
		if (b >= sizeof(n) / sizeof(n[0]) || !n[b])
			return false;
		used += (size_t)snprintf(s + used, sizeof(s) - used, "%s%s", used > start ? "|" : "",
					 n[b]);
	}
	put(o, "%s", s);
	return true;
}

static void put_data(struct out *o, const uint8_t *d, size_t len, enum field f)
{
	char a[64];

	if (f == F_ADDR4 && len == 4 && inet_ntop(AF_INET, d, a, sizeof(a))) {
		put(o, "%s", a);
		return;
	}
	if (f == F_ADDR6 && len == 16 && inet_ntop(AF_INET6, d, a, sizeof(a))) {
		put(o, "%s", a);
		return;
	}
	if (f == F_PORT && len == 2) {
		put(o, "%u", (unsigned)d[0] << 8 | d[1]);
		return;
	}
	if ((f == F_PROTO || f == F_U8) && len >= 1) {
		put(o, "%u", d[0]);
		return;
	}
	if (f == F_IFNAME) {
		char s[17];
		size_t n = 0;
		for (; n < len && n < 16 && d[n]; n++)
			s[n] = (d[n] >= 0x20 && d[n] < 0x7f && d[n] != '"') ? (char)d[n] : '?';
		s[n] = '\0';
		/* shorter than the full name without a NUL: a prefix match */
		put(o, "\"%s%s\"", s, n == len && len < 16 ? "*" : "");
		return;
	}
	if (f == F_CTSTATE && len == 4) {
		uint32_t v;
		memcpy(&v, d, 4);
		put(o, "0x%x", v);
		return;
	}
	put(o, "0x");
	for (size_t i = 0; i < len && o->used + 3 < o->len; i++)
		o->used += (size_t)snprintf(o->buf + o->used, o->len - o->used, "%02x", d[i]);
}

static const char *verdict_name(int32_t v)
{
	switch (v) {
	case XD_NF_DROP: return "drop";
	case XD_NF_ACCEPT: return "accept";
	case XD_NF_QUEUE: return "queue";
	case XD_NFT_CONTINUE: return "continue";
	case XD_NFT_BREAK: return "break";
	case XD_NFT_JUMP: return "jump";
	case XD_NFT_GOTO: return "goto";
	case XD_NFT_RETURN: return "return";
	default: return "verdict?";
	}
}

static const char *const cmp_ops[] = { "==", "!=", "<", "<=", ">", ">=" };

static void put_xt(struct out *o, const struct xd_xt *x, bool target)
{
	if (!x) {
		put(o, "%s ?", target ? "target" : "match");
		return;
	}
	switch (x->kind) {
	case XD_XT_T_ACCEPT: put(o, "-j ACCEPT"); return;
	case XD_XT_T_DROP: put(o, "-j DROP"); return;
	case XD_XT_T_RETURN: put(o, "-j RETURN"); return;
	case XD_XT_T_JUMP: put(o, "-j %s", x->jump ? x->jump : "?"); return;
	case XD_XT_T_GOTO: put(o, "-g %s", x->jump ? x->jump : "?"); return;
	case XD_XT_T_QUEUE: put(o, "-j QUEUE"); return;
	case XD_XT_COMMENT: put(o, "-m comment"); return;
	case XD_XT_UDP:
	case XD_XT_TCP:
		put(o, "-m %s", x->name);
		if (x->sport[0] || x->sport[1] != 0xffff)
			put(o, "%s--sport %u:%u", x->invflags & 1 ? "! " : "", x->sport[0], x->sport[1]);
		if (x->dport[0] || x->dport[1] != 0xffff)
			put(o, "%s--dport %u:%u", x->invflags & 2 ? "! " : "", x->dport[0], x->dport[1]);
		return;
	case XD_XT_MULTIPORT:
		put(o, "-m multiport %s", x->mp_flags == 1 ? "--sports" : x->mp_flags == 2 ? "--dports" : "--ports");
		for (unsigned i = 0; i < x->nports; i++)
			put(o, "%u", x->ports[i]);
		return;
	case XD_XT_ESP:
	case XD_XT_AH:
		put(o, "-m %s", x->name);
		return;
	case XD_XT_STATE:
	case XD_XT_CONNTRACK:
		put(o, "-m %s state 0x%x", x->name, x->state_mask);
		return;
	case XD_XT_POLICY:
		put(o, "-m policy --dir %s --pol %s", x->pol_flags & 1 ? "in" : "out",
		    x->pol_flags & 4 ? "none" : "ipsec");
		return;
	default:
		put(o, "%s %s%s", target ? "-j" : "-m", x->name ? x->name : "?",
		    x->undecided_info ? "(?)" : "");
	}
}

static void put_legacy_head(struct out *o, const struct xd_fw_rule *r)
{
	const struct xd_ipt_ip *ip = r->ipt;
	size_t n = r->family == XD_NFPROTO_IPV4 ? 4 : 16;
	int af = r->family == XD_NFPROTO_IPV4 ? AF_INET : AF_INET6;
	char a[64], m[64];
	bool any;

	for (int side = 0; side < 2; side++) {
		const uint8_t *addr = side ? ip->dst : ip->src, *msk = side ? ip->dmsk : ip->smsk;
		any = true;
		for (size_t i = 0; i < n; i++)
			any &= msk[i] == 0;
		if (any)
			continue;
		unsigned bits = 0;
		for (size_t i = 0; i < n; i++)
			bits += (unsigned)__builtin_popcount(msk[i]);
		inet_ntop(af, addr, a, sizeof(a));
		(void)m;
		put(o, "%s%s %s/%u", ip->invflags & (side ? 0x10 : 0x08) ? "! " : "", side ? "-d" : "-s",
		    a, bits);
	}
	if (ip->iniface[0])
		put(o, "%s-i %.16s", ip->invflags & 1 ? "! " : "", ip->iniface);
	if (ip->outiface[0])
		put(o, "%s-o %.16s", ip->invflags & 2 ? "! " : "", ip->outiface);
	if (ip->proto)
		put(o, "%s-p %u", ip->invflags & 0x40 ? "! " : "", ip->proto);
}

/**
 * xd_fw_rule_text() - one readable line for a rule
 * @fw: model
 * @r: the rule
 * @buf: output buffer
 * @len: its size
 *
 * Returns buf (always NUL-terminated).
 */
const char *xd_fw_rule_text(const struct xd_fw *fw, const struct xd_fw_rule *r, char *buf,
			    size_t len)
{
	struct out o = { .buf = buf, .len = len };
	enum field last[24] = { 0 }; /* per register: what was loaded */

	if (!len)
		return buf;
	buf[0] = '\0';
	if (r->ipt)
		put_legacy_head(&o, r);
	for (uint32_t i = 0; i < r->expr_count; i++) {
		const struct xd_fw_expr *e = xd_fw_expr_at(fw, r->expr_first + i);
		uint32_t dr = e->dreg < 24 ? e->dreg : 0, sr = e->sreg < 24 ? e->sreg : 0;

		switch (e->kind) {
		case XD_FWX_PAYLOAD:
			if (e->write) {
				put(&o, "payload write @%u,%u,%u", e->base, e->offset, e->len);
				break;
			}
			if (e->base == 1 && e->offset == 9 && e->len == 1)
				put(&o, "ip protocol"), last[dr] = F_PROTO;
			else if (e->base == 1 && (e->offset == 12 || e->offset == 16) && e->len <= 4)
				put(&o, "ip %s", e->offset == 12 ? "saddr" : "daddr"),
					last[dr] = e->len == 4 ? F_ADDR4 : F_RAW;
			else if (e->base == 1 && e->offset == 6 && e->len == 1)
				put(&o, "ip6 nexthdr"), last[dr] = F_PROTO;
			else if (e->base == 1 && (e->offset == 8 || e->offset == 24) && e->len <= 16)
				put(&o, "ip6 %s", e->offset == 8 ? "saddr" : "daddr"),
					last[dr] = e->len == 16 ? F_ADDR6 : F_RAW;
			else if (e->base == 2 && (e->offset == 0 || e->offset == 2) && e->len == 2)
				put(&o, "th %s", e->offset == 0 ? "sport" : "dport"), last[dr] = F_PORT;
			else
				put(&o, "@%s,%u,%u", e->base == 0 ? "ll" : e->base == 1 ? "nh" : e->base == 2 ? "th" : "?",
				    e->offset * 8, e->len * 8),
					last[dr] = F_RAW;
			break;
		case XD_FWX_META: {
			const char *n = xd_fw_meta_name(e->key);
			if (e->write)
				put(&o, "meta %s set", n ? n : "?");
			else if (n)
				put(&o, "meta %s", n);
			else
				put(&o, "meta key %u", e->key);
			last[dr] = e->key == 16 || e->key == 15 || e->key == 25 ? F_U8
				   : e->key == 6 || e->key == 7	   ? F_IFNAME
								   : F_RAW;
			break;
		}
		case XD_FWX_CT: {
			const char *n = ct_name(e->key);
			if (e->write)
				put(&o, "ct %s set", n ? n : "?");
			else if (n)
				put(&o, "ct %s", n);
			else
				put(&o, "ct key %u", e->key);
			last[dr] = e->key == 0 ? F_CTSTATE : e->key == 2 ? F_CTSTATUS : F_RAW;
			break;
		}
		case XD_FWX_CMP:
			put(&o, "%s", e->op < 6 ? cmp_ops[e->op] : "?");
			put_data(&o, e->data, e->data_len, last[sr]);
			break;
		case XD_FWX_RANGE:
			put(&o, "%s", e->op ? "!=" : "");
			put_data(&o, e->data, e->data_len, last[sr]);
			o.used += (size_t)snprintf(o.buf + o.used, o.len - o.used, "-");
			if (o.used >= o.len)
				o.used = o.len - 1;
			put_data(&o, e->data2, e->data2_len, last[sr]);
			break;
		case XD_FWX_BITWISE:
			if (e->op == 0 && last[sr] == F_CTSTATUS && e->len == 4 && i + 1 < r->expr_count) {
				/* `ct status dnat`: the mask, then "!= 0", in nft's words */
				const struct xd_fw_expr *n = xd_fw_expr_at(fw, r->expr_first + i + 1);
				uint32_t m, z = 0;
				memcpy(&m, e->data, 4);
				if (n->kind == XD_FWX_CMP && n->sreg == e->dreg && n->data_len == 4 &&
				    memcmp(n->data, &z, 4) == 0 && (n->op == 0 || n->op == 1) &&
				    !e->data2[0] && !e->data2[1] && !e->data2[2] && !e->data2[3]) {
					if (put_ct_status(&o, n->op == 0 ? "! " : "", m)) {
						i++;
						break;
					}
				}
			}
			if (e->op == 0) {
				put(&o, "&");
				put_data(&o, e->data, e->data_len, F_RAW);
			} else
				put(&o, "bitwise op %u", e->op);
			break;
		case XD_FWX_BYTEORDER:
			break; /* nft hides it too */
		case XD_FWX_LOOKUP:
			if (e->dreg == 0)
				put(&o, "vmap @%s", e->set ? e->set : "?");
			else if (e->dreg != UINT32_MAX)
				put(&o, "map @%s", e->set ? e->set : "?");
			else
				put(&o, "%s@%s", e->flags & 1 ? "!= " : "", e->set ? e->set : "?");
			break;
		case XD_FWX_IMMEDIATE:
			if (e->dreg == 0) {
				if (e->chain)
					put(&o, "%s %s", verdict_name(e->verdict), e->chain);
				else
					put(&o, "%s", verdict_name(e->verdict));
			} else
				put(&o, "immediate");
			break;
		case XD_FWX_XFRM:
			put(&o, "ipsec %s key %u", e->dir ? "out" : "in", e->key);
			break;
		case XD_FWX_RT:
			put(&o, e->key == 4 ? "rt ipsec" : "rt key %u", e->key);
			last[dr] = F_U8;
			break;
		case XD_FWX_COUNTER:
			put(&o, "counter");
			break;
		case XD_FWX_LOG:
			if (e->text)
				put(&o, "log prefix \"%s\"", e->text);
			else
				put(&o, "log");
			break;
		case XD_FWX_REJECT:
			put(&o, "reject");
			break;
		case XD_FWX_NAT:
			put(&o, "%s", e->text ? e->text : "nat");
			break;
		case XD_FWX_MATCH:
			put_xt(&o, e->xt, false);
			break;
		case XD_FWX_TARGET:
			put_xt(&o, e->xt, true);
			break;
		case XD_FWX_LAST:
			break;
		case XD_FWX_EXTHDR: {
			const char *n = e->op != 0 ? NULL
					: e->key == 0	? "hbh"
					: e->key == 43	? "rt"
					: e->key == 44	? "frag"
					: e->key == 60	? "dst"
					: e->key == 51	? "ah"
							: NULL;
			const char *op = e->op == 1 ? "tcp option" : e->op == 2 ? "ip option" : "exthdr";
			if (n)
				put(&o, "exthdr %s", n);
			else
				put(&o, "%s %u", op, e->key);
			if (e->write)
				put(&o, "set");
			else if (e->flags & 1)
				put(&o, "exists");
			else
				put(&o, "@%u,%u", e->offset * 8, e->len * 8);
			last[dr] = F_RAW;
			break;
		}
		case XD_FWX_FIB: {
			/* NFTA_FIB_F_SADDR 1, DADDR 2, MARK 4, IIF 8, OIF 16, PRESENT 32 */
			static const char *const res[] = { "?", "oif", "oifname", "type" };
			put(&o, "fib%s%s%s%s%s %s%s", e->flags & 1 ? " saddr" : "",
			    e->flags & 2 ? " daddr" : "", e->flags & 4 ? " . mark" : "",
			    e->flags & 8 ? " . iif" : "", e->flags & 16 ? " . oif" : "",
			    e->key < 4 ? res[e->key] : "?", e->flags & 32 ? " exists" : "");
			last[dr] = e->key == 2 ? F_IFNAME : F_RAW;
			break;
		}
		default:
			put(&o, "%s", e->name ? e->name : "?");
		}
	}
	if (r->comment) {
		char c[64];
		size_t n = 0;
		for (const char *p = r->comment; *p && n < sizeof(c) - 1; p++)
			c[n++] = (*p >= 0x20 && *p < 0x7f && *p != '"') ? *p : '?';
		c[n] = '\0';
		put(&o, "comment \"%s\"", c);
	}
	return buf;
}
