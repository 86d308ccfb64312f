/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * render-kstack.c: `show kernel` and `show stack` as JSON objects and text. Everything shown
 * is a fact or computed by model/ (kernel-profile.c, stack.c); nothing here judges.
 */
#include <arpa/inet.h>
#include <json-c/json.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "json-util.h"
#include "render-kstack.h"
#include "xfrmd/kernel.h"
#include "xfrmd/model.h"
#include "xfrmd/render.h"
#include "xfrmd/stack.h"

/* Config options shown by `show kernel` besides those behind a capability. */
static const char *const extra_config[] = {
	"CONFIG_XFRM", "CONFIG_XFRM_SUB_POLICY", "CONFIG_XFRM_MIGRATE", "CONFIG_INET_ESP_OFFLOAD",
	"CONFIG_INET6_ESP_OFFLOAD", "CONFIG_INET_ESPINTCP", "CONFIG_INET6_ESPINTCP",
	"CONFIG_INET_XFRM_TUNNEL", "CONFIG_NETFILTER_NETLINK_HOOK", "CONFIG_MODULES",
	"CONFIG_IKCONFIG_PROC", "CONFIG_COMPAT", "CONFIG_CRYPTO_GCM", "CONFIG_CRYPTO_AES",
	"CONFIG_CRYPTO_SHA256", "CONFIG_CRYPTO_CHACHA20POLY1305", "CONFIG_SECURITY_LOCKDOWN_LSM",
};

static const char *cap_config(enum xd_cap c);

static void version_str(const struct xd_kprofile *p, char *buf, size_t len)
{
	snprintf(buf, len, "%u.%u.%u", p->maj, p->min, p->patch);
}

static void kv_str(uint32_t v, char *buf, size_t len)
{
	snprintf(buf, len, "%u.%u%s", v >> 16, (v >> 8) & 0xff, "");
	if (v & 0xff)
		snprintf(buf, len, "%u.%u.%u", v >> 16, (v >> 8) & 0xff, v & 0xff);
}

struct json_object *xd_json_kernel(const struct xd_snapshot *s)
{
	struct json_object *o = json_object_new_object();
	struct json_object *caps = json_object_new_object();
	struct json_object *feats = json_object_new_object();
	const struct xd_kprofile *kp = xd_snapshot_kprofile(s);
	char buf[64];

