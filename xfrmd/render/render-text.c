/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * render-text.c: the model as tables for a person. A view of the same facts as the JSON,
 * never more. Kernel-supplied strings are escaped; colour only when the caller says so.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "render-certs.h"
#include "render-ike.h"
#include "render-route.h"
#include "xfrmd/model.h"
#include "xfrmd/names.h"
#include "xfrmd/render.h"
#include "xfrmd/table.h"
#include "xfrmd/util.h"
#include "render-kstack.h"
#include "render-text.h"

#define BOLD "\033[1m"
#define RESET "\033[0m"

const char *xd_text_escape(const char *in, char *buf, size_t len)
{
	size_t o = 0;

	if (!len)
		return buf;
	for (const unsigned char *p = (const unsigned char *)in; p && *p && o + 5 < len; p++) {
		if (*p < 0x20 || *p == 0x7f || *p == '\\') {
			o += (size_t)snprintf(buf + o, len - o, "\\x%02x", *p);
		} else {
			buf[o++] = (char)*p;
		}
	}
	buf[o] = '\0';
	return buf;
}

static const char *num_or(const char *name, unsigned v, char *buf, size_t len)
{
	if (name)
		return name;
	snprintf(buf, len, "%u", v);
	return buf;
}

static void header(FILE *out, const struct xd_render_opts *o, const char *fmt_line)
{
	fprintf(out, "%s%s%s\n", o->color ? BOLD : "", fmt_line, o->color ? RESET : "");
}

static const char *sa_alg_text(const struct xd_sa *sa, char *buf, size_t len)
{
	char e1[160], e2[160];

	if (sa->has & XD_SA_HAS_AEAD)
		snprintf(buf, len, "%s/%u", xd_text_escape(sa->algs->aead.name, e1, sizeof(e1)),
			 sa->algs->aead.key_bits);
	else if (sa->has & (XD_SA_HAS_ENC | XD_SA_HAS_AUTH))
		snprintf(buf, len, "%s%s%s",
			 sa->has & XD_SA_HAS_ENC ? xd_text_escape(sa->algs->enc.name, e1, sizeof(e1)) : "",
			 (sa->has & XD_SA_HAS_ENC) && (sa->has & XD_SA_HAS_AUTH) ? "+" : "",
			 sa->has & XD_SA_HAS_AUTH ? xd_text_escape(sa->algs->auth.name, e2, sizeof(e2))
						  : "");
	else if (sa->has & XD_SA_HAS_COMP)
		snprintf(buf, len, "%s", xd_text_escape(sa->algs->comp.name, e1, sizeof(e1)));
	else
		snprintf(buf, len, "-");
	return buf;
}

static const struct xd_table_col sa_cols[] = {
	{ "SRC", XD_COL_ATOM },	 { "DST", XD_COL_ATOM },	 { "PROTO", 0 },
	{ "SPI", XD_COL_ATOM },		 { "REQID", XD_COL_RIGHT }, { "MODE", 0 },
	{ "ENCAP", 0 },		 { "ALGORITHMS", XD_COL_WRAP }, { "BYTES", XD_COL_RIGHT },
	{ "PACKETS", XD_COL_RIGHT | XD_COL_HIDDEN }, /* -o: the default fits 80 columns */
};

static const struct xd_table_col policy_cols[] = {
	{ "DIR", 0 },	  { "PRIORITY", XD_COL_RIGHT }, { "INDEX", XD_COL_RIGHT },
	{ "ACTION", 0 },  { "SRC", XD_COL_ATOM },	{ "DST", XD_COL_ATOM },
	{ "PROTO", 0 },	  { "TEMPLATES", XD_COL_WRAP },
};

static const struct xd_table_col peer_cols[] = {
	{ "PEER", XD_COL_ATOM },
	{ "LOCAL", XD_COL_ATOM },
	{ "STATE", 0 },
	{ "IKE", 0 },
	{ "SAS_OUT", XD_COL_RIGHT },
	{ "SAS_IN", XD_COL_RIGHT },
	{ "BYTES_OUT", XD_COL_RIGHT },
	{ "BYTES_IN", XD_COL_RIGHT },
	{ "PACKETS_OUT", XD_COL_RIGHT | XD_COL_HIDDEN },
	{ "PACKETS_IN", XD_COL_RIGHT | XD_COL_HIDDEN },
	{ "POLICIES", XD_COL_RIGHT | XD_COL_HIDDEN },
	{ "INTERFACE", XD_COL_HIDDEN }, /* route-based tunnels: the xfrm interface or VTI */
	{ "FINDINGS", XD_COL_WRAP },
};

