/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * decode-ip-addr.c: `ip [-d] address` text (sos networking/ip_-d_address, supportconfig
 * network.txt `ip addr`) into the links and local addresses the rtnl.link and rtnl.addr dumps
 * give (model.h): what decides SA direction and what "forwarded" means. A link starts with an
 * unindented "N: NAME[@LOWER]: <FLAGS> ... state S" line; `-d` adds the kind on the line after
 * "link/TYPE" ("veth ...", "xfrm if_id 0x1 ..."); "inet"/"inet6" lines hold its addresses.
 */
#include <ctype.h>
#include <errno.h>
#include <linux/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "ipxfrm-text.h"
#include "xfrmd/decode.h"
#include "xfrmd/model.h"

#define MAX_LINKS 100000
#define MAX_ADDRS 400000

static const struct {
	const char *name;
	uint32_t bit;
} flag_names[] = {
	{ "UP", IFF_UP },
	{ "BROADCAST", IFF_BROADCAST },
	{ "DEBUG", IFF_DEBUG },
	{ "LOOPBACK", IFF_LOOPBACK },
	{ "POINTOPOINT", IFF_POINTOPOINT },
	{ "NOTRAILERS", IFF_NOTRAILERS },
	{ "RUNNING", IFF_RUNNING },
	{ "NOARP", IFF_NOARP },
	{ "PROMISC", IFF_PROMISC },
	{ "ALLMULTI", IFF_ALLMULTI },
	{ "MASTER", IFF_MASTER },
	{ "SLAVE", IFF_SLAVE },
	{ "MULTICAST", IFF_MULTICAST },
	{ "PORTSEL", IFF_PORTSEL },
	{ "AUTOMEDIA", IFF_AUTOMEDIA },
	{ "DYNAMIC", IFF_DYNAMIC },
	{ "LOWER_UP", IFF_LOWER_UP },
	{ "DORMANT", IFF_DORMANT },
	{ "ECHO", IFF_ECHO },
};

static const struct {
	const char *name;
	uint8_t state;
} oper_names[] = {
	{ "UNKNOWN", XD_OPER_UNKNOWN }, { "NOTPRESENT", XD_OPER_NOTPRESENT },
	{ "DOWN", XD_OPER_DOWN },       { "LOWERLAYERDOWN", XD_OPER_LOWERLAYERDOWN },
	{ "TESTING", 4 },               { "DORMANT", XD_OPER_DORMANT },
	{ "UP", XD_OPER_UP },
};

/* Words that may start the line after "link/TYPE" without being a kind. */
static const char *const not_kind[] = { "inet", "inet6", "altname", "alias", "addrgenmode",
					"numtxqueues", "vf", "prop", "valid_lft", "RX:", "TX:" };

static uint32_t parse_flags(const char *t)
{
	uint32_t f = 0;
	char buf[256], *save = NULL;

	if (t[0] != '<')
		return 0;
	snprintf(buf, sizeof(buf), "%s", t + 1);
	buf[strcspn(buf, ">")] = '\0';
	for (char *w = strtok_r(buf, ",", &save); w; w = strtok_r(NULL, ",", &save))
		for (size_t i = 0; i < sizeof(flag_names) / sizeof(flag_names[0]); i++)
			if (strcmp(w, flag_names[i].name) == 0)
				f |= flag_names[i].bit;
	return f;
}

static bool is_word(const char *t)
{
	if (!*t)
		return false;
	for (; *t; t++)
		if (!(islower((unsigned char)*t) || isdigit((unsigned char)*t) || *t == '_'))
			return false;
	return true;
}

/* "N: NAME[@LOWER]: <FLAGS> ... state S ...": a new link; false if the line is not one. */
static bool link_line(struct xd_snapshot *s, const struct ipx_line *l, struct xd_link **ret)
{
	char *end, *name = l->n > 1 ? l->tok[1] : NULL;
	long idx = strtol(l->tok[0], &end, 10);
	struct xd_link *k;
	size_t nl;

	if (l->n < 3 || end == l->tok[0] || strcmp(end, ":") != 0 || idx <= 0 || idx > INT32_MAX)
		return false;
	nl = strlen(name);
	if (nl < 2 || name[nl - 1] != ':')
		return false;
	nl--;
	/* "veth0@veth1": the lower (or peer) device follows '@' ("@NONE", "@if5") */
	if (memchr(name, '@', nl))
		nl = (size_t)((char *)memchr(name, '@', nl) - name);
	if (s->links.len >= MAX_LINKS)
		return false;
	k = xd_vec_push(&s->links);
	if (!k)
		return false;
	memset(k, 0, sizeof(*k));
	k->ifindex = (int32_t)idx;
	k->name = xd_snapshot_intern(s, name, nl);
	k->flags = parse_flags(l->tok[2]);
	for (size_t i = 3; i + 1 < l->n; i++)
		if (strcmp(l->tok[i], "state") == 0)
			for (size_t j = 0; j < sizeof(oper_names) / sizeof(oper_names[0]); j++)
				if (strcmp(l->tok[i + 1], oper_names[j].name) == 0) {
					k->operstate = oper_names[j].state;
					k->has |= XD_LINK_HAS_OPERSTATE;
				}
	*ret = k;
	return true;
}

