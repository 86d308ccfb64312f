/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * check-kernel.c: findings about what the kernel can do (DESIGN.md §7 `kernel.*`). A missing
 * capability is a finding only when something in the kernel's own state needs it (a policy
 * template asks for ESP, a 32-bit IKE daemon talks to a 64-bit kernel); absence alone is
 * not a fault. Known issues come from the knowledge base (kb.h), each citing its source.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "diag-util.h"
#include "xfrmd/diag.h"
#include "xfrmd/kb.h"
#include "xfrmd/kernel.h"
#include "xfrmd/names.h"
#include "xfrmd/stack.h"

enum { D_XFRM_USER, D_ESP, D_AH, D_IPCOMP, D_STATS, D_COMPAT, D_KNOWN };

static const struct xd_finding_def defs[] = {
	[D_XFRM_USER] = { "kernel.xfrm_user_missing", XD_SEV_ERROR, "the kernel has no XFRM netlink interface",
			  "Load xfrm_user (`modprobe xfrm_user`) or use a kernel built with "
			  "CONFIG_XFRM_USER; no IKE daemon can install SAs or policies without it." },
	[D_ESP] = { "kernel.esp_missing", XD_SEV_ERROR, "policies need ESP but the kernel lacks it",
		    "Load esp4/esp6 or use a kernel with CONFIG_INET_ESP / CONFIG_INET6_ESP; until then "
		    "every SA install fails (\"Requested type not found\")." },
	[D_AH] = { "kernel.ah_missing", XD_SEV_ERROR, "policies need AH but the kernel lacks it",
		   "Load ah4/ah6 or use a kernel with CONFIG_INET_AH / CONFIG_INET6_AH." },
	[D_IPCOMP] = { "kernel.ipcomp_missing", XD_SEV_ERROR, "policies need IPComp but the kernel lacks it",
		       "Load ipcomp/ipcomp6 or use a kernel with CONFIG_INET_IPCOMP / "
		       "CONFIG_INET6_IPCOMP, or disable compression in the IKE configuration." },
	[D_STATS] = { "kernel.xfrm_stats_missing", XD_SEV_INFO, "no /proc/net/xfrm_stat: XFRM error counters unavailable",
		      "The kernel was built without CONFIG_XFRM_STATISTICS; xfrmstat.* checks cannot "
		      "run. IKE daemons do not need the file (libreswan 5.0-5.2 stop only when "
		      "net.core.xfrm_acq_expires is missing too). Use a kernel with the option if you "
		      "need the counters." },
	[D_COMPAT] = { "kernel.compat_32bit", XD_SEV_ERROR, "32-bit IKE process on a 64-bit kernel without the XFRM translator",
		       "Every XFRM request of a 32-bit process fails with EOPNOTSUPP. Load xfrm_compat "
		       "(`modprobe xfrm_compat`, it never autoloads), use a kernel with "
		       "CONFIG_XFRM_USER_COMPAT, or run a 64-bit IKE daemon." },
	[D_KNOWN] = { "kernel.known_issue", XD_SEV_WARNING, "a known issue applies to this kernel or IKE stack",
		      "See the entry's remedy and source." },
	{ NULL },
};

/* Which families' policy templates ask for ESP, AH and IPComp (slot 0, 1, 2); bit 0 IPv4,
 * bit 1 IPv6; with the index of the first policy that asks. One pass over the SPD. */
struct needs {
	unsigned fam[3];
	uint32_t policy_index[3];
};

static void needed(const struct xd_snapshot *s, struct needs *n)
{
	*n = (struct needs){ 0 };
	for (size_t i = 0; i < s->policies.len; i++) {
		const struct xd_policy *p = xd_snapshot_policy(s, i);
		if (p->dir >= 3 || p->action != ACTION_ALLOW)
			continue;
		for (uint32_t t = 0; t < p->tmpl_count; t++) {
			const struct xd_tmpl *tm = xd_policy_tmpl(s, p, t);
			uint16_t f = tm->family ? tm->family : p->sel.family;
			int ps = xd_ipsec_proto_index(tm->proto);
			if (ps < 0 || tm->optional)
				continue;
			if (!n->fam[ps])
				n->policy_index[ps] = p->index;
			n->fam[ps] |= f == AF_INET6 ? 2u : 1u;
		}
	}
}

static bool cap_broken(enum xd_cap_state st)
{
	return st == XD_CAP_MISSING || st == XD_CAP_NOT_INSTALLED;
}

static void check_proto(const struct needs *n, const struct xd_kprofile *p,
			struct xd_findings *out, int def, unsigned slot, enum xd_cap c4,
			enum xd_cap c6, const char *name)
{
	uint32_t index = n->policy_index[slot];
	unsigned fam = n->fam[slot];

