/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-decode-vici.c: the VICI decoder and scrubber (decode-vici.c) on hand-built packets
 * (every field of list-sa and list-conn, malformed framing, excessive nesting, secret-named
 * values) and on real packets captured from strongSwan 5.9.8's charon (the fuzz corpus
 * files real-*, whose first byte selects the dump).
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

/* ---- a small VICI packet builder ---- */

struct vb {
	uint8_t buf[8192];
	size_t len;
};

static void vb_begin(struct vb *b, uint8_t type, const char *name)
{
	b->len = 5;
	b->buf[4] = type;
	if (name) {
		b->buf[b->len++] = (uint8_t)strlen(name);
		memcpy(b->buf + b->len, name, strlen(name));
		b->len += strlen(name);
	}
}

static void vb_name(struct vb *b, uint8_t type, const char *name)
{
	b->buf[b->len++] = type;
	b->buf[b->len++] = (uint8_t)strlen(name);
	memcpy(b->buf + b->len, name, strlen(name));
	b->len += strlen(name);
}

static void vb_value(struct vb *b, const char *v)
{
	size_t n = strlen(v);

	b->buf[b->len++] = (uint8_t)(n >> 8);
	b->buf[b->len++] = (uint8_t)n;
	memcpy(b->buf + b->len, v, n);
	b->len += n;
}

static void sec(struct vb *b, const char *name) { vb_name(b, 1, name); }
static void end(struct vb *b) { b->buf[b->len++] = 2; }
static void kv(struct vb *b, const char *k, const char *v) { vb_name(b, 3, k); vb_value(b, v); }
static void list(struct vb *b, const char *name) { vb_name(b, 4, name); }
static void item(struct vb *b, const char *v) { b->buf[b->len++] = 5; vb_value(b, v); }
static void lend(struct vb *b) { b->buf[b->len++] = 6; }

static void vb_finish(struct vb *b)
{
	uint32_t n = (uint32_t)b->len - 4;

	b->buf[0] = (uint8_t)(n >> 24);
	b->buf[1] = (uint8_t)(n >> 16);
	b->buf[2] = (uint8_t)(n >> 8);
	b->buf[3] = (uint8_t)n;
}

static struct xd_snapshot *snap(void)
{
	struct xd_snapshot *s = NULL;

	assert_int_equal(xd_snapshot_new(&s), 0);
	return s;
}

static int feed(struct xd_snapshot *s, enum xd_dump d, const void *p, size_t len)
{
	struct xd_record r = { .kind = XD_RECORD_FILE, .dump = d, .data = p, .len = len };

	return xd_decode_record(s, &r);
}

static void build_sa(struct vb *b)
{
	vb_begin(b, 7, "list-sa");
	sec(b, "site-a");
	kv(b, "uniqueid", "7");
	kv(b, "version", "2");
	kv(b, "state", "ESTABLISHED");
	kv(b, "local-host", "192.0.2.1");
	kv(b, "local-port", "4500");
	kv(b, "remote-host", "198.51.100.7");
	kv(b, "remote-port", "4500");
	kv(b, "initiator", "yes");
	kv(b, "nat-remote", "yes");
	kv(b, "established", "321");
	kv(b, "sk_ei", "CANARYKEY0123456789");  /* never sent by charon; must never be kept */
	list(b, "tasks-active");
	item(b, "IKE_DPD");
	lend(b);
	sec(b, "child-sas");
	sec(b, "net-3");
	kv(b, "name", "net");
	kv(b, "uniqueid", "3");
	kv(b, "reqid", "1");
	kv(b, "state", "INSTALLED");
	kv(b, "mode", "TUNNEL");
	kv(b, "protocol", "ESP");
	kv(b, "spi-in", "c1a2b3c4");
	kv(b, "spi-out", "0000beef");
	kv(b, "encr-keysize", "256");
	kv(b, "bytes-in", "1000");
	kv(b, "packets-in", "10");
	kv(b, "bytes-out", "18446744073709551615");
	kv(b, "packets-out", "20");
	list(b, "local-ts");
	item(b, "10.1.0.0/16");
	lend(b);
	list(b, "remote-ts");
	item(b, "10.2.0.0/16");
	item(b, "10.3.0.0/16");
	lend(b);
	sec(b, "secrets");
	kv(b, "anything", "CANARYSECRET");
	end(b);
	end(b);
	end(b);
	end(b);
	vb_finish(b);
}

