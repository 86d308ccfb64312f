/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-checks.c: every check on hand-built models — it fires on the fault and stays silent on
 * the healthy variant. The healthy gateway below must produce no finding at all.
 *
 *   10.1.0.0/16 -- [gw 192.0.2.1] ===== ESP tunnel ===== [peer 198.51.100.7] -- 10.2.0.0/16
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "model-builder.h"
#include "xfrmd/diag.h"
#include "xfrmd/peers.h"
#include "xfrmd/render.h"

#define GW "192.0.2.1"
#define PEER "198.51.100.7"
#define LAN "10.1.0.0/16"
#define REMOTE "10.2.0.0/16"

struct fx {
	struct xd_snapshot *now, *prev;
	struct xd_findings f;
	double interval;
};

static struct xd_snapshot *healthy(bool with_fwd, bool with_in_sa)
{
	struct xd_snapshot *s = mb_new();

	mb_local(s, GW);
	mb_local(s, "10.1.0.1");
	mb_sa(s, GW, PEER, 50, 0xc0000001, 1, 1)->replay.window = 0;
	if (with_in_sa)
		mb_sa(s, PEER, GW, 50, 0xc0000002, 1, 1);
	mb_policy(s, 1, LAN, REMOTE, 383615, 0);
	mb_tmpl(s, GW, PEER, 50, 1, 1);
	mb_policy(s, 0, REMOTE, LAN, 383615, 0);
	mb_tmpl(s, PEER, GW, 50, 1, 1);
	if (with_fwd) {
		mb_policy(s, 2, REMOTE, LAN, 383615, 0);
		mb_tmpl(s, PEER, GW, 50, 1, 1);
	}
	mb_counter(s, "XfrmInNoStates", 0);
	return s;
}

static void run(struct fx *x)
{
	struct xd_diag_ctx ctx = { .now = x->now, .prev = x->prev, .interval_s = x->interval };

	mb_finish(x->now);
	if (x->prev)
		mb_finish(x->prev);
	xd_diag_opts_default(&ctx.opts);
	xd_findings_init(&x->f);
	assert_int_equal(xd_diag_run(&ctx, &x->f), 0);
}

static void done(struct fx *x)
{
	xd_findings_done(&x->f);
	xd_snapshot_free(x->now);
	xd_snapshot_free(x->prev);
}

static const struct xd_finding *find(const struct fx *x, const char *id)
{
	for (size_t i = 0; i < x->f.items.len; i++)
		if (strcmp(xd_findings_at(&x->f, i)->def->id, id) == 0)
			return xd_findings_at(&x->f, i);
	return NULL;
}

static void dump(const struct fx *x)
{
	for (size_t i = 0; i < x->f.items.len; i++)
		print_message("  finding: %s %s\n", xd_findings_at(&x->f, i)->def->id,
			      xd_findings_at(&x->f, i)->summary);
}

#define ASSERT_ONLY(x, id)                                                                         \
	do {                                                                                       \
		if (!find(x, id) || (x)->f.items.len != 1)                                         \
			dump(x);                                                                   \
		assert_non_null(find(x, id));                                                      \
		assert_int_equal((x)->f.items.len, 1);                                             \
	} while (0)
#define ASSERT_NONE(x)                                                                             \
	do {                                                                                       \
		if ((x)->f.items.len)                                                              \
			dump(x);                                                                   \
		assert_int_equal((x)->f.items.len, 0);                                             \
	} while (0)

static void test_healthy_gateway_is_silent(void **st)
{
	struct fx x = { .now = healthy(true, true) };
	run(&x);
	ASSERT_NONE(&x);
	done(&x);
}

static void test_one_way(void **st)
{
	struct fx x = { .now = healthy(true, false) };
	run(&x);
	ASSERT_ONLY(&x, "sa.one_way");
	const struct xd_finding *f = find(&x, "sa.one_way");
	assert_int_equal(f->severity, XD_SEV_ERROR);
	assert_true(f->subject.has & XD_SUBJ_PEER);
	assert_non_null(strstr(f->summary, "outbound"));
	done(&x);
}

/* Forty child SAs between the same two gateways: partners are found by reqid within one
 * (src, dst, proto) run of the SA index, and a single missing inbound SA is named. */
static struct xd_snapshot *children(unsigned n, unsigned missing_in)
{
	struct xd_snapshot *s = mb_new();

	mb_local(s, GW);
	mb_local(s, "10.1.0.1");
	for (unsigned r = 1; r <= n; r++) {
		char lan[32], remote[32];
		snprintf(lan, sizeof(lan), "10.1.%u.0/24", r);
		snprintf(remote, sizeof(remote), "10.2.%u.0/24", r);
		mb_sa(s, GW, PEER, 50, 0xc0000000 + 2 * r, r, 1)->replay.window = 0;
		if (r != missing_in)
			mb_sa(s, PEER, GW, 50, 0xc0000001 + 2 * r, r, 1);
		mb_policy(s, 1, lan, remote, 383615, 0);
		mb_tmpl(s, GW, PEER, 50, r, 1);
		mb_policy(s, 0, remote, lan, 383615, 0);
		mb_tmpl(s, PEER, GW, 50, r, 1);
		mb_policy(s, 2, remote, lan, 383615, 0);
		mb_tmpl(s, PEER, GW, 50, r, 1);
	}
	mb_counter(s, "XfrmInNoStates", 0);
	return s;
}

static void test_many_children_one_missing(void **st)
{
	struct fx healthy_x = { .now = children(40, 0) };
	run(&healthy_x);
	ASSERT_NONE(&healthy_x);
	done(&healthy_x);

	struct fx x = { .now = children(40, 23) };
	run(&x);
	ASSERT_ONLY(&x, "sa.one_way");
	assert_non_null(strstr(find(&x, "sa.one_way")->summary, "reqid 23"));
	done(&x);
}

