/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-check-fw.c: every fw.* finding fires on its fault (naming the rule) and stays silent
 * on the healthy variant.
 *
 *   10.1.0.0/16 -- [gw 192.0.2.1] ===== ESP tunnel ===== [peer 198.51.100.7] -- 10.2.0.0/16
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fw-builder.h"
#include "model-builder.h"
#include "xfrmd/diag.h"

#define GW "192.0.2.1"
#define PEER "198.51.100.7"
#define INET XD_NFPROTO_INET

struct fx {
	struct xd_snapshot *s;
	struct xd_fw *fw;
	struct xd_findings f;
};

static void setup_fx(struct fx *x, bool ah, bool natt, bool out_policy)
{
	struct xd_snapshot *s = mb_new();
	struct xd_sa *sa;

	mb_local(s, GW);
	mb_local(s, "10.1.0.1");
	sa = mb_sa(s, GW, PEER, ah ? 51 : 50, 0xc0000001, 1, 1);
	if (natt) {
		sa->has |= XD_SA_HAS_ENCAP;
		sa->encap.type = 2;
		sa->encap.sport = 4500;
		sa->encap.dport = 4500;
	}
	sa = mb_sa(s, PEER, GW, ah ? 51 : 50, 0xc0000002, 1, 1);
	if (natt) {
		sa->has |= XD_SA_HAS_ENCAP;
		sa->encap.type = 2;
		sa->encap.sport = 4500;
		sa->encap.dport = 4500;
	}
	if (out_policy) {
		mb_policy(s, 1, "10.1.0.0/16", "10.2.0.0/16", 100, 0);
		mb_tmpl(s, GW, PEER, ah ? 51 : 50, 1, 1);
	}
	mb_policy(s, 0, "10.2.0.0/16", "10.1.0.0/16", 100, 0);
	mb_tmpl(s, PEER, GW, ah ? 51 : 50, 1, 1);
	x->s = s;
	x->fw = fwb_new();
	s->fw = x->fw;
}

/* input: policy drop; accepts what the flags say */
static void input_chain(struct fx *x, bool esp, bool ah, bool ike, bool natt)
{
	struct xd_fw *fw = x->fw;
	uint64_t h = 10;

	fwb_chain(fw, INET, "filter", "input", XD_HOOK_INPUT, 0, XD_NF_DROP);
	fwb_chain(fw, INET, "filter", "output", XD_HOOK_OUTPUT, 0, XD_NF_ACCEPT);
	if (esp || ah) {
		fwb_rule(fw, INET, "filter", "input", h++);
		fwb_meta(fw, 16, 1);
		fwb_cmp_u8(fw, 1, esp ? 50 : 51);
		fwb_verdict(fw, XD_NF_ACCEPT, NULL);
	}
	if (esp && ah) {
		fwb_rule(fw, INET, "filter", "input", h++);
		fwb_meta(fw, 16, 1);
		fwb_cmp_u8(fw, 1, 51);
		fwb_verdict(fw, XD_NF_ACCEPT, NULL);
	}
	for (int i = 0; i < 2; i++) {
		if (!(i ? natt : ike))
			continue;
		fwb_rule(fw, INET, "filter", "input", h++);
		fwb_meta(fw, 16, 1);
		fwb_cmp_u8(fw, 1, 17);
		fwb_payload(fw, 2, 2, 2, 1);
		fwb_cmp_be16(fw, 1, i ? 4500 : 500);
		fwb_verdict(fw, XD_NF_ACCEPT, NULL);
	}
}

static void run(struct fx *x)
{
	struct xd_diag_ctx ctx = { .now = x->s };

	mb_finish(x->s);
	xd_diag_opts_default(&ctx.opts);
	xd_findings_init(&x->f);
	assert_int_equal(xd_diag_run(&ctx, &x->f), 0);
}

static void done(struct fx *x)
{
	xd_findings_done(&x->f);
	xd_snapshot_free(x->s); /* owns x->fw */
}

static const struct xd_finding *find(const struct fx *x, const char *id, const char *dir)
{
	for (size_t i = 0; i < x->f.items.len; i++) {
		const struct xd_finding *f = xd_findings_at(&x->f, i);
		if (strcmp(f->def->id, id) == 0 &&
		    (!dir || (f->subject.dir && strcmp(f->subject.dir, dir) == 0)))
			return f;
	}
	return NULL;
}

static size_t count_fw(const struct fx *x)
{
	size_t n = 0;

	for (size_t i = 0; i < x->f.items.len; i++) {
		const struct xd_finding *f = xd_findings_at(&x->f, i);
		if (strncmp(f->def->id, "fw.", 3) == 0) {
			print_message("  finding: %s %s\n", f->def->id, f->summary);
			n++;
		}
	}
	return n;
}

static void test_fw_healthy_is_silent(void **st)
{
	struct fx x;

	setup_fx(&x, false, true, true);
	input_chain(&x, true, false, true, true);
	run(&x);
	assert_int_equal(count_fw(&x), 0);
	done(&x);
}

