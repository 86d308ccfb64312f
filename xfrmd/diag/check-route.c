/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * check-route.c: route-based IPsec (`route.*`): xfrm interfaces tied to SAs and policies by
 * if_id, VTIs tied to them by endpoints and key-as-mark. Policy-based tunnels (no if_id, no
 * VTI between their endpoints) are never looked at, so they raise nothing here. Interface
 * facts come from the rtnl.link dump; without a complete one "no such interface" is not a
 * fact and the checks that need it stay silent.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag-util.h"
#include "xfrmd/fw.h"
#include "xfrmd/route.h"
#include "xfrmd/rtunnel.h"

enum { R_DOWN, R_IF_ID, R_MARK, R_SYSCTL, R_FW, R_ROUTE };

static const struct xd_finding_def defs[] = {
	[R_DOWN] = { "route.if_down", XD_SEV_ERROR, "the interface a route-based tunnel uses is down or missing",
		     "Bring the interface up (`ip link set dev IFACE up`), or create it with the "
		     "if_id the SAs and policies carry (`ip link add IFACE type xfrm dev LOWER if_id "
		     "N`); check the IKE daemon's updown script or network configuration that owns it.",
		     XD_DEF_AGGREGATE },
	[R_IF_ID] = { "route.if_id_mismatch", XD_SEV_ERROR, "SA/policy if_id and xfrm interface if_id differ",
		      "Make the IKE configuration's if_id (strongSwan if_id_in/if_id_out, libreswan "
		      "ipsec-interface=) equal the xfrm interface's if_id (`ip -d link show IFACE`), "
		      "on both directions, then re-establish the connection.",
		      XD_DEF_AGGREGATE },
	[R_MARK] = { "route.mark_mismatch", XD_SEV_ERROR, "a VTI's key does not match the marks of its SAs or policies",
		     "The VTI marks inbound lookups with its ikey and outbound ones with its okey: set "
		     "the SAs' and policies' marks (strongSwan mark_in/mark_out, libreswan mark=) to "
		     "those keys, or change the keys (`ip link set IFACE type vti ikey K okey K`).",
		     XD_DEF_AGGREGATE },
	[R_SYSCTL] = { "route.vti_sysctl", XD_SEV_WARNING, "disable_policy is not set on a VTI",
		       "Set `sysctl -w net.ipv4.conf.IFACE.disable_policy=1` (vti6: net.ipv6.conf) and "
		       "make it persistent: the VTI already checked the policy, a second check "
		       "without its key as the mark can drop decrypted packets.",
		       XD_DEF_AGGREGATE },
	[R_FW] = { "route.fw_tunnel_iface", XD_SEV_ERROR, "the firewall drops decrypted traffic arriving on a tunnel interface",
		   "Accept traffic from the remote subnet on the tunnel interface before the "
		   "dropping rule, e.g. `nft insert rule inet filter input iifname IFACE accept` (or "
		   "forward, for a gateway).",
		   XD_DEF_AGGREGATE },
	[R_ROUTE] = { "route.not_via_tunnel", XD_SEV_ERROR, "the route to a protected remote network does not use the tunnel interface",
		      "Route the remote network into the tunnel interface (`ip route replace NET dev "
		      "IFACE`), in the table the policy-routing rules select; check what else installs "
		      "routes for it (IKE daemon options such as install_routes, network managers).",
		      XD_DEF_AGGREGATE },
	{ NULL },
};

static const char *if_name(const struct xd_link *l)
{
	return l->name ? l->name : "?";
}

/* "xfrm interface ipsec0 (if_id 5)" / "vti vti0 (ikey 5, okey 6)" */
static const char *if_desc(const struct xd_link *l, char *buf, size_t len)
{
	if (l->kind && xd_streq(l->kind, "xfrm"))
		snprintf(buf, len, "xfrm interface %s (if_id %u)", if_name(l), l->xfrm_if_id);
	else
		snprintf(buf, len, "%s %s (ikey %u, okey %u)", l->kind ? l->kind : "?", if_name(l),
			 l->vti_ikey, l->vti_okey);
	return buf;
}

