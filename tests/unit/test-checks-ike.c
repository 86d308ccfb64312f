/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-checks-ike.c: the IKE daemon's view against the kernel's (check-ike-kernel.c) and the
 * firewall asked for the configured connections (check-fw.c), on hand-built models. Each
 * finding appears on its fault and is absent on the healthy gateway:
 *
 *   10.1.0.0/16 -- [gw 192.0.2.1] == ESP 0xc0000001 out / 0xc0000002 in == [198.51.100.7]
 *   charon (pid 700), conn "gw", child "net", start_action=start in swanctl.conf
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "model-builder.h"
#include "xfrmd/cert.h"
#include "xfrmd/decode.h"
#include "xfrmd/diag.h"
#include "xfrmd/ike.h"
#include "xfrmd/peers.h"
#include "xfrmd/recbuf.h"
#include "xfrmd/render.h"

#define GW "192.0.2.1"
#define PEER "198.51.100.7"
#define SPI_OUT 0xc0000001u
#define SPI_IN 0xc0000002u

static struct xd_findings f;

static void feed(struct xd_snapshot *s, enum xd_dump d, const char *text)
{
	struct xd_record r = { .kind = XD_RECORD_FILE, .dump = d, .data = text, .len = strlen(text) };

	assert_int_equal(xd_decode_record(s, &r), 0);
}

static struct xd_ike_conn *add_conn(struct xd_snapshot *s, const char *stack, const char *name,
				    const char *child, const char *start)
{
	struct xd_ike *ike = xd_snapshot_ike(s);
	struct xd_ike_conn *c = xd_vec_push(&ike->conns);
	struct xd_cert_conn *cc;

	assert_non_null(c);
	*c = (struct xd_ike_conn){ .stack = stack, .name = name,
				   .child_first = (uint32_t)ike->child_cfgs.len };
	ike->conns_present = ike->sas_present = true;
	if (child) {
		struct xd_ike_child_cfg *k = xd_vec_push(&ike->child_cfgs);
		assert_non_null(k);
		*k = (struct xd_ike_child_cfg){ .name = child, .mode = "TUNNEL" };
		c->child_count = 1;
	}
	if (start) {
		cc = xd_vec_push(&s->certs.conns);
		assert_non_null(cc);
		*cc = (struct xd_cert_conn){ .stack = stack, .name = name, .start = start };
	}
	return c;
}

static struct xd_ike_sa *add_ike_sa(struct xd_snapshot *s, const char *stack, const char *name,
				    const char *state)
{
	struct xd_ike *ike = xd_snapshot_ike(s);
	struct xd_ike_sa *sa = xd_vec_push(&ike->sas);

	assert_non_null(sa);
	*sa = (struct xd_ike_sa){ .stack = stack, .name = name, .state = state, .uniqueid = 1,
				  .local_host = GW, .remote_host = PEER,
				  .child_first = (uint32_t)ike->child_sas.len };
	ike->sas_present = true;
	return sa;
}

/* A CHILD_SA of the most recent IKE SA. */
static void add_child(struct xd_snapshot *s, const char *name, const char *state, uint32_t in,
		      uint32_t out)
{
	struct xd_ike *ike = xd_snapshot_ike(s);
	struct xd_ike_sa *sa = xd_vec_at(&ike->sas, ike->sas.len - 1);
	struct xd_ike_child_sa *c = xd_vec_push(&ike->child_sas);

	assert_non_null(c);
	*c = (struct xd_ike_child_sa){ .name = name, .state = state, .protocol = "ESP",
				       .mode = "TUNNEL", .reqid = 1, .spi_in = in, .spi_out = out };
	sa->child_count++;
}

