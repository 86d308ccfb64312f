/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * collect-nft.c: live collection of the nf_tables rule set into records. The dumps are made
 * consistent with the ruleset generation: GETGEN before and after, and every dump message is
 * checked for NLM_F_DUMP_INTR; on a change the whole set of dumps is retried (bounded), else
 * kept and marked interrupted. Never sends a *_RESET message: those zero counters and quotas.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>
#include <string.h>
#include <time.h>

#include "collect-internal.h"
#include "xfrmd/model.h"

#define REQ_BUF_SIZE 1024

static const enum xd_dump nft_dumps[] = {
	XD_DUMP_NFT_GEN,  XD_DUMP_NFT_TABLES,   XD_DUMP_NFT_CHAINS,     XD_DUMP_NFT_SETS,
	XD_DUMP_NFT_RULES, XD_DUMP_NFT_SETELEMS, XD_DUMP_NFT_FLOWTABLES,
};

struct set_ref {
	uint8_t family;
	char table[NFT_TABLE_MAXNAMELEN];
	char name[NFT_SET_MAXNAMELEN];
};

static struct nlmsghdr *put_nft_req(void *buf, uint16_t msg, uint16_t flags, uint8_t family)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *g;

	nlh->nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) | msg;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->nfgen_family = family;
	g->version = NFNETLINK_V0;
	g->res_id = 0;
	return nlh;
}

/* Sink that pulls the generation id out of a NEWGEN record. */
struct gen_ctx {
	uint32_t gen;
	bool found;
};

static int gen_attr(const struct nlattr *a, void *data)
{
	struct gen_ctx *g = data;

	if (mnl_attr_get_type(a) == NFTA_GEN_ID && mnl_attr_get_payload_len(a) == 4) {
		g->gen = ntohl(mnl_attr_get_u32(a));
		g->found = true;
	}
	return MNL_CB_OK;
}

static int gen_sink(void *ud, const struct xd_record *rec)
{
	const struct nlmsghdr *nlh = rec->data;
	int left = (int)rec->len;

	for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left))
		if ((nlh->nlmsg_type & 0xff) == NFT_MSG_NEWGEN &&
		    nlh->nlmsg_len >= NLMSG_HDRLEN + sizeof(struct nfgenmsg))
			(void)mnl_attr_parse(nlh, sizeof(struct nfgenmsg), gen_attr, ud);
	return 0;
}

/* GETGEN: record the reply in `out` and return the generation in *gen. */
static int get_gen(struct xd_nl *nl, struct xd_recbuf *out, uint32_t *gen)
{
	char buf[REQ_BUF_SIZE] __attribute__((aligned(8)));
	_xd_cleanup_(xd_recbuf_freep) struct xd_recbuf *tmp = NULL;
	struct xd_nl_result res;
	struct gen_ctx g = { 0 };
	int r;

	r = xd_recbuf_new(&tmp);
	if (r < 0)
		return r;
	r = xd_nl_request(nl, put_nft_req(buf, NFT_MSG_GETGEN, 0, NFPROTO_UNSPEC),
			  XD_DUMP_NFT_GEN, tmp, &res);
	if (r < 0)
		return r;
	(void)xd_recbuf_replay(tmp, &(struct xd_record_sink){ .record = gen_sink, .userdata = &g });
	if (!g.found)
		return -EBADMSG;
	*gen = g.gen;
	return xd_recbuf_replay(tmp, &(struct xd_record_sink){ .record = xd_recbuf_add_sink,
							       .userdata = out });
}

/* Collects (family, table, name) of every set seen in the nft.sets records. */
struct sets_ctx {
	struct xd_vec refs; /* struct set_ref */
	int err;
};

static int set_attr(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	int t = mnl_attr_get_type(a);

	if ((t == NFTA_SET_TABLE || t == NFTA_SET_NAME) && mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
		tb[t] = a;
	return MNL_CB_OK;
}

static int sets_sink(void *ud, const struct xd_record *rec)
{
	struct sets_ctx *c = ud;
	const struct nlmsghdr *nlh = rec->data;
	int left = (int)rec->len;

	if (rec->dump != XD_DUMP_NFT_SETS)
		return 0;
	for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
		const struct nlattr *tb[NFTA_SET_MAX + 1] = { 0 };
		const struct nfgenmsg *g;
		struct set_ref *ref;

		if ((nlh->nlmsg_type & 0xff) != NFT_MSG_NEWSET ||
		    nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(*g))
			continue;
		g = mnl_nlmsg_get_payload(nlh);
		if (mnl_attr_parse(nlh, sizeof(*g), set_attr, tb) < 0 || !tb[NFTA_SET_TABLE] ||
		    !tb[NFTA_SET_NAME])
			continue;
		ref = xd_vec_push(&c->refs);
		if (!ref) {
			c->err = -ENOMEM;
			return -ENOMEM;
		}
		ref->family = g->nfgen_family;
		xd_strlcpy(ref->table, mnl_attr_get_str(tb[NFTA_SET_TABLE]), sizeof(ref->table));
		xd_strlcpy(ref->name, mnl_attr_get_str(tb[NFTA_SET_NAME]), sizeof(ref->name));
	}
	return 0;
}

static int dump_setelems(struct xd_nl *nl, struct xd_recbuf *out, const struct set_ref *ref,
			 bool *intr)
{
	char buf[REQ_BUF_SIZE] __attribute__((aligned(8)));
	/* the table's family, not UNSPEC: the kernel looks the set up in that family */
	struct nlmsghdr *nlh = put_nft_req(buf, NFT_MSG_GETSETELEM, NLM_F_DUMP, ref->family);
	struct xd_nl_result res;
	int r;

	mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_TABLE, ref->table);
	mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_SET, ref->name);
	r = xd_nl_request(nl, nlh, XD_DUMP_NFT_SETELEMS, out, &res);
	*intr |= res.dump_intr;
	return r;
}

