/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-ipxfrm.c: support archive text (docs/support-archives.md): the `ip xfrm state|policy`
 * and `uname -a` importers on real iproute2 output (tests/data/archives, collected in the UML
 * bed), masked and unmasked keys (the canary never reaches the model or any rendering), the
 * content test, and the sos layout reader's per-input statuses.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "xfrmd/capture.h"
#include "xfrmd/decode.h"
#include "xfrmd/model.h"
#include "xfrmd/render.h"

/* a key nobody would type: what must never come out */
#define CANARY "c0ffee15deadbeefc0ffee15deadbeef"

static const char state_unmasked[] =
	"src 192.0.2.1 dst 192.0.2.2\n"
	"\tproto esp spi 0x00000301(769) reqid 4(0x00000004) mode tunnel\n"
	"\treplay-window 0 seq 0x00000000 flag af-unspec (0x00100000)\n"
	"\tauth-trunc hmac(sha256) 0x" CANARY CANARY " (256 bits) 128\n"
	"\tenc cbc(aes) 0x" CANARY " (128 bits)\n"
	"\tencap type espinudp sport 4500 dport 4500 addr 0.0.0.0\n"
	"\tmark 0x10/0xff\n"
	"\toutput-mark 0x5/0xffffffff\n"
	"\tif_id 0x7\n"
	"\tanti-replay context: seq 0x0, oseq 0x3, bitmap 0x00000000\n"
	"\tsel src 10.1.0.0/24 dst 10.2.0.0/24 uid 0\n"
	"\tlifetime config:\n"
	"\t  limit: soft (INF)(bytes), hard 100000000(bytes)\n"
	"\t  limit: soft (INF)(packets), hard (INF)(packets)\n"
	"\t  expire add: soft 3000(sec), hard 3600(sec)\n"
	"\t  expire use: soft 0(sec), hard 0(sec)\n"
	"\tlifetime current:\n"
	"\t  252(bytes), 3(packets)\n"
	"\t  add 2026-12-07 19:54:35 use 2026-12-07 19:54:36\n"
	"\tstats:\n"
	"\t  replay-window 0 replay 0 failed 2\n"
	"src 2001:db8::1 dst 2001:db8::2\n"
	"\tproto esp spi 0x00000200 reqid 2 mode tunnel\n"
	"\treplay-window 0 flag esn\n"
	"\taead rfc7539esp(chacha20,poly1305) 0x" CANARY CANARY "01020304 128\n"
	"\tanti-replay esn context:\n"
	"\t seq-hi 0x0, seq 0x0, oseq-hi 0x0, oseq 0x5\n"
	"\t replay_window 2048, bitmap-length 64\n"
	"\t 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 \n"
	"\tdir out\n";

/* the same, as sos's libreswan plugin leaves it */
static const char state_masked[] =
	"src 192.0.2.1 dst 192.0.2.2\n"
	"\tproto esp spi 0x00000100 reqid 1 mode transport\n"
	"\treplay-window 32 \n"
	"\taead rfc4106(gcm(aes)) ******** 128\n"
	"\tanti-replay context: seq 0x0, oseq 0x0, bitmap 0x00000000\n"
	"\tsel src 192.0.2.1/32 dst 192.0.2.2/32 \n";

static const char policy_text[] = /* iproute2 6.1, ip -s -d xfrm policy */
	"src 2001:db8:1::/64 dst 2001:db8:2::/64 uid 0\n"
	"\tdir fwd action block index 10 priority 0 ptype main share any flag  (0x00000000)\n"
	"\tlifetime config:\n"
	"\t  limit: soft (INF)(bytes), hard (INF)(bytes)\n"
	"\t  limit: soft (INF)(packets), hard (INF)(packets)\n"
	"\t  expire add: soft 0(sec), hard 0(sec)\n"
	"\t  expire use: soft 0(sec), hard 0(sec)\n"
	"\tlifetime current:\n"
	"\t  0(bytes), 0(packets)\n"
	"\t  add 2026-12-07 19:54:35 use -\n"
	"src 10.1.0.0/24 dst 10.2.0.0/24 proto tcp dport 8443 uid 0\n"
	"\tdir out action allow index 8 priority 2000 ptype main share any flag  (0x00000000)\n"
	"\tmark 0x5/0xff\n"
	"\tif_id 0x3\n"
	"\ttmpl src 192.0.2.1 dst 192.0.2.2\n"
	"\t\tproto esp spi 0x00000000(0) reqid 20(0x00000014) mode tunnel\n"
	"\t\tlevel use share any \n"
	"\t\tenc-mask ffffffff auth-mask 00000003 comp-mask ffffffff\n"
	"src 0.0.0.0/0 dst 0.0.0.0/0 \n"
	"\tsocket out priority 0 ptype main \n";

