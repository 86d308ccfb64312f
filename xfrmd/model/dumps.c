/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dumps.c: the one table of dumps a snapshot can hold. Names are part of the snapshot file
 * format and of the JSON `meta.dumps` object: never rename one.
 */
#include <linux/netlink.h>
#include <string.h>

#include "xfrmd/dumps.h"
#include "xfrmd/util.h"

static const struct {
	const char *name;
	enum xd_record_kind kind;
	int nl_proto;
} dumps[_XD_DUMP_MAX] = {
	[XD_DUMP_XFRM_SA] = { "xfrm.sa", XD_RECORD_NETLINK, NETLINK_XFRM },
	[XD_DUMP_XFRM_POLICY] = { "xfrm.policy", XD_RECORD_NETLINK, NETLINK_XFRM },
	[XD_DUMP_XFRM_SADINFO] = { "xfrm.sadinfo", XD_RECORD_NETLINK, NETLINK_XFRM },
	[XD_DUMP_XFRM_SPDINFO] = { "xfrm.spdinfo", XD_RECORD_NETLINK, NETLINK_XFRM },
	[XD_DUMP_XFRM_DEFAULT] = { "xfrm.default", XD_RECORD_NETLINK, NETLINK_XFRM },
	[XD_DUMP_XFRM_STAT] = { "file.xfrm_stat", XD_RECORD_FILE, -1 },
	[XD_DUMP_UNAME] = { "file.uname", XD_RECORD_FILE, -1 },
	[XD_DUMP_RTNL_LINK] = { "rtnl.link", XD_RECORD_NETLINK, NETLINK_ROUTE },
	[XD_DUMP_RTNL_ADDR] = { "rtnl.addr", XD_RECORD_NETLINK, NETLINK_ROUTE },
	[XD_DUMP_NFT_GEN] = { "nft.gen", XD_RECORD_NETLINK, NETLINK_NETFILTER },
	[XD_DUMP_NFT_TABLES] = { "nft.tables", XD_RECORD_NETLINK, NETLINK_NETFILTER },
	[XD_DUMP_NFT_CHAINS] = { "nft.chains", XD_RECORD_NETLINK, NETLINK_NETFILTER },
	[XD_DUMP_NFT_SETS] = { "nft.sets", XD_RECORD_NETLINK, NETLINK_NETFILTER },
	[XD_DUMP_NFT_SETELEMS] = { "nft.setelems", XD_RECORD_NETLINK, NETLINK_NETFILTER },
	[XD_DUMP_NFT_RULES] = { "nft.rules", XD_RECORD_NETLINK, NETLINK_NETFILTER },
	[XD_DUMP_NFT_FLOWTABLES] = { "nft.flowtables", XD_RECORD_NETLINK, NETLINK_NETFILTER },
	[XD_DUMP_IPT_NAMES] = { "file.ip_tables_names", XD_RECORD_FILE, -1 },
	[XD_DUMP_IP6T_NAMES] = { "file.ip6_tables_names", XD_RECORD_FILE, -1 },
	[XD_DUMP_IPT] = { "ipt.legacy4", XD_RECORD_FILE, -1 },
	[XD_DUMP_IP6T] = { "ipt.legacy6", XD_RECORD_FILE, -1 },
	[XD_DUMP_SYSCTL] = { "file.sysctl", XD_RECORD_FILE, -1 },
	[XD_DUMP_KCONFIG] = { "file.kconfig", XD_RECORD_FILE, -1 },
	[XD_DUMP_MODULES] = { "file.modules", XD_RECORD_FILE, -1 },
	[XD_DUMP_MODULES_BUILTIN] = { "file.modules_builtin", XD_RECORD_FILE, -1 },
	[XD_DUMP_MODULES_DEP] = { "file.modules_dep", XD_RECORD_FILE, -1 },
	[XD_DUMP_SYS_MODULE] = { "file.sys_module", XD_RECORD_FILE, -1 },
	[XD_DUMP_NETLINK_SOCKETS] = { "file.netlink_sockets", XD_RECORD_FILE, -1 },
	[XD_DUMP_SOCKDIAG_UDP] = { "sockdiag.udp", XD_RECORD_NETLINK, NETLINK_SOCK_DIAG },
	[XD_DUMP_SOCKDIAG_TCP] = { "sockdiag.tcp", XD_RECORD_NETLINK, NETLINK_SOCK_DIAG },
	[XD_DUMP_PROCESSES] = { "file.processes", XD_RECORD_FILE, -1 },
	[XD_DUMP_STACK_VERSIONS] = { "file.stack_versions", XD_RECORD_FILE, -1 },
	[XD_DUMP_SELF] = { "file.self", XD_RECORD_FILE, -1 },
	[XD_DUMP_CERT_CRED] = { "file.cred", XD_RECORD_FILE, -1 },
	[XD_DUMP_CERT_CONN] = { "file.conn", XD_RECORD_FILE, -1 },
	[XD_DUMP_PROC_UDP] = { "file.udp", XD_RECORD_FILE, -1 },
	[XD_DUMP_PROC_UDP6] = { "file.udp6", XD_RECORD_FILE, -1 },
	[XD_DUMP_IKE_VICI_CONNS] = { "ike.vici_conns", XD_RECORD_FILE, -1 },
	[XD_DUMP_IKE_VICI_SAS] = { "ike.vici_sas", XD_RECORD_FILE, -1 },
	[XD_DUMP_RTNL_ROUTE] = { "rtnl.route", XD_RECORD_NETLINK, NETLINK_ROUTE },
	[XD_DUMP_RTNL_RULE] = { "rtnl.rule", XD_RECORD_NETLINK, NETLINK_ROUTE },
	[XD_DUMP_IKE_LOG] = { "ike.log", XD_RECORD_FILE, -1 },
	[XD_DUMP_IKE_WHACK_STATUS] = { "ike.whack_status", XD_RECORD_FILE, -1 },
	[XD_DUMP_IKE_WHACK_TRAFFIC] = { "ike.whack_traffic", XD_RECORD_FILE, -1 },
};

