/* SPDX-License-Identifier: GPL-2.0-or-later */
/* decode.c: dispatches a record to the decoder of its dump. */
#include <errno.h>
#include <string.h>

#include "xfrmd/cert.h"
#include "xfrmd/decode.h"
#include "xfrmd/model.h"

/* Text from a support archive: same dumps, same model, another syntax. */
static int decode_text(struct xd_snapshot *s, const struct xd_record *rec)
{
	if (rec->origin && rec->dump >= 0 && rec->dump < _XD_DUMP_MAX)
		s->dump_input[rec->dump] = xd_snapshot_intern(s, rec->origin, strlen(rec->origin));
	if (rec->reason && rec->dump >= 0 && rec->dump < _XD_DUMP_MAX)
		s->dump_reason[rec->dump] = xd_snapshot_intern(s, rec->reason, strlen(rec->reason));
	switch (rec->dump) {
	case XD_DUMP_XFRM_SA:
		return xd_decode_ip_xfrm_state(s, rec->data, rec->len);
	case XD_DUMP_XFRM_POLICY:
		return xd_decode_ip_xfrm_policy(s, rec->data, rec->len);
	case XD_DUMP_XFRM_STAT:
		return xd_decode_xfrm_stat(s, rec->data, rec->len);
	case XD_DUMP_UNAME:
		return xd_decode_uname_a(s, rec->data, rec->len);
	case XD_DUMP_SYSCTL:
		return xd_decode_sysctl_a(s, rec->data, rec->len);
	case XD_DUMP_RTNL_ADDR:
		return xd_decode_ip_addr(s, rec->data, rec->len);
	case XD_DUMP_RTNL_ROUTE:
		return xd_decode_ip_route(s, rec->data, rec->len);
	default:
		/* an empty one only names an input (e.g. firewall text, loaded as netlink) */
		if (rec->len)
			s->ignored_msgs++;
		return 0;
	}
}

int xd_decode_record(struct xd_snapshot *s, const struct xd_record *rec)
{
	if (rec->kind == XD_RECORD_TEXT)
		return decode_text(s, rec);
	switch (rec->dump) {
	case XD_DUMP_XFRM_SA:
	case XD_DUMP_XFRM_POLICY:
	case XD_DUMP_XFRM_SADINFO:
	case XD_DUMP_XFRM_SPDINFO:
	case XD_DUMP_XFRM_DEFAULT:
		return xd_decode_xfrm(s, rec->dump, rec->data, rec->len);
	case XD_DUMP_XFRM_STAT:
		return xd_decode_xfrm_stat(s, rec->data, rec->len);
	case XD_DUMP_UNAME:
		return xd_decode_uname(s, rec->data, rec->len);
	case XD_DUMP_RTNL_LINK:
	case XD_DUMP_RTNL_ADDR:
	case XD_DUMP_RTNL_ROUTE:
	case XD_DUMP_RTNL_RULE:
		return xd_decode_rtnl(s, rec->dump, rec->data, rec->len);
	case XD_DUMP_NFT_GEN:
	case XD_DUMP_NFT_TABLES:
	case XD_DUMP_NFT_CHAINS:
	case XD_DUMP_NFT_SETS:
	case XD_DUMP_NFT_SETELEMS:
	case XD_DUMP_NFT_RULES:
	case XD_DUMP_NFT_FLOWTABLES:
		return xd_decode_nft(s, rec->dump, rec->data, rec->len);
	case XD_DUMP_IPT_NAMES:
	case XD_DUMP_IP6T_NAMES:
	case XD_DUMP_IPT:
	case XD_DUMP_IP6T:
		return xd_decode_iptables(s, rec->dump, rec->data, rec->len);
	case XD_DUMP_SYSCTL:
		return xd_decode_sysctl(s, rec->data, rec->len);
	case XD_DUMP_KCONFIG:
		return xd_decode_kconfig(s, rec->data, rec->len);
	case XD_DUMP_MODULES:
	case XD_DUMP_MODULES_BUILTIN:
	case XD_DUMP_MODULES_DEP:
	case XD_DUMP_SYS_MODULE:
		return xd_decode_modules(s, rec->dump, rec->data, rec->len);
	case XD_DUMP_SELF:
		return xd_decode_self(s, rec->data, rec->len);
	case XD_DUMP_NETLINK_SOCKETS:
		return xd_decode_netlink_sockets(s, rec->data, rec->len);
	case XD_DUMP_SOCKDIAG_UDP:
	case XD_DUMP_SOCKDIAG_TCP:
		return xd_decode_sockdiag(s, rec->dump, rec->data, rec->len);
	case XD_DUMP_PROC_UDP:
	case XD_DUMP_PROC_UDP6:
		return xd_decode_proc_udp(s, rec->dump, rec->data, rec->len);
	case XD_DUMP_PROCESSES:
		return xd_decode_processes(s, rec->data, rec->len);
	case XD_DUMP_STACK_VERSIONS:
		return xd_decode_stack_versions(s, rec->data, rec->len);
	case XD_DUMP_CERT_CRED:
		return xd_decode_cert_cred(s, rec->data, rec->len);
	case XD_DUMP_CERT_CONN:
		return xd_decode_cert_conn(s, rec->data, rec->len);
	case XD_DUMP_IKE_VICI_CONNS:
	case XD_DUMP_IKE_VICI_SAS:
		return xd_decode_vici(s, rec->dump, rec->data, rec->len);
	case XD_DUMP_IKE_LOG:
		return xd_decode_ikelog(s, rec->data, rec->len);
	case XD_DUMP_IKE_WHACK_STATUS:
	case XD_DUMP_IKE_WHACK_TRAFFIC:
		return xd_decode_whack(s, rec->dump, rec->data, rec->len);
	default:
		s->ignored_msgs++;
		return 0;
	}
}

static int decode_sink_record(void *userdata, const struct xd_record *rec)
{
	int r = xd_decode_record(userdata, rec);

	/* A framing error ends that record, not the decode of the others. */
	return r == -EBADMSG ? 0 : r;
}

/*
 * A dump decoded while it is collected is being retried: forget its objects. Only the SA
 * dump makes SAs and only the policy dump makes policies and templates, so this is a reset
 * (strings and blobs it interned stay in the pool, unused).
 */
static void decode_sink_drop(void *userdata, enum xd_dump d)
{
	struct xd_snapshot *s = userdata;

	if (d == XD_DUMP_XFRM_SA) {
		s->sas.len = 0;
	} else if (d == XD_DUMP_XFRM_POLICY) {
		s->policies.len = 0;
		s->tmpls.len = 0;
	}
}

void xd_decode_sink_init(struct xd_record_sink *sink, struct xd_snapshot *s)
{
	*sink = (struct xd_record_sink){ .record = decode_sink_record, .userdata = s,
					 .drop = decode_sink_drop };
}