static void subject_if(struct xd_finding *x, const struct xd_rtunnel *t)
{
	const struct xd_link *l = t->link;

	xd_finding_name(x, if_name(l));
	if (t->family)
		xd_finding_peer(x, t->family, &t->local, &t->peer);
	xd_finding_ev_str(x, "interface", "%s", if_name(l));
	xd_finding_ev_str(x, "kind", "%s", l->kind ? l->kind : "?");
	if (t->kind == XD_RTUNNEL_XFRM) {
		xd_finding_ev_int(x, "if_id", l->xfrm_if_id);
	} else {
		xd_finding_ev_int(x, "ikey", l->vti_ikey);
		xd_finding_ev_int(x, "okey", l->vti_okey);
	}
	if (t->family) {
		char p[64];
		xd_finding_ev_str(x, "peer", "%s", xd_diag_addr(&t->peer, t->family, p, sizeof(p)));
	}
}

static const char *peer_str(const struct xd_rtunnel *t, char *buf, size_t len)
{
	if (!t->family || xd_diag_addr_is_zero(&t->peer, t->family))
		return "any peer";
	return xd_diag_addr(&t->peer, t->family, buf, len);
}

/* What references the interface, marks aside (a VTI down is down whatever its keys). */
static void uses(const struct xd_snapshot *s, const struct xd_link *l, uint32_t *ret_sas,
		 uint32_t *ret_pols)
{
	bool in;

	*ret_sas = *ret_pols = 0;
	for (size_t i = 0; i < s->sas.len; i++)
		if (xd_rtunnel_sa_on(s, l, xd_snapshot_sa(s, i), false, &in))
			(*ret_sas)++;
	for (size_t i = 0; i < s->policies.len; i++)
		if (xd_rtunnel_policy_on(s, l, xd_snapshot_policy(s, i), false))
			(*ret_pols)++;
}

static void check_down(const struct xd_snapshot *s, const struct xd_vec *rows,
		       struct xd_findings *out)
{
	for (size_t i = 0; i < rows->len; i++) {
		const struct xd_rtunnel *t = xd_vec_at(rows, i);
		uint32_t sas, pols;
		char d[96], p[64];
		struct xd_finding *x;

		if (t->if_up)
			continue;
		uses(s, t->link, &sas, &pols);
		if (!sas && !pols)
			continue; /* nothing routes into it: a spare device */
		x = xd_finding_add(out, &defs[R_DOWN], "%s to %s is down: its %u SAs and %u policies carry no traffic",
				   if_desc(t->link, d, sizeof(d)), peer_str(t, p, sizeof(p)), sas, pols);
		subject_if(x, t);
		xd_finding_ev_bool(x, "admin_up", t->link->flags & 1);
		if (t->link->has & XD_LINK_HAS_OPERSTATE)
			xd_finding_ev_int(x, "operstate", t->link->operstate);
		xd_finding_ev_int(x, "sas", sas);
		xd_finding_ev_int(x, "policies", pols);
	}
}

/* An if_id named by SAs or policies, with what names it. */
struct if_id_use {
	uint32_t if_id;
	uint32_t sas, policies;
	uint16_t family;
	struct xd_addr local, peer;
};

static struct if_id_use *if_id_get(struct xd_vec *v, uint32_t if_id)
{
	struct if_id_use *u;

	for (size_t i = 0; i < v->len; i++) {
		u = xd_vec_at(v, i);
		if (u->if_id == if_id)
			return u;
	}
	u = xd_vec_push(v);
	if (u)
		*u = (struct if_id_use){ .if_id = if_id };
	return u;
}

static void use_peer(struct if_id_use *u, uint16_t family, const struct xd_addr *local,
		     const struct xd_addr *peer)
{
	if (u->family || xd_diag_addr_is_zero(peer, family))
		return;
	u->family = family;
	u->local = *local;
	u->peer = *peer;
}

