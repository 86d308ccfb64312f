/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-decode-xfrm.c: the XFRM decoder and scrubber on hand-built messages: every attribute
 * kind, truncated and oversized attributes, inconsistent key lengths, names without NUL,
 * unknown types, broken framing — and no canary byte ever survives into the model.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/netlink.h>
#include <linux/xfrm.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "nlbuild.h"
#include "xfrmd/decode.h"
#include "xfrmd/model.h"
#include "xfrmd/render.h"

static struct nlb B;

static struct xfrm_usersa_info base_sa(void)
{
	struct xfrm_usersa_info u;

	memset(&u, 0, sizeof(u));
	u.family = AF_INET;
	u.sel.family = AF_INET;
	inet_pton(AF_INET, "192.0.2.1", &u.saddr.a4);
	inet_pton(AF_INET, "198.51.100.7", &u.id.daddr.a4);
	u.id.spi = htonl(0xc1a0f00d);
	u.id.proto = IPPROTO_ESP;
	u.reqid = 7;
	u.mode = 1;
	u.replay_window = 32;
	u.flags = 4;
	u.curlft.bytes = 1234;
	u.curlft.packets = 12;
	u.curlft.add_time = 1700000000;
	u.lft.soft_byte_limit = XFRM_INF;
	u.lft.hard_byte_limit = XFRM_INF;
	u.lft.soft_packet_limit = XFRM_INF;
	u.lft.hard_packet_limit = XFRM_INF;
	u.lft.soft_add_expires_seconds = 3000;
	u.lft.hard_add_expires_seconds = 3600;
	u.stats.integrity_failed = 3;
	return u;
}

static struct xd_snapshot *decode(enum xd_dump d)
{
	struct xd_snapshot *s = NULL;

	assert_int_equal(xd_snapshot_new(&s), 0);
	xd_decode_xfrm(s, d, B.buf, B.len);
	return s;
}

/* Render the snapshot to JSON and check no canary window is in it. */
static void assert_no_canary(const struct xd_snapshot *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(xd_render_json(f, s, XD_RENDER_SA | XD_RENDER_POLICY | XD_RENDER_STATS, NULL), 0);
	fclose(f);
	assert_false(xd_test_has_canary(buf, len));
	free(buf);
}

