/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rtunnel.c: the route-based tunnels of a snapshot (rtunnel.h): which SAs and policies each
 * xfrm or vti interface carries, by the same rules the kernel applies (if_id equality for
 * xfrm interfaces; endpoints and key-as-mark for VTIs).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag-util.h"
#include "xfrmd/kernel.h"
#include "xfrmd/route.h"
#include "xfrmd/rtunnel.h"

#define XD_IFF_UP 0x1 /* IFF_UP; diag sees no kernel headers */

bool xd_link_is_down(const struct xd_link *l)
{
	if (!(l->flags & XD_IFF_UP))
		return true;
	return (l->has & XD_LINK_HAS_OPERSTATE) &&
	       (l->operstate == XD_OPER_DOWN || l->operstate == XD_OPER_LOWERLAYERDOWN ||
		l->operstate == XD_OPER_NOTPRESENT);
}

static bool is_xfrm(const struct xd_link *l)
{
	return l->kind && xd_streq(l->kind, "xfrm");
}

static bool vti_end_any(const struct xd_link *l, const struct xd_addr *a, uint32_t bit);

/* A VTI with at least one endpoint. The module's fallback device (ip_vti0, ip6_vti0: no
 * endpoints, keys 0) exists wherever ip_vti is loaded and carries no tunnel. */
static bool is_vti(const struct xd_link *l)
{
	return l->kind && (xd_streq(l->kind, "vti") || xd_streq(l->kind, "vti6")) && l->vti_family &&
	       !(vti_end_any(l, &l->vti_local, XD_LINK_HAS_VTI_LOCAL) &&
		 vti_end_any(l, &l->vti_remote, XD_LINK_HAS_VTI_REMOTE));
}

bool xd_link_is_rtunnel(const struct xd_link *l)
{
	return is_xfrm(l) || is_vti(l);
}

static bool vti_end_any(const struct xd_link *l, const struct xd_addr *a, uint32_t bit)
{
	return !(l->has & bit) || xd_diag_addr_is_zero(a, l->vti_family);
}

/* Do outer addresses src->dst run between the VTI's endpoints; which way? Without either
 * endpoint nothing ties an SA to the device, so nothing matches. */
static bool vti_ends(const struct xd_link *l, uint16_t family, const struct xd_addr *src,
		     const struct xd_addr *dst, bool *ret_inbound)
{
	bool lany = vti_end_any(l, &l->vti_local, XD_LINK_HAS_VTI_LOCAL);
	bool rany = vti_end_any(l, &l->vti_remote, XD_LINK_HAS_VTI_REMOTE);

	if (family != l->vti_family || (lany && rany))
		return false;
	if ((lany || !xd_addr_cmp(src, &l->vti_local)) && (rany || !xd_addr_cmp(dst, &l->vti_remote))) {
		*ret_inbound = false;
		return true;
	}
	if ((rany || !xd_addr_cmp(src, &l->vti_remote)) && (lany || !xd_addr_cmp(dst, &l->vti_local))) {
		*ret_inbound = true;
		return true;
	}
	return false;
}

bool xd_rtunnel_sa_on(const struct xd_snapshot *s, const struct xd_link *l, const struct xd_sa *sa,
		      bool want_mark, bool *ret_inbound)
{
	if (is_xfrm(l)) {
		if (!(sa->has & XD_SA_HAS_IF_ID) || !sa->if_id || sa->if_id != l->xfrm_if_id)
			return false;
		*ret_inbound = xd_diag_sa_dir(s, sa) == SA_DIR_IN;
		return true;
	}
	if (!is_vti(l) || (sa->has & XD_SA_HAS_IF_ID && sa->if_id) ||
	    !vti_ends(l, sa->family, &sa->saddr, &sa->daddr, ret_inbound))
		return false;
	return !want_mark || xd_mark_matches(&sa->mark, *ret_inbound ? l->vti_ikey : l->vti_okey);
}

