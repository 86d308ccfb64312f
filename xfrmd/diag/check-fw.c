/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * check-fw.c: firewall findings (DESIGN.md §7 `fw.*`). For every peer that appears in SAs or
 * policy templates, the IPsec packets of both directions (ESP, AH where used, IKE UDP/500,
 * NAT-T UDP/4500) are evaluated through the real rule set with the static evaluator: a local
 * endpoint on the input and output paths, a gateway forwarding others' IPsec on the forward
 * path. Plaintext to protected subnets is checked for an out policy (cleartext) and for NAT
 * that would rewrite it before the policy matches. Every finding names the deciding rule.
 *
 * The IKE daemon's configured connections add the peers a responder waits for before any SA
 * or policy exists: their IKE, NAT-T and ESP packets are asked for on the input path, from
 * each remote address (a representative address for %any), so a responder whose input
 * chain drops UDP 500 is named before the first initiator gives up.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag-util.h"
#include "xfrmd/fw.h"
#include "xfrmd/ike.h"
#include "xfrmd/route.h"

enum { F_ESP, F_AH, F_IKE, F_NATT, F_CLEAR, F_NAT, F_UNDEC };

static const struct xd_finding_def defs[] = {
	[F_ESP] = { "fw.esp_blocked", XD_SEV_ERROR, "the firewall drops ESP (IP protocol 50) to or from a peer",
		    "Accept ESP from and to the peer before any drop rule, e.g. "
		    "`nft insert rule inet filter input ip saddr PEER meta l4proto esp accept`.",
		    XD_DEF_AGGREGATE },
	[F_AH] = { "fw.ah_blocked", XD_SEV_ERROR, "the firewall drops AH (IP protocol 51) to or from a peer",
		   "Accept AH (meta l4proto ah) from and to the peer before any drop rule.",
		   XD_DEF_AGGREGATE },
	[F_IKE] = { "fw.ike_blocked", XD_SEV_ERROR, "the firewall drops IKE (UDP/500) to or from a peer",
		    "Accept udp dport 500 from the peer and udp sport 500 towards it.",
		    XD_DEF_AGGREGATE },
	[F_NATT] = { "fw.natt_blocked", XD_SEV_ERROR, "the firewall drops NAT-T (UDP/4500) to or from a peer",
		     "Accept udp dport 4500 from the peer and udp sport 4500 towards it.",
		     XD_DEF_AGGREGATE },
	[F_CLEAR] = { "fw.cleartext_allowed", XD_SEV_ERROR,
		      "traffic to a protected subnet is accepted but no out policy covers it",
		      "Add an out policy (or widen the IKE traffic selectors) for the subnet, or drop "
		      "plaintext to it: `rt ipsec missing ip daddr SUBNET drop`.",
		      XD_DEF_AGGREGATE },
	[F_NAT] = { "fw.nat_before_policy", XD_SEV_ERROR,
		    "SNAT/masquerade rewrites traffic that an IPsec policy should match",
		    "Exempt IPsec traffic before the NAT rule: `rt ipsec exists accept` (nft) or "
		    "`-m policy --dir out --pol ipsec -j ACCEPT` in the nat POSTROUTING chain.",
		    XD_DEF_AGGREGATE },
	[F_UNDEC] = { "fw.undecidable", XD_SEV_WARNING, "whether the firewall passes IPsec traffic cannot be decided statically",
		      "Look at the named rule: it depends on state the snapshot does not hold "
		      "(rates, ipsets, interface indexes, SA details). Confirm with counters or "
		      "`nft monitor trace`.",
		      XD_DEF_AGGREGATE },
	{ NULL },
};

#define MAX_PEERS 256

struct peer {
	uint16_t family;
	struct xd_addr local, peer;
	bool esp, ah, natt_used;
	bool spi_in_known, spi_out_known;
	uint32_t sas, sas_offloaded; /* real ESP/AH SAs, and those with packet offload */
	uint32_t spi_in, spi_out; /* ESP/AH SPI of the inbound/outbound SA */
	uint16_t natt_local_port, natt_peer_port;
	/* a peer only a configured connection names: inbound probes only */
	const char *conn;        /* its connection's name, NULL for a peer of SAs or policies */
	const char *remote_text; /* its remote_addrs entry as configured ("%any", an address) */
	bool any_remote;         /* probed from a representative address: a warning at most */
};

struct peers {
	struct peer v[MAX_PEERS];
	size_t n;
};

