/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * make-seeds.c: writes the hand-built seed inputs of the fuzz corpora (test-only tool).
 * Usage: make-seeds CORPUS_DIR. Keys in seeds are the test canary, already scrubbed where a
 * file format requires it; never real keys.
 */
#include <arpa/inet.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/xfrm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "nlbuild.h"
#include "xfrmd/capture.h"
#include "xfrmd/recbuf.h"

static struct nlb B;
static const char *dir;

static void save(const char *target, const char *name, const void *data, size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/%s", dir, target, name);
	f = fopen(path, "wb");
	if (!f || fwrite(data, 1, len, f) != len) {
		perror(path);
		exit(1);
	}
	fclose(f);
}

static void sa_msg(uint32_t spi, int with_encap)
{
	struct xfrm_usersa_info u;
	struct xfrm_encap_tmpl e = { .encap_type = 2, .encap_sport = htons(4500),
				     .encap_dport = htons(4500) };
	uint32_t if_id = 7;

	memset(&u, 0, sizeof(u));
	u.family = AF_INET;
	u.sel.family = AF_INET;
	inet_pton(AF_INET, "192.0.2.1", &u.saddr.a4);
	inet_pton(AF_INET, "198.51.100.7", &u.id.daddr.a4);
	u.id.spi = htonl(spi);
	u.id.proto = 50;
	u.reqid = 1;
	u.mode = 1;
	u.replay_window = 32;
	u.lft.soft_byte_limit = u.lft.hard_byte_limit = XFRM_INF;
	u.lft.soft_packet_limit = u.lft.hard_packet_limit = XFRM_INF;
	u.curlft.add_time = 1700000000;
	nlb_msg(&B, XFRM_MSG_NEWSA, NLM_F_MULTI);
	nlb_put(&B, &u, sizeof(u));
	nlb_xfrm_alg(&B, XFRMA_ALG_AEAD, "rfc4106(gcm(aes))", xd_test_canary, 160, 128);
	nlb_xfrm_alg(&B, XFRMA_ALG_AUTH, "hmac(sha256)", xd_test_canary, 256, 0);
	nlb_xfrm_alg(&B, XFRMA_ALG_AUTH_TRUNC, "hmac(sha256)", xd_test_canary, 256, 128);
	nlb_xfrm_alg(&B, XFRMA_ALG_CRYPT, "cbc(aes)", xd_test_canary, 128, 0);
	if (with_encap)
		nlb_attr(&B, XFRMA_ENCAP, &e, sizeof(e));
	nlb_attr(&B, XFRMA_IF_ID, &if_id, 4);
}

static void policy_msg(uint8_t dir_, int ntmpl)
{
	struct xfrm_userpolicy_info p;
	struct xfrm_user_tmpl t[2];

	memset(&p, 0, sizeof(p));
	memset(t, 0, sizeof(t));
	p.sel.family = AF_INET;
	p.sel.prefixlen_s = p.sel.prefixlen_d = 16;
	p.priority = 383615;
	p.dir = dir_;
	p.index = 8 + dir_;
	for (int i = 0; i < 2; i++) {
		t[i].family = AF_INET;
		t[i].id.proto = 50;
		t[i].reqid = 1;
		t[i].mode = 1;
	}
	nlb_msg(&B, XFRM_MSG_NEWPOLICY, NLM_F_MULTI);
	nlb_put(&B, &p, sizeof(p));
	if (ntmpl)
		nlb_attr(&B, XFRMA_TMPL, t, sizeof(t[0]) * (size_t)ntmpl);
}

