/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-decode-ikelog.c: the IKE log classifier (decode-ikelog.c) on lines captured from real
 * strongSwan 5.9.8 charon pairs (the fuzz corpus files real-sw-*: wrong PSK, disjoint ESP
 * proposals, disjoint traffic selectors, wrong ID, a peer that does not answer, a peer that
 * stops answering an established IKE SA), from real libreswan 4.10 pluto pairs (real-ls-*:
 * the same failures, an IKE proposal mismatch and a healthy pair on a kernel without ESP) and
 * on hand-written libreswan 4.x/5.x and syslog/journal forms; and the allowlist that keeps
 * everything else (key dumps at high log levels) out of snapshots; and the ike.* findings
 * (check-ikelog.c) made from them.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "model-builder.h"
#include "xfrmd/decode.h"
#include "xfrmd/diag.h"
#include "xfrmd/ike.h"
#include "xfrmd/model.h"

static struct xd_snapshot *decode_text(const char *text)
{
	struct xd_snapshot *s = NULL;

	assert_int_equal(xd_snapshot_new(&s), 0);
	s->meta.captured_at = 1796673600; /* 2026-12-07 20:00 UTC */
	assert_int_equal(xd_decode_ikelog(s, text, strlen(text)), 0);
	assert_non_null(s->ike);
	return s;
}

static struct xd_snapshot *decode_corpus(const char *name)
{
	char path[1024], *buf;
	const char *dir = getenv("XD_IKELOG_CORPUS");
	struct xd_snapshot *s;
	FILE *f;
	long n;

	assert_non_null(dir);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	s = decode_text(buf);
	free(buf);
	return s;
}

/* The failure events of a snapshot, one per kind, counted. */
static unsigned count_kind(const struct xd_snapshot *s, enum xd_ike_event_kind k,
			   const struct xd_ike_event **ret_last)
{
	unsigned n = 0;

	for (size_t i = 0; i < s->ike->events.len; i++) {
		const struct xd_ike_event *e = xd_vec_at(&s->ike->events, i);
		if (e->kind == k) {
			n++;
			if (ret_last)
				*ret_last = e;
		}
	}
	return n;
}

static unsigned failures(const struct xd_snapshot *s)
{
	unsigned n = 0;

	for (size_t i = 0; i < s->ike->events.len; i++)
		n += xd_ike_event_is_failure(((const struct xd_ike_event *)xd_vec_at(&s->ike->events, i))->kind);
	return n;
}

static void test_real_psk(void **state)
{
	const struct xd_ike_event *e = NULL;
	struct xd_snapshot *s = decode_corpus("real-sw-psk-initiator");

	assert_int_equal(count_kind(s, XD_IKE_EV_AUTH_FAILED, &e), 1);
	assert_int_equal(failures(s), 1);
	assert_string_equal(e->conn, "to-b");
	assert_string_equal(e->peer, "192.0.2.2");
	assert_string_equal(e->stack, "strongswan");
	assert_string_equal(e->source, "/srv/gw-a/log/charon.log");
	assert_string_equal(e->text, "received AUTHENTICATION_FAILED notify error");
	assert_true(e->time_s > 0);
	xd_snapshot_free(s);

	/* the responder: MAC mismatch, and its AUTH_FAILED reply is not counted twice; no time
	 * stamps in this log (time_format unset) */
	s = decode_corpus("real-sw-psk-responder");
	assert_int_equal(count_kind(s, XD_IKE_EV_AUTH_FAILED, &e), 1);
	assert_int_equal(failures(s), 1);
	assert_string_equal(e->conn, "from-a");
	assert_string_equal(e->peer, "192.0.2.1");
	assert_int_equal(e->time_s, 0);
	assert_non_null(strstr(e->text, "MAC mismatched"));
	xd_snapshot_free(s);
	(void)state;
}