/* xd_addr_cmp() orders exactly like memcmp(): the sorted order of every output rests on it. */
static void test_addr_cmp_is_memcmp(void **st)
{
	unsigned seed = 7;

	for (int i = 0; i < 100000; i++) {
		struct xd_addr a, b;
		for (int k = 0; k < 16; k++) {
			seed = seed * 1103515245u + 12345u;
			a.b[k] = (uint8_t)(seed >> 16);
			/* mostly equal prefixes, so every byte position decides sometimes */
			b.b[k] = (seed >> 8) % 4 ? a.b[k] : (uint8_t)(seed >> 24);
		}
		int m = memcmp(&a, &b, sizeof(a)), c = xd_addr_cmp(&a, &b);
		assert_int_equal((m > 0) - (m < 0), c);
	}
}

static void test_missing_fwd(void **st)
{
	struct fx x = { .now = healthy(false, true) };
	run(&x);
	ASSERT_ONLY(&x, "policy.missing_fwd");
	done(&x);
}

static void test_transport_host_needs_no_fwd(void **st)
{
	struct fx x = { .now = mb_new() };
	mb_local(x.now, GW);
	mb_sa(x.now, GW, PEER, 50, 1, 5, 0)->replay.window = 0;
	mb_sa(x.now, PEER, GW, 50, 2, 5, 0);
	mb_policy(x.now, 1, GW "/32", PEER "/32", 100, 0);
	mb_tmpl(x.now, "0.0.0.0", "0.0.0.0", 50, 5, 0);
	mb_policy(x.now, 0, PEER "/32", GW "/32", 100, 0);
	mb_tmpl(x.now, "0.0.0.0", "0.0.0.0", 50, 5, 0);
	run(&x);
	ASSERT_NONE(&x);
	done(&x);
}

static void test_missing_partner(void **st)
{
	struct fx x = { .now = mb_new() };
	mb_local(x.now, GW);
	mb_sa(x.now, GW, PEER, 50, 1, 1, 1)->replay.window = 0;
	mb_sa(x.now, PEER, GW, 50, 2, 1, 1);
	mb_policy(x.now, 1, LAN, REMOTE, 100, 0);
	mb_tmpl(x.now, GW, PEER, 50, 1, 1);
	run(&x);
	ASSERT_ONLY(&x, "policy.missing_partner");
	done(&x);
}

static void test_tmpl_no_sa(void **st)
{
	struct fx x = { .now = healthy(true, true) };
	struct xd_policy *p = mb_policy(x.now, 1, "10.1.5.0/24", "10.9.0.0/16", 100, 0);
	p->curlft.use_time = MB_NOW - 5;
	mb_tmpl(x.now, GW, "203.0.113.9", 50, 9, 1);
	mb_policy(x.now, 0, "10.9.0.0/16", "10.1.5.0/24", 100, 0);
	mb_tmpl(x.now, "203.0.113.9", GW, 50, 9, 1);
	mb_policy(x.now, 2, "10.9.0.0/16", "10.1.5.0/24", 100, 0);
	mb_tmpl(x.now, "203.0.113.9", GW, 50, 9, 1);
	run(&x);
	ASSERT_ONLY(&x, "policy.tmpl_no_sa");
	assert_int_equal(find(&x, "policy.tmpl_no_sa")->severity, XD_SEV_WARNING);
	done(&x);
}

static void test_tmpl_no_sa_unused_trap_is_info(void **st)
{
	struct fx x = { .now = healthy(true, true) };
	mb_policy(x.now, 1, "10.1.5.0/24", "10.9.0.0/16", 100, 0);
	mb_tmpl(x.now, GW, "203.0.113.9", 50, 9, 1);
	mb_policy(x.now, 0, "10.9.0.0/16", "10.1.5.0/24", 100, 0);
	mb_tmpl(x.now, "203.0.113.9", GW, 50, 9, 1);
	mb_policy(x.now, 2, "10.9.0.0/16", "10.1.5.0/24", 100, 0);
	mb_tmpl(x.now, "203.0.113.9", GW, 50, 9, 1);
	run(&x);
	ASSERT_ONLY(&x, "policy.tmpl_no_sa");
	assert_int_equal(find(&x, "policy.tmpl_no_sa")->severity, XD_SEV_INFO);
	done(&x);
}

static void test_shadowed(void **st)
{
	struct fx x = { .now = healthy(true, true) };
	mb_policy(x.now, 1, "10.0.0.0/8", "10.0.0.0/8", 50, 1); /* block, higher priority */
	run(&x);
	ASSERT_ONLY(&x, "policy.shadowed");
	done(&x);
}

static void test_equivalent_duplicate_policy_not_shadowed(void **st)
{
	struct fx x = { .now = healthy(true, true) };
	mb_policy(x.now, 1, LAN, REMOTE, 383616, 0); /* strongSwan trap twin, same template */
	mb_tmpl(x.now, GW, PEER, 50, 1, 1);
	run(&x);
	ASSERT_NONE(&x);
	done(&x);
}

static void test_default_block(void **st)
{
	struct fx x = { .now = healthy(true, true) };
	x.now->defaults = (struct xd_default_policy){ .present = true, .in = 2, .fwd = 2, .out = 1 };
	run(&x);
	ASSERT_ONLY(&x, "policy.default_block");
	done(&x);
}

/* policy.spd_inexact: many subnet policies under the default hash thresholds */
static void add_subnet_policies(struct xd_snapshot *s, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		char src[32], dst[32];
		snprintf(src, sizeof(src), "10.%u.%u.0/24", 100 + i / 256 / 256 % 100, i / 256 % 256);
		snprintf(dst, sizeof(dst), "172.16.%u.0/24", i % 256);
		mb_policy(s, 1 /* out */, src, dst, 1000, 0 /* allow, no template */);
	}
}

