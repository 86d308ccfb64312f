/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kernel.h: what the kernel a snapshot was taken on can do. Two layers:
 *
 *  - facts decoded from records (sysctls, kernel config, module lists), kept as name/value
 *    pairs exactly as the files said them;
 *  - a profile computed from those facts plus the XFRM state itself (capabilities such as
 *    "ESP for IPv4" and features such as "SA direction"), each with the evidence it rests on.
 *
 * Evidence beats version numbers: an attribute seen in a dump or a counter present in
 * xfrm_stat proves a feature even on a backport, and a dump the kernel refused disproves it.
 * A version alone only ever yields "expected"/"not_expected", never "present"/"absent".
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "xfrmd/util.h"

struct xd_snapshot;

/* One "name=value" fact (a sysctl, a CONFIG_ option). Strings are interned in the snapshot. */
struct xd_kv {
	const char *name;
	const char *value;
};

enum xd_kmod_src {
	XD_KMOD_LOADED = 1u << 0,    /* /proc/modules */
	XD_KMOD_BUILTIN = 1u << 1,   /* modules.builtin */
	XD_KMOD_INSTALLED = 1u << 2, /* modules.dep: a .ko file exists for this kernel */
	XD_KMOD_SYSFS = 1u << 3,     /* /sys/module/NAME exists */
};

struct xd_kmod {
	const char *name; /* '-' normalised to '_' */
	uint32_t src;     /* enum xd_kmod_src */
};

struct xd_kernel {
	bool sysctl_present;
	bool kconfig_present;
	bool modules_present;     /* /proc/modules was read (absent with CONFIG_MODULES=n) */
	bool builtin_present;     /* modules.builtin was read */
	bool modules_dep_present; /* modules.dep was read */
	bool sys_module_present;
	const char *kconfig_source; /* "/proc/config.gz" or "/boot/config-..." */
	struct xd_vec sysctls;      /* struct xd_kv, "net.ipv4.ip_forward" style names */
	struct xd_vec kconfig;      /* struct xd_kv, "CONFIG_XFRM_USER" -> "y"/"m"/"n"/string */
	struct xd_vec kmods;        /* struct xd_kmod */
	uint32_t collector_bits;    /* pointer width of the collecting process, 0 = unknown */
};

/* Kernel facts of a snapshot, allocated on first use; NULL only on allocation failure. */
struct xd_kernel *xd_snapshot_kernel(struct xd_snapshot *s);
/* Borrowed lookups; NULL when absent. */
const char *xd_kernel_sysctl(const struct xd_snapshot *s, const char *name);
const char *xd_kernel_config(const struct xd_snapshot *s, const char *option);
/* Union of the sources (enum xd_kmod_src) that list module `name`; 0 if none. */
uint32_t xd_kernel_kmod_src(const struct xd_snapshot *s, const char *name);
/* Release the vectors of s->kernel (called by xd_snapshot_free). */
void xd_kernel_done(struct xd_kernel *k);

/* "6.12.13-amd64" -> 6, 12, 13. Returns 0 or -EINVAL. Missing parts are 0. */
int xd_kernel_version_parse(const char *release, unsigned *maj, unsigned *min, unsigned *patch);
/* A version packed for comparison: KV(6,12,13). */
#define XD_KV(a, b, c) (((uint32_t)(a) << 16) | ((uint32_t)(b) << 8) | (uint32_t)((c) > 255 ? 255 : (c)))

/* ---- the computed profile ---- */

enum xd_cap {
	XD_CAP_XFRM_USER,
	XD_CAP_XFRM_COMPAT,
	XD_CAP_XFRM_STATISTICS,
	XD_CAP_ESP4,
	XD_CAP_ESP6,
	XD_CAP_AH4,
	XD_CAP_AH6,
	XD_CAP_IPCOMP4,
	XD_CAP_IPCOMP6,
	XD_CAP_XFRM_INTERFACE,
	XD_CAP_VTI4,
	XD_CAP_VTI6,
	XD_CAP_AF_KEY,
	XD_CAP_XFRM_IPTFS,
	XD_CAP_NF_TABLES,
	XD_CAP_NFT_INET,
	XD_CAP_NFT_IPV4,
	XD_CAP_NFT_IPV6,
	XD_CAP_NFT_XFRM,
	XD_CAP_IP_TABLES,
	XD_CAP_XT_POLICY,
	XD_CAP_XT_ESP,
	XD_CAP_UDP_DIAG,
	_XD_CAP_MAX,
};

