/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-kevent.c: the kernel-event decoder (decode/decode-kevent.c) on hand-built event
 * datagrams, XFRM and nf_tables, and the watch-line renderer (render/render-watch.c): each
 * line exactly, one time format, no key byte.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <json-c/json.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>
#include <linux/xfrm.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "nlbuild.h"
#include "xfrmd/decode.h"
#include "xfrmd/kevent.h"
#include "xfrmd/render.h"

static struct nlb B;

struct got {
	struct xd_kevent ev[16];
	size_t n;
	int fail_after; /* >0: the callback refuses the event after this many */
};

static int collect(void *ud, const struct xd_kevent *e)
{
	struct got *g = ud;

	if (g->fail_after && g->n == (size_t)g->fail_after)
		return -ECANCELED;
	assert_true(g->n < 16);
	g->ev[g->n++] = *e;
	return 0;
}

static int decode(uint16_t proto, struct got *g)
{
	memset(g, 0, sizeof(*g));
	return xd_decode_kevents(proto, B.buf, B.len, collect, g);
}

/* The rendered line of one event, at a fixed time, without its newline (caller frees). */
static char *line_of(const struct xd_kevent *e)
{
	struct xd_kevent x = *e;
	char *line = NULL;
	size_t len = 0;

	x.time_ms = 1796661619448ll; /* 2026-12-07T16:40:19.448Z */
	assert_int_equal(xd_render_watch_kevent(&x, &line, &len), 0);
	assert_int_equal(strlen(line), len);
	assert_true(len > 0 && line[len - 1] == '\n');
	assert_null(memchr(line, '\n', len - 1)); /* one line */
	line[len - 1] = 0;
	return line;
}

static void expect_line(const struct xd_kevent *e, const char *want)
{
	char *l = line_of(e);

	assert_string_equal(l, want);
	free(l);
}

static void v4(xfrm_address_t *a, const char *s)
{
	memset(a, 0, sizeof(*a));
	assert_int_equal(inet_pton(AF_INET, s, &a->a4), 1);
}

static struct xfrm_usersa_info sa_info(uint32_t spi)
{
	struct xfrm_usersa_info u = { 0 };

	u.family = AF_INET;
	v4(&u.saddr, "192.0.2.1");
	v4(&u.id.daddr, "198.51.100.7");
	u.id.spi = htonl(spi);
	u.id.proto = IPPROTO_ESP;
	u.reqid = 7;
	u.mode = XFRM_MODE_TUNNEL;
	return u;
}

static struct xfrm_userpolicy_info pol_info(uint8_t dir, uint32_t index)
{
	struct xfrm_userpolicy_info p = { 0 };

	p.sel.family = AF_INET;
	v4(&p.sel.saddr, "10.1.0.0");
	v4(&p.sel.daddr, "10.2.0.0");
	p.sel.prefixlen_s = 16;
	p.sel.prefixlen_d = 24;
	p.dir = dir;
	p.index = index;
	return p;
}

/* NEWSA and UPDSA as the SA group sends them: with keys, which neither event nor line holds */
static void test_sa_added(void **state)
{
	struct xfrm_usersa_info u = sa_info(0xc1010101);
	struct got g;
	char *l;

	nlb_init(&B);
	nlb_msg(&B, XFRM_MSG_NEWSA, 0);
	nlb_put(&B, &u, sizeof(u));
	nlb_xfrm_alg(&B, XFRMA_ALG_AEAD, "rfc4106(gcm(aes))", xd_test_canary, 160, 128);
	nlb_msg(&B, XFRM_MSG_UPDSA, 0);
	nlb_put(&B, &u, sizeof(u));
	nlb_xfrm_alg(&B, XFRMA_ALG_CRYPT, "cbc(aes)", xd_test_canary, 128, 0);
	(void)xd_xfrm_scrub(B.buf, B.len);
	assert_int_equal(decode(NETLINK_XFRM, &g), 0);
	assert_int_equal(g.n, 2);
	assert_int_equal(g.ev[0].type, XD_KEV_SA_ADDED);
	assert_int_equal(g.ev[1].type, XD_KEV_SA_UPDATED);
	assert_int_equal(g.ev[0].spi, 0xc1010101);
	assert_int_equal(g.ev[0].reqid, 7);
	assert_int_equal(g.ev[0].proto, IPPROTO_ESP);
	assert_int_equal(g.ev[0].time_ms, 0); /* the reader stamps it */
	assert_false(xd_test_has_canary(g.ev, sizeof(g.ev)));
	l = line_of(&g.ev[0]);
	assert_string_equal(l, "{\"event\":\"xfrm.sa_added\",\"time\":\"2026-12-07T16:40:19.448Z\","
			       "\"family\":\"ipv4\",\"src\":\"192.0.2.1\",\"dst\":\"198.51.100.7\","
			       "\"proto\":\"esp\",\"spi\":3238068481,\"reqid\":7}");
	assert_false(xd_test_has_canary(l, strlen(l)));
	free(l);
}