static void test_spd_inexact(void **st)
{
	struct fx x = { .now = healthy(true, true) };
	const struct xd_finding *f;

	/* below the threshold: nothing */
	x.now->spdinfo = (struct xd_spdinfo){ .present = true, .has_hthresh = true, .v4_lbits = 32,
					      .v4_rbits = 32, .v6_lbits = 128, .v6_rbits = 128 };
	add_subnet_policies(x.now, 900);
	run(&x);
	assert_null(find(&x, "policy.spd_inexact"));
	done(&x);

	x = (struct fx){ .now = healthy(true, true) };
	x.now->spdinfo = (struct xd_spdinfo){ .present = true, .has_hthresh = true, .v4_lbits = 32,
					      .v4_rbits = 32, .v6_lbits = 128, .v6_rbits = 128 };
	add_subnet_policies(x.now, 1500);
	run(&x);
	f = find(&x, "policy.spd_inexact");
	assert_non_null(f);
	assert_int_equal(f->severity, XD_SEV_INFO);
	assert_string_equal(f->subject.name, "IPv4");
	done(&x);

	/* hashed by thresholds that fit the /24s: nothing, however many */
	x = (struct fx){ .now = healthy(true, true) };
	x.now->spdinfo = (struct xd_spdinfo){ .present = true, .has_hthresh = true, .v4_lbits = 24,
					      .v4_rbits = 24, .v6_lbits = 128, .v6_rbits = 128 };
	add_subnet_policies(x.now, 12000);
	run(&x);
	assert_null(find(&x, "policy.spd_inexact"));
	done(&x);

	/* the same 12,000 at the defaults: a warning; GETSPDINFO without thresholds (before 4.1)
	 * means the defaults too */
	x = (struct fx){ .now = healthy(true, true) };
	x.now->spdinfo = (struct xd_spdinfo){ .present = true };
	add_subnet_policies(x.now, 12000);
	run(&x);
	f = find(&x, "policy.spd_inexact");
	assert_non_null(f);
	assert_int_equal(f->severity, XD_SEV_WARNING);
	done(&x);

	/* no GETSPDINFO: the thresholds are unknown, so nothing is claimed */
	x = (struct fx){ .now = healthy(true, true) };
	add_subnet_policies(x.now, 12000);
	run(&x);
	assert_null(find(&x, "policy.spd_inexact"));
	done(&x);
}

static void test_orphan(void **st)
{
	struct fx x = { .now = healthy(true, true) };
	mb_sa(x.now, GW, "203.0.113.5", 50, 7, 99, 1)->replay.window = 0;
	mb_sa(x.now, "203.0.113.5", GW, 50, 8, 99, 1);
	run(&x);
	ASSERT_ONLY(&x, "sa.orphan"); /* both SAs, aggregated */
	assert_int_equal(xd_finding_count(find(&x, "sa.orphan")), 2);
	done(&x);
}

static void test_duplicate(void **st)
{
	struct fx x = { .now = healthy(true, true) };
	struct xd_sa *old = mb_sa(x.now, PEER, GW, 50, 0xc0000009, 1, 1);
	old->curlft.add_time = MB_NOW - 4000;
	old->curlft.use_time = MB_NOW - 3900;
	xd_snapshot_sa(x.now, 1); /* newest in-SA added at MB_NOW-100 */
	((struct xd_sa *)xd_vec_at(&x.now->sas, 1))->curlft.add_time = MB_NOW - 1000;
	run(&x);
	ASSERT_ONLY(&x, "sa.duplicate");
	assert_int_equal(find(&x, "sa.duplicate")->subject.spi, 0xc0000009);
	done(&x);
}

/* a long run (more SAs of one address pair than the index sorts by insertion), added out of
 * age order: every stale one is reported, never the newest */
static void test_duplicate_long_run(void **st)
{
	struct fx x = { .now = healthy(true, true) };

	((struct xd_sa *)xd_vec_at(&x.now->sas, 1))->curlft.add_time = MB_NOW - 1000;
	for (uint32_t k = 0; k < 20; k++) {
		struct xd_sa *old = mb_sa(x.now, PEER, GW, 50, 0xc0000100 + k, 1, 1);
		old->curlft.add_time = MB_NOW - 4000 - (k * 7 % 20) * 10;
		old->curlft.use_time = MB_NOW - 3900;
	}
	run(&x);
	ASSERT_ONLY(&x, "sa.duplicate");
	const struct xd_finding *f = find(&x, "sa.duplicate");
	assert_int_equal(xd_finding_count(f), 20);
	for (size_t i = 0; i < xd_finding_count(f); i++) {
		const struct xd_subject *sj = xd_finding_subject_at(f, i);
		assert_true(sj->spi >= 0xc0000100 && sj->spi < 0xc0000114);
	}
	done(&x);
}

/* first used long ago, but still carrying packets after its successor arrived (LASTUSED,
 * kernel >= 6.2): in use, not stale */
static void test_duplicate_lastused_in_use(void **st)
{
	struct fx x = { .now = healthy(true, true) };
	struct xd_sa *old = mb_sa(x.now, PEER, GW, 50, 0xc0000009, 1, 1);
	old->curlft.add_time = MB_NOW - 4000;
	old->curlft.use_time = MB_NOW - 3900;
	old->lastused = MB_NOW - 5;
	old->has |= XD_SA_HAS_LASTUSED;
	((struct xd_sa *)xd_vec_at(&x.now->sas, 1))->curlft.add_time = MB_NOW - 1000;
	run(&x);
	ASSERT_NONE(&x);
	/* and unused since before its successor: stale, with the last use in the evidence */
	done(&x);
	x = (struct fx){ .now = healthy(true, true) };
	old = mb_sa(x.now, PEER, GW, 50, 0xc0000009, 1, 1);
	old->curlft.add_time = MB_NOW - 4000;
	old->curlft.use_time = MB_NOW - 3900;
	old->lastused = MB_NOW - 1500;
	old->has |= XD_SA_HAS_LASTUSED;
	((struct xd_sa *)xd_vec_at(&x.now->sas, 1))->curlft.add_time = MB_NOW - 1000;
	run(&x);
	ASSERT_ONLY(&x, "sa.duplicate");
	done(&x);
}

static void test_duplicate_during_rekey_is_silent(void **st)
{
	struct fx x = { .now = healthy(true, true) };
	struct xd_sa *old = mb_sa(x.now, PEER, GW, 50, 0xc0000009, 1, 1);
	old->curlft.add_time = MB_NOW - 4000;
	run(&x); /* successor is only 100 s old */
	ASSERT_NONE(&x);
	done(&x);
}

static void test_larval_stuck(void **st)
{
	struct fx x = { .now = healthy(true, true) };
	struct xd_sa *l = mb_sa(x.now, GW, PEER, 50, 0, 1, 1);
	l->curlft.add_time = MB_NOW - 25;
	run(&x);
	ASSERT_ONLY(&x, "sa.larval_stuck");
	done(&x);
	x = (struct fx){ .now = healthy(true, true) };
	mb_sa(x.now, GW, PEER, 50, 0, 1, 1)->curlft.add_time = MB_NOW - 2;
	run(&x);
	ASSERT_NONE(&x);
	done(&x);
}

