/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-libnl-diff.c: differential decoding (testing.md T18). Every XFRM SA and policy
 * message of the committed snapshots is decoded by xfrmd and by libnl-xfrm-3, and every field
 * both know is compared. libnl is only a test oracle: it stores keys, so it only ever sees
 * scrubbed snapshot bytes, and it is never linked into xfrmd (docs/architecture.md).
 * Usage: test-libnl-diff SNAPSHOT...
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/netlink.h>
#include <linux/xfrm.h>
#include <netlink/addr.h>
#include <netlink/xfrm/sa.h>
#include <netlink/xfrm/selector.h>
#include <netlink/xfrm/sp.h>
#include <netlink/xfrm/template.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xfrmd/capture.h"
#include "xfrmd/decode.h"
#include "xfrmd/model.h"

static unsigned compared_sa, compared_pol, mismatches;

#define EXPECT(what, a, b)                                                                         \
	do {                                                                                       \
		if ((long long)(a) != (long long)(b)) {                                            \
			fprintf(stderr, "mismatch %s: xfrmd %lld libnl %lld\n", what,              \
				(long long)(a), (long long)(b));                                   \
			mismatches++;                                                              \
		}                                                                                  \
	} while (0)

static void expect_addr(const char *what, const struct xd_addr *ours, struct nl_addr *theirs)
{
	if (!theirs) {
		fprintf(stderr, "mismatch %s: libnl has no address\n", what);
		mismatches++;
		return;
	}
	if (memcmp(ours->b, nl_addr_get_binary_addr(theirs), nl_addr_get_len(theirs)) != 0) {
		fprintf(stderr, "mismatch %s\n", what);
		mismatches++;
	}
}

static void expect_sel(const struct xd_selector *o, struct xfrmnl_sel *t)
{
	EXPECT("sel.family", o->family, xfrmnl_sel_get_family(t));
	EXPECT("sel.prefixlen_d", o->prefixlen_d, xfrmnl_sel_get_prefixlen_d(t));
	EXPECT("sel.prefixlen_s", o->prefixlen_s, xfrmnl_sel_get_prefixlen_s(t));
	EXPECT("sel.proto", o->proto, xfrmnl_sel_get_proto(t));
	EXPECT("sel.dport", o->dport, xfrmnl_sel_get_dport(t));
	EXPECT("sel.sport", o->sport, xfrmnl_sel_get_sport(t));
	EXPECT("sel.ifindex", o->ifindex, xfrmnl_sel_get_ifindex(t));
	if (o->family)
		expect_addr("sel.daddr", &o->daddr, xfrmnl_sel_get_daddr(t));
}