static struct peer *peer_get(struct peers *p, uint16_t family, const struct xd_addr *local,
			     const struct xd_addr *peer)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->v[i].family == family && !memcmp(&p->v[i].local, local, sizeof(*local)) &&
		    !memcmp(&p->v[i].peer, peer, sizeof(*peer)))
			return &p->v[i];
	if (p->n >= MAX_PEERS || xd_diag_addr_is_zero(peer, family) || xd_diag_addr_is_zero(local, family))
		return NULL;
	p->v[p->n] = (struct peer){ .family = family, .local = *local, .peer = *peer };
	return &p->v[p->n++];
}

static void collect_peers(const struct xd_snapshot *s, struct peers *p)
{
	for (size_t i = 0; i < s->sas.len; i++) {
		const struct xd_sa *sa = xd_snapshot_sa(s, i);
		const struct xd_addr *local, *peer;
		struct peer *e;

		if (!diag_sa_is_real(sa) || (sa->proto != PROTO_ESP && sa->proto != PROTO_AH))
			continue;
		xd_diag_sa_ends(s, sa, &local, &peer);
		e = peer_get(p, sa->family, local, peer);
		if (!e)
			continue;
		e->esp |= sa->proto == PROTO_ESP;
		e->ah |= sa->proto == PROTO_AH;
		e->sas++;
		e->sas_offloaded += xd_sa_is_packet_offload(sa);
		bool in = xd_diag_sa_dir(s, sa) == SA_DIR_IN;
		if (in && !e->spi_in_known) {
			e->spi_in = sa->spi, e->spi_in_known = true;
		} else if (!in && !e->spi_out_known) {
			e->spi_out = sa->spi, e->spi_out_known = true;
		}
		if ((sa->has & XD_SA_HAS_ENCAP) && sa->encap.type == 2) {
			e->natt_used = true;
			e->natt_local_port = in ? sa->encap.dport : sa->encap.sport;
			e->natt_peer_port = in ? sa->encap.sport : sa->encap.dport;
		}
	}
	for (size_t i = 0; i < s->policies.len; i++) {
		const struct xd_policy *pol = xd_snapshot_policy(s, i);
		if (pol->dir > POL_FWD || pol->action != ACTION_ALLOW)
			continue;
		for (uint32_t t = 0; t < pol->tmpl_count; t++) {
			const struct xd_tmpl *tm = xd_policy_tmpl(s, pol, t);
			const struct xd_addr *sa_, *da;
			uint16_t fam = tm->family ? tm->family : pol->sel.family;
			if (tm->proto != PROTO_ESP && tm->proto != PROTO_AH)
				continue;
			if (xd_mode_is_tunnel_like(tm->mode)) {
				sa_ = &tm->saddr, da = &tm->daddr;
			} else {
				sa_ = &pol->sel.saddr, da = &pol->sel.daddr;
			}
			/* out: source is local; in/fwd: destination is local */
			struct peer *e = pol->dir == POL_OUT ? peer_get(p, fam, sa_, da)
							     : peer_get(p, fam, da, sa_);
			if (!e)
				continue;
			e->esp |= tm->proto == PROTO_ESP;
			e->ah |= tm->proto == PROTO_AH;
		}
	}
}

static bool conf_is_any(const char *text)
{
	return xd_streq(text, "%any") || xd_streq(text, "%any4") || xd_streq(text, "%any6") ||
	       xd_streq(text, "0.0.0.0/0") || xd_streq(text, "::/0") ||
	       xd_streq(text, "%defaultroute");
}

/* The address a remote_addrs entry stands for: an address, the first of a range or subnet,
 * or a representative documentation address for "any" (%any, 0.0.0.0/0, ::/0). */
static bool conf_remote(const char *text, uint16_t family_hint, uint16_t *ret_family,
			struct xd_addr *ret)
{
	char buf[64];
	size_t n;

	memset(ret, 0, sizeof(*ret));
	if (!text)
		return false;
	if (conf_is_any(text)) {
		bool v6 = xd_streq(text, "%any6") || xd_streq(text, "::/0") ||
			  (family_hint == AF_INET6 && !xd_streq(text, "%any4") &&
			   !xd_streq(text, "0.0.0.0/0"));
		*ret_family = v6 ? AF_INET6 : AF_INET;
		return inet_pton(*ret_family, v6 ? "2001:db8::77" : "203.0.113.77", ret->b) == 1;
	}
	n = strcspn(text, "/-");
	if (n >= sizeof(buf))
		return false;
	memcpy(buf, text, n);
	buf[n] = '\0';
	if (inet_pton(AF_INET, buf, ret->b) == 1) {
		*ret_family = AF_INET;
	} else if (inet_pton(AF_INET6, buf, ret->b) == 1) {
		*ret_family = AF_INET6;
	} else {
		return false; /* a host name: resolved by the daemon, not by us */
	}
	if (text[n] == '/' && xd_diag_addr_is_zero(ret, *ret_family))
		return false;
	return true;
}