static const struct xd_table_col finding_cols[] = {
	{ "SEVERITY", 0 },
	{ "ID", XD_COL_ATOM },
	{ "SUMMARY", XD_COL_WRAP },
};

const struct xd_table_col *xd_text_table_cols(enum xd_text_table which, size_t *ret_n)
{
	static const struct {
		const struct xd_table_col *cols;
		size_t n;
	} tables[] = {
		[XD_TABLE_SA] = { sa_cols, XD_ARRAY_SIZE(sa_cols) },
		[XD_TABLE_POLICY] = { policy_cols, XD_ARRAY_SIZE(policy_cols) },
		[XD_TABLE_PEERS] = { peer_cols, XD_ARRAY_SIZE(peer_cols) },
		[XD_TABLE_FINDINGS] = { finding_cols, XD_ARRAY_SIZE(finding_cols) },
	};

	if ((unsigned)which >= _XD_TABLE_MAX)
		return NULL;
	*ret_n = tables[which].n;
	return tables[which].cols;
}

int xd_text_table_new(enum xd_text_table which, FILE *out, const struct xd_render_opts *o,
		      struct xd_table **ret)
{
	struct xd_table_opts to = o->table;
	size_t n;
	const struct xd_table_col *cols = xd_text_table_cols(which, &n);

	to.color = o->color;
	return xd_table_new(cols, n, &to, out, ret);
}

int xd_text_sa_row(struct xd_table *t, const struct xd_sa *sa)
{
	char src[64], dst[64], nb1[16], nb2[16], nb3[16], alg[200], enc[32], spi[16], reqid[16],
		bytes[24], packets[24];

	if (sa->has & XD_SA_HAS_ENCAP)
		snprintf(enc, sizeof(enc), "%s:%u",
			 num_or(xd_name_encap(sa->encap.type), sa->encap.type, nb3, sizeof(nb3)),
			 sa->encap.dport);
	else
		snprintf(enc, sizeof(enc), "-");
	snprintf(spi, sizeof(spi), "0x%08x", sa->spi);
	snprintf(reqid, sizeof(reqid), "%u", sa->reqid);
	snprintf(bytes, sizeof(bytes), "%" PRIu64, sa->curlft.bytes);
	snprintf(packets, sizeof(packets), "%" PRIu64, sa->curlft.packets);
	return xd_table_add(t, (const char *const[]){
				       xd_addr_fmt(&sa->saddr, sa->family, src, sizeof(src)),
				       xd_addr_fmt(&sa->daddr, sa->family, dst, sizeof(dst)),
				       num_or(xd_name_proto(sa->proto), sa->proto, nb1, sizeof(nb1)),
				       spi,
				       reqid,
				       num_or(xd_name_mode(sa->mode), sa->mode, nb2, sizeof(nb2)),
				       enc,
				       sa_alg_text(sa, alg, sizeof(alg)),
				       bytes,
				       packets,
			       });
}

void xd_text_sa_count(FILE *out, size_t n)
{
	fprintf(out, "%zu SA%s\n", n, n == 1 ? "" : "s");
}

static int text_sas(FILE *out, const struct xd_snapshot *s, const struct xd_render_opts *o)
{
	struct xd_table *t = NULL;
	int r = xd_text_table_new(XD_TABLE_SA, out, o, &t);

	for (size_t i = 0; r == 0 && i < s->sas.len; i++)
		r = xd_text_sa_row(t, xd_snapshot_sa(s, i));
	if (r == 0)
		r = xd_table_flush(t);
	xd_table_free(t);
	xd_text_sa_count(out, s->sas.len);
	return r;
}