static void compare_sa(struct nlmsghdr *nlh)
{
	struct xfrmnl_sa *t = NULL;
	struct xd_snapshot *s = NULL;
	char name[80];
	char key[1024];
	unsigned int klen, icv;
	unsigned long long a, b, c, d;

	if (xfrmnl_sa_parse(nlh, &t) < 0) {
		fprintf(stderr, "libnl could not parse an SA message\n");
		mismatches++;
		return;
	}
	xd_snapshot_new(&s);
	xd_decode_xfrm(s, XD_DUMP_XFRM_SA, nlh, nlh->nlmsg_len);
	if (s->sas.len != 1) {
		fprintf(stderr, "xfrmd decoded %zu SAs from one message\n", s->sas.len);
		mismatches++;
		goto out;
	}
	const struct xd_sa *sa = xd_snapshot_sa(s, 0);
	compared_sa++;
	EXPECT("spi", sa->spi, (uint32_t)xfrmnl_sa_get_spi(t));
	EXPECT("proto", sa->proto, xfrmnl_sa_get_proto(t));
	EXPECT("reqid", sa->reqid, (unsigned)xfrmnl_sa_get_reqid(t));
	EXPECT("mode", sa->mode, xfrmnl_sa_get_mode(t));
	EXPECT("family", sa->family, xfrmnl_sa_get_family(t));
	EXPECT("replay_window", sa->replay_window_u8, xfrmnl_sa_get_replay_window(t));
	EXPECT("flags", sa->flags, xfrmnl_sa_get_flags(t));
	expect_addr("daddr", &sa->daddr, xfrmnl_sa_get_daddr(t));
	expect_addr("saddr", &sa->saddr, xfrmnl_sa_get_saddr(t));
	expect_sel(&sa->sel, xfrmnl_sa_get_sel(t));
	if (xfrmnl_sa_get_curlifetime(t, &a, &b, &c, &d) == 0) {
		EXPECT("curlft.bytes", sa->curlft.bytes, a);
		EXPECT("curlft.packets", sa->curlft.packets, b);
		EXPECT("curlft.add_time", sa->curlft.add_time, c);
		EXPECT("curlft.use_time", sa->curlft.use_time, d);
	}
	if (xfrmnl_sa_get_stats(t, &a, &b, &c) == 0) {
		EXPECT("stats.replay_window", sa->stats_replay_window, a);
		EXPECT("stats.replay", sa->stats_replay, b);
		EXPECT("stats.integrity_failed", sa->stats_integrity_failed, c);
	}
	if (xfrmnl_sa_get_aead_params(t, name, &klen, &icv, key) == 0) {
		EXPECT("aead present", !!(sa->has & XD_SA_HAS_AEAD), 1);
		if (sa->algs->aead.name && strcmp(sa->algs->aead.name, name) != 0)
			mismatches++;
		EXPECT("aead.key_bits", sa->algs->aead.key_bits, klen);
		EXPECT("aead.icv_bits", sa->algs->aead.icv_bits, icv);
	}
	if (xfrmnl_sa_get_crypto_params(t, name, &klen, key) == 0) {
		EXPECT("enc present", !!(sa->has & XD_SA_HAS_ENC), 1);
		if (sa->algs->enc.name && strcmp(sa->algs->enc.name, name) != 0)
			mismatches++;
		EXPECT("enc.key_bits", sa->algs->enc.key_bits, klen);
	}
	if (xfrmnl_sa_get_auth_params(t, name, &klen, &icv, key) == 0) {
		EXPECT("auth present", !!(sa->has & XD_SA_HAS_AUTH), 1);
		if (sa->algs->auth.name && strcmp(sa->algs->auth.name, name) != 0)
			mismatches++;
		EXPECT("auth.key_bits", sa->algs->auth.key_bits, klen);
		EXPECT("auth.trunc_bits", sa->algs->auth.icv_bits, icv);
	}
	explicit_bzero(key, sizeof(key));
	unsigned int et, sp, dp;
	struct nl_addr *oa = NULL;
	if (xfrmnl_sa_get_encap_tmpl(t, &et, &sp, &dp, &oa) == 0) {
		EXPECT("encap.type", sa->encap.type, et);
		EXPECT("encap.sport", sa->encap.sport, sp);
		EXPECT("encap.dport", sa->encap.dport, dp);
		nl_addr_put(oa);
	}
	unsigned int mv, mm;
	/* libnl's order is (sa, mark_mask, mark_value); found by kernel-canary-all-algorithms
	 * (mark 0x10/0xff per `ip xfrm state`) */
	if (xfrmnl_sa_get_mark(t, &mm, &mv) == 0) {
		EXPECT("mark.v", sa->mark.v, mv);
		EXPECT("mark.m", sa->mark.m, mm);
	}
out:
	xd_snapshot_free(s);
	xfrmnl_sa_put(t);
}