static void drop_all(struct xd_recbuf *out)
{
	for (size_t i = 0; i < XD_ARRAY_SIZE(nft_dumps); i++)
		xd_recbuf_drop_dump(out, nft_dumps[i]);
}

static void set_status_all(struct xd_meta *m, int err, unsigned attempt)
{
	for (size_t i = 0; i < XD_ARRAY_SIZE(nft_dumps); i++) {
		m->dump_status[nft_dumps[i]] = xd_nl_status_from_error(err);
		m->dump_error[nft_dumps[i]] = err;
		m->dump_attempts[nft_dumps[i]] = attempt;
	}
}

/*
 * One attempt at the whole ruleset. Returns 0 when it is consistent, -EAGAIN when the
 * generation moved or a dump was interrupted, another -errno on a hard failure of GETGEN.
 * Per-dump failures are written to the manifest directly.
 */
static int nft_attempt(struct xd_nl *nl, struct xd_recbuf *out, unsigned attempt)
{
	static const struct {
		enum xd_dump dump;
		uint16_t msg;
	} plain[] = {
		{ XD_DUMP_NFT_TABLES, NFT_MSG_GETTABLE },  { XD_DUMP_NFT_CHAINS, NFT_MSG_GETCHAIN },
		{ XD_DUMP_NFT_SETS, NFT_MSG_GETSET },      { XD_DUMP_NFT_RULES, NFT_MSG_GETRULE },
		{ XD_DUMP_NFT_FLOWTABLES, NFT_MSG_GETFLOWTABLE },
	};
	struct xd_meta *m = xd_recbuf_meta(out);
	struct sets_ctx sc = { .err = 0 };
	uint32_t gen_before, gen_after;
	bool intr = false;
	int r, relem = 0;

	drop_all(out);
	set_status_all(m, 0, attempt);
	r = get_gen(nl, out, &gen_before);
	if (r < 0)
		return r;
	for (size_t i = 0; i < XD_ARRAY_SIZE(plain); i++) {
		char buf[REQ_BUF_SIZE] __attribute__((aligned(8)));
		struct xd_nl_result res;

		r = xd_nl_request(nl, put_nft_req(buf, plain[i].msg, NLM_F_DUMP, NFPROTO_UNSPEC),
				  plain[i].dump, out, &res);
		intr |= res.dump_intr;
		if (r < 0) {
			xd_recbuf_drop_dump(out, plain[i].dump);
			m->dump_status[plain[i].dump] = xd_nl_status_from_error(r);
			m->dump_error[plain[i].dump] = r;
		}
	}
	xd_vec_init(&sc.refs, sizeof(struct set_ref));
	(void)xd_recbuf_replay(out, &(struct xd_record_sink){ .record = sets_sink, .userdata = &sc });
	for (size_t i = 0; i < sc.refs.len && !sc.err; i++) {
		r = dump_setelems(nl, out, xd_vec_at(&sc.refs, i), &intr);
		/* ENOENT: the set went away between the dumps; the generation check retries */
		if (r == -ENOENT)
			intr = true;
		else if (r < 0)
			relem = r;
	}
	xd_vec_done(&sc.refs);
	if (sc.err)
		relem = sc.err;
	if (relem < 0) {
		xd_recbuf_drop_dump(out, XD_DUMP_NFT_SETELEMS);
		m->dump_status[XD_DUMP_NFT_SETELEMS] = xd_nl_status_from_error(relem);
		m->dump_error[XD_DUMP_NFT_SETELEMS] = relem;
	}
	r = get_gen(nl, out, &gen_after);
	if (r < 0)
		return r;
	return intr || gen_before != gen_after ? -EAGAIN : 0;
}

/**
 * xd_collect_nft() - collect the nf_tables ruleset of the current network namespace
 * @out: records and manifest are added here
 * @attempts: consistency attempts (at least 1)
 *
 * Every failure ends up as dump statuses in the manifest; nothing is returned.
 */
void xd_collect_nft(struct xd_recbuf *out, unsigned attempts)
{
	struct xd_meta *m = xd_recbuf_meta(out);
	struct xd_nl *nl = NULL;
	int r = xd_nl_open(NETLINK_NETFILTER, &nl);

	if (r < 0) {
		set_status_all(m, r, 1);
		return;
	}
	for (unsigned a = 1; a <= attempts; a++) {
		r = nft_attempt(nl, out, a);
		if (r != -EAGAIN)
			break;
		if (a < attempts) {
			struct timespec ts = { .tv_nsec = 1000000L * a * a };
			nanosleep(&ts, NULL);
		}
	}
	if (r == -EAGAIN) {
		/* keep the last attempt: better than nothing, but never authoritative */
		for (size_t i = 0; i < XD_ARRAY_SIZE(nft_dumps); i++)
			if (m->dump_status[nft_dumps[i]] == XD_DUMP_COMPLETE) {
				m->dump_status[nft_dumps[i]] = XD_DUMP_INTERRUPTED;
				m->dump_error[nft_dumps[i]] = -EAGAIN;
			}
	} else if (r < 0) {
		drop_all(out);
		set_status_all(m, r, m->dump_attempts[XD_DUMP_NFT_GEN]);
	}
	xd_nl_close(nl);
}
