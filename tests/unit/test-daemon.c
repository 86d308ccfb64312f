/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-daemon.c: the daemon's pure parts without a kernel: the control request parser, the
 * collector framing (round trip and refusals), the findings lifecycle on hand-built
 * snapshots, per-tunnel counters across rekeys, the configuration parser, and the control
 * socket's client handling (a loop driven by hand, with a handler that answers big documents).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "config.h"
#include "control.h"
#include "frame.h"
#include "lifecycle.h"
#include "model-builder.h"
#include "request.h"
#include "xfrmd/diag.h"
#include "xfrmd/recbuf.h"
#include "xfrmd/render.h"
#include "xfrmd/tunnels.h"

/* ---- request parser ---- */

static int parse(const char *s, struct xd_request *req)
{
	const char *why = NULL;
	int r = xd_request_parse(s, strlen(s), req, &why);

	if (r < 0)
		assert_non_null(why); /* every refusal carries a reason for the error reply */
	return r;
}

static void test_request_valid(void **state)
{
	struct xd_request req;

	assert_int_equal(parse("{\"command\":\"status\"}", &req), 0);
	assert_int_equal(req.cmd, XD_REQ_STATUS);
	assert_int_equal(parse(" {\"command\":\"watch\"}\n", &req), 0);
	assert_int_equal(req.cmd, XD_REQ_WATCH);
	assert_int_equal(parse("{\"command\":\"show\",\"sections\":[\"sa\",\"stats\"]}", &req), 0);
	assert_int_equal(req.cmd, XD_REQ_SHOW);
	assert_int_equal(req.what, XD_RENDER_SA | XD_RENDER_STATS);
	assert_int_equal(parse("{\"command\":\"show\"}", &req), 0);
	assert_int_equal(req.what, XD_RENDER_SA | XD_RENDER_POLICY | XD_RENDER_STATS);
	for (int c = 0; c < _XD_REQ_MAX; c++) {
		char buf[64];
		snprintf(buf, sizeof(buf), "{\"command\":\"%s\"}", xd_request_name(c));
		assert_int_equal(parse(buf, &req), 0);
		assert_int_equal(req.cmd, c);
	}
}

static void test_request_invalid(void **state)
{
	struct xd_request req;
	const char *why;
	char *big;

	assert_int_equal(parse("", &req), -EBADMSG);
	assert_int_equal(parse("{", &req), -EBADMSG);
	assert_int_equal(parse("{\"command\":\"status\"} x", &req), -EBADMSG);
	assert_int_equal(parse("{\"command\":\"status\"}{}", &req), -EBADMSG);
	assert_int_equal(parse("[\"status\"]", &req), -EINVAL);
	assert_int_equal(parse("\"status\"", &req), -EINVAL);
	assert_int_equal(parse("{\"command\":1}", &req), -EINVAL);
	assert_int_equal(parse("{}", &req), -EINVAL);
	assert_int_equal(parse("{\"command\":\"status\",\"extra\":1}", &req), -EINVAL);
	assert_int_equal(parse("{\"command\":\"reboot\"}", &req), -EOPNOTSUPP);
	assert_int_equal(parse("{\"command\":\"status\",\"sections\":[\"sa\"]}", &req), -EINVAL);
	assert_int_equal(parse("{\"command\":\"show\",\"sections\":[\"keys\"]}", &req), -EINVAL);
	assert_int_equal(parse("{\"command\":\"show\",\"sections\":[]}", &req), -EINVAL);
	assert_int_equal(parse("{\"command\":\"show\",\"sections\":\"sa\"}", &req), -EINVAL);
	assert_int_equal(parse("{\"command\":\"show\",\"sections\":[1]}", &req), -EINVAL);
	assert_int_equal(parse("{\"command\":\"show\",\"sections\":[[[[[\"sa\"]]]]]}", &req), -EBADMSG);
	/* NUL inside the message */
	assert_int_equal(xd_request_parse("{\"command\":\"status\"}\0", 21, &req, &why), -EBADMSG);
	big = malloc(XD_REQUEST_MAX_BYTES + 2);
	memset(big, ' ', XD_REQUEST_MAX_BYTES + 1);
	memcpy(big, "{\"command\":\"status\"}", 20);
	assert_int_equal(xd_request_parse(big, XD_REQUEST_MAX_BYTES + 1, &req, &why), -EMSGSIZE);
	assert_int_equal(xd_request_parse(big, XD_REQUEST_MAX_BYTES, &req, &why), 0);
	free(big);
}

/* ---- framing ---- */

static size_t frame(uint8_t *buf, size_t size, uint16_t type, uint32_t seq, uint16_t dump,
		    const void *payload, uint32_t len)
{
	struct xd_frame_hdr h = { .type = type, .seq = seq, .dump = dump, .len = len };
	int n;

	if (type == XD_FRAME_RECORD) {
		h.kind = xd_dump_kind(dump);
		h.nl_proto = h.kind == XD_RECORD_NETLINK ? (uint16_t)xd_dump_nl_proto(dump) : 0;
	}
	n = xd_frame_build(buf, size, &h, payload);
	assert_true(n > 0);
	return (size_t)n;
}

