/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * decode-xt.c: xtables extension info blobs (iptables-nft compat match/target expressions
 * and legacy iptables entries) -> struct xd_xt. Only the extensions IPsec diagnosis needs
 * are understood; anything else, or any blob shorter than its structure, is kept by name and
 * marked undecided, so the evaluator reports it instead of guessing.
 *
 * Layouts (uapi linux/netfilter/xt_*.h, host byte order, x86-64/aarch64 alignment):
 *   xt_udp   {u16 spts[2], dpts[2]; u8 invflags}                                 10
 *   xt_tcp   {u16 spts[2], dpts[2]; u8 option, flg_mask, flg_cmp, invflags}       12
 *   xt_esp / ipt_ah {u32 spis[2]; u8 invflags}                                    12
 *   xt_multiport {u8 flags, count; u16 ports[15]} (+ u8 pflags[15], invert: rev 1)
 *   xt_state_info {u32 statemask}
 *   xt_conntrack_mtinfo1..3: match_flags at 146, invert_flags 148, state_mask 150
 *   xt_iprange_mtinfo {nf_inet_addr src_min, src_max, dst_min, dst_max; u8 flags}
 *   xt_policy_info {xt_policy_elem pol[4] (76 bytes each); u16 flags, len}
 *   xt_comment_info {char comment[256]}
 *   ip6t_ah  {u32 spis[2]; u32 hdrlen; u8 hdrres, invflags}                       16
 *   ip6t_frag / ip6t_rt / ip6t_opts (frag, rt, hbh, dst): only the header's presence
 *   ipt_icmp / ip6t_icmp {u8 type, code[2], invflags}                             4
 *   xt_recent_mtinfo {u32 seconds, hit_count; u8 check_set, invert; …}
 *   xt_addrtype_info_v1 {u16 source, dest; u32 flags} (rev 0: u32 invert_source, invert_dest)
 *   xt_ct_target_info(_v1) {u16 flags, zone; …}
 */
#include <errno.h>
#include <string.h>

#include "decode-nft.h"
#include "xfrmd/fw-model.h"
#include "xfrmd/model.h"

#define POLICY_ELEM_SIZE 76
#define POLICY_MAX_ELEM 4

static uint16_t rd16(const uint8_t *p)
{
	uint16_t v;
	memcpy(&v, p, 2);
	return v;
}

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

static bool dec_policy(struct xd_snapshot *s, struct xd_xt *x, const uint8_t *p, size_t len)
{
	const size_t flags_off = POLICY_ELEM_SIZE * POLICY_MAX_ELEM;

	if (len < flags_off + 4)
		return false;
	x->pol_flags = rd16(p + flags_off);
	x->pol_len = rd16(p + flags_off + 2);
	if (x->pol_len > POLICY_MAX_ELEM)
		return false;
	if (!x->pol_len)
		return true;
	x->pol = xd_snapshot_alloc(s, x->pol_len * sizeof(*x->pol));
	if (!x->pol)
		return false;
	for (unsigned i = 0; i < x->pol_len; i++) {
		const uint8_t *e = p + i * POLICY_ELEM_SIZE;
		struct xd_xt_policy_elem *pe = &x->pol[i];
		memcpy(pe->saddr, e, 16);
		memcpy(pe->smask, e + 16, 16);
		memcpy(pe->daddr, e + 32, 16);
		memcpy(pe->dmask, e + 48, 16);
		pe->spi = __builtin_bswap32(rd32(e + 64)); /* __be32 in the struct */
		pe->reqid = rd32(e + 68);
		pe->proto = e[72];
		pe->mode = e[73];
		pe->match = e[74] & 0x3f;
		pe->invert = e[75] & 0x3f;
	}
	return true;
}

static bool dec_multiport(struct xd_xt *x, const uint8_t *p, size_t len)
{
	size_t need = x->rev == 0 ? 32 : 48;

	if (len < need || p[1] > 15 || p[1] == 0 || p[0] > 2)
		return false;
	x->mp_flags = p[0] == 0 ? 1 : p[0] == 1 ? 2 : 3;
	x->nports = p[1];
	for (unsigned i = 0; i < x->nports; i++)
		x->ports[i] = rd16(p + 2 + 2 * i);
	if (x->rev >= 1) {
		for (unsigned i = 0; i < x->nports; i++)
			x->pflags[i] = p[32 + i];
		x->invflags = p[47];
	}
	return true;
}

