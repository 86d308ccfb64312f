/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-decode-whack.c: the whack decoder and scrubber (decode-whack.c) on output captured
 * from libreswan 4.10's pluto in the kernel test bed (the fuzz corpus files real-*, whose
 * first byte selects the dump: 0 = --status, 1 = --trafficstatus), on a 5.x-format sample
 * (no "000 " prefixes, state descriptions without STATE_ names, instances, a CHILD_SA whose
 * IKE SA is not listed) and on key-looking lines.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "xfrmd/decode.h"
#include "xfrmd/ike.h"
#include "xfrmd/model.h"

static struct xd_snapshot *snap(void)
{
	struct xd_snapshot *s = NULL;

	assert_int_equal(xd_snapshot_new(&s), 0);
	return s;
}

/* Decode a corpus file into s; returns its dump. */
static void feed_corpus(struct xd_snapshot *s, const char *name)
{
	const char *dir = getenv("XD_WHACK_CORPUS");
	static char buf[1 << 20];
	char path[1024];
	FILE *f;
	size_t n;

	assert_non_null(dir);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	assert_true(n > 1);
	struct xd_record r = { .kind = XD_RECORD_FILE,
			       .dump = buf[0] & 1 ? XD_DUMP_IKE_WHACK_TRAFFIC : XD_DUMP_IKE_WHACK_STATUS,
			       .data = buf + 1, .len = n - 1 };
	assert_int_equal(xd_decode_record(s, &r), 0);
}

static const char *str(const struct xd_ike *ike, uint32_t first, uint32_t count)
{
	assert_int_equal(count, 1);
	return xd_ike_string(ike, first);
}

static const struct xd_ike_child_sa *child_of(const struct xd_ike *ike, const struct xd_ike_sa *sa,
					      uint32_t k)
{
	assert_true(k < sa->child_count);
	return xd_vec_at(&ike->child_sas, sa->child_first + k);
}

static void test_real_4_10_transport(void **state)
{
	struct xd_snapshot *s = snap();
	const struct xd_ike *ike;
	const struct xd_ike_conn *c;
	const struct xd_ike_child_cfg *k;
	const struct xd_ike_sa *sa;
	const struct xd_ike_child_sa *ch;

	feed_corpus(s, "real-libreswan-4.10-transport-west-status");
	feed_corpus(s, "real-libreswan-4.10-transport-west-traffic");
	ike = s->ike;
	assert_non_null(ike);
	assert_true(ike->conns_present && ike->sas_present);
	assert_int_equal(ike->conns.len, 1);
	c = xd_vec_at(&ike->conns, 0);
	assert_string_equal(c->stack, "libreswan");
	assert_string_equal(c->name, "h2h");
	assert_string_equal(c->version, "IKEv2");
	assert_string_equal(str(ike, c->local_addrs_first, c->local_addrs_count), "192.0.2.1");
	assert_string_equal(str(ike, c->remote_addrs_first, c->remote_addrs_count), "192.0.2.2");
	assert_string_equal(c->local_id, "192.0.2.1");
	assert_string_equal(c->remote_id, "192.0.2.2");
	assert_int_equal(c->child_count, 1);
	k = xd_vec_at(&ike->child_cfgs, c->child_first);
	assert_string_equal(k->mode, "TRANSPORT");
	assert_string_equal(str(ike, k->local_ts_first, k->local_ts_count), "192.0.2.1/32");
	assert_string_equal(str(ike, k->remote_ts_first, k->remote_ts_count), "192.0.2.2/32");

	assert_int_equal(ike->sas.len, 1);
	sa = xd_vec_at(&ike->sas, 0);
	assert_string_equal(sa->stack, "libreswan");
	assert_string_equal(sa->name, "h2h");
	assert_int_equal(sa->uniqueid, 1);
	assert_string_equal(sa->state, "ESTABLISHED");
	assert_string_equal(sa->state_raw, "STATE_V2_ESTABLISHED_IKE_SA");
	assert_int_equal(sa->remote_port, 500);
	assert_string_equal(sa->local_host, "192.0.2.1");
	assert_string_equal(sa->remote_host, "192.0.2.2");
	ch = child_of(ike, sa, 0);
	assert_int_equal(ch->uniqueid, 2);
	assert_string_equal(ch->state, "INSTALLED");
	assert_string_equal(ch->state_raw, "STATE_V2_ESTABLISHED_CHILD_SA");
	assert_string_equal(ch->protocol, "ESP");
	assert_string_equal(ch->mode, "TRANSPORT");
	/* esp.2af96f9@192.0.2.2 (the peer: outbound) esp.41d1026b@192.0.2.1 (ours: inbound) */
	assert_int_equal(ch->spi_out, 0x02af96f9);
	assert_int_equal(ch->spi_in, 0x41d1026b);
	xd_snapshot_free(s);
}