static void test_frame_roundtrip(void **state)
{
	static uint8_t buf[4096];
	struct xd_frame_rx rx;
	struct xd_frame_rx_out out = { 0 };
	struct xd_meta meta = { .source = XD_SOURCE_LIVE, .tool = "t" };
	struct xd_kevent ev = { .type = XD_KEV_POLICY_DELETED, .index = 42 };
	const char stat[] = "XfrmInNoStates 3\n";
	size_t n;

	xd_frame_rx_init(&rx);
	meta.dump_status[XD_DUMP_XFRM_STAT] = XD_DUMP_COMPLETE;
	n = frame(buf, sizeof(buf), XD_FRAME_BEGIN, 7, 0, NULL, 0);
	assert_int_equal(xd_frame_rx_feed(&rx, buf, n, &out), XD_RX_NONE);
	/* an event in the middle of a resync does not disturb it */
	n = frame(buf, sizeof(buf), XD_FRAME_EVENT, 0, 0, &ev, sizeof(ev));
	assert_int_equal(xd_frame_rx_feed(&rx, buf, n, &out), XD_RX_EVENT);
	assert_int_equal(out.event.index, 42);
	n = frame(buf, sizeof(buf), XD_FRAME_RECORD, 7, XD_DUMP_XFRM_STAT, stat, sizeof(stat) - 1);
	assert_int_equal(xd_frame_rx_feed(&rx, buf, n, &out), XD_RX_NONE);
	n = frame(buf, sizeof(buf), XD_FRAME_META, 7, 0, &meta, sizeof(meta));
	assert_int_equal(xd_frame_rx_feed(&rx, buf, n, &out), XD_RX_NONE);
	n = frame(buf, sizeof(buf), XD_FRAME_END, 7, 0, NULL, 0);
	assert_int_equal(xd_frame_rx_feed(&rx, buf, n, &out), XD_RX_COMPLETE);
	assert_int_equal(out.seq, 7);
	assert_non_null(out.buf);
	assert_int_equal(xd_recbuf_count(out.buf), 1);
	assert_string_equal(xd_recbuf_meta_const(out.buf)->tool, "t");
	assert_int_equal(xd_recbuf_meta_const(out.buf)->dump_status[XD_DUMP_XFRM_STAT],
			 XD_DUMP_COMPLETE);
	xd_recbuf_free(out.buf);
	xd_frame_rx_done(&rx);
}

static void test_frame_refusals(void **state)
{
	static uint8_t buf[4096];
	struct xd_frame_rx rx;
	struct xd_frame_rx_out out = { 0 };
	struct xd_meta meta = { 0 };
	struct xd_frame_hdr h;
	const void *p;
	size_t n;

	xd_frame_rx_init(&rx);
	/* too short, bad magic, length mismatch, unknown type */
	assert_int_equal(xd_frame_parse(buf, 3, &h, &p), -EBADMSG);
	n = frame(buf, sizeof(buf), XD_FRAME_BEGIN, 1, 0, NULL, 0);
	buf[0] ^= 0xff;
	assert_int_equal(xd_frame_rx_feed(&rx, buf, n, &out), -EBADMSG);
	n = frame(buf, sizeof(buf), XD_FRAME_BEGIN, 1, 0, NULL, 0);
	assert_int_equal(xd_frame_parse(buf, n + 1, &h, &p), -EBADMSG);
	((struct xd_frame_hdr *)buf)->type = 99;
	assert_int_equal(xd_frame_parse(buf, n, &h, &p), -EBADMSG);
	/* a record outside a resync, a record of an unknown dump, a wrong-sized META */
	n = frame(buf, sizeof(buf), XD_FRAME_RECORD, 1, XD_DUMP_UNAME, "x", 1);
	assert_int_equal(xd_frame_rx_feed(&rx, buf, n, &out), -EBADMSG);
	n = frame(buf, sizeof(buf), XD_FRAME_BEGIN, 2, 0, NULL, 0);
	assert_int_equal(xd_frame_rx_feed(&rx, buf, n, &out), XD_RX_NONE);
	n = frame(buf, sizeof(buf), XD_FRAME_RECORD, 2, XD_DUMP_UNAME, "x", 1);
	((struct xd_frame_hdr *)buf)->dump = _XD_DUMP_MAX;
	assert_int_equal(xd_frame_rx_feed(&rx, buf, n, &out), -EBADMSG);
	/* the failed frame dropped the resync: END without BEGIN is refused */
	n = frame(buf, sizeof(buf), XD_FRAME_END, 2, 0, NULL, 0);
	assert_int_equal(xd_frame_rx_feed(&rx, buf, n, &out), -EBADMSG);
	/* END without META, META with an out-of-range status */
	n = frame(buf, sizeof(buf), XD_FRAME_BEGIN, 3, 0, NULL, 0);
	assert_int_equal(xd_frame_rx_feed(&rx, buf, n, &out), XD_RX_NONE);
	meta.dump_status[0] = 1000;
	n = frame(buf, sizeof(buf), XD_FRAME_META, 3, 0, &meta, sizeof(meta));
	assert_int_equal(xd_frame_rx_feed(&rx, buf, n, &out), -EBADMSG);
	n = frame(buf, sizeof(buf), XD_FRAME_BEGIN, 4, 0, NULL, 0);
	assert_int_equal(xd_frame_rx_feed(&rx, buf, n, &out), XD_RX_NONE);
	n = frame(buf, sizeof(buf), XD_FRAME_END, 4, 0, NULL, 0);
	assert_int_equal(xd_frame_rx_feed(&rx, buf, n, &out), -EBADMSG);
	/* RESYNC is a command, never a collector frame; unknown event type refused */
	n = frame(buf, sizeof(buf), XD_FRAME_RESYNC, 5, 0, NULL, 0);
	assert_int_equal(xd_frame_rx_feed(&rx, buf, n, &out), -EBADMSG);
	{
		struct xd_kevent ev = { .type = 999 };
		n = frame(buf, sizeof(buf), XD_FRAME_EVENT, 0, 0, &ev, sizeof(ev));
		assert_int_equal(xd_frame_rx_feed(&rx, buf, n, &out), -EBADMSG);
	}
	/* payload larger than allowed cannot even be built */
	h = (struct xd_frame_hdr){ .type = XD_FRAME_RECORD, .len = XD_FRAME_MAX_PAYLOAD + 1 };
	assert_int_equal(xd_frame_build(buf, sizeof(buf), &h, buf), -EMSGSIZE);
	assert_true(rx.bad_frames >= 7);
	xd_frame_rx_done(&rx);
}