/* A local address of the family to receive on: the connection's own, else the first global
 * address of the host (not loopback, not IPv6 link-local). */
static bool conf_local(const struct xd_snapshot *s, const struct xd_ike *ike,
		       const struct xd_ike_conn *c, uint16_t family, struct xd_addr *ret)
{
	static const uint8_t loop6[16] = { [15] = 1 };

	for (uint32_t i = 0; i < c->local_addrs_count; i++) {
		uint16_t f = 0;
		const char *t = xd_ike_string(ike, c->local_addrs_first + i);
		if (t && t[0] != '%' && !strchr(t, '/') && conf_remote(t, family, &f, ret) && f == family)
			return true;
	}
	for (size_t i = 0; i < s->addrs.len; i++) {
		const struct xd_local_addr *a = xd_vec_at(&s->addrs, i);
		if (a->family != family)
			continue;
		if (family == AF_INET && a->addr.b[0] == 127)
			continue;
		if (family == AF_INET6 && ((a->addr.b[0] == 0xfe && (a->addr.b[1] & 0xc0) == 0x80) ||
					   !memcmp(a->addr.b, loop6, 16)))
			continue;
		*ret = a->addr;
		return true;
	}
	return false;
}

/* The configured connections' remote addresses, for peers the SAs and policies do not name. */
static void collect_conn_peers(const struct xd_snapshot *s, struct peers *p)
{
	const struct xd_ike *ike = s->ike;
	size_t known = p->n;

	if (!ike || !xd_snapshot_has_local_addrs(s))
		return;
	for (size_t i = 0; i < ike->conns.len; i++) {
		const struct xd_ike_conn *c = xd_vec_at(&ike->conns, i);
		uint32_t n = c->remote_addrs_count ? c->remote_addrs_count : 1;
		for (uint32_t j = 0; j < n; j++) {
			const char *t = c->remote_addrs_count ? xd_ike_string(ike, c->remote_addrs_first + j)
							      : "%any";
			struct xd_addr peer, local;
			uint16_t fam = 0;
			struct peer *e;
			size_t before = p->n;
			if (!conf_remote(t, AF_INET, &fam, &peer) || !conf_local(s, ike, c, fam, &local))
				continue;
			e = peer_get(p, fam, &local, &peer);
			if (!e || p->n == before || (size_t)(e - p->v) < known)
				continue; /* the SAs' or policies' own probes cover it */
			e->conn = c->name ? c->name : "?";
			e->remote_text = t;
			/* a rule on the source address may pass the real peers and not ours */
			e->any_remote = conf_is_any(t);
			e->esp = true;
		}
	}
}

static void fill_addr(uint8_t dst[16], const struct xd_addr *a)
{
	memcpy(dst, a->b, 16);
}

/* The direction of the traffic, without claiming a policy index. */
static void set_dir(struct xd_finding *x, bool inbound)
{
	if (!x)
		return;
	x->subject.dir = inbound ? "in" : "out";
	x->subject.has |= XD_SUBJ_DIR;
}

static void name_rule(struct xd_finding *x, const struct xd_fw *fw, const struct xd_fw_result *r)
{
	char text[512];

	if (!r->decider_set) {
		if (r->verdict == XD_FW_ACCEPT && fw->chains.len == 0)
			xd_finding_ev_str(x, "rule", "%s", "no rule set: the kernel accepts");
		return;
	}
	xd_finding_rule(x, r->decider.table, r->decider.chain, r->decider.handle);
	xd_finding_ev_str(x, "backend", "%s",
			  r->decider.backend == XD_FW_LEGACY ? "iptables-legacy" : "nftables");
	xd_finding_ev_str(x, "family", "%s", xd_fw_family_name(r->decider.family) ?: "?");
	xd_finding_ev_str(x, "hook", "%s", xd_fw_hook_name(r->decider.hook) ?: "?");
	xd_finding_ev_int(x, "priority", r->decider.prio);
	if (r->decider.rule != UINT32_MAX)
		xd_finding_ev_str(x, "rule", "%s",
				  xd_fw_rule_text(fw, xd_fw_rule_at(fw, r->decider.rule), text,
						  sizeof(text)));
	else
		xd_finding_ev_str(x, "rule", "%s", r->decider.effect);
}

