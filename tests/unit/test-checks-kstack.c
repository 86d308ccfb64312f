/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-checks-kstack.c: the kernel.*, sysctl.* and stack.* checks on hand-built models; each
 * fires on its fault and stays silent on the healthy variant (and on the variants that only
 * look like the fault: no policy needing ESP, a host-to-host tunnel, a hand-made policy).
 *
 *   10.1.0.0/16 -- [gw 192.0.2.1, eth0] ===== ESP tunnel ===== [198.51.100.7] -- 10.2.0.0/16
 */
#include <arpa/inet.h>
#include <linux/inet_diag.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "model-builder.h"
#include "nlbuild.h"
#include "xd-config.h"
#include "xfrmd/decode.h"
#include "xfrmd/diag.h"
#include "xfrmd/kb.h"
#include "xfrmd/stack.h"

#define GW "192.0.2.1"
#define PEER "198.51.100.7"

static void feed(struct xd_snapshot *s, enum xd_dump d, const char *text)
{
	struct xd_record r = { .kind = XD_RECORD_FILE, .dump = d, .data = text, .len = strlen(text) };

	assert_int_equal(xd_decode_record(s, &r), 0);
}

/* The gateway's policies: out/in/fwd tunnel 10.1/16 <-> 10.2/16 with strongSwan priorities. */
static struct xd_snapshot *gateway(uint32_t prio)
{
	struct xd_snapshot *s = mb_new();
	struct xd_link *l = xd_vec_push(&s->links);

	l->ifindex = 2;
	l->name = "eth0";
	mb_local(s, GW);
	feed(s, XD_DUMP_UNAME, "Linux\n6.1.0-test\n#1\nx86_64\n");
	mb_policy(s, 1, "10.1.0.0/16", "10.2.0.0/16", prio, 0);
	mb_tmpl(s, GW, PEER, 50, 1, 1);
	mb_policy(s, 0, "10.2.0.0/16", "10.1.0.0/16", prio, 0);
	mb_tmpl(s, PEER, GW, 50, 1, 1);
	mb_policy(s, 2, "10.2.0.0/16", "10.1.0.0/16", prio, 0);
	mb_tmpl(s, PEER, GW, 50, 1, 1);
	return s;
}

static const char good_sysctl[] =
	"net.ipv4.ip_forward=1\nnet.ipv6.conf.all.forwarding=0\nnet.ipv4.conf.all.rp_filter=0\n"
	"net.ipv4.conf.eth0.rp_filter=2\nnet.ipv4.conf.all.send_redirects=0\n"
	"net.ipv4.conf.eth0.send_redirects=0\n";

static const char charon_running[] = "pid=700\tbits=64\tcomm=charon\tsockets=11,12\n";
static const char netlink_charon[] =
	"sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode\n"
	"00000000aaaaaaaa 6 700 000000c3 0 0 0 2 0 13\n";

static struct xd_findings f;

static bool fired(struct xd_snapshot *s, const struct xd_kb *kb, const char *id)
{
	struct xd_diag_ctx ctx = { .now = s, .kb = kb };
	bool hit = false;

	mb_finish(s);
	xd_diag_opts_default(&ctx.opts);
	xd_findings_done(&f);
	xd_findings_init(&f);
	assert_int_equal(xd_diag_run(&ctx, &f), 0);
	for (size_t i = 0; i < f.items.len; i++) {
		const struct xd_finding *x = xd_findings_at(&f, i);
		if (strcmp(x->def->id, id) == 0)
			hit = true;
		/* evidence renders as a JSON object: keys must be unique within a finding */
		for (size_t e = 0; e < x->evidence.len; e++)
			for (size_t g = e + 1; g < x->evidence.len; g++)
				if (strcmp(((const struct xd_evidence *)xd_vec_at(&x->evidence, e))->key,
					   ((const struct xd_evidence *)xd_vec_at(&x->evidence, g))->key) == 0)
					fail_msg("%s: evidence key '%s' repeated", x->def->id,
						 ((const struct xd_evidence *)xd_vec_at(&x->evidence, e))->key);
		/* evidence keys are static snake_case (a key pointing into a stack buffer once
		 * rendered as garbage bytes) */
		for (size_t e = 0; e < x->evidence.len; e++) {
			const struct xd_evidence *ev = xd_vec_at(&x->evidence, e);
			for (const char *c = ev->key; *c; c++)
				if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_'))
					fail_msg("%s: evidence key '%s' is not snake_case", x->def->id, ev->key);
		}
	}
	return hit;
}

/* UDP sockets as sock_diag reports them: port and inode pairs. */
static void udp(struct xd_snapshot *s, uint16_t port, uint32_t inode)
{
	struct nlb *b = malloc(sizeof(*b));
	struct inet_diag_msg m = { .idiag_family = 2, .idiag_state = 7, .idiag_inode = inode };
	struct xd_record r = { .kind = XD_RECORD_NETLINK, .dump = XD_DUMP_SOCKDIAG_UDP, .nl_proto = 4 };

	m.id.idiag_sport = htons(port);
	nlb_init(b);
	nlb_msg(b, 20 /* SOCK_DIAG_BY_FAMILY */, 2);
	nlb_put(b, &m, sizeof(m));
	nlb_end(b);
	r.data = b->buf;
	r.len = b->len;
	assert_int_equal(xd_decode_record(s, &r), 0);
	free(b);
}

static void test_xfrm_user_missing(void **state)
{
	struct xd_snapshot *s = mb_new();

	assert_false(fired(s, NULL, "kernel.xfrm_user_missing"));
	for (enum xd_dump d = XD_DUMP_XFRM_SA; d <= XD_DUMP_XFRM_DEFAULT; d++) {
		s->meta.dump_status[d] = XD_DUMP_UNSUPPORTED;
		s->meta.dump_error[d] = -EPROTONOSUPPORT;
	}
	assert_true(fired(s, NULL, "kernel.xfrm_user_missing"));
	xd_snapshot_free(s);
}