static void test_expiring(void **st)
{
	struct fx x = { .now = healthy(true, true) };
	struct xd_sa *sa = xd_vec_at(&x.now->sas, 0);
	mb_lft(sa)->soft_add_expires_s = 50;
	mb_lft(sa)->hard_add_expires_s = 150;
	run(&x);
	ASSERT_ONLY(&x, "sa.expiring");
	done(&x);
	/* the same SA with a successor has been rekeyed: silent */
	x = (struct fx){ .now = healthy(true, true) };
	sa = xd_vec_at(&x.now->sas, 0);
	mb_lft(sa)->soft_add_expires_s = 50;
	mb_sa(x.now, GW, PEER, 50, 0xc0000005, 1, 1)->curlft.add_time = MB_NOW - 10;
	run(&x);
	ASSERT_NONE(&x);
	done(&x);
}

static void test_natt_transport(void **st)
{
	struct fx x = { .now = mb_new() };
	mb_local(x.now, GW);
	struct xd_sa *a = mb_sa(x.now, GW, PEER, 50, 1, 5, 0);
	a->has |= XD_SA_HAS_ENCAP;
	a->encap.type = 2;
	a->replay.window = 0;
	a = mb_sa(x.now, PEER, GW, 50, 2, 5, 0);
	a->has |= XD_SA_HAS_ENCAP;
	mb_policy(x.now, 1, GW "/32", PEER "/32", 100, 0);
	mb_tmpl(x.now, "0.0.0.0", "0.0.0.0", 50, 5, 0);
	mb_policy(x.now, 0, PEER "/32", GW "/32", 100, 0);
	mb_tmpl(x.now, "0.0.0.0", "0.0.0.0", 50, 5, 0);
	run(&x);
	ASSERT_ONLY(&x, "sa.natt_transport");
	assert_int_equal(xd_finding_count(find(&x, "sa.natt_transport")), 2); /* one per SA */
	done(&x);
}

static void test_weak_algorithm(void **st)
{
	struct fx x = { .now = healthy(true, true) };
	struct xd_sa *sa = xd_vec_at(&x.now->sas, 1);
	sa->has = (sa->has & ~XD_SA_HAS_AEAD) | XD_SA_HAS_ENC | XD_SA_HAS_AUTH;
	mb_algs(sa)->enc = (struct xd_alg){ .name = "cbc(des)", .key_bits = 64 };
	mb_algs(sa)->auth = (struct xd_alg){ .name = "hmac(sha256)", .key_bits = 256, .icv_bits = 128 };
	run(&x);
	ASSERT_ONLY(&x, "sa.weak_algorithm");
	assert_int_equal(find(&x, "sa.weak_algorithm")->severity, XD_SEV_ERROR);
	done(&x);
}

static void test_replay_disabled_inbound_only(void **st)
{
	struct fx x = { .now = healthy(true, true) };
	((struct xd_sa *)xd_vec_at(&x.now->sas, 1))->replay.window = 0;
	run(&x);
	ASSERT_ONLY(&x, "sa.replay_disabled");
	done(&x);
}

static void test_seq_exhaustion(void **st)
{
	struct fx x = { .now = healthy(true, true) };
	((struct xd_sa *)xd_vec_at(&x.now->sas, 0))->replay.oseq = 0xF0000000u;
	run(&x);
	ASSERT_ONLY(&x, "sa.seq_exhaustion");
	done(&x);
	x = (struct fx){ .now = healthy(true, true) };
	struct xd_sa *sa = xd_vec_at(&x.now->sas, 0);
	sa->replay.oseq = 0xF0000000u;
	sa->flags |= 128; /* ESN */
	run(&x);
	ASSERT_NONE(&x);
	done(&x);
}

static void test_integrity_rising(void **st)
{
	struct fx x = { .now = healthy(true, true), .prev = healthy(true, true), .interval = 5 };
	((struct xd_sa *)xd_vec_at(&x.now->sas, 1))->stats_integrity_failed = 9;
	((struct xd_sa *)xd_vec_at(&x.prev->sas, 1))->stats_integrity_failed = 4;
	run(&x);
	assert_non_null(find(&x, "sa.integrity_failures"));
	assert_int_equal(find(&x, "sa.integrity_failures")->severity, XD_SEV_ERROR);
	done(&x);
	/* flat counter between samples: silent */
	x = (struct fx){ .now = healthy(true, true), .prev = healthy(true, true), .interval = 5 };
	((struct xd_sa *)xd_vec_at(&x.now->sas, 1))->stats_integrity_failed = 4;
	((struct xd_sa *)xd_vec_at(&x.prev->sas, 1))->stats_integrity_failed = 4;
	run(&x);
	assert_null(find(&x, "sa.integrity_failures"));
	done(&x);
}

static void test_replay_errors_snapshot_is_info(void **st)
{
	struct fx x = { .now = healthy(true, true) };
	((struct xd_sa *)xd_vec_at(&x.now->sas, 1))->stats_replay = 3;
	run(&x);
	ASSERT_ONLY(&x, "sa.replay_errors");
	assert_int_equal(find(&x, "sa.replay_errors")->severity, XD_SEV_INFO);
	done(&x);
}