	for (unsigned f = 0; f < 2; f++) {
		enum xd_cap c = f ? c6 : c4;
		struct xd_finding *x;
		if (!(fam & (1u << f)) || !cap_broken(p->caps[c].state))
			continue;
		x = xd_finding_add(out, &defs[def], "policies need %s over %s but %s is %s", name,
				   f ? "IPv6" : "IPv4", xd_cap_name(c),
				   xd_cap_state_name(p->caps[c].state));
		xd_finding_name(x, xd_cap_name(c));
		xd_finding_policy(x, index, NULL);
		xd_finding_ev_str(x, "capability_state", "%s", xd_cap_state_name(p->caps[c].state));
		xd_finding_ev_str(x, "capability_evidence", "%s", p->caps[c].evidence);
	}
}

/* ---- known issues ---- */

static bool value_in(const char *v, const char *alternatives)
{
	size_t n = strlen(v);

	for (const char *p = alternatives; p && *p;) {
		const char *bar = strchr(p, '|');
		size_t len = bar ? (size_t)(bar - p) : strlen(p);
		if (len == n && strncmp(p, v, n) == 0)
			return true;
		p = bar ? bar + 1 : NULL;
	}
	return false;
}

/* Is v one of the alternatives ("tunnel|transport")? NULL (a value without a name) is not. */
static bool name_in(const char *v, const char *alternatives)
{
	return v && value_in(v, alternatives);
}

/* Does a real SA or a policy template use one of `modes` ("tunnel|transport")? */
static bool mode_in_use(const struct xd_snapshot *s, const char *modes)
{
	for (size_t i = 0; i < s->sas.len; i++) {
		const struct xd_sa *sa = xd_snapshot_sa(s, i);
		if (name_in(xd_name_mode(sa->mode), modes) && diag_sa_is_real(sa))
			return true;
	}
	for (size_t i = 0; i < s->policies.len; i++) {
		const struct xd_policy *p = xd_snapshot_policy(s, i);
		for (uint32_t t = 0; t < p->tmpl_count; t++)
			if (name_in(xd_name_mode(xd_policy_tmpl(s, p, t)->mode), modes))
				return true;
	}
	return false;
}

static const char *feat_state(const struct xd_kprofile *p, const char *id)
{
	for (unsigned f = 0; f < _XD_FEAT_MAX; f++)
		if (xd_streq(xd_feature_desc((enum xd_feature)f)->id, id))
			return xd_feat_state_name(p->feats[f].state);
	return NULL;
}

static const char *cap_state(const struct xd_kprofile *p, const char *id)
{
	for (unsigned c = 0; c < _XD_CAP_MAX; c++)
		if (xd_streq(xd_cap_name((enum xd_cap)c), id))
			return xd_cap_state_name(p->caps[c].state);
	return NULL;
}

/* Does one condition hold? `why` collects the facts that made it hold. */
static bool cond_holds(const struct xd_snapshot *s, const struct xd_kprofile *p,
		       const struct xd_stack_view *v, const struct xd_kb_cond *c,
		       const struct xd_daemon **daemon)
{
	const char *rel = s->uname.present ? s->uname.release : s->meta.kernel_release;
	const char *x;

	switch (c->kind) {
	case XD_KB_COND_KERNEL: {
		char ver[48];
		/* the profile's version: includes the patch level from Debian's build string */
		snprintf(ver, sizeof(ver), "%u.%u.%u", p->maj, p->min, p->patch);
		return p->have_release && xd_kb_version_affected(ver, c);
	}
	case XD_KB_COND_RELEASE:
		return rel && strstr(rel, c->value);
	case XD_KB_COND_STACK:
		for (unsigned i = 0; i < v->n_daemons; i++) {
			const struct xd_daemon *d = &v->daemons[i];
			if (!xd_streq(xd_stack_kind_name(d->kind), c->name))
				continue;
			/* a version range needs a known version: never guess */
			if ((c->min || c->below) && !xd_kb_version_affected(d->version, c))
				continue;
			*daemon = d;
			return true;
		}
		return false;
	case XD_KB_COND_SYSCTL:
		x = xd_kernel_sysctl(s, c->name);
		return x && value_in(x, c->value);
	case XD_KB_COND_CONFIG:
		if (!s->kernel || !s->kernel->kconfig_present)
			return false;
		x = xd_kernel_config(s, c->name);
		return value_in(x ? x : "n", c->value);
	case XD_KB_COND_CAPABILITY:
		x = cap_state(p, c->name);
		return x && value_in(x, c->value);
	case XD_KB_COND_FEATURE:
		x = feat_state(p, c->name);
		return x && value_in(x, c->value);
	case XD_KB_COND_MODE:
		/* alternatives: "tunnel|transport" is any IPsec in use */
		return mode_in_use(s, c->value);
	}
	return false;
}