/* "esp/tunnel reqid 1 192.0.2.2->192.0.2.1, ..." */
static void policy_templates(const struct xd_snapshot *s, const struct xd_policy *p, char *buf,
			     size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	if (!p->tmpl_count)
		snprintf(buf, len, "-");
	for (uint32_t t = 0; t < p->tmpl_count && o < len; t++) {
		const struct xd_tmpl *tm = xd_policy_tmpl(s, p, t);
		char a[64], b[64], nb1[16], nb2[16];

		o += (size_t)snprintf(buf + o, len - o, "%s%s/%s reqid %u", t ? ", " : "",
				      num_or(xd_name_proto(tm->proto), tm->proto, nb1, sizeof(nb1)),
				      num_or(xd_name_mode(tm->mode), tm->mode, nb2, sizeof(nb2)),
				      tm->reqid);
		if (o < len && xd_mode_is_tunnel_like(tm->mode))
			o += (size_t)snprintf(buf + o, len - o, " %s->%s",
					      xd_addr_fmt(&tm->saddr, tm->family, a, sizeof(a)),
					      xd_addr_fmt(&tm->daddr, tm->family, b, sizeof(b)));
	}
}

static int text_policies(FILE *out, const struct xd_snapshot *s, const struct xd_render_opts *o)
{
	struct xd_table *t = NULL;
	int r = xd_text_table_new(XD_TABLE_POLICY, out, o, &t);

	for (size_t i = 0; r == 0 && i < s->policies.len; i++) {
		const struct xd_policy *p = xd_snapshot_policy(s, i);
		char src[80], dst[80], nb1[16], nb2[16], nb3[16], prio[16], index[16], tmpl[1024];

		snprintf(prio, sizeof(prio), "%u", p->priority);
		snprintf(index, sizeof(index), "%u", p->index);
		policy_templates(s, p, tmpl, sizeof(tmpl));
		r = xd_table_add(
			t, (const char *const[]){
				   num_or(xd_name_policy_dir(p->dir), p->dir, nb1, sizeof(nb1)),
				   prio,
				   index,
				   num_or(xd_name_policy_action(p->action), p->action, nb2, sizeof(nb2)),
				   xd_prefix_fmt(&p->sel.saddr, p->sel.family, p->sel.prefixlen_s, src,
						 sizeof(src)),
				   xd_prefix_fmt(&p->sel.daddr, p->sel.family, p->sel.prefixlen_d, dst,
						 sizeof(dst)),
				   num_or(xd_name_l4proto(p->sel.proto), p->sel.proto, nb3, sizeof(nb3)),
				   tmpl,
			   });
	}
	if (r == 0)
		r = xd_table_flush(t);
	xd_table_free(t);
	fprintf(out, "%zu polic%s\n", s->policies.len, s->policies.len == 1 ? "y" : "ies");
	return r;
}

static void text_stats(FILE *out, const struct xd_snapshot *s, const struct xd_render_opts *o)
{
	if (s->sadinfo.present)
		fprintf(out, "SAD: %u SAs (hash buckets %u, max %u)\n", s->sadinfo.count,
			s->sadinfo.hash_count, s->sadinfo.hash_max);
	if (s->spdinfo.present)
		fprintf(out,
			"SPD: in %u out %u fwd %u, socket in %u out %u fwd %u (hash buckets %u, max %u)\n",
			s->spdinfo.in, s->spdinfo.out, s->spdinfo.fwd, s->spdinfo.sock_in,
			s->spdinfo.sock_out, s->spdinfo.sock_fwd, s->spdinfo.hash_count,
			s->spdinfo.hash_max);
	if (s->defaults.present) {
		char a[16], b[16], c[16];
		fprintf(out, "default policy: in %s fwd %s out %s\n",
			num_or(xd_name_default_action(s->defaults.in), s->defaults.in, a, sizeof(a)),
			num_or(xd_name_default_action(s->defaults.fwd), s->defaults.fwd, b, sizeof(b)),
			num_or(xd_name_default_action(s->defaults.out), s->defaults.out, c, sizeof(c)));
	}
	if (!s->xfrm_stat.present) {
		fputs("/proc/net/xfrm_stat: not available\n", out);
		return;
	}
	header(out, o, "XFRM_STAT COUNTER            VALUE");
	for (size_t i = 0; i < s->xfrm_stat.counters.len; i++) {
		const struct xd_counter *c = xd_vec_at(&s->xfrm_stat.counters, i);
		fprintf(out, "%-28s %" PRIu64 "\n", c->name, c->value);
	}
}

