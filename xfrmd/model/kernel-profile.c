/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kernel-profile.c: from kernel facts and XFRM state to capabilities and features.
 *
 * Order of trust, strongest first: kernel state that proves a capability works (an ESP SA
 * exists, the XFRM netlink dump answered), an interface the kernel refused, the module
 * lists, the kernel config, and last the release number (netlink.md §1.9: gate on features,
 * not versions; per-CPU SAs are in 6.12.13 and packet offload in Debian's 6.1).
 */
#include <errno.h>
#include <sys/socket.h>

#include "xfrmd/kernel.h"
#include "xfrmd/model.h"
#include "xfrmd/stack.h"

static const struct {
	const char *name;
	const char *config; /* CONFIG_ option, NULL if none */
	const char *module; /* module name, NULL for bool options */
} caps[_XD_CAP_MAX] = {
	[XD_CAP_XFRM_USER] = { "xfrm_user", "CONFIG_XFRM_USER", "xfrm_user" },
	[XD_CAP_XFRM_COMPAT] = { "xfrm_compat", "CONFIG_XFRM_USER_COMPAT", "xfrm_compat" },
	[XD_CAP_XFRM_STATISTICS] = { "xfrm_statistics", "CONFIG_XFRM_STATISTICS", NULL },
	[XD_CAP_ESP4] = { "esp4", "CONFIG_INET_ESP", "esp4" },
	[XD_CAP_ESP6] = { "esp6", "CONFIG_INET6_ESP", "esp6" },
	[XD_CAP_AH4] = { "ah4", "CONFIG_INET_AH", "ah4" },
	[XD_CAP_AH6] = { "ah6", "CONFIG_INET6_AH", "ah6" },
	[XD_CAP_IPCOMP4] = { "ipcomp4", "CONFIG_INET_IPCOMP", "ipcomp" },
	[XD_CAP_IPCOMP6] = { "ipcomp6", "CONFIG_INET6_IPCOMP", "ipcomp6" },
	[XD_CAP_XFRM_INTERFACE] = { "xfrm_interface", "CONFIG_XFRM_INTERFACE", "xfrm_interface" },
	[XD_CAP_VTI4] = { "vti4", "CONFIG_NET_IPVTI", "ip_vti" },
	[XD_CAP_VTI6] = { "vti6", "CONFIG_IPV6_VTI", "ip6_vti" },
	[XD_CAP_AF_KEY] = { "af_key", "CONFIG_NET_KEY", "af_key" },
	[XD_CAP_XFRM_IPTFS] = { "xfrm_iptfs", "CONFIG_XFRM_IPTFS", "xfrm_iptfs" },
	[XD_CAP_NF_TABLES] = { "nf_tables", "CONFIG_NF_TABLES", "nf_tables" },
	[XD_CAP_NFT_INET] = { "nft_inet", "CONFIG_NF_TABLES_INET", NULL },
	[XD_CAP_NFT_IPV4] = { "nft_ipv4", "CONFIG_NF_TABLES_IPV4", NULL },
	[XD_CAP_NFT_IPV6] = { "nft_ipv6", "CONFIG_NF_TABLES_IPV6", NULL },
	[XD_CAP_NFT_XFRM] = { "nft_xfrm", "CONFIG_NFT_XFRM", "nft_xfrm" },
	[XD_CAP_IP_TABLES] = { "ip_tables", "CONFIG_IP_NF_IPTABLES", "ip_tables" },
	[XD_CAP_XT_POLICY] = { "xt_policy", "CONFIG_NETFILTER_XT_MATCH_POLICY", "xt_policy" },
	[XD_CAP_XT_ESP] = { "xt_esp", "CONFIG_NETFILTER_XT_MATCH_ESP", "xt_esp" },
	[XD_CAP_UDP_DIAG] = { "udp_diag", "CONFIG_INET_UDP_DIAG", "udp_diag" },
};

static const char *const cap_state_names[_XD_CAP_STATE_MAX] = {
	[XD_CAP_UNKNOWN] = "unknown",     [XD_CAP_MISSING] = "missing",
	[XD_CAP_NOT_INSTALLED] = "not_installed", [XD_CAP_AVAILABLE] = "available",
	[XD_CAP_LOADED] = "loaded",       [XD_CAP_BUILTIN] = "builtin",
	[XD_CAP_IN_USE] = "in_use",
};

/* The feature table. `since` is the first mainline release (netlink.md §1.9). */
static const struct xd_feature_desc feats[_XD_FEAT_MAX] = {
	[XD_FEAT_SPD_HTHRESH] = { "spd_hash_threshold", "SPD hash thresholds in GETSPDINFO",
				  XD_KV(3, 18, 0), 0, "iproute2 dddfc7f6 (uapi sync, 3.18)", NULL },
	[XD_FEAT_OUTPUT_MARK] = { "output_mark", "SA output mark (XFRMA_SET_MARK)",
				  XD_KV(4, 14, 0), 0, "iproute2 18d7817c (uapi sync, 4.14)", NULL },
	[XD_FEAT_IF_ID] = { "if_id", "XFRM interface ids (XFRMA_IF_ID)", XD_KV(4, 19, 0), 0,
			    "iproute2 74eb09ad (uapi sync, 4.19)", NULL },
	[XD_FEAT_ESPINTCP] = { "esp_in_tcp", "ESP in TCP (RFC 8229)", XD_KV(5, 6, 0), 0,
			       "uapi udp.h TCP_ENCAP_ESPINTCP (5.6)", "CONFIG_INET_ESPINTCP" },
	[XD_FEAT_COMPAT] = { "xfrm_user_compat", "32-bit XFRM translator (xfrm_compat)",
			     XD_KV(5, 10, 0), 0, "net/xfrm/xfrm_compat.c (5.10, unverified)",
			     "CONFIG_XFRM_USER_COMPAT" },
	[XD_FEAT_DEFAULT_POLICY] = { "default_policy", "default policy (GETDEFAULT/SETDEFAULT)",
				     XD_KV(5, 15, 0), 0,
				     "iproute2 db28c944, e4ca6a49 (5.15; ABI changed during -rc)",
				     NULL },
	[XD_FEAT_MTIMER] = { "mapping_threshold", "NAT mapping rate limit (XFRMA_MTIMER_THRESH)",
			     XD_KV(5, 17, 0), 0, "iproute2 ac2e9148 (uapi sync, 5.17)", NULL },
	[XD_FEAT_PACKET_OFFLOAD] = { "packet_offload", "packet offload (XFRM_OFFLOAD_PACKET)",
				     XD_KV(6, 2, 0), 0,
				     "iproute2 3f1e064e (6.2; define also in Debian 6.1.192)",
				     NULL },
	[XD_FEAT_SA_DIR] = { "sa_dir", "SA direction (XFRMA_SA_DIR) and DirError counters",
			     XD_KV(6, 10, 0), 0, "39e4b6f5 (6.10)", NULL },
	[XD_FEAT_NAT_KEEPALIVE] = { "nat_keepalive", "kernel NAT-T keepalives",
				    XD_KV(6, 11, 0), 0, "ae32ba82 (6.11)", NULL },
	[XD_FEAT_PCPU_SA] = { "pcpu_sa", "per-CPU SAs (XFRMA_SA_PCPU)", XD_KV(6, 13, 0),
			      XD_KV(6, 12, 13), "29878128 (6.13; stable 6.12.13)", NULL },
	[XD_FEAT_IPTFS] = { "iptfs", "IP-TFS mode (RFC 9347)", XD_KV(6, 14, 0), 0,
			    "d009b68f (6.14)", "CONFIG_XFRM_IPTFS" },
	[XD_FEAT_MIGRATE_STATE] = { "migrate_state", "XFRM_MSG_MIGRATE_STATE", XD_KV(7, 2, 0), 0,
				    "iproute2 c2e67ec8 (uapi sync, 7.2)", NULL },
};

static const char *const feat_state_names[_XD_FEAT_STATE_MAX] = {
	[XD_FEAT_UNKNOWN] = "unknown",   [XD_FEAT_ABSENT] = "absent",
	[XD_FEAT_NOT_EXPECTED] = "not_expected", [XD_FEAT_EXPECTED] = "expected",
	[XD_FEAT_PRESENT] = "present",
};

const char *xd_cap_name(enum xd_cap c)
{
	return (unsigned)c < _XD_CAP_MAX ? caps[c].name : NULL;
}

const char *xd_cap_state_name(enum xd_cap_state st)
{
	return (unsigned)st < _XD_CAP_STATE_MAX ? cap_state_names[st] : NULL;
}

const struct xd_feature_desc *xd_feature_desc(enum xd_feature f)
{
	return (unsigned)f < _XD_FEAT_MAX ? &feats[f] : NULL;
}

const char *xd_feat_state_name(enum xd_feat_state st)
{
	return (unsigned)st < _XD_FEAT_STATE_MAX ? feat_state_names[st] : NULL;
}

bool xd_cap_usable(enum xd_cap_state st)
{
	return st == XD_CAP_AVAILABLE || st == XD_CAP_LOADED || st == XD_CAP_BUILTIN ||
	       st == XD_CAP_IN_USE;
}

static bool has_counter(const struct xd_snapshot *s, const char *name)
{
	for (size_t i = 0; i < s->xfrm_stat.counters.len; i++) {
		const struct xd_counter *c = xd_vec_at(&s->xfrm_stat.counters, i);
		if (xd_streq(c->name, name))
			return true;
	}
	return false;
}

/* What the SAs and policies show, gathered in one pass over each (each SA is 264 bytes:
 * a pass per question touched the whole SAD a dozen times). */
struct usage {
	uint32_t sa_has;     /* XD_SA_HAS_* of any SA */
	uint8_t proto_fam;   /* bit (proto index * 2 + IPv6) of an SA with an SPI */
	bool espintcp;       /* an SA with ESP-in-TCP encapsulation */
	bool pkt_offload;    /* an SA or policy with packet offload */
	bool pcpu_pol;       /* a policy with XFRM_POLICY_CPU_ACQUIRE */
	bool if_id_pol;      /* a policy with XFRMA_IF_ID */
};

static void usage_scan(const struct xd_snapshot *s, struct usage *u)
{
	*u = (struct usage){ 0 };
	for (size_t i = 0; i < s->sas.len; i++) {
		const struct xd_sa *sa = xd_snapshot_sa(s, i);
		int ps = xd_ipsec_proto_index(sa->proto);

		u->sa_has |= sa->has;
		if (ps >= 0 && sa->spi != 0 && (sa->family == AF_INET || sa->family == AF_INET6))
			u->proto_fam |= (uint8_t)(1u << (ps * 2 + (sa->family == AF_INET6)));
		if ((sa->has & XD_SA_HAS_ENCAP) && sa->encap.type == 7)
			u->espintcp = true;
		if ((sa->has & XD_SA_HAS_OFFLOAD) && sa->ext && (sa->ext->offload_flags & 4))
			u->pkt_offload = true;
	}
	for (size_t i = 0; i < s->policies.len; i++) {
		const struct xd_policy *pol = xd_snapshot_policy(s, i);
		if (pol->flags & 4) /* XFRM_POLICY_CPU_ACQUIRE */
			u->pcpu_pol = true;
		if (pol->has & XD_POL_HAS_IF_ID)
			u->if_id_pol = true;
		if ((pol->has & XD_POL_HAS_OFFLOAD) && (pol->offload_flags & 4))
			u->pkt_offload = true;
	}
}

static bool sa_with(const struct usage *u, uint8_t proto, uint16_t family)
{
	int ps = xd_ipsec_proto_index(proto);

	return ps >= 0 && (u->proto_fam & (1u << (ps * 2 + (family == AF_INET6))));
}

static bool xfrm_answered(const struct xd_meta *m)
{
	enum xd_dump_status a = m->dump_status[XD_DUMP_XFRM_SA];
	enum xd_dump_status b = m->dump_status[XD_DUMP_XFRM_POLICY];

	return a == XD_DUMP_COMPLETE || a == XD_DUMP_INTERRUPTED || b == XD_DUMP_COMPLETE ||
	       b == XD_DUMP_INTERRUPTED;
}

/* What the files say about one capability. */
static void cap_from_files(const struct xd_snapshot *s, enum xd_cap c, struct xd_cap_info *ci)
{
	const struct xd_kernel *k = s->kernel;
	const char *cfg = caps[c].config ? xd_kernel_config(s, caps[c].config) : NULL;
	uint32_t src = caps[c].module ? xd_kernel_kmod_src(s, caps[c].module) : 0;

	ci->state = XD_CAP_UNKNOWN;
	ci->evidence = "no kernel config or module list";
	if (!k)
		return;
	if (src & XD_KMOD_LOADED) {
		*ci = (struct xd_cap_info){ XD_CAP_LOADED, "/proc/modules" };
	} else if (src & XD_KMOD_BUILTIN) {
		*ci = (struct xd_cap_info){ XD_CAP_BUILTIN, "modules.builtin" };
	} else if (cfg && xd_streq(cfg, "y")) {
		*ci = (struct xd_cap_info){ XD_CAP_BUILTIN, "kernel config =y" };
	} else if ((src & XD_KMOD_SYSFS) && k->kconfig_present &&
		   xd_kernel_config(s, "CONFIG_MODULES") &&
		   xd_streq(xd_kernel_config(s, "CONFIG_MODULES"), "n")) {
		*ci = (struct xd_cap_info){ XD_CAP_BUILTIN, "/sys/module, kernel without modules" };
	} else if (cfg && xd_streq(cfg, "m")) {
		if (!k->modules_dep_present || (src & XD_KMOD_INSTALLED))
			*ci = (struct xd_cap_info){ XD_CAP_AVAILABLE,
						    k->modules_dep_present ? "kernel config =m, modules.dep"
									   : "kernel config =m" };
		else
			*ci = (struct xd_cap_info){ XD_CAP_NOT_INSTALLED,
						    "kernel config =m but not in modules.dep" };
	} else if (src & XD_KMOD_INSTALLED) {
		*ci = (struct xd_cap_info){ XD_CAP_AVAILABLE, "modules.dep" };
	} else if (cfg && xd_streq(cfg, "n")) {
		*ci = (struct xd_cap_info){ XD_CAP_MISSING, "kernel config: not set" };
	} else if (k->kconfig_present && caps[c].config && !cfg) {
		/* Kconfig leaves out options whose dependencies are unmet */
		*ci = (struct xd_cap_info){ XD_CAP_MISSING, "not in kernel config" };
	} else if (caps[c].module && k->modules_dep_present && k->builtin_present) {
		*ci = (struct xd_cap_info){ XD_CAP_MISSING,
					    "neither built in (modules.builtin) nor installed (modules.dep)" };
	}
}

static void caps_compute(const struct xd_snapshot *s, const struct usage *u,
			 struct xd_kprofile *p)
{
	const struct xd_meta *m = &s->meta;

	for (unsigned c = 0; c < _XD_CAP_MAX; c++)
		cap_from_files(s, (enum xd_cap)c, &p->caps[c]);

	/* kernel behaviour overrides files */
	if (xfrm_answered(m))
		p->caps[XD_CAP_XFRM_USER] = (struct xd_cap_info){ XD_CAP_IN_USE,
								  "XFRM netlink dumps answered" };
	else if (m->dump_error[XD_DUMP_XFRM_SA] == -EPROTONOSUPPORT)
		p->caps[XD_CAP_XFRM_USER] = (struct xd_cap_info){
			XD_CAP_MISSING, "socket(NETLINK_XFRM) refused: EPROTONOSUPPORT" };
	if (m->dump_status[XD_DUMP_XFRM_STAT] == XD_DUMP_COMPLETE)
		p->caps[XD_CAP_XFRM_STATISTICS] = (struct xd_cap_info){
			XD_CAP_IN_USE, "/proc/net/xfrm_stat exists" };
	else if (m->dump_status[XD_DUMP_XFRM_STAT] == XD_DUMP_ABSENT)
		p->caps[XD_CAP_XFRM_STATISTICS] = (struct xd_cap_info){
			XD_CAP_MISSING, "/proc/net/xfrm_stat does not exist" };
	static const struct {
		enum xd_cap cap;
		uint8_t proto;
		uint16_t family;
		const char *ev;
	} in_use[] = {
		{ XD_CAP_ESP4, 50, AF_INET, "an IPv4 ESP SA is installed" },
		{ XD_CAP_ESP6, 50, AF_INET6, "an IPv6 ESP SA is installed" },
		{ XD_CAP_AH4, 51, AF_INET, "an IPv4 AH SA is installed" },
		{ XD_CAP_AH6, 51, AF_INET6, "an IPv6 AH SA is installed" },
		{ XD_CAP_IPCOMP4, 108, AF_INET, "an IPv4 IPComp SA is installed" },
		{ XD_CAP_IPCOMP6, 108, AF_INET6, "an IPv6 IPComp SA is installed" },
	};
	for (size_t i = 0; i < XD_ARRAY_SIZE(in_use); i++)
		if (sa_with(u, in_use[i].proto, in_use[i].family))
			p->caps[in_use[i].cap] = (struct xd_cap_info){ XD_CAP_IN_USE, in_use[i].ev };
	if (m->dump_status[XD_DUMP_SOCKDIAG_UDP] == XD_DUMP_COMPLETE)
		p->caps[XD_CAP_UDP_DIAG] = (struct xd_cap_info){ XD_CAP_IN_USE,
								 "sock_diag UDP dump answered" };
}

static void feat_set(struct xd_kprofile *p, enum xd_feature f, enum xd_feat_state st,
		     const char *ev)
{
	if (p->feats[f].state == XD_FEAT_UNKNOWN) {
		p->feats[f].state = st;
		p->feats[f].evidence = ev;
	}
}

static void feats_compute(const struct xd_snapshot *s, const struct usage *u,
			  struct xd_kprofile *p)
{
	const struct xd_meta *m = &s->meta;
	uint32_t v = p->have_release ? XD_KV(p->maj, p->min, p->patch) : 0;

	/* 1. evidence that a feature exists */
	if (s->spdinfo.present)
		feat_set(p, XD_FEAT_SPD_HTHRESH, s->spdinfo.has_hthresh ? XD_FEAT_PRESENT : XD_FEAT_ABSENT,
			 s->spdinfo.has_hthresh ? "GETSPDINFO carries hash thresholds"
						: "GETSPDINFO without hash thresholds");
	if (u->sa_has & XD_SA_HAS_SET_MARK)
		feat_set(p, XD_FEAT_OUTPUT_MARK, XD_FEAT_PRESENT, "an SA carries XFRMA_SET_MARK");
	if ((u->sa_has & XD_SA_HAS_IF_ID) || u->if_id_pol)
		feat_set(p, XD_FEAT_IF_ID, XD_FEAT_PRESENT, "an SA or policy carries XFRMA_IF_ID");
	if (u->espintcp)
		feat_set(p, XD_FEAT_ESPINTCP, XD_FEAT_PRESENT, "an SA uses ESP in TCP");
	if (s->defaults.present)
		feat_set(p, XD_FEAT_DEFAULT_POLICY, XD_FEAT_PRESENT, "GETDEFAULT answered");
	else if (m->dump_status[XD_DUMP_XFRM_DEFAULT] == XD_DUMP_UNSUPPORTED && xfrm_answered(m))
		feat_set(p, XD_FEAT_DEFAULT_POLICY, XD_FEAT_ABSENT, "GETDEFAULT refused");
	if (u->sa_has & XD_SA_HAS_MTIMER)
		feat_set(p, XD_FEAT_MTIMER, XD_FEAT_PRESENT, "an SA carries XFRMA_MTIMER_THRESH");
	if (u->pkt_offload)
		feat_set(p, XD_FEAT_PACKET_OFFLOAD, XD_FEAT_PRESENT, "packet offload in use");
	if (u->sa_has & XD_SA_HAS_DIR)
		feat_set(p, XD_FEAT_SA_DIR, XD_FEAT_PRESENT, "an SA carries XFRMA_SA_DIR");
	if (s->xfrm_stat.present) {
		/* the counters arrived with the feature: their absence disproves it */
		bool dir = has_counter(s, "XfrmOutStateDirError");
		feat_set(p, XD_FEAT_SA_DIR, dir ? XD_FEAT_PRESENT : XD_FEAT_ABSENT,
			 dir ? "xfrm_stat has XfrmOutStateDirError" : "xfrm_stat lacks XfrmOutStateDirError");
	}
	if (u->sa_has & XD_SA_HAS_NAT_KEEPALIVE)
		feat_set(p, XD_FEAT_NAT_KEEPALIVE, XD_FEAT_PRESENT,
			 "an SA carries XFRMA_NAT_KEEPALIVE_INTERVAL");
	if ((u->sa_has & XD_SA_HAS_PCPU) || u->pcpu_pol)
		feat_set(p, XD_FEAT_PCPU_SA, XD_FEAT_PRESENT, "an SA carries XFRMA_SA_PCPU");
	if (u->sa_has & XD_SA_HAS_IPTFS)
		feat_set(p, XD_FEAT_IPTFS, XD_FEAT_PRESENT, "an SA uses IP-TFS");

	/* 2. configuration that rules a feature out */
	for (unsigned f = 0; f < _XD_FEAT_MAX; f++) {
		const char *cfg;
		if (!feats[f].config || !s->kernel || !s->kernel->kconfig_present)
			continue;
		cfg = xd_kernel_config(s, feats[f].config);
		if (!cfg || xd_streq(cfg, "n"))
			feat_set(p, (enum xd_feature)f, XD_FEAT_ABSENT,
				 cfg ? "kernel config: not set" : "not in kernel config");
	}
	/* a feature that lives in a module is absent when the module is */
	static const struct {
		enum xd_feature f;
		enum xd_cap c;
	} in_module[] = { { XD_FEAT_COMPAT, XD_CAP_XFRM_COMPAT }, { XD_FEAT_IPTFS, XD_CAP_XFRM_IPTFS } };
	for (size_t i = 0; i < XD_ARRAY_SIZE(in_module); i++) {
		enum xd_cap_state cs = p->caps[in_module[i].c].state;
		if (cs == XD_CAP_MISSING || cs == XD_CAP_NOT_INSTALLED)
			feat_set(p, in_module[i].f, XD_FEAT_ABSENT, p->caps[in_module[i].c].evidence);
	}
	if (s->xfrm_stat.present && has_counter(s, "XfrmInIptfsError"))
		feat_set(p, XD_FEAT_IPTFS, XD_FEAT_PRESENT, "xfrm_stat has XfrmInIptfsError");

	/* 3. the release number, which backports make a guess */
	for (unsigned f = 0; f < _XD_FEAT_MAX; f++) {
		bool yes;
		if (!v)
			continue;
		yes = v >= feats[f].since ||
		      (feats[f].backport && v >= feats[f].backport &&
		       (v & 0xffff00u) == (feats[f].backport & 0xffff00u));
		feat_set(p, (enum xd_feature)f, yes ? XD_FEAT_EXPECTED : XD_FEAT_NOT_EXPECTED,
			 yes ? "kernel release" : "kernel release older than the feature");
	}
}

/*
 * Debian 12 names its kernels "6.1.0-50-amd64": the stable patch level is only in the build
 * string ("#1 SMP PREEMPT_DYNAMIC Debian 6.1.176-1 (...)"). Take a D.D.D there with the same
 * major.minor when it is newer, so ranges such as "6.12.13" compare against the real level.
 */
static void patch_from_build(const char *build, struct xd_kprofile *p)
{
	for (const char *q = build; q && *q; q++) {
		unsigned a, b, c;
		if (*q < '0' || *q > '9' || (q > build && q[-1] != ' '))
			continue;
		if (xd_kernel_version_parse(q, &a, &b, &c) == 0 && a == p->maj && b == p->min &&
		    c > p->patch && strchr(q, '.') && strchr(strchr(q, '.') + 1, '.')) {
			p->patch = c;
			p->patch_from_build = true;
		}
	}
}

void xd_kprofile_compute(const struct xd_snapshot *s, struct xd_kprofile *p)
{
	const char *rel = s->uname.present ? s->uname.release : s->meta.kernel_release;
	struct usage u;

	memset(p, 0, sizeof(*p));
	if (rel && *rel && xd_kernel_version_parse(rel, &p->maj, &p->min, &p->patch) == 0) {
		p->have_release = true;
		if (s->uname.present)
			patch_from_build(s->uname.version, p);
	}
	usage_scan(s, &u);
	caps_compute(s, &u, p);
	feats_compute(s, &u, p);

	if (s->uname.present && xd_machine_is_64bit(s->uname.machine)) {
		if (s->kernel && s->kernel->collector_bits == 32)
			p->compat_task_risk = true;
		if (s->stack)
			for (size_t i = 0; i < s->stack->procs.len; i++) {
				const struct xd_proc *pr = xd_vec_at(&s->stack->procs, i);
				if (pr->elf_bits == 32 &&
				    xd_stack_kind_from_comm(pr->comm) != XD_STACK_UNKNOWN)
					p->compat_task_risk = true;
			}
	}
}
