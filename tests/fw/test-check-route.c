/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-check-route.c: every route.* finding fires on its fault, naming the interface and the
 * peer, and stays silent on the healthy model (which also holds a policy-based tunnel that no
 * route.* check may touch). Lives beside the firewall tests for their rule builder.
 *
 *   10.1.0.0/16 -- [gw 192.0.2.1] == ipsec0 (xfrm, if_id 42) == [198.51.100.7] -- 10.2.0.0/16
 *                                == vti0 (ikey 10, okey 11)   == [203.0.113.9]  -- 10.3.0.0/16
 *                                == policy-based              == [198.51.100.99] -- 10.4.0.0/16
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fw-builder.h"
#include "model-builder.h"
#include "xfrmd/decode.h"
#include "xfrmd/diag.h"
#include "xfrmd/peers.h"
#include "xfrmd/render.h"
#include "xfrmd/route.h"
#include "xfrmd/rtunnel.h"

#define GW "192.0.2.1"
#define PEER "198.51.100.7"
#define VPEER "203.0.113.9"
#define PBPEER "198.51.100.99"
#define INET XD_NFPROTO_INET

struct opts {
	bool xfrm_down, vti_down, no_xfrm_link, collect_md, spare_if;
	uint32_t in_if_id; /* 0: 42 */
	uint32_t ikey;     /* 0: 10 */
	const char *disable_policy; /* NULL: "1" */
	int fw; /* 0 none, 1 input accepts eth0 only, 2 also the tunnel interfaces,
		 * 3 input accepts all, forward drops what arrives on ipsec0 */
	int xfrm_route_oif; /* 0: 5 (ipsec0); -1: no route */
};

static struct xd_findings F;
static struct xd_snapshot *S;

static void addr(struct xd_addr *a, const char *s)
{
	memset(a, 0, sizeof(*a));
	assert_int_equal(inet_pton(AF_INET, s, a->b), 1);
}

static void feed(struct xd_snapshot *s, enum xd_dump d, const char *text)
{
	struct xd_record r = { .kind = XD_RECORD_FILE, .dump = d, .data = text, .len = strlen(text) };

	assert_int_equal(xd_decode_record(s, &r), 0);
}

static void iifname_verdict(struct xd_fw *fw, const char *chain, uint64_t h, const char *name,
			    int verdict)
{
	static char names[4][16];
	static int n;
	char *buf = names[n++ % 4];

	memset(buf, 0, 16);
	strcpy(buf, name);
	fwb_rule(fw, INET, "filter", chain, h);
	fwb_meta(fw, 6 /* NFT_META_IIFNAME */, 1);
	fwb_cmp(fw, 1, 0 /* NFT_CMP_EQ */, buf, 16);
	fwb_verdict(fw, verdict, NULL);
}

static void iifname_accept(struct xd_fw *fw, const char *chain, uint64_t h, const char *name)
{
	iifname_verdict(fw, chain, h, name, XD_NF_ACCEPT);
}