static void test_esp_missing(void **state)
{
	struct xd_snapshot *s = mb_new();

	/* no ESP in the kernel, nothing needs it: silent (this machine's own case) */
	feed(s, XD_DUMP_KCONFIG, "# CONFIG_INET_ESP is not set\n# CONFIG_INET_AH is not set\n");
	assert_false(fired(s, NULL, "kernel.esp_missing"));
	xd_snapshot_free(s);

	s = gateway(383615);
	feed(s, XD_DUMP_KCONFIG, "# CONFIG_INET_ESP is not set\n# CONFIG_INET_AH is not set\n");
	assert_true(fired(s, NULL, "kernel.esp_missing"));
	assert_false(fired(s, NULL, "kernel.ah_missing"));
	assert_false(fired(s, NULL, "kernel.ipcomp_missing")); /* unknown is not missing */
	mb_policy(s, 1, "10.3.0.0/16", "10.4.0.0/16", 383615, 0);
	mb_tmpl(s, GW, PEER, 51, 2, 1);
	mb_policy(s, 1, "10.5.0.0/16", "10.6.0.0/16", 383615, 0);
	mb_tmpl(s, GW, PEER, 108, 3, 1);
	feed(s, XD_DUMP_KCONFIG, "# CONFIG_INET_IPCOMP is not set\n");
	assert_true(fired(s, NULL, "kernel.ah_missing"));
	assert_true(fired(s, NULL, "kernel.ipcomp_missing"));
	xd_snapshot_free(s);

	s = gateway(383615);
	feed(s, XD_DUMP_KCONFIG, "CONFIG_INET_ESP=m\n");
	assert_false(fired(s, NULL, "kernel.esp_missing")); /* autoloads */
	xd_snapshot_free(s);
}

static void test_stats_missing(void **state)
{
	struct xd_snapshot *s = mb_new();

	assert_false(fired(s, NULL, "kernel.xfrm_stats_missing"));
	s->meta.dump_status[XD_DUMP_XFRM_STAT] = XD_DUMP_ABSENT;
	assert_true(fired(s, NULL, "kernel.xfrm_stats_missing"));
	xd_snapshot_free(s);
}

static void test_compat(void **state)
{
	struct xd_snapshot *s = gateway(383615);

	feed(s, XD_DUMP_KCONFIG, "CONFIG_XFRM_USER_COMPAT=m\n");
	feed(s, XD_DUMP_PROCESSES, "pid=5\tbits=64\tcomm=charon\n");
	assert_false(fired(s, NULL, "kernel.compat_32bit"));
	xd_snapshot_free(s);

	s = gateway(383615);
	feed(s, XD_DUMP_KCONFIG, "CONFIG_XFRM_USER_COMPAT=m\n");
	feed(s, XD_DUMP_PROCESSES, "pid=5\tbits=32\tcomm=charon\n");
	assert_true(fired(s, NULL, "kernel.compat_32bit")); /* =m but never autoloaded */
	feed(s, XD_DUMP_MODULES, "xfrm_compat 1 0 - Live 0x0\n");
	assert_false(fired(s, NULL, "kernel.compat_32bit"));
	xd_snapshot_free(s);
}

static const char kb_text[] =
	"{\"format\": \"xfrmd-known-issues/1\", \"issues\": [{\"id\": \"test-entry\", "
	"\"title\": \"t\", \"remedy\": \"r\", \"severity\": \"error\", \"sources\": [\"a#1\"], "
	"\"applies_to\": {\"kernel\": {\"min\": \"6.0\", \"below\": \"6.2\"}, "
	"\"sysctl\": {\"name\": \"net.ipv4.ip_no_pmtu_disc\", \"value\": \"1\"}, "
	"\"stack\": {\"name\": \"strongswan\", \"min\": \"5.9\"}}}]}";

static void test_known_issue(void **state)
{
	struct xd_snapshot *s = gateway(383615);
	struct xd_kb *kb = NULL;
	char err[256];

	assert_int_equal(xd_kb_parse(kb_text, strlen(kb_text), &kb, err, sizeof(err)), 0);
	feed(s, XD_DUMP_SYSCTL, "net.ipv4.ip_no_pmtu_disc=0\n");
	feed(s, XD_DUMP_PROCESSES, "pid=5\tbits=64\tcomm=charon\n");
	feed(s, XD_DUMP_STACK_VERSIONS, "pid=5\tproduct=strongSwan\tversion=5.9.8\tsource=x\n");
	assert_false(fired(s, kb, "kernel.known_issue"));
	feed(s, XD_DUMP_SYSCTL, "net.ipv4.ip_no_pmtu_disc=1\n");
	assert_true(fired(s, kb, "kernel.known_issue"));
	assert_int_equal(xd_findings_at(&f, 0)->severity, XD_SEV_ERROR);
	assert_false(fired(s, NULL, "kernel.known_issue"));
	xd_kb_free(kb);
	xd_snapshot_free(s);
}

/*
 * The finding that reports the shipped knowledge base's entry `id` in the last run, or NULL:
 * its evidence "known_issue" is the id, or a list "a, b, c" of the advisories it groups.
 */
static const struct xd_finding *known_finding(const char *id)
{
	size_t n = strlen(id);

	for (size_t i = 0; i < f.items.len; i++) {
		const struct xd_finding *x = xd_findings_at(&f, i);
		if (strcmp(x->def->id, "kernel.known_issue") != 0)
			continue;
		for (size_t e = 0; e < x->evidence.len; e++) {
			const struct xd_evidence *ev = xd_vec_at(&x->evidence, e);
			if (strcmp(ev->key, "known_issue") != 0)
				continue;
			for (const char *p = ev->str; (p = strstr(p, id)); p += n)
				if ((p == ev->str || p[-1] == ' ') && (p[n] == '\0' || p[n] == ','))
					return x;
		}
	}
	return NULL;
}

/* Did the shipped knowledge base's entry `id` fire? */
static bool known(struct xd_snapshot *s, const struct xd_kb *kb, const char *id)
{
	return fired(s, kb, "kernel.known_issue") && known_finding(id);
}

/* The first kernel.known_issue of the last run above info, or NULL. */
static const struct xd_finding *known_above_info(void)
{
	for (size_t i = 0; i < f.items.len; i++) {
		const struct xd_finding *x = xd_findings_at(&f, i);
		if (strcmp(x->def->id, "kernel.known_issue") == 0 && x->severity > XD_SEV_INFO)
			return x;
	}
	return NULL;
}

static struct xd_kb *shipped_kb(void)
{
	struct xd_kb *kb = NULL;
	char err[512];

	assert_int_equal(xd_kb_load(XD_SRCKB, &kb, err, sizeof(err)), 0);
	return kb;
}

static struct xd_snapshot *with_kernel(const char *release)
{
	struct xd_snapshot *s = gateway(383615);
	char uname[128];

	snprintf(uname, sizeof(uname), "Linux\n%s\n#1\nx86_64\n", release);
	feed(s, XD_DUMP_UNAME, uname);
	return s;
}

/*
 * strongswan-sa-dir-no-pmtu-disc: the kernel refused NOPMTUDISC on inbound SAs from 6.10
 * (SA direction) until its fix c196def07bbc (6.19, 6.18 stable); strongSwan changed nothing.
 * Before, the entry had no kernel bound and fired as an error on 6.18.
 */