	if (!kp) { /* a snapshot that was never sorted has no views */
		json_object_put(caps);
		json_object_put(feats);
		return o;
	}
	if (s->uname.present) {
		xd_json_add_str(o, "release", s->uname.release);
		xd_json_add_str(o, "build", s->uname.version);
		xd_json_add_str(o, "machine", s->uname.machine);
	}
	if (kp->have_release) {
		version_str(kp, buf, sizeof(buf));
		xd_json_add_str(o, "version", buf);
		if (kp->patch_from_build)
			xd_json_add(o, "patch_from_build", json_object_new_boolean(true));
	}
	if (s->kernel && s->kernel->collector_bits)
		xd_json_add_u64(o, "collector_bits", s->kernel->collector_bits);
	xd_json_add(o, "compat_32bit_risk", json_object_new_boolean(kp->compat_task_risk));
	for (unsigned c = 0; c < _XD_CAP_MAX; c++) {
		struct json_object *e = json_object_new_object();
		xd_json_add_str(e, "state", xd_cap_state_name(kp->caps[c].state));
		xd_json_add_str(e, "evidence", kp->caps[c].evidence);
		xd_json_add(caps, xd_cap_name((enum xd_cap)c), e);
	}
	xd_json_add(o, "capabilities", caps);
	for (unsigned f = 0; f < _XD_FEAT_MAX; f++) {
		const struct xd_feature_desc *d = xd_feature_desc((enum xd_feature)f);
		struct json_object *e = json_object_new_object();
		xd_json_add_str(e, "state", xd_feat_state_name(kp->feats[f].state));
		xd_json_add_str(e, "evidence", kp->feats[f].evidence);
		xd_json_add_str(e, "title", d->title);
		kv_str(d->since, buf, sizeof(buf));
		xd_json_add_str(e, "since", buf);
		if (d->backport) {
			kv_str(d->backport, buf, sizeof(buf));
			xd_json_add_str(e, "backport", buf);
		}
		xd_json_add_str(e, "source", d->source);
		xd_json_add(feats, d->id, e);
	}
	xd_json_add(o, "features", feats);
	if (s->kernel && s->kernel->kconfig_present) {
		struct json_object *cfg = json_object_new_object();
		xd_json_add_str(o, "config_source", s->kernel->kconfig_source);
		for (unsigned c = 0; c < _XD_CAP_MAX; c++) {
			const char *opt = cap_config((enum xd_cap)c);
			const char *v = opt ? xd_kernel_config(s, opt) : NULL;
			if (opt)
				xd_json_add_str(cfg, opt, v ? v : "n");
		}
		for (size_t i = 0; i < XD_ARRAY_SIZE(extra_config); i++) {
			const char *v = xd_kernel_config(s, extra_config[i]);
			xd_json_add_str(cfg, extra_config[i], v ? v : "n");
		}
		xd_json_add(o, "config", cfg);
	}
	if (s->kernel && s->kernel->sysctl_present) {
		struct json_object *sc = json_object_new_object();
		for (size_t i = 0; i < s->kernel->sysctls.len; i++) {
			const struct xd_kv *kv = xd_vec_at(&s->kernel->sysctls, i);
			xd_json_add_str(sc, kv->name, kv->value);
		}
		xd_json_add(o, "sysctl", sc);
	}
	if (s->spdinfo.present && s->spdinfo.has_hthresh) {
		/* SPD hash thresholds (XFRM_MSG_GETSPDINFO): prefix lengths hashed, not sysctls */
		struct json_object *h = json_object_new_object();
		xd_json_add_u64(h, "ipv4_lbits", s->spdinfo.v4_lbits);
		xd_json_add_u64(h, "ipv4_rbits", s->spdinfo.v4_rbits);
		xd_json_add_u64(h, "ipv6_lbits", s->spdinfo.v6_lbits);
		xd_json_add_u64(h, "ipv6_rbits", s->spdinfo.v6_rbits);
		xd_json_add(o, "spd_hash_thresholds", h);
	}
	if (s->kernel && s->kernel->modules_present) {
		struct json_object *m = json_object_new_array();
		for (size_t i = 0; i < s->kernel->kmods.len; i++) {
			const struct xd_kmod *km = xd_vec_at(&s->kernel->kmods, i);
			if (km->src & XD_KMOD_LOADED)
				json_object_array_add(m, xd_json_string(km->name));
		}
		xd_json_add(o, "modules_loaded", m);
	}
	return o;
}

/* The capability table's config names, exposed for the config listing. */
static const char *cap_config(enum xd_cap c)
{
	static const char *const cfg[_XD_CAP_MAX] = {
		[XD_CAP_XFRM_USER] = "CONFIG_XFRM_USER",
		[XD_CAP_XFRM_COMPAT] = "CONFIG_XFRM_USER_COMPAT",
		[XD_CAP_XFRM_STATISTICS] = "CONFIG_XFRM_STATISTICS",
		[XD_CAP_ESP4] = "CONFIG_INET_ESP",
		[XD_CAP_ESP6] = "CONFIG_INET6_ESP",
		[XD_CAP_AH4] = "CONFIG_INET_AH",
		[XD_CAP_AH6] = "CONFIG_INET6_AH",
		[XD_CAP_IPCOMP4] = "CONFIG_INET_IPCOMP",
		[XD_CAP_IPCOMP6] = "CONFIG_INET6_IPCOMP",
		[XD_CAP_XFRM_INTERFACE] = "CONFIG_XFRM_INTERFACE",
		[XD_CAP_VTI4] = "CONFIG_NET_IPVTI",
		[XD_CAP_VTI6] = "CONFIG_IPV6_VTI",
		[XD_CAP_AF_KEY] = "CONFIG_NET_KEY",
		[XD_CAP_XFRM_IPTFS] = "CONFIG_XFRM_IPTFS",
		[XD_CAP_NF_TABLES] = "CONFIG_NF_TABLES",
		[XD_CAP_NFT_INET] = "CONFIG_NF_TABLES_INET",
		[XD_CAP_NFT_IPV4] = "CONFIG_NF_TABLES_IPV4",
		[XD_CAP_NFT_IPV6] = "CONFIG_NF_TABLES_IPV6",
		[XD_CAP_NFT_XFRM] = "CONFIG_NFT_XFRM",
		[XD_CAP_IP_TABLES] = "CONFIG_IP_NF_IPTABLES",
		[XD_CAP_XT_POLICY] = "CONFIG_NETFILTER_XT_MATCH_POLICY",
		[XD_CAP_XT_ESP] = "CONFIG_NETFILTER_XT_MATCH_ESP",
		[XD_CAP_UDP_DIAG] = "CONFIG_INET_UDP_DIAG",
	};
	return (unsigned)c < _XD_CAP_MAX ? cfg[c] : NULL;
}