static struct xd_snapshot *decode(int (*fn)(struct xd_snapshot *, const void *, size_t),
				  const char *text)
{
	struct xd_snapshot *s = NULL;
	char *buf = strdup(text);

	assert_non_null(buf);
	assert_int_equal(xd_snapshot_new(&s), 0);
	(void)xd_ipxfrm_scrub(buf, strlen(buf));
	assert_int_equal(fn(s, buf, strlen(buf)), 0);
	free(buf);
	xd_snapshot_sort(s);
	return s;
}

static void assert_no_canary(const struct xd_snapshot *s)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	assert_non_null(f);
	assert_int_equal(xd_render_json(f, s, ~0u, NULL), 0);
	assert_int_equal(xd_render_text(f, s, ~0u, NULL), 0);
	fclose(f);
	assert_null(memmem(out, len, "c0ffee15", 8));
	assert_null(memmem(out, len, "C0FFEE15", 8));
	free(out);
}

static void test_scrub(void **st)
{
	char *buf = strdup(state_unmasked);
	char *m = strdup(state_masked);

	/* auth-trunc, enc, aead: three keys */
	assert_int_equal(xd_ipxfrm_scrub(buf, strlen(buf)), 3);
	assert_null(strstr(buf, "c0ffee15"));
	assert_int_equal(xd_ipxfrm_scrub(buf, strlen(buf)), 0);
	/* what is not a key stays: SPI, seq, bitmap, marks */
	assert_non_null(strstr(buf, "spi 0x00000301(769)"));
	assert_non_null(strstr(buf, "mark 0x10/0xff"));
	assert_int_equal(xd_ipxfrm_scrub(m, strlen(m)), 0);
	assert_string_equal(m, state_masked);
	free(buf);
	free(m);
}

static void test_state(void **st)
{
	struct xd_snapshot *s = decode(xd_decode_ip_xfrm_state, state_unmasked);
	const struct xd_sa *a, *b;

	assert_int_equal(s->sas.len, 2);
	assert_int_equal(s->issues.len, 0);
	a = xd_snapshot_sa(s, 0);
	b = xd_snapshot_sa(s, 1);
	if (a->family != AF_INET) {
		const struct xd_sa *t = a;
		a = b;
		b = t;
	}
	assert_int_equal(a->spi, 0x301);
	assert_int_equal(a->reqid, 4);
	assert_int_equal(a->proto, 50);
	assert_int_equal(a->mode, XD_MODE_TUNNEL);
	assert_int_equal(a->flags, 32 /* af_unspec */);
	assert_string_equal(a->algs->auth.name, "hmac(sha256)");
	assert_int_equal(a->algs->auth.key_bits, 256);
	assert_int_equal(a->algs->auth.icv_bits, 128);
	assert_string_equal(a->algs->enc.name, "cbc(aes)");
	assert_int_equal(a->algs->enc.key_bits, 128);
	assert_true(a->has & XD_SA_HAS_ENCAP);
	assert_int_equal(a->encap.type, 2);
	assert_int_equal(a->encap.sport, 4500);
	assert_int_equal(a->mark.v, 0x10);
	assert_int_equal(a->mark.m, 0xff);
	assert_int_equal(a->set_mark, 5);
	assert_int_equal(a->if_id, 7);
	assert_int_equal(a->replay.oseq, 3);
	assert_int_equal(a->sel.family, AF_INET);
	assert_int_equal(a->sel.prefixlen_d, 24);
	assert_true(a->lft->hard_byte_limit == 100000000);
	assert_true(a->lft->soft_byte_limit == XD_INF);
	assert_true(a->lft->hard_add_expires_s == 3600);
	assert_true(a->curlft.bytes == 252);
	assert_true(a->curlft.add_time == 1796673275);
	assert_int_equal(a->stats_integrity_failed, 2);
	assert_int_equal(b->family, AF_INET6);
	assert_true(b->flags & 128);
	assert_true(b->has & XD_SA_HAS_REPLAY_ESN);
	assert_int_equal(b->replay.window, 2048);
	assert_int_equal(b->replay.oseq, 5);
	assert_string_equal(b->algs->aead.name, "rfc7539esp(chacha20,poly1305)");
	assert_int_equal(b->algs->aead.key_bits, 288);
	assert_int_equal(b->algs->aead.icv_bits, 128);
	assert_int_equal(b->dir, 2);
	assert_int_equal(b->sel.family, 0); /* no sel line: unspec, as the kernel holds it */
	assert_no_canary(s);
	xd_snapshot_free(s);
}

