/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * render-findings.c: findings as JSON (the monitoring contract, DESIGN.md §7) and as one
 * line each for a person. Renderers only present: severity and wording come from checks.
 * A finding with one subject keeps the shape DESIGN.md §7 shows; an aggregated one adds
 * count, subjects (the first XD_FINDING_SUBJECTS_MAX) and subjects_truncated, and its
 * subject holds only the fields all its subjects share (docs/xfrmctl-json.md).
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json-util.h"
#include "render-text.h"
#include "xfrmd/finding.h"
#include "xfrmd/model.h"
#include "xfrmd/names.h"
#include "xfrmd/render.h"
#include "xfrmd/table.h"

/* The fields `has` of subject s; the site (a whole finding's) only when with_site. */
static struct json_object *subject_json(const struct xd_subject *s, uint32_t has, bool with_site)
{
	struct json_object *o = json_object_new_object();

	if (with_site && s->site)
		xd_json_add_str(o, "site", s->site);
	if (has & XD_SUBJ_LOCAL)
		xd_json_add_addr(o, "local", &s->local, s->family);
	if (has & XD_SUBJ_PEER)
		xd_json_add_addr(o, "peer", &s->peer, s->family);
	if (has & XD_SUBJ_DIR)
		xd_json_add_str(o, "dir", s->dir);
	if (has & XD_SUBJ_REQID)
		xd_json_add_u64(o, "reqid", s->reqid);
	if (has & XD_SUBJ_SPI)
		xd_json_add_u64(o, "spi", s->spi);
	if (has & XD_SUBJ_PROTO)
		xd_json_add_enum(o, "proto", xd_name_proto(s->proto), s->proto);
	if (has & XD_SUBJ_POLICY)
		xd_json_add_u64(o, "policy_index", s->policy_index);
	if (has & XD_SUBJ_RULE) {
		struct json_object *r = json_object_new_object();
		xd_json_add_str(r, "table", s->table);
		xd_json_add_str(r, "chain", s->chain);
		xd_json_add_u64(r, "handle", s->rule_handle);
		xd_json_add(o, "rule", r);
	}
	if (has & XD_SUBJ_NAME)
		xd_json_add_str(o, "name", s->name);
	return o;
}

/* "SUMMARY (and N more)": the first subject's summary, then how many others share it. */
static void add_summary(struct json_object *o, const struct xd_finding *x)
{
	size_t n = xd_finding_count(x);
	char *s = NULL;

	if (n > 1 && asprintf(&s, "%s (and %zu more)", x->summary, n - 1) < 0)
		s = NULL;
	xd_json_add_str(o, "summary", s ? s : x->summary);
	free(s);
}

struct json_object *xd_finding_json(const struct xd_finding *x)
{
	struct json_object *o = json_object_new_object();
	struct json_object *ev = json_object_new_object();
	size_t n = xd_finding_count(x);
	char doc[128];

	xd_json_add_str(o, "id", x->def->id);
	xd_json_add_str(o, "severity", xd_severity_name(x->severity));
	add_summary(o, x);
	xd_json_add(o, "subject", subject_json(&x->subject, n > 1 ? x->common : x->subject.has, true));
	if (n > 1) {
		struct json_object *arr = json_object_new_array();

		xd_json_add_u64(o, "count", n);
		for (size_t i = 0; i < n && i < XD_FINDING_SUBJECTS_MAX; i++) {
			const struct xd_subject *si = xd_finding_subject_at(x, i);
			json_object_array_add(arr, subject_json(si, si->has, false));
		}
		xd_json_add(o, "subjects", arr);
		xd_json_add(o, "subjects_truncated",
			    json_object_new_boolean(n > XD_FINDING_SUBJECTS_MAX));
	}
	for (size_t i = 0; i < x->evidence.len; i++) {
		const struct xd_evidence *e = xd_vec_at(&x->evidence, i);
		/* keys may embed interface names: make them valid UTF-8 like values */
		struct json_object *key = xd_json_string(e->key);
		const char *k = json_object_get_string(key);

		switch (e->type) {
		case XD_EV_STR:
			xd_json_add_str(ev, k, e->str);
			break;
		case XD_EV_INT:
			xd_json_add(ev, k, json_object_new_int64(e->i));
			break;
		case XD_EV_BOOL:
			xd_json_add(ev, k, json_object_new_boolean(e->i != 0));
			break;
		}
		json_object_put(key);
	}
	xd_json_add(o, "evidence", ev);
	xd_json_add_str(o, "remedy", x->def->remedy);
	snprintf(doc, sizeof(doc), "docs/findings/%s.md", x->def->id);
	xd_json_add_str(o, "doc", doc);
	return o;
}

int xd_render_findings_json(FILE *out, const struct xd_snapshot *s, const struct xd_findings *f,
			    const struct xd_render_opts *o)
{
	int flags = xd_json_flags_for(o);
	size_t count[_XD_SEV_MAX] = { 0 };
	struct json_object *sum = json_object_new_object();
	int r = 0;

	for (size_t i = 0; i < f->items.len; i++)
		count[xd_findings_at(f, i)->severity]++;
	xd_json_add_u64(sum, "error", count[XD_SEV_ERROR]);
	xd_json_add_u64(sum, "warning", count[XD_SEV_WARNING]);
	xd_json_add_u64(sum, "info", count[XD_SEV_INFO]);
	xd_json_add_str(sum, "worst", count[XD_SEV_ERROR] ? "error" : count[XD_SEV_WARNING] ? "warning" :
					  count[XD_SEV_INFO] ? "info" : "none");
	xd_json_add(sum, "complete", json_object_new_boolean(f->error == 0));

	fputs("{\"meta\":", out);
	r |= xd_json_emit(out, xd_meta_json(s), flags);
	if (o && o->peer_site) {
		fputs(",\"meta_site_b\":", out);
		r |= xd_json_emit(out, xd_meta_json(o->peer_site), flags);
	}
	fputs(",\"summary\":", out);
	r |= xd_json_emit(out, sum, flags);
	fputs(",\"findings\":[", out);
	for (size_t i = 0; i < f->items.len; i++) {
		if (i)
			fputs(o && o->pretty ? ",\n" : ",", out);
		r |= xd_json_emit(out, xd_finding_json(xd_findings_at(f, i)), flags);
	}
	fputs("]}\n", out);
	return r || ferror(out) ? -EIO : 0;
}

