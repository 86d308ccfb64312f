/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * check-stack.c: findings about the IKE daemons (DESIGN.md §7 `stack.*`). Built on the stack
 * view (stack.h): running daemons from process information, or from XFRM netlink group
 * memberships when a snapshot has none; policies attributed by recomputing each daemon's
 * priority formula. Policies typed by hand (priority 0) are never attributed to a daemon,
 * so a manual-key setup without IKE raises nothing. Without socket or process evidence the
 * checks that need it stay silent.
 */
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "diag-util.h"
#include "xfrmd/diag.h"
#include "xfrmd/stack.h"

enum { D_NONE, D_MULTIPLE, D_PORT, D_NATT, D_DEPRECATED, D_FOREIGN };

static const struct xd_finding_def defs[] = {
	[D_NONE] = { "stack.none_running", XD_SEV_ERROR, "IPsec state from an IKE daemon, but no IKE daemon runs",
		     "Nothing will rekey these SAs or answer ACQUIREs; traffic stops when the SAs "
		     "expire (or now, for policies without SAs). Start the daemon (systemctl start "
		     "strongswan / ipsec), or flush the leftovers (`ip xfrm policy flush`, `ip xfrm "
		     "state flush`) if the tunnel was retired." },
	[D_MULTIPLE] = { "stack.multiple", XD_SEV_WARNING, "more than one IKE daemon runs",
			 "Two key managers fight over UDP 500/4500, policies and ACQUIREs. Stop all "
			 "but one (e.g. disable strongswan when using libreswan, or vice versa)." },
	[D_PORT] = { "stack.port_conflict", XD_SEV_ERROR, "IKE port owned by a process that is not an IKE daemon",
		     "The IKE daemon cannot bind UDP 500/4500 while another program holds it. Stop "
		     "or reconfigure that program." },
	[D_NATT] = { "stack.natt_port_closed", XD_SEV_WARNING, "IKE daemon without a NAT-T socket on UDP 4500",
		     "Peers behind NAT (and ESP-in-UDP SAs) need UDP 4500 bound with UDP_ENCAP. "
		     "Check the daemon's port settings (strongSwan charon.port_nat_t, libreswan "
		     "nat-ikeport) and its log for bind errors.",
		     XD_DEF_AGGREGATE },
	[D_DEPRECATED] = { "stack.deprecated", XD_SEV_WARNING, "deprecated IKE stack",
			   "Openswan and racoon (ipsec-tools) are unmaintained and use kernel "
			   "interfaces that are being removed (PF_KEY). Migrate to libreswan or "
			   "strongSwan." },
	[D_FOREIGN] = { "stack.foreign_policies", XD_SEV_WARNING, "policies installed by an IKE stack that is not running",
			"These policies were left by another (or an earlier) daemon and may shadow "
			"the running daemon's policies. Remove them with `ip xfrm policy delete` once "
			"confirmed stale." },
	{ NULL },
};

static bool is_daemon_kind(enum xd_stack_kind k)
{
	return k == XD_STACK_STRONGSWAN || k == XD_STACK_LIBRESWAN || k == XD_STACK_OPENSWAN ||
	       k == XD_STACK_RACOON || k == XD_STACK_IKED;
}

/* A daemon of kind k runs; Openswan-formula policies also belong to an old pluto. */
static bool kind_running(const struct xd_stack_view *v, enum xd_stack_kind k)
{
	if (xd_stack_view_daemon(v, k))
		return true;
	if (k == XD_STACK_OPENSWAN)
		return xd_stack_view_daemon(v, XD_STACK_LIBRESWAN) != NULL;
	return false;
}

static bool udp_bound(const struct xd_stack_facts *f, uint16_t port)
{
	for (size_t i = 0; i < f->isocks.len; i++) {
		const struct xd_isock *is = xd_vec_at(&f->isocks, i);
		if (is->proto == IPPROTO_UDP && is->sport == port)
			return true;
	}
	return false;
}

