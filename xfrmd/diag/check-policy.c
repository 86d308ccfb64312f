/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * check-policy.c: findings about the SPD (DESIGN.md §7 `policy.*`): templates no SA can
 * satisfy, a tunnel gateway without its fwd policy, policies without their reverse partner,
 * policies shadowed by a higher-priority overlap, and default-block. Lookups go through
 * policy-index so large SPDs cost O(n log n), never all pairs.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag-util.h"
#include "policy-index.h"
#include "xfrmd/diag.h"
#include "xfrmd/names.h"

enum {
	D_TMPL_NO_SA,
	D_MISSING_FWD,
	D_MISSING_PARTNER,
	D_SHADOWED,
	D_DEFAULT_BLOCK,
};

static const struct xd_finding_def defs[] = {
	[D_TMPL_NO_SA] = { "policy.tmpl_no_sa", XD_SEV_WARNING, "outbound policy whose template no SA satisfies",
			   "Traffic matching this policy is dropped (XfrmOutNoStates) until the IKE "
			   "daemon installs an SA with the template's reqid, protocol and endpoints. "
			   "Check that the daemon runs and the tunnel is up.",
			   XD_DEF_AGGREGATE },
	[D_MISSING_FWD] = { "policy.missing_fwd", XD_SEV_ERROR, "tunnel gateway without a fwd policy",
			    "Decrypted packets for the subnet behind this gateway are dropped "
			    "(XfrmInNoPols). Add a `dir fwd` policy mirroring the `dir in` one "
			    "(IKE daemons do this themselves; look for a hand-made or partially "
			    "deleted policy set).",
			    XD_DEF_AGGREGATE },
	[D_MISSING_PARTNER] = { "policy.missing_partner", XD_SEV_WARNING, "IPsec policy without its reverse partner",
				"The tunnel protects one direction only. Install the mirrored policy "
				"(in for out, out for in), or re-establish the CHILD_SA.",
				XD_DEF_AGGREGATE },
	[D_SHADOWED] = { "policy.shadowed", XD_SEV_WARNING, "policy hidden by a higher-priority overlapping policy",
			 "Packets matching this policy also match an earlier one with another action "
			 "or template, so this one never applies. Remove the stale policy or fix the "
			 "priorities.",
			 XD_DEF_AGGREGATE },
	[D_DEFAULT_BLOCK] = { "policy.default_block", XD_SEV_WARNING, "kernel default policy is block",
			      "Traffic no policy covers is dropped in this direction (`ip xfrm "
			      "policy getdefault`). Make sure every expected flow has a policy, or set "
			      "the default back to accept." },
	{ NULL },
};

static const char *sel_desc(const struct xd_selector *sel, char *buf, size_t len)
{
	char a[80], b[80], nb[8];
	const char *p = xd_name_l4proto(sel->proto);

	if (!p) {
		snprintf(nb, sizeof(nb), "%u", sel->proto);
		p = nb;
	}
	snprintf(buf, len, "%s -> %s%s%s",
		 xd_prefix_fmt(&sel->saddr, sel->family, sel->prefixlen_s, a, sizeof(a)),
		 xd_prefix_fmt(&sel->daddr, sel->family, sel->prefixlen_d, b, sizeof(b)),
		 sel->proto ? " proto " : "", sel->proto ? p : "");
	return buf;
}

static struct xd_finding *pol_finding(struct xd_findings *out, const struct xd_policy *p,
				      int def, const char *what)
{
	char sel[200];
	const char *dir = xd_name_policy_dir(p->dir);
	struct xd_finding *x = xd_finding_add(out, &defs[def], "%s policy %s (index %u): %s",
					      dir ? dir : "?", sel_desc(&p->sel, sel, sizeof(sel)),
					      p->index, what);

	xd_finding_policy(x, p->index, dir);
	xd_finding_ev_int(x, "priority", p->priority);
	return x;
}

static bool is_socket_policy(const struct xd_policy *p)
{
	return p->dir >= 3;
}

/* SAs by (reqid, proto) for template lookups: a hash of chains, each in snapshot order. */
#define NO_SA UINT32_MAX

struct reqid_slot {
	uint32_t reqid;
	uint8_t proto;
	uint32_t first, last; /* first == NO_SA: empty slot */
};

struct reqid_index {
	const struct xd_snapshot *s;
	struct reqid_slot *slot;
	size_t mask;   /* slots - 1 */
	uint32_t *next; /* per SA: the next SA of its chain, or NO_SA */
};

static void reqid_index_done(struct reqid_index *ix)
{
	free(ix->slot);
	free(ix->next);
	ix->slot = NULL;
	ix->next = NULL;
}