struct probe {
	const char *what; /* "ESP", "IKE (udp/500)", ... */
	int def;
	uint8_t proto;
	uint16_t sport, dport;
	bool has_ports;
	bool has_spi;
	uint32_t spi;
	bool warn_only; /* NAT-T possible but not in use */
	const char *oif_routed; /* the output interface the route lookup gave, NULL if none */
	const char *iif_routed; /* inbound: the interface of the route back to the peer */
};

/*
 * The interface the kernel's route lookup sends the packet out of (the snapshot's routes and
 * rules, route.h): what `oifname` rules on the output, forward and postrouting hooks read.
 * Locally generated packets are looked up as the kernel does (iif lo); forwarded ones with
 * an unknown input interface, so rules selecting one leave the interface unknown. Without
 * a definite unicast/local route nothing is filled in and such rules stay undecidable.
 */
static const char *route_oif(const struct xd_snapshot *s, struct xd_fw_packet *pk,
			     bool forwarded)
{
	struct xd_route_query q = { .family = pk->family, .has_src = true,
				    .iif = forwarded ? "" : NULL, .mark = pk->mark,
				    .mark_unknown = pk->mark_unknown, .proto = pk->l4proto,
				    .has_ports = pk->has_sport && pk->has_dport,
				    .sport = pk->sport, .dport = pk->dport };
	struct xd_route_result r;
	const char *name;
	int32_t idx;

	if (pk->oif[0] || !xd_routes_collected(s))
		return NULL;
	memcpy(q.dst.b, pk->dst, 16);
	memcpy(q.src.b, pk->src, 16);
	if (xd_route_lookup(s, &q, &r) < 0 || r.verdict != XD_ROUTE_FOUND)
		return NULL;
	if (r.route->type == XD_RTN_LOCAL) {
		name = "lo", idx = 1; /* to one of our own addresses: the loopback device */
	} else {
		name = xd_route_result_oif_name(s, &r);
		idx = r.oif;
	}
	if (!name || strlen(name) >= sizeof(pk->oif))
		return NULL;
	xd_strlcpy(pk->oif, name, sizeof(pk->oif));
	pk->oif_index = (uint32_t)idx;
	return name;
}

/*
 * A peer's packets arrive on the interface of the route back to the peer: the kernel's
 * reverse-path filters (rp_filter, rpfilter, `fib saddr . iif oif`) drop them anywhere else,
 * and zone firewalls (firewalld) select their rules by that interface name. Without a
 * definite unicast route nothing is filled in and such rules stay undecidable.
 */
static const char *route_iif(const struct xd_snapshot *s, struct xd_fw_packet *pk)
{
	struct xd_route_query q = { .family = pk->family, .has_src = true, .mark = pk->mark,
				    .mark_unknown = pk->mark_unknown };
	struct xd_route_result r;
	const char *name;

	if (pk->iif[0] || !xd_routes_collected(s))
		return NULL;
	memcpy(q.dst.b, pk->src, 16);
	memcpy(q.src.b, pk->dst, 16);
	if (xd_route_lookup(s, &q, &r) < 0 || r.verdict != XD_ROUTE_FOUND ||
	    r.route->type != XD_RTN_UNICAST)
		return NULL;
	name = xd_route_result_oif_name(s, &r);
	if (!name || strlen(name) >= sizeof(pk->iif) || r.oif <= 0)
		return NULL;
	xd_strlcpy(pk->iif, name, sizeof(pk->iif));
	pk->iif_index = (uint32_t)r.oif;
	pk->rp_known = true;
	xd_strlcpy(pk->rp_oif, name, sizeof(pk->rp_oif));
	pk->rp_oif_index = (uint32_t)r.oif;
	return name;
}

