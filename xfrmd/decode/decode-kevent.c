/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * decode-kevent.c: kernel event datagrams -> struct xd_kevent (kevent.h). The XFRM
 * multicast groups (SA, policy, expire, mapping, migrate) and nf_tables' NEWGEN, walked with
 * the one message and attribute walker (nl-walk.h) like every other netlink decoder. Runs on
 * datagrams xd_xfrm_scrub() has already cleaned, and copies identities only.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <string.h>

#include "nl-walk.h"
#include "xfrm-uapi.h"
#include "xfrmd/decode.h"
#include "xfrmd/kevent.h"

/* Copy a fixed header out of the message: payloads are only 4-byte aligned, and several
 * XFRM structs hold u64 fields, so they are never read in place. */
#define GET(dst, src, avail) \
	((avail) >= sizeof(dst) ? (memcpy(&(dst), (src), sizeof(dst)), true) : false)

static void copy_addr(struct xd_addr *dst, const xfrm_address_t *src)
{
	memcpy(dst->b, src, sizeof(dst->b));
}

static void from_sa_id(struct xd_kevent *e, const struct xfrm_usersa_id *id)
{
	e->family = id->family;
	e->proto = id->proto;
	e->spi = ntohl(id->spi);
	copy_addr(&e->daddr, &id->daddr);
	e->has |= XD_KEVH_ADDRS | XD_KEVH_SPI | XD_KEVH_PROTO;
}

static void from_sa_info(struct xd_kevent *e, const struct xfrm_usersa_info *p)
{
	e->family = p->family;
	e->proto = p->id.proto;
	e->spi = ntohl(p->id.spi);
	e->reqid = p->reqid;
	copy_addr(&e->daddr, &p->id.daddr);
	copy_addr(&e->saddr, &p->saddr);
	e->has |= XD_KEVH_ADDRS | XD_KEVH_SPI | XD_KEVH_REQID | XD_KEVH_PROTO;
}

static void from_selector(struct xd_kevent *e, const struct xfrm_selector *sel, uint8_t dir,
			  uint32_t index)
{
	e->family = sel->family;
	e->dir = dir;
	e->index = index;
	copy_addr(&e->saddr, &sel->saddr);
	copy_addr(&e->daddr, &sel->daddr);
	e->sel_plen_s = sel->prefixlen_s;
	e->sel_plen_d = sel->prefixlen_d;
	e->has |= XD_KEVH_INDEX | XD_KEVH_SEL;
}

/* The first attribute of one type with at least `min` payload bytes, from an attribute walk. */
struct find {
	uint16_t type;
	size_t min;
	const void *payload;
	size_t len;
};

static int find_cb(void *ud, const struct nlattr *a)
{
	struct find *f = ud;

	if (!f->payload && xd_attr_type(a) == f->type && xd_attr_payload_len(a) >= f->min) {
		f->payload = xd_attr_payload(a);
		f->len = xd_attr_payload_len(a);
	}
	return 0;
}

/* An attribute after the fixed header `hdrlen`, or NULL; a broken tail ends the search (the
 * fixed header is still used, so the event is not lost). */
static const void *find_attr(const struct nlmsghdr *nlh, size_t hdrlen, uint16_t type, size_t min,
			     size_t *ret_len)
{
	struct find f = { .type = type, .min = min };
	const void *bad, *start;
	size_t len;

	if (nlh->nlmsg_len - NLMSG_HDRLEN < hdrlen)
		return NULL;
	start = xd_msg_attrs(nlh, hdrlen, &len);
	(void)xd_walk_attrs(start, len, find_cb, &f, &bad);
	if (ret_len)
		*ret_len = f.len;
	return f.payload;
}

