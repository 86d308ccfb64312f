/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * check-sa.c: findings about individual SAs and SA pairs (DESIGN.md §7 `sa.*`). A healthy
 * tunnel must produce none of these above info: every rule here names the evidence it needs
 * and stays silent when that evidence is missing (e.g. direction unknown without addresses).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "diag-util.h"
#include "xfrmd/diag.h"
#include "xfrmd/names.h"

enum {
	D_ONE_WAY,
	D_ORPHAN,
	D_DUPLICATE,
	D_LARVAL_STUCK,
	D_EXPIRING,
	D_NATT_TRANSPORT,
	D_WEAK_ALG,
	D_REPLAY_DISABLED,
	D_SEQ_EXHAUSTION,
	D_INTEGRITY,
	D_REPLAY_ERRORS,
};

static const struct xd_finding_def defs[] = {
	[D_ONE_WAY] = { "sa.one_way", XD_SEV_ERROR, "SA without a partner in the other direction",
			"Find out why the IKE daemon installed only one direction (its log around the "
			"CHILD_SA setup); re-establish the CHILD_SA, e.g. `swanctl --initiate` or "
			"`ipsec auto --up`.",
			XD_DEF_AGGREGATE },
	[D_ORPHAN] = { "sa.orphan", XD_SEV_WARNING, "SA that no policy template uses",
		       "Traffic never selects this SA. Check that a policy with the SA's reqid exists "
		       "(`ip xfrm policy`), or delete the leftover SA.",
		       XD_DEF_AGGREGATE },
	[D_DUPLICATE] = { "sa.duplicate", XD_SEV_WARNING, "stale duplicate SA left after a rekey or restart",
			  "An older SA with the same addresses and reqid is still installed but no "
			  "longer used. Check for crossed rekeys or a restarted IKE daemon; delete the "
			  "stale SA or restart the CHILD_SA.",
			  XD_DEF_AGGREGATE },
	[D_LARVAL_STUCK] = { "sa.larval_stuck", XD_SEV_WARNING, "acquire (larval SA) not answered",
			     "The kernel asked the IKE daemon for an SA and nothing was installed. "
			     "Check that the peer is reachable on UDP 500/4500 and the daemon log "
			     "for the failed negotiation.",
			     XD_DEF_AGGREGATE },
	[D_EXPIRING] = { "sa.expiring", XD_SEV_WARNING, "SA past its soft lifetime without a successor",
			 "Rekeying did not happen. Check the IKE daemon is running and its log for "
			 "rekey failures; the SA will be deleted at its hard lifetime.",
			 XD_DEF_AGGREGATE },
	[D_NATT_TRANSPORT] = { "sa.natt_transport", XD_SEV_WARNING, "NAT traversal in transport mode",
			       "Transport mode behind NAT breaks when several hosts share the NAT "
			       "address; prefer tunnel mode for NAT-T peers.",
			       XD_DEF_AGGREGATE },
	[D_WEAK_ALG] = { "sa.weak_algorithm", XD_SEV_WARNING, "weak or null algorithm in use",
			 "Reconfigure the proposal to AES-GCM (or AES-CBC with SHA-2) and rekey.",
			 XD_DEF_AGGREGATE },
	[D_REPLAY_DISABLED] = { "sa.replay_disabled", XD_SEV_WARNING, "anti-replay protection off (window 0)",
				"Set a replay window (strongSwan replay_window, libreswan replay-window; "
				"64 or more) on inbound SAs.",
				XD_DEF_AGGREGATE },
	[D_SEQ_EXHAUSTION] = { "sa.seq_exhaustion", XD_SEV_WARNING, "outbound sequence number near exhaustion",
			       "Configure byte/packet rekey limits or ESN; without them the SA "
			       "stops sending at 2^32 packets.",
			       XD_DEF_AGGREGATE },
	[D_INTEGRITY] = { "sa.integrity_failures", XD_SEV_ERROR, "inbound packets failing integrity checks",
			  "Keys or algorithms differ between the peers, or packets are corrupted "
			  "in transit. Re-establish the CHILD_SA and compare proposals.",
			  XD_DEF_AGGREGATE },
	[D_REPLAY_ERRORS] = { "sa.replay_errors", XD_SEV_WARNING, "packets dropped by the replay check",
			      "Reordering beyond the replay window (QoS, multipath) or replays. "
			      "Raise the replay window or fix reordering.",
			      XD_DEF_AGGREGATE },
	{ NULL },
};