/* The slot of (reqid, proto): its chain, or the empty slot where it would go. */
static struct reqid_slot *reqid_slot_of(const struct reqid_index *ix, uint32_t reqid,
					uint8_t proto)
{
	for (size_t j = diag_reqid_slot(reqid, proto, ix->mask);; j = (j + 1) & ix->mask) {
		struct reqid_slot *sl = &ix->slot[j];
		if (sl->first == NO_SA || (sl->reqid == reqid && sl->proto == proto))
			return sl;
	}
}

static int reqid_index_build(struct reqid_index *ix, const struct xd_snapshot *s)
{
	size_t n = s->sas.len, slots = 16;

	while (slots < 2 * n)
		slots *= 2;
	*ix = (struct reqid_index){ .s = s, .mask = slots - 1,
				    .slot = malloc(slots * sizeof(*ix->slot)),
				    .next = malloc((n ? n : 1) * sizeof(*ix->next)) };
	if (!ix->slot || !ix->next) {
		reqid_index_done(ix);
		return -ENOMEM;
	}
	for (size_t j = 0; j < slots; j++)
		ix->slot[j].first = NO_SA;
	for (size_t i = 0; i < n; i++) {
		const struct xd_sa *sa = xd_snapshot_sa(s, i);
		struct reqid_slot *sl = reqid_slot_of(ix, sa->reqid, sa->proto);

		ix->next[i] = NO_SA;
		if (sl->first == NO_SA)
			*sl = (struct reqid_slot){ .reqid = sa->reqid, .proto = sa->proto,
						   .first = (uint32_t)i };
		else
			ix->next[sl->last] = (uint32_t)i;
		sl->last = (uint32_t)i;
	}
	return 0;
}

/* Would the kernel find an SA for this outbound template (xfrm_state_find rules)? */
static bool tmpl_satisfied(const struct reqid_index *ix, const struct xd_policy *p,
			   const struct xd_tmpl *t, bool *larval)
{
	for (uint32_t i = reqid_slot_of(ix, t->reqid, t->proto)->first; i != NO_SA;
	     i = ix->next[i]) {
		const struct xd_sa *sa = xd_snapshot_sa(ix->s, i);

		if (sa->mode != t->mode || sa->family != t->family)
			continue;
		if (xd_mode_is_tunnel_like(t->mode) || !xd_diag_addr_is_zero(&t->daddr, t->family)) {
			if (memcmp(&sa->daddr, &t->daddr, sizeof(sa->daddr)) != 0)
				continue;
			if (!xd_diag_addr_is_zero(&t->saddr, t->family) &&
			    memcmp(&sa->saddr, &t->saddr, sizeof(sa->saddr)) != 0)
				continue;
		} else if (p->sel.family == sa->family &&
			   !xd_diag_prefix_covers(p->sel.family, &p->sel.daddr, p->sel.prefixlen_d,
					       &sa->daddr, xd_diag_host_plen(sa->family))) {
			continue;
		}
		if (diag_sa_is_larval(sa)) {
			*larval = true;
			continue;
		}
		return true;
	}
	return false;
}

static void check_tmpl_no_sa(const struct xd_diag_ctx *c, struct xd_findings *out)
{
	const struct xd_snapshot *s = c->now;
	struct reqid_index ix;

	if (s->meta.dump_status[XD_DUMP_XFRM_SA] != XD_DUMP_COMPLETE)
		return; /* a missing SA could just be missing from our view */
	if (reqid_index_build(&ix, s) < 0) {
		out->error = -ENOMEM;
		return;
	}
	for (size_t i = 0; i < s->policies.len; i++) {
		const struct xd_policy *p = xd_snapshot_policy(s, i);

		if (p->dir != POL_OUT || p->action != ACTION_ALLOW)
			continue;
		for (uint32_t k = 0; k < p->tmpl_count; k++) {
			const struct xd_tmpl *t = xd_policy_tmpl(s, p, k);
			bool larval = false;
			char peer[64];

			if (t->optional || tmpl_satisfied(&ix, p, t, &larval))
				continue;
			struct xd_finding *x = pol_finding(out, p, D_TMPL_NO_SA, "no SA for its template");
			xd_finding_reqid(x, t->reqid);
			if (xd_mode_is_tunnel_like(t->mode))
				xd_finding_peer(x, t->family, &t->saddr, &t->daddr);
			xd_finding_ev_str(x, "template", "%s %s reqid %u%s%s",
					  xd_name_proto(t->proto) ? xd_name_proto(t->proto) : "?",
					  xd_name_mode(t->mode) ? xd_name_mode(t->mode) : "?", t->reqid,
					  xd_mode_is_tunnel_like(t->mode) ? " to " : "",
					  xd_mode_is_tunnel_like(t->mode) ? xd_diag_addr(&t->daddr, t->family, peer, sizeof(peer)) : "");
			xd_finding_ev_bool(x, "acquire_pending", larval);
			xd_finding_ev_int(x, "last_used", (int64_t)p->curlft.use_time);
			/* An on-demand (trap) policy nobody has used yet is normal: say so quietly. */
			if (!larval && p->curlft.use_time == 0)
				xd_finding_set_severity(x, XD_SEV_INFO);
			break;
		}
	}
	reqid_index_done(&ix);
}