static void test_real_esp_ts_id(void **state)
{
	const struct xd_ike_event *e = NULL;
	struct xd_snapshot *s = decode_corpus("real-sw-esp-initiator");

	assert_int_equal(count_kind(s, XD_IKE_EV_NO_PROPOSAL, &e), 1);
	assert_string_equal(e->conn, "to-b");
	assert_int_equal(count_kind(s, XD_IKE_EV_IKE_UP, &e), 1);
	assert_string_equal(e->peer, "192.0.2.2");
	assert_int_equal(failures(s), 1);
	xd_snapshot_free(s);

	s = decode_corpus("real-sw-esp-responder");
	assert_int_equal(count_kind(s, XD_IKE_EV_NO_PROPOSAL, &e), 1);
	assert_string_equal(e->conn, "from-a");
	assert_string_equal(e->peer, "192.0.2.1");
	assert_int_equal(failures(s), 1);
	xd_snapshot_free(s);

	s = decode_corpus("real-sw-ts-initiator");
	assert_int_equal(count_kind(s, XD_IKE_EV_TS_UNACCEPTABLE, &e), 1);
	assert_int_equal(failures(s), 1);
	xd_snapshot_free(s);
	s = decode_corpus("real-sw-ts-responder");
	assert_int_equal(count_kind(s, XD_IKE_EV_TS_UNACCEPTABLE, &e), 1);
	assert_string_equal(e->conn, "from-a");
	assert_int_equal(failures(s), 1);
	xd_snapshot_free(s);

	/* wrong ID: the responder finds no config (no connection name: none was selected),
	 * the initiator only hears AUTHENTICATION_FAILED */
	s = decode_corpus("real-sw-id-responder");
	assert_int_equal(count_kind(s, XD_IKE_EV_ID_MISMATCH, &e), 1);
	assert_null(e->conn);
	assert_string_equal(e->peer, "192.0.2.1");
	assert_int_equal(failures(s), 1);
	xd_snapshot_free(s);
	s = decode_corpus("real-sw-id-initiator");
	assert_int_equal(count_kind(s, XD_IKE_EV_AUTH_FAILED, NULL), 1);
	xd_snapshot_free(s);
	(void)state;
}

static void test_real_noanswer(void **state)
{
	const struct xd_ike_event *e = NULL;
	struct xd_snapshot *s = decode_corpus("real-sw-noanswer-initiator");

	assert_int_equal(count_kind(s, XD_IKE_EV_PEER_UNREACHABLE, &e), 2);
	assert_string_equal(e->conn, "to-b");
	assert_string_equal(e->peer, "192.0.2.2");
	assert_int_equal(failures(s), 2);
	xd_snapshot_free(s);
	(void)state;
}

static void test_no_ike_name(void **state)
{
	/* charon's default: no "<conn|N>"; conn and peer come from the lines of the same thread */
	const struct xd_ike_event *e = NULL;
	struct xd_snapshot *s = decode_text(
		"# source: /var/log/charon.log stack: strongswan\n"
		"Dec  7 19:48:33 12[NET] received packet: from 192.0.2.1[500] to 192.0.2.2[500] (892 bytes)\n"
		"Dec  7 19:48:33 12[CFG] looking for peer configs matching 192.0.2.2[gw-b]...192.0.2.1[gw-a]\n"
		"Dec  7 19:48:33 12[CFG] selected peer config 'from-a'\n"
		"Dec  7 19:48:33 12[IKE] tried 1 shared key for 'gw-b' - 'gw-a', but MAC mismatched\n"
		"Dec  7 19:48:33 12[ENC] generating IKE_AUTH response 1 [ N(AUTH_FAILED) ]\n");

	assert_int_equal(count_kind(s, XD_IKE_EV_AUTH_FAILED, &e), 1);
	assert_string_equal(e->conn, "from-a");
	assert_string_equal(e->peer, "192.0.2.1");
	assert_true(e->time_s > 1796600000 && e->time_s < 1796673600 + 86400);
	xd_snapshot_free(s);
	(void)state;
}