static void test_sa_all_attributes(void **state)
{
	struct xfrm_usersa_info u = base_sa();
	struct xfrm_encap_tmpl e = { .encap_type = 2, .encap_sport = htons(4500),
				     .encap_dport = htons(4501) };
	struct xfrm_mark m = { .v = 0x10, .m = 0xff };
	uint32_t if_id = 42, extra = 2;
	uint8_t dir = 2;
	uint64_t lastused = 1700000100;
	unsigned char esn[24 + 16] = { 0 };
	struct xfrm_replay_state_esn *r = (void *)esn;

	r->bmp_len = 4;
	r->oseq = 99;
	r->seq = 5;
	r->oseq_hi = 1;
	r->replay_window = 128;
	nlb_init(&B);
	nlb_msg(&B, XFRM_MSG_NEWSA, NLM_F_MULTI);
	nlb_put(&B, &u, sizeof(u));
	nlb_xfrm_alg(&B, XFRMA_ALG_AUTH, "hmac(sha256)", xd_test_canary, 256, 0);
	nlb_xfrm_alg(&B, XFRMA_ALG_AUTH_TRUNC, "hmac(sha256)", xd_test_canary, 256, 128);
	nlb_xfrm_alg(&B, XFRMA_ALG_CRYPT, "cbc(aes)", xd_test_canary, 128, 0);
	nlb_attr(&B, XFRMA_ENCAP, &e, sizeof(e));
	nlb_attr(&B, XFRMA_MARK, &m, sizeof(m));
	nlb_attr(&B, XFRMA_IF_ID, &if_id, 4);
	nlb_attr(&B, XFRMA_SA_EXTRA_FLAGS, &extra, 4);
	nlb_attr(&B, XFRMA_REPLAY_ESN_VAL, esn, sizeof(esn));
	nlb_attr(&B, XFRMA_LASTUSED, &lastused, 8);
	nlb_attr(&B, 33 /* SA_DIR */, &dir, 1);

	assert_true(xd_xfrm_scrub(B.buf, B.len) >= 3);
	assert_false(xd_test_has_canary(B.buf, B.len));
	struct xd_snapshot *s = decode(XD_DUMP_XFRM_SA);
	assert_int_equal(s->sas.len, 1);
	assert_int_equal(s->issues.len, 0);
	const struct xd_sa *sa = xd_snapshot_sa(s, 0);
	assert_int_equal(sa->spi, 0xc1a0f00d);
	assert_int_equal(sa->reqid, 7);
	assert_int_equal(sa->proto, IPPROTO_ESP);
	assert_int_equal(sa->mode, 1);
	assert_string_equal(sa->algs->auth.name, "hmac(sha256)");
	assert_int_equal(sa->algs->auth.key_bits, 256);
	assert_int_equal(sa->algs->auth.icv_bits, 128);
	assert_string_equal(sa->algs->enc.name, "cbc(aes)");
	assert_int_equal(sa->algs->enc.key_bits, 128);
	assert_int_equal(sa->encap.type, 2);
	assert_int_equal(sa->encap.sport, 4500);
	assert_int_equal(sa->encap.dport, 4501);
	assert_int_equal(sa->mark.v, 0x10);
	assert_int_equal(sa->if_id, 42);
	assert_int_equal(sa->extra_flags, 2);
	assert_int_equal(sa->replay.window, 128);
	assert_int_equal(sa->replay.oseq, 99);
	assert_int_equal(sa->replay.oseq_hi, 1);
	assert_int_equal(sa->lastused, 1700000100);
	assert_int_equal(sa->dir, 2);
	assert_int_equal(sa->curlft.bytes, 1234);
	assert_int_equal(sa->stats_integrity_failed, 3);
	assert_int_equal(sa->lft->hard_add_expires_s, 3600);
	assert_int_equal(sa->lft->soft_byte_limit, XD_INF);
	assert_true(sa->has & XD_SA_HAS_REPLAY_ESN);
	assert_no_canary(s);
	xd_snapshot_free(s);
}

static void test_sa_aead_and_unknown_attr(void **state)
{
	struct xfrm_usersa_info u = base_sa();
	uint32_t junk = 0xffffffff;

	nlb_init(&B);
	nlb_msg(&B, XFRM_MSG_NEWSA, NLM_F_MULTI);
	nlb_put(&B, &u, sizeof(u));
	nlb_xfrm_alg(&B, XFRMA_ALG_AEAD, "rfc4106(gcm(aes))", xd_test_canary, 160, 128);
	nlb_attr(&B, 200, &junk, 4);
	nlb_attr(&B, 27 /* PAD */, NULL, 0);
	xd_xfrm_scrub(B.buf, B.len);
	struct xd_snapshot *s = decode(XD_DUMP_XFRM_SA);
	assert_int_equal(s->sas.len, 1);
	assert_int_equal(s->unknown_attrs, 1);
	assert_int_equal(s->issues.len, 0);
	assert_string_equal(xd_snapshot_sa(s, 0)->algs->aead.name, "rfc4106(gcm(aes))");
	assert_int_equal(xd_snapshot_sa(s, 0)->algs->aead.icv_bits, 128);
	assert_no_canary(s);
	xd_snapshot_free(s);
}