struct match_ctx {
	const struct xd_policy *self;
	const struct xd_snapshot *s;
	const struct xd_policy *found;
};

static bool visit_any(const struct xd_policy *p, void *ud)
{
	struct match_ctx *m = ud;

	if (p == m->self || is_socket_policy(p))
		return false;
	m->found = p;
	return true;
}

static bool has_tunnel_tmpl(const struct xd_snapshot *s, const struct xd_policy *p)
{
	for (uint32_t k = 0; k < p->tmpl_count; k++)
		if (xd_mode_is_tunnel_like(xd_policy_tmpl(s, p, k)->mode))
			return true;
	return false;
}

static void check_missing_fwd(const struct xd_diag_ctx *c, const struct pol_index *fwd,
			      struct xd_findings *out)
{
	const struct xd_snapshot *s = c->now;

	if (!xd_snapshot_has_local_addrs(s))
		return; /* "forwarded" needs to know the local addresses */
	for (size_t i = 0; i < s->policies.len; i++) {
		const struct xd_policy *p = xd_snapshot_policy(s, i);
		struct match_ctx m = { .self = p, .s = s };

		if (p->dir != POL_IN || p->action != ACTION_ALLOW || !has_tunnel_tmpl(s, p))
			continue;
		if (xd_diag_selector_dst_is_local_host(s, &p->sel))
			continue; /* traffic for this host itself: `in` is enough */
		if (xd_pol_index_covering(fwd, &p->sel, visit_any, &m))
			continue;
		const struct xd_tmpl *t = xd_policy_tmpl(s, p, 0);
		struct xd_finding *x = pol_finding(out, p, D_MISSING_FWD,
						   "decrypted traffic to a forwarded subnet has no fwd policy");
		for (uint32_t k = 0; k < p->tmpl_count; k++) {
			t = xd_policy_tmpl(s, p, k);
			if (xd_mode_is_tunnel_like(t->mode)) {
				xd_finding_peer(x, t->family, &t->daddr, &t->saddr);
				xd_finding_reqid(x, t->reqid);
				break;
			}
		}
		if (s->defaults.present && s->defaults.fwd == 1)
			xd_finding_ev_str(x, "default_fwd_policy", "block");
	}
}

static void reverse_selector(struct xd_selector *r, const struct xd_selector *sel)
{
	*r = *sel;
	r->saddr = sel->daddr;
	r->daddr = sel->saddr;
	r->prefixlen_s = sel->prefixlen_d;
	r->prefixlen_d = sel->prefixlen_s;
	r->sport = sel->dport;
	r->sport_mask = sel->dport_mask;
	r->dport = sel->sport;
	r->dport_mask = sel->sport_mask;
	/* ICMP type/code sit in the port fields and are not mirrored */
	if (sel->proto == 1 || sel->proto == 58) {
		r->sport = sel->sport;
		r->sport_mask = sel->sport_mask;
		r->dport = sel->dport;
		r->dport_mask = sel->dport_mask;
	}
	r->ifindex = 0;
}

static void check_missing_partner(const struct xd_diag_ctx *c, const struct pol_index *in,
				  const struct pol_index *outp, const struct pol_index *fwd,
				  struct xd_findings *out)
{
	const struct xd_snapshot *s = c->now;

	for (size_t i = 0; i < s->policies.len; i++) {
		const struct xd_policy *p = xd_snapshot_policy(s, i);
		struct match_ctx m = { .self = p, .s = s };
		struct xd_selector rev;

		if ((p->dir != POL_IN && p->dir != POL_OUT) || p->action != ACTION_ALLOW ||
		    !p->tmpl_count)
			continue;
		reverse_selector(&rev, &p->sel);
		if (p->dir == POL_OUT) {
			if (xd_pol_index_covering(in, &rev, visit_any, &m) ||
			    xd_pol_index_covering(fwd, &rev, visit_any, &m))
				continue;
		} else if (xd_pol_index_covering(outp, &rev, visit_any, &m)) {
			continue;
		}
		const struct xd_tmpl *t = xd_policy_tmpl(s, p, 0);
		struct xd_finding *x = pol_finding(out, p, D_MISSING_PARTNER,
						   p->dir == POL_OUT ? "no in/fwd policy for the return traffic"
								     : "no out policy for the reply traffic");
		xd_finding_reqid(x, t->reqid);
		if (xd_mode_is_tunnel_like(t->mode)) {
			if (p->dir == POL_OUT)
				xd_finding_peer(x, t->family, &t->saddr, &t->daddr);
			else
				xd_finding_peer(x, t->family, &t->daddr, &t->saddr);
		}
	}
}