static void build(const struct opts *o)
{
	struct xd_snapshot *s = mb_new();
	struct xd_link *l;
	struct xd_sa *sa;
	struct xd_policy *p;
	char sysctl[128];

	mb_local(s, GW);
	mb_local(s, "10.1.0.1");
	l = xd_vec_push(&s->links);
	*l = (struct xd_link){ .ifindex = 2, .name = "eth0", .flags = 1 };
	l = xd_vec_push(&s->links);
	*l = (struct xd_link){ .ifindex = 5, .name = "ipsec0", .kind = o->no_xfrm_link ? "dummy" : "xfrm",
			       .flags = o->xfrm_down ? 0 : 1, .has = XD_LINK_HAS_XFRM_IF_ID,
			       .xfrm_if_id = 42 };
	l = xd_vec_push(&s->links);
	*l = (struct xd_link){ .ifindex = 6, .name = "vti0", .kind = "vti", .vti_family = AF_INET,
			       .flags = o->vti_down ? 0 : 1, .has = XD_LINK_HAS_OPERSTATE |
			       XD_LINK_HAS_VTI_IKEY | XD_LINK_HAS_VTI_OKEY | XD_LINK_HAS_VTI_LOCAL |
			       XD_LINK_HAS_VTI_REMOTE,
			       .operstate = o->vti_down ? XD_OPER_DOWN : XD_OPER_UNKNOWN,
			       .vti_ikey = o->ikey ? o->ikey : 10, .vti_okey = 11 };
	addr(&l->vti_local, GW);
	addr(&l->vti_remote, VPEER);
	/* the ip_vti module's fallback device: no endpoints, down, disable_policy 0 */
	l = xd_vec_push(&s->links);
	*l = (struct xd_link){ .ifindex = 3, .name = "ip_vti0", .kind = "vti", .vti_family = AF_INET,
			       .has = XD_LINK_HAS_VTI_IKEY | XD_LINK_HAS_VTI_OKEY };
	if (o->collect_md) {
		l = xd_vec_push(&s->links);
		*l = (struct xd_link){ .ifindex = 7, .name = "xfrmext", .kind = "xfrm", .flags = 1,
				       .xfrm_collect_md = true };
	}
	if (o->spare_if) {
		l = xd_vec_push(&s->links);
		*l = (struct xd_link){ .ifindex = 8, .name = "ipsec9", .kind = "xfrm", .flags = 1,
				       .has = XD_LINK_HAS_XFRM_IF_ID, .xfrm_if_id = 99 };
	}

	/* xfrm interface tunnel */
	sa = mb_sa(s, GW, PEER, 50, 0xc0000100, 1, 1);
	sa->has |= XD_SA_HAS_IF_ID, sa->if_id = 42;
	sa = mb_sa(s, PEER, GW, 50, 0xc0000200, 1, 1);
	sa->has |= XD_SA_HAS_IF_ID, sa->if_id = o->in_if_id ? o->in_if_id : 42;
	p = mb_policy(s, 1, "10.1.0.0/16", "10.2.0.0/16", 100, 0);
	p->has |= XD_POL_HAS_IF_ID, p->if_id = 42;
	mb_tmpl(s, GW, PEER, 50, 1, 1);
	p = mb_policy(s, 0, "10.2.0.0/16", "10.1.0.0/16", 100, 0);
	p->has |= XD_POL_HAS_IF_ID, p->if_id = 42;
	mb_tmpl(s, PEER, GW, 50, 1, 1);

	/* VTI tunnel: marks equal to the keys */
	sa = mb_sa(s, GW, VPEER, 50, 0xc0000300, 2, 1);
	sa->has |= XD_SA_HAS_MARK, sa->mark = (struct xd_mark){ 11, 0xffffffff };
	sa = mb_sa(s, VPEER, GW, 50, 0xc0000400, 2, 1);
	sa->has |= XD_SA_HAS_MARK, sa->mark = (struct xd_mark){ 10, 0xffffffff };
	p = mb_policy(s, 1, "10.1.0.0/16", "10.3.0.0/16", 100, 0);
	p->has |= XD_POL_HAS_MARK, p->mark = (struct xd_mark){ 11, 0xffffffff };
	mb_tmpl(s, GW, VPEER, 50, 2, 1);
	p = mb_policy(s, 0, "10.3.0.0/16", "10.1.0.0/16", 100, 0);
	p->has |= XD_POL_HAS_MARK, p->mark = (struct xd_mark){ 10, 0xffffffff };
	mb_tmpl(s, VPEER, GW, 50, 2, 1);

	/* policy-based tunnel: no if_id, no mark, no VTI */
	mb_sa(s, GW, PBPEER, 50, 0xc0000500, 3, 1);
	mb_sa(s, PBPEER, GW, 50, 0xc0000600, 3, 1);
	mb_policy(s, 1, "10.1.0.0/16", "10.4.0.0/16", 100, 0);
	mb_tmpl(s, GW, PBPEER, 50, 3, 1);
	mb_policy(s, 0, "10.4.0.0/16", "10.1.0.0/16", 100, 0);
	mb_tmpl(s, PBPEER, GW, 50, 3, 1);

	/* routes: each remote network into its tunnel, the policy-based one via eth0 */
	{
		static const struct { const char *dst; uint8_t len; int32_t oif; } rt[] = {
			{ "10.2.0.0", 16, 5 }, { "10.3.0.0", 16, 6 }, { "10.4.0.0", 16, 2 },
			{ "192.0.2.0", 24, 2 },
		};
		struct xd_route *ll = xd_vec_push(&s->routes); /* fe80::/64 dev ipsec0: not counted */
		*ll = (struct xd_route){ .family = AF_INET6, .dst_len = 64, .type = XD_RTN_UNICAST,
					 .table = XD_RT_TABLE_MAIN, .oif = 5 };
		ll->dst.b[0] = 0xfe, ll->dst.b[1] = 0x80;
		struct xd_rule *ru = xd_vec_push(&s->rules);
		*ru = (struct xd_rule){ .family = AF_INET, .action = XD_FR_ACT_TO_TBL,
					.priority = 32766, .table = XD_RT_TABLE_MAIN };
		for (size_t i = 0; i < sizeof(rt) / sizeof(rt[0]); i++) {
			struct xd_route *r;
			if (i == 0 && o->xfrm_route_oif < 0)
				continue;
			r = xd_vec_push(&s->routes);
			*r = (struct xd_route){ .family = AF_INET, .dst_len = rt[i].len,
						.type = XD_RTN_UNICAST, .table = XD_RT_TABLE_MAIN,
						.oif = i == 0 && o->xfrm_route_oif ? o->xfrm_route_oif : rt[i].oif };
			addr(&r->dst, rt[i].dst);
		}
	}
	snprintf(sysctl, sizeof(sysctl), "net.ipv4.conf.ip_vti0.disable_policy=0\nnet.ipv4.conf.vti0.disable_policy=%s\n",
		 o->disable_policy ? o->disable_policy : "1");
	feed(s, XD_DUMP_SYSCTL, sysctl);

	if (o->fw == 3) {
		struct xd_fw *fw = fwb_new();
		fwb_chain(fw, INET, "filter", "input", XD_HOOK_INPUT, 0, XD_NF_ACCEPT);
		fwb_chain(fw, INET, "filter", "forward", XD_HOOK_FORWARD, 0, XD_NF_ACCEPT);
		iifname_verdict(fw, "forward", 10, "ipsec0", XD_NF_DROP);
		s->fw = fw;
	} else if (o->fw) {
		struct xd_fw *fw = fwb_new();
		fwb_chain(fw, INET, "filter", "input", XD_HOOK_INPUT, 0, XD_NF_DROP);
		iifname_accept(fw, "input", 10, "eth0");
		if (o->fw == 2) {
			iifname_accept(fw, "input", 11, "ipsec0");
			iifname_accept(fw, "input", 12, "vti0");
		}
		s->fw = fw;
	}
	S = s;
	mb_finish(s);
	{
		struct xd_diag_ctx ctx = { .now = s };
		xd_diag_opts_default(&ctx.opts);
		xd_findings_init(&F);
		assert_int_equal(xd_diag_run(&ctx, &F), 0);
	}
}