/* ---- findings lifecycle ---- */

struct events {
	int raised, cleared;
	char last[128];
	int64_t last_raised_at;
};

static void on_change(void *ud, bool raised, const struct xd_active_finding *a, int64_t at)
{
	struct events *e = ud;

	if (raised)
		e->raised++;
	else
		e->cleared++;
	snprintf(e->last, sizeof(e->last), "%s", a->id);
	e->last_raised_at = a->raised_at;
}

/* Identity comes from the subject the model holds, not from rendered text: the same subject
 * with another summary is the same finding; a field that differs, or free text that would
 * run into the next field, makes another one. */
static void test_finding_identity(void **state)
{
	static const struct xd_finding_def def = { "test.one", XD_SEV_WARNING, "t", "r", 0 };
	struct xd_findings f;
	struct xd_addr l = { 0 }, p = { 0 };
	char *k[4] = { 0 };

	(void)state;
	inet_pton(AF_INET, "192.0.2.1", l.b);
	inet_pton(AF_INET, "198.51.100.7", p.b);
	xd_findings_init(&f);
	for (int i = 0; i < 4; i++) {
		struct xd_finding *x = xd_finding_add(&f, &def, i == 1 ? "other words" : "words");
		assert_non_null(x);
		xd_finding_peer(x, AF_INET, &l, &p);
		xd_finding_spi(x, i == 2 ? 0x2222 : 0x1111, IPPROTO_ESP);
		if (i == 3)
			xd_finding_rule(x, "a/b", "c", 1);
		assert_int_equal(xd_finding_identity(x, &k[i]), 0);
	}
	assert_string_equal(k[0], "test.one|local=192.0.2.1|peer=198.51.100.7|spi=4369|proto=50");
	assert_string_equal(k[0], k[1]);
	assert_string_not_equal(k[0], k[2]);
	assert_string_equal(k[3], "test.one|local=192.0.2.1|peer=198.51.100.7|spi=4369|proto=50"
				  "|rule=3:a/b/1:c/1");
	for (int i = 0; i < 4; i++)
		free(k[i]);
	xd_findings_done(&f);
}

static struct xd_snapshot *gateway(bool with_in)
{
	struct xd_snapshot *s = mb_new();

	mb_local(s, "192.0.2.1");
	mb_policy(s, 1, "10.1.0.0/16", "10.2.0.0/16", 100, 0);
	mb_tmpl(s, "192.0.2.1", "198.51.100.7", 50, 1, 1);
	if (with_in) {
		mb_policy(s, 0, "10.2.0.0/16", "10.1.0.0/16", 100, 0);
		mb_tmpl(s, "198.51.100.7", "192.0.2.1", 50, 1, 1);
	}
	mb_finish(s);
	return s;
}

