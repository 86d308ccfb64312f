/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * gen-snapshot.c: a synthetic snapshot of a large VPN concentrator for the scale benchmark:
 * N SAs and N policies (N/2 tunnels, each an out and an in SA and an out and a fwd policy,
 * distinct peers, AES-GCM, tunnel mode), written in datagrams of the size the kernel sends
 * (about 32 KiB). Keys are zero. Usage: gen-snapshot [--no-sa] N FILE
 *
 * --no-sa writes the policies without their SAs: a concentrator whose IKE daemon is down,
 * where every out policy's template is unsatisfied (one policy.tmpl_no_sa subject each),
 * the case that measures how findings scale rather than the model.
 */
#include <arpa/inet.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/xfrm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "nlbuild.h"
#include "xfrmd/capture.h"
#include "xfrmd/recbuf.h"

static struct nlb B;
static struct xd_recbuf *rb;

static void flush(enum xd_dump d, int proto)
{
	struct xd_record r = { .kind = XD_RECORD_NETLINK, .dump = d, .nl_proto = (uint16_t)proto,
			       .data = B.buf, .len = B.len };
	if (B.len && xd_recbuf_add(rb, &r) < 0)
		exit(1);
	nlb_init(&B);
}

static void room(enum xd_dump d, int proto)
{
	if (B.len > 32768 - 600)
		flush(d, proto);
}

static uint32_t peer_addr(uint32_t i)
{
	return htonl(0x64000000u + i + 1); /* 100.0.0.1 ... */
}

int main(int argc, char **argv)
{
	uint32_t n, tunnels, local = htonl(0xC0000201); /* 192.0.2.1 */
	struct xd_meta *m;
	int no_sa = argc > 1 && strcmp(argv[1], "--no-sa") == 0;

	argc -= no_sa;
	argv += no_sa;
	if (argc != 3 || (n = (uint32_t)strtoul(argv[1], NULL, 10)) < 2)
		return 2;
	tunnels = n / 2;
	xd_recbuf_new(&rb);
	m = xd_recbuf_meta(rb);
	strcpy(m->tool, "xfrmd bench");
	strcpy(m->kernel_release, "6.1.0-bench");
	strcpy(m->machine, "x86_64");
	strcpy(m->byte_order, "little");
	m->captured_at = 1800000000;
	for (int d = 0; d < _XD_DUMP_MAX; d++)
		m->dump_status[d] = XD_DUMP_COMPLETE;

	nlb_init(&B);
	/* newest first, as the kernel dumps its SAD and SPD (both lists grow at the head) */
	for (uint32_t t = no_sa ? 0 : tunnels; t-- > 0;) {
		for (int dir = 1; dir >= 0; dir--) {
			struct xfrm_usersa_info u;
			memset(&u, 0, sizeof(u));
			u.family = AF_INET;
			u.saddr.a4 = dir ? peer_addr(t) : local;
			u.id.daddr.a4 = dir ? local : peer_addr(t);
			u.id.spi = htonl(0xc0000000u + 2 * t + (uint32_t)dir);
			u.id.proto = IPPROTO_ESP;
			u.reqid = t + 1;
			u.mode = 1;
			u.replay_window = dir ? 32 : 0;
			u.lft.soft_byte_limit = u.lft.hard_byte_limit = XFRM_INF;
			u.lft.soft_packet_limit = u.lft.hard_packet_limit = XFRM_INF;
			u.lft.soft_add_expires_seconds = 3000;
			u.lft.hard_add_expires_seconds = 3600;
			u.curlft.add_time = 1800000000 - 60;
			u.curlft.bytes = 1000 + t;
			u.curlft.packets = 10;
			room(XD_DUMP_XFRM_SA, NETLINK_XFRM);
			nlb_msg(&B, XFRM_MSG_NEWSA, NLM_F_MULTI);
			nlb_put(&B, &u, sizeof(u));
			nlb_xfrm_alg(&B, XFRMA_ALG_AEAD, "rfc4106(gcm(aes))", NULL, 160, 128);
		}
	}
	flush(XD_DUMP_XFRM_SA, NETLINK_XFRM);
	for (uint32_t t = tunnels; t-- > 0;) {
		for (int dir = 1; dir >= 0; dir--) {
			struct xfrm_userpolicy_info p;
			struct xfrm_user_tmpl tm;
			uint32_t lan = htonl(0x0a000000u), remote = htonl(0x0b000000u + (t << 8));

			memset(&p, 0, sizeof(p));
			memset(&tm, 0, sizeof(tm));
			p.sel.family = AF_INET;
			p.sel.saddr.a4 = dir ? remote : lan;
			p.sel.daddr.a4 = dir ? lan : remote;
			p.sel.prefixlen_s = dir ? 24 : 16;
			p.sel.prefixlen_d = dir ? 16 : 24;
			p.lft.soft_byte_limit = p.lft.hard_byte_limit = XFRM_INF;
			p.lft.soft_packet_limit = p.lft.hard_packet_limit = XFRM_INF;
			p.priority = 375000;
			p.index = (t * 2 + (uint32_t)dir) * 8 + (dir ? 2 : 1);
			/* a gateway: decrypted traffic for the LAN is forwarded (fwd, not in) */
			p.dir = dir ? XFRM_POLICY_FWD : XFRM_POLICY_OUT;
			tm.family = AF_INET;
			tm.id.proto = IPPROTO_ESP;
			tm.id.daddr.a4 = dir ? local : peer_addr(t);
			tm.saddr.a4 = dir ? peer_addr(t) : local;
			tm.reqid = t + 1;
			tm.mode = 1;
			tm.aalgos = tm.ealgos = tm.calgos = ~0u;
			room(XD_DUMP_XFRM_POLICY, NETLINK_XFRM);
			nlb_msg(&B, XFRM_MSG_NEWPOLICY, NLM_F_MULTI);
			nlb_put(&B, &p, sizeof(p));
			nlb_attr(&B, XFRMA_TMPL, &tm, sizeof(tm));
		}
	}
	flush(XD_DUMP_XFRM_POLICY, NETLINK_XFRM);
	/* the concentrator's own addresses: its public address and its LAN side (10.0.0.1/16) */
	struct ifaddrmsg ifa = { .ifa_family = AF_INET, .ifa_prefixlen = 24, .ifa_index = 2 };
	uint32_t a = local, lan1 = htonl(0x0a000001u);
	nlb_msg(&B, RTM_NEWADDR, NLM_F_MULTI);
	nlb_put(&B, &ifa, sizeof(ifa));
	nlb_attr(&B, IFA_LOCAL, &a, 4);
	ifa.ifa_prefixlen = 16;
	ifa.ifa_index = 3;
	nlb_msg(&B, RTM_NEWADDR, NLM_F_MULTI);
	nlb_put(&B, &ifa, sizeof(ifa));
	nlb_attr(&B, IFA_LOCAL, &lan1, 4);
	flush(XD_DUMP_RTNL_ADDR, NETLINK_ROUTE);
	unlink(argv[2]);
	if (xd_capture_write(argv[2], rb) < 0) {
		perror("write");
		return 1;
	}
	xd_recbuf_free(rb);
	return 0;
}