static void test_state_masked(void **st)
{
	struct xd_snapshot *s = decode(xd_decode_ip_xfrm_state, state_masked);
	const struct xd_sa *a;

	assert_int_equal(s->sas.len, 1);
	assert_int_equal(s->issues.len, 0);
	a = xd_snapshot_sa(s, 0);
	assert_int_equal(a->mode, XD_MODE_TRANSPORT);
	assert_string_equal(a->algs->aead.name, "rfc4106(gcm(aes))");
	assert_int_equal(a->algs->aead.key_bits, 0); /* sos hid the length with the key */
	assert_int_equal(a->algs->aead.icv_bits, 128);
	assert_int_equal(a->replay_window_u8, 32);
	xd_snapshot_free(s);
}

static void test_policy(void **st)
{
	struct xd_snapshot *s = decode(xd_decode_ip_xfrm_policy, policy_text);
	const struct xd_policy *p;
	bool seen[3] = { false };

	assert_int_equal(s->policies.len, 3);
	assert_int_equal(s->issues.len, 0);
	for (size_t i = 0; i < 3; i++) {
		p = xd_snapshot_policy(s, i);
		if (p->dir == 2) {
			seen[0] = true;
			assert_int_equal(p->action, 1);
			assert_int_equal(p->index, 10);
			assert_int_equal(p->sel.family, AF_INET6);
			assert_int_equal(p->tmpl_count, 0);
		} else if (p->dir == 1) {
			const struct xd_tmpl *t = xd_policy_tmpl(s, p, 0);
			seen[1] = true;
			assert_int_equal(p->priority, 2000);
			assert_int_equal(p->sel.proto, 6);
			assert_int_equal(p->sel.dport, 8443);
			assert_int_equal(p->sel.dport_mask, 0xffff);
			assert_int_equal(p->mark.v, 5);
			assert_int_equal(p->if_id, 3);
			assert_int_equal(p->tmpl_count, 1);
			assert_int_equal(t->reqid, 20);
			assert_int_equal(t->proto, 50);
			assert_int_equal(t->mode, XD_MODE_TUNNEL);
			assert_int_equal(t->optional, 1);
			assert_int_equal(t->aalgos, 3);
			assert_int_equal(t->family, AF_INET);
		} else {
			seen[2] = true;
			assert_int_equal(p->dir, 4); /* socket out */
		}
	}
	assert_true(seen[0] && seen[1] && seen[2]);
	xd_snapshot_free(s);
}

static void test_uname_and_sniff(void **st)
{
	const char *deb = "Linux gw1 6.1.0-28-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.119-1 "
			  "(2024-11-22) x86_64 GNU/Linux\n";
	const char *rhel = "Linux gw2 5.14.0-427.el9.x86_64 #1 SMP PREEMPT_DYNAMIC Fri Feb 23 "
			   "2024 x86_64 x86_64 x86_64 GNU/Linux\n";
	struct xd_snapshot *s = decode(xd_decode_uname_a, deb);

	assert_string_equal(s->uname.release, "6.1.0-28-amd64");
	assert_string_equal(s->uname.machine, "x86_64");
	assert_string_equal(s->uname.version,
			    "#1 SMP PREEMPT_DYNAMIC Debian 6.1.119-1 (2024-11-22)");
	xd_snapshot_free(s);
	s = decode(xd_decode_uname_a, rhel);
	assert_string_equal(s->uname.machine, "x86_64");
	assert_string_equal(s->uname.version, "#1 SMP PREEMPT_DYNAMIC Fri Feb 23 2024");
	xd_snapshot_free(s);

	assert_int_equal(xd_text_sniff(state_masked, strlen(state_masked)), XD_TEXT_XFRM_STATE);
	assert_int_equal(xd_text_sniff(policy_text, strlen(policy_text)), XD_TEXT_XFRM_POLICY);
	assert_int_equal(xd_text_sniff(deb, strlen(deb)), XD_TEXT_UNAME_A);
	assert_int_equal(xd_text_sniff("XfrmInError             \t0\n", 27), XD_TEXT_XFRM_STAT);
	assert_int_equal(xd_text_sniff("\n \n", 3), XD_TEXT_EMPTY);
	assert_int_equal(xd_text_sniff("RTNETLINK answers: Operation not permitted\n", 43),
			 XD_TEXT_UNKNOWN);
}