static uint64_t now_s(const struct xd_diag_ctx *c)
{
	return c->now->meta.captured_at > 0 ? (uint64_t)c->now->meta.captured_at : 0;
}

static struct xd_finding *sa_finding(struct xd_findings *out, const struct xd_snapshot *s,
				     const struct xd_sa *sa, int def, const char *fmt_prefix)
{
	const struct xd_addr *local, *peer;
	char d[160];
	struct xd_finding *x;

	xd_diag_sa_ends(s, sa, &local, &peer);
	x = xd_finding_add(out, &defs[def], "%s %s", fmt_prefix, xd_diag_sa_desc(sa, d, sizeof(d)));
	xd_finding_peer(x, sa->family, local, peer);
	xd_finding_reqid(x, sa->reqid);
	xd_finding_spi(x, sa->spi, sa->proto);
	return x;
}

static const char *dir_word(enum sa_dir d)
{
	return d == SA_DIR_IN ? "inbound" : d == SA_DIR_OUT ? "outbound" : "";
}

/*
 * The policies' templates as a set of (reqid, proto) with the classes of policy that use
 * them, built once for the checks that ask "does a policy want an SA like this one?": class
 * tells an outbound policy's template from an inbound (in/fwd) one and from a socket
 * policy's. A hash set: one probe per question.
 */
enum tmpl_class { TC_OUT, TC_IN, TC_SOCKET };

struct tmpl_slot {
	uint32_t reqid;
	uint8_t proto;
	uint8_t classes; /* bit per enum tmpl_class; 0: empty slot */
};

struct tmpl_keys {
	struct tmpl_slot *slot;
	size_t mask;        /* slots - 1 */
	bool wildcard[256]; /* protos some reqid-0 template accepts with any reqid */
};

/* The slot of (reqid, proto): its entry, or the empty slot where it would go. */
static struct tmpl_slot *tmpl_slot_of(const struct tmpl_keys *tk, uint32_t reqid, uint8_t proto)
{
	for (size_t j = diag_reqid_slot(reqid, proto, tk->mask);; j = (j + 1) & tk->mask) {
		struct tmpl_slot *sl = &tk->slot[j];
		if (!sl->classes || (sl->reqid == reqid && sl->proto == proto))
			return sl;
	}
}

static int tmpl_keys_build(struct tmpl_keys *tk, const struct xd_snapshot *s)
{
	size_t slots = 16;

	while (slots < 2 * s->tmpls.len)
		slots *= 2;
	*tk = (struct tmpl_keys){ .slot = calloc(slots, sizeof(*tk->slot)), .mask = slots - 1 };
	if (!tk->slot)
		return -ENOMEM;
	for (size_t i = 0; i < s->policies.len; i++) {
		const struct xd_policy *p = xd_snapshot_policy(s, i);
		uint8_t class = p->dir > 2 ? TC_SOCKET : p->dir == 1 ? TC_OUT : TC_IN;
		for (uint32_t k = 0; k < p->tmpl_count; k++) {
			const struct xd_tmpl *tm = xd_policy_tmpl(s, p, k);
			struct tmpl_slot *sl = tmpl_slot_of(tk, tm->reqid, tm->proto);
			*sl = (struct tmpl_slot){ .reqid = tm->reqid, .proto = tm->proto,
						  .classes = (uint8_t)(sl->classes | 1u << class) };
			if (tm->reqid == 0)
				tk->wildcard[tm->proto] = true;
		}
	}
	return 0;
}