static void test_fw_esp_blocked(void **st)
{
	struct fx x;

	setup_fx(&x, false, true, true);
	input_chain(&x, false, false, true, true);
	run(&x);
	const struct xd_finding *f = find(&x, "fw.esp_blocked", "in");
	assert_non_null(f);
	assert_int_equal(f->severity, XD_SEV_ERROR);
	assert_true(f->subject.has & XD_SUBJ_PEER);
	assert_true(f->subject.has & XD_SUBJ_RULE);
	assert_string_equal(f->subject.chain, "input");
	assert_null(find(&x, "fw.esp_blocked", "out")); /* output accepts */
	done(&x);
}

/* Packet offload (6.2): the NIC handles ESP, which never passes netfilter: a rule dropping
 * ESP cannot hurt those SAs, so nothing is reported about ESP (before: fw.esp_blocked). */
static void test_fw_packet_offload_stands_down(void **st)
{
	struct fx x;

	setup_fx(&x, false, true, true);
	for (size_t i = 0; i < x.s->sas.len; i++) {
		struct xd_sa *sa = xd_vec_at(&x.s->sas, i);
		sa->ext = xd_snapshot_alloc(x.s, sizeof(*sa->ext));
		sa->ext->offload_ifindex = 2;
		sa->ext->offload_flags = XD_OFFLOAD_PACKET;
	}
	input_chain(&x, false, false, true, true);
	run(&x);
	assert_null(find(&x, "fw.esp_blocked", NULL));
	assert_null(find(&x, "fw.natt_blocked", NULL));
	done(&x);
}

/* IP-TFS templates: ESP runs between the gateways as in tunnel mode, so with the tunnel down
 * (no SA yet) blocked ESP is reported for the peer gateway named by the template (before:
 * for the inner selector addresses). */
static void test_fw_esp_blocked_iptfs(void **st)
{
	struct fx x;
	struct xd_addr peer = { 0 };

	setup_fx(&x, false, false, true);
	mb_all_modes(x.s, XD_MODE_IPTFS);
	x.s->sas.len = 0;
	input_chain(&x, false, false, true, true);
	run(&x);
	const struct xd_finding *f = find(&x, "fw.esp_blocked", "in");
	assert_non_null(f);
	assert_true(f->subject.has & XD_SUBJ_PEER);
	assert_int_equal(inet_pton(AF_INET, PEER, &peer), 1);
	assert_memory_equal(&f->subject.peer, &peer, 4);
	done(&x);

	setup_fx(&x, false, true, true);
	mb_all_modes(x.s, XD_MODE_IPTFS);
	input_chain(&x, true, false, true, true);
	run(&x);
	assert_int_equal(count_fw(&x), 0);
	done(&x);
}

static void test_fw_ah_blocked(void **st)
{
	struct fx x;

	setup_fx(&x, true, false, true);
	input_chain(&x, true, false, true, true); /* ESP open, AH not */
	run(&x);
	assert_non_null(find(&x, "fw.ah_blocked", "in"));
	assert_null(find(&x, "fw.esp_blocked", NULL)); /* no ESP in use */
	done(&x);

	setup_fx(&x, true, false, true);
	input_chain(&x, true, true, true, true);
	run(&x);
	assert_null(find(&x, "fw.ah_blocked", NULL));
	done(&x);
}

static void test_fw_ike_blocked_names_rule(void **st)
{
	struct fx x;

	setup_fx(&x, false, true, true);
	input_chain(&x, true, false, true, true);
	/* an explicit drop of udp/500 in a second table at the same priority */
	fwb_chain(x.fw, INET, "other", "in", XD_HOOK_INPUT, 0, XD_NF_ACCEPT);
	fwb_rule(x.fw, INET, "other", "in", 99);
	fwb_meta(x.fw, 16, 1);
	fwb_cmp_u8(x.fw, 1, 17);
	fwb_payload(x.fw, 2, 2, 2, 1);
	fwb_cmp_be16(x.fw, 1, 500);
	fwb_verdict(x.fw, XD_NF_DROP, NULL);
	run(&x);
	const struct xd_finding *f = find(&x, "fw.ike_blocked", "in");
	assert_non_null(f);
	assert_int_equal(f->subject.rule_handle, 99);
	assert_string_equal(f->subject.table, "other");
	done(&x);
}

static void test_fw_natt_blocked(void **st)
{
	struct fx x;

	setup_fx(&x, false, true, true);
	input_chain(&x, true, false, true, false);
	run(&x);
	const struct xd_finding *f = find(&x, "fw.natt_blocked", "in");
	assert_non_null(f);
	assert_int_equal(f->severity, XD_SEV_ERROR); /* the SA uses UDP encapsulation */
	done(&x);

	setup_fx(&x, false, false, true);
	input_chain(&x, true, false, true, false);
	run(&x);
	f = find(&x, "fw.natt_blocked", "in");
	assert_non_null(f);
	assert_int_equal(f->severity, XD_SEV_WARNING); /* only possible, not in use */
	done(&x);
}