static bool has_id(const struct xd_lifecycle *l, const char *id)
{
	for (size_t i = 0; i < l->active.len; i++)
		if (!strcmp(((const struct xd_active_finding *)xd_vec_at(&l->active, i))->id, id))
			return true;
	return false;
}

static void diagnose(struct xd_snapshot *s, struct xd_findings *f)
{
	struct xd_diag_ctx ctx = { .now = s };

	xd_diag_opts_default(&ctx.opts);
	xd_findings_init(f);
	assert_int_equal(xd_diag_run(&ctx, f), 0);
}

static void test_lifecycle_raise_keep_clear(void **state)
{
	struct xd_lifecycle l;
	struct events ev = { 0 };
	struct xd_findings f;
	struct xd_snapshot *s;
	size_t n;

	xd_lifecycle_init(&l);
	s = gateway(true);
	diagnose(s, &f);
	assert_int_equal(xd_lifecycle_update(&l, &f, 1000, on_change, &ev), 0);
	assert_false(has_id(&l, "policy.missing_partner"));
	n = l.active.len;
	xd_findings_done(&f);
	xd_snapshot_free(s);

	/* the in policy disappears: missing_partner raised at t=2000 */
	ev = (struct events){ 0 };
	s = gateway(false);
	diagnose(s, &f);
	assert_int_equal(xd_lifecycle_update(&l, &f, 2000, on_change, &ev), 0);
	assert_true(has_id(&l, "policy.missing_partner"));
	assert_true(ev.raised >= 1);
	/* the same diagnosis again: nothing new, raised_at kept */
	ev = (struct events){ 0 };
	assert_int_equal(xd_lifecycle_update(&l, &f, 3000, on_change, &ev), 0);
	assert_int_equal(ev.raised, 0);
	assert_int_equal(ev.cleared, 0);
	for (size_t i = 0; i < l.active.len; i++) {
		const struct xd_active_finding *a = xd_vec_at(&l.active, i);
		if (!strcmp(a->id, "policy.missing_partner"))
			assert_int_equal(a->raised_at, 2000);
	}
	xd_findings_done(&f);
	xd_snapshot_free(s);

	/* it comes back: cleared, with the time it was raised */
	ev = (struct events){ 0 };
	s = gateway(true);
	diagnose(s, &f);
	assert_int_equal(xd_lifecycle_update(&l, &f, 4000, on_change, &ev), 0);
	assert_false(has_id(&l, "policy.missing_partner"));
	assert_true(ev.cleared >= 1);
	assert_int_equal(l.active.len, n);
	xd_findings_done(&f);
	xd_snapshot_free(s);

	/* an empty diagnosis clears everything */
	xd_findings_init(&f);
	assert_int_equal(xd_lifecycle_update(&l, &f, 5000, NULL, NULL), 0);
	assert_int_equal(l.active.len, 0);
	assert_int_equal(l.raised, l.cleared);
	xd_findings_done(&f);
	xd_lifecycle_done(&l);
}

/* An aggregated finding is the same finding while its subjects change: raised with the
 * first, kept (same raised_at, new count) as others come and go, cleared with the last. */
static void aggregated(struct xd_findings *f, const uint32_t *policies, size_t n)
{
	const struct xd_finding_def *def = xd_finding_def_find("policy.tmpl_no_sa");

	assert_non_null(def);
	assert_true(def->flags & XD_DEF_AGGREGATE);
	xd_findings_init(f);
	for (size_t i = 0; i < n; i++) {
		struct xd_finding *x = xd_finding_add(f, def, "out policy %u", policies[i]);
		xd_finding_policy(x, policies[i], "out");
		xd_finding_set_severity(x, XD_SEV_INFO);
	}
	xd_findings_sort(f);
	assert_int_equal(f->items.len, n ? 1 : 0);
}

static void test_lifecycle_aggregate_identity(void **state)
{
	static const uint32_t one[] = { 9 }, three[] = { 9, 17, 25 }, other[] = { 25 };
	struct xd_lifecycle l;
	struct events ev = { 0 };
	struct xd_findings f;
	struct json_object *cnt;

	xd_lifecycle_init(&l);
	aggregated(&f, one, 1);
	assert_int_equal(xd_lifecycle_update(&l, &f, 1000, on_change, &ev), 0);
	assert_int_equal(ev.raised, 1);
	xd_findings_done(&f);

	ev = (struct events){ 0 };
	aggregated(&f, three, 3);
	assert_int_equal(xd_lifecycle_update(&l, &f, 2000, on_change, &ev), 0);
	assert_int_equal(ev.raised + ev.cleared, 0);
	assert_int_equal(l.active.len, 1);
	const struct xd_active_finding *a = xd_vec_at(&l.active, 0);
	assert_int_equal(a->raised_at, 1000);
	assert_true(json_object_object_get_ex(a->json, "count", &cnt)); /* the details follow */
	assert_int_equal(json_object_get_int(cnt), 3);
	xd_findings_done(&f);

	ev = (struct events){ 0 };
	aggregated(&f, other, 1); /* another single subject: still the same finding */
	assert_int_equal(xd_lifecycle_update(&l, &f, 3000, on_change, &ev), 0);
	assert_int_equal(ev.raised + ev.cleared, 0);
	xd_findings_done(&f);

	ev = (struct events){ 0 };
	aggregated(&f, NULL, 0);
	assert_int_equal(xd_lifecycle_update(&l, &f, 4000, on_change, &ev), 0);
	assert_int_equal(ev.cleared, 1);
	assert_int_equal(ev.last_raised_at, 1000);
	xd_findings_done(&f);
	xd_lifecycle_done(&l);
}