static bool dec_match(struct xd_snapshot *s, struct xd_xt *x, uint8_t family, const uint8_t *p,
		      size_t len)
{
	switch (x->kind) {
	case XD_XT_UDP:
		if (len < 9)
			return false;
		x->sport[0] = rd16(p), x->sport[1] = rd16(p + 2);
		x->dport[0] = rd16(p + 4), x->dport[1] = rd16(p + 6);
		x->invflags = p[8];
		return (x->invflags & ~3) == 0;
	case XD_XT_TCP:
		if (len < 12)
			return false;
		x->sport[0] = rd16(p), x->sport[1] = rd16(p + 2);
		x->dport[0] = rd16(p + 4), x->dport[1] = rd16(p + 6);
		x->tcp_option = p[8];
		x->tcp_flg_mask = p[9];
		x->tcp_flg_cmp = p[10];
		x->invflags = p[11];
		/* XT_TCP_INV_SRCPT 1, DSTPT 2, FLAGS 4, OPTION 8 */
		return (x->invflags & ~0xf) == 0;
	case XD_XT_AH:
		if (family == XD_NFPROTO_IPV6) {
			if (len < 14)
				return false;
			x->spi[0] = rd32(p), x->spi[1] = rd32(p + 4);
			x->ah_hdrlen = rd32(p + 8);
			x->invflags = p[13]; /* IP6T_AH_INV_SPI 1, INV_LEN 2 */
			return (x->invflags & ~3) == 0;
		}
		/* fall through */
	case XD_XT_ESP:
		if (len < 9)
			return false;
		x->spi[0] = rd32(p), x->spi[1] = rd32(p + 4);
		x->invflags = p[8];
		return (x->invflags & ~1) == 0;
	case XD_XT_EXTHDR6:
		/* whatever the options say, the match is false without the header */
		return family == XD_NFPROTO_IPV6;
	case XD_XT_ICMP:
		if (len < 4)
			return false;
		x->icmp_type = p[0];
		x->icmp_code[0] = p[1], x->icmp_code[1] = p[2];
		x->invflags = p[3];
		return (x->invflags & ~1) == 0;
	case XD_XT_ADDRTYPE:
		if (len < 8)
			return false;
		x->addrtype_src = rd16(p), x->addrtype_dst = rd16(p + 2);
		if (x->rev == 0) { /* {u16 source, dest; u32 invert_source, invert_dest} */
			if (len < 12)
				return false;
			x->addrtype_flags = (rd32(p + 4) ? 1 : 0) | (rd32(p + 8) ? 2 : 0);
			return true;
		}
		x->addrtype_flags = rd32(p + 4);
		return (x->addrtype_flags & ~0xfu) == 0;
	case XD_XT_RPFILTER: /* {u8 flags} */
		if (len < 1)
			return false;
		x->rpfilter_flags = p[0];
		return (p[0] & ~0xfu) == 0;
	case XD_XT_RECENT:
		if (len < 10)
			return false;
		x->recent_check_set = p[8];
		x->inv = p[9] != 0;
		return true;
	case XD_XT_MULTIPORT:
		return dec_multiport(x, p, len);
	case XD_XT_STATE:
		if (len < 4)
			return false;
		x->state_mask = rd32(p);
		return true;
	case XD_XT_CONNTRACK:
		if (x->rev < 1 || x->rev > 3 || len < 152)
			return false;
		x->ct_flags = rd16(p + 146);
		x->ct_invflags = rd16(p + 148);
		x->state_mask = x->rev == 1 ? p[150] : rd16(p + 150);
		/* only --ctstate (XT_CONNTRACK_STATE 1) is decided */
		/* iptables 1.8 turns -m state into conntrack with STATE_ALIAS (1 << 13) */
		return (x->ct_flags & ~(1u << 13)) == 1 && (x->ct_invflags & ~1) == 0;
	case XD_XT_COMMENT:
		if (len < 1)
			return false;
		x->comment = xd_snapshot_intern(s, (const char *)p, len < 256 ? len : 256);
		return true;
	case XD_XT_IPRANGE:
		if (x->rev != 1 || len < 65)
			return false;
		memcpy(x->range_src[0], p, 16);
		memcpy(x->range_src[1], p + 16, 16);
		memcpy(x->range_dst[0], p + 32, 16);
		memcpy(x->range_dst[1], p + 48, 16);
		x->iprange_flags = p[64];
		return (x->iprange_flags & ~0x33) == 0;
	case XD_XT_POLICY:
		return dec_policy(s, x, p, len);
	case XD_XT_SET:
		/* ipset contents are not part of the snapshot: never decidable */
		return false;
	default:
		return false;
	}
}