static void test_syslog_journal(void **state)
{
	const struct xd_ike_event *e = NULL;
	struct xd_snapshot *s = decode_text(
		"# source: journal stack: strongswan\n"
		"@1796670000 10[IKE] <vpn|3> received TS_UNACCEPTABLE notify, no CHILD_SA built\n"
		"# source: /var/log/syslog stack: strongswan\n"
		"2026-12-07T19:00:00.123456+00:00 gw charon[812]: 09[IKE] <vpn|4> "
		"IKE_SA vpn[4] established between 10.0.0.1[a]...10.0.0.2[b]\n"
		"Dec  7 19:10:00 gw charon-systemd[5]: 09[IKE] <vpn|4> giving up after 5 retransmits\n");

	assert_int_equal(count_kind(s, XD_IKE_EV_TS_UNACCEPTABLE, &e), 1);
	assert_int_equal(e->time_s, 1796670000);
	assert_string_equal(e->source, "journal");
	assert_string_equal(e->conn, "vpn");
	assert_int_equal(count_kind(s, XD_IKE_EV_IKE_UP, &e), 1);
	assert_int_equal(e->time_s, 1796670000);
	assert_string_equal(e->peer, "10.0.0.2");
	/* a retransmit timeout on an SA that was up: dead peer detection */
	assert_int_equal(count_kind(s, XD_IKE_EV_DPD_DEAD, &e), 1);
	assert_string_equal(e->conn, "vpn");
	assert_string_equal(e->peer, "10.0.0.2");
	xd_snapshot_free(s);
	(void)state;
}

static void test_libreswan(void **state)
{
	const struct xd_ike_event *e = NULL;
	struct xd_snapshot *s = decode_text(
		"# source: /var/log/pluto.log stack: libreswan\n"
		"Dec  7 19:01:02.123456: \"lab\" #1: IKE SA authentication request rejected by peer: AUTHENTICATION_FAILED\n"
		"Dec  7 19:01:03.000001: \"lab\"[2] 198.51.100.9 #3: responding to IKE_AUTH message (ID 1) "
		"from 198.51.100.9:500 with encrypted notification AUTHENTICATION_FAILED\n"
		"\"lab\" #2: IKE_AUTH response rejected Child SA with TS_UNACCEPTABLE\n"
		"\"lab\" #4: max number of retransmissions (8) reached sending IKE_SA_INIT request\n"
		"\"other\" #5: established IKE SA; authenticated peer using authby=secret\n"
		"\"other\" #6: initiator established Child SA using #5; IPsec tunnel [10.0.0.0/24===10.1.0.0/24]\n"
		"\"lab\" #1: loading secret XdNeverKeptSecret\n");

	assert_int_equal(count_kind(s, XD_IKE_EV_AUTH_FAILED, &e), 2);
	assert_string_equal(e->conn, "lab");
	assert_string_equal(e->peer, "198.51.100.9");
	assert_string_equal(e->stack, "libreswan");
	assert_true(e->time_s > 0);
	assert_int_equal(count_kind(s, XD_IKE_EV_TS_UNACCEPTABLE, NULL), 1);
	assert_int_equal(count_kind(s, XD_IKE_EV_PEER_UNREACHABLE, &e), 1);
	assert_int_equal(e->time_s, 0);
	assert_int_equal(count_kind(s, XD_IKE_EV_IKE_UP, &e), 1);
	assert_string_equal(e->conn, "other");
	assert_int_equal(count_kind(s, XD_IKE_EV_CHILD_UP, NULL), 1);
	assert_int_equal(s->ike->events.len, 6);
	xd_snapshot_free(s);
	(void)state;
}