static void test_known_pmtu_disc(void **state)
{
	static const struct {
		const char *release;
		bool hit;
	} cases[] = { { "6.12.57", true }, { "6.17.9", true }, { "6.18.0", false },
		      { "6.19.1", false } };
	struct xd_kb *kb = shipped_kb();

	for (size_t i = 0; i < XD_ARRAY_SIZE(cases); i++) {
		struct xd_snapshot *s = with_kernel(cases[i].release);
		feed(s, XD_DUMP_SYSCTL, "net.ipv4.ip_no_pmtu_disc=1\n");
		feed(s, XD_DUMP_PROCESSES, "pid=5\tbits=64\tcomm=charon\n");
		feed(s, XD_DUMP_STACK_VERSIONS, "pid=5\tproduct=strongSwan\tversion=6.0.3\tsource=x\n");
		if (known(s, kb, "strongswan-sa-dir-no-pmtu-disc") != cases[i].hit)
			fail_msg("kernel %s: want %s", cases[i].release, cases[i].hit ? "hit" : "none");
		if (cases[i].hit) {
			/* the remedy names the kernel fix and the workaround, not a strongSwan upgrade */
			const char *remedy = NULL;
			const struct xd_finding *x = known_finding("strongswan-sa-dir-no-pmtu-disc");
			for (size_t e = 0; e < x->evidence.len; e++) {
				const struct xd_evidence *ev = xd_vec_at(&x->evidence, e);
				if (strcmp(ev->key, "remedy") == 0)
					remedy = ev->str;
			}
			assert_non_null(remedy);
			assert_non_null(strstr(remedy, "c196def07bbc"));
			assert_non_null(strstr(remedy, "ip_no_pmtu_disc=0"));
			assert_null(strstr(remedy, "upgrade strongSwan"));
		}
		/* the workaround applied: nothing to say */
		feed(s, XD_DUMP_SYSCTL, "net.ipv4.ip_no_pmtu_disc=0\n");
		assert_false(known(s, kb, "strongswan-sa-dir-no-pmtu-disc"));
		xd_snapshot_free(s);
	}
	xd_kb_free(kb);
}

/*
 * Two entries that were false: libreswan 5 does not need xfrm_stat (5.0-5.2 stop only when
 * xfrm_acq_expires is missing as well, libreswan#2188), and the 6.12 racoon entry could not
 * be verified. A libreswan 5 on a kernel without xfrm_stat and racoon on 6.12 raise no known
 * issue; kernel.xfrm_stats_missing no longer says libreswan refuses to start.
 */
static void test_known_removed(void **state)
{
	struct xd_kb *kb = shipped_kb();
	struct xd_snapshot *s = with_kernel("6.12.57");

	for (size_t i = 0; i < kb->n; i++) {
		assert_string_not_equal(kb->entries[i].id, "libreswan-5-needs-xfrm-statistics");
		assert_string_not_equal(kb->entries[i].id, "kernel-6.12-no-espinudp-non-ike");
	}
	s->meta.dump_status[XD_DUMP_XFRM_STAT] = XD_DUMP_ABSENT;
	s->meta.dump_error[XD_DUMP_XFRM_STAT] = -ENOENT;
	feed(s, XD_DUMP_PROCESSES, "pid=8\tbits=64\tcomm=pluto\n");
	feed(s, XD_DUMP_STACK_VERSIONS, "pid=8\tproduct=libreswan\tversion=5.1\tsource=x\n");
	/* 5.1 has real known issues (libreswan CVEs of 2026), just not the removed one */
	assert_false(known(s, kb, "libreswan-5-needs-xfrm-statistics"));
	if (fired(s, kb, "kernel.xfrm_stats_missing"))
		for (size_t i = 0; i < f.items.len; i++)
			assert_null(strstr(xd_findings_at(&f, i)->def->remedy, "refuses to start"));
	xd_snapshot_free(s);

	s = with_kernel("6.12.57");
	feed(s, XD_DUMP_PROCESSES, "pid=9\tbits=64\tcomm=racoon\n");
	feed(s, XD_DUMP_STACK_VERSIONS, "pid=9\tproduct=ipsec-tools\tversion=0.8.2\tsource=x\n");
	/* 6.12.57 has kernel CVEs (info) fixed in later 6.12.y, but nothing about racoon */
	assert_false(known(s, kb, "kernel-6.12-no-espinudp-non-ike"));
	assert_null(known_above_info());
	for (size_t i = 0; i < f.items.len; i++)
		if (strcmp(xd_findings_at(&f, i)->def->id, "kernel.known_issue") == 0)
			assert_null(strstr(xd_findings_at(&f, i)->summary, "racoon"));
	xd_snapshot_free(s);
	xd_kb_free(kb);
}

/*
 * Every shipped entry, probed just inside its affected range and at its fixed-in bound. An
 * entry without a row here fails the test: a new entry must say how it is probed.
 */
struct kb_probe {
	const char *id;
	const char *hit_kernel;  /* a release inside the range (or a neutral one) */
	const char *miss_kernel; /* the fixed-in release, or NULL when the kernel is not the bound */
	const char *product;     /* IKE stack as STACK_VERSIONS names it, or NULL */
	const char *hit_ver;
	const char *miss_ver;    /* the fixed-in version, or NULL */
	const char *sysctl;      /* extra sysctl lines, or NULL */
	const char *mode;        /* the fixture's SAs and templates in this mode ("transport",
				  * "iptfs"), NULL = tunnel */
	const char *kconfig;     /* kernel .config lines the entry needs, or NULL */
};