static void test_sa_truncated_attribute(void **state)
{
	struct xfrm_usersa_info u = base_sa();
	struct nlattr *a;

	nlb_init(&B);
	nlb_msg(&B, XFRM_MSG_NEWSA, 0);
	nlb_put(&B, &u, sizeof(u));
	nlb_xfrm_alg(&B, XFRMA_ALG_CRYPT, "cbc(aes)", xd_test_canary, 128, 0);
	a = (struct nlattr *)(B.buf + B.len);
	nlb_xfrm_alg(&B, XFRMA_ALG_AUTH, "hmac(sha1)", xd_test_canary, 160, 0);
	a->nla_len += 64; /* claims more than the message holds */
	/* the scrubber must not trust it either: the unwalkable tail is zeroed */
	xd_xfrm_scrub(B.buf, B.len);
	assert_false(xd_test_has_canary(B.buf, B.len));
	struct xd_snapshot *s = decode(XD_DUMP_XFRM_SA);
	assert_int_equal(s->sas.len, 1);
	assert_int_equal(s->issues.len, 1);
	assert_string_equal(xd_snapshot_sa(s, 0)->algs->enc.name, "cbc(aes)");
	assert_false(xd_snapshot_sa(s, 0)->has & XD_SA_HAS_AUTH);
	xd_snapshot_free(s);
}

static void test_sa_short_attribute(void **state)
{
	struct xfrm_usersa_info u = base_sa();
	char shortname[10] = "cbc(aes)";
	uint16_t half = 1;

	nlb_init(&B);
	nlb_msg(&B, XFRM_MSG_NEWSA, 0);
	nlb_put(&B, &u, sizeof(u));
	nlb_attr(&B, XFRMA_ALG_CRYPT, shortname, sizeof(shortname)); /* < sizeof(xfrm_algo) */
	nlb_attr(&B, XFRMA_IF_ID, &half, 2);                         /* < u32 */
	struct xd_snapshot *s = decode(XD_DUMP_XFRM_SA);
	assert_int_equal(s->sas.len, 1);
	assert_int_equal(s->issues.len, 2);
	assert_false(xd_snapshot_sa(s, 0)->has & (XD_SA_HAS_ENC | XD_SA_HAS_IF_ID));
	xd_snapshot_free(s);
}

static void test_sa_inconsistent_key_length_and_name(void **state)
{
	struct xfrm_usersa_info u = base_sa();
	unsigned char alg[68 + 4];

	nlb_init(&B);
	nlb_msg(&B, XFRM_MSG_NEWSA, 0);
	nlb_put(&B, &u, sizeof(u));
	memset(alg, 'A', 64); /* no NUL in the name */
	uint32_t bits = 4096;  /* claims 512 key bytes, has 4 */
	memcpy(alg + 64, &bits, 4);
	memcpy(alg + 68, xd_test_canary, 4);
	nlb_attr(&B, XFRMA_ALG_CRYPT, alg, sizeof(alg));
	xd_xfrm_scrub(B.buf, B.len);
	struct xd_snapshot *s = decode(XD_DUMP_XFRM_SA);
	assert_int_equal(s->sas.len, 1);
	assert_int_equal(s->issues.len, 2); /* name without NUL, key length too large */
	assert_int_equal(strlen(xd_snapshot_sa(s, 0)->algs->enc.name), 64);
	assert_int_equal(xd_snapshot_sa(s, 0)->algs->enc.key_bits, 4096);
	xd_snapshot_free(s);
}

static void test_framing_errors(void **state)
{
	struct xd_snapshot *s = NULL;
	struct nlmsghdr *h;
	struct xfrm_usersa_info u = base_sa();

	assert_int_equal(xd_snapshot_new(&s), 0);
	nlb_init(&B);
	h = nlb_msg(&B, XFRM_MSG_NEWSA, 0);
	nlb_put(&B, &u, sizeof(u));
	h->nlmsg_len = B.len + 100; /* longer than the datagram */
	assert_int_equal(xd_decode_xfrm(s, XD_DUMP_XFRM_SA, B.buf, B.len), -EBADMSG);
	h->nlmsg_len = 8; /* shorter than a header */
	assert_int_equal(xd_decode_xfrm(s, XD_DUMP_XFRM_SA, B.buf, B.len), -EBADMSG);
	assert_int_equal(xd_decode_xfrm(s, XD_DUMP_XFRM_SA, B.buf, 7), -EBADMSG);
	assert_int_equal(s->sas.len, 0);
	assert_int_equal(s->issues.len, 3);
	/* a message too short for its fixed header is an issue, not a crash */
	nlb_init(&B);
	nlb_msg(&B, XFRM_MSG_NEWSA, 0);
	nlb_put(&B, &u, 100);
	assert_int_equal(xd_decode_xfrm(s, XD_DUMP_XFRM_SA, B.buf, B.len), 0);
	assert_int_equal(s->sas.len, 0);
	assert_int_equal(s->issues.len, 4);
	xd_snapshot_free(s);
}