static const char *const status_names[_XD_DUMP_STATUS_MAX] = {
	[XD_DUMP_NOT_COLLECTED] = "not_collected",
	[XD_DUMP_COMPLETE] = "complete",
	[XD_DUMP_INTERRUPTED] = "interrupted",
	[XD_DUMP_DENIED] = "denied",
	[XD_DUMP_UNSUPPORTED] = "unsupported",
	[XD_DUMP_ABSENT] = "absent",
	[XD_DUMP_ERROR] = "error",
};

enum xd_collect_group xd_dump_group(enum xd_dump d)
{
	/* the collector's pointer width is a kernel-profile fact (collect-kernel.c writes it) */
	if (d == XD_DUMP_SELF)
		return XD_COLLECT_KERNEL;
	if (d == XD_DUMP_RTNL_ROUTE || d == XD_DUMP_RTNL_RULE)
		return XD_COLLECT_RTNL;
	if (d == XD_DUMP_PROC_UDP || d == XD_DUMP_PROC_UDP6 || xd_dump_in(d, XD_IKE_VIEW_DUMPS))
		return XD_COLLECT_STACK;
	if (d <= XD_DUMP_UNAME)
		return XD_COLLECT_XFRM;
	if (d <= XD_DUMP_RTNL_ADDR)
		return XD_COLLECT_RTNL;
	if (d <= XD_DUMP_IP6T)
		return XD_COLLECT_FIREWALL;
	if (d <= XD_DUMP_SYS_MODULE)
		return XD_COLLECT_KERNEL;
	if (d <= XD_DUMP_SELF)
		return XD_COLLECT_STACK;
	return XD_COLLECT_OTHER;
}

const char *xd_dump_name(enum xd_dump d)
{
	if ((unsigned)d >= _XD_DUMP_MAX)
		return NULL;
	return dumps[d].name;
}

enum xd_dump xd_dump_from_name(const char *name)
{
	for (unsigned i = 0; i < _XD_DUMP_MAX; i++)
		if (xd_streq(dumps[i].name, name))
			return (enum xd_dump)i;
	return _XD_DUMP_INVALID;
}

enum xd_record_kind xd_dump_kind(enum xd_dump d)
{
	return dumps[d].kind;
}

int xd_dump_nl_proto(enum xd_dump d)
{
	return dumps[d].nl_proto;
}

const char *xd_dump_status_name(enum xd_dump_status st)
{
	if ((unsigned)st >= _XD_DUMP_STATUS_MAX)
		return NULL;
	return status_names[st];
}

enum xd_dump_status xd_dump_status_from_name(const char *name)
{
	for (unsigned i = 0; i < _XD_DUMP_STATUS_MAX; i++)
		if (xd_streq(status_names[i], name))
			return (enum xd_dump_status)i;
	return _XD_DUMP_STATUS_MAX;
}