static const struct kb_probe kb_probes[] = {
	{ "kernel-4.14-transport-acquire", "4.14.3", "4.15.0",
	  NULL, NULL, NULL, NULL, "transport", NULL },
	{ "strongswan-sa-dir-no-pmtu-disc", "6.12.57", "6.18.0",
	  "strongSwan", "6.0.3", "5.9.14", "net.ipv4.ip_no_pmtu_disc=1\n", NULL, NULL },
	{ "kernel-pre-4.14-flow-cache-gc", "4.13.16", "4.14.0",
	  NULL, NULL, NULL, NULL, NULL, NULL },
	{ "strongswan-spd-hash-thresh-old-kernel", "4.7.10", "4.8.0",
	  "strongSwan", "5.5.0", NULL, NULL, NULL, NULL },
	{ "kernel-5.15-rc-default-policy-abi", "5.15.0-rc3", "5.16.0-rc1",
	  NULL, NULL, NULL, NULL, NULL, NULL },
	{ "libreswan-cve-2020-1763", "6.1.158", NULL,
	  "libreswan", "3.31", "3.32", NULL, NULL, NULL },
	{ "libreswan-cve-2022-23094", "6.1.158", NULL,
	  "libreswan", "4.5", "4.6", NULL, NULL, NULL },
	{ "libreswan-cve-2023-23009", "6.1.158", NULL,
	  "libreswan", "4.9", "4.10", NULL, NULL, NULL },
	{ "libreswan-cve-2023-30570", "6.1.158", NULL,
	  "libreswan", "4.10", "4.11", NULL, NULL, NULL },
	{ "libreswan-cve-2023-38710", "6.1.158", NULL,
	  "libreswan", "4.11", "4.12", NULL, NULL, NULL },
	{ "libreswan-cve-2023-38711", "6.1.158", NULL,
	  "libreswan", "4.11", "4.12", NULL, NULL, NULL },
	{ "libreswan-cve-2023-38712", "6.1.158", NULL,
	  "libreswan", "4.11", "4.12", NULL, NULL, NULL },
	{ "libreswan-cve-2024-2357", "6.1.158", NULL,
	  "libreswan", "4.12", "4.13", NULL, NULL, NULL },
	{ "libreswan-cve-2024-3652", "6.1.158", NULL,
	  "libreswan", "4.14", "4.15", NULL, NULL, NULL },
	{ "libreswan-cve-2026-12413", "6.18.0", NULL,
	  "libreswan", "5.3", "5.3.1", NULL, NULL, NULL },
	{ "libreswan-cve-2026-14957", "6.18.0", NULL,
	  "libreswan", "5.3.1", "5.3.2", NULL, NULL, NULL },
	{ "libreswan-cve-2026-50722", "6.18.0", NULL,
	  "libreswan", "5.3", "5.3.1", NULL, NULL, NULL },
	{ "libreswan-4.8-ikev1-md5-crash", "6.1.158", NULL,
	  "libreswan", "4.8", "4.9", NULL, NULL, NULL },
	{ "strongswan-5.9.10-eap-tls-server-tls12", "6.1.158", NULL,
	  "strongSwan", "5.9.10", "5.9.11", NULL, NULL, NULL },
	{ "strongswan-6.0.2-eap-identity", "6.18.0", NULL,
	  "strongSwan", "6.0.2", "6.0.3", NULL, NULL, NULL },
	{ "kernel-cve-2024-57982", "6.6.119", "6.14", NULL, NULL, NULL, NULL, NULL, NULL },
	{ "kernel-cve-2025-39797", "6.6.102", "6.17", NULL, NULL, NULL, NULL, NULL, NULL },
	{ "kernel-cve-2024-50142", "4.19.322", "6.12", NULL, NULL, NULL, NULL, NULL, NULL },
	{ "kernel-cve-2023-53147", "4.14.323", "6.5", NULL, NULL, NULL, NULL, NULL, NULL },
	{ "kernel-cve-2026-46116", "5.10.260", "7.1", NULL, NULL, NULL, NULL, NULL, NULL },
	{ "kernel-cve-2026-53239", "5.10.258", "7.1", NULL, NULL, NULL, NULL, NULL, NULL },
	{ "kernel-cve-2026-64579", "5.10.264", "7.2", NULL, NULL, NULL, NULL, NULL, NULL },
	{ "kernel-cve-2026-64009", "5.10.258", "7.1", NULL, NULL, NULL, NULL, NULL, NULL },
	{ "kernel-cve-2026-63912", "6.1.175", "7.1", NULL, NULL, NULL, NULL, NULL, NULL },
	{ "kernel-cve-2026-43091", "6.6.135", "7.0", NULL, NULL, NULL, NULL, NULL, NULL },
	{ "kernel-cve-2026-72451", "6.18.39", "7.2", NULL, NULL, NULL, NULL, NULL, NULL },
	{ "kernel-cve-2023-53500", "4.19.292", "6.5", NULL, NULL, NULL, NULL, NULL, NULL },
	{ "kernel-cve-2024-40959", "4.19.316", "6.10", NULL, NULL, NULL, NULL, NULL, NULL },
	{ "kernel-cve-2022-50445", "5.15.74", "6.1", NULL, NULL, NULL, NULL, "transport", NULL },
	{ "kernel-cve-2025-38500", "6.1.147", "6.16",
	  NULL, NULL, NULL, NULL, NULL, "CONFIG_XFRM_INTERFACE=m\n" },
	{ "kernel-cve-2026-72136", "5.10.260", "7.2",
	  NULL, NULL, NULL, NULL, NULL, "CONFIG_XFRM_INTERFACE=m\n" },
	{ "kernel-cve-2025-38057", "5.15.198", "6.15",
	  NULL, NULL, NULL, NULL, NULL, "CONFIG_INET_ESPINTCP=y\n" },
	{ "kernel-cve-2026-31518", "5.10.252", "7.0",
	  NULL, NULL, NULL, NULL, NULL, "CONFIG_INET_ESPINTCP=y\n" },
	{ "kernel-cve-2026-31515", "5.10.252", "7.0",
	  NULL, NULL, NULL, NULL, NULL, "CONFIG_NET_KEY=m\n" },
	{ "kernel-cve-2026-31406", "6.12.79", "7.0", NULL, NULL, NULL, NULL, NULL, NULL },
	{ "kernel-cve-2026-31472", "6.18.20", "7.0", NULL, NULL, NULL, NULL, "iptfs", NULL },
	{ "kernel-cve-2026-31517", "6.18.20", "7.0", NULL, NULL, NULL, NULL, "iptfs", NULL },
	{ "kernel-cve-2026-53240", "6.18.35", "7.1", NULL, NULL, NULL, NULL, "iptfs", NULL },
	{ "strongswan-cve-2018-5388", "6.18.44", NULL,
	  "strongSwan", "5.6.2", "5.6.3", NULL, NULL, NULL },
	{ "strongswan-cve-2021-41990", "6.18.44", NULL,
	  "strongSwan", "5.9.3", "5.9.4", NULL, NULL, NULL },
	{ "strongswan-cve-2021-41991", "6.18.44", NULL,
	  "strongSwan", "5.9.3", "5.9.4", NULL, NULL, NULL },
	{ "strongswan-cve-2021-45079", "6.18.44", NULL,
	  "strongSwan", "5.9.4", "5.9.5", NULL, NULL, NULL },
	{ "strongswan-cve-2022-40617", "6.18.44", NULL,
	  "strongSwan", "5.9.7", "5.9.8", NULL, NULL, NULL },
	{ "strongswan-cve-2023-26463", "6.18.44", NULL,
	  "strongSwan", "5.9.9", "5.9.10", NULL, NULL, NULL },
	{ "strongswan-cve-2025-62291", "6.18.44", NULL,
	  "strongSwan", "6.0.2", "6.0.3", NULL, NULL, NULL },
	{ "strongswan-cve-2026-25075", "6.18.44", NULL,
	  "strongSwan", "6.0.4", "6.0.5", NULL, NULL, NULL },
	{ "strongswan-cve-2026-35331", "6.18.44", NULL,
	  "strongSwan", "6.0.5", "6.0.6", NULL, NULL, NULL },
	{ "libreswan-cve-2015-3204", "6.18.44", NULL,
	  "libreswan", "3.12", "3.13", NULL, NULL, NULL },
	{ "libreswan-cve-2015-3240", "6.18.44", NULL,
	  "libreswan", "3.14", "3.15", NULL, NULL, NULL },
	{ "libreswan-cve-2016-3071", "6.18.44", NULL,
	  "libreswan", "3.16", "3.17", NULL, NULL, NULL },
	{ "libreswan-cve-2016-5391", "6.18.44", NULL,
	  "libreswan", "3.17", "3.18", NULL, NULL, NULL },
	{ "libreswan-cve-2019-10155", "6.18.44", NULL,
	  "libreswan", "3.28", "3.29", NULL, NULL, NULL },
	{ "libreswan-cve-2019-12312", "6.18.44", NULL,
	  "libreswan", "3.27", "3.28", NULL, NULL, NULL },
	{ "kernel-cve-2026-52935", "5.10.258", "7.1",
	  NULL, NULL, NULL, NULL, NULL, "CONFIG_INET_ESPINTCP=y\n" },
	{ "kernel-cve-2026-72041", "6.6.144", "7.2",
	  NULL, NULL, NULL, NULL, NULL, "CONFIG_INET_ESPINTCP=y\n" },
	{ "kernel-cve-2023-53559", "4.14.323", "6.5",
	  NULL, NULL, NULL, NULL, NULL, "CONFIG_NET_IPVTI=m\n" },
	{ "kernel-cve-2023-53821", "4.14.323", "6.5",
	  NULL, NULL, NULL, NULL, NULL, "CONFIG_IPV6_VTI=m\n" },
	{ "kernel-cve-2026-72054", "5.10.260", "7.2",
	  NULL, NULL, NULL, NULL, NULL, "CONFIG_NET_IPVTI=m\n" },
	{ "kernel-cve-2026-72055", "5.10.260", "7.2",
	  NULL, NULL, NULL, NULL, NULL, "CONFIG_IPV6_VTI=m\n" },
	{ "kernel-cve-2026-64436", "5.10.260", "7.2",
	  NULL, NULL, NULL, NULL, NULL, "CONFIG_NET_KEY=m\n" },
	{ "kernel-cve-2026-43088", "6.6.142", "7.0",
	  NULL, NULL, NULL, NULL, NULL, "CONFIG_NET_KEY=m\n" },
};