/* Does an in/fwd (for an outbound SA) or out (inbound SA) policy want this SA's reverse under
 * the same reqid? */
static bool reverse_wanted(const struct tmpl_keys *tk, const struct xd_sa *sa, enum sa_dir dir)
{
	unsigned want = 1u << (dir == SA_DIR_OUT ? TC_IN : TC_OUT);

	return dir != SA_DIR_UNKNOWN && sa->reqid &&
	       (tmpl_slot_of(tk, sa->reqid, sa->proto)->classes & want);
}

/* Does any policy template, of any direction, use this SA? */
static bool tmpl_uses(const struct tmpl_keys *tk, const struct xd_sa *sa)
{
	return tk->wildcard[sa->proto] || tmpl_slot_of(tk, sa->reqid, sa->proto)->classes;
}

static void check_one_way(const struct xd_diag_ctx *c, const struct sa_index *ix,
			  const struct tmpl_keys *tk, struct xd_findings *out)
{
	const struct xd_snapshot *s = c->now;

	for (size_t i = 0; i < s->sas.len; i++) {
		const struct xd_sa *sa = xd_snapshot_sa(s, i);
		size_t first;
		enum sa_dir dir;
		char pre[64];

		if (!diag_sa_is_real(sa))
			continue;
		if (xd_sa_index_find(ix, sa->family, &sa->daddr, &sa->saddr, sa->proto, sa->reqid,
				  &first))
			continue;
		dir = xd_diag_sa_dir(s, sa);
		/* A manually keyed pair may use different reqids per direction: another reqid's
		 * reverse SA will do, unless a policy wants the reverse under this very reqid
		 * (one CHILD_SA of many between the same gateways lost a direction). */
		if (!reverse_wanted(tk, sa, dir) &&
		    xd_sa_index_find_any_reqid(ix, sa->family, &sa->daddr, &sa->saddr, sa->proto,
					    &first))
			continue;
		snprintf(pre, sizeof(pre), "%s%sSA", dir_word(dir), dir == SA_DIR_UNKNOWN ? "" : " ");
		struct xd_finding *x = sa_finding(out, s, sa, D_ONE_WAY, pre);
		if (x) {
			char *sum = NULL;
			if (asprintf(&sum, "%s has no %s partner", x->summary,
				     dir == SA_DIR_OUT ? "inbound" : dir == SA_DIR_IN ? "outbound" : "reverse") >= 0) {
				free(x->summary);
				x->summary = sum;
			}
		}
		xd_finding_ev_str(x, "direction", "%s", dir == SA_DIR_UNKNOWN ? "unknown" : dir_word(dir));
		xd_finding_ev_int(x, "bytes", (int64_t)sa->curlft.bytes);
		xd_finding_ev_int(x, "packets", (int64_t)sa->curlft.packets);
	}
}

static void check_orphan(const struct xd_diag_ctx *c, const struct tmpl_keys *tk,
			 struct xd_findings *out)
{
	const struct xd_snapshot *s = c->now;

	if (s->meta.dump_status[XD_DUMP_XFRM_POLICY] != XD_DUMP_COMPLETE)
		return; /* without all policies, "unused" cannot be known */
	for (size_t i = 0; i < s->sas.len; i++) {
		const struct xd_sa *sa = xd_snapshot_sa(s, i);

		if (!diag_sa_is_real(sa) || tmpl_uses(tk, sa))
			continue;
		struct xd_finding *x = sa_finding(out, s, sa, D_ORPHAN, "no policy uses SA");
		xd_finding_ev_int(x, "policies", (int64_t)s->policies.len);
	}
}

/*
 * When an SA last carried a packet: XFRMA_LASTUSED (updated per packet since 6.2, commit
 * f7fe25a6f005) where the kernel reports it, else the first-use time, which older kernels
 * set once and never update: "unused since" is then only "first used before".
 */
static uint64_t sa_last_used(const struct xd_sa *sa)
{
	if ((sa->has & XD_SA_HAS_LASTUSED) && sa->lastused > sa->curlft.use_time)
		return sa->lastused;
	return sa->curlft.use_time;
}