/* DELSA: the id alone names the destination; the XFRMA_SA the kernel appends adds the
 * source and reqid. A broken attribute tail keeps the id's view. */
static void test_sa_deleted(void **state)
{
	struct xfrm_usersa_info u = sa_info(0x2000);
	struct xfrm_usersa_id id = { .daddr = u.id.daddr, .spi = u.id.spi, .family = AF_INET,
				     .proto = IPPROTO_ESP };
	struct nlattr *bad;
	struct got g;

	nlb_init(&B);
	nlb_msg(&B, XFRM_MSG_DELSA, 0);
	nlb_put(&B, &id, sizeof(id));
	nlb_attr(&B, XFRMA_SA, &u, sizeof(u));
	nlb_msg(&B, XFRM_MSG_DELSA, 0);
	nlb_put(&B, &id, sizeof(id));
	assert_int_equal(decode(NETLINK_XFRM, &g), 0);
	assert_int_equal(g.n, 2);
	expect_line(&g.ev[0], "{\"event\":\"xfrm.sa_deleted\",\"time\":\"2026-12-07T16:40:19.448Z\","
			      "\"family\":\"ipv4\",\"src\":\"192.0.2.1\",\"dst\":\"198.51.100.7\","
			      "\"proto\":\"esp\",\"spi\":8192,\"reqid\":7}");
	assert_false(g.ev[1].has & XD_KEVH_REQID);
	expect_line(&g.ev[1], "{\"event\":\"xfrm.sa_deleted\",\"time\":\"2026-12-07T16:40:19.448Z\","
			      "\"family\":\"ipv4\",\"src\":\"0.0.0.0\",\"dst\":\"198.51.100.7\","
			      "\"proto\":\"esp\",\"spi\":8192}");

	/* an attribute claiming more than the message holds: the id is used */
	nlb_init(&B);
	nlb_msg(&B, XFRM_MSG_DELSA, 0);
	nlb_put(&B, &id, sizeof(id));
	bad = nlb_attr(&B, XFRMA_SA, &u, sizeof(u));
	bad = (struct nlattr *)((char *)bad - NLA_HDRLEN);
	bad->nla_len = (uint16_t)(bad->nla_len + 64);
	assert_int_equal(decode(NETLINK_XFRM, &g), 0);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.ev[0].spi, 0x2000);
	assert_false(g.ev[0].has & XD_KEVH_REQID);
	/* an XFRMA_SA too short for a state is not read */
	nlb_init(&B);
	nlb_msg(&B, XFRM_MSG_DELSA, 0);
	nlb_put(&B, &id, sizeof(id));
	nlb_attr(&B, XFRMA_SA, &u, sizeof(u) - 8);
	assert_int_equal(decode(NETLINK_XFRM, &g), 0);
	assert_int_equal(g.n, 1);
	assert_false(g.ev[0].has & XD_KEVH_REQID);
}

static void test_sa_expired_and_flushed(void **state)
{
	struct xfrm_user_expire x = { .state = sa_info(0), .hard = 1 };
	struct xfrm_user_expire soft = { .state = sa_info(0x3000), .hard = 0 };
	struct xfrm_usersa_flush f = { .proto = IPPROTO_AH };
	struct got g;

	nlb_init(&B);
	nlb_msg(&B, XFRM_MSG_EXPIRE, 0);
	nlb_put(&B, &x, sizeof(x));
	nlb_msg(&B, XFRM_MSG_EXPIRE, 0);
	nlb_put(&B, &soft, sizeof(soft));
	nlb_msg(&B, XFRM_MSG_FLUSHSA, 0);
	nlb_put(&B, &f, sizeof(f));
	assert_int_equal(decode(NETLINK_XFRM, &g), 0);
	assert_int_equal(g.n, 3);
	/* the hard expiry of a larval state: nobody answered the ACQUIRE */
	expect_line(&g.ev[0], "{\"event\":\"xfrm.sa_expired\",\"time\":\"2026-12-07T16:40:19.448Z\","
			      "\"family\":\"ipv4\",\"src\":\"192.0.2.1\",\"dst\":\"198.51.100.7\","
			      "\"proto\":\"esp\",\"spi\":0,\"reqid\":7,\"hard\":true,"
			      "\"acquire_unanswered\":true}");
	expect_line(&g.ev[1], "{\"event\":\"xfrm.sa_expired\",\"time\":\"2026-12-07T16:40:19.448Z\","
			      "\"family\":\"ipv4\",\"src\":\"192.0.2.1\",\"dst\":\"198.51.100.7\","
			      "\"proto\":\"esp\",\"spi\":12288,\"reqid\":7,\"hard\":false}");
	expect_line(&g.ev[2], "{\"event\":\"xfrm.sa_flushed\",\"time\":\"2026-12-07T16:40:19.448Z\","
			      "\"proto\":\"ah\"}");
}