static void rtnl_msgs(void)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = 3 };
	struct ifaddrmsg ifa = { .ifa_family = AF_INET, .ifa_prefixlen = 24, .ifa_index = 3 };
	struct ifaddrmsg ifa6 = { .ifa_family = AF_INET6, .ifa_prefixlen = 64, .ifa_index = 3 };
	unsigned char a4[4] = { 192, 0, 2, 1 }, a6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	uint32_t if_id = 42;
	size_t li, ld;

	nlb_msg(&B, RTM_NEWLINK, NLM_F_MULTI);
	nlb_put(&B, &ifi, sizeof(ifi));
	nlb_attr(&B, IFLA_IFNAME, "ipsec0", 7);
	li = nlb_nest_start(&B, IFLA_LINKINFO);
	nlb_attr(&B, IFLA_INFO_KIND, "xfrm", 5);
	ld = nlb_nest_start(&B, IFLA_INFO_DATA);
	nlb_attr(&B, 2, &if_id, 4);
	nlb_nest_end(&B, ld);
	nlb_nest_end(&B, li);
	nlb_msg(&B, RTM_NEWADDR, NLM_F_MULTI);
	nlb_put(&B, &ifa, sizeof(ifa));
	nlb_attr(&B, IFA_LOCAL, a4, 4);
	nlb_attr(&B, IFA_ADDRESS, a4, 4);
	nlb_msg(&B, RTM_NEWADDR, NLM_F_MULTI);
	nlb_put(&B, &ifa6, sizeof(ifa6));
	nlb_attr(&B, IFA_ADDRESS, a6, 16);
}

static void add(struct xd_recbuf *b, enum xd_dump d, int proto)
{
	struct xd_record r = { .kind = proto < 0 ? XD_RECORD_FILE : XD_RECORD_NETLINK, .dump = d,
			       .nl_proto = (uint16_t)(proto < 0 ? 0 : proto), .data = B.buf,
			       .len = B.len };
	xd_recbuf_add(b, &r);
}

