/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * check-peer.c: cross-site correlation of two sites' snapshots (`xfrmctl check -r A -r B`).
 * What A sends to B must be what B expects: every outbound SA of A toward B must exist in B
 * with the same SPI, mode and algorithms, SA selectors must agree, and each tunnel policy of A
 * toward B must have B's inbound policy for the same tunnel with the same selector.
 * "Toward B" means: destination is one of B's own addresses (from B's rtnl.addr dump).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag-util.h"
#include "xfrmd/diag.h"
#include "xfrmd/names.h"

enum { D_SPI, D_SELECTOR, D_ONE_SIDED };

static const struct xd_finding_def defs[] = {
	[D_SPI] = { "peer.spi_mismatch", XD_SEV_ERROR, "the peer has no matching SA for what this site sends",
		    "The sites disagree on the SA: one sends on an SPI (or with parameters) the other "
		    "does not have. Re-establish the CHILD_SA on both sides and compare proposals.",
		    XD_DEF_AGGREGATE },
	[D_SELECTOR] = { "peer.selector_mismatch", XD_SEV_ERROR, "the sites' traffic selectors do not mirror",
			 "Each side's outbound selector must equal the other side's inbound one. Align "
			 "the local/remote subnets (leftsubnet/rightsubnet, local_ts/remote_ts).",
			 XD_DEF_AGGREGATE },
	[D_ONE_SIDED] = { "peer.one_sided", XD_SEV_ERROR, "a tunnel one site has and the other lacks",
			  "Bring the tunnel up on the missing side, or remove the leftover on the other; "
			  "check both IKE daemons' logs for the failed CHILD_SA.",
			  XD_DEF_AGGREGATE },
	{ NULL },
};

static void noop(const struct xd_diag_ctx *c, struct xd_findings *out)
{
}

/* Registered for its ids (explain, docs); it runs only through xd_diag_cross_site(). */
const struct xd_check_family xd_check_peer = { "peer", defs, noop };

static bool alg_eq(const struct xd_alg *a, const struct xd_alg *b)
{
	return a->key_bits == b->key_bits && a->icv_bits == b->icv_bits &&
	       ((!a->name && !b->name) || (a->name && b->name && xd_streq(a->name, b->name)));
}

static const char *sa_params_differ(const struct xd_sa *a, const struct xd_sa *b)
{
	uint32_t algs = XD_SA_HAS_AEAD | XD_SA_HAS_ENC | XD_SA_HAS_AUTH | XD_SA_HAS_COMP;

	if (a->mode != b->mode)
		return "mode";
	if ((a->has & algs) != (b->has & algs))
		return "algorithms";
	if ((a->has & XD_SA_HAS_AEAD) && !alg_eq(&a->algs->aead, &b->algs->aead))
		return "aead algorithm";
	if ((a->has & XD_SA_HAS_ENC) && !alg_eq(&a->algs->enc, &b->algs->enc))
		return "encryption algorithm";
	if ((a->has & XD_SA_HAS_AUTH) && !alg_eq(&a->algs->auth, &b->algs->auth))
		return "integrity algorithm";
	if (!!(a->has & XD_SA_HAS_ENCAP) != !!(b->has & XD_SA_HAS_ENCAP) ||
	    ((a->has & XD_SA_HAS_ENCAP) && a->encap.type != b->encap.type))
		return "UDP encapsulation";
	return NULL;
}

static struct xd_finding *site_finding(struct xd_findings *out, int def, const char *site,
				       const struct xd_sa *sa, const char *fmt_detail)
{
	char d[160];
	struct xd_finding *x = xd_finding_add(out, &defs[def], "site %s sends %s; %s", site,
					      xd_diag_sa_desc(sa, d, sizeof(d)), fmt_detail);

	xd_finding_peer(x, sa->family, &sa->saddr, &sa->daddr);
	xd_finding_spi(x, sa->spi, sa->proto);
	xd_finding_reqid(x, sa->reqid);
	xd_finding_ev_str(x, "sending_site", "%s", site);
	return x;
}

static void cross_sas(const struct xd_snapshot *a, const struct xd_snapshot *b, const char *an,
		      const char *bn, const struct sa_index *bix, struct xd_findings *out)
{
	for (size_t i = 0; i < a->sas.len; i++) {
		const struct xd_sa *sa = xd_snapshot_sa(a, i), *peer;
		const char *what;
		size_t first;

		if (!diag_sa_is_real(sa) || !xd_snapshot_is_local(a, sa->family, &sa->saddr) ||
		    !xd_snapshot_is_local(b, sa->family, &sa->daddr))
			continue;
		peer = xd_snapshot_find_sa(b, sa->family, &sa->daddr, sa->spi, sa->proto);
		if (!peer) {
			bool any = xd_sa_index_find_any_reqid(bix, sa->family, &sa->saddr, &sa->daddr,
							   sa->proto, &first) > 0;
			char msg[96];
			snprintf(msg, sizeof(msg), "site %s has %s", bn,
				 any ? "SAs from it but not this SPI" : "no SA from it at all");
			struct xd_finding *x = site_finding(out, any ? D_SPI : D_ONE_SIDED, an, sa, msg);
			if (any)
				xd_finding_ev_int(x, "peer_spi", sa_index_at(bix, first)->spi);
			continue;
		}
		what = sa_params_differ(sa, peer);
		if (what) {
			char msg[96];
			snprintf(msg, sizeof(msg), "site %s's SA with that SPI differs in %s", bn, what);
			struct xd_finding *x = site_finding(out, D_SPI, an, sa, msg);
			xd_finding_ev_str(x, "differs_in", "%s", what);
		} else if (!xd_diag_selector_equal(&sa->sel, &peer->sel)) {
			char msg[96];
			snprintf(msg, sizeof(msg), "site %s's SA has another selector", bn);
			site_finding(out, D_SELECTOR, an, sa, msg);
		}
	}
}