static void test_policies(void **state)
{
	struct xfrm_userpolicy_info p = pol_info(XFRM_POLICY_OUT, 8);
	struct xfrm_userpolicy_id id = { .sel = p.sel, .index = 9, .dir = XFRM_POLICY_FWD };
	struct xfrm_user_polexpire px = { .pol = pol_info(XFRM_POLICY_IN, 10), .hard = 1 };
	struct got g;

	nlb_init(&B);
	nlb_msg(&B, XFRM_MSG_NEWPOLICY, 0);
	nlb_put(&B, &p, sizeof(p));
	nlb_msg(&B, XFRM_MSG_UPDPOLICY, 0);
	nlb_put(&B, &p, sizeof(p));
	nlb_msg(&B, XFRM_MSG_DELPOLICY, 0); /* with the policy appended */
	nlb_put(&B, &id, sizeof(id));
	nlb_attr(&B, XFRMA_POLICY, &p, sizeof(p));
	nlb_msg(&B, XFRM_MSG_DELPOLICY, 0); /* the id alone */
	nlb_put(&B, &id, sizeof(id));
	nlb_msg(&B, XFRM_MSG_POLEXPIRE, 0);
	nlb_put(&B, &px, sizeof(px));
	nlb_msg(&B, XFRM_MSG_FLUSHPOLICY, 0);
	nlb_msg(&B, XFRM_MSG_GETDEFAULT, 0);
	assert_int_equal(decode(NETLINK_XFRM, &g), 0);
	assert_int_equal(g.n, 7);
	expect_line(&g.ev[0], "{\"event\":\"xfrm.policy_added\",\"time\":\"2026-12-07T16:40:19.448Z\","
			      "\"family\":\"ipv4\",\"src\":\"10.1.0.0/16\",\"dst\":\"10.2.0.0/24\","
			      "\"dir\":\"out\",\"index\":8}");
	assert_int_equal(g.ev[1].type, XD_KEV_POLICY_UPDATED);
	assert_int_equal(g.ev[2].type, XD_KEV_POLICY_DELETED);
	assert_int_equal(g.ev[2].index, 8); /* from XFRMA_POLICY */
	expect_line(&g.ev[3], "{\"event\":\"xfrm.policy_deleted\",\"time\":\"2026-12-07T16:40:19.448Z\","
			      "\"family\":\"ipv4\",\"src\":\"10.1.0.0/16\",\"dst\":\"10.2.0.0/24\","
			      "\"dir\":\"fwd\",\"index\":9}");
	expect_line(&g.ev[4], "{\"event\":\"xfrm.policy_expired\",\"time\":\"2026-12-07T16:40:19.448Z\","
			      "\"family\":\"ipv4\",\"src\":\"10.1.0.0/16\",\"dst\":\"10.2.0.0/24\","
			      "\"dir\":\"in\",\"index\":10,\"hard\":true}");
	expect_line(&g.ev[5], "{\"event\":\"xfrm.policy_flushed\",\"time\":\"2026-12-07T16:40:19.448Z\"}");
	expect_line(&g.ev[6], "{\"event\":\"xfrm.default_changed\",\"time\":\"2026-12-07T16:40:19.448Z\"}");
}