static void test_vici_list_sa(void **state)
{
	struct xd_snapshot *s = snap();
	struct vb b;
	const struct xd_ike_sa *sa;
	const struct xd_ike_child_sa *c;

	build_sa(&b);
	assert_int_equal(feed(s, XD_DUMP_IKE_VICI_SAS, b.buf, b.len), 0);
	assert_int_equal(s->ike->sas.len, 1);
	sa = xd_vec_at(&s->ike->sas, 0);
	assert_string_equal(sa->name, "site-a");
	assert_int_equal(sa->uniqueid, 7);
	assert_string_equal(sa->state, "ESTABLISHED");
	assert_string_equal(sa->local_host, "192.0.2.1");
	assert_int_equal(sa->local_port, 4500);
	assert_string_equal(sa->remote_host, "198.51.100.7");
	assert_true(sa->initiator);
	assert_true(sa->nat_remote);
	assert_false(sa->nat_local);
	assert_true(sa->has_established);
	assert_int_equal(sa->established_s, 321);
	assert_int_equal(sa->child_count, 1);
	c = xd_vec_at(&s->ike->child_sas, sa->child_first);
	assert_string_equal(c->name, "net");
	assert_int_equal(c->reqid, 1);
	assert_int_equal(c->spi_in, 0xc1a2b3c4u);
	assert_int_equal(c->spi_out, 0xbeef);
	assert_string_equal(c->protocol, "ESP");
	assert_int_equal(c->bytes_in, 1000);
	assert_int_equal(c->packets_out, 20);
	assert_true(c->bytes_out == UINT64_MAX);
	assert_int_equal(c->local_ts_count, 1);
	assert_int_equal(c->remote_ts_count, 2);
	assert_string_equal(xd_ike_string(s->ike, c->remote_ts_first + 1), "10.3.0.0/16");
	/* the tasks list is not a traffic selector list */
	assert_int_equal(s->ike->strings.len, 3);
	/* no secret-named value was interned */
	for (size_t i = 0; i < s->ike->strings.len; i++)
		assert_null(strstr(xd_ike_string(s->ike, (uint32_t)i), "CANARY"));
	assert_int_equal(s->issues.len, 0);
	xd_snapshot_free(s);
}

static void test_vici_scrub(void **state)
{
	struct vb b;

	build_sa(&b);
	assert_non_null(memmem(b.buf, b.len, "CANARYKEY", 9));
	assert_int_equal(xd_vici_scrub(b.buf, b.len), 2);
	assert_null(memmem(b.buf, b.len, "CANARY", 6));
	/* sizes are not secrets; everything else is intact */
	assert_non_null(memmem(b.buf, b.len, "256", 3));
	assert_non_null(memmem(b.buf, b.len, "c1a2b3c4", 8));
	assert_int_equal(xd_vici_scrub(b.buf, b.len), 0);
	/* a packet that cannot be walked is zeroed from the bad element on (fail closed) */
	build_sa(&b);
	b.buf[b.len - 1] = 9; /* the last SECTION_END becomes an unknown element */
	assert_true(xd_vici_scrub(b.buf, b.len) > 0);
	assert_null(memmem(b.buf, b.len, "CANARY", 6));
	assert_int_equal(b.buf[b.len - 1], 0);
}

static void test_vici_name_is_secret(void **state)
{
	assert_true(xd_vici_name_is_secret("sk_ei_key", 9));
	assert_true(xd_vici_name_is_secret("Secret", 6));
	assert_true(xd_vici_name_is_secret("psk", 3));
	assert_true(xd_vici_name_is_secret("SK_ei", 5));
	assert_false(xd_vici_name_is_secret("skip", 4));
	assert_true(xd_vici_name_is_secret("private-key", 11));
	assert_false(xd_vici_name_is_secret("encr-keysize", 12));
	assert_true(xd_vici_name_is_secret("key-keysize", 11));
	assert_false(xd_vici_name_is_secret("spi-in", 6));
	assert_false(xd_vici_name_is_secret("remote-host", 11));
}