/* ---- per-tunnel counters ---- */

static struct xd_snapshot *traffic(uint32_t out_spi, uint64_t out_bytes, uint32_t in_spi,
				   uint64_t in_bytes, uint64_t add_time)
{
	struct xd_snapshot *s = mb_new();
	struct xd_sa *sa;

	mb_local(s, "192.0.2.1");
	if (out_spi) {
		sa = mb_sa(s, "192.0.2.1", "198.51.100.7", 50, out_spi, 5, 1);
		sa->curlft.bytes = out_bytes;
		sa->curlft.packets = out_bytes / 100;
		sa->curlft.add_time = add_time;
	}
	if (in_spi) {
		sa = mb_sa(s, "198.51.100.7", "192.0.2.1", 50, in_spi, 5, 1);
		sa->curlft.bytes = in_bytes;
		sa->curlft.packets = in_bytes / 100;
		sa->curlft.add_time = add_time;
	}
	mb_finish(s);
	return s;
}

static const struct xd_tunnel *tunnel(const struct xd_tunnels *t, uint8_t dir)
{
	for (size_t i = 0; i < xd_tunnels_count(t); i++)
		if (xd_tunnels_at(t, i)->dir == dir)
			return xd_tunnels_at(t, i);
	return NULL;
}

static void step(struct xd_tunnels *t, struct xd_snapshot *s)
{
	assert_int_equal(xd_tunnels_update(t, s), 0);
	xd_snapshot_free(s);
}

static void test_tunnels_survive_rekeys(void **state)
{
	struct xd_tunnels t;

	xd_tunnels_init(&t);
	step(&t, traffic(0x1001, 1000, 0x2001, 500, 100));
	assert_int_equal(tunnel(&t, XD_TUNNEL_OUT)->bytes, 1000);
	assert_int_equal(tunnel(&t, XD_TUNNEL_IN)->bytes, 500);
	assert_int_equal(tunnel(&t, XD_TUNNEL_OUT)->reqid, 5);

	step(&t, traffic(0x1001, 1600, 0x2001, 700, 100));
	assert_int_equal(tunnel(&t, XD_TUNNEL_OUT)->bytes, 1600);
	assert_int_equal(tunnel(&t, XD_TUNNEL_IN)->packets, 7);

	/* rekey: new SPIs start from zero; their traffic adds to the totals */
	step(&t, traffic(0x1002, 300, 0x2002, 100, 200));
	assert_int_equal(tunnel(&t, XD_TUNNEL_OUT)->bytes, 1900);
	assert_int_equal(tunnel(&t, XD_TUNNEL_IN)->bytes, 800);
	assert_int_equal(tunnel(&t, XD_TUNNEL_OUT)->rekeys, 1);

	/* the tunnel goes down: totals stay, no SA */
	step(&t, traffic(0, 0, 0, 0, 0));
	assert_int_equal(tunnel(&t, XD_TUNNEL_OUT)->bytes, 1900);
	assert_int_equal(tunnel(&t, XD_TUNNEL_OUT)->sas, 0);

	/* same SPI reinstalled (add_time differs) with lower counters: a new SA, never negative */
	step(&t, traffic(0x1002, 50, 0x2002, 10, 300));
	assert_int_equal(tunnel(&t, XD_TUNNEL_OUT)->bytes, 1950);
	assert_int_equal(tunnel(&t, XD_TUNNEL_IN)->bytes, 810);
	assert_int_equal(xd_tunnels_count(&t), 2);

	/* without SAs for XD_TUNNEL_RETAIN_S: forgotten, the table stays bounded */
	{
		struct xd_snapshot *s = traffic(0, 0, 0, 0, 0);
		s->meta.captured_at += XD_TUNNEL_RETAIN_S - 1;
		assert_int_equal(xd_tunnels_update(&t, s), 0);
		assert_int_equal(xd_tunnels_count(&t), 2);
		s->meta.captured_at += 1;
		assert_int_equal(xd_tunnels_update(&t, s), 0);
		assert_int_equal(xd_tunnels_count(&t), 0);
		xd_snapshot_free(s);
	}
	xd_tunnels_done(&t);
}