static void report(const struct xd_diag_ctx *c, struct xd_findings *out, const struct peer *e,
		   const struct probe *pr, bool inbound, const char *path,
		   const struct xd_fw_result *rn, const struct xd_fw_result *re)
{
	const struct xd_fw *fw = c->now->fw;
	char l[64], p[64];
	struct xd_finding *x;

	xd_diag_addr(&e->local, e->family, l, sizeof(l));
	xd_diag_addr(&e->peer, e->family, p, sizeof(p));
	if (rn->verdict == XD_FW_UNDECIDABLE) {
		x = xd_finding_add(out, &defs[F_UNDEC], "%s %s %s %s: %s", pr->what,
				   inbound ? p : l, inbound ? "->" : "->", inbound ? l : p, rn->reason);
		xd_finding_peer(x, e->family, &e->local, &e->peer);
		set_dir(x, inbound);
		xd_finding_ev_str(x, "probe", "%s", pr->what);
		xd_finding_ev_str(x, "path", "%s", path);
		xd_finding_ev_str(x, "reason", "%s", rn->reason);
		if (pr->oif_routed)
			xd_finding_ev_str(x, "oif", "%s", pr->oif_routed);
		name_rule(x, fw, rn);
		return;
	}
	if (rn->verdict != XD_FW_DROP)
		return;
	if (e->conn && !rn->decider_set)
		return; /* no local rule touched the packet */
	bool replies_pass = re && re->verdict == XD_FW_ACCEPT;
	x = xd_finding_add(out, &defs[pr->def], "%s %s %s dropped by %s %s%s", pr->what,
			   inbound ? "from" : "to", p, rn->decider.table ? rn->decider.table : "?",
			   rn->decider.chain ? rn->decider.chain : "?",
			   replies_pass ? " (only replies pass: works only when this side starts)"
					: "");
	if (pr->warn_only || replies_pass || e->any_remote)
		xd_finding_set_severity(x, XD_SEV_WARNING);
	xd_finding_peer(x, e->family, &e->local, &e->peer);
	if (pr->has_spi)
		xd_finding_spi(x, pr->spi, pr->proto);
	else
		xd_finding_ev_int(x, "protocol", pr->proto);
	set_dir(x, inbound);
	xd_finding_ev_str(x, "path", "%s", path);
	xd_finding_ev_bool(x, "replies_pass", replies_pass);
	if (pr->oif_routed)
		xd_finding_ev_str(x, "oif", "%s", pr->oif_routed);
	if (pr->iif_routed)
		xd_finding_ev_str(x, "iif", "%s", pr->iif_routed);
	if (pr->def == F_NATT)
		xd_finding_ev_bool(x, "natt_in_use", !pr->warn_only);
	if (e->conn) {
		xd_finding_ev_str(x, "conn", "%s", e->conn);
		xd_finding_ev_str(x, "remote_addrs", "%s", e->remote_text ? e->remote_text : "?");
		xd_finding_ev_str(x, "source", "%s", "configured connection (no SA or policy yet)");
	}
	name_rule(x, fw, rn);
}

static void probe_dir(const struct xd_diag_ctx *c, struct xd_findings *out, const struct peer *e,
		      const struct probe *pr, bool inbound, bool forwarding)
{
	const struct xd_fw *fw = c->now->fw;
	struct xd_fw_packet pk = { .family = (uint8_t)e->family, .l4proto = pr->proto,
				   .ct = XD_FW_CT_NEW };
	struct xd_fw_result rn, re;
	uint8_t hooks[3];
	size_t nh;
	const char *path;

	fill_addr(inbound ? pk.src : pk.dst, &e->peer);
	fill_addr(inbound ? pk.dst : pk.src, &e->local);
	/* address-type matches (addrtype, fib … type local) from the namespace's addresses */
	{
		struct xd_addr a;
		memcpy(a.b, pk.src, 16);
		pk.src_local = (int8_t)xd_snapshot_addr_local(c->now, e->family, &a);
		memcpy(a.b, pk.dst, 16);
		pk.dst_local = (int8_t)xd_snapshot_addr_local(c->now, e->family, &a);
	}
	/* a remote peer's packets never use the loopback device: `iif lo accept` is decided */
	pk.iif_not_lo = inbound || forwarding;
	pk.oif_not_lo = !inbound || forwarding;
	if (pr->has_ports) {
		pk.has_sport = pk.has_dport = true;
		pk.sport = pr->sport;
		pk.dport = pr->dport;
	}
	if (pr->has_spi) {
		pk.has_spi = true;
		pk.spi = pr->spi;
	}
	if (forwarding) {
		nh = xd_fw_path(XD_FW_PATH_FORWARD, hooks);
		path = "forward";
	} else {
		nh = xd_fw_path(inbound ? XD_FW_PATH_INPUT : XD_FW_PATH_OUTPUT, hooks);
		path = inbound ? "prerouting,input" : "output,postrouting";
	}
	/* the input path has no output interface; the others leave by the routed one */
	struct probe prr = *pr;
	if (forwarding || !inbound) {
		prr.oif_routed = route_oif(c->now, &pk, forwarding);
		if (pk.oif_index) {
			struct xd_addr a;
			memcpy(a.b, pk.src, 16);
			pk.masq_keeps_src = xd_snapshot_only_addr(c->now, pk.family,
								  (int32_t)pk.oif_index, &a);
		}
	} else
		prr.iif_routed = route_iif(c->now, &pk);
	pr = &prr;
	if (xd_fw_eval(fw, &pk, hooks, nh, &rn) < 0)
		return;
	if (rn.verdict == XD_FW_DROP) {
		pk.ct = XD_FW_CT_ESTABLISHED;
		if (xd_fw_eval(fw, &pk, hooks, nh, &re) < 0)
			return;
		report(c, out, e, pr, inbound, path, &rn, &re);
	} else
		report(c, out, e, pr, inbound, path, &rn, NULL);
}