/* libreswan says it once per state and reason; the reply and the retransmits repeat it */
static void test_real_libreswan(void **state)
{
	static const struct {
		const char *file;
		enum xd_ike_event_kind kind;
		unsigned n; /* failures of that kind (one per attempt), and no other failure */
		const char *peer;
	} cases[] = {
		{ "real-ls-psk-responder", XD_IKE_EV_AUTH_FAILED, 2, "192.0.2.1" },
		{ "real-ls-idr-responder", XD_IKE_EV_ID_MISMATCH, 2, "192.0.2.1" },
		{ "real-ls-ikeprop-initiator", XD_IKE_EV_NO_PROPOSAL, 1, "192.0.2.2" },
		{ "real-ls-ikeprop-responder", XD_IKE_EV_NO_PROPOSAL, 4, "192.0.2.1" },
		{ "real-ls-unreach-initiator", XD_IKE_EV_PEER_UNREACHABLE, 1, "192.0.2.2" },
		{ "real-ls-ts-initiator", XD_IKE_EV_TS_UNACCEPTABLE, 1, "192.0.2.2" },
		{ "real-ls-ok-responder", XD_IKE_EV_TS_UNACCEPTABLE, 0, NULL },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct xd_ike_event *e = NULL;
		struct xd_snapshot *s = decode_corpus(cases[i].file);
		unsigned n = count_kind(s, cases[i].kind, &e);
		if (n != cases[i].n || failures(s) != n)
			fail_msg("%s: %u of the kind, %u failures, want %u", cases[i].file, n,
				 failures(s), cases[i].n);
		if (e) {
			assert_string_equal(e->conn, "tun");
			assert_string_equal(e->stack, "libreswan");
			assert_true(e->time_s > 0);
			if (cases[i].peer)
				assert_string_equal(e->peer, cases[i].peer);
		}
		xd_snapshot_free(s);
	}
	(void)state;
}

static void test_keep(void **state)
{
	static const char *const kept[] = {
		"Dec  7 19:48:33 15[IKE] <to-b|1> received AUTHENTICATION_FAILED notify error",
		"16[CFG] <1> no matching peer config found",
		"\"lab\" #1: IKE SA authentication request rejected by peer: AUTHENTICATION_FAILED",
		"12[NET] <to-b|1> received packet: from 192.0.2.2[500] to 192.0.2.1[500] (248 bytes)",
	};
	static const char *const dropped[] = {
		"Dec  7 19:48:33 15[IKE] <to-b|1> Sk_ei secret => 16 bytes @ 0x7f",
		"15[IKE]    0: 8B 2A 7C 11 90 4E 6D 1A 55 0F 2E 19 A3 C4 D2 01  .*|..Nm.U.......",
		"15[CFG] loaded IKE shared key with id 'ike-1' for: 'gw-a', 'gw-b'",
		"\"lab\" #1: shared DH secret: 01 02 03",
		"",
	};

	for (size_t i = 0; i < sizeof(kept) / sizeof(kept[0]); i++)
		assert_true(xd_ikelog_keep(kept[i], strlen(kept[i])));
	for (size_t i = 0; i < sizeof(dropped) / sizeof(dropped[0]); i++)
		assert_false(xd_ikelog_keep(dropped[i], strlen(dropped[i])));
	(void)state;
}

/* ---- the findings ---- */

static void check(struct xd_snapshot *s, struct xd_findings *f)
{
	struct xd_diag_ctx ctx = { .now = s };

	mb_finish(s);
	xd_diag_opts_default(&ctx.opts);
	xd_findings_init(f);
	assert_int_equal(xd_diag_run(&ctx, f), 0);
}

/* The ike.* findings, "id:name" joined by spaces, in the sorted order. */
static void ike_ids(const struct xd_findings *f, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < xd_findings_count(f); i++) {
		const struct xd_finding *x = xd_findings_at(f, i);
		if (strncmp(x->def->id, "ike.", 4) != 0)
			continue;
		o += (size_t)snprintf(buf + o, len - o, "%s%s:%s", o ? " " : "", x->def->id,
				      x->subject.name ? x->subject.name : "-");
	}
}

static const char *ev_str(const struct xd_finding *x, const char *key)
{
	for (size_t i = 0; i < x->evidence.len; i++) {
		const struct xd_evidence *e = xd_vec_at(&x->evidence, i);
		if (strcmp(e->key, key) == 0)
			return e->type == XD_EV_STR ? e->str : "(int)";
	}
	return NULL;
}

static int64_t ev_int(const struct xd_finding *x, const char *key)
{
	for (size_t i = 0; i < x->evidence.len; i++) {
		const struct xd_evidence *e = xd_vec_at(&x->evidence, i);
		if (strcmp(e->key, key) == 0)
			return e->i;
	}
	return -1;
}