static bool tmpls_equal(const struct xd_snapshot *s, const struct xd_policy *a,
			const struct xd_policy *b)
{
	if (a->tmpl_count != b->tmpl_count)
		return false;
	for (uint32_t k = 0; k < a->tmpl_count; k++) {
		const struct xd_tmpl *x = xd_policy_tmpl(s, a, k), *y = xd_policy_tmpl(s, b, k);
		if (x->proto != y->proto || x->mode != y->mode || x->reqid != y->reqid ||
		    x->family != y->family || memcmp(&x->daddr, &y->daddr, sizeof(x->daddr)) ||
		    memcmp(&x->saddr, &y->saddr, sizeof(x->saddr)))
			return false;
	}
	return true;
}

struct shadow_ctx {
	const struct xd_snapshot *s;
	const struct xd_policy *self;
	const struct xd_policy *winner;
};

static bool visit_shadow(const struct xd_policy *p, void *ud)
{
	struct shadow_ctx *c = ud;
	const struct xd_policy *me = c->self;

	if (p == me || is_socket_policy(p))
		return false;
	/* lower priority value wins; on a tie the older (lower index) policy wins */
	if (p->priority > me->priority || (p->priority == me->priority && p->index > me->index))
		return false;
	if (p->if_id != me->if_id || p->mark.v != me->mark.v || p->mark.m != me->mark.m)
		return false;
	if (p->action == me->action && tmpls_equal(c->s, p, me))
		return false; /* an equivalent policy: harmless */
	if (!c->winner || p->priority < c->winner->priority ||
	    (p->priority == c->winner->priority && p->index < c->winner->index))
		c->winner = p;
	return false; /* keep looking for the strongest winner */
}

static void check_shadowed(const struct xd_diag_ctx *c, const struct pol_index ix[3],
			   struct xd_findings *out)
{
	const struct xd_snapshot *s = c->now;

	for (size_t i = 0; i < s->policies.len; i++) {
		const struct xd_policy *p = xd_snapshot_policy(s, i);
		struct shadow_ctx sc = { .s = s, .self = p };
		char sel[200];

		if (p->dir > POL_FWD)
			continue;
		xd_pol_index_covering(&ix[p->dir], &p->sel, visit_shadow, &sc);
		if (!sc.winner)
			continue;
		struct xd_finding *x = pol_finding(out, p, D_SHADOWED, "never matches");
		xd_finding_ev_int(x, "shadowed_by_index", sc.winner->index);
		xd_finding_ev_int(x, "shadowed_by_priority", sc.winner->priority);
		xd_finding_ev_str(x, "shadowed_by_selector", "%s",
				  sel_desc(&sc.winner->sel, sel, sizeof(sel)));
		xd_finding_ev_str(x, "shadowed_by_action", "%s",
				  xd_name_policy_action(sc.winner->action) ? xd_name_policy_action(sc.winner->action) : "?");
	}
}

static void check_default_block(const struct xd_diag_ctx *c, struct xd_findings *out)
{
	const struct xd_snapshot *s = c->now;
	const char *names[3] = { "in", "fwd", "out" };
	uint8_t vals[3] = { s->defaults.in, s->defaults.fwd, s->defaults.out };

	if (!s->defaults.present)
		return;
	for (int d = 0; d < 3; d++) {
		if (vals[d] != 1)
			continue;
		struct xd_finding *x = xd_finding_add(out, &defs[D_DEFAULT_BLOCK],
						      "default %s policy is block: traffic without a policy is dropped",
						      names[d]);
		xd_finding_name(x, names[d]);
		xd_finding_ev_str(x, "direction", "%s", names[d]);
	}
}

static void run(const struct xd_diag_ctx *c, struct xd_findings *out)
{
	struct pol_index ix[3] = { 0 };

	if (c->now->meta.dump_status[XD_DUMP_XFRM_POLICY] != XD_DUMP_COMPLETE &&
	    c->now->meta.dump_status[XD_DUMP_XFRM_POLICY] != XD_DUMP_INTERRUPTED)
		return;
	for (uint8_t d = 0; d < 3; d++)
		if (xd_pol_index_build(&ix[d], c->now, d) < 0) {
			out->error = -ENOMEM;
			goto done;
		}
	check_tmpl_no_sa(c, out);
	check_missing_fwd(c, &ix[POL_FWD], out);
	check_missing_partner(c, &ix[POL_IN], &ix[POL_OUT], &ix[POL_FWD], out);
	check_shadowed(c, ix, out);
	check_default_block(c, out);
done:
	for (int d = 0; d < 3; d++)
		xd_pol_index_done(&ix[d]);
}

const struct xd_check_family xd_check_policy = { "policy", defs, run };