/* ESP-in-UDP SAs need a UDP_ENCAP socket on their local port (sport out, dport in). */
static void check_encap_sockets(const struct xd_snapshot *s, struct xd_findings *out)
{
	uint16_t reported[8];
	unsigned n = 0;

	for (size_t i = 0; i < s->sas.len; i++) {
		const struct xd_sa *sa = xd_snapshot_sa(s, i);
		struct xd_finding *x;
		bool dup = false;
		if (!(sa->has & XD_SA_HAS_ENCAP) || sa->encap.type != 2 || !diag_sa_is_real(sa) ||
		    udp_bound(s->stack, sa->encap.sport) || udp_bound(s->stack, sa->encap.dport))
			continue;
		for (unsigned k = 0; k < n; k++)
			dup |= reported[k] == sa->encap.sport;
		if (dup)
			continue;
		if (n < XD_ARRAY_SIZE(reported))
			reported[n++] = sa->encap.sport;
		x = xd_finding_add(out, &defs[D_NATT], "ESP-in-UDP SA (SPI 0x%08x) uses UDP %u/%u "
				   "but no UDP socket is bound on either port", sa->spi,
				   sa->encap.sport, sa->encap.dport);
		xd_finding_spi(x, sa->spi, sa->proto);
		xd_finding_reqid(x, sa->reqid);
		xd_finding_ev_int(x, "encap_sport", sa->encap.sport);
		xd_finding_ev_int(x, "encap_dport", sa->encap.dport);
	}
}