static void test_vici_list_conn(void **state)
{
	struct xd_snapshot *s = snap();
	struct vb b;
	const struct xd_ike_conn *c;
	const struct xd_ike_child_cfg *k;

	vb_begin(&b, 7, "list-conn");
	sec(&b, "gw");
	list(&b, "local_addrs");
	item(&b, "192.0.2.1");
	lend(&b);
	list(&b, "remote_addrs");
	item(&b, "198.51.100.7");
	item(&b, "198.51.100.8");
	lend(&b);
	kv(&b, "version", "IKEv2");
	sec(&b, "local-1");
	kv(&b, "id", "gw-a");
	list(&b, "certs");
	lend(&b);
	end(&b);
	sec(&b, "remote-1");
	kv(&b, "id", "gw-b");
	end(&b);
	sec(&b, "children");
	sec(&b, "net");
	kv(&b, "mode", "TUNNEL");
	kv(&b, "start_action", "trap");
	list(&b, "local-ts");
	item(&b, "10.1.0.0/16");
	lend(&b);
	list(&b, "remote-ts");
	item(&b, "10.2.0.0/16");
	lend(&b);
	end(&b);
	end(&b);
	end(&b);
	vb_finish(&b);
	assert_int_equal(feed(s, XD_DUMP_IKE_VICI_CONNS, b.buf, b.len), 0);
	/* the command response ends the listing */
	vb_begin(&b, 1, NULL);
	vb_finish(&b);
	assert_int_equal(feed(s, XD_DUMP_IKE_VICI_CONNS, b.buf, b.len), 0);
	assert_true(s->ike->conns_present);
	assert_false(s->ike->sas_present);
	assert_int_equal(s->ike->conns.len, 1);
	c = xd_vec_at(&s->ike->conns, 0);
	assert_string_equal(c->name, "gw");
	assert_string_equal(c->version, "IKEv2");
	assert_string_equal(c->local_id, "gw-a");
	assert_string_equal(c->remote_id, "gw-b");
	assert_int_equal(c->remote_addrs_count, 2);
	assert_string_equal(xd_ike_string(s->ike, c->remote_addrs_first + 1), "198.51.100.8");
	assert_int_equal(c->child_count, 1);
	k = xd_vec_at(&s->ike->child_cfgs, c->child_first);
	assert_string_equal(k->name, "net");
	assert_string_equal(k->mode, "TUNNEL");
	assert_string_equal(k->start_action, "trap");
	assert_string_equal(xd_ike_string(s->ike, k->local_ts_first), "10.1.0.0/16");
	assert_string_equal(xd_ike_string(s->ike, k->remote_ts_first), "10.2.0.0/16");
	xd_snapshot_free(s);
}

/* Malformed framing ends the record with -EBADMSG and an issue, never a crash. */
static void test_vici_malformed(void **state)
{
	struct vb b;
	struct xd_snapshot *s;
	static const uint8_t short_pkt[] = { 0, 0, 0, 9, 7 };

	s = snap();
	assert_int_equal(feed(s, XD_DUMP_IKE_VICI_SAS, short_pkt, sizeof(short_pkt)), -EBADMSG);
	assert_int_equal(s->issues.len, 1);
	xd_snapshot_free(s);

	/* a value length past the end */
	s = snap();
	vb_begin(&b, 7, "list-sa");
	sec(&b, "x");
	kv(&b, "state", "UP");
	b.buf[b.len - 3] = 0x7f;
	end(&b);
	vb_finish(&b);
	assert_int_equal(feed(s, XD_DUMP_IKE_VICI_SAS, b.buf, b.len), -EBADMSG);
	assert_int_equal(s->issues.len, 1);
	xd_snapshot_free(s);

	/* nesting deeper than any real reply */
	s = snap();
	vb_begin(&b, 7, "list-sa");
	for (int i = 0; i < 40; i++)
		sec(&b, "n");
	for (int i = 0; i < 40; i++)
		end(&b);
	vb_finish(&b);
	assert_int_equal(feed(s, XD_DUMP_IKE_VICI_SAS, b.buf, b.len), -EBADMSG);
	xd_snapshot_free(s);

	/* unbalanced: a section end with nothing open, an item outside a list, an open list */
	static const uint8_t bodies[][4] = { { 2 }, { 5, 0, 0 }, { 4, 1, 'l', 0 } };
	static const size_t blen[] = { 1, 3, 3 };
	for (size_t i = 0; i < 3; i++) {
		s = snap();
		vb_begin(&b, 7, "list-sa");
		memcpy(b.buf + b.len, bodies[i], blen[i]);
		b.len += blen[i];
		vb_finish(&b);
		assert_int_equal(feed(s, XD_DUMP_IKE_VICI_SAS, b.buf, b.len), -EBADMSG);
		xd_snapshot_free(s);
	}

	/* another event is ignored, not decoded */
	s = snap();
	vb_begin(&b, 7, "ike-updown");
	sec(&b, "x");
	end(&b);
	vb_finish(&b);
	assert_int_equal(feed(s, XD_DUMP_IKE_VICI_SAS, b.buf, b.len), 0);
	assert_int_equal(s->ike->sas.len, 0);
	assert_int_equal(s->ignored_msgs, 1);
	xd_snapshot_free(s);
}