static bool xfrm_one(const struct nlmsghdr *nlh, struct xd_kevent *e)
{
	size_t plen = nlh->nlmsg_len - NLMSG_HDRLEN;
	const void *p = xd_msg_payload(nlh);

	switch (nlh->nlmsg_type) {
	case XFRM_MSG_NEWSA:
	case XFRM_MSG_UPDSA: {
		struct xfrm_usersa_info info;
		if (!GET(info, p, plen))
			return false;
		e->type = nlh->nlmsg_type == XFRM_MSG_NEWSA ? XD_KEV_SA_ADDED : XD_KEV_SA_UPDATED;
		from_sa_info(e, &info);
		return true;
	}
	case XFRM_MSG_DELSA: {
		struct xfrm_usersa_info info;
		struct xfrm_usersa_id id;
		const void *full;
		if (!GET(id, p, plen))
			return false;
		e->type = XD_KEV_SA_DELETED;
		/* the kernel appends the whole state (XFRMA_SA): it names the source and reqid */
		full = find_attr(nlh, sizeof(id), XFRMA_SA, sizeof(info), NULL);
		if (full && GET(info, full, sizeof(info)))
			from_sa_info(e, &info);
		else
			from_sa_id(e, &id);
		return true;
	}
	case XFRM_MSG_EXPIRE: {
		struct xfrm_user_expire x;
		if (!GET(x, p, plen))
			return false;
		e->type = XD_KEV_SA_EXPIRED;
		from_sa_info(e, &x.state);
		e->hard = x.hard;
		e->has |= XD_KEVH_HARD;
		return true;
	}
	case XFRM_MSG_FLUSHSA: {
		struct xfrm_usersa_flush x;
		if (!GET(x, p, plen))
			return false;
		e->type = XD_KEV_SA_FLUSHED;
		e->proto = x.proto;
		e->has |= XD_KEVH_PROTO;
		return true;
	}
	case XFRM_MSG_NEWPOLICY:
	case XFRM_MSG_UPDPOLICY: {
		struct xfrm_userpolicy_info info;
		if (!GET(info, p, plen))
			return false;
		e->type = nlh->nlmsg_type == XFRM_MSG_NEWPOLICY ? XD_KEV_POLICY_ADDED
								 : XD_KEV_POLICY_UPDATED;
		from_selector(e, &info.sel, info.dir, info.index);
		return true;
	}
	case XFRM_MSG_DELPOLICY: {
		struct xfrm_userpolicy_info info;
		struct xfrm_userpolicy_id id;
		const void *full;
		if (!GET(id, p, plen))
			return false;
		e->type = XD_KEV_POLICY_DELETED;
		full = find_attr(nlh, sizeof(id), XFRMA_POLICY, sizeof(info), NULL);
		if (full && GET(info, full, sizeof(info)))
			from_selector(e, &info.sel, info.dir, info.index);
		else
			from_selector(e, &id.sel, id.dir, id.index);
		return true;
	}
	case XFRM_MSG_POLEXPIRE: {
		struct xfrm_user_polexpire x;
		if (!GET(x, p, plen))
			return false;
		e->type = XD_KEV_POLICY_EXPIRED;
		from_selector(e, &x.pol.sel, x.pol.dir, x.pol.index);
		e->hard = x.hard;
		e->has |= XD_KEVH_HARD;
		return true;
	}
	case XFRM_MSG_FLUSHPOLICY:
		e->type = XD_KEV_POLICY_FLUSHED;
		return true;
	case XFRM_MSG_GETDEFAULT: /* a default-policy change is announced with this type */
		e->type = XD_KEV_POLICY_DEFAULT;
		return true;
	case XFRM_MSG_MAPPING: {
		struct xfrm_user_mapping m;
		if (!GET(m, p, plen))
			return false;
		e->type = XD_KEV_MAPPING;
		from_sa_id(e, &m.id);
		copy_addr(&e->saddr, &m.old_saddr);
		e->reqid = m.reqid;
		copy_addr(&e->new_addr, &m.new_saddr);
		e->old_sport = ntohs(m.old_sport);
		e->new_sport = ntohs(m.new_sport);
		e->has |= XD_KEVH_REQID | XD_KEVH_MAPPING;
		return true;
	}
	case XFRM_MSG_MIGRATE:
		e->type = XD_KEV_MIGRATE;
		return true;
	default:
		return false;
	}
}

/* NFT_MSG_NEWGEN: a committed nf_tables transaction, with the committing process. */
static bool nft_one(const struct nlmsghdr *nlh, struct xd_kevent *e)
{
	const void *pid;
	const char *name;
	size_t name_len = 0;

	if (nlh->nlmsg_type != ((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWGEN) ||
	    nlh->nlmsg_len - NLMSG_HDRLEN < sizeof(struct nfgenmsg))
		return false;
	e->type = XD_KEV_FW_CHANGED;
	pid = find_attr(nlh, sizeof(struct nfgenmsg), NFTA_GEN_PROC_PID, 4, NULL);
	name = find_attr(nlh, sizeof(struct nfgenmsg), NFTA_GEN_PROC_NAME, 1, &name_len);
	if (pid) {
		uint32_t v;
		memcpy(&v, pid, sizeof(v));
		e->pid = ntohl(v);
		e->has |= XD_KEVH_PROCESS;
	}
	/* a process name is anyone's choice: keep printable ASCII only */
	for (size_t i = 0; name && i < name_len && i < sizeof(e->comm) - 1 && name[i]; i++)
		e->comm[i] = name[i] >= 0x20 && name[i] < 0x7f ? name[i] : '?';
	return true;
}

struct kev_walk {
	bool (*one)(const struct nlmsghdr *nlh, struct xd_kevent *e);
	xd_kevent_fn fn;
	void *ud;
};

static int kev_cb(void *ud, const struct nlmsghdr *nlh)
{
	struct kev_walk *w = ud;
	struct xd_kevent e = { 0 };

	return w->one(nlh, &e) ? w->fn(w->ud, &e) : 0;
}

int xd_decode_kevents(uint16_t nl_proto, const void *buf, size_t len, xd_kevent_fn fn, void *ud)
{
	struct kev_walk w = { .fn = fn, .ud = ud };
	const void *bad;

	if (nl_proto == NETLINK_XFRM)
		w.one = xfrm_one;
	else if (nl_proto == NETLINK_NETFILTER)
		w.one = nft_one;
	else
		return -EPROTONOSUPPORT;
	return xd_walk_msgs(buf, len, kev_cb, &w, &bad);
}