enum xd_cap_state {
	XD_CAP_UNKNOWN,       /* no evidence either way */
	XD_CAP_MISSING,       /* config says not set, or the kernel refused the interface */
	XD_CAP_NOT_INSTALLED, /* configured as a module, but no .ko for this kernel */
	XD_CAP_AVAILABLE,     /* loadable module, not loaded (autoloads on first use) */
	XD_CAP_LOADED,        /* module loaded */
	XD_CAP_BUILTIN,       /* built into the kernel */
	XD_CAP_IN_USE,        /* kernel state proves it works (e.g. an ESP SA exists) */
	_XD_CAP_STATE_MAX,
};

struct xd_cap_info {
	enum xd_cap_state state;
	const char *evidence; /* static text: where the state comes from */
};

enum xd_feature {
	XD_FEAT_SPD_HTHRESH,
	XD_FEAT_OUTPUT_MARK,
	XD_FEAT_IF_ID,
	XD_FEAT_ESPINTCP,
	XD_FEAT_COMPAT,
	XD_FEAT_DEFAULT_POLICY,
	XD_FEAT_MTIMER,
	XD_FEAT_PACKET_OFFLOAD,
	XD_FEAT_SA_DIR,
	XD_FEAT_NAT_KEEPALIVE,
	XD_FEAT_PCPU_SA,
	XD_FEAT_IPTFS,
	XD_FEAT_MIGRATE_STATE,
	_XD_FEAT_MAX,
};

enum xd_feat_state {
	XD_FEAT_UNKNOWN,      /* no release to compare, no evidence */
	XD_FEAT_ABSENT,       /* evidence: refused by the kernel, config not set */
	XD_FEAT_NOT_EXPECTED, /* release older than the feature, no evidence */
	XD_FEAT_EXPECTED,     /* release new enough, no evidence */
	XD_FEAT_PRESENT,      /* evidence: attribute seen, counter present, dump answered */
	_XD_FEAT_STATE_MAX,
};

struct xd_feature_desc {
	const char *id;      /* "sa_dir" */
	const char *title;
	uint32_t since;      /* XD_KV() of the first mainline release */
	uint32_t backport;   /* XD_KV() of a stable release that has it, 0 if none known */
	const char *source;  /* commit or release that introduced it */
	const char *config;  /* CONFIG_ option it needs, NULL if none */
};

struct xd_feat_info {
	enum xd_feat_state state;
	const char *evidence;
};

struct xd_kprofile {
	bool have_release;
	bool patch_from_build;  /* the patch level came from uname's build string (Debian 12) */
	unsigned maj, min, patch;
	bool compat_task_risk;  /* 64-bit kernel and a 32-bit IKE daemon or collector */
	struct xd_cap_info caps[_XD_CAP_MAX];
	struct xd_feat_info feats[_XD_FEAT_MAX];
};

const char *xd_cap_name(enum xd_cap c);
const char *xd_cap_state_name(enum xd_cap_state st);
const struct xd_feature_desc *xd_feature_desc(enum xd_feature f);
const char *xd_feat_state_name(enum xd_feat_state st);
/* True for a capability state that means "this kernel can do it" (possibly after autoload). */
bool xd_cap_usable(enum xd_cap_state st);
/* True when uname's machine is a 64-bit architecture. */
bool xd_machine_is_64bit(const char *machine);

/* Compute the profile of a decoded snapshot. Pure: reads only the snapshot. */
void xd_kprofile_compute(const struct xd_snapshot *s, struct xd_kprofile *ret);
/*
 * The kernel profile xd_snapshot_sort() derived once for this snapshot: what checks and
 * renderers read, so the profile is computed once per snapshot. NULL for a snapshot that was
 * never sorted (or whose views could not be allocated).
 */
const struct xd_kprofile *xd_snapshot_kprofile(const struct xd_snapshot *s);