static void test_findings_real(void **state)
{
	static const struct {
		const char *file, *want;
	} cases[] = {
		{ "real-sw-psk-initiator", "ike.auth_failed:to-b" },
		{ "real-sw-psk-responder", "ike.auth_failed:from-a" },
		{ "real-sw-esp-initiator", "ike.no_proposal:to-b" },
		{ "real-sw-esp-responder", "ike.no_proposal:from-a" },
		{ "real-sw-ts-initiator", "ike.ts_unacceptable:to-b" },
		{ "real-sw-ts-responder", "ike.ts_unacceptable:from-a" },
		{ "real-sw-id-initiator", "ike.auth_failed:to-b" },
		{ "real-sw-id-responder", "ike.id_mismatch:192.0.2.1" },
		{ "real-sw-noanswer-initiator", "ike.peer_unreachable:to-b" },
		{ "real-sw-noanswer-responder", "" },
		/* up, then the peer stops answering (its kernel had no ESP: no CHILD_SA either) */
		{ "real-sw-dpd-initiator", "ike.no_proposal:to-b ike.dpd_dead:to-b" },
		/* libreswan 4.10 pairs (initiator A, responder B, connection "tun" on both) */
		{ "real-ls-psk-initiator", "ike.auth_failed:tun" },
		{ "real-ls-psk-responder", "ike.auth_failed:tun" },
		{ "real-ls-prop-initiator", "ike.no_proposal:tun" },
		{ "real-ls-prop-responder", "ike.no_proposal:tun" },
		{ "real-ls-ikeprop-initiator", "ike.no_proposal:tun" }, /* not "no response" */
		{ "real-ls-ikeprop-responder", "ike.no_proposal:tun" },
		{ "real-ls-ts-initiator", "ike.ts_unacceptable:tun" },
		{ "real-ls-ts-responder", "ike.ts_unacceptable:tun" },
		{ "real-ls-unreach-initiator", "ike.peer_unreachable:tun" },
		/* A expects another ID from B: only A can tell; B's IKE SA came up */
		{ "real-ls-id-initiator", "ike.id_mismatch:tun" },
		{ "real-ls-id-responder", "" },
		/* B expects another ID from A: B tells, A hears AUTHENTICATION_FAILED */
		{ "real-ls-idr-initiator", "ike.auth_failed:tun" },
		{ "real-ls-idr-responder", "ike.id_mismatch:tun" },
		/* healthy configuration, B's kernel without ESP: B's own log says the kernel
		 * refused the SA (no finding); pluto answers TS_UNACCEPTABLE, which is all A hears */
		{ "real-ls-ok-initiator", "ike.ts_unacceptable:tun" },
		{ "real-ls-ok-responder", "" },
	};
	char got[512];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct xd_snapshot *s = decode_corpus(cases[i].file);
		struct xd_findings f;
		check(s, &f);
		ike_ids(&f, got, sizeof(got));
		if (strcmp(got, cases[i].want) != 0)
			fail_msg("%s: got \"%s\", want \"%s\"", cases[i].file, got, cases[i].want);
		xd_findings_done(&f);
		xd_snapshot_free(s);
	}
	(void)state;
}