/* The kernel's half of the tunnel: the SA pair and policies. */
static void kernel_half(struct xd_snapshot *s)
{
	mb_sa(s, GW, PEER, 50, SPI_OUT, 1, 1);
	mb_sa(s, PEER, GW, 50, SPI_IN, 1, 1);
	mb_policy(s, 1, "10.1.0.0/16", "10.2.0.0/16", 383615, 0);
	mb_tmpl(s, GW, PEER, 50, 1, 1);
	mb_policy(s, 0, "10.2.0.0/16", "10.1.0.0/16", 383615, 0);
	mb_tmpl(s, PEER, GW, 50, 1, 1);
}

/* charon runs and answered; the kernel and the daemon agree. */
static struct xd_snapshot *healthy(void)
{
	struct xd_snapshot *s = mb_new();

	mb_local(s, GW);
	feed(s, XD_DUMP_PROCESSES, "pid=700\tbits=64\tcomm=charon\n");
	kernel_half(s);
	add_conn(s, "strongswan", "gw", "net", "start");
	add_ike_sa(s, "strongswan", "gw", "ESTABLISHED");
	add_child(s, "net", "INSTALLED", SPI_IN, SPI_OUT);
	return s;
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

static unsigned count_prefix(const char *prefix)
{
	unsigned n = 0;

	for (size_t i = 0; i < f.items.len; i++)
		n += strncmp(xd_findings_at(&f, i)->def->id, prefix, strlen(prefix)) == 0;
	return n;
}

static void done(struct xd_snapshot *s)
{
	xd_findings_done(&f);
	xd_snapshot_free(s);
}

static void test_healthy_none(void **st)
{
	struct xd_snapshot *s = healthy();
	(void)st;

	run(s);
	assert_int_equal(count_prefix("ike."), 0);
	assert_null(find("fw.ike_blocked"));
	done(s);
}

/* `ip xfrm state flush`: the daemon still reports its CHILD_SA INSTALLED */
static void test_sa_not_in_kernel(void **st)
{
	struct xd_snapshot *s = healthy();
	const struct xd_finding *x;
	(void)st;

	s->sas.len = 0;
	run(s);
	x = find("ike.sa_not_in_kernel");
	assert_non_null(x);
	assert_string_equal(mb_ev_str(x, "missing"), "in,out");
	assert_string_equal(mb_ev_str(x, "conn"), "gw");
	assert_null(find("ike.kernel_sa_unknown"));
	done(s);

	/* only the inbound SA gone */
	s = healthy();
	((struct xd_sa *)xd_vec_at(&s->sas, 1))->spi = 0xdead0001;
	run(s);
	x = find("ike.sa_not_in_kernel");
	assert_non_null(x);
	assert_string_equal(mb_ev_str(x, "missing"), "in");
	done(s);

	/* a kernel SA table not read whole: no claim */
	s = healthy();
	s->sas.len = 0;
	s->meta.dump_status[XD_DUMP_XFRM_SA] = XD_DUMP_INTERRUPTED;
	run(s);
	assert_null(find("ike.sa_not_in_kernel"));
	done(s);
}

/* charon killed -9 and restarted: the kernel keeps the old SAs, the new charon knows none */
static void test_kernel_sa_unknown(void **st)
{
	struct xd_snapshot *s = mb_new();
	const struct xd_finding *x;
	(void)st;

	mb_local(s, GW);
	feed(s, XD_DUMP_PROCESSES, "pid=701\tbits=64\tcomm=charon\n");
	kernel_half(s);
	add_conn(s, "strongswan", "gw", "net", NULL);
	run(s);
	x = find("ike.kernel_sa_unknown");
	assert_non_null(x);
	assert_int_equal(x->more.len + 1, 2); /* both SAs, one aggregated finding */
	assert_null(find("ike.sa_not_in_kernel"));
	done(s);

	/* the daemon's view not read (VICI failed): the SAs may be its own, say nothing */
	s = mb_new();
	mb_local(s, GW);
	feed(s, XD_DUMP_PROCESSES, "pid=701\tbits=64\tcomm=charon\n");
	kernel_half(s);
	s->meta.dump_status[XD_DUMP_IKE_VICI_SAS] = XD_DUMP_ERROR;
	run(s);
	assert_null(find("ike.kernel_sa_unknown"));
	done(s);

	/* a second daemon whose view we cannot read (racoon): no claim either */
	s = mb_new();
	mb_local(s, GW);
	feed(s, XD_DUMP_PROCESSES, "pid=701\tbits=64\tcomm=charon\npid=702\tbits=64\tcomm=racoon\n");
	kernel_half(s);
	add_conn(s, "strongswan", "gw", "net", NULL);
	run(s);
	assert_null(find("ike.kernel_sa_unknown"));
	done(s);

	/* larval ACQUIRE states are nobody's CHILD_SA yet: never reported */
	s = mb_new();
	mb_local(s, GW);
	feed(s, XD_DUMP_PROCESSES, "pid=701\tbits=64\tcomm=charon\n");
	mb_sa(s, GW, PEER, 50, 0, 1, 1);
	add_conn(s, "strongswan", "gw", "net", NULL);
	run(s);
	assert_null(find("ike.kernel_sa_unknown"));
	done(s);

	/* an SPI the daemon reserved (GETSPI) for a CHILD_SA still being negotiated, or whose
	 * install failed: a state with an SPI and no algorithm, which the kernel expires
	 * itself; seen with libreswan 4.10 when the kernel refused the SA */
	s = mb_new();
	mb_local(s, GW);
	feed(s, XD_DUMP_PROCESSES, "pid=701\tbits=64\tcomm=charon\n");
	struct xd_sa *res = mb_sa(s, PEER, GW, 50, 0x2354a2eb, 0, 1);
	res->has &= ~(uint32_t)(XD_SA_HAS_AEAD | XD_SA_HAS_ENC | XD_SA_HAS_AUTH | XD_SA_HAS_COMP);
	add_conn(s, "strongswan", "gw", "net", NULL);
	run(s);
	assert_null(find("ike.kernel_sa_unknown"));
	done(s);
}

static void test_conn_down(void **st)
{
	struct xd_snapshot *s;
	const struct xd_finding *x;
	(void)st;

	/* start_action=start and no IKE SA */
	s = mb_new();
	feed(s, XD_DUMP_PROCESSES, "pid=700\tbits=64\tcomm=charon\n");
	add_conn(s, "strongswan", "gw", "net", "start");
	run(s);
	x = find("ike.conn_down");
	assert_non_null(x);
	assert_string_equal(mb_ev_str(x, "ike_sa"), "none");
	done(s);

	/* the IKE SA is still connecting: down, and the state says how far it got */
	s = mb_new();
	add_conn(s, "strongswan", "gw", "net", "start");
	add_ike_sa(s, "strongswan", "gw", "CONNECTING");
	run(s);
	x = find("ike.conn_down");
	assert_non_null(x);
	assert_string_equal(mb_ev_str(x, "ike_sa"), "CONNECTING");
	done(s);

	/* a trap connection without an IKE SA is idle, not down; add or none neither */
	s = mb_new();
	add_conn(s, "strongswan", "gw", "net", "trap");
	add_conn(s, "strongswan", "road", "host", "none");
	add_conn(s, "libreswan", "added", NULL, "add");
	run(s);
	assert_null(find("ike.conn_down"));
	done(s);

	/* the reverse of policy.tmpl_no_sa: IKE SA up, its only child absent */
	s = mb_new();
	add_conn(s, "strongswan", "gw", "net", NULL);
	add_ike_sa(s, "strongswan", "gw", "ESTABLISHED");
	run(s);
	x = find("ike.conn_down");
	assert_non_null(x);
	assert_string_equal(mb_ev_str(x, "ike_sa"), "ESTABLISHED");
	assert_string_equal(mb_ev_str(x, "child"), "net");
	done(s);

	/* a start action the daemon itself reports (newer strongSwan list-conns) */
	s = mb_new();
	add_conn(s, "strongswan", "gw", "net", NULL);
	((struct xd_ike_child_cfg *)xd_vec_at(&s->ike->child_cfgs, 0))->start_action = "start";
	run(s);
	assert_non_null(find("ike.conn_down"));
	done(s);

	/* libreswan (no child configs: the conn is its child), auto=start, IKE SA without IPsec SA */
	s = mb_new();
	add_conn(s, "libreswan", "west-east", NULL, "start");
	add_ike_sa(s, "libreswan", "west-east", "ESTABLISHED");
	run(s);
	assert_non_null(find("ike.conn_down"));
	done(s);
	s = mb_new();
	add_conn(s, "libreswan", "west-east", NULL, "start");
	add_ike_sa(s, "libreswan", "west-east", "ESTABLISHED");
	add_child(s, "west-east", "INSTALLED", 0, 0);
	run(s);
	assert_null(find("ike.conn_down"));
	done(s);
}

/* libreswan's SAs in the generic model are correlated the same way */
static void test_libreswan_generic(void **st)
{
	struct xd_snapshot *s = mb_new();
	const struct xd_finding *x;
	(void)st;

	mb_local(s, GW);
	feed(s, XD_DUMP_PROCESSES, "pid=800\tbits=64\tcomm=pluto\n");
	mb_sa(s, GW, PEER, 50, SPI_OUT, 1, 1);
	add_conn(s, "libreswan", "west-east", NULL, "start");
	add_ike_sa(s, "libreswan", "west-east", "ESTABLISHED");
	add_child(s, "west-east", "INSTALLED", SPI_IN, SPI_OUT);
	run(s);
	x = find("ike.sa_not_in_kernel");
	assert_non_null(x);
	assert_string_equal(mb_ev_str(x, "stack"), "libreswan");
	assert_string_equal(mb_ev_str(x, "missing"), "in");
	assert_null(find("ike.conn_down"));
	done(s);
}

static void test_unreachable_control(void **st)
{
	struct xd_snapshot *s;
	const struct xd_finding *x;
	(void)st;

	/* charon runs, its VICI socket is missing */
	s = mb_new();
	feed(s, XD_DUMP_PROCESSES, "pid=700\tbits=64\tcomm=charon\n");
	s->meta.dump_status[XD_DUMP_IKE_VICI_CONNS] = XD_DUMP_ERROR;
	s->meta.dump_error[XD_DUMP_IKE_VICI_CONNS] = -2;
	s->meta.dump_status[XD_DUMP_IKE_VICI_SAS] = XD_DUMP_ERROR;
	run(s);
	x = find("ike.unreachable_control");
	assert_non_null(x);
	assert_string_equal(mb_ev_str(x, "dump"), "ike.vici_conns");
	assert_null(find("tool.dump_failed"));
	done(s);

	/* a socket this process may not open (xfrmd's unprivileged user, a root-only socket):
	 * the tool's permission, not a silent IKE daemon */
	s = mb_new();
	feed(s, XD_DUMP_PROCESSES, "pid=700\tbits=64\tcomm=charon\n");
	s->meta.dump_status[XD_DUMP_IKE_VICI_CONNS] = XD_DUMP_DENIED;
	s->meta.dump_error[XD_DUMP_IKE_VICI_CONNS] = -13;
	s->meta.dump_status[XD_DUMP_IKE_VICI_SAS] = XD_DUMP_DENIED;
	s->meta.dump_error[XD_DUMP_IKE_VICI_SAS] = -13;
	run(s);
	assert_null(find("ike.unreachable_control"));
	x = find("tool.permission_denied");
	assert_non_null(x);
	assert_string_equal(mb_ev_str(x, "status"), "denied");
	done(s);

	/* not asked (the daemon's resync leaves VICI alone), or no daemon: nothing */
	s = mb_new();
	feed(s, XD_DUMP_PROCESSES, "pid=700\tbits=64\tcomm=charon\n");
	s->meta.dump_status[XD_DUMP_IKE_VICI_CONNS] = XD_DUMP_NOT_COLLECTED;
	s->meta.dump_status[XD_DUMP_IKE_VICI_SAS] = XD_DUMP_NOT_COLLECTED;
	run(s);
	assert_null(find("ike.unreachable_control"));
	done(s);
	s = mb_new();
	feed(s, XD_DUMP_PROCESSES, "pid=9\tbits=64\tcomm=sshd\n");
	s->meta.dump_status[XD_DUMP_IKE_VICI_CONNS] = XD_DUMP_ERROR;
	run(s);
	assert_null(find("ike.unreachable_control"));
	done(s);
}

/* `peers` gains the daemon's word on each peer; a peer only the daemon names gets a row */
static void test_peers_ike_column(void **st)
{
	struct xd_snapshot *s = healthy();
	const struct xd_peer_row *r;
	struct xd_vec rows;
	(void)st;

	run(s);
	assert_int_equal(xd_peers_build(s, &f, &rows), 0);
	assert_int_equal(rows.len, 1);
	r = xd_vec_at(&rows, 0);
	assert_string_equal(r->ike_state, "ESTABLISHED");
	assert_string_equal(r->ike_conn, "gw");
	xd_peers_free(&rows);
	done(s);

	/* IKE SA up, no CHILD_SA, nothing in the kernel: a row, down, IKE established */
	s = mb_new();
	mb_local(s, GW);
	add_conn(s, "strongswan", "gw", "net", NULL);
	add_ike_sa(s, "strongswan", "gw", "ESTABLISHED");
	run(s);
	assert_int_equal(xd_peers_build(s, &f, &rows), 0);
	assert_int_equal(rows.len, 1);
	r = xd_vec_at(&rows, 0);
	assert_int_equal(r->state, XD_PEER_DOWN);
	assert_string_equal(r->ike_state, "ESTABLISHED");
	xd_peers_free(&rows);
	done(s);

	/* no daemon's view: no IKE column value */
	s = mb_new();
	mb_local(s, GW);
	kernel_half(s);
	run(s);
	assert_int_equal(xd_peers_build(s, &f, &rows), 0);
	assert_null(((const struct xd_peer_row *)xd_vec_at(&rows, 0))->ike_state);
	xd_peers_free(&rows);
	done(s);
}

static void test_metrics_ike_sa_up(void **st)
{
	struct xd_snapshot *s = healthy();
	char *buf = NULL;
	size_t len = 0;
	FILE *m;
	(void)st;

	add_conn(s, "strongswan", "road", "host", NULL);
	run(s);
	m = open_memstream(&buf, &len);
	assert_non_null(m);
	assert_int_equal(xd_render_prom(m, s, &f, NULL, NULL), 0);
	fclose(m);
	assert_non_null(strstr(buf, "xfrmd_ike_sa_up{conn=\"gw\",stack=\"strongswan\"} 1\n"));
	assert_non_null(strstr(buf, "xfrmd_ike_sa_up{conn=\"road\",stack=\"strongswan\"} 0\n"));
	free(buf);
	done(s);
}

/* A sample's log window, decoded as the daemon would (NULL text: no log view read). */
static struct xd_snapshot *log_sample(const char *text)
{
	struct xd_snapshot *s = NULL;