/* A growing string; on allocation failure it stays as it was (evidence is then shorter). */
struct text {
	char *buf;
	size_t len, cap;
};

static void text_add(struct text *t, const char *sep, const char *str)
{
	size_t need = t->len + strlen(sep) + strlen(str) + 1;

	if (need > t->cap) {
		size_t cap = need * 2;
		char *b = realloc(t->buf, cap);
		if (!b)
			return;
		t->buf = b;
		t->cap = cap;
	}
	t->len += (size_t)sprintf(t->buf + t->len, "%s%s", t->len ? sep : "", str);
}

static void known_one(const struct xd_snapshot *s, const struct xd_kb_entry *e,
		      const struct xd_daemon *d, struct xd_findings *out)
{
	struct xd_finding *x;
	struct text src = { 0 };

	x = xd_finding_add(out, &defs[D_KNOWN], "known issue %s: %s", e->id, e->title);
	xd_finding_set_severity(x, e->severity);
	xd_finding_name(x, e->id);
	if (s->uname.present)
		xd_finding_ev_str(x, "kernel_release", "%s", s->uname.release);
	if (d)
		xd_finding_ev_str(x, "stack", "%s %s", xd_stack_kind_name(d->kind),
				  d->version ? d->version : "");
	if (e->detail)
		xd_finding_ev_str(x, "detail", "%s", e->detail);
	xd_finding_ev_str(x, "remedy", "%s", e->remedy);
	/* one key: evidence is a JSON object, a repeated key would keep only the last */
	for (unsigned k = 0; k < e->n_sources; k++)
		text_add(&src, "; ", e->sources[k]);
	xd_finding_ev_str(x, "sources", "%s", src.buf ? src.buf : "");
	xd_finding_ev_str(x, "known_issue", "%s", e->id);
	free(src.buf);
}

/*
 * Security advisories (info entries whose id names a CVE) of one component: an old kernel
 * matches a dozen or more, and a line each would bury the findings that matter. One finding
 * per component ("kernel", "strongswan", "libreswan") lists them; the evidence keeps each
 * entry's id and title, and the CVE ids to look for in a distribution's changelog.
 */
static void known_group(const struct xd_snapshot *s, const char *component,
			const struct xd_kb_entry **m, size_t n, const struct xd_daemon *d,
			struct xd_findings *out)
{
	struct text ids = { 0 }, detail = { 0 }, cves = { 0 };
	struct xd_finding *x;

	for (size_t i = 0; i < n; i++) {
		text_add(&ids, ", ", m[i]->id);
		text_add(&detail, "; ", m[i]->title);
		for (unsigned k = 0; k < m[i]->n_sources; k++)
			if (strncmp(m[i]->sources[k], "CVE-", 4) == 0)
				text_add(&cves, ", ", m[i]->sources[k]);
	}
	x = xd_finding_add(out, &defs[D_KNOWN],
			   "known issues: %zu %s security advisories match the installed %s version",
			   n, component, xd_streq(component, "kernel") ? "kernel" : "daemon");
	xd_finding_set_severity(x, XD_SEV_INFO);
	xd_finding_name(x, component);
	if (s->uname.present)
		xd_finding_ev_str(x, "kernel_release", "%s", s->uname.release);
	if (d)
		xd_finding_ev_str(x, "stack", "%s %s", xd_stack_kind_name(d->kind),
				  d->version ? d->version : "");
	xd_finding_ev_str(x, "detail", "%s", detail.buf ? detail.buf : "");
	xd_finding_ev_str(x, "remedy", "%s",
			  "Upgrade to a release with the fixes (docs/known-issues.md names each "
			  "fix and the stable releases that carry it). Nothing to do for the ones "
			  "your distribution backported: look for the CVE ids in the package "
			  "changelog.");
	xd_finding_ev_str(x, "sources", "%s", cves.buf ? cves.buf : "");
	xd_finding_ev_str(x, "known_issue", "%s", ids.buf ? ids.buf : "");
	free(ids.buf);
	free(detail.buf);
	free(cves.buf);
}

/* The components whose security advisories are grouped (known_group). */
static const char *const advisory_components[] = { "kernel", "strongswan", "libreswan" };

/* The component of a security advisory (an info entry "<component>-cve-..."), or -1 for an
 * entry that stands on its own. */
static int advisory_component(const struct xd_kb_entry *e)
{
	if (e->severity != XD_SEV_INFO)
		return -1;
	for (size_t c = 0; c < XD_ARRAY_SIZE(advisory_components); c++) {
		size_t len = strlen(advisory_components[c]);
		if (strncmp(e->id, advisory_components[c], len) == 0 &&
		    strncmp(e->id + len, "-cve-", 5) == 0)
			return (int)c;
	}
	return -1;
}

