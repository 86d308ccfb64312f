/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * names.c: names for raw kernel values kept in the model. The numbers are kernel ABI
 * (uapi linux/xfrm.h, linux/udp.h); they are written out here so diag/ and render/ need no
 * kernel headers. Unknown values return NULL and are rendered as numbers.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>

#include "xfrmd/model.h"
#include "xfrmd/names.h"
#include "xfrmd/util.h"

#define NAME_AT(tbl, v) ((v) < XD_ARRAY_SIZE(tbl) ? (tbl)[v] : NULL)

const char *xd_name_mode(uint8_t mode)
{
	static const char *const t[] = { "transport", "tunnel", "ro", "in_trigger", "beet",
					 "iptfs" };
	return NAME_AT(t, mode);
}

const char *xd_name_proto(uint8_t proto)
{
	switch (proto) {
	case 50:
		return "esp";
	case 51:
		return "ah";
	case 108:
		return "comp";
	case 4:
		return "ipip";
	case 41:
		return "ipv6";
	case 43:
		return "route2";
	case 60:
		return "hao";
	case 255:
		return "any";
	default:
		return NULL;
	}
}

const char *xd_name_l4proto(uint8_t proto)
{
	switch (proto) {
	case 0:
		return "any";
	case 1:
		return "icmp";
	case 6:
		return "tcp";
	case 17:
		return "udp";
	case 47:
		return "gre";
	case 50:
		return "esp";
	case 51:
		return "ah";
	case 58:
		return "ipv6-icmp";
	case 132:
		return "sctp";
	default:
		return NULL;
	}
}

const char *xd_name_policy_dir(uint8_t dir)
{
	static const char *const t[] = { "in", "out", "fwd", "socket_in", "socket_out",
					 "socket_fwd" };
	return NAME_AT(t, dir);
}

const char *xd_name_policy_action(uint8_t action)
{
	static const char *const t[] = { "allow", "block" };
	return NAME_AT(t, action);
}

const char *xd_name_encap(uint16_t type)
{
	switch (type) {
	case 1:
		return "espinudp_non_ike";
	case 2:
		return "espinudp";
	case 3:
		return "l2tpinudp";
	case 7:
		return "espintcp";
	default:
		return NULL;
	}
}

const char *xd_name_sa_dir(uint8_t dir)
{
	static const char *const t[] = { NULL, "in", "out" };
	return NAME_AT(t, dir);
}

const char *xd_name_default_action(uint8_t action)
{
	static const char *const t[] = { "unset", "block", "accept" };
	return NAME_AT(t, action);
}

const char *xd_addr_fmt(const void *addr16, uint16_t family, char *buf, size_t len)
{
	if (family == AF_INET || family == AF_INET6) {
		if (inet_ntop(family, addr16, buf, (socklen_t)len))
			return buf;
	}
	snprintf(buf, len, "family-%u", family);
	return buf;
}

const char *xd_prefix_fmt(const void *addr16, uint16_t family, uint8_t plen, char *buf,
			  size_t len)
{
	char a[INET6_ADDRSTRLEN + 16];

	xd_addr_fmt(addr16, family, a, sizeof(a));
	snprintf(buf, len, "%s/%u", a, plen);
	return buf;
}

const struct xd_flag_name xd_sa_flag_names[] = {
	{ 1, "noecn" },	   { 2, "decap_dscp" }, { 4, "nopmtudisc" }, { 8, "wildrecv" },
	{ 16, "icmp" },	   { 32, "af_unspec" }, { 64, "align4" },    { 128, "esn" },
	{ 0, NULL },
};

const struct xd_flag_name xd_sa_extra_flag_names[] = {
	{ 1, "dont_encap_dscp" },
	{ 2, "oseq_may_wrap" },
	{ 0, NULL },
};

const struct xd_flag_name xd_policy_flag_names[] = {
	{ 1, "localok" },
	{ 2, "icmp" },
	{ 4, "cpu_acquire" },
	{ 0, NULL },
};

const char *xd_source_name(enum xd_source s)
{
	switch (s) {
	case XD_SOURCE_LIVE:
		return "live";
	case XD_SOURCE_DAEMON:
		return "daemon";
	default:
		return "snapshot";
	}
}
