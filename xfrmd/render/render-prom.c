/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * render-prom.c: the model as Prometheus text exposition (format 0.0.4), a view like text:
 * it decides nothing. Label values come from the kernel (counter names, addresses) and are
 * escaped as the format requires; no key material exists in the model to leak.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "xd-config.h"
#include "xfrmd/finding.h"
#include "xfrmd/ike.h"
#include "xfrmd/names.h"
#include "xfrmd/peers.h"
#include "xfrmd/render.h"
#include "xfrmd/rtunnel.h"
#include "xfrmd/tunnels.h"

/* Label value escaping: backslash, double quote and newline (exposition format). Other
 * control bytes cannot come from addresses; counter names are escaped as \xNN to be safe. */
static void put_label(FILE *out, const char *v)
{
	for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
		if (*p == '\\' || *p == '"')
			fprintf(out, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", out);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(out, "\\\\x%02x", *p);
		else
			fputc(*p, out);
	}
}

static void header(FILE *out, const char *name, const char *type, const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void sa_counts(FILE *out, const struct xd_snapshot *s)
{
	static const char *const dirs[] = { "unknown", "in", "out" };
	uint64_t n[3] = { 0 };

	header(out, "xfrmd_sas", "gauge", "SAs by direction (unknown: larval or undecidable)");
	for (size_t i = 0; i < s->sas.len; i++) {
		const struct xd_sa *sa = xd_snapshot_sa(s, i);
		uint8_t d = 0;

		if (sa->has & XD_SA_HAS_DIR && (sa->dir == 1 || sa->dir == 2))
			d = sa->dir;
		else if (xd_snapshot_has_local_addrs(s) && !(sa->spi == 0))
			d = xd_snapshot_is_local(s, sa->family, &sa->daddr) ? 1 : 2;
		n[d]++;
	}
	for (size_t k = 0; k < 3; k++)
		fprintf(out, "xfrmd_sas{direction=\"%s\"} %" PRIu64 "\n", dirs[k], n[k]);
}

static void policy_counts(FILE *out, const struct xd_snapshot *s)
{
	uint64_t n[256] = { 0 };

	header(out, "xfrmd_policies", "gauge", "XFRM policies by direction");
	for (size_t i = 0; i < s->policies.len; i++)
		n[xd_snapshot_policy(s, i)->dir]++;
	for (unsigned d = 0; d < 256; d++) {
		const char *name = xd_name_policy_dir((uint8_t)d);
		if (d > 2 && !n[d])
			continue;
		if (name)
			fprintf(out, "xfrmd_policies{direction=\"%s\"} %" PRIu64 "\n", name, n[d]);
		else
			fprintf(out, "xfrmd_policies{direction=\"%u\"} %" PRIu64 "\n", d, n[d]);
	}
}

static int peers(FILE *out, const struct xd_snapshot *s, const struct xd_findings *f)
{
	struct xd_findings none;
	struct xd_vec rows;
	char a[64], b[64];
	int r;

	xd_findings_init(&none);
	r = xd_peers_build(s, f ? f : &none, &rows);
	xd_findings_done(&none);
	if (r < 0)
		return r;
	header(out, "xfrmd_peer_up", "gauge", "1 when the peer's state is up, 0 otherwise");
	for (size_t i = 0; i < rows.len; i++) {
		const struct xd_peer_row *p = xd_vec_at(&rows, i);
		fprintf(out, "xfrmd_peer_up{peer=\"%s\",local=\"%s\",state=\"%s\"",
			xd_addr_fmt(&p->peer, p->family, a, sizeof(a)),
			xd_addr_fmt(&p->local, p->family, b, sizeof(b)),
			xd_peer_state_name(p->state));
		/* route-based: the interface joins the peer to xfrmd_tunnel_interface_up */
		if (p->interface) {
			fputs(",interface=\"", out);
			put_label(out, p->interface);
			fputc('"', out);
		}
		fprintf(out, "} %d\n", p->state == XD_PEER_UP);
	}
	xd_peers_free(&rows);
	return 0;
}

/*
 * One series per route-based interface (xfrm, vti, vti6; rtunnel.h): 1 when the interface is
 * up (administratively and its link), 0 otherwise. The labels are the interface's own, not
 * its SAs', so the series stays the same while the tunnel goes idle and comes back; what its
 * SAs do is xfrmd_peer_up (with the same interface label) and the route.* findings.
 */
static int route_interfaces(FILE *out, const struct xd_snapshot *s)
{
	struct xd_vec rows;
	int r = xd_rtunnels_build(s, &rows);

	if (r < 0)
		return r;
	if (rows.len)
		header(out, "xfrmd_tunnel_interface_up", "gauge",
		       "1 when the route-based tunnel interface (xfrm, vti, vti6) is up, 0 otherwise");
	for (size_t i = 0; i < rows.len; i++) {
		const struct xd_rtunnel *t = xd_vec_at(&rows, i);
		const struct xd_link *l = t->link;

		fputs("xfrmd_tunnel_interface_up{interface=\"", out);
		put_label(out, l->name ? l->name : "");
		fputs("\",kind=\"", out);
		put_label(out, l->kind ? l->kind : xd_rtunnel_kind_name(t->kind));
		if (t->kind == XD_RTUNNEL_XFRM)
			fprintf(out, "\",if_id=\"%" PRIu32, l->xfrm_if_id);
		else
			fprintf(out, "\",ikey=\"%" PRIu32 "\",okey=\"%" PRIu32, l->vti_ikey, l->vti_okey);
		fprintf(out, "\"} %d\n", t->if_up);
	}
	xd_vec_done(&rows);
	return 0;
}

static bool ike_conn_up(const struct xd_ike *ike, const char *stack, const char *name)
{
	for (size_t i = 0; i < ike->sas.len; i++) {
		const struct xd_ike_sa *sa = xd_vec_at(&ike->sas, i);
		if (sa->name && strcmp(sa->name, name) == 0 &&
		    (!stack || !sa->stack || strcmp(stack, sa->stack) == 0) && sa->state &&
		    strcasecmp(sa->state, "ESTABLISHED") == 0)
			return true;
	}
	return false;
}

static void ike_line(FILE *out, const char *stack, const char *name, bool up)
{
	fputs("xfrmd_ike_sa_up{conn=\"", out);
	put_label(out, name);
	fputs("\",stack=\"", out);
	put_label(out, stack ? stack : "unknown");
	fprintf(out, "\"} %d\n", up);
}

/* One line per connection the IKE daemons know (configured, or only seen in an IKE SA):
 * 1 when it has an ESTABLISHED IKE SA. Nothing when no daemon's view was read. */
static void ike_sas(FILE *out, const struct xd_snapshot *s)
{
	const struct xd_ike *ike = s->ike;

	if (!ike || !ike->sas_present)
		return;
	header(out, "xfrmd_ike_sa_up", "gauge",
	       "1 when the IKE daemon has an established IKE SA for the connection, 0 otherwise");
	for (size_t i = 0; i < ike->conns.len; i++) {
		const struct xd_ike_conn *c = xd_vec_at(&ike->conns, i);
		if (c->name)
			ike_line(out, c->stack, c->name, ike_conn_up(ike, c->stack, c->name));
	}
	for (size_t i = 0; i < ike->sas.len; i++) {
		const struct xd_ike_sa *sa = xd_vec_at(&ike->sas, i);
		bool seen = false;
		if (!sa->name)
			continue;
		for (size_t j = 0; j < ike->conns.len && !seen; j++) {
			const struct xd_ike_conn *c = xd_vec_at(&ike->conns, j);
			seen = c->name && strcmp(c->name, sa->name) == 0 &&
			       (!c->stack || !sa->stack || strcmp(c->stack, sa->stack) == 0);
		}
		for (size_t j = 0; j < i && !seen; j++) {
			const struct xd_ike_sa *o = xd_vec_at(&ike->sas, j);
			seen = o->name && strcmp(o->name, sa->name) == 0 &&
			       (!o->stack || !sa->stack || strcmp(o->stack, sa->stack) == 0);
		}
		if (!seen)
			ike_line(out, sa->stack, sa->name, ike_conn_up(ike, sa->stack, sa->name));
	}
}

/* The failures the IKE daemons logged, by class, counted once each across samples; every
 * class is present (0 included) once the daemon has read a log view. */
static void ike_failures(FILE *out, const struct xd_ike_failures *f)
{
	if (!f || !f->seen)
		return;
	header(out, "xfrmd_ike_failures_total", "counter",
	       "failures the IKE daemons logged (ike.* classes), each counted once");
	for (int k = 0; k < _XD_IKE_EV_MAX; k++)
		if (xd_ike_event_is_failure((enum xd_ike_event_kind)k))
			fprintf(out, "xfrmd_ike_failures_total{class=\"%s\"} %" PRIu64 "\n",
				xd_ike_event_kind_name((enum xd_ike_event_kind)k), f->total[k]);
}

static void tunnels(FILE *out, const struct xd_tunnels *t)
{
	static const char *const names[] = { "bytes", "packets" };
	char a[64], b[64];

	for (int k = 0; k < 2; k++) {
		char metric[64];
		snprintf(metric, sizeof(metric), "xfrmd_tunnel_%s_total", names[k]);
		header(out, metric, "counter",
		       k ? "packets through a tunnel (peer, reqid, direction), summed across rekeys"
			 : "bytes through a tunnel (peer, reqid, direction), summed across rekeys");
		for (size_t i = 0; i < xd_tunnels_count(t); i++) {
			const struct xd_tunnel *x = xd_tunnels_at(t, i);
			fprintf(out, "%s{peer=\"%s\",local=\"%s\",reqid=\"%" PRIu32 "\",direction=\"%s\"} %" PRIu64 "\n",
				metric, xd_addr_fmt(&x->peer, x->family, a, sizeof(a)),
				xd_addr_fmt(&x->local, x->family, b, sizeof(b)), x->reqid,
				x->dir == XD_TUNNEL_IN ? "in" : "out", k ? x->packets : x->bytes);
		}
	}
	header(out, "xfrmd_tunnel_sas", "gauge", "current SAs of a tunnel");
	for (size_t i = 0; i < xd_tunnels_count(t); i++) {
		const struct xd_tunnel *x = xd_tunnels_at(t, i);
		fprintf(out, "xfrmd_tunnel_sas{peer=\"%s\",local=\"%s\",reqid=\"%" PRIu32 "\",direction=\"%s\"} %" PRIu32 "\n",
			xd_addr_fmt(&x->peer, x->family, a, sizeof(a)),
			xd_addr_fmt(&x->local, x->family, b, sizeof(b)), x->reqid,
			x->dir == XD_TUNNEL_IN ? "in" : "out", x->sas);
	}
}

static void xfrm_stat(FILE *out, const struct xd_snapshot *s)
{
	if (!s->xfrm_stat.present)
		return;
	header(out, "xfrmd_xfrm_stat_total", "counter", "/proc/net/xfrm_stat counters by name");
	for (size_t i = 0; i < s->xfrm_stat.counters.len; i++) {
		const struct xd_counter *c = xd_vec_at(&s->xfrm_stat.counters, i);
		fputs("xfrmd_xfrm_stat_total{counter=\"", out);
		put_label(out, c->name ? c->name : "");
		fprintf(out, "\"} %" PRIu64 "\n", c->value);
	}
}

/*
 * Findings are sorted by severity then id, so equal (id, severity) pairs are adjacent. The
 * value counts subjects (an aggregated finding counts its count), so it does not depend on
 * whether an id aggregates: one per affected SA, policy or peer, as before aggregation.
 */
static void findings(FILE *out, const struct xd_findings *f)
{
	header(out, "xfrmd_findings", "gauge",
	       "current findings by id and severity (subjects of aggregated findings each count)");
	for (size_t i = 0; f && i < f->items.len;) {
		const struct xd_finding *x = xd_findings_at(f, i);
		size_t j = i, n = 0;
		while (j < f->items.len && xd_findings_at(f, j)->def == x->def &&
		       xd_findings_at(f, j)->severity == x->severity)
			n += xd_finding_count(xd_findings_at(f, j++));
		fprintf(out, "xfrmd_findings{id=\"%s\",severity=\"%s\"} %zu\n", x->def->id,
			xd_severity_name(x->severity), n);
		i = j;
	}
}

static void daemon_counters(FILE *out, const struct xd_prom_daemon *d)
{
	header(out, "xfrmd_resyncs_total", "counter", "full re-dumps of kernel state");
	fprintf(out, "xfrmd_resyncs_total %" PRIu64 "\n", d->resyncs);
	header(out, "xfrmd_overruns_total", "counter", "netlink event overruns (ENOBUFS)");
	fprintf(out, "xfrmd_overruns_total %" PRIu64 "\n", d->overruns);
	header(out, "xfrmd_events_total", "counter", "kernel XFRM events received");
	fprintf(out, "xfrmd_events_total %" PRIu64 "\n", d->events);
	header(out, "xfrmd_samples_total", "counter", "periodic samples taken");
	fprintf(out, "xfrmd_samples_total %" PRIu64 "\n", d->samples);
	header(out, "xfrmd_clients", "gauge", "connected control clients");
	fprintf(out, "xfrmd_clients %" PRIu64 "\n", d->clients);
	header(out, "xfrmd_last_resync_duration_seconds", "gauge", "duration of the latest resync");
	fprintf(out, "xfrmd_last_resync_duration_seconds %.6f\n", d->last_resync_s);
	header(out, "xfrmd_last_sample_timestamp_seconds", "gauge", "time of the latest sample");
	fprintf(out, "xfrmd_last_sample_timestamp_seconds %" PRId64 "\n", d->last_sample_at);
}

/*
 * What produced the exposition and when its state was read: present in every exposition,
 * the daemon's and a textfile's, so one staleness rule covers both (a timer that stopped
 * writing the textfile leaves `up` at 1).
 */
static void provenance(FILE *out, const struct xd_snapshot *s)
{
	header(out, "xfrmd_build_info", "gauge", "the version that produced these metrics; always 1");
	fprintf(out, "xfrmd_build_info{version=\"%s\"} 1\n", XD_VERSION);
	header(out, "xfrmd_snapshot_timestamp_seconds", "gauge",
	       "when the kernel state these metrics describe was read (Unix time)");
	fprintf(out, "xfrmd_snapshot_timestamp_seconds %" PRId64 "\n", s->meta.captured_at);
}

int xd_render_prom(FILE *out, const struct xd_snapshot *s, const struct xd_findings *f,
		   const struct xd_tunnels *t, const struct xd_prom_daemon *d)
{
	int r;

	provenance(out, s);
	sa_counts(out, s);
	policy_counts(out, s);
	r = peers(out, s, f);
	if (r < 0)
		return r;
	r = route_interfaces(out, s);
	if (r < 0)
		return r;
	if (t)
		tunnels(out, t);
	ike_sas(out, s);
	if (d)
		ike_failures(out, d->ike_failures);
	xfrm_stat(out, s);
	findings(out, f);
	if (d)
		daemon_counters(out, d);
	return ferror(out) ? -EIO : 0;
}