static void check_duplicates(const struct xd_diag_ctx *c, const struct sa_index *ix,
			     struct xd_findings *out)
{
	const struct xd_snapshot *s = c->now;
	uint64_t now = now_s(c);

	for (size_t pos = 0; pos < ix->n;) {
		size_t first = pos, cnt = xd_sa_index_group_end(ix, pos) - pos;
		const struct xd_sa *newest = sa_index_at(ix, first + cnt - 1);

		for (size_t k = first; k + 1 < first + cnt; k++) {
			const struct xd_sa *old = sa_index_at(ix, k);
			if (!diag_sa_is_real(old) || !diag_sa_is_real(newest) ||
			    (old->has & XD_SA_HAS_PCPU) || old->mark.v != newest->mark.v ||
			    old->if_id != newest->if_id)
				continue;
			/* stale: unused since its successor arrived, for longer than a rekey takes */
			if (sa_last_used(old) >= newest->curlft.add_time && sa_last_used(old))
				continue;
			if (!now || now < newest->curlft.add_time ||
			    now - newest->curlft.add_time < c->opts.stale_sa_s)
				continue;
			struct xd_finding *x = sa_finding(out, s, old, D_DUPLICATE, "stale SA");
			xd_finding_ev_int(x, "successor_spi", newest->spi);
			xd_finding_ev_int(x, "successor_age_s", (int64_t)(now - newest->curlft.add_time));
			xd_finding_ev_int(x, "sas_with_same_reqid", (int64_t)cnt);
			xd_finding_ev_int(x, "last_used", (int64_t)sa_last_used(old));
		}
		pos = first + cnt;
	}
}

static void check_lifetimes(const struct xd_diag_ctx *c, const struct sa_index *ix,
			    struct xd_findings *out)
{
	const struct xd_snapshot *s = c->now;
	uint64_t now = now_s(c);

	if (!now)
		return;
	for (size_t i = 0; i < s->sas.len; i++) {
		const struct xd_sa *sa = xd_snapshot_sa(s, i);
		uint64_t soft = sa->lft->soft_add_expires_s, hard = sa->lft->hard_add_expires_s;
		uint64_t age = now > sa->curlft.add_time ? now - sa->curlft.add_time : 0;
		size_t first, cnt;

		if (diag_sa_is_larval(sa) && sa->proto != 4 && sa->proto != 41) {
			if (age > c->opts.larval_stuck_s) {
				char sel[96], nb[8];
				struct xd_finding *x = xd_finding_add(
					out, &defs[D_LARVAL_STUCK],
					"acquire for %s traffic to %s unanswered for %" PRIu64 " s",
					xd_name_l4proto(sa->sel.proto) ? xd_name_l4proto(sa->sel.proto)
									: (snprintf(nb, sizeof(nb), "%u", sa->sel.proto), nb),
					xd_prefix_fmt(&sa->sel.daddr, sa->sel.family, sa->sel.prefixlen_d,
						      sel, sizeof(sel)),
					age);
				xd_finding_peer(x, sa->family, &sa->saddr, &sa->daddr);
				xd_finding_reqid(x, sa->reqid);
				xd_finding_ev_int(x, "age_s", (int64_t)age);
			}
			continue;
		}
		if (!diag_sa_is_real(sa) || !soft || soft == XD_INF || age < soft)
			continue;
		/* a rekeyed SA has a younger sibling; only one that was not replaced matters */
		cnt = xd_sa_index_find(ix, sa->family, &sa->saddr, &sa->daddr, sa->proto, sa->reqid,
				    &first);
		if (sa_index_at(ix, first + cnt - 1) != sa)
			continue;
		struct xd_finding *x = sa_finding(out, s, sa, D_EXPIRING, "not rekeyed past its soft lifetime:");
		xd_finding_ev_int(x, "age_s", (int64_t)age);
		xd_finding_ev_int(x, "soft_add_expires_s", (int64_t)soft);
		if (hard && hard != XD_INF)
			xd_finding_ev_int(x, "hard_expiry_in_s", hard > age ? (int64_t)(hard - age) : 0);
	}
}