static void test_prom_renders_tunnels_and_stats(void **state)
{
	struct xd_tunnels t;
	struct xd_snapshot *s = traffic(0x1001, 1000, 0x2001, 500, 100);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	mb_counter(s, "XfrmInNoStates", 4);
	xd_tunnels_init(&t);
	assert_int_equal(xd_tunnels_update(&t, s), 0);
	assert_int_equal(xd_render_prom(f, s, NULL, &t, NULL), 0);
	fclose(f);
	assert_non_null(strstr(buf, "xfrmd_tunnel_bytes_total{peer=\"198.51.100.7\",local=\"192.0.2.1\",reqid=\"5\",direction=\"out\"} 1000\n"));
	assert_non_null(strstr(buf, "xfrmd_xfrm_stat_total{counter=\"XfrmInNoStates\"} 4\n"));
	assert_non_null(strstr(buf, "xfrmd_sas{direction=\"out\"} 1\n"));
	free(buf);
	xd_tunnels_done(&t);
	xd_snapshot_free(s);
}

/* ---- configuration ---- */

static int conf(const char *text, struct xd_config *c, char *err, size_t errlen)
{
	xd_config_defaults(c);
	err[0] = 0;
	return xd_config_parse(c, text, strlen(text), err, errlen);
}

static void test_config_metrics_listen(void **state)
{
	static const char *const good[] = {
		"127.0.0.1:9687", "127.0.0.2:1", "[::1]:9687", "127.0.0.1:65535",
		"unix:/run/xfrmd/metrics.sock",
	};
	/* each with a word its message must contain, so the operator learns what is wrong */
	static const struct { const char *v, *says; } bad[] = {
		{ "127.0.0.1:99999", "1..65535" }, /* once accepted: getaddrinfo took it */
		{ "127.0.0.1:0", "1..65535" },
		{ ":0", "1..65535" },
		{ "127.0.0.1:65536", "1..65535" },
		{ "127.0.0.1:", "1..65535" },
		{ "127.0.0.1:+80", "1..65535" },
		{ "127.0.0.1: 80", "1..65535" },
		{ "127.0.0.1:0x50", "1..65535" },
		{ "127.0.0.1:http", "1..65535" },
		{ ":9687", "numeric" },
		{ "localhost:9687", "numeric" },
		{ "192.0.2.1:9687", "loopback" },
		{ "[2001:db8::1]:9687", "loopback" },
		{ "::1:9687", "[IPv6]" },
		{ "[::1]9687", "[IPv6]" },
		{ "127.0.0.1", "ADDRESS:PORT" },
		{ "unix:", "absolute" },
		{ "unix:run/metrics.sock", "absolute" },
	};
	struct xd_config c;
	char text[512], err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(text, sizeof(text), "metrics_listen = %s\n", good[i]);
		assert_int_equal(conf(text, &c, err, sizeof(err)), 0);
		assert_string_equal(c.metrics_listen, good[i]);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "# metrics\nmetrics_listen = %s\n", bad[i].v);
		if (conf(text, &c, err, sizeof(err)) != -EINVAL || !strstr(err, "line 2: 'metrics_listen'") ||
		    !strstr(err, bad[i].says))
			fail_msg("metrics_listen = %s: got \"%s\", wanted an error saying %s", bad[i].v,
				 err, bad[i].says);
		assert_string_equal(c.metrics_listen, ""); /* the default is kept */
	}
	snprintf(text, sizeof(text), "metrics_listen = unix:/%0*d\n", 110, 0);
	assert_int_equal(conf(text, &c, err, sizeof(err)), -EINVAL);
	assert_int_equal(conf("metrics_listen = off\n", &c, err, sizeof(err)), 0);
	assert_string_equal(c.metrics_listen, "");
}

static void test_config_user(void **state)
{
	struct xd_config c;
	char err[256];

	(void)state;
	assert_int_equal(conf("", &c, err, sizeof(err)), 0);
	assert_string_equal(c.user, "xfrmd"); /* as User= in the unit */
	assert_int_equal(conf("user = nobody\n", &c, err, sizeof(err)), 0);
	assert_string_equal(c.user, "nobody");
	assert_int_equal(conf("user =\n", &c, err, sizeof(err)), -EINVAL);
	assert_int_equal(conf("user = a/b\n", &c, err, sizeof(err)), -EINVAL);
	assert_int_equal(conf("user = aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n", &c, err, sizeof(err)),
			 -EINVAL);
}

/* Each numeric key lands in its own member, in milliseconds where it is a duration, and a
 * value out of range keeps the default. */