/* A gateway on `release` with the probe's stack at `ver`, sysctls, mode and (with `config`)
 * kernel configuration. */
static bool probe_fires(const struct kb_probe *p, const struct xd_kb *kb, const char *release,
			const char *ver, bool config)
{
	struct xd_snapshot *s = with_kernel(release);
	char line[128];
	bool hit;

	if (p->mode)
		mb_all_modes(s, strcmp(p->mode, "iptfs") == 0 ? XD_MODE_IPTFS : 0);
	if (p->kconfig && config)
		feed(s, XD_DUMP_KCONFIG, p->kconfig);
	if (p->sysctl)
		feed(s, XD_DUMP_SYSCTL, p->sysctl);
	if (p->product) {
		bool pluto = strcmp(p->product, "libreswan") == 0;
		feed(s, XD_DUMP_PROCESSES, pluto ? "pid=5\tbits=64\tcomm=pluto\n"
						 : "pid=5\tbits=64\tcomm=charon\n");
		snprintf(line, sizeof(line), "pid=5\tproduct=%s\tversion=%s\tsource=x\n", p->product, ver);
		feed(s, XD_DUMP_STACK_VERSIONS, line);
	}
	hit = known(s, kb, p->id);
	xd_snapshot_free(s);
	return hit;
}

static void test_known_probes(void **state)
{
	struct xd_kb *kb = shipped_kb();

	for (size_t i = 0; i < kb->n; i++) {
		const struct kb_probe *p = NULL;
		for (size_t k = 0; k < XD_ARRAY_SIZE(kb_probes); k++)
			if (strcmp(kb_probes[k].id, kb->entries[i].id) == 0)
				p = &kb_probes[k];
		if (!p)
			fail_msg("known issue %s has no row in kb_probes", kb->entries[i].id);
		/* every entry is bounded: it has a fixed-in probe */
		if (!p->miss_kernel && !p->miss_ver)
			fail_msg("%s: no fixed-in probe", p->id);
		if (!probe_fires(p, kb, p->hit_kernel, p->hit_ver, true))
			fail_msg("%s: no hit at kernel %s, %s %s", p->id, p->hit_kernel,
				 p->product ? p->product : "-", p->hit_ver ? p->hit_ver : "-");
		if (p->miss_kernel && probe_fires(p, kb, p->miss_kernel, p->hit_ver, true))
			fail_msg("%s: hit at fixed kernel %s", p->id, p->miss_kernel);
		if (p->miss_ver && probe_fires(p, kb, p->hit_kernel, p->miss_ver, true))
			fail_msg("%s: hit at fixed %s %s", p->id, p->product, p->miss_ver);
		/* a configuration condition: silent when the kernel lacks the option, or when
		 * the configuration could not be read */
		if (p->kconfig && probe_fires(p, kb, p->hit_kernel, p->hit_ver, false))
			fail_msg("%s: hit without %s", p->id, p->kconfig);
		/* every stable backport: the release before it is affected, the fixed one is not */
		for (unsigned c = 0; c < kb->entries[i].n_conds; c++) {
			const struct xd_kb_cond *k = &kb->entries[i].conds[c];
			if (k->kind != XD_KB_COND_KERNEL)
				continue;
			for (unsigned n = 0; n < k->n_fixed; n++) {
				unsigned a, b, v;
				char before[32];
				assert_int_equal(sscanf(k->fixed_in[n], "%u.%u.%u", &a, &b, &v), 3);
				assert_true(v > 0);
				snprintf(before, sizeof(before), "%u.%u.%u", a, b, v - 1);
				if (!probe_fires(p, kb, before, p->hit_ver, true))
					fail_msg("%s: no hit at %s, before the backport %s", p->id,
						 before, k->fixed_in[n]);
				if (probe_fires(p, kb, k->fixed_in[n], p->hit_ver, true))
					fail_msg("%s: hit at the fixed stable release %s", p->id,
						 k->fixed_in[n]);
			}
		}
	}
	xd_kb_free(kb);
}

/*
 * Healthy current systems. Current kernels and stacks raise no known issue at all; a Debian 12
 * host (its 6.1 kernel named "6.1.0-N-amd64" with the stable level in the build string,
 * strongSwan 5.9.8, libreswan 4.10, or this 6.18 kernel) gets nothing above info: the CVEs
 * fixed after those releases are info because distributions backport their fixes without
 * changing the version. Tunnel, transport and IP-TFS, with Debian's kernel configuration.
 */