/* B's inbound tunnel policies keyed by their template endpoints. */
struct tun_key {
	uint16_t family;
	struct xd_addr src, dst;
	uint32_t pol;
};

static int tun_cmp(const void *pa, const void *pb)
{
	const struct tun_key *a = pa, *b = pb;
	int r;

	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	r = memcmp(&a->src, &b->src, sizeof(a->src));
	return r ? r : memcmp(&a->dst, &b->dst, sizeof(a->dst));
}

static void cross_policies(const struct xd_snapshot *a, const struct xd_snapshot *b,
			   const char *an, const char *bn, struct xd_findings *out)
{
	struct xd_vec keys;

	xd_vec_init(&keys, sizeof(struct tun_key));
	for (size_t i = 0; i < b->policies.len; i++) {
		const struct xd_policy *p = xd_snapshot_policy(b, i);
		for (uint32_t k = 0; p->dir == POL_IN && k < p->tmpl_count; k++) {
			const struct xd_tmpl *t = xd_policy_tmpl(b, p, k);
			struct tun_key *e;
			if (!xd_mode_is_tunnel_like(t->mode) || !(e = xd_vec_push(&keys)))
				continue;
			*e = (struct tun_key){ .family = t->family, .src = t->saddr, .dst = t->daddr,
					       .pol = (uint32_t)i };
		}
	}
	if (keys.len > 1)
		qsort(keys.data, keys.len, sizeof(struct tun_key), tun_cmp);
	for (size_t i = 0; i < a->policies.len; i++) {
		const struct xd_policy *p = xd_snapshot_policy(a, i);
		for (uint32_t k = 0; p->dir == POL_OUT && k < p->tmpl_count; k++) {
			const struct xd_tmpl *t = xd_policy_tmpl(a, p, k);
			struct tun_key key = { .family = t->family, .src = t->saddr, .dst = t->daddr };
			struct tun_key *hit;
			bool mirrored = false, any = false;
			char sel[200], a1[80], a2[80];

			if (!xd_mode_is_tunnel_like(t->mode) || !xd_snapshot_is_local(b, t->family, &t->daddr))
				continue;
			hit = keys.len ? bsearch(&key, keys.data, keys.len, sizeof(key), tun_cmp) : NULL;
			if (hit) {
				/* walk back to the first equal key, then over all of them */
				while (hit > (struct tun_key *)keys.data && tun_cmp(hit - 1, &key) == 0)
					hit--;
				for (; hit < (struct tun_key *)keys.data + keys.len && tun_cmp(hit, &key) == 0; hit++) {
					any = true;
					if (xd_diag_selector_equal(&xd_snapshot_policy(b, hit->pol)->sel, &p->sel))
						mirrored = true;
				}
			}
			if (mirrored)
				continue;
			snprintf(sel, sizeof(sel), "%s -> %s",
				 xd_prefix_fmt(&p->sel.saddr, p->sel.family, p->sel.prefixlen_s, a1, sizeof(a1)),
				 xd_prefix_fmt(&p->sel.daddr, p->sel.family, p->sel.prefixlen_d, a2, sizeof(a2)));
			struct xd_finding *x = xd_finding_add(out, &defs[any ? D_SELECTOR : D_ONE_SIDED],
				"site %s protects %s toward site %s, which has %s", an, sel, bn,
				any ? "an inbound policy for the tunnel with another selector"
				    : "no inbound policy for the tunnel");
			xd_finding_peer(x, t->family, &t->saddr, &t->daddr);
			xd_finding_reqid(x, t->reqid);
			xd_finding_policy(x, p->index, "out");
			xd_finding_ev_str(x, "sending_site", "%s", an);
			xd_finding_ev_str(x, "selector", "%s", sel);
		}
	}
	xd_vec_done(&keys);
}

int xd_diag_cross_site(const struct xd_snapshot *a, const struct xd_snapshot *b,
		       struct xd_findings *out)
{
	struct sa_index ia, ib;

	if (xd_sa_index_build(&ia, a) < 0)
		return -ENOMEM;
	if (xd_sa_index_build(&ib, b) < 0) {
		xd_sa_index_done(&ia);
		return -ENOMEM;
	}
	cross_sas(a, b, "A", "B", &ib, out);
	cross_sas(b, a, "B", "A", &ia, out);
	cross_policies(a, b, "A", "B", out);
	cross_policies(b, a, "B", "A", out);
	xd_sa_index_done(&ia);
	xd_sa_index_done(&ib);
	xd_findings_sort(out);
	return out->error;
}
