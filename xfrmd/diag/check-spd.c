/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * check-spd.c: the SPD's own scale (DESIGN.md §7 `policy.*`): a large SPD left inexact.
 *
 * The kernel hashes a policy by its addresses only when both selector prefixes are at least
 * the hash thresholds (`ip xfrm policy set hthresh4 LBITS RBITS`; defaults 32 32 and 128 128,
 * so every subnet policy is inexact). Inexact policies live in prefix bins searched on every
 * insert: installing 50,000 of them took 339 s on Debian's 6.1 kernel in our benchmark bed,
 * 100,000 hashed ones 134 s (tests/bench/README.md). A concentrator that rekeys or restarts
 * then stalls in the kernel. Which thresholds apply per direction (net/xfrm/xfrm_policy.c,
 * xfrm_hash_rebuild): out hashes dst with rbits and src with lbits; in and fwd the reverse.
 */
#include <sys/socket.h>

#include "xfrmd/diag.h"
#include "xfrmd/model.h"

enum {
	D_SPD_INEXACT,
};

#define INEXACT_INFO 1000u
#define INEXACT_WARNING 10000u

static const struct xd_finding_def defs[] = {
	[D_SPD_INEXACT] = { "policy.spd_inexact", XD_SEV_WARNING,
			    "large SPD left inexact: policy inserts are slow",
			    "Set the policy hash thresholds to the prefix lengths the policies use, "
			    "e.g. `ip xfrm policy set hthresh4 24 24` for /24 subnets, so the kernel "
			    "hashes them instead of searching prefix bins on every insert." },
	{ NULL },
};

struct family_count {
	uint32_t inexact, total;
	uint32_t by_local[129], by_remote[129]; /* inexact policies per prefix length */
};

static uint8_t mode_nonzero(const uint32_t *by, unsigned max)
{
	uint8_t best = 0;

	for (unsigned l = 1; l <= max; l++)
		if (by[l] > by[best] || (best == 0 && by[l]))
			best = (uint8_t)l;
	return best;
}

static void count(const struct xd_snapshot *s, struct family_count *v4, struct family_count *v6)
{
	const struct xd_spdinfo *i = &s->spdinfo;
	/* without thresholds in GETSPDINFO (kernels before 4.1) the defaults apply */
	uint8_t l4 = i->has_hthresh ? i->v4_lbits : 32, r4 = i->has_hthresh ? i->v4_rbits : 32;
	uint8_t l6 = i->has_hthresh ? i->v6_lbits : 128, r6 = i->has_hthresh ? i->v6_rbits : 128;

	for (size_t k = 0; k < s->policies.len; k++) {
		const struct xd_policy *p = xd_snapshot_policy(s, k);
		struct family_count *fc;
		uint8_t lbits, rbits, local, remote;

		if (p->dir > 2) /* socket policies are not in the SPD's hash */
			continue;
		if (p->sel.family == AF_INET) {
			fc = v4;
			lbits = l4;
			rbits = r4;
		} else if (p->sel.family == AF_INET6) {
			fc = v6;
			lbits = l6;
			rbits = r6;
		} else {
			continue;
		}
		/* out: src is local, dst remote; in and fwd: the reverse */
		local = p->dir == 1 ? p->sel.prefixlen_s : p->sel.prefixlen_d;
		remote = p->dir == 1 ? p->sel.prefixlen_d : p->sel.prefixlen_s;
		fc->total++;
		if (local >= lbits && remote >= rbits)
			continue;
		fc->inexact++;
		fc->by_local[local <= 128 ? local : 128]++;
		fc->by_remote[remote <= 128 ? remote : 128]++;
	}
}

static void report(const struct xd_snapshot *s, const struct family_count *fc, const char *fam,
		   unsigned maxbits, uint8_t lbits, uint8_t rbits, struct xd_findings *out)
{
	uint8_t want_l, want_r;
	struct xd_finding *x;

	if (fc->inexact < INEXACT_INFO)
		return;
	want_l = mode_nonzero(fc->by_local, maxbits);
	want_r = mode_nonzero(fc->by_remote, maxbits);
	x = xd_finding_add(out, &defs[D_SPD_INEXACT],
			   "%u of %u %s policies are inexact (hash thresholds %u %u): every policy "
			   "insert searches them",
			   fc->inexact, fc->total, fam, lbits, rbits);
	if (fc->inexact < INEXACT_WARNING)
		xd_finding_set_severity(x, XD_SEV_INFO);
	xd_finding_name(x, fam);
	xd_finding_ev_int(x, "inexact_policies", fc->inexact);
	xd_finding_ev_int(x, "policies", fc->total);
	xd_finding_ev_str(x, "hash_thresholds", "%u %u%s", lbits, rbits,
			  s->spdinfo.has_hthresh ? "" : " (kernel defaults)");
	if (want_l && want_r)
		xd_finding_ev_str(x, "suggested", "ip xfrm policy set %s %u %u",
				  maxbits == 32 ? "hthresh4" : "hthresh6", want_l, want_r);
	xd_finding_ev_str(x, "measured_cost", "%s",
			  "installing 50,000 inexact policies took 339 s on Debian's 6.1 kernel, "
			  "100,000 hashed ones 134 s (xfrmd benchmark bed)");
}

static void run(const struct xd_diag_ctx *c, struct xd_findings *out)
{
	const struct xd_snapshot *s = c->now;
	struct family_count v4 = { 0 }, v6 = { 0 };
	const struct xd_spdinfo *i = &s->spdinfo;

	/* without the policy dump or GETSPDINFO the answer is unknown: say nothing */
	if (s->meta.dump_status[XD_DUMP_XFRM_POLICY] != XD_DUMP_COMPLETE || !i->present)
		return;
	count(s, &v4, &v6);
	report(s, &v4, "IPv4", 32, i->has_hthresh ? i->v4_lbits : 32, i->has_hthresh ? i->v4_rbits : 32,
	       out);
	report(s, &v6, "IPv6", 128, i->has_hthresh ? i->v6_lbits : 128,
	       i->has_hthresh ? i->v6_rbits : 128, out);
}

const struct xd_check_family xd_check_spd = { "spd", defs, run };