/* ---- real bytes from charon (strongSwan 5.9.8) ---- */

static size_t read_corpus(const char *name, uint8_t *buf, size_t max)
{
	const char *dir = getenv("XD_VICI_CORPUS");
	char path[1024];
	FILE *f;
	size_t n;

	assert_non_null(dir);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	assert_non_null(f);
	n = fread(buf, 1, max, f);
	fclose(f);
	assert_true(n > 1);
	return n;
}

static void test_vici_real_charon(void **state)
{
	static const char *const conns[] = { "real-strongswan-5.9-conn-00",
					     "real-strongswan-5.9-conn-01",
					     "real-strongswan-5.9-conn-02" };
	static const char *const sas[] = { "real-strongswan-5.9-sa-00", "real-strongswan-5.9-sa-01" };
	struct xd_snapshot *s = snap();
	uint8_t buf[8192];
	const struct xd_ike_conn *c;
	const struct xd_ike_child_cfg *k;
	const struct xd_ike_sa *sa;
	size_t n;

	for (size_t i = 0; i < 3; i++) {
		n = read_corpus(conns[i], buf, sizeof(buf));
		assert_int_equal(buf[0] & 1, 0);
		assert_int_equal(feed(s, XD_DUMP_IKE_VICI_CONNS, buf + 1, n - 1), 0);
	}
	for (size_t i = 0; i < 2; i++) {
		n = read_corpus(sas[i], buf, sizeof(buf));
		assert_int_equal(buf[0] & 1, 1);
		/* charon never sends a secret-named value in list-sas */
		assert_int_equal(xd_vici_scrub(buf + 1, n - 1), 0);
		assert_int_equal(feed(s, XD_DUMP_IKE_VICI_SAS, buf + 1, n - 1), 0);
	}
	assert_int_equal(s->issues.len, 0);
	assert_true(s->ike->conns_present);
	assert_true(s->ike->sas_present);
	assert_int_equal(s->ike->conns.len, 2);
	c = xd_vec_at(&s->ike->conns, 0);
	assert_string_equal(c->name, "gw");
	assert_string_equal(c->version, "IKEv2");
	assert_string_equal(c->local_id, "gw-a");
	assert_string_equal(c->remote_id, "gw-b");
	assert_string_equal(xd_ike_string(s->ike, c->local_addrs_first), "10.99.0.1");
	assert_string_equal(xd_ike_string(s->ike, c->remote_addrs_first), "10.99.0.2");
	k = xd_vec_at(&s->ike->child_cfgs, c->child_first);
	assert_string_equal(k->name, "net");
	assert_string_equal(k->mode, "TUNNEL");
	assert_int_equal(k->remote_ts_count, 2);
	c = xd_vec_at(&s->ike->conns, 1);
	assert_string_equal(c->name, "road");
	assert_null(c->local_id);
	k = xd_vec_at(&s->ike->child_cfgs, c->child_first);
	assert_string_equal(k->mode, "TRANSPORT");
	assert_string_equal(xd_ike_string(s->ike, k->local_ts_first), "dynamic");
	assert_int_equal(s->ike->sas.len, 1);
	sa = xd_vec_at(&s->ike->sas, 0);
	assert_string_equal(sa->name, "gw");
	assert_string_equal(sa->state, "CONNECTING");
	assert_string_equal(sa->remote_host, "10.99.0.2");
	assert_int_equal(sa->remote_port, 500);
	assert_true(sa->initiator);
	assert_false(sa->has_established);
	assert_int_equal(sa->child_count, 0);
	xd_snapshot_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vici_list_sa),
		cmocka_unit_test(test_vici_scrub),
		cmocka_unit_test(test_vici_name_is_secret),
		cmocka_unit_test(test_vici_list_conn),
		cmocka_unit_test(test_vici_malformed),
		cmocka_unit_test(test_vici_real_charon),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