static void test_known_healthy(void **state)
{
	static const struct {
		const char *release, *build, *comm, *product, *ver;
		bool strict; /* no known issue at all, not even info */
	} cases[] = {
		{ "6.18.44-amd64", "#1 SMP", "charon", "strongSwan", "6.0.6", true },
		{ "6.18.44-amd64", "#1 SMP", "pluto", "libreswan", "5.4", true },
		{ "6.18.44-amd64", "#1 SMP", "pluto", "libreswan", "5.3.2", false },
		{ "6.18.44-amd64", "#1 SMP", "charon", "strongSwan", "5.9.8", false },
		{ "6.18.44-amd64", "#1 SMP", "pluto", "libreswan", "4.10", false },
		{ "6.1.0-41-amd64", "#1 SMP PREEMPT_DYNAMIC Debian 6.1.158-1 (2025-11-09)", "charon",
		  "strongSwan", "5.9.8", false },
		{ "6.1.0-41-amd64", "#1 SMP PREEMPT_DYNAMIC Debian 6.1.158-1 (2025-11-09)", "pluto",
		  "libreswan", "4.10", false },
		{ "6.12.57", "#1 SMP", "charon", "strongSwan", "6.0.3", false },
	};
	static const char *const modes[] = { NULL, "transport", "iptfs" };
	struct xd_kb *kb = shipped_kb();
	char line[256];

	for (size_t i = 0; i < XD_ARRAY_SIZE(cases); i++)
		for (size_t m = 0; m < XD_ARRAY_SIZE(modes); m++) {
			struct xd_snapshot *s = gateway(383615);
			const struct xd_finding *x;
			snprintf(line, sizeof(line), "Linux\n%s\n%s\nx86_64\n", cases[i].release,
				 cases[i].build);
			feed(s, XD_DUMP_UNAME, line);
			if (modes[m])
				mb_all_modes(s, strcmp(modes[m], "iptfs") == 0 ? XD_MODE_IPTFS : 0);
			feed(s, XD_DUMP_KCONFIG, "CONFIG_XFRM_INTERFACE=m\nCONFIG_INET_ESPINTCP=y\n"
						 "CONFIG_NET_KEY=m\nCONFIG_XFRM_IPTFS=m\n"
						 "CONFIG_NET_IPVTI=m\nCONFIG_IPV6_VTI=m\n");
			feed(s, XD_DUMP_SYSCTL, "net.ipv4.ip_no_pmtu_disc=0\n");
			snprintf(line, sizeof(line), "pid=5\tbits=64\tcomm=%s\n", cases[i].comm);
			feed(s, XD_DUMP_PROCESSES, line);
			snprintf(line, sizeof(line), "pid=5\tproduct=%s\tversion=%s\tsource=x\n",
				 cases[i].product, cases[i].ver);
			feed(s, XD_DUMP_STACK_VERSIONS, line);
			if (cases[i].strict && fired(s, kb, "kernel.known_issue"))
				fail_msg("%s %s %s on %s (%s): %s", cases[i].comm, cases[i].product,
					 cases[i].ver, cases[i].release,
					 modes[m] ? modes[m] : "tunnel",
					 xd_findings_at(&f, 0)->summary);
			(void)fired(s, kb, "kernel.known_issue");
			if ((x = known_above_info()))
				fail_msg("%s %s %s on %s (%s): above info: %s", cases[i].comm,
					 cases[i].product, cases[i].ver, cases[i].release,
					 modes[m] ? modes[m] : "tunnel", x->summary);
			xd_snapshot_free(s);
		}
	xd_kb_free(kb);
}

/*
 * Debian 12 (6.1.158, strongSwan 5.9.8) matches many kernel advisories: they come as one
 * info finding listing them, not a line each (18 lines buried the errors of a check), and
 * the strongSwan advisories as another; a warning-level entry keeps its own finding.
 */
static void test_known_grouped(void **state)
{
	struct xd_kb *kb = shipped_kb();
	struct xd_snapshot *s = gateway(383615);
	size_t kernel_groups = 0, stack_groups = 0;

	feed(s, XD_DUMP_UNAME, "Linux\n6.1.0-41-amd64\n#1 SMP PREEMPT_DYNAMIC Debian 6.1.158-1 "
			       "(2025-11-09)\nx86_64\n");
	feed(s, XD_DUMP_KCONFIG,
	     "CONFIG_XFRM_INTERFACE=m\nCONFIG_INET_ESPINTCP=y\nCONFIG_NET_KEY=m\n");
	feed(s, XD_DUMP_PROCESSES, "pid=5\tbits=64\tcomm=charon\n");
	feed(s, XD_DUMP_STACK_VERSIONS, "pid=5\tproduct=strongSwan\tversion=5.9.8\tsource=x\n");
	assert_true(known(s, kb, "kernel-cve-2024-57982"));
	for (size_t i = 0; i < f.items.len; i++) {
		const struct xd_finding *x = xd_findings_at(&f, i);
		if (strcmp(x->def->id, "kernel.known_issue") != 0)
			continue;
		assert_int_equal(x->severity, XD_SEV_INFO);
		if (strstr(x->summary, "kernel security advisories")) {
			kernel_groups++;
			assert_ptr_equal(known_finding("kernel-cve-2025-38057"), x); /* 6.1.159 */
			assert_ptr_equal(known_finding("kernel-cve-2026-31515"), x); /* PF_KEY */
		} else if (strstr(x->summary, "strongswan security advisories")) {
			stack_groups++;
			assert_ptr_equal(known_finding("strongswan-cve-2023-26463"), x);
		}
		for (size_t e = 0; e < x->evidence.len; e++) {
			const struct xd_evidence *ev = xd_vec_at(&x->evidence, e);
			if (strcmp(ev->key, "sources") == 0)
				assert_non_null(strstr(ev->str, "CVE-"));
		}
	}
	assert_int_equal(kernel_groups, 1);
	assert_int_equal(stack_groups, 1);
	/* not matched: fixed in 6.1.47 / 6.1.96 */
	assert_null(known_finding("kernel-cve-2023-53147"));
	assert_null(known_finding("kernel-cve-2024-40959"));
	xd_snapshot_free(s);
	xd_kb_free(kb);
}