static int sink_record(void *ud, const struct xd_record *rec)
{
	return xd_decode_record(ud, rec);
}

static void put(const char *dir, const char *rel, const char *text)
{
	char p[512];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_sos_layout(void **st)
{
	char dir[] = "/tmp/xfrmd-test-sos-XXXXXX", p[512], err[256] = "";
	struct xd_snapshot *s = NULL;
	struct xd_record_sink sink = { .record = sink_record };
	const char *sub[] = { "sos_commands", "sos_commands/libreswan", "sos_commands/kernel",
			      "proc", "proc/net" };

	assert_non_null(mkdtemp(dir));
	for (size_t i = 0; i < 5; i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, sub[i]);
		assert_int_equal(mkdir(p, 0700), 0);
	}
	put(dir, "sos_commands/libreswan/ip_xfrm_state", state_unmasked);
	put(dir, "sos_commands/libreswan/ip_xfrm_policy", "RTNETLINK answers: Operation not permitted\n");
	put(dir, "sos_commands/kernel/uname_-a", "Linux gw1 6.1.0 #1 SMP x86_64 GNU/Linux\n");
	assert_true(xd_archive_detect(dir));
	assert_int_equal(xd_snapshot_new(&s), 0);
	sink.userdata = s;
	assert_int_equal(xd_archive_read(dir, NULL, &s->meta, &sink, err, sizeof(err)), 0);
	assert_int_equal(s->meta.dump_status[XD_DUMP_XFRM_SA], XD_DUMP_COMPLETE);
	assert_string_equal(s->dump_input[XD_DUMP_XFRM_SA], "sos_commands/libreswan/ip_xfrm_state");
	assert_string_equal(s->dump_input[XD_DUMP_XFRM_POLICY], "sos_commands/libreswan/ip_xfrm_policy");
	assert_int_equal(s->meta.dump_status[XD_DUMP_XFRM_POLICY], XD_DUMP_ERROR);
	assert_int_equal(s->meta.dump_error[XD_DUMP_XFRM_POLICY], -EBADMSG);
	assert_int_equal(s->meta.dump_status[XD_DUMP_XFRM_STAT], XD_DUMP_ABSENT);
	assert_int_equal(s->meta.dump_status[XD_DUMP_UNAME], XD_DUMP_COMPLETE);
	assert_string_equal(s->meta.kernel_release, "6.1.0");
	assert_int_equal(s->meta.keys_scrubbed_on_load, 3);
	assert_int_equal(s->sas.len, 2);
	assert_int_equal(s->policies.len, 0);
	xd_snapshot_sort(s);
	assert_no_canary(s);
	xd_snapshot_free(s);

	/* one file, by content; a directory that is no archive; text that is nothing known */
	snprintf(p, sizeof(p), "%s/sos_commands/libreswan/ip_xfrm_state", dir);
	assert_int_equal(xd_snapshot_new(&s), 0);
	sink.userdata = s;
	assert_int_equal(xd_archive_read(p, NULL, &s->meta, &sink, err, sizeof(err)), 0);
	assert_int_equal(s->sas.len, 2);
	xd_snapshot_free(s);
	snprintf(p, sizeof(p), "%s/proc", dir);
	assert_int_equal(xd_snapshot_new(&s), 0);
	sink.userdata = s;
	assert_int_equal(xd_archive_read(p, NULL, &s->meta, &sink, err, sizeof(err)), -EPROTO);
	xd_snapshot_free(s);
	snprintf(p, sizeof(p), "%s/sos_commands/libreswan/ip_xfrm_policy", dir);
	assert_int_equal(xd_snapshot_new(&s), 0);
	sink.userdata = s;
	assert_int_equal(xd_archive_read(p, NULL, &s->meta, &sink, err, sizeof(err)), -EPROTO);
	xd_snapshot_free(s);
	(void)p;
	{
		char cmd[600];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		assert_int_equal(system(cmd), 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scrub),
		cmocka_unit_test(test_state),
		cmocka_unit_test(test_state_masked),
		cmocka_unit_test(test_policy),
		cmocka_unit_test(test_uname_and_sniff),
		cmocka_unit_test(test_sos_layout),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