#define XD_STR_(x) #x
#define XD_STR(x) XD_STR_(x)

static const char *sev_color(enum xd_severity s)
{
	return s == XD_SEV_ERROR ? "\033[1;31m" : s == XD_SEV_WARNING ? "\033[1;33m" : "\033[2m";
}

/* The details -v adds under a finding, as notes of its row. */
static int finding_notes(struct xd_table *t, const struct xd_finding *x)
{
	size_t n = xd_finding_count(x);
	char esc[1024], line[1400];
	int r = 0;

	/* each subject of an aggregated finding by the summary it had on its own */
	for (size_t k = 0; r == 0 && n > 1 && k < n && k < XD_FINDING_SUBJECTS_MAX; k++) {
		snprintf(line, sizeof(line), "- %s",
			 xd_text_escape(xd_finding_summary_at(x, k), esc, sizeof(esc)));
		r = xd_table_note(t, 11, line);
	}
	if (r == 0 && n > XD_FINDING_SUBJECTS_MAX) {
		snprintf(line, sizeof(line), "- ... and %zu more", n - XD_FINDING_SUBJECTS_MAX);
		r = xd_table_note(t, 11, line);
	}
	for (size_t k = 0; r == 0 && k < x->evidence.len; k++) {
		const struct xd_evidence *e = xd_vec_at(&x->evidence, k);
		char kesc[256];

		xd_text_escape(e->key, kesc, sizeof(kesc));
		if (e->type == XD_EV_STR)
			snprintf(line, sizeof(line), "%s: %s", kesc,
				 xd_text_escape(e->str, esc, sizeof(esc)));
		else if (e->type == XD_EV_BOOL)
			snprintf(line, sizeof(line), "%s: %s", kesc, e->i ? "yes" : "no");
		else
			snprintf(line, sizeof(line), "%s: %lld", kesc, (long long)e->i);
		r = xd_table_note(t, 11, line);
	}
	if (r == 0) {
		snprintf(line, sizeof(line), "remedy: %s", x->def->remedy);
		r = xd_table_note(t, 11, line);
	}
	if (r == 0) {
		snprintf(line, sizeof(line), "more: xfrmctl explain %s", x->def->id);
		r = xd_table_note(t, 11, line);
	}
	return r;
}

int xd_render_findings_text(FILE *out, const struct xd_snapshot *s, const struct xd_findings *f,
			    const struct xd_render_opts *o)
{
	size_t count[_XD_SEV_MAX] = { 0 };
	struct xd_table *t = NULL;
	int r = 0;

	(void)s;
	if (f->items.len)
		r = xd_text_table_new(XD_TABLE_FINDINGS, out, o, &t);
	for (size_t i = 0; r == 0 && i < f->items.len; i++) {
		const struct xd_finding *x = xd_findings_at(f, i);
		size_t n = xd_finding_count(x);
		char esc[1024], summary[1400];

		count[x->severity]++;
		xd_text_escape(x->summary, esc, sizeof(esc));
		if (n > 1 && o->verbose)
			snprintf(summary, sizeof(summary), "%s%s%s%s (and %zu more)",
				 x->subject.site ? "[site " : "", x->subject.site ? x->subject.site : "",
				 x->subject.site ? "] " : "", esc, n - 1);
		else if (n > 1)
			snprintf(summary, sizeof(summary), "%s%s%s%s (and %zu more; -v lists %s)",
				 x->subject.site ? "[site " : "", x->subject.site ? x->subject.site : "",
				 x->subject.site ? "] " : "", esc, n - 1,
				 n > XD_FINDING_SUBJECTS_MAX ? "the first " XD_STR(XD_FINDING_SUBJECTS_MAX)
							     : "them");
		else
			snprintf(summary, sizeof(summary), "%s%s%s%s", x->subject.site ? "[site " : "",
				 x->subject.site ? x->subject.site : "", x->subject.site ? "] " : "",
				 esc);
		r = xd_table_add(t, (const char *const[]){ xd_severity_name(x->severity),
							    x->def->id, summary });
		if (r == 0 && o->color)
			xd_table_color(t, 0, sev_color(x->severity));
		if (r == 0 && o->verbose)
			r = finding_notes(t, x);
	}
	if (t && r == 0)
		r = xd_table_flush(t);
	xd_table_free(t);
	if (r < 0)
		return r;
	if (!f->items.len)
		fputs("no findings\n", out);
	else
		fprintf(out, "%zu error%s, %zu warning%s, %zu info\n", count[XD_SEV_ERROR],
			count[XD_SEV_ERROR] == 1 ? "" : "s", count[XD_SEV_WARNING],
			count[XD_SEV_WARNING] == 1 ? "" : "s", count[XD_SEV_INFO]);
	if (f->error)
		fputs("note: the diagnosis is incomplete (out of memory)\n", out);
	return ferror(out) ? -EIO : 0;
}