static void done(void)
{
	xd_findings_done(&F);
	xd_snapshot_free(S);
}

static size_t count_route(enum xd_severity min)
{
	size_t n = 0;

	for (size_t i = 0; i < F.items.len; i++) {
		const struct xd_finding *f = xd_findings_at(&F, i);
		if (strncmp(f->def->id, "route.", 6) == 0 && f->severity >= min) {
			print_message("  finding: %s %s\n", f->def->id, f->summary);
			n++;
		}
	}
	return n;
}

/* The finding of this id with a subject naming `ifname` (NULL: any), checked for the peer;
 * findings of one id fold into one, so every subject is looked at. */
static const struct xd_finding *find(const char *id, const char *ifname, const char *peer)
{
	for (size_t i = 0; i < F.items.len; i++) {
		const struct xd_finding *f = xd_findings_at(&F, i);
		if (strcmp(f->def->id, id) != 0)
			continue;
		for (size_t k = 0; k < xd_finding_count(f); k++) {
			const struct xd_subject *sj = xd_finding_subject_at(f, k);
			const char *sum = xd_finding_summary_at(f, k);
			char p[64];
			if (ifname && (!sj->name || strcmp(sj->name, ifname) != 0))
				continue;
			if (peer) {
				assert_true(sj->has & XD_SUBJ_PEER);
				assert_non_null(inet_ntop(AF_INET, sj->peer.b, p, sizeof(p)));
				assert_string_equal(p, peer);
				assert_non_null(strstr(sum, peer));
			}
			if (ifname)
				assert_non_null(strstr(sum, ifname));
			return f;
		}
	}
	return NULL;
}