static bool weak(const struct xd_sa *sa, const char **what, enum xd_severity *sev)
{
	static const struct {
		const char *name;
		enum xd_severity sev;
	} bad[] = {
		{ "ecb(cipher_null)", XD_SEV_ERROR }, { "cipher_null", XD_SEV_ERROR },
		{ "digest_null", XD_SEV_ERROR },      { "cbc(des)", XD_SEV_ERROR },
		{ "des", XD_SEV_ERROR },	      { "cbc(des3_ede)", XD_SEV_WARNING },
		{ "des3_ede", XD_SEV_WARNING },       { "hmac(md5)", XD_SEV_WARNING },
		{ "md5", XD_SEV_WARNING },	      { "cbc(blowfish)", XD_SEV_WARNING },
		{ "cbc(cast5)", XD_SEV_WARNING },
	};
	const struct xd_alg *algs[] = { &sa->algs->enc, &sa->algs->auth, &sa->algs->aead };
	uint32_t masks[] = { XD_SA_HAS_ENC, XD_SA_HAS_AUTH, XD_SA_HAS_AEAD };

	for (size_t a = 0; a < 3; a++) {
		if (!(sa->has & masks[a]) || !algs[a]->name)
			continue;
		for (size_t b = 0; b < XD_ARRAY_SIZE(bad); b++)
			if (xd_streq(algs[a]->name, bad[b].name)) {
				*what = algs[a]->name;
				*sev = bad[b].sev;
				return true;
			}
	}
	/* authenticated encryption with a 64-bit ICV is below current guidance */
	if ((sa->has & XD_SA_HAS_AEAD) && sa->algs->aead.icv_bits && sa->algs->aead.icv_bits < 96) {
		*what = sa->algs->aead.name;
		*sev = XD_SEV_WARNING;
		return true;
	}
	return false;
}

/* weak() of the previous SA: the algorithm set is interned and most SAs share one */
struct weak_memo {
	const struct xd_algs *algs;
	uint32_t has;
	bool weak;
	const char *what;
	enum xd_severity sev;
};

static bool weak_cached(struct weak_memo *m, const struct xd_sa *sa, const char **what,
			enum xd_severity *sev)
{
	uint32_t has = sa->has & (XD_SA_HAS_ENC | XD_SA_HAS_AUTH | XD_SA_HAS_AEAD);

	if (!m->algs || m->algs != sa->algs || m->has != has) {
		*m = (struct weak_memo){ .algs = sa->algs, .has = has };
		m->weak = weak(sa, &m->what, &m->sev);
	}
	*what = m->what;
	*sev = m->sev;
	return m->weak;
}

static void check_per_sa(const struct xd_diag_ctx *c, struct xd_findings *out)
{
	const struct xd_snapshot *s = c->now;
	struct weak_memo memo = { 0 };

	for (size_t i = 0; i < s->sas.len; i++) {
		const struct xd_sa *sa = xd_snapshot_sa(s, i);
		enum sa_dir dir;
		const char *what;
		enum xd_severity sev;

		if (!diag_sa_is_real(sa))
			continue;
		dir = xd_diag_sa_dir(s, sa);
		if ((sa->has & XD_SA_HAS_ENCAP) && sa->mode == MODE_TRANSPORT)
			sa_finding(out, s, sa, D_NATT_TRANSPORT, "UDP-encapsulated transport-mode SA");
		if (weak_cached(&memo, sa, &what, &sev)) {
			struct xd_finding *x = sa_finding(out, s, sa, D_WEAK_ALG, "weak algorithm on");
			xd_finding_set_severity(x, sev);
			xd_finding_ev_str(x, "algorithm", "%s", what);
		}
		if (dir == SA_DIR_IN && sa->proto != PROTO_COMP && sa->replay.window == 0 &&
		    !(sa->flags & 128)) {
			sa_finding(out, s, sa, D_REPLAY_DISABLED, "replay window 0 on inbound SA");
		}
		if (dir == SA_DIR_OUT && sa->proto != PROTO_COMP && !(sa->flags & 128) &&
		    !(sa->extra_flags & 2) && sa->replay.oseq >= 0xE0000000u) {
			struct xd_finding *x = sa_finding(out, s, sa, D_SEQ_EXHAUSTION,
							  "sequence numbers nearly exhausted on");
			xd_finding_ev_int(x, "oseq", sa->replay.oseq);
			if (sa->replay.oseq >= 0xFFFF0000u)
				xd_finding_set_severity(x, XD_SEV_ERROR);
		}
	}
}