static void test_config_numeric_keys(void **state)
{
	struct xd_config c;
	char err[256];

	(void)state;
	assert_int_equal(conf("sample_interval = 2s\ndebounce = 250ms\nmin_resync_interval = 3\n"
			      "request_timeout = 400ms\nhistory = 7\nmax_clients = 9\n"
			      "client_queue_bytes = 70000\nevent_rcvbuf = 5000\n",
			      &c, err, sizeof(err)),
			 0);
	assert_int_equal(c.sample_interval_ms, 2000);
	assert_int_equal(c.debounce_ms, 250);
	assert_int_equal(c.min_resync_interval_ms, 3000);
	assert_int_equal(c.request_timeout_ms, 400);
	assert_int_equal(c.history, 7);
	assert_int_equal(c.max_clients, 9);
	assert_int_equal(c.client_queue_bytes, 70000);
	assert_int_equal(c.event_rcvbuf, 5000);
	assert_int_equal(conf("sample_interval = 199ms\n", &c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "line 1: 'sample_interval' takes 1s..3600s"));
	assert_int_equal(c.sample_interval_ms, 10000);
	assert_int_equal(conf("history = 10s\n", &c, err, sizeof(err)), -EINVAL);
	assert_int_equal(conf("debounce = 10001ms\n", &c, err, sizeof(err)), -EINVAL);
	assert_int_equal(c.debounce_ms, 100);
}

/* ---- control socket ---- */

#define BIG (3u << 20) /* a reply far larger than a socket buffer */
#define CUT (100u << 10)

struct bed {
	char dir[64];
	struct xd_control *ctl;
	int epfd;
	char *big; /* BIG bytes: one JSON document and its newline */
};

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Streamed replies: the whole document, or CUT bytes of it and then a failure. */
static int big_render(void *userdata, FILE *f, const void *arg)
{
	struct bed *b = userdata;
	bool fail = *(const bool *)arg; /* a copy: the handler's variable is gone by now */

	if (fail) {
		fwrite(b->big, 1, CUT, f);
		return -EIO;
	}
	return fwrite(b->big, 1, BIG, f) == BIG ? 0 : -EIO;
}

static void handler(void *userdata, struct xd_client *c, const struct xd_request *req)
{
	bool whole = false, cut = true; /* on the stack: xd_client_stream() copies them */
	struct bed *b = userdata;

	switch (req->cmd) {
	case XD_REQ_SHOW: /* queued in the loop's memory */
		xd_client_send(c, b->big, BIG);
		break;
	case XD_REQ_CHECK: /* streamed by a child */
		xd_client_stream(c, big_render, b, &whole, sizeof(whole));
		break;
	case XD_REQ_PEERS:
		xd_client_stream(c, big_render, b, &cut, sizeof(cut));
		break;
	default:
		xd_client_send(c, "{\"ok\":1}\n", 9);
	}
}

static void bed_up(struct bed *b)
{
	struct xd_config cfg;

	memset(b, 0, sizeof(*b));
	xd_config_defaults(&cfg);
	cfg.request_timeout_ms = 100;
	strcpy(b->dir, "/tmp/xd-test-control-XXXXXX");
	assert_non_null(mkdtemp(b->dir));
	snprintf(cfg.socket_path, sizeof(cfg.socket_path), "%s/sock", b->dir);
	b->epfd = epoll_create1(EPOLL_CLOEXEC);
	assert_true(b->epfd >= 0);
	assert_int_equal(xd_control_open(&b->ctl, &cfg, getgid(), b->epfd, handler, b), 0);
	b->big = malloc(BIG);
	assert_non_null(b->big);
	memset(b->big, 'a', BIG);
	memcpy(b->big, "{\"a\":\"", 6);
	memcpy(b->big + BIG - 3, "\"}\n", 3);
}

static void bed_down(struct bed *b)
{
	char path[128];

	xd_control_close(b->ctl);
	close(b->epfd);
	free(b->big);
	snprintf(path, sizeof(path), "%s/sock", b->dir);
	unlink(path);
	rmdir(b->dir);
}

/* Run the daemon's side of the loop for `ms`. */
static void pump(struct bed *b, int ms)
{
	uint64_t end = mono_ms() + (uint64_t)ms;

	for (uint64_t now = mono_ms(); now < end; now = mono_ms()) {
		struct epoll_event ev[16];
		int t = xd_control_tick(b->ctl, now), n;

		if (t < 0 || (uint64_t)t > end - now)
			t = (int)(end - now);
		n = epoll_wait(b->epfd, ev, 16, t);
		for (int i = 0; i < n; i++)
			xd_control_dispatch(b->ctl, ev[i].data.ptr, ev[i].events);
	}
}

static int client(struct bed *b, const char *req, size_t len)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/sock", b->dir);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(send(fd, req, len, 0), (ssize_t)len);
	return fd;
}

/* Read while the loop runs, until `lines` newlines, the end of the connection, or a generous
 * bound; returns the bytes (NUL-terminated) and sets *eof. */