/* "inet A/P [peer B/Q] ...", "inet6 A/P ...": a local address of link `k`. */
static int addr_line(struct xd_snapshot *s, const struct ipx_line *l, const struct xd_link *k)
{
	struct xd_local_addr a = { .ifindex = k->ifindex };
	uint16_t fam = 0, pfam = 0;
	uint8_t plen = 0, pplen = 0;
	struct xd_addr peer;
	struct xd_local_addr *v;

	if (l->n < 2 || xd_ipx_prefix(l->tok[1], &a.addr, &fam, &plen) < 0)
		return -EINVAL;
	if ((strcmp(l->tok[0], "inet") == 0) != (fam == AF_INET))
		return -EINVAL;
	a.family = fam;
	/* without "/P" the prefix is the whole address (xd_ipx_prefix); a peer's "/Q" is the
	 * prefix then */
	a.prefixlen = plen;
	if (l->n > 3 && strcmp(l->tok[2], "peer") == 0 &&
	    xd_ipx_prefix(l->tok[3], &peer, &pfam, &pplen) == 0 && pfam == fam &&
	    strchr(l->tok[3], '/'))
		a.prefixlen = pplen;
	if (s->addrs.len >= MAX_ADDRS)
		return -E2BIG;
	v = xd_vec_push(&s->addrs);
	if (!v)
		return -ENOMEM;
	*v = a;
	return 0;
}

int xd_decode_ip_addr(struct xd_snapshot *s, const void *buf, size_t len)
{
	const char *p = buf, *end = p + len;
	struct ipx_line *l = malloc(sizeof(*l));
	struct xd_link *k = NULL;
	bool after_link_type = false;

	if (!l)
		return -ENOMEM;
	while (xd_ipx_next_line(&p, buf, end, l)) {
		if (l->too_long) {
			xd_ipx_issue(s, XD_DUMP_RTNL_ADDR, l->off, "ip address: line too long");
			continue;
		}
		if (l->n == 0)
			continue;
		if (l->indent == 0) {
			after_link_type = false;
			if (!link_line(s, l, &k)) {
				k = NULL;
				if (s->links.len >= MAX_LINKS)
					break;
				xd_ipx_issue(s, XD_DUMP_RTNL_ADDR, l->off,
					     "ip address: not an interface line");
			}
			continue;
		}
		if (!k) {
			s->unknown_attrs++;
			continue;
		}
		/* a stored link may move when the vector grows: work on the last one */
		k = xd_vec_at(&s->links, s->links.len - 1);
		if (strncmp(l->tok[0], "link/", 5) == 0) {
			after_link_type = true;
			continue;
		}
		if (strcmp(l->tok[0], "inet") == 0 || strcmp(l->tok[0], "inet6") == 0) {
			int r = addr_line(s, l, k);
			after_link_type = false;
			if (r == -ENOMEM) {
				free(l);
				return r;
			}
			if (r < 0)
				xd_ipx_issue(s, XD_DUMP_RTNL_ADDR, l->off,
					     "ip address: unreadable address line");
			continue;
		}
		if (after_link_type && is_word(l->tok[0])) {
			bool kind = true;
			for (size_t i = 0; i < sizeof(not_kind) / sizeof(not_kind[0]); i++)
				kind &= strcmp(l->tok[0], not_kind[i]) != 0;
			if (kind) {
				k->kind = xd_snapshot_intern(s, l->tok[0], strlen(l->tok[0]));
				/* "xfrm if_id 0x1": the if_id SAs and policies name it by */
				if (strcmp(l->tok[0], "xfrm") == 0)
					for (size_t i = 1; i + 1 < l->n; i++)
						if (strcmp(l->tok[i], "if_id") == 0 &&
						    xd_ipx_u32(l->tok[i + 1], &k->xfrm_if_id) == 0)
							k->has |= XD_LINK_HAS_XFRM_IF_ID;
				if (strcmp(l->tok[0], "xfrm") == 0)
					for (size_t i = 1; i < l->n; i++)
						if (strcmp(l->tok[i], "external") == 0)
							k->xfrm_collect_md = true;
			}
		}
		after_link_type = false;
		/* valid_lft lines, altnames, -d details: nothing the model keeps */
	}
	free(l);
	return 0;
}