static void test_mapping_migrate_v6(void **state)
{
	struct xfrm_user_mapping m = { 0 };
	struct xfrm_usersa_info u = sa_info(0x4000);
	struct got g;

	m.id.family = AF_INET;
	m.id.daddr = u.id.daddr;
	m.id.spi = htonl(0x4000);
	m.id.proto = IPPROTO_ESP;
	m.reqid = 3;
	v4(&m.old_saddr, "203.0.113.5");
	v4(&m.new_saddr, "203.0.113.9");
	m.old_sport = htons(4500);
	m.new_sport = htons(31000);
	u.family = AF_INET6;
	memset(&u.saddr, 0, sizeof(u.saddr));
	memset(&u.id.daddr, 0, sizeof(u.id.daddr));
	assert_int_equal(inet_pton(AF_INET6, "2001:db8::1", &u.saddr), 1);
	assert_int_equal(inet_pton(AF_INET6, "2001:db8::2", &u.id.daddr), 1);
	nlb_init(&B);
	nlb_msg(&B, XFRM_MSG_MAPPING, 0);
	nlb_put(&B, &m, sizeof(m));
	nlb_msg(&B, XFRM_MSG_MIGRATE, 0);
	nlb_msg(&B, XFRM_MSG_NEWSA, 0);
	nlb_put(&B, &u, sizeof(u));
	assert_int_equal(decode(NETLINK_XFRM, &g), 0);
	assert_int_equal(g.n, 3);
	expect_line(&g.ev[0], "{\"event\":\"nat.mapping_changed\",\"time\":\"2026-12-07T16:40:19.448Z\","
			      "\"family\":\"ipv4\",\"src\":\"203.0.113.5\",\"dst\":\"198.51.100.7\","
			      "\"proto\":\"esp\",\"spi\":16384,\"reqid\":3,\"new_src\":\"203.0.113.9\","
			      "\"old_sport\":4500,\"new_sport\":31000}");
	expect_line(&g.ev[1], "{\"event\":\"xfrm.sa_migrated\",\"time\":\"2026-12-07T16:40:19.448Z\"}");
	expect_line(&g.ev[2], "{\"event\":\"xfrm.sa_added\",\"time\":\"2026-12-07T16:40:19.448Z\","
			      "\"family\":\"ipv6\",\"src\":\"2001:db8::1\",\"dst\":\"2001:db8::2\","
			      "\"proto\":\"esp\",\"spi\":16384,\"reqid\":7}");
}

/* Unknown and short messages are skipped; a length that leaves the datagram ends it, after
 * the events before it were delivered; the callback's refusal ends the walk. */
static void test_framing(void **state)
{
	struct xfrm_usersa_info u = sa_info(0x5000);
	struct xfrm_usersa_id id = { 0 };
	struct nlmsghdr *h;
	struct got g;

	nlb_init(&B);
	nlb_msg(&B, XFRM_MSG_NEWSA, 0);
	nlb_put(&B, &u, sizeof(u) - 4); /* too short */
	nlb_msg(&B, 0x7777, 0);
	nlb_put(&B, &u, sizeof(u));
	nlb_msg(&B, NLMSG_DONE, 0);
	nlb_msg(&B, XFRM_MSG_DELSA, 0);
	nlb_put(&B, &id, sizeof(id) - 4); /* nlb_put pads to 4 */
	nlb_msg(&B, XFRM_MSG_NEWSA, 0);
	nlb_put(&B, &u, sizeof(u));
	assert_int_equal(decode(NETLINK_XFRM, &g), 0);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.ev[0].spi, 0x5000);

	nlb_init(&B);
	nlb_msg(&B, XFRM_MSG_NEWSA, 0);
	nlb_put(&B, &u, sizeof(u));
	h = nlb_msg(&B, XFRM_MSG_NEWSA, 0);
	nlb_put(&B, &u, sizeof(u));
	h->nlmsg_len += 4;
	assert_int_equal(decode(NETLINK_XFRM, &g), -EBADMSG);
	assert_int_equal(g.n, 1);
	h->nlmsg_len = 3;
	assert_int_equal(decode(NETLINK_XFRM, &g), -EBADMSG);
	assert_int_equal(g.n, 1);
	/* a datagram shorter than a header */
	assert_int_equal(xd_decode_kevents(NETLINK_XFRM, B.buf, 7, collect, &g), -EBADMSG);
	assert_int_equal(xd_decode_kevents(NETLINK_XFRM, B.buf, 0, collect, &g), 0);
	assert_int_equal(xd_decode_kevents(NETLINK_ROUTE, B.buf, B.len, collect, &g),
			 -EPROTONOSUPPORT);

	nlb_init(&B);
	for (int i = 0; i < 3; i++) {
		nlb_msg(&B, XFRM_MSG_NEWSA, 0);
		nlb_put(&B, &u, sizeof(u));
	}
	memset(&g, 0, sizeof(g));
	g.fail_after = 2;
	assert_int_equal(xd_decode_kevents(NETLINK_XFRM, B.buf, B.len, collect, &g), -ECANCELED);
	assert_int_equal(g.n, 2);
}