static void test_ip_forward(void **state)
{
	struct xd_snapshot *s = gateway(383615);

	feed(s, XD_DUMP_SYSCTL, good_sysctl);
	assert_false(fired(s, NULL, "sysctl.ip_forward_off"));
	feed(s, XD_DUMP_SYSCTL, "net.ipv4.ip_forward=0\n");
	assert_true(fired(s, NULL, "sysctl.ip_forward_off"));
	xd_snapshot_free(s);

	/* an IP-TFS gateway forwards like a tunnel-mode one (before: skipped) */
	s = gateway(383615);
	mb_all_modes(s, XD_MODE_IPTFS);
	feed(s, XD_DUMP_SYSCTL, good_sysctl);
	assert_false(fired(s, NULL, "sysctl.ip_forward_off"));
	feed(s, XD_DUMP_SYSCTL, "net.ipv4.ip_forward=0\n");
	assert_true(fired(s, NULL, "sysctl.ip_forward_off"));
	xd_snapshot_free(s);

	/* host to host: the inbound destination is this host, nothing to forward */
	s = mb_new();
	mb_local(s, GW);
	mb_policy(s, 0, PEER "/32", GW "/32", 383615, 0);
	mb_tmpl(s, PEER, GW, 50, 1, 1);
	feed(s, XD_DUMP_SYSCTL, "net.ipv4.ip_forward=0\n");
	assert_false(fired(s, NULL, "sysctl.ip_forward_off"));
	xd_snapshot_free(s);
}

static void test_rp_filter(void **state)
{
	struct xd_snapshot *s = gateway(383615);

	feed(s, XD_DUMP_SYSCTL, good_sysctl);
	assert_false(fired(s, NULL, "sysctl.rp_filter_strict"));
	feed(s, XD_DUMP_SYSCTL, "net.ipv4.conf.eth0.rp_filter=1\n");
	assert_true(fired(s, NULL, "sysctl.rp_filter_strict"));
	/* the kernel uses max(all, interface) */
	feed(s, XD_DUMP_SYSCTL, "net.ipv4.conf.eth0.rp_filter=0\nnet.ipv4.conf.all.rp_filter=1\n");
	assert_true(fired(s, NULL, "sysctl.rp_filter_strict"));
	xd_snapshot_free(s);

	/* strict on an interface where no decrypted traffic arrives: silent */
	s = mb_new();
	feed(s, XD_DUMP_SYSCTL, "net.ipv4.conf.all.rp_filter=1\nnet.ipv4.conf.eth0.rp_filter=1\n");
	assert_false(fired(s, NULL, "sysctl.rp_filter_strict"));
	xd_snapshot_free(s);
}

static void test_redirects(void **state)
{
	struct xd_snapshot *s = gateway(383615);

	feed(s, XD_DUMP_SYSCTL, good_sysctl);
	assert_false(fired(s, NULL, "sysctl.redirects_enabled"));
	feed(s, XD_DUMP_SYSCTL, "net.ipv4.conf.all.send_redirects=1\n");
	assert_true(fired(s, NULL, "sysctl.redirects_enabled"));
	xd_snapshot_free(s);
}

static void test_none_running(void **state)
{
	struct xd_snapshot *s = gateway(383615);

	feed(s, XD_DUMP_NETLINK_SOCKETS, netlink_charon);
	feed(s, XD_DUMP_PROCESSES, charon_running);
	assert_false(fired(s, NULL, "stack.none_running"));
	xd_snapshot_free(s);

	s = gateway(383615);
	feed(s, XD_DUMP_NETLINK_SOCKETS, "sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode\n");
	feed(s, XD_DUMP_PROCESSES, "");
	assert_true(fired(s, NULL, "stack.none_running"));
	xd_snapshot_free(s);

	/* hand-made policies (priority 0) need no daemon */
	s = gateway(0);
	feed(s, XD_DUMP_NETLINK_SOCKETS, "sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode\n");
	feed(s, XD_DUMP_PROCESSES, "");
	assert_false(fired(s, NULL, "stack.none_running"));
	xd_snapshot_free(s);

	/* no process or socket information at all: cannot tell, silent */
	s = gateway(383615);
	assert_false(fired(s, NULL, "stack.none_running"));
	xd_snapshot_free(s);

	/* strongSwan's NetworkManager plugin and command-line client are strongSwan daemons
	 * (before: unknown processes, so "no IKE daemon runs" beside a running charon-nm) */
	static const char *const strongswan_comms[] = { "charon", "charon-systemd", "charon-nm",
							"charon-cmd" };
	for (size_t i = 0; i < XD_ARRAY_SIZE(strongswan_comms); i++) {
		char procs[96];
		s = gateway(383615);
		feed(s, XD_DUMP_NETLINK_SOCKETS, "sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode\n");
		snprintf(procs, sizeof(procs), "pid=700\tbits=64\tcomm=%s\n", strongswan_comms[i]);
		feed(s, XD_DUMP_PROCESSES, procs);
		if (fired(s, NULL, "stack.none_running"))
			fail_msg("%s not recognised as strongSwan", strongswan_comms[i]);
		assert_false(fired(s, NULL, "stack.foreign_policies"));
		assert_int_equal(xd_stack_kind_from_comm(strongswan_comms[i]), XD_STACK_STRONGSWAN);
		xd_snapshot_free(s);
	}
	/* names that merely start like one are not */
	assert_int_equal(xd_stack_kind_from_comm("charon-nmx"), XD_STACK_UNKNOWN);
	assert_int_equal(xd_stack_kind_from_comm("charon-"), XD_STACK_UNKNOWN);
}

static void test_multiple_and_foreign(void **state)
{
	struct xd_snapshot *s = gateway(383615);

	feed(s, XD_DUMP_PROCESSES, charon_running);
	assert_false(fired(s, NULL, "stack.multiple"));
	assert_false(fired(s, NULL, "stack.foreign_policies"));
	xd_snapshot_free(s);

	s = gateway(383615);
	feed(s, XD_DUMP_PROCESSES, "pid=700\tcomm=charon\npid=800\tcomm=pluto\n");
	assert_true(fired(s, NULL, "stack.multiple"));
	xd_snapshot_free(s);

	/* libreswan runs, strongSwan's policies remain */
	s = gateway(383615);
	feed(s, XD_DUMP_PROCESSES, "pid=800\tcomm=pluto\n");
	assert_true(fired(s, NULL, "stack.foreign_policies"));
	xd_snapshot_free(s);
}

static void test_ports(void **state)
{
	struct xd_snapshot *s = mb_new();

	udp(s, 500, 11);
	udp(s, 4500, 12);
	feed(s, XD_DUMP_PROCESSES, charon_running);
	assert_false(fired(s, NULL, "stack.port_conflict"));
	assert_false(fired(s, NULL, "stack.natt_port_closed"));
	xd_snapshot_free(s);

	s = mb_new();
	udp(s, 500, 11);
	feed(s, XD_DUMP_PROCESSES, "pid=700\tcomm=charon\tsockets=11\n");
	assert_true(fired(s, NULL, "stack.natt_port_closed"));
	xd_snapshot_free(s);

	s = mb_new();
	udp(s, 500, 21);
	feed(s, XD_DUMP_PROCESSES, "pid=900\tcomm=python3\tsockets=21\n");
	assert_true(fired(s, NULL, "stack.port_conflict"));
	xd_snapshot_free(s);

	/* an ESP-in-UDP SA whose local port has no socket */
	s = mb_new();
	udp(s, 500, 11);
	struct xd_sa *sa = mb_sa(s, GW, PEER, 50, 0xc0000001, 1, 1);
	sa->has |= XD_SA_HAS_ENCAP | XD_SA_HAS_ENC;
	sa->encap = (struct xd_encap){ .type = 2, .sport = 4500, .dport = 4500 };
	assert_true(fired(s, NULL, "stack.natt_port_closed"));
	udp(s, 4500, 12);
	assert_false(fired(s, NULL, "stack.natt_port_closed"));
	xd_snapshot_free(s);
}