bool xd_rtunnel_policy_on(const struct xd_snapshot *s, const struct xd_link *l,
			  const struct xd_policy *p, bool want_mark)
{
	if (p->dir > POL_FWD)
		return false;
	if (is_xfrm(l))
		return (p->has & XD_POL_HAS_IF_ID) && p->if_id && p->if_id == l->xfrm_if_id;
	if (!is_vti(l) || (p->has & XD_POL_HAS_IF_ID && p->if_id))
		return false;
	for (uint32_t t = 0; t < p->tmpl_count; t++) {
		const struct xd_tmpl *tm = xd_policy_tmpl(s, p, t);
		bool inbound;
		if (!xd_mode_is_tunnel_like(tm->mode) ||
		    !vti_ends(l, tm->family, &tm->saddr, &tm->daddr, &inbound) ||
		    inbound != (p->dir != POL_OUT))
			continue;
		return !want_mark || xd_mark_matches(&p->mark, inbound ? l->vti_ikey : l->vti_okey);
	}
	return false;
}

const char *xd_rtunnel_kind_name(enum xd_rtunnel_kind k)
{
	return k == XD_RTUNNEL_XFRM ? "xfrm" : "vti";
}

const char *xd_rtunnel_state_name(enum xd_rtunnel_state st)
{
	static const char *const n[] = { "up", "degraded", "idle", "down" };
	return (unsigned)st < 4 ? n[st] : "unknown";
}

static int sysctl_int(const struct xd_snapshot *s, bool v6, const char *ifname, const char *key)
{
	char name[128];
	const char *v;

	if (snprintf(name, sizeof(name), "net.%s.conf.%s.%s", v6 ? "ipv6" : "ipv4", ifname, key) >=
	    (int)sizeof(name))
		return -1;
	v = xd_kernel_sysctl(s, name);
	return v ? (int)strtol(v, NULL, 10) : -1;
}

struct peer_key {
	uint32_t row;
	uint16_t family;
	struct xd_addr peer;
};

static int peer_key_cmp(const void *pa, const void *pb)
{
	const struct peer_key *a = pa, *b = pb;

	if (a->row != b->row)
		return a->row < b->row ? -1 : 1;
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	return xd_addr_cmp(&a->peer, &b->peer);
}

static int note_peer(struct xd_vec *keys, struct xd_rtunnel *t, uint32_t row, uint16_t family,
		     const struct xd_addr *local, const struct xd_addr *peer)
{
	struct peer_key *k;

	if (xd_diag_addr_is_zero(peer, family))
		return 0;
	if (!t->family) {
		t->family = family;
		t->local = *local;
		t->peer = *peer;
	}
	k = xd_vec_push(keys);
	if (!k)
		return -ENOMEM;
	*k = (struct peer_key){ .row = row, .family = family, .peer = *peer };
	return 0;
}

/* One pass over SAs and policies per interface: route-based interfaces are few (a VTI or
 * xfrm interface per tunnel at most), SAs may be many. */
static int fill(const struct xd_snapshot *s, struct xd_rtunnel *t, uint32_t row, struct xd_vec *keys)
{
	const struct xd_link *l = t->link;

	for (size_t i = 0; i < s->sas.len; i++) {
		const struct xd_sa *sa = xd_snapshot_sa(s, i);
		bool in;
		if (!diag_sa_is_real(sa) || !xd_rtunnel_sa_on(s, l, sa, true, &in))
			continue;
		if (t->kind == XD_RTUNNEL_XFRM && xd_diag_sa_dir(s, sa) == SA_DIR_UNKNOWN)
			continue;
		if (in)
			t->sas_in++;
		else
			t->sas_out++;
		if (note_peer(keys, t, row, sa->family, in ? &sa->daddr : &sa->saddr,
			      in ? &sa->saddr : &sa->daddr) < 0)
			return -ENOMEM;
	}
	for (size_t i = 0; i < s->policies.len; i++) {
		const struct xd_policy *p = xd_snapshot_policy(s, i);
		if (!xd_rtunnel_policy_on(s, l, p, true))
			continue;
		t->policies++;
		for (uint32_t k = 0; k < p->tmpl_count; k++) {
			const struct xd_tmpl *tm = xd_policy_tmpl(s, p, k);
			bool out = p->dir == POL_OUT;
			if (!xd_mode_is_tunnel_like(tm->mode))
				continue;
			if (note_peer(keys, t, row, tm->family, out ? &tm->saddr : &tm->daddr,
				      out ? &tm->daddr : &tm->saddr) < 0)
				return -ENOMEM;
		}
	}
	return 0;
}