static int collect_if_ids(const struct xd_snapshot *s, struct xd_vec *v)
{
	for (size_t i = 0; i < s->sas.len; i++) {
		const struct xd_sa *sa = xd_snapshot_sa(s, i);
		const struct xd_addr *local, *peer;
		struct if_id_use *u;
		if (!(sa->has & XD_SA_HAS_IF_ID) || !sa->if_id)
			continue;
		if (!(u = if_id_get(v, sa->if_id)))
			return -1;
		u->sas++;
		xd_diag_sa_ends(s, sa, &local, &peer);
		use_peer(u, sa->family, local, peer);
	}
	for (size_t i = 0; i < s->policies.len; i++) {
		const struct xd_policy *p = xd_snapshot_policy(s, i);
		struct if_id_use *u;
		if (!(p->has & XD_POL_HAS_IF_ID) || !p->if_id || p->dir > POL_FWD)
			continue;
		if (!(u = if_id_get(v, p->if_id)))
			return -1;
		u->policies++;
		for (uint32_t k = 0; k < p->tmpl_count; k++) {
			const struct xd_tmpl *tm = xd_policy_tmpl(s, p, k);
			bool o = p->dir == POL_OUT;
			if (xd_mode_is_tunnel_like(tm->mode))
				use_peer(u, tm->family, o ? &tm->saddr : &tm->daddr, o ? &tm->daddr : &tm->saddr);
		}
	}
	return 0;
}

static void check_if_ids(const struct xd_snapshot *s, const struct xd_vec *rows,
			 struct xd_findings *out)
{
	struct xd_vec uses_v;
	char ifs[512] = "", p[64];
	size_t n_xfrm = 0, unmatched = 0;
	bool collect_md = false;

	if (s->meta.dump_status[XD_DUMP_RTNL_LINK] != XD_DUMP_COMPLETE)
		return;
	for (size_t i = 0; i < rows->len; i++) {
		const struct xd_rtunnel *t = xd_vec_at(rows, i);
		size_t at = strlen(ifs);
		if (t->kind != XD_RTUNNEL_XFRM)
			continue;
		n_xfrm++;
		collect_md |= t->link->xfrm_collect_md;
		if (at < sizeof(ifs) - 1)
			snprintf(ifs + at, sizeof(ifs) - at, "%s%s if_id %u%s", at ? ", " : "",
				 if_name(t->link), t->link->xfrm_if_id,
				 t->link->xfrm_collect_md ? " external" : "");
	}
	/* an external (collect_md) interface serves whatever if_id the packet's metadata says */
	if (collect_md)
		return;
	xd_vec_init(&uses_v, sizeof(struct if_id_use));
	if (collect_if_ids(s, &uses_v) < 0) {
		out->error = out->error ? out->error : -ENOMEM;
		xd_vec_done(&uses_v);
		return;
	}
	for (size_t i = 0; i < uses_v.len; i++) {
		const struct if_id_use *u = xd_vec_at(&uses_v, i);
		bool found = false;
		struct xd_finding *x;

		for (size_t k = 0; k < rows->len && !found; k++) {
			const struct xd_rtunnel *t = xd_vec_at(rows, k);
			found = t->kind == XD_RTUNNEL_XFRM && t->link->xfrm_if_id == u->if_id;
		}
		if (found)
			continue;
		unmatched++;
		if (u->family)
			xd_diag_addr(&u->peer, u->family, p, sizeof(p));
		else
			snprintf(p, sizeof(p), "any peer");
		/* no xfrm interface at all: it was never created or was deleted */
		if (n_xfrm == 0)
			x = xd_finding_add(out, &defs[R_DOWN], "no xfrm interface with if_id %u exists: %u SAs and %u policies to %s carry no traffic",
					   u->if_id, u->sas, u->policies, p);
		else
			x = xd_finding_add(out, &defs[R_IF_ID], "SAs/policies to %s use if_id %u but no xfrm interface has it (interfaces: %s)",
					   p, u->if_id, ifs);
		if (u->family)
			xd_finding_peer(x, u->family, &u->local, &u->peer);
		xd_finding_ev_int(x, "if_id", u->if_id);
		xd_finding_ev_int(x, "sas", u->sas);
		xd_finding_ev_int(x, "policies", u->policies);
		if (u->family)
			xd_finding_ev_str(x, "peer", "%s", p);
		xd_finding_ev_str(x, "xfrm_interfaces", "%s", n_xfrm ? ifs : "none");
	}
	/* interfaces nothing refers to: next to an unmatched if_id, the likely other half */
	for (size_t i = 0; i < rows->len; i++) {
		const struct xd_rtunnel *t = xd_vec_at(rows, i);
		uint32_t sas, pols;
		char d[96];
		struct xd_finding *x;

		if (t->kind != XD_RTUNNEL_XFRM || !t->link->xfrm_if_id)
			continue;
		uses(s, t->link, &sas, &pols);
		if (sas || pols)
			continue;
		x = xd_finding_add(out, &defs[R_IF_ID], "%s: no SA or policy uses this if_id", if_desc(t->link, d, sizeof(d)));
		xd_finding_set_severity(x, unmatched ? XD_SEV_WARNING : XD_SEV_INFO);
		subject_if(x, t);
		xd_finding_ev_int(x, "unmatched_if_ids", (int64_t)unmatched);
	}
	xd_vec_done(&uses_v);
}