/* Counter checks: with an earlier sample, only growth counts; alone, any non-zero value is
 * reported at a lower severity (it may be old). */
static const struct xd_sa *find_prev(const struct xd_snapshot *prev, const struct xd_sa *sa)
{
	return prev ? xd_snapshot_find_sa(prev, sa->family, &sa->daddr, sa->spi, sa->proto) : NULL;
}

static void check_counters(const struct xd_diag_ctx *c, struct xd_findings *out)
{
	const struct xd_snapshot *s = c->now;

	for (size_t i = 0; i < s->sas.len; i++) {
		const struct xd_sa *sa = xd_snapshot_sa(s, i);
		const struct xd_sa *p;
		uint64_t icv = sa->stats_integrity_failed;
		uint64_t rep = (uint64_t)sa->stats_replay + sa->stats_replay_window;

		if (!diag_sa_is_real(sa) || (!icv && !rep))
			continue;
		p = c->prev ? find_prev(c->prev, sa) : NULL;
		if (icv) {
			uint64_t delta = p && icv >= p->stats_integrity_failed ? icv - p->stats_integrity_failed : icv;
			if (!c->prev || delta) {
				struct xd_finding *x = sa_finding(out, s, sa, D_INTEGRITY, "integrity failures on");
				if (!c->prev)
					xd_finding_set_severity(x, XD_SEV_WARNING);
				xd_finding_ev_int(x, "integrity_failed", (int64_t)icv);
				if (c->prev)
					xd_finding_ev_int(x, "integrity_failed_delta", (int64_t)delta);
			}
		}
		if (rep) {
			uint64_t prep = p ? (uint64_t)p->stats_replay + p->stats_replay_window : 0;
			uint64_t delta = rep >= prep ? rep - prep : rep;
			if (!c->prev || delta) {
				struct xd_finding *x = sa_finding(out, s, sa, D_REPLAY_ERRORS, "replay-check drops on");
				if (!c->prev)
					xd_finding_set_severity(x, XD_SEV_INFO);
				xd_finding_ev_int(x, "replay", sa->stats_replay);
				xd_finding_ev_int(x, "replay_window", sa->stats_replay_window);
				xd_finding_ev_int(x, "window", sa->replay.window);
			}
		}
	}
}

static void run(const struct xd_diag_ctx *c, struct xd_findings *out)
{
	struct sa_index ix;
	struct tmpl_keys tk;

	if (c->now->meta.dump_status[XD_DUMP_XFRM_SA] != XD_DUMP_COMPLETE &&
	    c->now->meta.dump_status[XD_DUMP_XFRM_SA] != XD_DUMP_INTERRUPTED)
		return;
	if (xd_sa_index_build(&ix, c->now) < 0) {
		out->error = -ENOMEM;
		return;
	}
	if (tmpl_keys_build(&tk, c->now) < 0) {
		xd_sa_index_done(&ix);
		out->error = -ENOMEM;
		return;
	}
	check_one_way(c, &ix, &tk, out);
	check_orphan(c, &tk, out);
	check_duplicates(c, &ix, out);
	check_lifetimes(c, &ix, out);
	check_per_sa(c, out);
	check_counters(c, out);
	free(tk.slot);
	xd_sa_index_done(&ix);
}

const struct xd_check_family xd_check_sa = { "sa", defs, run };