static const char *fam_name(uint8_t f)
{
	return f == AF_INET ? "inet" : f == AF_INET6 ? "inet6" : "unspec";
}

static const char *owner_addr(const struct xd_port_owner *w, char *buf, size_t len)
{
	if (!inet_ntop(w->family == AF_INET6 ? AF_INET6 : AF_INET, w->addr, buf, (socklen_t)len))
		snprintf(buf, len, "?");
	return buf;
}

static struct json_object *daemon_json(const struct xd_daemon *d)
{
	struct json_object *o = json_object_new_object();
	struct json_object *ports = json_object_new_array();

	xd_json_add_str(o, "stack", xd_stack_kind_name(d->kind));
	if (d->pid)
		xd_json_add_u64(o, "pid", d->pid);
	xd_json_add_str(o, "comm", d->comm);
	xd_json_add_str(o, "version", d->version);
	xd_json_add_str(o, "version_source", d->version_source);
	if (d->elf_bits)
		xd_json_add_u64(o, "elf_bits", d->elf_bits);
	xd_json_add_u64(o, "xfrm_groups", d->xfrm_groups);
	xd_json_add(o, "acquire_listener", json_object_new_boolean(d->acquire_listener));
	for (unsigned i = 0; i < d->n_ike_ports; i++)
		json_object_array_add(ports, json_object_new_int(d->ike_ports[i]));
	xd_json_add(o, "udp_ports", ports);
	xd_json_add_str(o, "control_socket", d->ctl_socket);
	return o;
}

struct json_object *xd_json_stack(const struct xd_snapshot *s)
{
	struct json_object *o = json_object_new_object();
	struct json_object *ds = json_object_new_array();
	struct json_object *owners = json_object_new_array();
	struct json_object *byk = json_object_new_object();
	struct json_object *ev = json_object_new_object();
	const struct xd_stack_view *sv = xd_snapshot_stack_view(s);
	char abuf[INET6_ADDRSTRLEN];

	if (!sv) { /* a snapshot that was never sorted has no views */
		json_object_put(ds);
		json_object_put(owners);
		json_object_put(byk);
		json_object_put(ev);
		return o;
	}
	xd_json_add(ev, "processes", json_object_new_boolean(sv->have_processes));
	xd_json_add(ev, "sockets", json_object_new_boolean(sv->have_sockets));
	xd_json_add(ev, "netlink", json_object_new_boolean(sv->have_netlink));
	xd_json_add(o, "evidence", ev);
	for (unsigned i = 0; i < sv->n_daemons; i++)
		json_object_array_add(ds, daemon_json(&sv->daemons[i]));
	xd_json_add(o, "daemons", ds);
	xd_json_add_str(o, "klips", sv->klips);
	for (unsigned i = 0; i < sv->n_owners; i++) {
		const struct xd_port_owner *w = &sv->owners[i];
		struct json_object *e = json_object_new_object();
		xd_json_add_u64(e, "port", w->port);
		xd_json_add_str(e, "address", owner_addr(w, abuf, sizeof(abuf)));
		xd_json_add_str(e, "proto", w->proto == IPPROTO_TCP ? "tcp" : "udp");
		xd_json_add_str(e, "family", fam_name(w->family));
		if (w->pid)
			xd_json_add_u64(e, "pid", w->pid);
		xd_json_add_str(e, "comm", w->comm);
		xd_json_add_str(e, "stack", xd_stack_kind_name(w->kind));
		json_object_array_add(owners, e);
	}
	xd_json_add(o, "ike_sockets", owners);
	xd_json_add_u64(o, "xfrm_acquire_listeners", sv->acquire_listeners);
	xd_json_add_u64(o, "socket_policies", sv->socket_policies);
	/* daemons put 2 bypass policies on each IKE socket (netlink.md 3.1) */
	xd_json_add_u64(o, "ike_udp_sockets", sv->ike_sockets);
	for (unsigned k = 0; k < _XD_STACK_KIND_MAX; k++)
		if (sv->policies_by_kind[k])
			xd_json_add_u64(byk, xd_stack_kind_name((enum xd_stack_kind)k),
					sv->policies_by_kind[k]);
	xd_json_add(o, "policies_by_stack", byk);
	return o;
}