/* Per direction of a VTI: SAs and policies between its endpoints, and how many its key
 * matches; the first one it does not match, for the evidence. */
struct mark_count {
	uint32_t sas, sas_ok, pols, pols_ok;
	bool have_bad;
	struct xd_mark bad;
	uint32_t bad_spi, bad_policy;
};

static void check_marks(const struct xd_snapshot *s, const struct xd_vec *rows,
			struct xd_findings *out)
{
	for (size_t i = 0; i < rows->len; i++) {
		const struct xd_rtunnel *t = xd_vec_at(rows, i);
		const struct xd_link *l = t->link;
		struct mark_count mc[2] = { 0 }; /* 0 out, 1 in */

		if (t->kind != XD_RTUNNEL_VTI)
			continue;
		for (size_t k = 0; k < s->sas.len; k++) {
			const struct xd_sa *sa = xd_snapshot_sa(s, k);
			bool in;
			struct mark_count *m;
			if (!diag_sa_is_real(sa) || !xd_rtunnel_sa_on(s, l, sa, false, &in))
				continue;
			m = &mc[in];
			m->sas++;
			if (xd_mark_matches(&sa->mark, in ? l->vti_ikey : l->vti_okey))
				m->sas_ok++;
			else if (!m->have_bad)
				m->have_bad = true, m->bad = sa->mark, m->bad_spi = sa->spi;
		}
		for (size_t k = 0; k < s->policies.len; k++) {
			const struct xd_policy *p = xd_snapshot_policy(s, k);
			struct mark_count *m;
			if (p->dir == POL_FWD || !xd_rtunnel_policy_on(s, l, p, false))
				continue;
			m = &mc[p->dir == POL_IN];
			m->pols++;
			if (xd_rtunnel_policy_on(s, l, p, true))
				m->pols_ok++;
			else if (!m->have_bad)
				m->have_bad = true, m->bad = p->mark, m->bad_policy = p->index;
		}
		for (int in = 0; in < 2; in++) {
			const struct mark_count *m = &mc[in];
			uint32_t key = in ? l->vti_ikey : l->vti_okey;
			char d[96], p[64];
			struct xd_finding *x;

			if (!((m->sas && !m->sas_ok) || (m->pols && !m->pols_ok)))
				continue;
			x = xd_finding_add(out, &defs[R_MARK], "%s to %s: no %s SA or policy has a mark its %s %u matches (found mark 0x%x/0x%x)",
					   if_desc(l, d, sizeof(d)), peer_str(t, p, sizeof(p)),
					   in ? "inbound" : "outbound", in ? "ikey" : "okey", key,
					   m->bad.v, m->bad.m);
			subject_if(x, t);
			x->subject.dir = in ? "in" : "out";
			x->subject.has |= XD_SUBJ_DIR;
			xd_finding_ev_str(x, "key", "%s %u (0x%x)", in ? "ikey" : "okey", key, key);
			xd_finding_ev_str(x, "mismatched_mark", "0x%x/0x%x", m->bad.v, m->bad.m);
			if (m->bad_spi)
				xd_finding_ev_str(x, "spi", "0x%08x", m->bad_spi);
			else
				xd_finding_ev_int(x, "policy_index", m->bad_policy);
			xd_finding_ev_int(x, "sas", m->sas);
			xd_finding_ev_int(x, "sas_matching", m->sas_ok);
			xd_finding_ev_int(x, "policies", m->pols);
			xd_finding_ev_int(x, "policies_matching", m->pols_ok);
		}
	}
}