static void test_xfrmstat(void **st)
{
	struct fx x = { .now = healthy(true, true) };
	mb_counter(x.now, "XfrmInTmplMismatch", 4);
	run(&x);
	ASSERT_ONLY(&x, "xfrmstat.in_tmpl_mismatch");
	assert_int_equal(find(&x, "xfrmstat.in_tmpl_mismatch")->severity, XD_SEV_INFO);
	done(&x);

	x = (struct fx){ .now = healthy(true, true), .prev = healthy(true, true), .interval = 5 };
	mb_counter(x.now, "XfrmInNoPols", 9);
	mb_counter(x.prev, "XfrmInNoPols", 2);
	mb_counter(x.now, "XfrmOutNoStates", 2);
	mb_counter(x.prev, "XfrmOutNoStates", 2);
	mb_counter(x.now, "XfrmBrandNew", 1);
	mb_counter(x.prev, "XfrmBrandNew", 0);
	run(&x);
	assert_non_null(find(&x, "xfrmstat.in_no_pols"));
	assert_int_equal(find(&x, "xfrmstat.in_no_pols")->severity, XD_SEV_ERROR);
	assert_null(find(&x, "xfrmstat.out_no_states"));
	assert_non_null(find(&x, "xfrmstat.other"));
	done(&x);

	/* a packet-offloaded SA: its errors are the NIC's, the evidence says they are not here */
	x = (struct fx){ .now = healthy(true, true) };
	mb_counter(x.now, "XfrmInTmplMismatch", 4);
	{
		struct xd_sa *sa = xd_vec_at(&x.now->sas, 0);
		sa->ext = xd_snapshot_alloc(x.now, sizeof(*sa->ext));
		sa->ext->offload_ifindex = 2;
		sa->ext->offload_flags = XD_OFFLOAD_PACKET;
	}
	run(&x);
	{
		const struct xd_finding *f = find(&x, "xfrmstat.in_tmpl_mismatch");
		bool said = false;
		assert_non_null(f);
		for (size_t i = 0; i < f->evidence.len; i++) {
			const struct xd_evidence *e = xd_vec_at(&f->evidence, i);
			said |= !strcmp(e->key, "packet_offload_sas_not_counted") && e->i == 1;
		}
		assert_true(said);
	}
	done(&x);
}

static void test_traffic(void **st)
{
	struct fx x = { .now = healthy(true, true), .prev = healthy(true, true), .interval = 5 };
	((struct xd_sa *)xd_vec_at(&x.prev->sas, 0))->curlft.bytes = 100;
	((struct xd_sa *)xd_vec_at(&x.now->sas, 0))->curlft.bytes = 5000;
	((struct xd_sa *)xd_vec_at(&x.prev->sas, 1))->curlft.bytes = 80;
	((struct xd_sa *)xd_vec_at(&x.now->sas, 1))->curlft.bytes = 80;
	run(&x);
	ASSERT_ONLY(&x, "traffic.one_way");
	done(&x);
	/* both directions move: silent */
	x = (struct fx){ .now = healthy(true, true), .prev = healthy(true, true), .interval = 5 };
	((struct xd_sa *)xd_vec_at(&x.now->sas, 0))->curlft.bytes = 5000;
	((struct xd_sa *)xd_vec_at(&x.now->sas, 1))->curlft.bytes = 4000;
	run(&x);
	ASSERT_NONE(&x);
	done(&x);
	/* nothing moves: idle (info) */
	x = (struct fx){ .now = healthy(true, true), .prev = healthy(true, true), .interval = 5 };
	run(&x);
	ASSERT_ONLY(&x, "traffic.idle");
	assert_int_equal(find(&x, "traffic.idle")->severity, XD_SEV_INFO);
	done(&x);
}

static void test_tool_findings(void **st)
{
	struct fx x = { .now = healthy(true, true) };
	x.now->meta.dump_status[XD_DUMP_XFRM_SPDINFO] = XD_DUMP_DENIED;
	x.now->meta.dump_status[XD_DUMP_XFRM_SA] = XD_DUMP_INTERRUPTED;
	struct xd_decode_issue is = { .code = -74, .dump = XD_DUMP_XFRM_POLICY, .what = "truncated attribute" };
	xd_snapshot_add_issue(x.now, &is);
	x.now->meta.keys_scrubbed_on_load = 2;
	run(&x);
	assert_non_null(find(&x, "tool.dump_interrupted"));
	assert_non_null(find(&x, "tool.permission_denied"));
	assert_non_null(find(&x, "tool.decode_issue"));
	assert_non_null(find(&x, "tool.keys_in_snapshot"));
	done(&x);

	/* charon's VICI socket not answering is no gap in the kernel state: no tool.* finding
	 * on an otherwise healthy gateway (seen in the mixed strongSwan/libreswan beds) */
	x = (struct fx){ .now = healthy(true, true) };
	x.now->meta.dump_status[XD_DUMP_IKE_VICI_CONNS] = XD_DUMP_ERROR;
	x.now->meta.dump_error[XD_DUMP_IKE_VICI_CONNS] = -2;
	x.now->meta.dump_status[XD_DUMP_IKE_VICI_SAS] = XD_DUMP_ERROR;
	x.now->meta.dump_error[XD_DUMP_IKE_VICI_SAS] = -2;
	run(&x);
	assert_null(find(&x, "tool.dump_failed"));
	done(&x);
}

static void test_every_id_is_unique(void **st)
{
	size_t n = 0;
	for (const struct xd_check_family *const *f = xd_check_families; *f; f++)
		for (const struct xd_finding_def *d = (*f)->defs; d->id; d++) {
			assert_ptr_equal(xd_finding_def_find(d->id), d);
			n++;
		}
	assert_true(n > 40);
}

/* site B: the mirror image of healthy() at the peer */
static struct xd_snapshot *site_b(uint32_t in_spi, const char *in_sel_dst, bool with_sas)
{
	struct xd_snapshot *s = mb_new();

	mb_local(s, PEER);
	mb_local(s, "10.2.0.1");
	if (with_sas) {
		mb_sa(s, PEER, GW, 50, 0xc0000002, 1, 1)->replay.window = 0;
		mb_sa(s, GW, PEER, 50, in_spi, 1, 1);
	}
	mb_policy(s, 1, REMOTE, LAN, 383615, 0);
	mb_tmpl(s, PEER, GW, 50, 1, 1);
	mb_policy(s, 0, LAN, in_sel_dst, 383615, 0);
	mb_tmpl(s, GW, PEER, 50, 1, 1);
	mb_policy(s, 2, LAN, in_sel_dst, 383615, 0);
	mb_tmpl(s, GW, PEER, 50, 1, 1);
	mb_finish(s);
	return s;
}