static void test_healthy_is_silent(void **st)
{
	struct opts o = { 0 };
	struct xd_vec rows;

	(void)st;
	build(&o);
	assert_int_equal(count_route(XD_SEV_INFO), 0);
	/* the rows show tunnels: each interface with its SAs both ways */
	assert_int_equal(xd_rtunnels_build(S, &rows), 0);
	assert_int_equal(rows.len, 2);
	for (size_t i = 0; i < rows.len; i++) {
		const struct xd_rtunnel *t = xd_vec_at(&rows, i);
		assert_int_equal(t->sas_in, 1);
		assert_int_equal(t->sas_out, 1);
		assert_int_equal(t->policies, 2);
		assert_int_equal(t->peers, 1);
		assert_int_equal(t->state, XD_RTUNNEL_UP);
	}
	xd_vec_done(&rows);
	/* the peer matrix names each route-based peer's interface, none for the policy-based */
	assert_int_equal(xd_peers_build(S, &F, &rows), 0);
	assert_int_equal(rows.len, 3);
	for (size_t i = 0; i < rows.len; i++) {
		const struct xd_peer_row *r = xd_vec_at(&rows, i);
		char p[64];
		assert_non_null(inet_ntop(AF_INET, r->peer.b, p, sizeof(p)));
		if (!strcmp(p, PEER))
			assert_string_equal(r->interface, "ipsec0");
		else if (!strcmp(p, VPEER))
			assert_string_equal(r->interface, "vti0");
		else
			assert_null(r->interface);
	}
	xd_peers_free(&rows);
	done();

	o.fw = 2; /* the firewall accepts what the tunnel interfaces deliver */
	build(&o);
	assert_int_equal(count_route(XD_SEV_INFO), 0);
	done();
}

static void test_if_down(void **st)
{
	struct opts o = { .xfrm_down = true };

	(void)st;
	build(&o);
	assert_non_null(find("route.if_down", "ipsec0", PEER));
	assert_int_equal(count_route(XD_SEV_INFO), 1);
	done();

	o = (struct opts){ .vti_down = true };
	build(&o);
	assert_non_null(find("route.if_down", "vti0", VPEER));
	assert_int_equal(count_route(XD_SEV_INFO), 1);
	done();

	/* no xfrm interface at all: missing, not mismatched */
	o = (struct opts){ .no_xfrm_link = true };
	build(&o);
	const struct xd_finding *f = find("route.if_down", NULL, PEER);
	assert_non_null(f);
	assert_non_null(strstr(f->summary, "if_id 42"));
	assert_null(find("route.if_id_mismatch", NULL, NULL));
	done();
}

static void test_if_id_mismatch(void **st)
{
	struct opts o = { .in_if_id = 43 };
	const struct xd_finding *f;

	(void)st;
	build(&o);
	f = find("route.if_id_mismatch", NULL, PEER);
	assert_non_null(f);
	assert_int_equal(f->severity, XD_SEV_ERROR);
	assert_non_null(strstr(f->summary, "if_id 43"));
	assert_non_null(strstr(f->summary, "ipsec0")); /* the interfaces that exist */
	done();

	/* an external-mode interface serves any if_id */
	o.collect_md = true;
	build(&o);
	assert_null(find("route.if_id_mismatch", NULL, NULL));
	done();

	/* an interface nothing uses, on its own, is only information */
	o = (struct opts){ .spare_if = true };
	build(&o);
	f = find("route.if_id_mismatch", "ipsec9", NULL);
	assert_non_null(f);
	assert_int_equal(f->severity, XD_SEV_INFO);
	assert_int_equal(count_route(XD_SEV_WARNING), 0);
	done();
}

static void test_mark_mismatch(void **st)
{
	struct opts o = { .ikey = 12 };
	const struct xd_finding *f;

	(void)st;
	build(&o);
	f = find("route.mark_mismatch", "vti0", VPEER);
	assert_non_null(f);
	assert_string_equal(f->subject.dir, "in");
	assert_int_equal(count_route(XD_SEV_INFO), 1); /* outbound still matches okey */
	done();
}

static void test_vti_sysctl(void **st)
{
	struct opts o = { .disable_policy = "0" };

	(void)st;
	build(&o);
	assert_non_null(find("route.vti_sysctl", "vti0", VPEER));
	assert_int_equal(count_route(XD_SEV_INFO), 1);
	done();
}