static void check_sysctl(const struct xd_vec *rows, struct xd_findings *out)
{
	for (size_t i = 0; i < rows->len; i++) {
		const struct xd_rtunnel *t = xd_vec_at(rows, i);
		bool v6 = t->link->vti_family == 10;
		char d[96], p[64];
		struct xd_finding *x;

		if (t->kind != XD_RTUNNEL_VTI || t->disable_policy != 0)
			continue; /* 1, or not recorded */
		x = xd_finding_add(out, &defs[R_SYSCTL], "%s to %s: net.%s.conf.%s.disable_policy=0",
				   if_desc(t->link, d, sizeof(d)), peer_str(t, p, sizeof(p)),
				   v6 ? "ipv6" : "ipv4", if_name(t->link));
		subject_if(x, t);
		xd_finding_ev_str(x, "sysctl", "net.%s.conf.%s.disable_policy", v6 ? "ipv6" : "ipv4",
				  if_name(t->link));
		xd_finding_ev_int(x, "value", 0);
		xd_finding_ev_int(x, "sas", t->sas_in + t->sas_out);
	}
}

/* A representative host inside a selector prefix (the first host address). */
static void sel_host(uint8_t out[16], const struct xd_addr *a, uint8_t plen, uint16_t family)
{
	size_t n = family == 2 ? 4 : 16;

	memcpy(out, a->b, 16);
	if (plen < n * 8)
		out[n - 1] |= 1;
}

static void fw_rule(struct xd_finding *x, const struct xd_fw *fw, const struct xd_fw_result *r)
{
	char text[512];

	if (!r->decider_set)
		return;
	xd_finding_rule(x, r->decider.table, r->decider.chain, r->decider.handle);
	xd_finding_ev_str(x, "hook", "%s", xd_fw_hook_name(r->decider.hook) ?: "?");
	if (r->decider.rule != UINT32_MAX)
		xd_finding_ev_str(x, "rule", "%s",
				  xd_fw_rule_text(fw, xd_fw_rule_at(fw, r->decider.rule), text, sizeof(text)));
	else
		xd_finding_ev_str(x, "rule", "%s", r->decider.effect);
}

/* The next host after `h` inside a selector prefix, when the prefix has one (a gateway's own
 * address is often the first host of the subnet it protects; the hosts behind it come next). */
static bool sel_next_host(uint8_t h[16], uint8_t plen, uint16_t family)
{
	size_t n = family == 2 ? 4 : 16;

	if ((size_t)plen + 1 >= n * 8)
		return false;
	for (size_t i = n; i-- > 0;)
		if (++h[i])
			break;
	return true;
}

/* Asks the firewall about one decrypted packet to `dst` from the remote side of in policy `p`,
 * arriving on the tunnel interface; a drop becomes the finding. Whether `dst` is this host
 * picks the path (input or forward). True when it found a drop. */