static size_t cross(struct xd_snapshot *b, const char *expect)
{
	struct xd_snapshot *a = healthy(true, true);
	struct xd_findings f;
	size_t n;

	mb_finish(a);
	xd_findings_init(&f);
	assert_int_equal(xd_diag_cross_site(a, b, &f), 0);
	for (size_t i = 0; i < f.items.len; i++)
		print_message("  cross: %s %s\n", xd_findings_at(&f, i)->def->id, xd_findings_at(&f, i)->summary);
	if (expect) {
		bool seen = false;
		for (size_t i = 0; i < f.items.len; i++)
			seen |= strcmp(xd_findings_at(&f, i)->def->id, expect) == 0;
		assert_true(seen);
	}
	n = f.items.len;
	xd_findings_done(&f);
	xd_snapshot_free(a);
	xd_snapshot_free(b);
	return n;
}

static void test_cross_site(void **st)
{
	assert_int_equal(cross(site_b(0xc0000001, REMOTE, true), NULL), 0);
	assert_true(cross(site_b(0xc0000077, REMOTE, true), "peer.spi_mismatch") > 0);
	assert_true(cross(site_b(0xc0000001, "10.2.0.0/24", true), "peer.selector_mismatch") > 0);
	assert_true(cross(site_b(0xc0000001, REMOTE, false), "peer.one_sided") > 0);
}

/* ---- aggregation: one finding per (id, severity) for ids that occur per SA/policy ---- */

/* n outbound tunnel policies to n distinct peers, with templates and no SA, never used */
static struct xd_snapshot *no_sa_concentrator(unsigned n)
{
	struct xd_snapshot *s = mb_new();

	mb_local(s, GW);
	mb_local(s, "10.1.0.1");
	for (unsigned t = 0; t < n; t++) {
		char remote[32], peer[32];
		snprintf(remote, sizeof(remote), "10.%u.%u.0/24", 100 + t / 256, t % 256);
		snprintf(peer, sizeof(peer), "100.64.%u.%u", t / 250, t % 250 + 1);
		mb_policy(s, 1, LAN, remote, 375000, 0);
		mb_tmpl(s, GW, peer, 50, t + 1, 1);
		mb_policy(s, 2, remote, LAN, 375000, 0);
		mb_tmpl(s, peer, GW, 50, t + 1, 1);
	}
	return s;
}

static struct json_object *render_json(const struct fx *x)
{
	char *buf = NULL;
	size_t len;
	FILE *fp = open_memstream(&buf, &len);
	struct json_object *doc;

	assert_int_equal(xd_render_findings_json(fp, x->now, &x->f, NULL), 0);
	fclose(fp);
	doc = json_tokener_parse(buf);
	free(buf);
	assert_non_null(doc);
	return doc;
}

static struct json_object *key(struct json_object *o, const char *k)
{
	struct json_object *v = NULL;

	return json_object_object_get_ex(o, k, &v) ? v : NULL;
}

static void test_aggregate_many_subjects(void **st)
{
	struct fx x = { .now = no_sa_concentrator(500) };

	run(&x);
	ASSERT_ONLY(&x, "policy.tmpl_no_sa");
	const struct xd_finding *f = find(&x, "policy.tmpl_no_sa");
	assert_int_equal(f->severity, XD_SEV_INFO);
	assert_int_equal(xd_finding_count(f), 500);
	/* every subject kept, in subject order; the first is the one the summary names */
	for (size_t i = 1; i < xd_finding_count(f); i++)
		assert_true(xd_subject_cmp(xd_finding_subject_at(f, i - 1), xd_finding_subject_at(f, i)) < 0);
	assert_int_equal(f->subject.policy_index, xd_snapshot_policy(x.now, 0)->index);
	assert_non_null(strstr(f->summary, "10.100.0.0/24"));

	struct json_object *doc = render_json(&x), *arr = key(doc, "findings"), *j;
	assert_int_equal(json_object_array_length(arr), 1);
	j = json_object_array_get_idx(arr, 0);
	assert_int_equal(json_object_get_int64(key(j, "count")), 500);
	assert_int_equal(json_object_array_length(key(j, "subjects")), XD_FINDING_SUBJECTS_MAX);
	assert_true(json_object_get_boolean(key(j, "subjects_truncated")));
	assert_non_null(strstr(json_object_get_string(key(j, "summary")), "(and 499 more)"));
	/* the subject holds what every subject shares: the direction and the local end */
	assert_string_equal(json_object_get_string(key(key(j, "subject"), "dir")), "out");
	assert_string_equal(json_object_get_string(key(key(j, "subject"), "local")), GW);
	assert_null(key(key(j, "subject"), "peer"));
	assert_null(key(key(j, "subject"), "policy_index"));
	/* each listed subject is complete */
	struct json_object *s0 = json_object_array_get_idx(key(j, "subjects"), 0);
	assert_non_null(key(s0, "peer"));
	assert_int_equal(json_object_get_int64(key(s0, "policy_index")),
			 xd_snapshot_policy(x.now, 0)->index);
	assert_int_equal(json_object_get_int64(key(s0, "reqid")), 1);
	/* evidence: only what all of them share */
	assert_false(json_object_get_boolean(key(key(j, "evidence"), "acquire_pending")));
	assert_int_equal(json_object_get_int64(key(key(j, "evidence"), "priority")), 375000);
	assert_null(key(key(j, "evidence"), "template"));
	assert_int_equal(json_object_get_int64(key(key(doc, "summary"), "info")), 1);
	json_object_put(doc);

	/* a peer's row still sees the finding about it, and the metric counts subjects */
	struct xd_vec rows;
	assert_int_equal(xd_peers_build(x.now, &x.f, &rows), 0);
	assert_int_equal(rows.len, 500);
	for (size_t i = 0; i < rows.len; i++) {
		const struct xd_peer_row *r = xd_vec_at(&rows, i);
		assert_int_equal(r->finding_ids.len, 1);
		assert_string_equal(*(const char **)xd_vec_at(&r->finding_ids, 0), "policy.tmpl_no_sa");
	}
	xd_peers_free(&rows);
	char *buf = NULL;
	size_t len;
	FILE *fp = open_memstream(&buf, &len);
	assert_int_equal(xd_render_prom(fp, x.now, &x.f, NULL, NULL), 0);
	fclose(fp);
	assert_non_null(strstr(buf, "xfrmd_findings{id=\"policy.tmpl_no_sa\",severity=\"info\"} 500\n"));
	free(buf);
	done(&x);
}