static const struct {
	const char *name;
	uint8_t kind;
	bool target;
} xt_names[] = {
	{ "policy", XD_XT_POLICY, false },    { "udp", XD_XT_UDP, false },
	{ "tcp", XD_XT_TCP, false },          { "multiport", XD_XT_MULTIPORT, false },
	{ "esp", XD_XT_ESP, false },          { "ah", XD_XT_AH, false },
	{ "conntrack", XD_XT_CONNTRACK, false }, { "state", XD_XT_STATE, false },
	{ "comment", XD_XT_COMMENT, false },  { "iprange", XD_XT_IPRANGE, false },
	{ "set", XD_XT_SET, false },          { "frag", XD_XT_EXTHDR6, false },
	{ "rt", XD_XT_EXTHDR6, false },       { "hbh", XD_XT_EXTHDR6, false },
	{ "dst", XD_XT_EXTHDR6, false },      { "icmp", XD_XT_ICMP, false },
	{ "icmp6", XD_XT_ICMP, false },       { "recent", XD_XT_RECENT, false },
	{ "addrtype", XD_XT_ADDRTYPE, false }, { "rpfilter", XD_XT_RPFILTER, false },
	{ "CT", XD_XT_T_CT, true },           { "NOTRACK", XD_XT_T_CT, true },
	{ "LOG", XD_XT_T_LOG, true },         { "NFLOG", XD_XT_T_LOG, true },
	{ "REJECT", XD_XT_T_REJECT, true },   { "MARK", XD_XT_T_MARK, true },
	{ "SNAT", XD_XT_T_NAT, true },        { "DNAT", XD_XT_T_NAT, true },
	{ "MASQUERADE", XD_XT_T_NAT, true },  { "REDIRECT", XD_XT_T_NAT, true },
	{ "NETMAP", XD_XT_T_NAT, true },      { "TCPMSS", XD_XT_T_NOOP, true },
	{ "CONNMARK", XD_XT_T_MARK, true },   { "DSCP", XD_XT_T_NOOP, true },
	{ "TOS", XD_XT_T_NOOP, true },        { "CLASSIFY", XD_XT_T_NOOP, true },
	{ "NFQUEUE", XD_XT_T_QUEUE, true },
};

/**
 * xd_xt_decode() - decode one xtables match or target
 * @s: snapshot (owns the result)
 * @name: extension name (untrusted, at most 29 significant bytes)
 * @rev: extension revision
 * @target: a target rather than a match
 * @family: NFPROTO of the table
 * @info: the info blob (untrusted) or NULL
 * @len: its length
 *
 * Returns the decoded extension (undecided_info set when it is not understood), or NULL on
 * allocation failure.
 */
struct xd_xt *xd_xt_decode(struct xd_snapshot *s, const char *name, uint8_t rev, bool target,
			   uint8_t family, const void *info, size_t len)
{
	struct xd_xt *x = xd_snapshot_alloc(s, sizeof(*x));

	if (!x)
		return NULL;
	x->name = xd_snapshot_intern(s, name, 29);
	x->rev = rev;
	x->kind = XD_XT_UNKNOWN;
	x->undecided_info = true;
	if (!x->name)
		return x;
	for (size_t i = 0; i < XD_ARRAY_SIZE(xt_names); i++)
		if (xt_names[i].target == target && strcmp(xt_names[i].name, x->name) == 0)
			x->kind = xt_names[i].kind;
	if (x->kind == XD_XT_UNKNOWN)
		return x;
	if (target) {
		/* targets are decided by their name alone (their options do not change whether
		 * the packet passes), except that REJECT always drops */
		x->undecided_info = false;
		if (x->kind == XD_XT_T_CT) {
			const uint8_t *p = info;
			/* XT_CT_NOTRACK 1, NOTRACK_ALIAS 2, ZONE_MARK 16, or a zone: the packet
			 * leaves conntrack or lands in another table; a helper, timeout or event
			 * mask alone leaves the state as it is (unknown blob: assume it changes) */
			x->ct_state_change = strcmp(x->name, "NOTRACK") == 0 || !p || len < 4 ||
					     (rd16(p) & 0x13) || rd16(p + 2);
		}
		return x;
	}
	if (x->kind == XD_XT_EXTHDR6)
		x->exthdr = strcmp(x->name, "frag") == 0 ? 44
			    : strcmp(x->name, "rt") == 0 ? 43
			    : strcmp(x->name, "hbh") == 0 ? 0
							  : 60;
	x->undecided_info = !info || !dec_match(s, x, family, info, len);
	return x;
}