static void test_scrub_fails_closed(void **state)
{
	unsigned char buf[64];

	/* garbage that is not even a header: zeroed */
	memcpy(buf, xd_test_canary, 32);
	memcpy(buf + 32, xd_test_canary, 32);
	assert_int_equal(xd_xfrm_scrub(buf, 10), 1);
	for (int i = 0; i < 10; i++)
		assert_int_equal(buf[i], 0);
	/* a DELSA event carries keys too */
	struct xfrm_usersa_id id = { .proto = IPPROTO_ESP, .family = AF_INET };
	nlb_init(&B);
	nlb_msg(&B, XFRM_MSG_DELSA, 0);
	nlb_put(&B, &id, sizeof(id));
	nlb_xfrm_alg(&B, XFRMA_ALG_AEAD, "rfc4106(gcm(aes))", xd_test_canary, 160, 128);
	assert_true(xd_test_has_canary(B.buf, B.len));
	assert_int_equal(xd_xfrm_scrub(B.buf, B.len), 1);
	assert_false(xd_test_has_canary(B.buf, B.len));
	/* second pass finds nothing */
	assert_int_equal(xd_xfrm_scrub(B.buf, B.len), 0);
}

static void test_policy_templates(void **state)
{
	struct xfrm_userpolicy_info p;
	struct xfrm_user_tmpl t[2];
	struct xfrm_userpolicy_type pt = { .type = 0 };

	memset(&p, 0, sizeof(p));
	memset(t, 0, sizeof(t));
	p.sel.family = AF_INET;
	p.sel.prefixlen_s = 16;
	p.sel.prefixlen_d = 24;
	p.sel.proto = 6;
	p.sel.dport = htons(8443);
	p.sel.dport_mask = 0xffff;
	p.priority = 383615;
	p.index = 0x1239;
	p.dir = 1;
	for (int i = 0; i < 2; i++) {
		t[i].family = AF_INET;
		t[i].id.proto = i ? IPPROTO_ESP : 108;
		t[i].reqid = 16389;
		t[i].mode = 1;
		t[i].optional = i ? 0 : 1;
	}
	nlb_init(&B);
	nlb_msg(&B, XFRM_MSG_NEWPOLICY, NLM_F_MULTI);
	nlb_put(&B, &p, sizeof(p));
	nlb_attr(&B, XFRMA_TMPL, t, sizeof(t));
	nlb_attr(&B, XFRMA_POLICY_TYPE, &pt, sizeof(pt));
	/* and a second policy with a template list of a bad length */
	p.index = 0x1240;
	nlb_msg(&B, XFRM_MSG_NEWPOLICY, NLM_F_MULTI);
	nlb_put(&B, &p, sizeof(p));
	nlb_attr(&B, XFRMA_TMPL, t, sizeof(t) - 10);
	nlb_msg(&B, NLMSG_DONE, NLM_F_MULTI);
	nlb_put(&B, NULL, 4);

	struct xd_snapshot *s = decode(XD_DUMP_XFRM_POLICY);
	assert_int_equal(s->policies.len, 2);
	const struct xd_policy *pol = xd_snapshot_policy(s, 0);
	assert_int_equal(pol->priority, 383615);
	assert_int_equal(pol->dir, 1);
	assert_int_equal(pol->sel.dport, 8443);
	assert_int_equal(pol->sel.prefixlen_d, 24);
	assert_int_equal(pol->tmpl_count, 2);
	assert_int_equal(xd_policy_tmpl(s, pol, 1)->reqid, 16389);
	assert_int_equal(xd_policy_tmpl(s, pol, 0)->optional, 1);
	assert_int_equal(xd_snapshot_policy(s, 1)->tmpl_count, 1);
	assert_int_equal(s->issues.len, 1);
	xd_snapshot_free(s);
}