static bool fw_probe(const struct xd_snapshot *s, const struct xd_rtunnel *t, const struct xd_policy *p,
		     const uint8_t dst[16], struct xd_findings *out)
{
	const struct xd_fw *fw = s->fw;
	const struct xd_link *l = t->link;
	const struct xd_selector *sel = &p->sel;
	struct xd_fw_packet pk = { .family = (uint8_t)sel->family, .l4proto = 6,
				   .has_sport = true, .has_dport = true,
				   .sport = 40000, .dport = 443, .ct = XD_FW_CT_NEW,
				   .iif_not_lo = true,
				   .iif_index = (uint32_t)l->ifindex,
				   .secpath = t->kind == XD_RTUNNEL_XFRM };
	struct xd_fw_result r, re;
	uint8_t hooks[3];
	size_t nh;
	bool local, replies;
	char d[96], src[64], dstr[64], pe[64];
	struct xd_finding *x;

	xd_strlcpy(pk.iif, l->name, sizeof(pk.iif));
	if (sel->proto)
		pk.l4proto = sel->proto;
	sel_host(pk.src, &sel->saddr, sel->prefixlen_s, sel->family);
	memcpy(pk.dst, dst, 16);
	local = xd_snapshot_is_local(s, sel->family, (const struct xd_addr *)pk.dst);
	/* a wide selector (0.0.0.0/0) to a host without known local addresses:
	 * assume delivery to this host, the common road-warrior/VTI case */
	nh = xd_fw_path(local || !xd_snapshot_has_local_addrs(s) ? XD_FW_PATH_INPUT : XD_FW_PATH_FORWARD,
			hooks);
	pk.oif_not_lo = !local;
	if (xd_fw_eval(fw, &pk, hooks, nh, &r) < 0 || r.verdict != XD_FW_DROP)
		return false;
	pk.ct = XD_FW_CT_ESTABLISHED;
	replies = xd_fw_eval(fw, &pk, hooks, nh, &re) == 0 && re.verdict == XD_FW_ACCEPT;
	xd_diag_addr((const struct xd_addr *)pk.src, sel->family, src, sizeof(src));
	xd_diag_addr((const struct xd_addr *)pk.dst, sel->family, dstr, sizeof(dstr));
	x = xd_finding_add(out, &defs[R_FW], "decrypted traffic %s -> %s from %s arriving on %s is dropped by %s %s%s",
			   src, dstr, peer_str(t, pe, sizeof(pe)), if_desc(l, d, sizeof(d)),
			   r.decider.table ? r.decider.table : "?",
			   r.decider.chain ? r.decider.chain : "?",
			   replies ? " (only replies pass)" : "");
	if (replies)
		xd_finding_set_severity(x, XD_SEV_WARNING);
	subject_if(x, t);
	xd_finding_policy(x, p->index, "in");
	xd_finding_ev_str(x, "path", "%s", local ? "input" : "forward");
	xd_finding_ev_str(x, "packet", "tcp %s -> %s:443 iif %s", src, dstr, l->name);
	xd_finding_ev_bool(x, "replies_pass", replies);
	fw_rule(x, fw, &r);
	return true;
}

/* Decrypted traffic from the remote side of each tunnel's in policies, as it arrives on the
 * tunnel interface (an xfrm interface keeps the secpath; a VTI scrubs it). The first host of
 * the local selector is asked first; when that is this host (a gateway's own address in the
 * subnet it protects), the next host is asked too, on the forward path a gateway's decrypted
 * traffic mostly takes. */
static void check_fw(const struct xd_snapshot *s, const struct xd_vec *rows, struct xd_findings *out)
{
	const struct xd_fw *fw = s->fw;

	if (!fw || !fw->indexed || s->meta.dump_status[XD_DUMP_NFT_RULES] == XD_DUMP_INTERRUPTED)
		return;
	for (size_t i = 0; i < rows->len; i++) {
		const struct xd_rtunnel *t = xd_vec_at(rows, i);
		const struct xd_link *l = t->link;
		bool found = false;

		if (!t->if_up || !l->name || strlen(l->name) >= 16)
			continue;
		for (size_t k = 0; k < s->policies.len && !found; k++) {
			const struct xd_policy *p = xd_snapshot_policy(s, k);
			const struct xd_selector *sel = &p->sel;
			uint8_t dst[16];

			if (p->dir != POL_IN || p->action != ACTION_ALLOW ||
			    (sel->family != 2 && sel->family != 10) ||
			    !xd_rtunnel_policy_on(s, l, p, true))
				continue;
			sel_host(dst, &sel->daddr, sel->prefixlen_d, sel->family);
			found = fw_probe(s, t, p, dst, out); /* one finding per interface */
			if (!found && xd_snapshot_is_local(s, sel->family, (const struct xd_addr *)dst) &&
			    sel_next_host(dst, sel->prefixlen_d, sel->family) &&
			    !xd_snapshot_is_local(s, sel->family, (const struct xd_addr *)dst))
				found = fw_probe(s, t, p, dst, out);
		}
	}
}