/* Kernel event datagrams (fuzz-kevent): what the collector's event sockets deliver. */
static void kevent_seeds(void)
{
	struct xfrm_usersa_info u = { .family = AF_INET, .reqid = 1 };
	struct xfrm_usersa_id id = { .family = AF_INET, .proto = IPPROTO_ESP };
	struct xfrm_userpolicy_info p = { .dir = 1, .index = 8 };
	struct xfrm_userpolicy_id pid = { .dir = 2, .index = 9 };
	struct xfrm_user_expire x = { .hard = 1 };
	struct xfrm_user_polexpire px = { .hard = 0 };
	struct xfrm_user_mapping m = { .reqid = 3 };
	struct xfrm_usersa_flush fl = { .proto = IPPROTO_ESP };
	struct nfgenmsg gm = { .nfgen_family = AF_UNSPEC };
	uint32_t be = htonl(4242);

	u.id.proto = IPPROTO_ESP;
	u.id.spi = htonl(0xc0000001);
	u.saddr.a4 = htonl(0xc0000201);
	u.id.daddr.a4 = htonl(0xc6336407);
	id.spi = u.id.spi;
	id.daddr = u.id.daddr;
	p.sel.family = AF_INET;
	p.sel.prefixlen_s = p.sel.prefixlen_d = 16;
	pid.sel = p.sel;
	x.state = u;
	px.pol = p;
	m.id = id;
	m.old_sport = htons(4500);
	nlb_init(&B);
	nlb_msg(&B, XFRM_MSG_NEWSA, 0);
	nlb_put(&B, &u, sizeof(u));
	nlb_xfrm_alg(&B, XFRMA_ALG_AEAD, "rfc4106(gcm(aes))", xd_test_canary, 160, 128);
	save("fuzz-kevent", "seed-sa-added", B.buf, B.len);
	nlb_init(&B);
	nlb_msg(&B, XFRM_MSG_DELSA, 0);
	nlb_put(&B, &id, sizeof(id));
	nlb_attr(&B, XFRMA_SA, &u, sizeof(u));
	nlb_msg(&B, XFRM_MSG_EXPIRE, 0);
	nlb_put(&B, &x, sizeof(x));
	nlb_msg(&B, XFRM_MSG_FLUSHSA, 0);
	nlb_put(&B, &fl, sizeof(fl));
	nlb_msg(&B, XFRM_MSG_MAPPING, 0);
	nlb_put(&B, &m, sizeof(m));
	nlb_msg(&B, XFRM_MSG_UPDSA, 0);
	nlb_put(&B, &u, sizeof(u));
	nlb_msg(&B, XFRM_MSG_MIGRATE, 0);
	save("fuzz-kevent", "seed-sa-events", B.buf, B.len);
	nlb_init(&B);
	nlb_msg(&B, XFRM_MSG_NEWPOLICY, 0);
	nlb_put(&B, &p, sizeof(p));
	nlb_msg(&B, XFRM_MSG_UPDPOLICY, 0);
	nlb_put(&B, &p, sizeof(p));
	nlb_msg(&B, XFRM_MSG_DELPOLICY, 0);
	nlb_put(&B, &pid, sizeof(pid));
	nlb_attr(&B, XFRMA_POLICY, &p, sizeof(p));
	nlb_msg(&B, XFRM_MSG_POLEXPIRE, 0);
	nlb_put(&B, &px, sizeof(px));
	nlb_msg(&B, XFRM_MSG_FLUSHPOLICY, 0);
	nlb_msg(&B, XFRM_MSG_GETDEFAULT, 0);
	save("fuzz-kevent", "seed-policy-events", B.buf, B.len);
	nlb_init(&B);
	nlb_msg(&B, (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWGEN, 0);
	nlb_put(&B, &gm, sizeof(gm));
	nlb_attr(&B, NFTA_GEN_ID, &be, sizeof(be));
	nlb_attr(&B, NFTA_GEN_PROC_PID, &be, sizeof(be));
	nlb_attr(&B, NFTA_GEN_PROC_NAME, "nft", 4);
	save("fuzz-kevent", "seed-nft-newgen", B.buf, B.len);
}

int main(int argc, char **argv)
{
	const char stat[] = "XfrmInError             \t0\nXfrmInNoStates          \t17\n"
			    "XfrmInTmplMismatch      \t2\nXfrmOutNoStates         \t4\n";
	const char un[] = "Linux\n6.1.0-test\n#1 SMP Debian\nx86_64\n";
	char path[4096];

	if (argc != 2)
		return 2;
	dir = argv[1];
	nlb_init(&B);
	sa_msg(0xc0000001, 1);
	sa_msg(0xc0000002, 0);
	save("fuzz-xfrm", "seed-sa-dump", B.buf, B.len);
	nlb_init(&B);
	policy_msg(0, 1);
	policy_msg(1, 2);
	policy_msg(3, 0);
	save("fuzz-xfrm", "seed-policy-dump", B.buf, B.len);
	nlb_init(&B);
	rtnl_msgs();
	save("fuzz-rtnl", "seed-link-addr", B.buf, B.len);
	save("fuzz-procfs", "seed-xfrm-stat", stat, sizeof(stat) - 1);
	save("fuzz-procfs", "seed-uname", un, sizeof(un) - 1);

	struct xd_recbuf *rb = NULL;
	xd_recbuf_new(&rb);
	struct xd_meta *m = xd_recbuf_meta(rb);
	strcpy(m->tool, "xfrmd seeds");
	strcpy(m->kernel_release, "6.1.0-test");
	strcpy(m->machine, "x86_64");
	strcpy(m->byte_order, "little");
	m->captured_at = 1700000000;
	for (int d = 0; d < _XD_DUMP_MAX; d++)
		m->dump_status[d] = XD_DUMP_COMPLETE;
	nlb_init(&B);
	sa_msg(0xc0000001, 1);
	add(rb, XD_DUMP_XFRM_SA, NETLINK_XFRM);
	nlb_init(&B);
	policy_msg(1, 1);
	policy_msg(0, 1);
	add(rb, XD_DUMP_XFRM_POLICY, NETLINK_XFRM);
	nlb_init(&B);
	rtnl_msgs();
	add(rb, XD_DUMP_RTNL_ADDR, NETLINK_ROUTE);
	memcpy(B.buf, stat, sizeof(stat) - 1);
	B.len = sizeof(stat) - 1;
	add(rb, XD_DUMP_XFRM_STAT, -1);
	snprintf(path, sizeof(path), "%s/fuzz-snapshot/seed-gateway.pcapng", dir);
	unlink(path);
	if (xd_capture_write(path, rb) < 0)
		return 1;
	xd_recbuf_free(rb);
	kevent_seeds();
	return 0;
}
