/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-capture.c: snapshot files: write -> read gives the same records and manifest; the
 * file is 0600 and never replaces an existing one; truncated, bit-flipped, foreign and
 * non-pcapng files are refused with a reason; key bytes never reach the file, and key bytes
 * found in a file are zeroed and counted.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/xfrm.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "nlbuild.h"
#include "xfrmd/capture.h"
#include "xfrmd/collect.h"
#include "xfrmd/decode.h"
#include "xfrmd/model.h"
#include "xfrmd/recbuf.h"

static char dir[] = "/tmp/xfrmd-test-capture-XXXXXX";
static struct nlb B;

static struct xd_recbuf *sample(void)
{
	struct xd_recbuf *b = NULL;
	struct xfrm_usersa_info u;
	const char stat[] = "XfrmInError\t0\nXfrmInNoStates\t4\n";
	struct xd_meta *m;

	assert_int_equal(xd_recbuf_new(&b), 0);
	m = xd_recbuf_meta(b);
	strcpy(m->tool, "xfrmd test");
	strcpy(m->kernel_release, "6.1.0-test");
#if defined(__x86_64__)
	strcpy(m->machine, "x86_64");
#elif defined(__aarch64__)
	strcpy(m->machine, "aarch64");
#endif
	strcpy(m->byte_order, __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? "little" : "big");
	m->captured_at = 1700000000;
	m->captured_at_ns = 123456789;
	m->dump_status[XD_DUMP_XFRM_SA] = XD_DUMP_COMPLETE;
	m->dump_attempts[XD_DUMP_XFRM_SA] = 2;
	m->dump_status[XD_DUMP_XFRM_STAT] = XD_DUMP_COMPLETE;
	m->dump_status[XD_DUMP_XFRM_DEFAULT] = XD_DUMP_UNSUPPORTED;
	m->dump_error[XD_DUMP_XFRM_DEFAULT] = -EINVAL;

	memset(&u, 0, sizeof(u));
	u.family = AF_INET;
	u.id.proto = 50;
	u.id.spi = htonl(0x1234);
	u.reqid = 3;
	nlb_init(&B);
	nlb_msg(&B, XFRM_MSG_NEWSA, NLM_F_MULTI);
	nlb_put(&B, &u, sizeof(u));
	/* deliberately NOT scrubbed: the writer must scrub on its own */
	nlb_xfrm_alg(&B, XFRMA_ALG_AEAD, "rfc4106(gcm(aes))", xd_test_canary, 160, 128);
	struct xd_record r = { .kind = XD_RECORD_NETLINK, .dump = XD_DUMP_XFRM_SA,
			       .nl_proto = NETLINK_XFRM, .data = B.buf, .len = B.len };
	assert_int_equal(xd_recbuf_add(b, &r), 0);
	struct xd_record f = { .kind = XD_RECORD_FILE, .dump = XD_DUMP_XFRM_STAT, .data = stat,
			       .len = sizeof(stat) - 1 };
	assert_int_equal(xd_recbuf_add(b, &f), 0);
	return b;
}

static char *path(const char *name)
{
	static char p[256];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return p;
}

static unsigned char *slurp(const char *p, size_t *len)
{
	FILE *f = fopen(p, "rb");
	unsigned char *buf = malloc(1 << 20);

	assert_non_null(f);
	*len = fread(buf, 1, 1 << 20, f);
	fclose(f);
	return buf;
}

static int read_snapshot(const void *data, size_t len, struct xd_snapshot **ret, char *err,
			 size_t errlen)
{
	struct xd_snapshot *s = NULL;
	struct xd_record_sink sink;
	int r;

	assert_int_equal(xd_snapshot_new(&s), 0);
	xd_decode_sink_init(&sink, s);
	r = xd_capture_read_mem(data, len, &s->meta, &sink, err, errlen);
	*ret = s;
	return r;
}