/* fe80::/64, which the kernel routes out of every IPv6-enabled interface */
static bool is_ll6(const struct xd_route *r)
{
	return r->family == 10 && r->dst.b[0] == 0xfe && (r->dst.b[1] & 0xc0) == 0x80;
}

int xd_rtunnels_build(const struct xd_snapshot *s, struct xd_vec *ret)
{
	struct xd_vec rows, keys;

	xd_vec_init(&rows, sizeof(struct xd_rtunnel));
	xd_vec_init(&keys, sizeof(struct peer_key));
	for (size_t i = 0; i < s->links.len; i++) {
		const struct xd_link *l = xd_vec_at(&s->links, i);
		struct xd_rtunnel *t;
		bool v6;

		if (!xd_link_is_rtunnel(l))
			continue;
		t = xd_vec_push(&rows);
		if (!t)
			goto oom;
		*t = (struct xd_rtunnel){ .link = l, .kind = is_xfrm(l) ? XD_RTUNNEL_XFRM : XD_RTUNNEL_VTI };
		t->if_up = !xd_link_is_down(l);
		if (t->kind == XD_RTUNNEL_VTI) {
			t->family = l->vti_family;
			t->local = l->vti_local;
			t->peer = l->vti_remote;
		}
		if (fill(s, t, (uint32_t)(rows.len - 1), &keys) < 0)
			goto oom;
		t->state = !t->if_up ? XD_RTUNNEL_DOWN
			   : t->sas_in && t->sas_out ? XD_RTUNNEL_UP
			   : t->sas_in || t->sas_out ? XD_RTUNNEL_DEGRADED
						     : XD_RTUNNEL_IDLE;
		t->routes = -1;
		if (xd_routes_collected(s)) {
			t->routes = 0;
			for (size_t k = 0; k < s->routes.len; k++) {
				const struct xd_route *r = xd_vec_at(&s->routes, k);
				/* unicast only: the interface's own (local, broadcast) routes carry
				 * nothing into the tunnel */
				if (r->oif == l->ifindex && r->type == XD_RTN_UNICAST &&
				    !is_ll6(r))
					t->routes++;
			}
		}
		v6 = t->kind == XD_RTUNNEL_VTI && l->vti_family == 10;
		t->disable_policy = l->name ? sysctl_int(s, v6, l->name, "disable_policy") : -1;
		t->disable_xfrm = l->name && !v6 ? sysctl_int(s, false, l->name, "disable_xfrm") : -1;
	}
	if (keys.len > 1)
		qsort(keys.data, keys.len, sizeof(struct peer_key), peer_key_cmp);
	for (size_t i = 0; i < keys.len; i++) {
		const struct peer_key *k = xd_vec_at(&keys, i);
		if (i == 0 || peer_key_cmp(k, xd_vec_at(&keys, i - 1)) != 0)
			((struct xd_rtunnel *)xd_vec_at(&rows, k->row))->peers++;
	}
	xd_vec_done(&keys);
	*ret = rows;
	return 0;
oom:
	xd_vec_done(&keys);
	xd_vec_done(&rows);
	return -ENOMEM;
}
