/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-decode-stack.c: the IKE-stack decoders (/proc/net/netlink, sock_diag, /proc/net/udp,
 * processes, versions) on hand-built records including garbage, the policy fingerprints of every
 * scheme in netlink.md §3.2, and the stack view built from them.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "model-builder.h"
#include "nlbuild.h"
#include "xfrmd/decode.h"
#include "xfrmd/stack.h"

static void feed(struct xd_snapshot *s, enum xd_dump d, const char *text)
{
	struct xd_record r = { .kind = XD_RECORD_FILE, .dump = d, .data = text, .len = strlen(text) };

	assert_int_equal(xd_decode_record(s, &r), 0);
}

static const char netlink_file[] =
	"sk               Eth Pid        Groups   Rmem     Wmem     Dump  Locks    Drops    Inode\n"
	"0000000047039ff6 0   0          00000000 0        0        0     2        0        4\n"
	"00000000aaaaaaaa 6   7001       000000c3 0        0        0     2        0        5001\n"
	"00000000bbbbbbbb 6   4242       00000003 0        0        0     2        0        5002\n"
	"truncated line\n";

static void test_netlink_file(void **state)
{
	struct xd_snapshot *s = mb_new();
	const struct xd_nlsock *n;

	feed(s, XD_DUMP_NETLINK_SOCKETS, netlink_file);
	assert_int_equal(s->stack->nlsocks.len, 3);
	n = xd_vec_at(&s->stack->nlsocks, 1);
	assert_int_equal(n->proto, 6);
	assert_int_equal(n->groups, 0xc3);
	assert_int_equal(n->inode, 5001);
	assert_int_equal(s->issues.len, 1);
	xd_snapshot_free(s);
}

/* One UDP socket per call, as udp_diag reports it. */
static void diag_msg(struct nlb *b, uint8_t family, uint16_t sport, uint32_t inode)
{
	struct inet_diag_msg m = { .idiag_family = family, .idiag_state = 7, .idiag_inode = inode };

	m.id.idiag_sport = htons(sport);
	nlb_msg(b, SOCK_DIAG_BY_FAMILY, NLM_F_MULTI);
	nlb_put(b, &m, sizeof(m));
	nlb_end(b);
}

static int feed_nl_rc(struct xd_snapshot *s, enum xd_dump d, const struct nlb *b, size_t len)
{
	struct xd_record r = { .kind = XD_RECORD_NETLINK, .dump = d, .nl_proto = 4,
			       .data = b->buf, .len = len };

	return xd_decode_record(s, &r);
}

static void feed_nl(struct xd_snapshot *s, enum xd_dump d, const struct nlb *b, size_t len)
{
	assert_int_equal(feed_nl_rc(s, d, b, len), 0);
}

static void test_sockdiag(void **state)
{
	struct xd_snapshot *s = mb_new();
	struct nlb *b = malloc(sizeof(*b));
	const struct xd_isock *is;

	nlb_init(b);
	diag_msg(b, AF_INET, 500, 6001);
	diag_msg(b, AF_INET6, 4500, 6002);
	nlb_msg(b, NLMSG_DONE, NLM_F_MULTI);
	nlb_end(b);
	feed_nl(s, XD_DUMP_SOCKDIAG_UDP, b, b->len);
	assert_true(s->stack->udp_present);
	assert_int_equal(s->stack->isocks.len, 2);
	is = xd_vec_at(&s->stack->isocks, 1);
	assert_int_equal(is->sport, 4500);
	assert_int_equal(is->family, AF_INET6);
	assert_int_equal(is->proto, IPPROTO_UDP);
	assert_int_equal(is->inode, 6002);
	assert_int_equal(s->issues.len, 0);

	/* truncated: the second message cut short is a framing error that ends the record */
	nlb_init(b);
	diag_msg(b, AF_INET, 500, 6003);
	diag_msg(b, AF_INET, 500, 6004);
	assert_int_equal(feed_nl_rc(s, XD_DUMP_SOCKDIAG_UDP, b, b->len - 20), -EBADMSG);
	assert_int_equal(s->stack->isocks.len, 3);
	assert_int_equal(s->issues.len, 1);
	nlb_init(b);
	nlb_msg(b, SOCK_DIAG_BY_FAMILY, 0);
	nlb_put(b, "abcd", 4);
	nlb_end(b);
	feed_nl(s, XD_DUMP_SOCKDIAG_TCP, b, b->len);
	assert_int_equal(s->issues.len, 2);
	/* a length with the high bit set (libmnl's int cast would accept it) */
	nlb_init(b);
	diag_msg(b, AF_INET, 500, 6005);
	((struct nlmsghdr *)b->buf)->nlmsg_len = 0x80000010u;
	assert_int_equal(feed_nl_rc(s, XD_DUMP_SOCKDIAG_UDP, b, b->len), -EBADMSG);
	assert_int_equal(s->stack->isocks.len, 3);
	free(b);
	xd_snapshot_free(s);
}