static void check_known(const struct xd_diag_ctx *ctx, const struct xd_kprofile *p,
			const struct xd_stack_view *v, struct xd_findings *out)
{
	enum { N_COMP = XD_ARRAY_SIZE(advisory_components) };
	const struct xd_snapshot *s = ctx->now;
	const struct xd_daemon *adv_d[N_COMP] = { NULL };
	const struct xd_kb_entry **adv;
	size_t n_adv[N_COMP] = { 0 };

	if (!ctx->kb)
		return;
	/* component c's matching advisories at adv + c * kb->n; without it each stands alone */
	adv = calloc(N_COMP * ctx->kb->n + 1, sizeof(*adv));
	for (size_t i = 0; i < ctx->kb->n; i++) {
		const struct xd_kb_entry *e = &ctx->kb->entries[i];
		const struct xd_daemon *d = NULL;
		bool all = true;
		int c;

		for (unsigned k = 0; k < e->n_conds && all; k++)
			all = cond_holds(s, p, v, &e->conds[k], &d);
		if (!all)
			continue;
		c = adv ? advisory_component(e) : -1;
		if (c < 0) {
			known_one(s, e, d, out);
			continue;
		}
		adv[(size_t)c * ctx->kb->n + n_adv[c]++] = e;
		if (!adv_d[c])
			adv_d[c] = d;
	}
	/* advisories: one finding per component when two or more match, else the entry */
	for (size_t c = 0; c < N_COMP; c++) {
		const struct xd_kb_entry **m = adv + c * ctx->kb->n;
		if (n_adv[c] == 1)
			known_one(s, m[0], adv_d[c], out);
		else if (n_adv[c] > 1)
			known_group(s, advisory_components[c], m, n_adv[c], adv_d[c], out);
	}
	free(adv);
}

static void run(const struct xd_diag_ctx *ctx, struct xd_findings *out)
{
	const struct xd_snapshot *s = ctx->now;
	const struct xd_kprofile *kp = ctx->kprofile;
	struct needs needs;
	const struct xd_stack_view *v = ctx->stack;
	struct xd_finding *x;

	if (kp->caps[XD_CAP_XFRM_USER].state == XD_CAP_MISSING) {
		x = xd_finding_add(out, &defs[D_XFRM_USER], "%s",
				   "the kernel has no XFRM netlink interface (xfrm_user)");
		xd_finding_name(x, "xfrm_user");
		xd_finding_ev_str(x, "evidence", "%s", kp->caps[XD_CAP_XFRM_USER].evidence);
	}
	needed(s, &needs);
	check_proto(&needs, kp, out, D_ESP, 0, XD_CAP_ESP4, XD_CAP_ESP6, "ESP");
	check_proto(&needs, kp, out, D_AH, 1, XD_CAP_AH4, XD_CAP_AH6, "AH");
	check_proto(&needs, kp, out, D_IPCOMP, 2, XD_CAP_IPCOMP4, XD_CAP_IPCOMP6, "IPComp");

	if (s->meta.dump_status[XD_DUMP_XFRM_STAT] == XD_DUMP_ABSENT) {
		x = xd_finding_add(out, &defs[D_STATS], "%s", defs[D_STATS].title);
		xd_finding_name(x, "/proc/net/xfrm_stat");
		if (s->kernel && s->kernel->kconfig_present) {
			const char *c = xd_kernel_config(s, "CONFIG_XFRM_STATISTICS");
			xd_finding_ev_str(x, "config_xfrm_statistics", "%s", c ? c : "n");
		}
	}

	enum xd_cap_state cs = kp->caps[XD_CAP_XFRM_COMPAT].state;
	/* AVAILABLE is not enough here: xfrm_compat never autoloads. UNKNOWN stays silent. */
	if (kp->compat_task_risk &&
	    (cs == XD_CAP_MISSING || cs == XD_CAP_NOT_INSTALLED || cs == XD_CAP_AVAILABLE)) {
		const char *who = "xfrmctl";
		for (unsigned i = 0; i < v->n_daemons; i++)
			if (v->daemons[i].elf_bits == 32)
				who = v->daemons[i].comm ? v->daemons[i].comm : "an IKE daemon";
		x = xd_finding_add(out, &defs[D_COMPAT], "%s is a 32-bit process on a 64-bit %s kernel "
				   "and xfrm_compat is %s", who, s->uname.machine,
				   xd_cap_state_name(kp->caps[XD_CAP_XFRM_COMPAT].state));
		xd_finding_name(x, who);
		xd_finding_ev_str(x, "xfrm_compat", "%s", kp->caps[XD_CAP_XFRM_COMPAT].evidence);
	}
	check_known(ctx, kp, v, out);
}

const struct xd_check_family xd_check_kernel = {
	.name = "kernel",
	.defs = defs,
	.run = run,
};