static void test_info_and_default(void **state)
{
	uint32_t flags = 0xffffffff, cnt = 5;
	struct xfrmu_sadhinfo h = { .sadhcnt = 8, .sadhmcnt = 1024 };
	struct xfrmu_spdinfo si = { .incnt = 1, .outcnt = 2, .fwdcnt = 3, .inscnt = 4 };
	struct xfrm_userpolicy_default d = { .in = 1, .fwd = 2, .out = 2 };
	struct xd_snapshot *s = NULL;

	assert_int_equal(xd_snapshot_new(&s), 0);
	nlb_init(&B);
	nlb_msg(&B, XFRM_MSG_NEWSADINFO, 0);
	nlb_put(&B, &flags, 4);
	nlb_attr(&B, XFRMA_SAD_CNT, &cnt, 4);
	nlb_attr(&B, XFRMA_SAD_HINFO, &h, sizeof(h));
	xd_decode_xfrm(s, XD_DUMP_XFRM_SADINFO, B.buf, B.len);
	nlb_init(&B);
	nlb_msg(&B, XFRM_MSG_NEWSPDINFO, 0);
	nlb_put(&B, &flags, 4);
	nlb_attr(&B, XFRMA_SPD_INFO, &si, sizeof(si));
	xd_decode_xfrm(s, XD_DUMP_XFRM_SPDINFO, B.buf, B.len);
	nlb_init(&B);
	nlb_msg(&B, XFRM_MSG_GETDEFAULT, 0);
	nlb_put(&B, &d, sizeof(d));
	xd_decode_xfrm(s, XD_DUMP_XFRM_DEFAULT, B.buf, B.len);
	assert_true(s->sadinfo.present);
	assert_int_equal(s->sadinfo.count, 5);
	assert_int_equal(s->sadinfo.hash_max, 1024);
	assert_int_equal(s->spdinfo.fwd, 3);
	assert_int_equal(s->spdinfo.sock_in, 4);
	assert_true(s->defaults.present);
	assert_int_equal(s->defaults.in, 1);
	assert_int_equal(s->issues.len, 0);
	xd_snapshot_free(s);
}

static void test_xfrm_stat(void **state)
{
	const char text[] = "XfrmInError             \t0\nXfrmInNoStates          \t17\n"
			    "garbage line\n\nXfrmNew\t99999999999999999999999\nXfrmOutNoStates\t3";
	struct xd_snapshot *s = NULL;

	assert_int_equal(xd_snapshot_new(&s), 0);
	assert_int_equal(xd_decode_xfrm_stat(s, text, sizeof(text) - 1), 0);
	assert_true(s->xfrm_stat.present);
	assert_int_equal(s->xfrm_stat.counters.len, 3);
	const struct xd_counter *c = xd_vec_at(&s->xfrm_stat.counters, 1);
	assert_string_equal(c->name, "XfrmInNoStates");
	assert_int_equal(c->value, 17);
	assert_int_equal(s->issues.len, 2);
	xd_snapshot_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sa_all_attributes),
		cmocka_unit_test(test_sa_aead_and_unknown_attr),
		cmocka_unit_test(test_sa_truncated_attribute),
		cmocka_unit_test(test_sa_short_attribute),
		cmocka_unit_test(test_sa_inconsistent_key_length_and_name),
		cmocka_unit_test(test_framing_errors),
		cmocka_unit_test(test_scrub_fails_closed),
		cmocka_unit_test(test_policy_templates),
		cmocka_unit_test(test_info_and_default),
		cmocka_unit_test(test_xfrm_stat),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