/* /proc/net/udp and udp6 as a 6.18 kernel printed them (charon on 0.0.0.0:4500 and
 * [::]:4500, lines padded with blanks), plus a connected socket and garbage. */
static const char proc_udp[] =
	"   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  "
	"timeout inode ref pointer drops            \n"
	"11822: 00000000:1194 00000000:0000 07 00000000:00000000 00:00000000 00000000     0    "
	"    0 124548 2 00000000dc89ff70 0        \n"
	"  305: 0100007F:01F4 0200007F:0035 01 00000000:00000a00 00:00000000 00000000   998    "
	"    0 77 2 0000000000000000 0\n"
	"  306: 0100007F:01F4 not-an-address 01 00000000:00000000 00:00000000 00000000 0 0 78 2 0 0\n"
	"  307: 0100007F:+1F4 00000000:0000 07 00000000:00000000 00:00000000 00000000 0 0 79 2 0 0\n"
	"  308: 0100007F:01F4\n";
static const char proc_udp6[] =
	"  sl  local_address                         remote_address                        st "
	"tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n"
	"11822: 00000000000000000000000000000000:1194 00000000000000000000000000000000:0000 07 "
	"00000000:00000000 00:00000000 00000000     0        0 124549 2 00000000b5b8a518 0\n";

static void test_proc_udp(void **state)
{
	struct xd_snapshot *s = mb_new();
	const struct xd_isock *is;
	uint8_t lo[4] = { 127, 0, 0, 1 }, any6[16] = { 0 };

	feed(s, XD_DUMP_PROC_UDP, proc_udp);
	assert_true(s->stack->udp_present);
	assert_true(s->stack->udp_from_proc);
	assert_int_equal(s->stack->isocks.len, 2);
	is = xd_vec_at(&s->stack->isocks, 0);
	assert_int_equal(is->family, AF_INET);
	assert_int_equal(is->proto, IPPROTO_UDP);
	assert_int_equal(is->sport, 4500); /* ":1194" is hex */
	assert_int_equal(is->state, 7);
	assert_int_equal(is->inode, 124548);
	is = xd_vec_at(&s->stack->isocks, 1);
	assert_int_equal(is->sport, 500);
	assert_int_equal(is->dport, 53);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	assert_memory_equal(is->src, lo, 4); /* "0100007F" is 127.0.0.1 as a host integer */
#else
	(void)lo;
#endif
	assert_int_equal(is->uid, 998);
	assert_int_equal(is->rqueue, 0xa00);
	assert_int_equal(is->inode, 77);
	/* a bad address, a signed port, a short line: one issue each, nothing kept */
	assert_int_equal(s->issues.len, 3);

	feed(s, XD_DUMP_PROC_UDP6, proc_udp6);
	assert_int_equal(s->stack->isocks.len, 3);
	is = xd_vec_at(&s->stack->isocks, 2);
	assert_int_equal(is->family, AF_INET6);
	assert_int_equal(is->sport, 4500);
	assert_memory_equal(is->src, any6, 16);
	assert_int_equal(is->inode, 124549);
	assert_int_equal(s->issues.len, 3);
	xd_snapshot_free(s);

	/* an empty list (only the header) is an answer: no UDP sockets */
	s = mb_new();
	feed(s, XD_DUMP_PROC_UDP, "   sl  local_address rem_address   st\n");
	assert_true(s->stack->udp_present);
	assert_int_equal(s->stack->isocks.len, 0);
	assert_int_equal(s->issues.len, 0);
	xd_snapshot_free(s);
}

/* Bytes laid out like the executables' string tables (.rodata: NUL-separated strings). */
#define BIN(lit) lit, sizeof(lit) - 1
static const char pluto_vid_table[] =
	"Check Point\0Libreswan (3.6+)\0OE-Libreswan-\0Libreswan 3.0 - 3.5\0"
	"Openswan(xeleranized)\0Openswan(project)\0strongSwan\0";