static void check_peer(const struct xd_diag_ctx *c, struct xd_findings *out, const struct peer *e)
{
	const struct xd_snapshot *s = c->now;
	bool forwarding = xd_snapshot_has_local_addrs(s) &&
			  !xd_snapshot_is_local(s, e->family, &e->local);
	struct probe pr[6];
	size_t n = 0;
	/* packet offload: the NIC encrypts and decrypts, so ESP (plain or in UDP) never passes
	 * netfilter; only IKE, which the daemon sends itself, does */
	bool offloaded = e->sas && e->sas_offloaded == e->sas;

	if (e->esp && !offloaded)
		pr[n++] = (struct probe){ .what = "ESP", .def = F_ESP, .proto = PROTO_ESP };
	if (e->ah && !offloaded)
		pr[n++] = (struct probe){ .what = "AH", .def = F_AH, .proto = PROTO_AH };
	pr[n++] = (struct probe){ .what = "IKE (udp/500)", .def = F_IKE, .proto = 17,
				  .sport = 500, .dport = 500, .has_ports = true };
	if (e->esp && !offloaded)
		pr[n++] = (struct probe){ .what = "NAT-T (udp/4500)", .def = F_NATT, .proto = 17,
					  .sport = e->natt_used && e->natt_peer_port ? e->natt_peer_port : 4500,
					  .dport = e->natt_used && e->natt_local_port ? e->natt_local_port : 4500,
					  .has_ports = true, .warn_only = !e->natt_used };
	for (size_t i = 0; i < n; i++) {
		struct probe in = pr[i], outp = pr[i];
		if (in.proto == PROTO_ESP || in.proto == PROTO_AH) {
			in.has_spi = e->spi_in_known, in.spi = e->spi_in;
			outp.has_spi = e->spi_out_known, outp.spi = e->spi_out;
		} else {
			/* outbound: our port is the source */
			outp.sport = pr[i].dport;
			outp.dport = pr[i].sport;
		}
		probe_dir(c, out, e, &in, true, forwarding);
		/* a responder waiting for a configured peer: what it receives decides */
		if (!e->conn)
			probe_dir(c, out, e, &outp, false, forwarding);
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

/* The interface holding an out policy's tunnel source address (rtnl.addr + rtnl.link). */
static const char *tmpl_oif(const struct xd_snapshot *s, const struct xd_policy *p)
{
	for (uint32_t t = 0; t < p->tmpl_count; t++) {
		const struct xd_tmpl *tm = xd_policy_tmpl(s, p, t);
		if (!xd_mode_is_tunnel_like(tm->mode))
			continue;
		for (size_t i = 0; i < s->addrs.len; i++) {
			const struct xd_local_addr *a = xd_vec_at(&s->addrs, i);
			const struct xd_link *l;
			if (a->family != tm->family || memcmp(&a->addr, &tm->saddr, sizeof(a->addr)))
				continue;
			l = xd_snapshot_link(s, a->ifindex);
			if (l && l->name && strlen(l->name) < 16)
				return l->name;
		}
	}
	return NULL;
}

static bool out_policy_covers(const struct xd_snapshot *s, const struct xd_selector *want)
{
	for (size_t i = 0; i < s->policies.len; i++) {
		const struct xd_policy *p = xd_snapshot_policy(s, i);
		if (p->dir == POL_OUT && p->tmpl_count && p->action == ACTION_ALLOW &&
		    xd_diag_selector_covers(&p->sel, want))
			return true;
	}
	return false;
}

static void check_plaintext(const struct xd_diag_ctx *c, struct xd_findings *out)
{
	const struct xd_snapshot *s = c->now;
	const struct xd_fw *fw = s->fw;

	for (size_t i = 0; i < s->policies.len; i++) {
		const struct xd_policy *p = xd_snapshot_policy(s, i);
		const struct xd_selector *sel = &p->sel;
		struct xd_fw_packet pk = { .family = (uint8_t)sel->family, .l4proto = 6,
					   .has_sport = true, .has_dport = true, .sport = 40000,
					   .dport = 8443, .ct = XD_FW_CT_NEW };
		struct xd_fw_result r;
		uint8_t hooks[3];
		size_t nh;
		char net[64];

		if (!p->tmpl_count || p->action != ACTION_ALLOW || (sel->family != 2 && sel->family != 10))
			continue;
		pk.oif_not_lo = true; /* towards a remote subnet */
		if (p->dir == POL_IN) {
			/* traffic back to the protected remote subnet (the in policy's source) */
			struct xd_selector want = { .family = sel->family, .daddr = sel->saddr,
						    .prefixlen_d = sel->prefixlen_s,
						    .saddr = sel->daddr,
						    .prefixlen_s = sel->prefixlen_d };
			if (sel->prefixlen_s == 0 || out_policy_covers(s, &want))
				continue;
			sel_host(pk.src, &sel->daddr, sel->prefixlen_d, sel->family);
			sel_host(pk.dst, &sel->saddr, sel->prefixlen_s, sel->family);
			(void)route_oif(s, &pk, false);
			nh = xd_fw_path(XD_FW_PATH_OUTPUT, hooks);
			if (xd_fw_eval(fw, &pk, hooks, nh, &r) < 0 || r.verdict != XD_FW_ACCEPT)
				continue;
			xd_diag_addr(&sel->saddr, sel->family, net, sizeof(net));
			struct xd_finding *x = xd_finding_add(
				out, &defs[F_CLEAR],
				"plaintext tcp/8443 to protected subnet %s/%u is accepted and no out policy covers it",
				net, sel->prefixlen_s);
			xd_finding_policy(x, p->index, "in");
			xd_finding_ev_str(x, "subnet", "%s/%u", net, sel->prefixlen_s);
			xd_finding_ev_str(x, "path", "output,postrouting");
			name_rule(x, fw, &r);
		} else if (p->dir == POL_OUT || p->dir == POL_FWD) {
			if (p->dir != POL_OUT)
				continue;
			/* what an out policy should match, through postrouting (NAT happens there) */
			sel_host(pk.src, &sel->saddr, sel->prefixlen_s, sel->family);
			sel_host(pk.dst, &sel->daddr, sel->prefixlen_d, sel->family);
			if (sel->proto)
				pk.l4proto = sel->proto;
			pk.policy_out = true;
			pk.iif_not_lo = true;
			/* The interface the route lookup gives for the protected destination
			 * (postrouting sees the plaintext with it). Without routes: tunnelled
			 * traffic normally leaves through the interface of the tunnel's local
			 * endpoint; try that one and say so in the evidence; without either,
			 * report a NAT that merely may apply. */
			const char *routed = route_oif(s, &pk, false);
			const char *oif = routed ? NULL : tmpl_oif(s, p);
			if (oif)
				xd_strlcpy(pk.oif, oif, sizeof(pk.oif));
			for (int path = 0; path < 2; path++) {
				const struct xd_fw_trace *nr;
				nh = xd_fw_path(path ? XD_FW_PATH_FORWARD : XD_FW_PATH_OUTPUT, hooks);
				if (xd_fw_eval(fw, &pk, hooks, nh, &r) < 0 || !(r.nat || r.nat_possible))
					continue;
				nr = r.nat ? &r.nat_rule : &r.nat_possible_rule;
				xd_diag_addr(&sel->daddr, sel->family, net, sizeof(net));
				struct xd_finding *x = xd_finding_add(
					out, &defs[F_NAT],
					"NAT rule %s %s handle %llu %s %s traffic to %s/%u that out policy %u should encrypt",
					nr->table, nr->chain, (unsigned long long)nr->handle,
					r.nat ? "rewrites" : "may rewrite", path ? "forwarded" : "local",
					net, sel->prefixlen_d, p->index);
				if (!r.nat)
					xd_finding_set_severity(x, XD_SEV_WARNING);
				xd_finding_policy(x, p->index, "out");
				xd_finding_rule(x, nr->table, nr->chain, nr->handle);
				xd_finding_ev_str(x, "path", "%s", path ? "forward" : "output");
				if (oif)
					xd_finding_ev_str(x, "oif_assumed", "%s", oif);
				if (routed)
					xd_finding_ev_str(x, "oif", "%s", routed);
				break;
			}
		}
	}
}

/*
 * Was the whole firewall read, so that "no rules" is a fact and not a gap? Every nf_tables
 * dump complete, and legacy tables read or not in use at all (no ip_tables module: the
 * names file is absent).
 */
static bool fw_read_whole(const struct xd_snapshot *s)
{
	static const enum xd_dump nft[] = { XD_DUMP_NFT_TABLES, XD_DUMP_NFT_CHAINS,
					    XD_DUMP_NFT_SETS, XD_DUMP_NFT_RULES };
	static const enum xd_dump legacy[] = { XD_DUMP_IPT_NAMES, XD_DUMP_IP6T_NAMES,
					       XD_DUMP_IPT, XD_DUMP_IP6T };

	for (size_t i = 0; i < sizeof(nft) / sizeof(nft[0]); i++)
		if (s->meta.dump_status[nft[i]] != XD_DUMP_COMPLETE)
			return false;
	for (size_t i = 0; i < sizeof(legacy) / sizeof(legacy[0]); i++)
		if (s->meta.dump_status[legacy[i]] != XD_DUMP_COMPLETE &&
		    s->meta.dump_status[legacy[i]] != XD_DUMP_ABSENT)
			return false;
	return true;
}

static void run_with(const struct xd_diag_ctx *c, struct xd_findings *out);

static void run(const struct xd_diag_ctx *c, struct xd_findings *out)
{
	const struct xd_snapshot *s = c->now;

	if (!s->fw || !s->fw->indexed || s->fw->rules.len + s->fw->chains.len == 0) {
		/* No rule set is a verdict, not the absence of one: the kernel accepts
		 * everything (plaintext to a protected peer included). Only when the firewall
		 * was read whole; otherwise nothing is known. */
		struct xd_snapshot view;
		struct xd_diag_ctx vc;
		struct xd_fw *none;

		if (!fw_read_whole(s))
			return;
		none = malloc(sizeof(*none));
		if (!none) {
			out->error = out->error ? out->error : -ENOMEM;
			return;
		}
		xd_fw_init(none);
		if (xd_fw_index(none) < 0) {
			xd_fw_done(none);
			free(none);
			out->error = out->error ? out->error : -ENOMEM;
			return;
		}
		/* the checks read the model through the snapshot: a shallow view with it */
		view = *s;
		view.fw = none;
		vc = *c;
		vc.now = &view;
		run_with(&vc, out);
		xd_fw_done(none);
		free(none);
		return;
	}
	run_with(c, out);
}

static void run_with(const struct xd_diag_ctx *c, struct xd_findings *out)
{
	const struct xd_snapshot *s = c->now;
	struct peers *p;

	if (s->meta.dump_status[XD_DUMP_NFT_RULES] == XD_DUMP_DENIED ||
	    s->meta.dump_status[XD_DUMP_NFT_RULES] == XD_DUMP_ERROR)
		return; /* tool.* already says the rule set could not be read */
	for (enum xd_dump d = XD_DUMP_NFT_TABLES; d <= XD_DUMP_IP6T; d++) {
		if (s->meta.dump_status[d] != XD_DUMP_INTERRUPTED)
			continue;
		/* a torn rule set is never authoritative: say so once instead of guessing */
		struct xd_finding *x = xd_finding_add(
			out, &defs[F_UNDEC], "the firewall rule set changed while it was read (%s)",
			xd_dump_name(d));
		xd_finding_name(x, xd_dump_name(d));
		xd_finding_ev_str(x, "reason", "dump interrupted");
		return;
	}
	p = calloc(1, sizeof(*p));
	if (!p) {
		out->error = out->error ? out->error : -ENOMEM;
		return;
	}
	collect_peers(s, p);
	collect_conn_peers(s, p);
	for (size_t i = 0; i < p->n; i++)
		check_peer(c, out, &p->v[i]);
	check_plaintext(c, out);
	free(p);
}

const struct xd_check_family xd_check_fw = {
	.name = "fw",
	.defs = defs,
	.run = run,
};