/* nf_tables: NEWGEN names the committing process, in printable ASCII only */
static void test_nft(void **state)
{
	struct nfgenmsg gm = { .nfgen_family = AF_UNSPEC, .version = NFNETLINK_V0 };
	uint32_t gen = htonl(42), pid = htonl(1234);
	const char evil[] = "n\x1b[2Jft\xff\"x";
	struct got g;

	nlb_init(&B);
	nlb_msg(&B, (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWTABLE, 0); /* not a commit */
	nlb_put(&B, &gm, sizeof(gm));
	nlb_msg(&B, (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWGEN, 0);
	nlb_put(&B, &gm, sizeof(gm));
	nlb_attr(&B, NFTA_GEN_ID, &gen, sizeof(gen));
	nlb_attr(&B, NFTA_GEN_PROC_PID, &pid, sizeof(pid));
	nlb_attr(&B, NFTA_GEN_PROC_NAME, evil, sizeof(evil));
	nlb_msg(&B, (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWGEN, 0); /* no process */
	nlb_put(&B, &gm, sizeof(gm));
	nlb_msg(&B, (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWGEN, 0); /* no nfgenmsg */
	assert_int_equal(decode(NETLINK_NETFILTER, &g), 0);
	assert_int_equal(g.n, 2);
	expect_line(&g.ev[0], "{\"event\":\"firewall.changed\",\"time\":\"2026-12-07T16:40:19.448Z\","
			      "\"pid\":1234,\"process\":\"n?[2Jft?\\\"x\"}");
	expect_line(&g.ev[1], "{\"event\":\"firewall.changed\",\"time\":\"2026-12-07T16:40:19.448Z\"}");
	/* XFRM messages mean nothing on the netfilter socket, and the reverse */
	assert_int_equal(decode(NETLINK_XFRM, &g), 0);
	assert_int_equal(g.n, 0);
}

/* Events the daemon makes itself, unknown types, and the finding lines */
static void test_render_other(void **state)
{
	struct xd_kevent acq = { .type = XD_KEV_SA_ACQUIRE, .family = AF_INET, .proto = 50,
				 .reqid = 7, .has = XD_KEVH_ADDRS | XD_KEVH_PROTO | XD_KEVH_REQID };
	struct xd_kevent ovr = { .type = XD_KEV_OVERRUN };
	struct xd_kevent bad = { .type = _XD_KEV_MAX };
	struct xd_kevent odd = { .type = XD_KEV_POLICY_ADDED, .family = AF_INET, .dir = 7,
				 .has = XD_KEVH_INDEX, .index = 1 };
	struct json_object *f = json_tokener_parse("{\"id\":\"sa.one_way\",\"severity\":\"error\"}");
	char *line = NULL;
	size_t len;

	expect_line(&acq, "{\"event\":\"xfrm.sa_acquire\",\"time\":\"2026-12-07T16:40:19.448Z\","
			  "\"family\":\"ipv4\",\"src\":\"0.0.0.0\",\"dst\":\"0.0.0.0\","
			  "\"proto\":\"esp\",\"reqid\":7}");
	expect_line(&ovr, "{\"event\":\"overrun\",\"time\":\"2026-12-07T16:40:19.448Z\"}");
	/* a direction the names table does not know stays a number */
	expect_line(&odd, "{\"event\":\"xfrm.policy_added\",\"time\":\"2026-12-07T16:40:19.448Z\","
			  "\"dir\":7,\"index\":1}");
	assert_int_equal(xd_render_watch_kevent(&bad, &line, &len), -EINVAL);
	assert_null(xd_kevent_name(0));
	assert_null(xd_kevent_name(1000));

	assert_non_null(f);
	assert_int_equal(xd_render_watch_finding(true, f, 1796661619448ll, 0, &line, &len), 0);
	assert_string_equal(line, "{\"event\":\"finding.raised\",\"time\":\"2026-12-07T16:40:19.448Z\","
				  "\"finding\":{\"id\":\"sa.one_way\",\"severity\":\"error\"}}\n");
	free(line);
	assert_int_equal(xd_render_watch_finding(false, f, 1796661619448ll, 1796661600001ll, &line,
						 &len),
			 0);
	assert_string_equal(line, "{\"event\":\"finding.cleared\",\"time\":\"2026-12-07T16:40:19.448Z\","
				  "\"raised_at\":\"2026-12-07T16:40:00.001Z\","
				  "\"finding\":{\"id\":\"sa.one_way\",\"severity\":\"error\"}}\n");
	assert_int_equal(len, strlen(line));
	free(line);
	json_object_put(f); /* the renderer took its own reference and gave it back */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sa_added),
		cmocka_unit_test(test_sa_deleted),
		cmocka_unit_test(test_sa_expired_and_flushed),
		cmocka_unit_test(test_policies),
		cmocka_unit_test(test_mapping_migrate_v6),
		cmocka_unit_test(test_framing),
		cmocka_unit_test(test_nft),
		cmocka_unit_test(test_render_other),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
