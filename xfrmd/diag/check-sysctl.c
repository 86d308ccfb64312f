/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * check-sysctl.c: sysctls that break IPsec where it is used (DESIGN.md §7 `sysctl.*`).
 * Each finding needs the role that makes the setting wrong: ip_forward only matters on a
 * tunnel gateway (an inbound tunnel-mode policy whose destination is not this host); strict
 * rp_filter only on an interface where decrypted packets arrive (the one holding a local
 * tunnel endpoint, or an xfrm/vti device). Without those facts the checks stay silent.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "diag-util.h"
#include "xfrmd/diag.h"
#include "xfrmd/kernel.h"

enum { D_FORWARD, D_RPF, D_REDIRECTS };

static const struct xd_finding_def defs[] = {
	[D_FORWARD] = { "sysctl.ip_forward_off", XD_SEV_ERROR, "tunnel gateway with IP forwarding off",
			"Decrypted packets for the subnet behind this gateway are dropped before "
			"they can be forwarded. Set net.ipv4.ip_forward=1 (IPv6: "
			"net.ipv6.conf.all.forwarding=1) and make it persistent in /etc/sysctl.d." },
	[D_RPF] = { "sysctl.rp_filter_strict", XD_SEV_WARNING, "strict reverse-path filter where decrypted traffic arrives",
		    "With rp_filter=1 the kernel drops decrypted packets whose source is not routed "
		    "back through the interface they arrived on (silently; IPReversePathFilter in "
		    "nstat). Use loose mode (2) on this interface and on `all`, or route the remote "
		    "subnet via it.",
		    XD_DEF_AGGREGATE },
	[D_REDIRECTS] = { "sysctl.redirects_enabled", XD_SEV_INFO, "ICMP redirects enabled on a tunnel gateway",
			  "A gateway that sends redirects can tell hosts to bypass the tunnel route "
			  "(libreswan's `ipsec verify` requires 0). Set "
			  "net.ipv4.conf.all.send_redirects=0 and on the interface.",
			  XD_DEF_AGGREGATE },
	{ NULL },
};

static bool tmpl_tunnel(const struct xd_snapshot *s, const struct xd_policy *p,
			const struct xd_tmpl **ret)
{
	for (uint32_t t = 0; t < p->tmpl_count; t++) {
		const struct xd_tmpl *tm = xd_policy_tmpl(s, p, t);
		if (xd_mode_is_tunnel_like(tm->mode)) {
			*ret = tm;
			return true;
		}
	}
	return false;
}

/* An inbound tunnel policy of `family` whose traffic is not for this host; NULL if none. */
static const struct xd_policy *gateway_policy(const struct xd_snapshot *s, uint16_t family)
{
	for (size_t i = 0; i < s->policies.len; i++) {
		const struct xd_policy *p = xd_snapshot_policy(s, i);
		const struct xd_tmpl *tm;
		if (p->dir != POL_IN || p->action != ACTION_ALLOW || p->sel.family != family ||
		    !tmpl_tunnel(s, p, &tm))
			continue;
		if (p->sel.prefixlen_d < xd_diag_host_plen(family))
			return p;
		/* a single host: a gateway only if we know it is not one of ours */
		if (xd_snapshot_has_local_addrs(s) && !xd_snapshot_is_local(s, family, &p->sel.daddr))
			return p;
	}
	return NULL;
}

static long sysctl_num(const struct xd_snapshot *s, const char *name, bool *found)
{
	const char *v = xd_kernel_sysctl(s, name);

	*found = v != NULL;
	return v ? strtol(v, NULL, 10) : 0;
}

static void check_forward(const struct xd_snapshot *s, struct xd_findings *out)
{
	static const struct {
		uint16_t family;
		const char *sysctl;
	} fam[] = { { AF_INET, "net.ipv4.ip_forward" },
		    { AF_INET6, "net.ipv6.conf.all.forwarding" } };

	for (size_t i = 0; i < XD_ARRAY_SIZE(fam); i++) {
		const struct xd_policy *p = gateway_policy(s, fam[i].family);
		struct xd_finding *x;
		bool found;
		char sel[96], a[64];

		if (!p || sysctl_num(s, fam[i].sysctl, &found) != 0 || !found)
			continue;
		snprintf(sel, sizeof(sel), "%s/%u", xd_diag_addr(&p->sel.daddr, p->sel.family, a, sizeof(a)),
			 p->sel.prefixlen_d);
		x = xd_finding_add(out, &defs[D_FORWARD], "%s=0 on a tunnel gateway (inbound tunnel "
				   "policy for %s)", fam[i].sysctl, sel);
		xd_finding_name(x, fam[i].sysctl);
		xd_finding_policy(x, p->index, "in");
		xd_finding_ev_str(x, "sysctl", "%s", fam[i].sysctl);
		xd_finding_ev_int(x, "value", 0);
		xd_finding_ev_str(x, "protected_destination", "%s", sel);
	}
}