static char *read_reply(struct bed *b, int fd, int lines, size_t *ret_len, bool *eof)
{
	static char chunk[65536];
	size_t len = 0;
	char *buf = NULL;
	uint64_t end = mono_ms() + 30000;

	*eof = false;
	while (lines > 0 && !*eof && mono_ms() < end) {
		ssize_t n;

		pump(b, 5);
		while ((n = recv(fd, chunk, sizeof(chunk), 0)) > 0) {
			buf = realloc(buf, len + (size_t)n + 1);
			assert_non_null(buf);
			memcpy(buf + len, chunk, (size_t)n);
			for (ssize_t i = 0; i < n; i++)
				lines -= chunk[i] == '\n';
			len += (size_t)n;
		}
		if (n == 0 || (n < 0 && errno != EAGAIN))
			*eof = true;
	}
	if (!buf)
		buf = calloc(1, 1);
	buf[len] = 0;
	*ret_len = len;
	return buf;
}

/* request_timeout is for reading a request: a reply that takes longer to read is still
 * written out completely (issue 16: clients were dropped mid-reply). */
static void test_control_reply_outlives_request_timeout(void **state)
{
	struct bed b;
	bool eof;
	size_t len;
	char *r;
	int fd;

	(void)state;
	bed_up(&b);
	fd = client(&b, "{\"command\":\"show\"}", 18);
	pump(&b, 400); /* the client reads nothing for 4 request timeouts */
	r = read_reply(&b, fd, 1, &len, &eof);
	assert_int_equal(len, BIG);
	assert_memory_equal(r, b.big, BIG);
	free(r);
	/* the connection still takes a request */
	assert_int_equal(send(fd, "{\"command\":\"status\"}", 20, 0), 20);
	r = read_reply(&b, fd, 1, &len, &eof);
	assert_string_equal(r, "{\"ok\":1}\n");
	free(r);
	close(fd);
	bed_down(&b);
}

/* An empty message is a request to answer, not the end of the connection. */
static void test_control_empty_message(void **state)
{
	struct bed b;
	bool eof;
	size_t len;
	char *r;
	int fd;

	(void)state;
	bed_up(&b);
	fd = client(&b, "", 0);
	r = read_reply(&b, fd, 1, &len, &eof);
	assert_non_null(strstr(r, "{\"error\":{\"code\":\"EINVAL\""));
	assert_int_equal(r[len - 1], '\n');
	free(r);
	close(fd);
	bed_down(&b);
}

/* A streamed reply nobody reads delays no one; read later, it is complete, and the client
 * can ask again. */
static void test_control_stream_stalled_reader(void **state)
{
	struct bed b;
	bool eof;
	size_t len;
	char *r;
	int slow, fast;

	(void)state;
	bed_up(&b);
	slow = client(&b, "{\"command\":\"check\"}", 19);
	pump(&b, 300);
	fast = client(&b, "{\"command\":\"status\"}", 20);
	r = read_reply(&b, fast, 1, &len, &eof);
	assert_string_equal(r, "{\"ok\":1}\n");
	free(r);
	close(fast);
	r = read_reply(&b, slow, 1, &len, &eof);
	assert_int_equal(len, BIG);
	assert_memory_equal(r, b.big, BIG);
	free(r);
	assert_int_equal(send(slow, "{\"command\":\"check\"}", 19, 0), 19);
	r = read_reply(&b, slow, 1, &len, &eof);
	assert_int_equal(len, BIG);
	free(r);
	close(slow);
	bed_down(&b);
}

/* A streamed reply that fails midway ends its line and is followed by an error line. */
static void test_control_stream_failure(void **state)
{
	struct bed b;
	bool eof;
	size_t len;
	char *r;
	int fd;

	(void)state;
	bed_up(&b);
	fd = client(&b, "{\"command\":\"peers\"}", 19);
	r = read_reply(&b, fd, 2, &len, &eof);
	assert_true(len > CUT + 1);
	assert_memory_equal(r, b.big, CUT);
	assert_int_equal(r[CUT], '\n');
	assert_non_null(strstr(r + CUT + 1, "{\"error\":{\"code\":\"EIO\""));
	assert_int_equal(r[len - 1], '\n');
	free(r);
	close(fd);
	bed_down(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request_valid),
		cmocka_unit_test(test_request_invalid),
		cmocka_unit_test(test_frame_roundtrip),
		cmocka_unit_test(test_frame_refusals),
		cmocka_unit_test(test_finding_identity),
		cmocka_unit_test(test_lifecycle_raise_keep_clear),
		cmocka_unit_test(test_lifecycle_aggregate_identity),
		cmocka_unit_test(test_tunnels_survive_rekeys),
		cmocka_unit_test(test_prom_renders_tunnels_and_stats),
		cmocka_unit_test(test_config_metrics_listen),
		cmocka_unit_test(test_config_user),
		cmocka_unit_test(test_config_numeric_keys),
		cmocka_unit_test(test_control_reply_outlives_request_timeout),
		cmocka_unit_test(test_control_empty_message),
		cmocka_unit_test(test_control_stream_stalled_reader),
		cmocka_unit_test(test_control_stream_failure),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