static void text_meta(FILE *out, const struct xd_snapshot *s)
{
	const struct xd_meta *m = &s->meta;
	char ts[64] = "";
	bool incomplete = false;

	/* a text file from an archive may say neither the kernel nor the time: say so, never
	 * "1970-01-01" or an empty name */
	if (!m->captured_at)
		snprintf(ts, sizeof(ts), "time unknown");
	else if (xd_fmt_utc(m->captured_at, ts, sizeof(ts) - 1) == 0)
		strcat(ts, "Z");
	fprintf(out, "%s state of kernel %s (%s), %s\n", xd_source_name(m->source),
		m->kernel_release[0] ? m->kernel_release : "unknown",
		m->machine[0] ? m->machine : "machine unknown", ts);
	for (int d = 0; d < _XD_DUMP_MAX; d++) {
		enum xd_dump_status st = m->dump_status[d];
		if (st == XD_DUMP_NOT_COLLECTED || st == XD_DUMP_COMPLETE)
			continue;
		fprintf(out, "note: %s %s\n", xd_dump_name((enum xd_dump)d),
			xd_dump_status_name(st));
		incomplete |= st == XD_DUMP_INTERRUPTED || st == XD_DUMP_ERROR;
	}
	if (incomplete)
		fputs("note: this view is incomplete\n", out);
	if (s->issues.len)
		fprintf(out, "note: %zu decode issue%s (see --json meta.decode)\n", s->issues.len,
			s->issues.len == 1 ? "" : "s");
}

static void text_status(FILE *out, const struct xd_snapshot *s)
{
	uint64_t esp = 0, ah = 0, comp = 0, dir[5] = { 0 }, nonzero = 0;

	for (size_t i = 0; i < s->sas.len; i++) {
		uint8_t p = xd_snapshot_sa(s, i)->proto;
		esp += p == 50;
		ah += p == 51;
		comp += p == 108;
	}
	for (size_t i = 0; i < s->policies.len; i++) {
		uint8_t d = xd_snapshot_policy(s, i)->dir;
		if (d < 5)
			dir[d]++;
	}
	fprintf(out, "SAs:      %zu (esp %" PRIu64 ", ah %" PRIu64 ", comp %" PRIu64 ")\n",
		s->sas.len, esp, ah, comp);
	fprintf(out,
		"policies: %zu (in %" PRIu64 ", out %" PRIu64 ", fwd %" PRIu64 ", socket %" PRIu64
		")\n",
		s->policies.len, dir[0], dir[1], dir[2], dir[3] + dir[4]);
	if (!s->xfrm_stat.present) {
		fputs("xfrm_stat: not available\n", out);
		return;
	}
	for (size_t i = 0; i < s->xfrm_stat.counters.len; i++) {
		const struct xd_counter *c = xd_vec_at(&s->xfrm_stat.counters, i);
		if (c->value) {
			fprintf(out, "%s %s %" PRIu64 "\n", nonzero ? "         " : "xfrm_stat:",
				c->name, c->value);
			nonzero++;
		}
	}
	if (!nonzero)
		fputs("xfrm_stat: all counters zero\n", out);
}

int xd_render_text(FILE *out, const struct xd_snapshot *s, unsigned what,
		   const struct xd_render_opts *o)
{
	struct xd_render_opts def = { 0 };
	int r = 0;

	if (!o)
		o = &def;
	text_meta(out, s);
	if (what & XD_RENDER_STATUS)
		text_status(out, s);
	if (what & XD_RENDER_SA) {
		fputc('\n', out);
		r = text_sas(out, s, o);
	}
	if (what & XD_RENDER_POLICY) {
		fputc('\n', out);
		if (r == 0)
			r = text_policies(out, s, o);
	}
	if (what & XD_RENDER_STATS) {
		fputc('\n', out);
		text_stats(out, s, o);
	}
	if (what & XD_RENDER_KERNEL) {
		fputc('\n', out);
		xd_text_kernel(out, s, o->verbose);
	}
	if (what & XD_RENDER_STACK) {
		fputc('\n', out);
		xd_text_stack(out, s, o->verbose);
	}
	if (what & XD_RENDER_CERTS) {
		fputc('\n', out);
		xd_render_certs_text(out, s, o->verbose);
	}
	if (what & XD_RENDER_IKE) {
		fputc('\n', out);
		xd_render_ike_text(out, s, o->verbose);
	}
	if (what & XD_RENDER_ROUTES) {
		fputc('\n', out);
		xd_render_routes_text(out, s);
	}
	if (what & XD_RENDER_RULES) {
		fputc('\n', out);
		xd_render_rules_text(out, s);
	}
	if (r < 0)
		return r;
	return ferror(out) ? -EIO : 0;
}