static void test_aggregate_one_subject_keeps_shape(void **st)
{
	struct fx x = { .now = no_sa_concentrator(1) };

	run(&x);
	ASSERT_ONLY(&x, "policy.tmpl_no_sa");
	assert_int_equal(xd_finding_count(find(&x, "policy.tmpl_no_sa")), 1);
	struct json_object *doc = render_json(&x);
	struct json_object *j = json_object_array_get_idx(key(doc, "findings"), 0), *subj;
	const char *want[] = { "id", "severity", "summary", "subject", "evidence", "remedy", "doc" };
	size_t k = 0;

	json_object_object_foreach(j, name, val) {
		(void)val;
		assert_true(k < 7);
		assert_string_equal(name, want[k++]);
	}
	assert_int_equal(k, 7);
	assert_null(strstr(json_object_get_string(key(j, "summary")), "more)"));
	subj = key(j, "subject");
	assert_string_equal(json_object_get_string(key(subj, "peer")), "100.64.0.1");
	assert_string_equal(json_object_get_string(key(subj, "local")), GW);
	assert_int_equal(json_object_get_int64(key(subj, "policy_index")),
			 xd_snapshot_policy(x.now, 0)->index);
	assert_non_null(key(key(j, "evidence"), "template"));
	json_object_put(doc);
	done(&x);
}

/* severities never mix: a used policy's warning is its own finding beside the quiet ones */
static void test_aggregate_per_severity(void **st)
{
	struct fx x = { .now = no_sa_concentrator(5) };

	struct xd_policy *used = xd_vec_at(&x.now->policies, 4);
	uint32_t used_index = used->index;

	used->curlft.use_time = MB_NOW - 5;
	run(&x); /* may reorder the policies */
	assert_int_equal(x.f.items.len, 2);
	assert_int_equal(xd_findings_at(&x.f, 0)->severity, XD_SEV_WARNING);
	assert_int_equal(xd_finding_count(xd_findings_at(&x.f, 0)), 1);
	assert_int_equal(xd_findings_at(&x.f, 0)->subject.policy_index, used_index);
	assert_int_equal(xd_finding_count(xd_findings_at(&x.f, 1)), 4);
	done(&x);
}

/* folding across sets: the same site merges, another site does not; ids that do not
 * aggregate stay one finding per subject */
static void test_aggregate_move_and_sites(void **st)
{
	static const struct xd_finding_def agg = { "sa.orphan", XD_SEV_WARNING, "t", "r",
						   XD_DEF_AGGREGATE };
	static const struct xd_finding_def one = { "cert.expired", XD_SEV_ERROR, "t", "r" };
	struct xd_findings a, b;

	xd_findings_init(&a);
	xd_findings_init(&b);
	for (uint32_t i = 0; i < 3; i++) {
		xd_finding_spi(xd_finding_add(&a, &agg, "a%u", i), 10 - i, 50);
		xd_finding_spi(xd_finding_add(&b, &agg, "b%u", i), 20 - i, 50);
		xd_finding_name(xd_finding_add(&a, &one, "c%u", i), "x");
	}
	xd_findings_sort(&a);
	assert_int_equal(a.items.len, 4);
	const struct xd_finding *g = xd_findings_at(&a, 3);
	assert_int_equal(xd_finding_count(g), 3);
	assert_int_equal(g->subject.spi, 8); /* the smallest subject leads, with its summary */
	assert_string_equal(g->summary, "a2");
	assert_int_equal(g->common & XD_SUBJ_SPI, 0);
	assert_true(g->common & XD_SUBJ_PROTO);
	assert_int_equal(xd_findings_move(&a, &b), 0);
	xd_findings_sort(&a);
	assert_int_equal(a.items.len, 4); /* b's orphans joined a's */
	assert_int_equal(xd_finding_count(xd_findings_at(&a, 3)), 6);
	xd_findings_sort(&b);
	for (uint32_t i = 0; i < 2; i++)
		xd_finding_spi(xd_finding_add(&b, &agg, "b%u", i), 30 + i, 50);
	xd_findings_sort(&b);
	((struct xd_finding *)xd_vec_at(&b.items, 0))->subject.site = "B";
	assert_int_equal(xd_findings_move(&a, &b), 0);
	xd_findings_sort(&a);
	assert_int_equal(a.items.len, 5); /* site B's orphans stay apart */
	xd_findings_done(&a);
	xd_findings_done(&b);
}

/* filters (check --peer, --ignore ID:PEER) judge each subject as the finding it was */
static bool not_spi(const struct xd_finding *x, void *ud)
{
	assert_int_equal(xd_finding_count(x), 1);
	return x->subject.spi != *(uint32_t *)ud;
}

static void test_aggregate_retain_by_subject(void **st)
{
	static const struct xd_finding_def agg = { "sa.orphan", XD_SEV_WARNING, "t", "r",
						   XD_DEF_AGGREGATE };
	struct xd_findings f;
	uint32_t drop = 8;

	xd_findings_init(&f);
	for (uint32_t i = 0; i < 3; i++) {
		struct xd_finding *x = xd_finding_add(&f, &agg, "spi %u", 10 - i);
		xd_finding_spi(x, 10 - i, 50);
		xd_finding_ev_int(x, "n", i == 2 ? 0 : 1); /* only the one with SPI 8 differs */
	}
	xd_findings_sort(&f);
	const struct xd_finding *x = xd_findings_at(&f, 0);
	assert_int_equal(xd_finding_count(x), 3);
	assert_int_equal(x->evidence.len, 0);
	assert_string_equal(xd_finding_summary_at(x, 2), "spi 10");
	((struct xd_finding *)xd_vec_at(&f.items, 0))->subject.site = "A"; /* as check -r A -r B */
	/* the first subject goes: the next one leads, with its own summary and the site */
	assert_int_equal(xd_findings_retain(&f, not_spi, &drop), 1);
	x = xd_findings_at(&f, 0);
	assert_string_equal(x->subject.site, "A");
	assert_int_equal(xd_finding_count(x), 2);
	assert_int_equal(x->subject.spi, 9);
	assert_string_equal(x->summary, "spi 9");
	assert_true(x->common & XD_SUBJ_PROTO);
	/* the last but one goes: a one-subject finding again */
	drop = 9;
	assert_int_equal(xd_findings_retain(&f, not_spi, &drop), 1);
	assert_int_equal(xd_finding_count(xd_findings_at(&f, 0)), 1);
	assert_string_equal(xd_findings_at(&f, 0)->summary, "spi 10");
	drop = 10;
	assert_int_equal(xd_findings_retain(&f, not_spi, &drop), 1);
	assert_int_equal(f.items.len, 0);
	xd_findings_done(&f);
}