static void test_round_trip(void **st)
{
	struct xd_recbuf *b = sample();
	struct stat sb;
	size_t len;
	unsigned char *data;
	struct xd_snapshot *s;
	char err[256] = "";

	assert_int_equal(xd_capture_write(path("a.pcapng"), b), 0);
	assert_int_equal(stat(path("a.pcapng"), &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	/* never replaces an existing file */
	assert_int_equal(xd_capture_write(path("a.pcapng"), b), -EEXIST);
	data = slurp(path("a.pcapng"), &len);
	assert_false(xd_test_has_canary(data, len));
	assert_int_equal(read_snapshot(data, len, &s, err, sizeof(err)), 0);
	assert_int_equal(s->meta.source, XD_SOURCE_SNAPSHOT);
	assert_string_equal(s->meta.kernel_release, "6.1.0-test");
	assert_int_equal(s->meta.captured_at, 1700000000);
	assert_int_equal(s->meta.captured_at_ns, 123456789);
	assert_int_equal(s->meta.dump_status[XD_DUMP_XFRM_SA], XD_DUMP_COMPLETE);
	assert_int_equal(s->meta.dump_attempts[XD_DUMP_XFRM_SA], 2);
	assert_int_equal(s->meta.dump_status[XD_DUMP_XFRM_DEFAULT], XD_DUMP_UNSUPPORTED);
	assert_int_equal(s->meta.dump_error[XD_DUMP_XFRM_DEFAULT], -EINVAL);
	assert_int_equal(s->meta.keys_scrubbed_on_load, 0);
	assert_int_equal(s->sas.len, 1);
	assert_int_equal(xd_snapshot_sa(s, 0)->spi, 0x1234);
	assert_string_equal(xd_snapshot_sa(s, 0)->algs->aead.name, "rfc4106(gcm(aes))");
	assert_int_equal(s->xfrm_stat.counters.len, 2);
	xd_snapshot_free(s);

	/* every truncation is refused cleanly */
	for (size_t cut = 0; cut < len; cut += 3) {
		struct xd_snapshot *t;
		int r = read_snapshot(data, cut, &t, err, sizeof(err));
		assert_true(r < 0);
		assert_true(strlen(err) > 0);
		xd_snapshot_free(t);
	}
	/* every single bit flip either reads or is refused; never crashes */
	for (size_t i = 0; i < len; i++) {
		struct xd_snapshot *t;
		data[i] ^= 0x10;
		(void)read_snapshot(data, len, &t, err, sizeof(err));
		xd_snapshot_free(t);
		data[i] ^= 0x10;
	}
	free(data);
	xd_recbuf_free(b);
}

/* `capture -w -`: the same bytes to an open stream as to a file */
static void test_stream_equals_file(void **st)
{
	struct xd_recbuf *b = sample();
	unsigned char *file_data, *stream_data;
	size_t file_len, stream_len;
	FILE *f = fopen(path("stream.pcapng"), "we");

	assert_non_null(f);
	assert_int_equal(xd_capture_write_stream(f, b), 0);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(xd_capture_write(path("file.pcapng"), b), 0);
	file_data = slurp(path("file.pcapng"), &file_len);
	stream_data = slurp(path("stream.pcapng"), &stream_len);
	assert_int_equal(file_len, stream_len);
	assert_memory_equal(file_data, stream_data, file_len);
	assert_false(xd_test_has_canary(stream_data, stream_len));
	free(file_data);
	free(stream_data);
	xd_recbuf_free(b);
}

static void test_foreign_and_garbage(void **st)
{
	struct xd_recbuf *b = sample();
	struct xd_snapshot *s;
	char err[256];
	size_t len;
	unsigned char *data;

	strcpy(xd_recbuf_meta(b)->machine, "s390x");
	assert_int_equal(xd_capture_write(path("foreign.pcapng"), b), 0);
	data = slurp(path("foreign.pcapng"), &len);
	assert_int_equal(read_snapshot(data, len, &s, err, sizeof(err)), -EXDEV);
	assert_non_null(strstr(err, "s390x"));
	xd_snapshot_free(s);
	/* a swapped byte-order magic */
	uint32_t swapped = 0x4D3C2B1A;
	memcpy(data + 8, &swapped, 4);
	assert_int_equal(read_snapshot(data, len, &s, err, sizeof(err)), -EXDEV);
	xd_snapshot_free(s);
	free(data);

	strcpy(xd_recbuf_meta(b)->machine, "x86_64");
	strcpy(xd_recbuf_meta(b)->byte_order, "big");
	assert_int_equal(xd_capture_write(path("big.pcapng"), b), 0);
	data = slurp(path("big.pcapng"), &len);
	assert_int_equal(read_snapshot(data, len, &s, err, sizeof(err)), -EXDEV);
	xd_snapshot_free(s);
	free(data);

	const char text[] = "this is not a snapshot at all, just text\n";
	assert_int_equal(read_snapshot(text, sizeof(text), &s, err, sizeof(err)), -EPROTO);
	xd_snapshot_free(s);
	assert_int_equal(read_snapshot("", 0, &s, err, sizeof(err)), -EBADMSG);
	xd_snapshot_free(s);
	xd_recbuf_free(b);
}

static void test_keys_in_file_are_zeroed(void **st)
{
	struct xd_recbuf *b = sample();
	struct xd_snapshot *s;
	char err[256];
	size_t len;
	unsigned char *data, *at;

	assert_int_equal(xd_capture_write(path("keys.pcapng"), b), 0);
	data = slurp(path("keys.pcapng"), &len);
	/* plant key bytes where the AEAD key lives: after the algorithm name and lengths */
	at = memmem(data, len, "rfc4106(gcm(aes))", 17);
	assert_non_null(at);
	memcpy(at + 72, xd_test_canary, 20);
	assert_int_equal(read_snapshot(data, len, &s, err, sizeof(err)), 0);
	assert_int_equal(s->meta.keys_scrubbed_on_load, 1);
	assert_int_equal(s->sas.len, 1);
	xd_snapshot_free(s);
	free(data);
	xd_recbuf_free(b);
}

static int setup(void **st)
{
	return mkdtemp(dir) ? 0 : -1;
}

/* Streamed dumps reach the decoder at once, are not kept, and a retry forgets them. */
static void test_streamed_dump(void **st)
{
	struct xd_recbuf *b = NULL;
	struct xd_snapshot *s = NULL;
	struct xd_record_sink sink;
	struct xfrm_usersa_info u;
	const char stat[] = "XfrmInError\t0\n";

	(void)st;
	assert_int_equal(xd_recbuf_new(&b), 0);
	assert_int_equal(xd_snapshot_new(&s), 0);
	xd_decode_sink_init(&sink, s);
	xd_recbuf_stream(b, 1ull << XD_DUMP_XFRM_SA, &sink);
	memset(&u, 0, sizeof(u));
	u.family = AF_INET;
	u.id.proto = 50;
	u.id.spi = htonl(0x99);
	nlb_init(&B);
	nlb_msg(&B, XFRM_MSG_NEWSA, NLM_F_MULTI);
	nlb_put(&B, &u, sizeof(u));
	struct xd_record r = { .kind = XD_RECORD_NETLINK, .dump = XD_DUMP_XFRM_SA,
			       .nl_proto = NETLINK_XFRM, .data = B.buf, .len = B.len };
	struct xd_record f = { .kind = XD_RECORD_FILE, .dump = XD_DUMP_XFRM_STAT, .data = stat,
			       .len = sizeof(stat) - 1 };
	assert_int_equal(xd_recbuf_add(b, &r), 0);
	assert_int_equal(xd_recbuf_add(b, &r), 0);
	assert_int_equal(xd_recbuf_add(b, &f), 0);
	assert_int_equal(s->sas.len, 2);         /* decoded as added */
	assert_int_equal(xd_recbuf_count(b), 1); /* only the file record is kept */
	xd_recbuf_drop_dump(b, XD_DUMP_XFRM_SA); /* a retry starts */
	assert_int_equal(s->sas.len, 0);
	assert_int_equal(xd_recbuf_add(b, &r), 0);
	assert_int_equal(s->sas.len, 1);
	assert_int_equal(xd_snapshot_sa(s, 0)->spi, 0x99);
	assert_int_equal(xd_recbuf_count(b), 1);
	xd_snapshot_free(s);
	xd_recbuf_free(b);
}

static int count_dump(void *ud, const struct xd_record *rec)
{
	size_t *n = ud;

	n[rec->dump]++;
	return 0;
}

/*
 * The daemon's resyncs between samples leave the IKE daemons alone and carry the IKE view of
 * the latest sample: its records and statuses, only into dumps not collected, and only what
 * the sample did collect.
 */
static void test_carry_ike_view(void **st)
{
	struct xd_recbuf *sample = NULL, *cache = NULL, *ev = NULL;
	size_t n[_XD_DUMP_MAX] = { 0 };
	struct xd_record_sink sink = { .record = count_dump, .userdata = n };
	const char conns[] = "conns", sas[] = "sas", log1[] = "old log", log2[] = "new log";
	const char stat[] = "XfrmInError\t0\n";
	struct xd_meta *m;

	(void)st;
	assert_int_equal(xd_recbuf_new(&sample), 0);
	m = xd_recbuf_meta(sample);
	m->dump_status[XD_DUMP_IKE_VICI_CONNS] = XD_DUMP_COMPLETE;
	m->dump_status[XD_DUMP_IKE_VICI_SAS] = XD_DUMP_DENIED;
	m->dump_error[XD_DUMP_IKE_VICI_SAS] = -EACCES;
	m->dump_status[XD_DUMP_IKE_LOG] = XD_DUMP_COMPLETE;
	m->dump_status[XD_DUMP_XFRM_STAT] = XD_DUMP_COMPLETE;
	assert_int_equal(xd_recbuf_add(sample, &(struct xd_record){ .kind = XD_RECORD_FILE,
		.dump = XD_DUMP_IKE_VICI_CONNS, .data = conns, .len = sizeof(conns) }), 0);
	assert_int_equal(xd_recbuf_add(sample, &(struct xd_record){ .kind = XD_RECORD_FILE,
		.dump = XD_DUMP_XFRM_STAT, .data = stat, .len = sizeof(stat) - 1 }), 0);
	assert_int_equal(xd_recbuf_add(sample, &(struct xd_record){ .kind = XD_RECORD_FILE,
		.dump = XD_DUMP_IKE_VICI_CONNS, .data = sas, .len = sizeof(sas) }), 0);
	assert_int_equal(xd_recbuf_add(sample, &(struct xd_record){ .kind = XD_RECORD_FILE,
		.dump = XD_DUMP_IKE_LOG, .data = log1, .len = sizeof(log1) }), 0);

	/* the collector keeps the sample's IKE view only */
	assert_int_equal(xd_recbuf_new(&cache), 0);
	assert_int_equal(xd_recbuf_carry(cache, sample, XD_IKE_VIEW_DUMPS), 0);
	assert_int_equal(xd_recbuf_count(cache), 3);
	assert_int_equal(xd_recbuf_meta(cache)->dump_status[XD_DUMP_XFRM_STAT],
			 XD_DUMP_NOT_COLLECTED);
	xd_recbuf_free(sample);

	/* an event-triggered resync: kernel state fresh, IKE dumps not collected but the log */
	assert_int_equal(xd_recbuf_new(&ev), 0);
	m = xd_recbuf_meta(ev);
	m->dump_status[XD_DUMP_XFRM_STAT] = XD_DUMP_COMPLETE;
	m->dump_status[XD_DUMP_IKE_LOG] = XD_DUMP_COMPLETE;
	assert_int_equal(xd_recbuf_add(ev, &(struct xd_record){ .kind = XD_RECORD_FILE,
		.dump = XD_DUMP_XFRM_STAT, .data = stat, .len = sizeof(stat) - 1 }), 0);
	assert_int_equal(xd_recbuf_add(ev, &(struct xd_record){ .kind = XD_RECORD_FILE,
		.dump = XD_DUMP_IKE_LOG, .data = log2, .len = sizeof(log2) }), 0);
	assert_int_equal(xd_recbuf_carry(ev, cache, XD_IKE_VIEW_DUMPS), 0);
	m = xd_recbuf_meta(ev);
	assert_int_equal(m->dump_status[XD_DUMP_IKE_VICI_CONNS], XD_DUMP_COMPLETE);
	assert_int_equal(m->dump_status[XD_DUMP_IKE_VICI_SAS], XD_DUMP_DENIED);
	assert_int_equal(m->dump_error[XD_DUMP_IKE_VICI_SAS], -EACCES);
	assert_int_equal(xd_recbuf_replay(ev, &sink), 0);
	assert_int_equal(n[XD_DUMP_IKE_VICI_CONNS], 2);
	assert_int_equal(n[XD_DUMP_IKE_LOG], 1); /* its own, not the sample's too */
	assert_int_equal(n[XD_DUMP_XFRM_STAT], 1);
	/* a second resync carries the same again: nothing flaps between samples */
	xd_recbuf_free(ev);
	assert_int_equal(xd_recbuf_new(&ev), 0);
	assert_int_equal(xd_recbuf_carry(ev, cache, XD_IKE_VIEW_DUMPS), 0);
	assert_int_equal(xd_recbuf_count(ev), 3);
	xd_recbuf_free(ev);
	xd_recbuf_free(cache);
}

static int teardown(void **st)
{
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_stream_equals_file),
		cmocka_unit_test(test_foreign_and_garbage),
		cmocka_unit_test(test_keys_in_file_are_zeroed),
		cmocka_unit_test(test_streamed_dump),
		cmocka_unit_test(test_carry_ike_view),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