static void test_fw_tunnel_iface(void **st)
{
	struct opts o = { .fw = 1 };
	const struct xd_finding *f;

	(void)st;
	build(&o);
	f = find("route.fw_tunnel_iface", "ipsec0", PEER);
	assert_non_null(f);
	assert_true(f->subject.has & XD_SUBJ_RULE);
	assert_non_null(find("route.fw_tunnel_iface", "vti0", VPEER));
	assert_int_equal(count_route(XD_SEV_INFO), 1); /* one finding, two subjects */
	assert_int_equal(xd_finding_count(f), 2);
	done();

	/* a gateway: the first host of its protected subnet is its own address (input accepts
	 * it), the hosts behind it are forwarded, and the forward chain drops them */
	o.fw = 3;
	build(&o);
	f = find("route.fw_tunnel_iface", "ipsec0", PEER);
	assert_non_null(f);
	assert_non_null(strstr(f->summary, "10.1.0.2"));
	assert_null(find("route.fw_tunnel_iface", "vti0", NULL));
	assert_int_equal(count_route(XD_SEV_INFO), 1);
	done();
}

static void test_not_via_tunnel(void **st)
{
	struct opts o = { .xfrm_route_oif = 2 };
	const struct xd_finding *f;
	struct xd_vec rows;

	(void)st;
	build(&o);
	f = find("route.not_via_tunnel", "ipsec0", PEER);
	assert_non_null(f);
	assert_non_null(strstr(f->summary, "via eth0"));
	assert_int_equal(count_route(XD_SEV_INFO), 1);
	done();

	o.xfrm_route_oif = -1; /* no route at all */
	build(&o);
	f = find("route.not_via_tunnel", "ipsec0", PEER);
	assert_non_null(f);
	assert_non_null(strstr(f->summary, "no usable route"));
	done();

	/* the healthy model's rows count the routes into each interface */
	o.xfrm_route_oif = 0;
	build(&o);
	assert_int_equal(xd_rtunnels_build(S, &rows), 0);
	for (size_t i = 0; i < rows.len; i++)
		assert_int_equal(((const struct xd_rtunnel *)xd_vec_at(&rows, i))->routes, 1);
	xd_vec_done(&rows);
	done();
}

/* The model's Prometheus exposition, in a malloc'ed string. */
static char *prom(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(xd_render_prom(f, S, &F, NULL, NULL), 0);
	fclose(f);
	return buf;
}

/* The interface label of the xfrmd_peer_up series of `peer` ("" without one). */
static const char *peer_iface(const char *m, const char *peer)
{
	static char v[32];
	char pfx[96];
	const char *p, *e, *i;

	snprintf(pfx, sizeof(pfx), "\nxfrmd_peer_up{peer=\"%s\",", peer);
	p = strstr(m, pfx);
	assert_non_null(p);
	e = strchr(p + 1, '\n');
	assert_non_null(e);
	i = strstr(p, ",interface=\"");
	v[0] = 0;
	if (i && i < e)
		sscanf(i + 12, "%31[^\"]", v);
	return v;
}

static void test_metrics(void **st)
{
	struct opts o = { 0 };
	char *m;

	(void)st;
	build(&o);
	m = prom();
	assert_non_null(strstr(m, "\nxfrmd_tunnel_interface_up{interface=\"ipsec0\",kind=\"xfrm\",if_id=\"42\"} 1\n"));
	assert_non_null(strstr(m, "\nxfrmd_tunnel_interface_up{interface=\"vti0\",kind=\"vti\",ikey=\"10\",okey=\"11\"} 1\n"));
	assert_null(strstr(m, "interface=\"ip_vti0\"")); /* the module's fallback device */
	/* each route-based peer's series names its interface; the policy-based one has none */
	assert_string_equal(peer_iface(m, PEER), "ipsec0");
	assert_string_equal(peer_iface(m, VPEER), "vti0");
	assert_string_equal(peer_iface(m, PBPEER), "");
	free(m);
	done();

	o.xfrm_down = true;
	build(&o);
	m = prom();
	assert_non_null(strstr(m, "\nxfrmd_tunnel_interface_up{interface=\"ipsec0\",kind=\"xfrm\",if_id=\"42\"} 0\n"));
	assert_non_null(strstr(m, "\nxfrmd_tunnel_interface_up{interface=\"vti0\",kind=\"vti\",ikey=\"10\",okey=\"11\"} 1\n"));
	free(m);
	done();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_healthy_is_silent),
		cmocka_unit_test(test_if_down),
		cmocka_unit_test(test_if_id_mismatch),
		cmocka_unit_test(test_mark_mismatch),
		cmocka_unit_test(test_vti_sysctl),
		cmocka_unit_test(test_fw_tunnel_iface),
		cmocka_unit_test(test_not_via_tunnel),
		cmocka_unit_test(test_metrics),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