/* Interfaces (names) where decrypted IPv4 packets arrive. */
struct ifset {
	const char *names[32];
	const char *why[32];
	unsigned n;
};

static void ifset_add(struct ifset *set, const char *name, const char *why)
{
	for (unsigned i = 0; i < set->n; i++)
		if (xd_streq(set->names[i], name))
			return;
	if (set->n < XD_ARRAY_SIZE(set->names)) {
		set->names[set->n] = name;
		set->why[set->n++] = why;
	}
}

static void receiving_ifaces(const struct xd_snapshot *s, struct ifset *set)
{
	for (size_t i = 0; i < s->links.len; i++) {
		const struct xd_link *l = xd_vec_at(&s->links, i);
		if (l->name && l->kind && (xd_streq(l->kind, "xfrm") || xd_streq(l->kind, "vti")))
			ifset_add(set, l->name, "route-based IPsec device");
	}
	for (size_t i = 0; i < s->policies.len; i++) {
		const struct xd_policy *p = xd_snapshot_policy(s, i);
		const struct xd_tmpl *tm;
		if (p->dir != POL_IN || p->action != ACTION_ALLOW || !tmpl_tunnel(s, p, &tm) ||
		    tm->family != AF_INET)
			continue;
		/* the template's destination is our end of the tunnel: ESP arrives there */
		for (size_t a = 0; a < s->addrs.len; a++) {
			const struct xd_local_addr *la = xd_vec_at(&s->addrs, a);
			const struct xd_link *l;
			if (la->family != AF_INET || memcmp(&la->addr, &tm->daddr, 4) != 0)
				continue;
			l = xd_snapshot_link(s, la->ifindex);
			if (l && l->name)
				ifset_add(set, l->name, "holds a local tunnel endpoint");
		}
	}
}

static void check_rpf_redirects(const struct xd_snapshot *s, struct xd_findings *out)
{
	struct ifset set = { 0 };
	bool found, gw = gateway_policy(s, AF_INET) != NULL;
	long all = sysctl_num(s, "net.ipv4.conf.all.rp_filter", &found);
	long all_send = sysctl_num(s, "net.ipv4.conf.all.send_redirects", &found);

	receiving_ifaces(s, &set);
	for (unsigned i = 0; i < set.n; i++) {
		char name[160];
		long ifv, eff, send;
		bool have;
		struct xd_finding *x;

		snprintf(name, sizeof(name), "net.ipv4.conf.%s.rp_filter", set.names[i]);
		ifv = sysctl_num(s, name, &have);
		if (!have)
			continue;
		eff = ifv > all ? ifv : all; /* the kernel uses max(all, interface) */
		if (eff == 1) {
			x = xd_finding_add(out, &defs[D_RPF], "rp_filter is strict on %s (%s)",
					   set.names[i], set.why[i]);
			xd_finding_name(x, name);
			/* evidence keys are static snake_case; the interface is a value */
			xd_finding_ev_str(x, "interface", "%s", set.names[i]);
			xd_finding_ev_int(x, "all_rp_filter", all);
			xd_finding_ev_int(x, "interface_rp_filter", ifv);
			xd_finding_ev_str(x, "interface_role", "%s", set.why[i]);
		}
		snprintf(name, sizeof(name), "net.ipv4.conf.%s.send_redirects", set.names[i]);
		send = sysctl_num(s, name, &have);
		if (gw && have && (send || all_send)) {
			x = xd_finding_add(out, &defs[D_REDIRECTS], "send_redirects is on for %s on a "
					   "tunnel gateway", set.names[i]);
			xd_finding_name(x, name);
			xd_finding_ev_str(x, "interface", "%s", set.names[i]);
			xd_finding_ev_int(x, "all_send_redirects", all_send);
			xd_finding_ev_int(x, "interface_send_redirects", send);
		}
	}
}

static void run(const struct xd_diag_ctx *ctx, struct xd_findings *out)
{
	const struct xd_snapshot *s = ctx->now;

	if (!s->kernel || !s->kernel->sysctl_present)
		return;
	check_forward(s, out);
	check_rpf_redirects(s, out);
}

const struct xd_check_family xd_check_sysctl = {
	.name = "sysctl",
	.defs = defs,
	.run = run,
};