static void run(const struct xd_diag_ctx *ctx, struct xd_findings *out)
{
	const struct xd_snapshot *s = ctx->now;
	const struct xd_stack_view *v = ctx->stack;
	struct xd_finding *x;
	uint32_t daemon_policies = 0, larval = 0;
	bool knows_daemons;

	/* "no daemon" is only a fact with process information or the netlink socket list */
	knows_daemons = v->have_processes || v->have_netlink;
	for (unsigned k = 0; k < _XD_STACK_KIND_MAX; k++)
		if (is_daemon_kind((enum xd_stack_kind)k))
			daemon_policies += v->policies_by_kind[k];
	for (size_t i = 0; i < s->sas.len; i++)
		larval += diag_sa_is_larval(xd_snapshot_sa(s, i));

	if (knows_daemons && v->n_daemons == 0 && v->acquire_listeners == 0 &&
	    (daemon_policies || larval)) {
		enum xd_stack_kind top = XD_STACK_UNKNOWN;
		for (unsigned k = 0; k < _XD_STACK_KIND_MAX; k++)
			if (is_daemon_kind((enum xd_stack_kind)k) &&
			    (top == XD_STACK_UNKNOWN || v->policies_by_kind[k] > v->policies_by_kind[top]))
				top = (enum xd_stack_kind)k;
		x = xd_finding_add(out, &defs[D_NONE], "no IKE daemon runs, but %u policies carry "
				   "the fingerprint of %s%s", daemon_policies,
				   xd_stack_kind_name(top), larval ? " and larval SAs wait for one" : "");
		xd_finding_name(x, xd_stack_kind_name(top));
		xd_finding_ev_int(x, "daemon_policies", daemon_policies);
		xd_finding_ev_int(x, "larval_sas", larval);
		xd_finding_ev_int(x, "xfrm_acquire_listeners", v->acquire_listeners);
		if (daemon_policies)
			xd_finding_policy(x, v->first_policy_by_kind[top], NULL);
	}

	if (v->n_daemons > 1) {
		char list[256] = "", detail[512] = "";
		size_t o = 0, od = 0;
		for (unsigned i = 0; i < v->n_daemons; i++) {
			const struct xd_daemon *d = &v->daemons[i];
			if (o < sizeof(list))
				o += (size_t)snprintf(list + o, sizeof(list) - o, "%s%s(pid %u)",
						      i ? ", " : "", xd_stack_kind_name(d->kind), d->pid);
			if (od < sizeof(detail))
				od += (size_t)snprintf(detail + od, sizeof(detail) - od, "%s%s pid %u %s",
						       i ? "; " : "", xd_stack_kind_name(d->kind), d->pid,
						       d->version ? d->version : "version unknown");
		}
		x = xd_finding_add(out, &defs[D_MULTIPLE], "%u IKE daemons run: %s", v->n_daemons, list);
		xd_finding_name(x, "ike_daemons");
		/* one key: evidence is a JSON object, a repeated key would keep only the last */
		xd_finding_ev_str(x, "daemons", "%s", detail);
	}

	for (unsigned i = 0; i < v->n_owners; i++) {
		const struct xd_port_owner *w = &v->owners[i];
		bool dup = false;
		if (w->proto != IPPROTO_UDP || !w->pid || w->kind != XD_STACK_UNKNOWN)
			continue;
		for (unsigned j = 0; j < i; j++)
			dup |= v->owners[j].pid == w->pid && v->owners[j].port == w->port;
		if (dup)
			continue;
		x = xd_finding_add(out, &defs[D_PORT], "UDP %u is held by %s (pid %u), not an IKE daemon",
				   w->port, w->comm ? w->comm : "?", w->pid);
		xd_finding_name(x, w->comm ? w->comm : "?");
		xd_finding_ev_int(x, "port", w->port);
		xd_finding_ev_int(x, "pid", w->pid);
	}

	if (v->have_sockets && v->have_processes) {
		for (unsigned i = 0; i < v->n_daemons; i++) {
			const struct xd_daemon *d = &v->daemons[i];
			bool p500 = false, p4500 = false;
			for (unsigned k = 0; k < d->n_ike_ports; k++) {
				p500 |= d->ike_ports[k] == 500;
				p4500 |= d->ike_ports[k] == 4500;
			}
			if (!p500 || p4500)
				continue;
			x = xd_finding_add(out, &defs[D_NATT], "%s (pid %u) listens on UDP 500 but not 4500",
					   xd_stack_kind_name(d->kind), d->pid);
			xd_finding_name(x, xd_stack_kind_name(d->kind));
		}
	}

	if (v->have_sockets)
		check_encap_sockets(s, out);

	for (unsigned i = 0; i < v->n_daemons; i++) {
		const struct xd_daemon *d = &v->daemons[i];
		if (d->kind != XD_STACK_OPENSWAN && d->kind != XD_STACK_RACOON)
			continue;
		x = xd_finding_add(out, &defs[D_DEPRECATED], "%s %s runs (pid %u)",
				   xd_stack_kind_name(d->kind), d->version ? d->version : "", d->pid);
		xd_finding_name(x, xd_stack_kind_name(d->kind));
	}

	if (v->klips) {
		x = xd_finding_add(out, &defs[D_DEPRECATED], "the KLIPS IPsec stack is loaded (%s): "
				   "its SAs and policies are invisible to XFRM", v->klips);
		xd_finding_name(x, "klips");
		xd_finding_ev_str(x, "ipsec_version", "%s", v->klips);
	}

	if (v->n_daemons > 0) {
		for (unsigned k = 0; k < _XD_STACK_KIND_MAX; k++) {
			if (!is_daemon_kind((enum xd_stack_kind)k) || !v->policies_by_kind[k] ||
			    kind_running(v, (enum xd_stack_kind)k))
				continue;
			x = xd_finding_add(out, &defs[D_FOREIGN], "%u policies carry the fingerprint of "
					   "%s, which is not running", v->policies_by_kind[k],
					   xd_stack_kind_name((enum xd_stack_kind)k));
			xd_finding_name(x, xd_stack_kind_name((enum xd_stack_kind)k));
			xd_finding_policy(x, v->first_policy_by_kind[k], NULL);
			xd_finding_ev_int(x, "policies", v->policies_by_kind[k]);
		}
	}
}

const struct xd_check_family xd_check_stack = {
	.name = "stack",
	.defs = defs,
	.run = run,
};