static void scan_is(const char *data, size_t len, const char *product, const char *version)
{
	char p[32] = "", v[64] = "";
	bool found = xd_stack_version_scan(data, len, p, sizeof(p), v, sizeof(v));

	if (!version) {
		if (found)
			fail_msg("want unknown, got %s %s", p, v);
		assert_string_equal(v, "");
		return;
	}
	if (!found)
		fail_msg("want %s %s, got nothing", product, version);
	assert_string_equal(p, product);
	assert_string_equal(v, version);
}

static void test_version_scan(void **state)
{
	char buf[512];
	size_t n;

	/* libreswan 4.10: "Libreswan 4.10" and its own vendor ID */
	n = 0;
	memcpy(buf + n, "\0\0GLIBC_2.34\0Libreswan 4.10\0", 28), n += 28;
	memcpy(buf + n, pluto_vid_table, sizeof(pluto_vid_table)), n += sizeof(pluto_vid_table);
	memcpy(buf + n, "4.10\0OE-Libreswan-4.10\0", 23), n += 23;
	scan_is(buf, n, "Libreswan", "4.10");

	/* libreswan 5.4 dropped "Libreswan " V: the vendor-ID label "Libreswan 3.0 - 3.5" was
	 * taken for the version ("3.0"); its own vendor ID says 5.4 */
	n = 0;
	memcpy(buf + n, pluto_vid_table, sizeof(pluto_vid_table)), n += sizeof(pluto_vid_table);
	memcpy(buf + n, "5.4\0OE-Libreswan-5.4\0", 21), n += 21;
	scan_is(buf, n, "Libreswan", "5.4");

	/* only the vendor-ID table (and a three-part number): unknown, not 3.0, not strongSwan */
	n = 0;
	memcpy(buf + n, pluto_vid_table, sizeof(pluto_vid_table)), n += sizeof(pluto_vid_table);
	memcpy(buf + n, "1.2.3\0", 6), n += 6;
	scan_is(buf, n, NULL, NULL);
	scan_is("Libreswan 3.0-3.5\0", 18, NULL, NULL);
	scan_is("Libreswan 3.6+\0", 15, NULL, NULL);

	/* a build from a git tag */
	scan_is("\0OE-Libreswan-v5.3-12\0", 22, "Libreswan", "5.3");

	static const struct {
		const char *data;
		size_t len;
		const char *product, *version;
	} others[] = {
		{ BIN("\0charon\0strongSwan\0%s %s\0" "5.9.8\0"), "strongSwan", "5.9.8" },
		{ BIN("\0Openswan 2.6.51\0"), "Openswan", "2.6.51" },
		{ BIN("@(#)ipsec-tools 0.8.2 (http://ipsec-tools.sourceforge.net)\0"), "ipsec-tools", "0.8.2" },
		{ BIN("\0strongSwan\0no version here\0"), NULL, NULL },
		{ BIN(""), NULL, NULL },
		{ BIN("OE-Libreswan-"), NULL, NULL },
		{ BIN("OE-Libreswan-v"), NULL, NULL },
	};
	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++)
		scan_is(others[i].data, others[i].len, others[i].product, others[i].version);
}

static void test_processes(void **state)
{
	struct xd_snapshot *s = mb_new();
	const struct xd_proc *p;

	feed(s, XD_DUMP_PROCESSES,
	     "pid=7001\tppid=1\tuid=0\tbits=64\tcomm=charon\texe=/usr/lib/ipsec/charon\tsockets=5001,6001\n"
	     "pid=9\tcomm=my%20daemon\texe=/opt/a%09b\tsockets=\tfuture=ignored\n"
	     "pid=x\tcomm=bad\n"
	     "pid=10\tcomm=bad%zz\n"
	     "no-equals-sign\n"
	     "pid=11\tsockets=1,2\n");
	assert_int_equal(s->stack->procs.len, 2);
	p = xd_vec_at(&s->stack->procs, 0);
	assert_string_equal(p->comm, "charon");
	assert_int_equal(p->sock_count, 2);
	assert_int_equal(*(uint64_t *)xd_vec_at(&s->stack->proc_inodes, p->sock_first + 1), 6001);
	p = xd_vec_at(&s->stack->procs, 1);
	assert_string_equal(p->comm, "my daemon");
	assert_string_equal(p->exe, "/opt/a\tb");
	/* the rejected line with sockets left no inodes behind */
	assert_int_equal(s->stack->proc_inodes.len, 2);
	assert_int_equal(s->issues.len, 4);

	feed(s, XD_DUMP_STACK_VERSIONS, "pid=7001\tproduct=strongSwan\tversion=5.9.8\tsource=binary:/usr/lib/ipsec/charon\n"
					"ctl=/run/charon.vici\tpid=7001\nversion=1\n");
	assert_int_equal(s->stack->versions.len, 1);
	assert_int_equal(s->stack->ctl_sockets.len, 1);
	assert_int_equal(s->issues.len, 5);
	xd_snapshot_free(s);
}