static void test_findings_cleared_and_folded(void **state)
{
	struct xd_snapshot *s = decode_text(
		"# source: /var/log/charon.log stack: strongswan\n"
		/* an auth failure, then the same connection up: cleared */
		"@1796660000 10[IKE] <a|1> received AUTHENTICATION_FAILED notify error\n"
		"@1796660100 10[IKE] <a|2> IKE_SA a[2] established between 10.0.0.1[x]...10.0.0.2[y]\n"
		"@1796660101 10[IKE] <a|2> CHILD_SA net{1} established with SPIs c1(i) c2(o) and TS 1 === 2\n"
		/* three failures of b, none recovered: one finding, count 3, the last words */
		"@1796661000 11[IKE] <b|3> received AUTHENTICATION_FAILED notify error\n"
		"@1796662000 11[IKE] <b|4> received AUTHENTICATION_FAILED notify error\n"
		"@1796663000 11[IKE] <b|5> received AUTHENTICATION_FAILED notify error\n"
		/* a CHILD_SA failure is not cleared by an IKE SA coming up (rekeyed) */
		"@1796664000 12[IKE] <c|6> IKE_SA c[6] established between 10.0.0.1[x]...10.0.0.3[z]\n"
		"@1796664001 12[IKE] <c|6> received TS_UNACCEPTABLE notify, no CHILD_SA built\n"
		"@1796664500 12[IKE] <c|7> IKE_SA c[7] established between 10.0.0.1[x]...10.0.0.3[z]\n");
	struct xd_findings f;
	char got[512];
	const struct xd_finding *x = NULL;

	check(s, &f);
	ike_ids(&f, got, sizeof(got));
	assert_string_equal(got, "ike.auth_failed:b ike.ts_unacceptable:c");
	for (size_t i = 0; i < xd_findings_count(&f); i++)
		if (strcmp(xd_findings_at(&f, i)->def->id, "ike.auth_failed") == 0)
			x = xd_findings_at(&f, i);
	assert_non_null(x);
	assert_int_equal(ev_int(x, "count"), 3);
	assert_int_equal(ev_int(x, "time_s"), 1796663000);
	assert_int_equal(ev_int(x, "first_time_s"), 1796661000);
	assert_string_equal(ev_str(x, "daemon_says"), "received AUTHENTICATION_FAILED notify error");
	assert_string_equal(ev_str(x, "time"), "2026-12-07T17:03:20Z");
	assert_string_equal(ev_str(x, "log"), "/var/log/charon.log");
	xd_findings_done(&f);
	xd_snapshot_free(s);
	(void)state;
}

static void test_findings_healthy(void **state)
{
	/* a model with no log events at all, and one with only up/down events: nothing */
	struct xd_snapshot *s = NULL;
	struct xd_findings f;
	char got[512];

	assert_int_equal(xd_snapshot_new(&s), 0);
	check(s, &f);
	ike_ids(&f, got, sizeof(got));
	assert_string_equal(got, "");
	xd_findings_done(&f);
	xd_snapshot_free(s);

	s = decode_text("# source: journal stack: strongswan\n"
			"@1796660100 10[IKE] <a|2> IKE_SA a[2] established between 10.0.0.1[x]...10.0.0.2[y]\n"
			"@1796660200 10[IKE] <a|2> deleting IKE_SA a[2] between 10.0.0.1[x]...10.0.0.2[y]\n");
	check(s, &f);
	ike_ids(&f, got, sizeof(got));
	assert_string_equal(got, "");
	xd_findings_done(&f);
	xd_snapshot_free(s);
	(void)state;
}

static void test_findings_libreswan_natt(void **state)
{
	struct xd_snapshot *s = decode_text(
		"# source: /var/log/pluto.log stack: libreswan\n"
		"\"lab\" #2: IKE_AUTH response rejected Child SA with TS_UNACCEPTABLE\n"
		"\"dpd\"[1] 203.0.113.5 #9: liveness action - clearing connection\n");
	struct xd_findings f;
	char got[512];

	check(s, &f);
	ike_ids(&f, got, sizeof(got));
	assert_string_equal(got, "ike.ts_unacceptable:lab ike.dpd_dead:dpd");
	xd_findings_done(&f);
	xd_snapshot_free(s);
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_psk),
		cmocka_unit_test(test_real_esp_ts_id),
		cmocka_unit_test(test_real_noanswer),
		cmocka_unit_test(test_no_ike_name),
		cmocka_unit_test(test_syslog_journal),
		cmocka_unit_test(test_libreswan),
		cmocka_unit_test(test_real_libreswan),
		cmocka_unit_test(test_keep),
		cmocka_unit_test(test_findings_real),
		cmocka_unit_test(test_findings_cleared_and_folded),
		cmocka_unit_test(test_findings_healthy),
		cmocka_unit_test(test_findings_libreswan_natt),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