static void test_real_4_10_tunnel(void **state)
{
	struct xd_snapshot *s = snap();
	const struct xd_ike *ike;
	const struct xd_ike_conn *c;
	const struct xd_ike_child_cfg *k;
	const struct xd_ike_child_sa *ch;

	feed_corpus(s, "real-libreswan-4.10-tunnel-west-status");
	feed_corpus(s, "real-libreswan-4.10-tunnel-west-traffic");
	ike = s->ike;
	c = xd_vec_at(&ike->conns, 0);
	assert_string_equal(c->name, "gw");
	assert_string_equal(c->local_id, "@west.xd.test");
	assert_string_equal(c->remote_id, "@east.xd.test");
	k = xd_vec_at(&ike->child_cfgs, c->child_first);
	assert_string_equal(k->mode, "TUNNEL");
	assert_string_equal(str(ike, k->local_ts_first, k->local_ts_count), "10.1.0.0/24");
	assert_string_equal(str(ike, k->remote_ts_first, k->remote_ts_count), "10.2.0.0/24");
	assert_int_equal(ike->sas.len, 1);
	ch = child_of(ike, xd_vec_at(&ike->sas, 0), 0);
	assert_string_equal(ch->mode, "TUNNEL");
	assert_int_equal(ch->spi_out, 0x2659871b);
	assert_int_equal(ch->spi_in, 0x19c11f35);
	assert_string_equal(str(ike, ch->local_ts_first, ch->local_ts_count), "10.1.0.0/24");
	xd_snapshot_free(s);
}

static void test_5x_format(void **state)
{
	struct xd_snapshot *s = snap();
	const struct xd_ike *ike;
	const struct xd_ike_conn *c;
	const struct xd_ike_sa *sa;
	const struct xd_ike_child_sa *ch;

	feed_corpus(s, "seed-libreswan-5-status");
	feed_corpus(s, "seed-libreswan-5-traffic");
	ike = s->ike;
	assert_int_equal(ike->conns.len, 3);
	c = xd_vec_at(&ike->conns, 1);
	assert_string_equal(c->name, "host6");
	assert_string_equal(str(ike, c->local_addrs_first, c->local_addrs_count), "2001:db8::1");
	assert_string_equal(c->local_id, "@h1");
	c = xd_vec_at(&ike->conns, 2);
	assert_string_equal(c->name, "road[1]");
	/* #1 site-a, #3 host6 (connecting), #5 road, stand-in #8 for #9 */
	assert_int_equal(ike->sas.len, 4);
	sa = xd_vec_at(&ike->sas, 0);
	assert_string_equal(sa->state, "ESTABLISHED");
	assert_string_equal(sa->state_raw, "ESTABLISHED_IKE_SA");
	ch = child_of(ike, sa, 0);
	assert_int_equal(ch->spi_out, 0xc0ffee01);
	assert_int_equal(ch->spi_in, 0xc0ffee02);
	assert_int_equal(ch->bytes_in, 2100); /* trafficstatus wins over the rounded ESPin */
	assert_int_equal(ch->bytes_out, 1100);
	sa = xd_vec_at(&ike->sas, 1);
	assert_string_equal(sa->name, "host6");
	assert_string_equal(sa->state, "CONNECTING");
	assert_int_equal(sa->child_count, 0);
	sa = xd_vec_at(&ike->sas, 2);
	assert_string_equal(sa->name, "road[1]");
	assert_string_equal(sa->state, "ESTABLISHED");
	assert_string_equal(sa->state_raw, "established IKE SA");
	assert_int_equal(sa->remote_port, 4500);
	assert_string_equal(sa->remote_host, "203.0.113.7");
	ch = child_of(ike, sa, 0);
	assert_int_equal(ch->uniqueid, 6);
	assert_int_equal(ch->spi_out, 0xabcdef12);
	assert_int_equal(ch->bytes_out, 168);
	sa = xd_vec_at(&ike->sas, 3);
	assert_int_equal(sa->uniqueid, 8);
	assert_null(sa->state);
	ch = child_of(ike, sa, 0);
	assert_int_equal(ch->uniqueid, 9);
	assert_int_equal(ch->spi_in, 0xdef);
	xd_snapshot_free(s);
}

static void test_scrub(void **state)
{
	char buf[] = "000 a\n000 key 0123456789abcdef0123456789abcdef\n000 b esp.1234abcd@1.2.3.4\nlast";
	size_t n = xd_whack_scrub(buf, strlen(buf));

	assert_int_equal(n, strlen("000 a\n000 b esp.1234abcd@1.2.3.4\nlast"));
	assert_memory_equal(buf, "000 a\n000 b esp.1234abcd@1.2.3.4\nlast", n);
	assert_int_equal(buf[n], 0);
}

static void test_malformed(void **state)
{
	struct xd_snapshot *s = snap();

	feed_corpus(s, "seed-malformed");
	xd_snapshot_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_4_10_transport),
		cmocka_unit_test(test_real_4_10_tunnel),
		cmocka_unit_test(test_5x_format),
		cmocka_unit_test(test_scrub),
		cmocka_unit_test(test_malformed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