static void fp_is(struct xd_snapshot *s, uint8_t dir, const char *src, const char *dst,
		  uint32_t prio, enum xd_stack_kind want)
{
	struct xd_policy *p = mb_policy(s, dir, src, dst, prio, 0);
	struct xd_policy_fp fp;

	xd_policy_fingerprint(p, &fp);
	if (fp.kind != want)
		print_error("priority %u %s -> %s: got %s (%s), want %s\n", prio, src, dst,
			    xd_stack_kind_name(fp.kind), fp.scheme, xd_stack_kind_name(want));
	assert_int_equal(fp.kind, want);
}

static void test_fingerprints(void **state)
{
	struct xd_snapshot *s = mb_new();
	struct xd_policy *p;
	struct xd_policy_fp fp;

	/* strongSwan >= 5.5.2: /16<->/16 trap 383616, installed 383615, 0/0 399999 */
	fp_is(s, 1, "10.1.0.0/16", "10.2.0.0/16", 383616, XD_STACK_STRONGSWAN);
	fp_is(s, 1, "10.1.0.0/16", "10.2.0.0/16", 383615, XD_STACK_STRONGSWAN);
	fp_is(s, 1, "0.0.0.0/0", "0.0.0.0/0", 399999, XD_STACK_STRONGSWAN);
	fp_is(s, 1, "2001:db8::/64", "2001:db8:1::/64", 400000 - 128 * 512, XD_STACK_STRONGSWAN);
	/* libreswan >= 4.5: static /16<->/16 1761504 (+1 instance bit) */
	fp_is(s, 1, "10.1.0.0/16", "10.2.0.0/16", 1761504, XD_STACK_LIBRESWAN);
	fp_is(s, 1, "10.1.0.0/16", "10.2.0.0/16", 1761505, XD_STACK_LIBRESWAN);
	/* libreswan 3.30-4.4 and 3.25-3.29 */
	fp_is(s, 1, "10.1.0.0/16", "10.2.0.0/16", 2088927, XD_STACK_LIBRESWAN);
	fp_is(s, 1, "10.1.0.0/16", "10.2.0.0/16", 1044463, XD_STACK_LIBRESWAN);
	/* libreswan counts from the local and remote clients: an in or fwd policy's selector
	 * source is the remote client. Local /16, remote /24, as pluto installs them. */
	fp_is(s, 1, "10.1.0.0/16", "10.2.2.0/24", 1761489, XD_STACK_LIBRESWAN);
	fp_is(s, 0, "10.2.2.0/24", "10.1.0.0/16", 1761489, XD_STACK_LIBRESWAN);
	fp_is(s, 2, "10.2.2.0/24", "10.1.0.0/16", 1761489, XD_STACK_LIBRESWAN);
	fp_is(s, 0, "10.2.2.0/24", "10.1.0.0/16", 2088911, XD_STACK_LIBRESWAN);
	fp_is(s, 1, "10.1.0.0/16", "10.2.2.0/24", 2088911, XD_STACK_LIBRESWAN);
	/* the out formula read the wrong way round is not a match */
	fp_is(s, 1, "10.2.2.0/24", "10.1.0.0/16", 1761489, XD_STACK_UNKNOWN);
	/* Openswan 2.6 / libreswan <= 3.24: IPv4 /24<->/24 = 2344 */
	fp_is(s, 1, "10.1.1.0/24", "10.2.2.0/24", 2344, XD_STACK_OPENSWAN);
	/* racoon/setkey */
	fp_is(s, 1, "10.1.1.0/24", "10.2.2.0/24", 0x80000000u, XD_STACK_RACOON);
	/* by hand: priority 0, or a typed number that fits no formula */
	fp_is(s, 1, "10.1.1.0/24", "10.2.2.0/24", 0, XD_STACK_MANUAL);
	fp_is(s, 1, "10.1.1.0/24", "10.2.2.0/24", 100, XD_STACK_UNKNOWN);
	fp_is(s, 1, "10.1.0.0/16", "10.2.0.0/16", 383600, XD_STACK_UNKNOWN);
	/* the right formula for the wrong selector is not a match */
	fp_is(s, 1, "10.1.1.0/24", "10.2.2.0/24", 383615, XD_STACK_UNKNOWN);
	/* libreswan bypass */
	fp_is(s, 0, "::/0", "::/0", 1, XD_STACK_LIBRESWAN);
	/* reqid hints: a hint, never a verdict */
	assert_null(xd_reqid_hint(0));
	assert_non_null(strstr(xd_reqid_hint(16389), "libreswan ESP"));
	assert_non_null(strstr(xd_reqid_hint(16390), "IPComp"));
	assert_non_null(strstr(xd_reqid_hint(16387), "PF_KEY"));
	assert_non_null(strstr(xd_reqid_hint(1), "sequential"));
	/* socket policies are never a daemon's by fingerprint */
	p = mb_policy(s, 3, "0.0.0.0/0", "0.0.0.0/0", 0, 0);
	xd_policy_fingerprint(p, &fp);
	assert_int_equal(fp.kind, XD_STACK_UNKNOWN);
	xd_snapshot_free(s);
}