static void test_fw_cleartext_allowed(void **st)
{
	struct fx x;

	setup_fx(&x, false, true, false); /* no out policy */
	input_chain(&x, true, false, true, true);
	run(&x);
	assert_non_null(find(&x, "fw.cleartext_allowed", NULL));
	done(&x);

	setup_fx(&x, false, true, true);
	input_chain(&x, true, false, true, true);
	run(&x);
	assert_null(find(&x, "fw.cleartext_allowed", NULL));
	done(&x);
}

static void test_fw_nat_before_policy(void **st)
{
	struct fx x;

	setup_fx(&x, false, true, true);
	input_chain(&x, true, false, true, true);
	fwb_chain(x.fw, XD_NFPROTO_IPV4, "nat", "post", XD_HOOK_POSTROUTING, 100, XD_NF_ACCEPT);
	((struct xd_fw_chain *)xd_vec_at(&x.fw->chains, x.fw->chains.len - 1))->type = "nat";
	fwb_rule(x.fw, XD_NFPROTO_IPV4, "nat", "post", 5);
	fwb_simple(x.fw, XD_FWX_NAT);
	run(&x);
	const struct xd_finding *f = find(&x, "fw.nat_before_policy", NULL);
	assert_non_null(f);
	assert_int_equal(f->subject.rule_handle, 5);
	done(&x);

	setup_fx(&x, false, true, true);
	input_chain(&x, true, false, true, true);
	run(&x);
	assert_null(find(&x, "fw.nat_before_policy", NULL));
	done(&x);
}

static void test_fw_undecidable(void **st)
{
	struct fx x;

	setup_fx(&x, false, true, true);
	input_chain(&x, false, false, true, true);
	/* ESP only under a rate limit, then the drop policy: depends on traffic */
	fwb_rule(x.fw, INET, "filter", "input", 77);
	fwb_meta(x.fw, 16, 1);
	fwb_cmp_u8(x.fw, 1, 50);
	fwb_simple(x.fw, XD_FWX_LIMIT);
	fwb_verdict(x.fw, XD_NF_ACCEPT, NULL);
	run(&x);
	const struct xd_finding *f = find(&x, "fw.undecidable", "in");
	assert_non_null(f);
	assert_int_equal(f->subject.rule_handle, 77);
	assert_null(find(&x, "fw.esp_blocked", "in"));
	done(&x);
}

/* Mark the firewall dumps read (complete; no ip_tables module at all). */
static void fw_read(struct xd_snapshot *s)
{
	for (enum xd_dump d = XD_DUMP_NFT_GEN; d <= XD_DUMP_NFT_FLOWTABLES; d++)
		s->meta.dump_status[d] = XD_DUMP_COMPLETE;
	for (enum xd_dump d = XD_DUMP_IPT_NAMES; d <= XD_DUMP_IP6T; d++)
		s->meta.dump_status[d] = XD_DUMP_ABSENT;
}

/*
 * No rule set at all is a verdict: everything is accepted, so an in policy without an out
 * policy sends the replies in clear. Only when the firewall was read: a namespace whose
 * rule set could not be read says nothing.
 */
static void test_fw_no_ruleset_cleartext(void **st)
{
	struct fx x;

	for (int variant = 0; variant < 4; variant++) {
		setup_fx(&x, false, false, false); /* no out policy */
		if (variant == 1) {
			/* no firewall record at all in the snapshot */
			xd_fw_done(x.fw);
			free(x.fw);
			x.s->fw = NULL;
		}
		if (variant != 2)
			fw_read(x.s);
		else /* the firewall was not collected */
			for (enum xd_dump d = XD_DUMP_NFT_GEN; d <= XD_DUMP_IP6T; d++)
				x.s->meta.dump_status[d] = XD_DUMP_NOT_COLLECTED;
		if (variant == 3)
			x.s->meta.dump_status[XD_DUMP_NFT_RULES] = XD_DUMP_DENIED;
		run(&x);
		if (variant < 2) {
			const struct xd_finding *f = find(&x, "fw.cleartext_allowed", NULL);
			assert_non_null(f);
			/* nothing else: without rules nothing drops or is undecidable */
			assert_int_equal(count_fw(&x), 1);
		} else
			assert_int_equal(count_fw(&x), 0);
		done(&x);
	}
	/* with an out policy: silent */
	setup_fx(&x, false, false, true);
	fw_read(x.s);
	run(&x);
	assert_int_equal(count_fw(&x), 0);
	done(&x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fw_healthy_is_silent),
		cmocka_unit_test(test_fw_esp_blocked),
		cmocka_unit_test(test_fw_packet_offload_stands_down),
		cmocka_unit_test(test_fw_esp_blocked_iptfs),
		cmocka_unit_test(test_fw_ah_blocked),
		cmocka_unit_test(test_fw_ike_blocked_names_rule),
		cmocka_unit_test(test_fw_natt_blocked),
		cmocka_unit_test(test_fw_cleartext_allowed),
		cmocka_unit_test(test_fw_nat_before_policy),
		cmocka_unit_test(test_fw_undecidable),
		cmocka_unit_test(test_fw_no_ruleset_cleartext),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