/*
 * A kernel without udp_diag: sock_diag cannot list UDP (its dump is absent), the collector
 * read /proc/net/udp{,6} instead. charon holds 0.0.0.0:4500 and [::]:4500 (":1194" is hex):
 * a healthy NAT-T tunnel raises nothing. Before, no UDP socket was known and
 * stack.natt_port_closed fired on both gateways.
 */
static const char proc_udp_charon[] =
	"   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  "
	"timeout inode ref pointer drops\n"
	"  101: 00000000:01F4 00000000:0000 07 00000000:00000000 00:00000000 00000000     0    "
	"    0 11 2 0000000000000000 0\n"
	"11822: 00000000:1194 00000000:0000 07 00000000:00000000 00:00000000 00000000     0    "
	"    0 12 2 00000000dc89ff70 0\n";
static const char proc_udp6_charon[] =
	"  sl  local_address                         remote_address                        st "
	"tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n"
	"11822: 00000000000000000000000000000000:1194 00000000000000000000000000000000:0000 07 "
	"00000000:00000000 00:00000000 00000000     0        0 14 2 00000000b5b8a518 0\n";

static struct xd_snapshot *natt_gateway_without_udp_diag(void)
{
	struct xd_snapshot *s = mb_new();
	struct xd_sa *sa = mb_sa(s, GW, PEER, 50, 0xc0000001, 1, 1);

	sa->has |= XD_SA_HAS_ENCAP | XD_SA_HAS_ENC;
	sa->encap = (struct xd_encap){ .type = 2, .sport = 4500, .dport = 4500 };
	s->meta.dump_status[XD_DUMP_SOCKDIAG_UDP] = XD_DUMP_ABSENT;
	s->meta.dump_error[XD_DUMP_SOCKDIAG_UDP] = -ENOENT;
	feed(s, XD_DUMP_PROCESSES, "pid=700\tbits=64\tcomm=charon\tsockets=11,12,14\n");
	return s;
}

static void test_ports_without_udp_diag(void **state)
{
	struct xd_snapshot *s = natt_gateway_without_udp_diag();

	feed(s, XD_DUMP_PROC_UDP, proc_udp_charon);
	feed(s, XD_DUMP_PROC_UDP6, proc_udp6_charon);
	assert_false(fired(s, NULL, "stack.natt_port_closed"));
	assert_false(fired(s, NULL, "stack.port_conflict"));
	xd_snapshot_free(s);

	/* the same lists without the 4500 lines: the fallback's sockets are what decides */
	s = natt_gateway_without_udp_diag();
	feed(s, XD_DUMP_PROC_UDP,
	     "   sl  local_address rem_address   st\n"
	     "  101: 00000000:01F4 00000000:0000 07 00000000:00000000 00:00000000 00000000 0 0 11 "
	     "2 0000000000000000 0\n");
	assert_true(fired(s, NULL, "stack.natt_port_closed"));
	xd_snapshot_free(s);

	/* neither sock_diag nor /proc/net/udp: nothing is known about UDP, the check stands down */
	s = natt_gateway_without_udp_diag();
	s->meta.dump_status[XD_DUMP_PROC_UDP] = XD_DUMP_DENIED;
	assert_false(fired(s, NULL, "stack.natt_port_closed"));
	xd_snapshot_free(s);
}

static void test_deprecated(void **state)
{
	struct xd_snapshot *s = mb_new();

	feed(s, XD_DUMP_PROCESSES, "pid=800\tcomm=pluto\n");
	feed(s, XD_DUMP_STACK_VERSIONS, "pid=800\tproduct=libreswan\tversion=4.10\tsource=x\n");
	assert_false(fired(s, NULL, "stack.deprecated"));
	xd_snapshot_free(s);

	s = mb_new();
	feed(s, XD_DUMP_PROCESSES, "pid=800\tcomm=pluto\n");
	feed(s, XD_DUMP_STACK_VERSIONS, "pid=800\tproduct=Openswan\tversion=2.6.51\tsource=x\n");
	assert_true(fired(s, NULL, "stack.deprecated"));
	xd_snapshot_free(s);

	s = mb_new();
	feed(s, XD_DUMP_PROCESSES, "pid=801\tcomm=racoon\n");
	assert_true(fired(s, NULL, "stack.deprecated"));
	xd_snapshot_free(s);

	/* KLIPS: out of tree, only /proc/net/ipsec_version shows it */
	s = mb_new();
	feed(s, XD_DUMP_STACK_VERSIONS, "klips=Openswan%20U2.6.38/K2.6.32\n");
	assert_true(fired(s, NULL, "stack.deprecated"));
	xd_snapshot_free(s);
}

static int teardown(void **state)
{
	xd_findings_done(&f);
	xd_findings_init(&f);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_xfrm_user_missing, teardown),
		cmocka_unit_test_teardown(test_esp_missing, teardown),
		cmocka_unit_test_teardown(test_stats_missing, teardown),
		cmocka_unit_test_teardown(test_compat, teardown),
		cmocka_unit_test_teardown(test_known_issue, teardown),
		cmocka_unit_test_teardown(test_known_probes, teardown),
		cmocka_unit_test_teardown(test_known_healthy, teardown),
		cmocka_unit_test_teardown(test_known_grouped, teardown),
		cmocka_unit_test_teardown(test_known_pmtu_disc, teardown),
		cmocka_unit_test_teardown(test_known_removed, teardown),
		cmocka_unit_test_teardown(test_ip_forward, teardown),
		cmocka_unit_test_teardown(test_rp_filter, teardown),
		cmocka_unit_test_teardown(test_redirects, teardown),
		cmocka_unit_test_teardown(test_none_running, teardown),
		cmocka_unit_test_teardown(test_multiple_and_foreign, teardown),
		cmocka_unit_test_teardown(test_ports, teardown),
		cmocka_unit_test_teardown(test_ports_without_udp_diag, teardown),
		cmocka_unit_test_teardown(test_deprecated, teardown),
	};
	xd_findings_init(&f);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