static enum xd_peer_state peer_state(struct xd_snapshot *snap)
{
	struct fx x = { .now = snap };
	struct xd_vec rows;
	enum xd_peer_state st;

	run(&x);
	assert_int_equal(xd_peers_build(x.now, &x.f, &rows), 0);
	assert_int_equal(rows.len, 1);
	st = ((struct xd_peer_row *)xd_vec_at(&rows, 0))->state;
	assert_int_equal(((struct xd_peer_row *)xd_vec_at(&rows, 0))->policies, 3);
	xd_peers_free(&rows);
	done(&x);
	return st;
}

static void test_peers_states(void **st)
{
	assert_int_equal(peer_state(healthy(true, true)), XD_PEER_UP);
	assert_int_equal(peer_state(healthy(true, false)), XD_PEER_DEGRADED);
	struct xd_snapshot *s = healthy(true, true);
	s->sas.len = 0;
	assert_int_equal(peer_state(s), XD_PEER_DOWN);
	s = healthy(true, true);
	s->meta.dump_status[XD_DUMP_XFRM_SA] = XD_DUMP_DENIED;
	assert_int_equal(peer_state(s), XD_PEER_UNKNOWN);
}

/*
 * IP-TFS (XFRM mode 5, Linux 6.14) is tunnel mode with aggregated inner packets: a gateway
 * using it needs fwd policies, pairs with its peer and shows in the peer matrix exactly like
 * one in tunnel mode. Before, every such check tested mode == tunnel and skipped IP-TFS.
 */
static struct xd_snapshot *iptfs(struct xd_snapshot *s)
{
	mb_all_modes(s, XD_MODE_IPTFS);
	return s;
}

static void test_iptfs_is_tunnel_like(void **st)
{
	struct fx x = { .now = iptfs(healthy(true, true)) };

	assert_true(xd_mode_is_tunnel_like(XD_MODE_TUNNEL));
	assert_true(xd_mode_is_tunnel_like(XD_MODE_IPTFS));
	assert_false(xd_mode_is_tunnel_like(XD_MODE_TRANSPORT));
	assert_false(xd_mode_is_tunnel_like(XD_MODE_BEET));

	run(&x);
	ASSERT_NONE(&x);
	done(&x);

	x = (struct fx){ .now = iptfs(healthy(false, true)) };
	run(&x);
	ASSERT_ONLY(&x, "policy.missing_fwd");
	const struct xd_finding *f = find(&x, "policy.missing_fwd");
	assert_true(f->subject.has & XD_SUBJ_PEER);
	assert_int_equal(f->subject.reqid, 1);
	done(&x);

	/* the cross-site checks pair IP-TFS tunnels too */
	struct xd_snapshot *a = iptfs(healthy(true, true));
	struct xd_snapshot *b = iptfs(site_b(0xc0000001, "10.2.0.0/24", true));
	struct xd_findings cf;
	bool seen = false;
	mb_finish(a);
	mb_finish(b);
	xd_findings_init(&cf);
	assert_int_equal(xd_diag_cross_site(a, b, &cf), 0);
	for (size_t i = 0; i < cf.items.len; i++)
		seen |= strcmp(xd_findings_at(&cf, i)->def->id, "peer.selector_mismatch") == 0;
	assert_true(seen);
	xd_findings_done(&cf);
	xd_snapshot_free(a);
	xd_snapshot_free(b);

	/* one row in the peer matrix, with its three policies */
	assert_int_equal(peer_state(iptfs(healthy(true, true))), XD_PEER_UP);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_healthy_gateway_is_silent),
		cmocka_unit_test(test_one_way),
		cmocka_unit_test(test_many_children_one_missing),
		cmocka_unit_test(test_addr_cmp_is_memcmp),
		cmocka_unit_test(test_missing_fwd),
		cmocka_unit_test(test_transport_host_needs_no_fwd),
		cmocka_unit_test(test_missing_partner),
		cmocka_unit_test(test_tmpl_no_sa),
		cmocka_unit_test(test_tmpl_no_sa_unused_trap_is_info),
		cmocka_unit_test(test_shadowed),
		cmocka_unit_test(test_equivalent_duplicate_policy_not_shadowed),
		cmocka_unit_test(test_default_block),
		cmocka_unit_test(test_spd_inexact),
		cmocka_unit_test(test_orphan),
		cmocka_unit_test(test_duplicate),
		cmocka_unit_test(test_duplicate_lastused_in_use),
		cmocka_unit_test(test_duplicate_long_run),
		cmocka_unit_test(test_duplicate_during_rekey_is_silent),
		cmocka_unit_test(test_larval_stuck),
		cmocka_unit_test(test_expiring),
		cmocka_unit_test(test_natt_transport),
		cmocka_unit_test(test_weak_algorithm),
		cmocka_unit_test(test_replay_disabled_inbound_only),
		cmocka_unit_test(test_seq_exhaustion),
		cmocka_unit_test(test_integrity_rising),
		cmocka_unit_test(test_replay_errors_snapshot_is_info),
		cmocka_unit_test(test_xfrmstat),
		cmocka_unit_test(test_traffic),
		cmocka_unit_test(test_tool_findings),
		cmocka_unit_test(test_every_id_is_unique),
		cmocka_unit_test(test_peers_states),
		cmocka_unit_test(test_iptfs_is_tunnel_like),
		cmocka_unit_test(test_cross_site),
		cmocka_unit_test(test_aggregate_many_subjects),
		cmocka_unit_test(test_aggregate_one_subject_keeps_shape),
		cmocka_unit_test(test_aggregate_per_severity),
		cmocka_unit_test(test_aggregate_move_and_sites),
		cmocka_unit_test(test_aggregate_retain_by_subject),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