	assert_int_equal(xd_snapshot_new(&s), 0);
	s->meta.captured_at = 1796673600;
	if (text)
		assert_int_equal(xd_decode_ikelog(s, text, strlen(text)), 0);
	return s;
}

#define LS_HDR "# source: /var/log/pluto.log stack: libreswan\n"
#define LS_FAIL(t, n) "Dec  7 19:0" t ".000001: \"tun\" #" n ": authentication failed: computed " \
	"hash does not match hash received from peer ID_FQDN '@gw-a.example'\n"

/* xfrmd_ike_failures_total: each logged failure once, across samples of a sliding window */
static void test_metrics_ike_failures(void **st)
{
	static const struct {
		const char *text; /* NULL: a sample without a log view */
		uint64_t auth, unreach;
	} steps[] = {
		{ LS_HDR LS_FAIL("1", "1") LS_FAIL("2", "2"), 2, 0 },
		{ LS_HDR LS_FAIL("1", "1") LS_FAIL("2", "2"), 2, 0 }, /* the same window again */
		{ NULL, 2, 0 },
		/* the window slid: #1 left it, #3 and a retransmit timeout came */
		{ LS_HDR LS_FAIL("2", "2") LS_FAIL("3", "3")
		  "Dec  7 19:04:00.000001: \"tun\" #4: STATE_V2_PARENT_I1: 4 second timeout exceeded "
		  "after 4 retransmits.  No response (or no acceptable response) to our first IKEv2 "
		  "message\n", 3, 1 },
		/* the same words at the same time, logged twice: both count */
		{ LS_HDR LS_FAIL("2", "2") LS_FAIL("3", "3") LS_FAIL("3", "3"), 4, 1 },
	};
	struct xd_ike_failures tally;
	char *buf = NULL;
	size_t len = 0;
	FILE *m;
	(void)st;

	xd_ike_failures_init(&tally);
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		struct xd_snapshot *s = log_sample(steps[i].text);
		assert_int_equal(xd_ike_failures_update(&tally, s), 0);
		if (tally.total[XD_IKE_EV_AUTH_FAILED] != steps[i].auth ||
		    tally.total[XD_IKE_EV_PEER_UNREACHABLE] != steps[i].unreach)
			fail_msg("step %zu: auth %llu unreach %llu", i,
				 (unsigned long long)tally.total[XD_IKE_EV_AUTH_FAILED],
				 (unsigned long long)tally.total[XD_IKE_EV_PEER_UNREACHABLE]);
		xd_snapshot_free(s);
	}