static void compare_policy(struct nlmsghdr *nlh)
{
	struct xfrmnl_sp *t = NULL;
	struct xd_snapshot *s = NULL;

	if (xfrmnl_sp_parse(nlh, &t) < 0) {
		fprintf(stderr, "libnl could not parse a policy message\n");
		mismatches++;
		return;
	}
	xd_snapshot_new(&s);
	xd_decode_xfrm(s, XD_DUMP_XFRM_POLICY, nlh, nlh->nlmsg_len);
	if (s->policies.len != 1) {
		mismatches++;
		goto out;
	}
	const struct xd_policy *p = xd_snapshot_policy(s, 0);
	compared_pol++;
	EXPECT("priority", p->priority, (unsigned)xfrmnl_sp_get_priority(t));
	EXPECT("index", p->index, (unsigned)xfrmnl_sp_get_index(t));
	EXPECT("dir", p->dir, xfrmnl_sp_get_dir(t));
	EXPECT("action", p->action, xfrmnl_sp_get_action(t));
	EXPECT("flags", p->flags, xfrmnl_sp_get_flags(t));
	EXPECT("share", p->share, xfrmnl_sp_get_share(t));
	expect_sel(&p->sel, xfrmnl_sp_get_sel(t));
	EXPECT("templates", p->tmpl_count, xfrmnl_sp_get_nusertemplates(t));
	for (int i = 0; i < xfrmnl_sp_get_nusertemplates(t) && (uint32_t)i < p->tmpl_count; i++) {
		struct xfrmnl_user_tmpl *ut = xfrmnl_sp_usertemplate_n(t, i);
		const struct xd_tmpl *o = xd_policy_tmpl(s, p, (size_t)i);
		EXPECT("tmpl.reqid", o->reqid, (unsigned)xfrmnl_user_tmpl_get_reqid(ut));
		EXPECT("tmpl.proto", o->proto, xfrmnl_user_tmpl_get_proto(ut));
		EXPECT("tmpl.mode", o->mode, xfrmnl_user_tmpl_get_mode(ut));
		EXPECT("tmpl.family", o->family, xfrmnl_user_tmpl_get_family(ut));
		EXPECT("tmpl.spi", o->spi, (uint32_t)xfrmnl_user_tmpl_get_spi(ut));
		EXPECT("tmpl.optional", o->optional, xfrmnl_user_tmpl_get_optional(ut));
		EXPECT("tmpl.aalgos", o->aalgos, (unsigned)xfrmnl_user_tmpl_get_aalgos(ut));
		expect_addr("tmpl.daddr", &o->daddr, xfrmnl_user_tmpl_get_daddr(ut));
	}
out:
	xd_snapshot_free(s);
	xfrmnl_sp_put(t);
}

static int on_record(void *ud, const struct xd_record *rec)
{
	unsigned char *copy;
	size_t len = rec->len;

	if (rec->kind != XD_RECORD_NETLINK ||
	    (rec->dump != XD_DUMP_XFRM_SA && rec->dump != XD_DUMP_XFRM_POLICY))
		return 0;
	copy = malloc(len);
	memcpy(copy, rec->data, len);
	for (struct nlmsghdr *nlh = (void *)copy; NLMSG_OK(nlh, len); nlh = NLMSG_NEXT(nlh, len)) {
		if (nlh->nlmsg_type == XFRM_MSG_NEWSA)
			compare_sa(nlh);
		else if (nlh->nlmsg_type == XFRM_MSG_NEWPOLICY)
			compare_policy(nlh);
	}
	free(copy);
	return 0;
}

int main(int argc, char **argv)
{
	struct xd_record_sink sink = { .record = on_record };

	for (int i = 1; i < argc; i++) {
		struct xd_meta meta;
		char err[256];
		if (xd_capture_read(argv[i], &meta, &sink, err, sizeof(err)) < 0) {
			fprintf(stderr, "%s: %s\n", argv[i], err);
			return 1;
		}
	}
	printf("compared %u SAs and %u policies with libnl-xfrm-3: %u mismatches\n", compared_sa,
	       compared_pol, mismatches);
	if (!compared_sa && !compared_pol) {
		printf("SKIP: no XFRM records in the snapshots\n");
		return 77;
	}
	return mismatches ? 1 : 0;
}
