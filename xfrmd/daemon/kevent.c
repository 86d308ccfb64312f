/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kevent.c: XFRM multicast messages -> key-free summaries, and summaries -> watch lines.
 * Runs in the collector on datagrams that xd_xfrm_scrub() has already cleaned; it copies
 * identities only. Lengths are checked before every cast; bad messages are skipped.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>
#include <linux/xfrm.h>
#include <string.h>
#include <time.h>

#include "kevent.h"
#include "xfrmd/names.h"

static void copy_addr(struct xd_addr *dst, const xfrm_address_t *src)
{
	memcpy(dst->b, src, sizeof(dst->b));
}

static void from_sa_id(struct xd_kevent *e, const struct xfrm_usersa_id *id,
		       const xfrm_address_t *saddr)
{
	e->family = id->family;
	e->proto = id->proto;
	e->spi = ntohl(id->spi);
	copy_addr(&e->daddr, &id->daddr);
	if (saddr)
		copy_addr(&e->saddr, saddr);
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

static void from_pol_info(struct xd_kevent *e, const struct xfrm_userpolicy_info *p)
{
	e->family = p->sel.family;
	e->dir = p->dir;
	e->index = p->index;
	copy_addr(&e->saddr, &p->sel.saddr);
	copy_addr(&e->daddr, &p->sel.daddr);
	e->sel_plen_s = p->sel.prefixlen_s;
	e->sel_plen_d = p->sel.prefixlen_d;
	e->has |= XD_KEVH_INDEX | XD_KEVH_SEL;
}

/* An attribute of type `type` with at least `min` bytes in the message tail, or NULL. */
static const void *find_attr_len(const struct nlmsghdr *nlh, size_t hdrlen, uint16_t type,
				 size_t min, size_t *ret_len)
{
	size_t off = NLMSG_ALIGN(hdrlen);
	size_t end = nlh->nlmsg_len - NLMSG_HDRLEN;
	const char *base = (const char *)nlh + NLMSG_HDRLEN;

	while (off + sizeof(struct nlattr) <= end) {
		const struct nlattr *a = (const void *)(base + off);
		if (a->nla_len < sizeof(*a) || a->nla_len > end - off)
			return NULL;
		if ((a->nla_type & NLA_TYPE_MASK) == type && a->nla_len - sizeof(*a) >= min) {
			if (ret_len)
				*ret_len = a->nla_len - NLA_HDRLEN;
			return (const char *)a + NLA_HDRLEN;
		}
		off += NLA_ALIGN(a->nla_len);
	}
	return NULL;
}

static const void *find_attr(const struct nlmsghdr *nlh, size_t hdrlen, uint16_t type, size_t min)
{
	return find_attr_len(nlh, hdrlen, type, min, NULL);
}

/* Copy a fixed header out of the message: payloads are only 4-byte aligned, and several
 * XFRM structs hold u64 fields, so they are never read in place. */
#define GET(dst, src, avail) ((avail) >= sizeof(dst) ? (memcpy(&(dst), (src), sizeof(dst)), true) : false)

static bool one(const struct nlmsghdr *nlh, struct xd_kevent *e)
{
	size_t plen = nlh->nlmsg_len - NLMSG_HDRLEN;
	const void *p = (const char *)nlh + NLMSG_HDRLEN;

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
		full = find_attr(nlh, sizeof(id), XFRMA_SA, sizeof(info));
		if (full && GET(info, full, sizeof(info)))
			from_sa_info(e, &info);
		else
			from_sa_id(e, &id, NULL);
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
		from_pol_info(e, &info);
		return true;
	}
	case XFRM_MSG_DELPOLICY: {
		struct xfrm_userpolicy_info info;
		struct xfrm_userpolicy_id id;
		const void *full;
		if (!GET(id, p, plen))
			return false;
		e->type = XD_KEV_POLICY_DELETED;
		full = find_attr(nlh, sizeof(id), XFRMA_POLICY, sizeof(info));
		if (full && GET(info, full, sizeof(info))) {
			from_pol_info(e, &info);
		} else {
			e->family = id.sel.family;
			e->dir = id.dir;
			e->index = id.index;
			copy_addr(&e->saddr, &id.sel.saddr);
			copy_addr(&e->daddr, &id.sel.daddr);
			e->sel_plen_s = id.sel.prefixlen_s;
			e->sel_plen_d = id.sel.prefixlen_d;
			e->has |= XD_KEVH_INDEX | XD_KEVH_SEL;
		}
		return true;
	}
	case XFRM_MSG_POLEXPIRE: {
		struct xfrm_user_polexpire x;
		if (!GET(x, p, plen))
			return false;
		e->type = XD_KEV_POLICY_EXPIRED;
		from_pol_info(e, &x.pol);
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
		from_sa_id(e, &m.id, &m.old_saddr);
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

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Walk a datagram's messages by hand with the bounds NLMSG_OK checks (len may be any size),
 * turning each into an event with parse_one(); all get the time the datagram was read. */
static size_t walk(const void *buf, size_t len, struct xd_kevent *out, size_t max,
		   bool (*parse_one)(const struct nlmsghdr *, struct xd_kevent *))
{
	const struct nlmsghdr *nlh = buf;
	int64_t now = now_ns();
	size_t n = 0;

	while (n < max && len >= sizeof(*nlh) && nlh->nlmsg_len >= sizeof(*nlh) &&
	       nlh->nlmsg_len <= len) {
		struct xd_kevent e = { .ts_ns = now };
		size_t step = NLMSG_ALIGN(nlh->nlmsg_len);

		if (parse_one(nlh, &e))
			out[n++] = e;
		if (step >= len)
			break;
		len -= step;
		nlh = (const void *)((const char *)nlh + step);
	}
	return n;
}

size_t xd_kevent_parse(const void *buf, size_t len, struct xd_kevent *out, size_t max)
{
	return walk(buf, len, out, max, one);
}

/* NFT_MSG_NEWGEN: a committed nf_tables transaction, with the committing process */
static bool one_nft(const struct nlmsghdr *nlh, struct xd_kevent *e)
{
	const void *pid;
	const char *name;
	size_t name_len = 0;

	if (nlh->nlmsg_type != ((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWGEN) ||
	    nlh->nlmsg_len - NLMSG_HDRLEN < sizeof(struct nfgenmsg))
		return false;
	e->type = XD_KEV_FW_CHANGED;
	pid = find_attr(nlh, sizeof(struct nfgenmsg), NFTA_GEN_PROC_PID, 4);
	name = find_attr_len(nlh, sizeof(struct nfgenmsg), NFTA_GEN_PROC_NAME, 1, &name_len);
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

size_t xd_kevent_parse_nft(const void *buf, size_t len, struct xd_kevent *out, size_t max)
{
	return walk(buf, len, out, max, one_nft);
}

const char *xd_kevent_name(uint32_t type)
{
	static const char *const t[] = {
		[XD_KEV_SA_ADDED] = "xfrm.sa_added",
		[XD_KEV_SA_UPDATED] = "xfrm.sa_updated",
		[XD_KEV_SA_DELETED] = "xfrm.sa_deleted",
		[XD_KEV_SA_EXPIRED] = "xfrm.sa_expired",
		[XD_KEV_SA_FLUSHED] = "xfrm.sa_flushed",
		[XD_KEV_POLICY_ADDED] = "xfrm.policy_added",
		[XD_KEV_POLICY_UPDATED] = "xfrm.policy_updated",
		[XD_KEV_POLICY_DELETED] = "xfrm.policy_deleted",
		[XD_KEV_POLICY_EXPIRED] = "xfrm.policy_expired",
		[XD_KEV_POLICY_FLUSHED] = "xfrm.policy_flushed",
		[XD_KEV_POLICY_DEFAULT] = "xfrm.default_changed",
		[XD_KEV_MAPPING] = "nat.mapping_changed",
		[XD_KEV_MIGRATE] = "xfrm.sa_migrated",
		[XD_KEV_OVERRUN] = "overrun",
		[XD_KEV_SA_ACQUIRE] = "xfrm.sa_acquire",
		[XD_KEV_FW_CHANGED] = "firewall.changed",
	};
	return type < XD_ARRAY_SIZE(t) ? t[type] : NULL;
}

static void add_addr(struct json_object *o, const char *k, const struct xd_addr *a, uint16_t fam,
		     int plen)
{
	char buf[64];

	if (plen >= 0)
		xd_prefix_fmt(a, fam, (uint8_t)plen, buf, sizeof(buf));
	else
		xd_addr_fmt(a, fam, buf, sizeof(buf));
	json_object_object_add(o, k, json_object_new_string(buf));
}

int xd_kevent_json(FILE *out, const struct xd_kevent *e)
{
	struct json_object *o = json_object_new_object();
	const char *name = xd_kevent_name(e->type);
	char ts[64];
	time_t sec = (time_t)(e->ts_ns / 1000000000);
	int r;

	if (!o)
		return -ENOMEM;
	if (xd_fmt_utc(sec, ts, sizeof(ts)) < 0)
		xd_strlcpy(ts, "?", sizeof(ts));
	snprintf(ts + strlen(ts), sizeof(ts) - strlen(ts), ".%06" PRId64 "Z",
		 (e->ts_ns % 1000000000) / 1000);
	json_object_object_add(o, "event", json_object_new_string(name ? name : "unknown"));
	json_object_object_add(o, "time", json_object_new_string(ts));
	if (e->has & (XD_KEVH_ADDRS | XD_KEVH_SEL))
		json_object_object_add(o, "family",
				       json_object_new_string(e->family == 10 ? "ipv6" : "ipv4"));
	if (e->has & XD_KEVH_ADDRS) {
		add_addr(o, "src", &e->saddr, e->family, -1);
		add_addr(o, "dst", &e->daddr, e->family, -1);
	}
	if (e->has & XD_KEVH_SEL) {
		add_addr(o, "src", &e->saddr, e->family, e->sel_plen_s);
		add_addr(o, "dst", &e->daddr, e->family, e->sel_plen_d);
	}
	if (e->has & XD_KEVH_PROTO) {
		const char *p = xd_name_proto(e->proto);
		json_object_object_add(o, "proto", p ? json_object_new_string(p)
						     : json_object_new_int(e->proto));
	}
	if (e->has & XD_KEVH_SPI)
		json_object_object_add(o, "spi", json_object_new_int64(e->spi));
	if (e->has & XD_KEVH_REQID)
		json_object_object_add(o, "reqid", json_object_new_int64(e->reqid));
	if (e->has & XD_KEVH_INDEX) {
		const char *d = xd_name_policy_dir(e->dir);
		json_object_object_add(o, "dir", d ? json_object_new_string(d)
						   : json_object_new_int(e->dir));
		json_object_object_add(o, "index", json_object_new_int64(e->index));
	}
	if (e->has & XD_KEVH_HARD)
		json_object_object_add(o, "hard", json_object_new_boolean(e->hard));
	if (e->has & XD_KEVH_PROCESS) {
		char comm[sizeof(e->comm)];
		memcpy(comm, e->comm, sizeof(comm));
		comm[sizeof(comm) - 1] = 0;
		json_object_object_add(o, "pid", json_object_new_int64(e->pid));
		json_object_object_add(o, "process", json_object_new_string(comm));
	}
	/* a larval (ACQUIRE) state timing out: the key manager never answered (netlink.md §1.4) */
	if (e->type == XD_KEV_SA_EXPIRED && e->hard && e->spi == 0)
		json_object_object_add(o, "acquire_unanswered", json_object_new_boolean(1));
	if (e->has & XD_KEVH_MAPPING) {
		add_addr(o, "new_src", &e->new_addr, e->family, -1);
		json_object_object_add(o, "old_sport", json_object_new_int(e->old_sport));
		json_object_object_add(o, "new_sport", json_object_new_int(e->new_sport));
	}
	r = fprintf(out, "%s\n",
		    json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
							      JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return r < 0 ? -EIO : 0;
}