static void test_view(void **state)
{
	struct xd_snapshot *s = mb_new();
	struct nlb *b = malloc(sizeof(*b));
	struct xd_stack_view v;

	feed(s, XD_DUMP_NETLINK_SOCKETS, netlink_file);
	nlb_init(b);
	diag_msg(b, AF_INET, 500, 6001);
	diag_msg(b, AF_INET, 4500, 6002);
	diag_msg(b, AF_INET, 500, 6003);
	feed_nl(s, XD_DUMP_SOCKDIAG_UDP, b, b->len);
	feed(s, XD_DUMP_PROCESSES, "pid=7001\tbits=64\tcomm=charon\tsockets=5001,6001,6002\n"
				   "pid=8\tcomm=nc\tsockets=6003\n");
	feed(s, XD_DUMP_STACK_VERSIONS, "pid=7001\tproduct=strongSwan\tversion=5.9.8\tsource=x\n");
	mb_policy(s, 1, "10.1.0.0/16", "10.2.0.0/16", 383616, 0);
	mb_policy(s, 1, "10.1.0.0/16", "10.2.0.0/16", 0, 0);
	mb_policy(s, 4, "0.0.0.0/0", "0.0.0.0/0", 0, 0);
	xd_stack_view_compute(s, &v);
	assert_true(v.have_processes);
	assert_int_equal(v.n_daemons, 1);
	assert_int_equal(v.daemons[0].kind, XD_STACK_STRONGSWAN);
	assert_string_equal(v.daemons[0].version, "5.9.8");
	assert_int_equal(v.daemons[0].xfrm_groups, 0xc3);
	assert_true(v.daemons[0].acquire_listener);
	assert_int_equal(v.daemons[0].n_ike_ports, 2);
	assert_int_equal(v.n_owners, 3);
	assert_string_equal(v.owners[2].comm, "nc");
	assert_int_equal(v.acquire_listeners, 2);
	assert_int_equal(v.socket_policies, 1);
	assert_int_equal(v.policies_by_kind[XD_STACK_STRONGSWAN], 1);
	assert_int_equal(v.policies_by_kind[XD_STACK_MANUAL], 1);
	free(b);
	xd_snapshot_free(s);

	/* no process information (an older snapshot): the netlink groups still name both */
	s = mb_new();
	feed(s, XD_DUMP_NETLINK_SOCKETS, netlink_file);
	xd_stack_view_compute(s, &v);
	assert_false(v.have_processes);
	assert_int_equal(v.n_daemons, 2);
	assert_non_null(xd_stack_view_daemon(&v, XD_STACK_STRONGSWAN));
	assert_int_equal(xd_stack_view_daemon(&v, XD_STACK_LIBRESWAN)->pid, 4242);
	xd_snapshot_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_netlink_file),
		cmocka_unit_test(test_sockdiag),
		cmocka_unit_test(test_proc_udp),
		cmocka_unit_test(test_version_scan),
		cmocka_unit_test(test_processes),
		cmocka_unit_test(test_fingerprints),
		cmocka_unit_test(test_view),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