struct json_object *xd_json_policy_fingerprint(const struct xd_snapshot *s,
					       const struct xd_policy *p)
{
	struct xd_policy_fp fp;
	struct json_object *e;

	if (p->dir >= 3)
		return NULL;
	xd_policy_fingerprint(p, &fp);
	e = json_object_new_object();
	xd_json_add_u64(e, "index", p->index);
	xd_json_add_u64(e, "dir", p->dir);
	xd_json_add_u64(e, "priority", p->priority);
	xd_json_add_str(e, "stack", xd_stack_kind_name(fp.kind));
	xd_json_add_str(e, "scheme", fp.scheme);
	if (p->tmpl_count) {
		const struct xd_tmpl *t = xd_policy_tmpl(s, p, 0);
		if (t->reqid) {
			xd_json_add_u64(e, "reqid", t->reqid);
			xd_json_add_str(e, "reqid_hint", xd_reqid_hint(t->reqid));
		}
	}
	return e;
}

void xd_text_kernel(FILE *out, const struct xd_snapshot *s, bool verbose)
{
	const struct xd_kprofile *kp = xd_snapshot_kprofile(s);
	char esc[256];

	if (!kp) /* a snapshot that was never sorted has no views */
		return;
	fprintf(out, "Kernel %s (%s)\n",
		s->uname.present ? xd_text_escape(s->uname.release, esc, sizeof(esc)) : "?",
		s->uname.present ? s->uname.machine : "?");
	if (s->kernel && s->kernel->kconfig_source)
		fprintf(out, "  config from %s\n",
			xd_text_escape(s->kernel->kconfig_source, esc, sizeof(esc)));
	if (kp->compat_task_risk)
		fprintf(out, "  32-bit IKE process on a 64-bit kernel\n");
	fprintf(out, "\nCapabilities\n");
	for (unsigned c = 0; c < _XD_CAP_MAX; c++)
		fprintf(out, "  %-16s %-14s %s\n", xd_cap_name((enum xd_cap)c),
			xd_cap_state_name(kp->caps[c].state), kp->caps[c].evidence);
	fprintf(out, "\nFeatures\n");
	for (unsigned f = 0; f < _XD_FEAT_MAX; f++) {
		const struct xd_feature_desc *d = xd_feature_desc((enum xd_feature)f);
		char since[16];
		kv_str(d->since, since, sizeof(since));
		fprintf(out, "  %-20s %-13s since %-6s %s\n", d->id,
			xd_feat_state_name(kp->feats[f].state), since,
			kp->feats[f].evidence ? kp->feats[f].evidence : "");
	}
	if (s->kernel && s->kernel->sysctl_present) {
		static const char *const shown[] = {
			"net.ipv4.ip_forward", "net.ipv6.conf.all.forwarding",
			"net.ipv4.conf.all.rp_filter", "net.ipv4.conf.default.rp_filter",
			"net.ipv4.conf.all.send_redirects", "net.ipv4.conf.all.accept_redirects",
			"net.core.xfrm_acq_expires", "net.core.xfrm_larval_drop",
			"net.ipv4.ip_no_pmtu_disc",
		};
		fprintf(out, "\nSysctls%s\n", verbose ? "" : " (-v for all)");
		if (verbose) {
			for (size_t i = 0; i < s->kernel->sysctls.len; i++) {
				const struct xd_kv *kv = xd_vec_at(&s->kernel->sysctls, i);
				fprintf(out, "  %s = %s\n", xd_text_escape(kv->name, esc, sizeof(esc)),
					kv->value);
			}
		} else {
			for (size_t i = 0; i < XD_ARRAY_SIZE(shown); i++) {
				const char *v = xd_kernel_sysctl(s, shown[i]);
				if (v)
					fprintf(out, "  %s = %s\n", shown[i],
						xd_text_escape(v, esc, sizeof(esc)));
			}
		}
	}
}