	struct xd_snapshot *s = healthy();
	struct xd_prom_daemon pd = { .ike_failures = &tally };
	run(s);
	m = open_memstream(&buf, &len);
	assert_non_null(m);
	assert_int_equal(xd_render_prom(m, s, &f, NULL, &pd), 0);
	fclose(m);
	assert_non_null(strstr(buf, "# TYPE xfrmd_ike_failures_total counter\n"));
	assert_non_null(strstr(buf, "xfrmd_ike_failures_total{class=\"auth_failed\"} 4\n"));
	assert_non_null(strstr(buf, "xfrmd_ike_failures_total{class=\"peer_unreachable\"} 1\n"));
	assert_non_null(strstr(buf, "xfrmd_ike_failures_total{class=\"dpd_dead\"} 0\n"));
	assert_null(strstr(buf, "class=\"ike_up\""));
	free(buf);
	done(s);

	/* a daemon that never read a log view: no series at all */
	xd_ike_failures_done(&tally);
	xd_ike_failures_init(&tally);
	s = healthy();
	run(s);
	buf = NULL;
	m = open_memstream(&buf, &len);
	assert_int_equal(xd_render_prom(m, s, &f, NULL, &pd), 0);
	fclose(m);
	assert_null(strstr(buf, "xfrmd_ike_failures_total"));
	free(buf);
	done(s);
	xd_ike_failures_done(&tally);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_healthy_none),
		cmocka_unit_test(test_sa_not_in_kernel),
		cmocka_unit_test(test_kernel_sa_unknown),
		cmocka_unit_test(test_conn_down),
		cmocka_unit_test(test_libreswan_generic),
		cmocka_unit_test(test_unreachable_control),
		cmocka_unit_test(test_peers_ike_column),
		cmocka_unit_test(test_metrics_ike_sa_up),
		cmocka_unit_test(test_metrics_ike_failures),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