/* Traffic for the destination selector of each out policy of a tunnel must be routed into
 * its interface: elsewhere it carries no if_id (no VTI key as mark), misses the policy and
 * leaves in clear or is dropped. Asked of the route lookup as locally sent traffic. */
static void check_routes(const struct xd_snapshot *s, const struct xd_vec *rows,
			 struct xd_findings *out)
{
	if (!xd_routes_collected(s))
		return;
	for (size_t i = 0; i < rows->len; i++) {
		const struct xd_rtunnel *t = xd_vec_at(rows, i);
		const struct xd_link *l = t->link;

		if (!t->if_up)
			continue; /* route.if_down says it */
		for (size_t k = 0; k < s->policies.len; k++) {
			const struct xd_policy *p = xd_snapshot_policy(s, k);
			const struct xd_selector *sel = &p->sel;
			struct xd_route_query q = { .family = sel->family };
			struct xd_route_result r;
			const char *via;
			char d[96], pe[64], net[64], got[96];
			struct xd_finding *x;

			/* a 0/0 selector leaves the choice to routing: nothing to compare */
			if (p->dir != POL_OUT || p->action != ACTION_ALLOW || !sel->prefixlen_d ||
			    (sel->family != 2 && sel->family != 10) || !xd_rtunnel_policy_on(s, l, p, true))
				continue;
			sel_host(q.dst.b, &sel->daddr, sel->prefixlen_d, sel->family);
			if (sel->prefixlen_s) {
				sel_host(q.src.b, &sel->saddr, sel->prefixlen_s, sel->family);
				q.has_src = true;
			}
			q.proto = sel->proto;
			if (xd_route_lookup(s, &q, &r) < 0 || r.verdict == XD_ROUTE_UNDECIDABLE)
				continue;
			if (r.verdict == XD_ROUTE_FOUND &&
			    (r.oif == l->ifindex || (r.route && r.route->type != XD_RTN_UNICAST)))
				continue; /* into the tunnel, or a local/broadcast destination */
			via = r.verdict == XD_ROUTE_FOUND ? xd_route_result_oif_name(s, &r) : NULL;
			if (r.verdict == XD_ROUTE_FOUND)
				snprintf(got, sizeof(got), "leaves via %s", via ? via : "another interface");
			else
				snprintf(got, sizeof(got), "has no usable route (%s)", xd_route_verdict_name(r.verdict));
			xd_diag_addr(&sel->daddr, sel->family, net, sizeof(net));
			x = xd_finding_add(out, &defs[R_ROUTE], "traffic to %s/%u, protected by %s to %s, %s, not %s",
					   net, sel->prefixlen_d, if_desc(l, d, sizeof(d)),
					   peer_str(t, pe, sizeof(pe)), got, if_name(l));
			subject_if(x, t);
			xd_finding_policy(x, p->index, "out");
			xd_finding_ev_str(x, "network", "%s/%u", net, sel->prefixlen_d);
			xd_finding_ev_str(x, "lookup", "%s", xd_route_verdict_name(r.verdict));
			if (via)
				xd_finding_ev_str(x, "route_oif", "%s", via);
			if (r.verdict == XD_ROUTE_FOUND || r.route)
				xd_finding_ev_int(x, "route_table", r.table);
			if (r.rule)
				xd_finding_ev_int(x, "rule_priority", r.rule->priority);
			xd_finding_ev_str(x, "route_detail", "%s", r.reason);
		}
	}
}

static void run(const struct xd_diag_ctx *c, struct xd_findings *out)
{
	const struct xd_snapshot *s = c->now;
	struct xd_vec rows;

	if (xd_rtunnels_build(s, &rows) < 0) {
		out->error = out->error ? out->error : -ENOMEM;
		return;
	}
	check_down(s, &rows, out);
	check_if_ids(s, &rows, out);
	check_marks(s, &rows, out);
	check_sysctl(&rows, out);
	check_fw(s, &rows, out);
	check_routes(s, &rows, out);
	xd_vec_done(&rows);
}

const struct xd_check_family xd_check_route = {
	.name = "route",
	.defs = defs,
	.run = run,
};