void xd_text_stack(FILE *out, const struct xd_snapshot *s, bool verbose)
{
	const struct xd_stack_view *sv = xd_snapshot_stack_view(s);
	char esc[256], esc2[256], abuf[INET6_ADDRSTRLEN];

	if (!sv) /* a snapshot that was never sorted has no views */
		return;
	fprintf(out, "IKE daemons%s\n", sv->have_processes ? "" : " (no process information: from netlink groups)");
	if (!sv->n_daemons)
		fprintf(out, "  none\n");
	for (unsigned i = 0; i < sv->n_daemons; i++) {
		const struct xd_daemon *d = &sv->daemons[i];
		fprintf(out, "  %-10s pid %-7u %-15s version %-10s groups 0x%08x%s",
			xd_stack_kind_name(d->kind), d->pid,
			d->comm ? xd_text_escape(d->comm, esc, sizeof(esc)) : "-",
			d->version ? xd_text_escape(d->version, esc2, sizeof(esc2)) : "?",
			d->xfrm_groups, d->acquire_listener ? " acquire" : "");
		if (d->n_ike_ports) {
			fprintf(out, " udp");
			for (unsigned k = 0; k < d->n_ike_ports; k++)
				fprintf(out, "%s%u", k ? "," : " ", d->ike_ports[k]);
		}
		if (d->ctl_socket)
			fprintf(out, " ctl %s", xd_text_escape(d->ctl_socket, esc, sizeof(esc)));
		fputc('\n', out);
	}
	if (sv->klips)
		fprintf(out, "  KLIPS loaded: %s (invisible to XFRM)\n",
			xd_text_escape(sv->klips, esc, sizeof(esc)));
	fprintf(out, "\nIKE ports\n");
	if (!sv->n_owners)
		fprintf(out, "  none open\n");
	for (unsigned i = 0; i < sv->n_owners; i++) {
		const struct xd_port_owner *w = &sv->owners[i];
		fprintf(out, "  %s/%-5u %-16s %s (pid %u)\n", w->proto == IPPROTO_TCP ? "tcp" : "udp",
			w->port, owner_addr(w, abuf, sizeof(abuf)),
			w->comm ? xd_text_escape(w->comm, esc, sizeof(esc)) : "?", w->pid);
	}
	fprintf(out, "\nXFRM key managers listening for ACQUIRE: %u\n", sv->acquire_listeners);
	fprintf(out, "Socket policies: %u (2 per IKE socket expected; %u UDP 500/4500 sockets)\n"
		"Policies by fingerprint:", sv->socket_policies, sv->ike_sockets);
	for (unsigned k = 0; k < _XD_STACK_KIND_MAX; k++)
		if (sv->policies_by_kind[k])
			fprintf(out, " %s %u", xd_stack_kind_name((enum xd_stack_kind)k),
				sv->policies_by_kind[k]);
	if (s->policies.len == sv->socket_policies)
		fprintf(out, " none");
	fputc('\n', out);
	if (verbose)
		for (size_t i = 0; i < s->policies.len; i++) {
			const struct xd_policy *p = xd_snapshot_policy(s, i);
			struct xd_policy_fp fp;
			if (p->dir >= 3)
				continue;
			xd_policy_fingerprint(p, &fp);
			fprintf(out, "  index %-8u dir %u prio %-10u %-10s %s\n", p->index, p->dir,
				p->priority, xd_stack_kind_name(fp.kind), fp.scheme);
		}
}
