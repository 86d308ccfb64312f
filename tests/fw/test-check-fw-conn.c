/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-check-fw-conn.c: fw.* findings driven by the IKE daemon's configured connections. A
 * responder waiting for its peer has no SA and no policy yet; when its input chain drops UDP
 * 500 it must be told (the peers of SAs and policies alone named nothing: measured on a
 * strongSwan responder with `udp dport 500 drop`). No finding when no rule touches the packet.
 *
 *   [responder 192.0.2.2] <-- IKE from 192.0.2.1 (conn "gw") or from anyone (conn "road")
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "fw-builder.h"
#include "model-builder.h"
#include "xfrmd/diag.h"
#include "xfrmd/ike.h"

#define RESP "192.0.2.2"
#define INIT "192.0.2.1"
#define INET XD_NFPROTO_INET

static struct xd_findings f;

/* A responder: charon's connection to `remote` loaded, nothing negotiated yet. */
static struct xd_snapshot *responder(const char *remote)
{
	struct xd_snapshot *s = mb_new();
	struct xd_ike *ike = xd_snapshot_ike(s);
	struct xd_ike_conn *c = xd_vec_push(&ike->conns);
	const char **str = xd_vec_push(&ike->strings);

	mb_local(s, "127.0.0.1");
	mb_local(s, RESP);
	*str = remote;
	*c = (struct xd_ike_conn){ .stack = "strongswan", .name = "gw", .remote_addrs_first = 0,
				   .remote_addrs_count = 1 };
	ike->conns_present = ike->sas_present = true;
	s->fw = fwb_new();
	return s;
}

/* inet filter input: accept by policy, `udp dport PORT drop` */
static void drop_udp(struct xd_snapshot *s, uint16_t port)
{
	fwb_chain(s->fw, INET, "filter", "input", XD_HOOK_INPUT, 0, XD_NF_ACCEPT);
	fwb_rule(s->fw, INET, "filter", "input", 7);
	fwb_meta(s->fw, 16, 1);
	fwb_cmp_u8(s->fw, 1, 17);
	fwb_payload(s->fw, 2, 2, 2, 1);
	fwb_cmp_be16(s->fw, 1, port);
	fwb_verdict(s->fw, XD_NF_DROP, NULL);
}

static void run(struct xd_snapshot *s)
{
	struct xd_diag_ctx ctx = { .now = s };

	mb_finish(s);
	xd_diag_opts_default(&ctx.opts);
	xd_findings_init(&f);
	assert_int_equal(xd_diag_run(&ctx, &f), 0);
}

static const struct xd_finding *find(const char *id)
{
	for (size_t i = 0; i < f.items.len; i++)
		if (strcmp(xd_findings_at(&f, i)->def->id, id) == 0)
			return xd_findings_at(&f, i);
	return NULL;
}

static unsigned count_fw(void)
{
	unsigned n = 0;

	for (size_t i = 0; i < f.items.len; i++)
		n += strncmp(xd_findings_at(&f, i)->def->id, "fw.", 3) == 0;
	return n;
}

static void done(struct xd_snapshot *s)
{
	xd_findings_done(&f);
	xd_snapshot_free(s);
}

static void test_configured_peer_ike_dropped(void **st)
{
	struct xd_snapshot *s = responder(INIT);
	const struct xd_finding *x;
	(void)st;

	drop_udp(s, 500);
	run(s);
	x = find("fw.ike_blocked");
	assert_non_null(x);
	assert_int_equal(x->subject.rule_handle, 7);
	assert_string_equal(x->subject.dir, "in");
	assert_string_equal(mb_ev_str(x, "conn"), "gw");
	assert_string_equal(mb_ev_str(x, "remote_addrs"), INIT);
	/* only what the rule touches: NAT-T and ESP pass */
	assert_null(find("fw.natt_blocked"));
	assert_null(find("fw.esp_blocked"));
	done(s);
}

static void test_any_peer_natt_dropped(void **st)
{
	struct xd_snapshot *s = responder("%any");
	const struct xd_finding *x;
	(void)st;

	drop_udp(s, 4500);
	run(s);
	x = find("fw.natt_blocked");
	assert_non_null(x);
	assert_string_equal(mb_ev_str(x, "remote_addrs"), "%any");
	assert_null(find("fw.ike_blocked"));
	done(s);
	/* probed from a representative address: a rule on the source may pass the real peers,
	 * so a warning, not an error */
	s = responder("%any");
	drop_udp(s, 500);
	run(s);
	x = find("fw.ike_blocked");
	assert_non_null(x);
	assert_int_equal(x->severity, XD_SEV_WARNING);
	done(s);
	s = responder(INIT);
	drop_udp(s, 500);
	run(s);
	assert_int_equal(find("fw.ike_blocked")->severity, XD_SEV_ERROR);
	done(s);
}

static void test_no_rule_touches(void **st)
{
	struct xd_snapshot *s;
	(void)st;

	/* a rule set that drops something else */
	s = responder(INIT);
	drop_udp(s, 53);
	run(s);
	assert_int_equal(count_fw(), 0);
	done(s);
	/* no rule set at all: the kernel accepts, nothing to say */
	s = responder("0.0.0.0/0");
	run(s);
	assert_int_equal(count_fw(), 0);
	done(s);
	/* a host name: the daemon resolves it, we do not guess */
	s = responder("gw.example.org");
	drop_udp(s, 500);
	run(s);
	assert_int_equal(count_fw(), 0);
	done(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_configured_peer_ike_dropped),
		cmocka_unit_test(test_any_peer_natt_dropped),
		cmocka_unit_test(test_no_rule_touches),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
