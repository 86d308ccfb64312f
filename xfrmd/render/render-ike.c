/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * render-ike.c: the IKE daemon's own view (`xfrmctl show ike`): configured connections, IKE
 * SAs and their CHILD_SAs as the daemon reported them, in the daemon's order, as JSON section
 * "ike" and as text. Every string came from the daemon and is escaped like any untrusted
 * string. Whether the daemon could be asked is the ike.vici_* (strongSwan) and ike.whack_*
 * (libreswan) dumps' status in meta.
 */
#include <errno.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "json-util.h"
#include "render-ike.h"
#include "xfrmd/ike.h"
#include "xfrmd/model.h"
#include "xfrmd/render.h"

static struct json_object *strings_json(const struct xd_ike *ike, uint32_t first, uint32_t n)
{
	struct json_object *a = json_object_new_array();

	for (uint32_t i = 0; i < n; i++) {
		const char *v = xd_ike_string(ike, first + i);
		if (v)
			json_object_array_add(a, xd_json_string(v));
	}
	return a;
}

/* strcmp for strings that may be NULL (two NULLs are equal) */
static bool str_eq(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

/*
 * The last failure event of each connection (or, without a connection name, each peer),
 * as indexes into ike->events in log order. The caller frees *ret.
 */
static size_t last_failures(const struct xd_ike *ike, size_t **ret)
{
	size_t n = 0, *idx = NULL;

	*ret = NULL;
	if (!ike || !ike->events.len)
		return 0;
	idx = calloc(ike->events.len, sizeof(*idx));
	if (!idx)
		return 0;
	for (size_t i = 0; i < ike->events.len; i++) {
		const struct xd_ike_event *e = xd_vec_at(&ike->events, i);
		size_t k;
		if (!xd_ike_event_is_failure(e->kind))
			continue;
		for (k = 0; k < n; k++) {
			const struct xd_ike_event *o = xd_vec_at(&ike->events, idx[k]);
			if (e->conn ? str_eq(o->conn, e->conn) : !o->conn && str_eq(o->peer, e->peer))
				break;
		}
		if (k < n)
			memmove(idx + k, idx + k + 1, (n - k - 1) * sizeof(*idx)), n--;
		idx[n++] = i;
	}
	*ret = idx;
	return n;
}

static const struct xd_ike_event *conn_failure(const struct xd_ike *ike, const size_t *idx,
					       size_t n, const char *name)
{
	for (size_t k = 0; name && k < n; k++) {
		const struct xd_ike_event *e = xd_vec_at(&ike->events, idx[k]);
		if (str_eq(e->conn, name))
			return e;
	}
	return NULL;
}

static struct json_object *failure_json(const struct xd_ike_event *e)
{
	struct json_object *o = json_object_new_object();

	xd_json_add_str(o, "connection", e->conn);
	xd_json_add_str(o, "peer", e->peer);
	xd_json_add_str(o, "kind", xd_ike_event_kind_name(e->kind));
	xd_json_add(o, "time_s", json_object_new_int64(e->time_s));
	xd_json_add_str(o, "text", e->text ? e->text : "");
	xd_json_add_str(o, "stack", e->stack);
	xd_json_add_str(o, "source", e->source);
	return o;
}

static struct json_object *conn_json(const struct xd_ike *ike, const struct xd_ike_conn *c,
				     const struct xd_ike_event *failure)
{
	struct json_object *o = json_object_new_object(), *children = json_object_new_array();

	xd_json_add_str(o, "name", c->name);
	xd_json_add_str(o, "stack", c->stack);
	xd_json_add_str(o, "version", c->version);
	xd_json_add(o, "local_addrs", strings_json(ike, c->local_addrs_first, c->local_addrs_count));
	xd_json_add(o, "remote_addrs",
		    strings_json(ike, c->remote_addrs_first, c->remote_addrs_count));
	xd_json_add_str(o, "local_id", c->local_id);
	xd_json_add_str(o, "remote_id", c->remote_id);
	for (uint32_t i = 0; i < c->child_count && c->child_first + i < ike->child_cfgs.len; i++) {
		const struct xd_ike_child_cfg *k = xd_vec_at(&ike->child_cfgs, c->child_first + i);
		struct json_object *ko = json_object_new_object();
		xd_json_add_str(ko, "name", k->name);
		xd_json_add_str(ko, "mode", k->mode);
		xd_json_add_str(ko, "start_action", k->start_action);
		xd_json_add(ko, "local_ts", strings_json(ike, k->local_ts_first, k->local_ts_count));
		xd_json_add(ko, "remote_ts", strings_json(ike, k->remote_ts_first, k->remote_ts_count));
		json_object_array_add(children, ko);
	}
	xd_json_add(o, "children", children);
	if (failure)
		xd_json_add(o, "last_failure", failure_json(failure));
	return o;
}

static struct json_object *child_sa_json(const struct xd_ike *ike, const struct xd_ike_child_sa *c)
{
	struct json_object *o = json_object_new_object();

	xd_json_add_str(o, "name", c->name);
	xd_json_add_u64(o, "uniqueid", c->uniqueid);
	xd_json_add_str(o, "state", c->state);
	xd_json_add_str(o, "state_raw", c->state_raw);
	xd_json_add_str(o, "mode", c->mode);
	xd_json_add_str(o, "protocol", c->protocol);
	if (c->reqid)
		xd_json_add_u64(o, "reqid", c->reqid);
	if (c->spi_in)
		xd_json_add_u64(o, "spi_in", c->spi_in);
	if (c->spi_out)
		xd_json_add_u64(o, "spi_out", c->spi_out);
	xd_json_add_u64(o, "bytes_in", c->bytes_in);
	xd_json_add_u64(o, "packets_in", c->packets_in);
	xd_json_add_u64(o, "bytes_out", c->bytes_out);
	xd_json_add_u64(o, "packets_out", c->packets_out);
	xd_json_add(o, "local_ts", strings_json(ike, c->local_ts_first, c->local_ts_count));
	xd_json_add(o, "remote_ts", strings_json(ike, c->remote_ts_first, c->remote_ts_count));
	return o;
}

static struct json_object *ike_sa_json(const struct xd_ike *ike, const struct xd_ike_sa *sa)
{
	struct json_object *o = json_object_new_object(), *children = json_object_new_array();

	xd_json_add_str(o, "name", sa->name);
	xd_json_add_str(o, "stack", sa->stack);
	xd_json_add_u64(o, "uniqueid", sa->uniqueid);
	xd_json_add_str(o, "state", sa->state);
	xd_json_add_str(o, "state_raw", sa->state_raw);
	xd_json_add_str(o, "version", sa->version);
	xd_json_add_str(o, "local_host", sa->local_host);
	if (sa->local_port)
		xd_json_add_u64(o, "local_port", sa->local_port);
	xd_json_add_str(o, "remote_host", sa->remote_host);
	if (sa->remote_port)
		xd_json_add_u64(o, "remote_port", sa->remote_port);
	xd_json_add_str(o, "local_id", sa->local_id);
	xd_json_add_str(o, "remote_id", sa->remote_id);
	xd_json_add(o, "initiator", json_object_new_boolean(sa->initiator));
	if (sa->has_established)
		xd_json_add_u64(o, "established_s", sa->established_s);
	xd_json_add(o, "nat_local", json_object_new_boolean(sa->nat_local));
	xd_json_add(o, "nat_remote", json_object_new_boolean(sa->nat_remote));
	xd_json_add(o, "nat_fake", json_object_new_boolean(sa->nat_fake));
	xd_json_add(o, "nat_any", json_object_new_boolean(sa->nat_any));
	for (uint32_t i = 0; i < sa->child_count && sa->child_first + i < ike->child_sas.len; i++)
		json_object_array_add(children,
				      child_sa_json(ike, xd_vec_at(&ike->child_sas, sa->child_first + i)));
	xd_json_add(o, "child_sas", children);
	return o;
}

int xd_render_ike_json(FILE *out, const struct xd_snapshot *s, int flags)
{
	const struct xd_ike *ike = s->ike;
	const char *sep = flags & JSON_C_TO_STRING_PRETTY ? ",\n" : ",";
	size_t *fi = NULL, nf = last_failures(ike, &fi);
	int r = 0;

	fputs(",\"ike\":{\"connections\":[", out);
	for (size_t i = 0; ike && i < ike->conns.len; i++) {
		const struct xd_ike_conn *c = xd_vec_at(&ike->conns, i);
		if (i)
			fputs(sep, out);
		r |= xd_json_emit(out, conn_json(ike, c, conn_failure(ike, fi, nf, c->name)), flags);
	}
	fputs("],\"last_failures\":[", out);
	for (size_t k = 0; k < nf; k++) {
		if (k)
			fputs(sep, out);
		r |= xd_json_emit(out, failure_json(xd_vec_at(&ike->events, fi[k])), flags);
	}
	free(fi);
	fputs("],\"ike_sas\":[", out);
	for (size_t i = 0; ike && i < ike->sas.len; i++) {
		if (i)
			fputs(sep, out);
		r |= xd_json_emit(out, ike_sa_json(ike, xd_vec_at(&ike->sas, i)), flags);
	}
	fputs("]}", out);
	return r ? -EIO : 0;
}

static void text_strings(FILE *out, const struct xd_ike *ike, uint32_t first, uint32_t n)
{
	char esc[256];

	if (!n)
		fputs("-", out);
	for (uint32_t i = 0; i < n; i++) {
		const char *v = xd_ike_string(ike, first + i);
		fprintf(out, "%s%s", i ? "," : "", v ? xd_text_escape(v, esc, sizeof(esc)) : "?");
	}
}

static const char *esc_or(const char *v, const char *dflt, char *buf, size_t len)
{
	return v ? xd_text_escape(v, buf, len) : dflt;
}

/* Why the daemon's view is missing, from the dump status; NULL when it was collected. */
static void text_status(FILE *out, const struct xd_snapshot *s, enum xd_dump d)
{
	enum xd_dump_status st = s->meta.dump_status[d];

	if (st == XD_DUMP_COMPLETE)
		return;
	/* no pluto running is the normal case of a strongSwan host: not worth a line */
	if ((d == XD_DUMP_IKE_WHACK_STATUS || d == XD_DUMP_IKE_WHACK_TRAFFIC) &&
	    (st == XD_DUMP_ABSENT || st == XD_DUMP_NOT_COLLECTED))
		return;
	fprintf(out, "  %s: %s", xd_dump_name(d), xd_dump_status_name(st));
	if (s->meta.dump_error[d])
		fprintf(out, " (errno %d)", -s->meta.dump_error[d]);
	fputc('\n', out);
}

static void text_failure(FILE *out, const char *indent, const struct xd_ike_event *e)
{
	char e1[256], e2[256], e3[512], ts[32] = "time unknown";

	if (e->time_s) {
		time_t t = (time_t)e->time_s;
		struct tm tm;
		if (gmtime_r(&t, &tm))
			strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	}
	fprintf(out, "%slast failure %s  %s%s%s  %s: %s\n", indent, ts,
		e->conn ? xd_text_escape(e->conn, e1, sizeof(e1)) : "",
		e->conn && e->peer ? " " : "", e->peer ? xd_text_escape(e->peer, e2, sizeof(e2)) : "",
		xd_ike_event_kind_name(e->kind), e->text ? xd_text_escape(e->text, e3, sizeof(e3)) : "");
}

void xd_render_ike_text(FILE *out, const struct xd_snapshot *s, bool verbose)
{
	const struct xd_ike *ike = s->ike;
	char e1[256], e2[256], e3[256], e4[256];
	size_t *fi = NULL, nf = last_failures(ike, &fi);

	fprintf(out, "IKE daemons (strongSwan VICI, libreswan whack): %zu connections, %zu IKE SAs\n",
		ike ? ike->conns.len : 0, ike ? ike->sas.len : 0);
	/* a stack that is not running is not news: only failures to ask a running one */
	text_status(out, s, XD_DUMP_IKE_VICI_CONNS);
	text_status(out, s, XD_DUMP_IKE_VICI_SAS);
	text_status(out, s, XD_DUMP_IKE_WHACK_STATUS);
	text_status(out, s, XD_DUMP_IKE_WHACK_TRAFFIC);
	for (size_t i = 0; ike && i < ike->conns.len; i++) {
		const struct xd_ike_conn *c = xd_vec_at(&ike->conns, i);
		fprintf(out, "  connection %s  %s %s  ", esc_or(c->name, "?", e1, sizeof(e1)),
			esc_or(c->stack, "-", e3, sizeof(e3)), esc_or(c->version, "-", e2, sizeof(e2)));
		text_strings(out, ike, c->local_addrs_first, c->local_addrs_count);
		fputs(" -> ", out);
		text_strings(out, ike, c->remote_addrs_first, c->remote_addrs_count);
		if (c->local_id || c->remote_id)
			fprintf(out, "  id %s -> %s", esc_or(c->local_id, "-", e3, sizeof(e3)),
				esc_or(c->remote_id, "-", e4, sizeof(e4)));
		fputc('\n', out);
		for (uint32_t k = 0; k < c->child_count && c->child_first + k < ike->child_cfgs.len; k++) {
			const struct xd_ike_child_cfg *ch = xd_vec_at(&ike->child_cfgs, c->child_first + k);
			fprintf(out, "    child %s  %s  ", esc_or(ch->name, "?", e1, sizeof(e1)),
				esc_or(ch->mode, "-", e2, sizeof(e2)));
			text_strings(out, ike, ch->local_ts_first, ch->local_ts_count);
			fputs(" === ", out);
			text_strings(out, ike, ch->remote_ts_first, ch->remote_ts_count);
			if (ch->start_action)
				fprintf(out, "  start %s", xd_text_escape(ch->start_action, e3, sizeof(e3)));
			fputc('\n', out);
		}
		if (conn_failure(ike, fi, nf, c->name))
			text_failure(out, "    ", conn_failure(ike, fi, nf, c->name));
	}
	for (size_t i = 0; ike && i < ike->sas.len; i++) {
		const struct xd_ike_sa *sa = xd_vec_at(&ike->sas, i);
		fprintf(out, "  ike_sa %s #%u  %s  %s[%u] -> %s[%u]%s",
			esc_or(sa->name, "?", e1, sizeof(e1)), sa->uniqueid,
			esc_or(sa->state, "-", e2, sizeof(e2)),
			esc_or(sa->local_host, "-", e3, sizeof(e3)), sa->local_port,
			esc_or(sa->remote_host, "-", e4, sizeof(e4)), sa->remote_port,
			sa->initiator ? "  initiator" : "");
		if (sa->has_established)
			fprintf(out, "  established %" PRIu64 "s ago", sa->established_s);
		if (sa->nat_local || sa->nat_remote || sa->nat_fake || sa->nat_any)
			fprintf(out, "  nat%s%s%s%s", sa->nat_local ? " local" : "",
				sa->nat_remote ? " remote" : "", sa->nat_fake ? " fake" : "",
				sa->nat_any ? " any" : "");
		fputc('\n', out);
		if (verbose && (sa->local_id || sa->remote_id))
			fprintf(out, "    id %s -> %s\n", esc_or(sa->local_id, "-", e1, sizeof(e1)),
				esc_or(sa->remote_id, "-", e2, sizeof(e2)));
		for (uint32_t k = 0; k < sa->child_count && sa->child_first + k < ike->child_sas.len; k++) {
			const struct xd_ike_child_sa *c = xd_vec_at(&ike->child_sas, sa->child_first + k);
			fprintf(out, "    child_sa %s #%u  %s  %s %s  reqid %u  spi in %08x out %08x\n",
				esc_or(c->name, "?", e1, sizeof(e1)), c->uniqueid,
				esc_or(c->state, "-", e2, sizeof(e2)),
				esc_or(c->protocol, "-", e3, sizeof(e3)),
				esc_or(c->mode, "-", e4, sizeof(e4)), c->reqid, c->spi_in, c->spi_out);
			fputs("      ", out);
			text_strings(out, ike, c->local_ts_first, c->local_ts_count);
			fputs(" === ", out);
			text_strings(out, ike, c->remote_ts_first, c->remote_ts_count);
			fprintf(out, "  in %" PRIu64 " B %" PRIu64 " pkts, out %" PRIu64 " B %" PRIu64
				     " pkts\n",
				c->bytes_in, c->packets_in, c->bytes_out, c->packets_out);
		}
	}
	/* failures of connections the control channel did not list (no VICI, libreswan) */
	for (size_t k = 0; k < nf; k++) {
		const struct xd_ike_event *e = xd_vec_at(&ike->events, fi[k]);
		bool listed = false;
		for (size_t i = 0; e->conn && i < ike->conns.len; i++)
			listed |= str_eq(((const struct xd_ike_conn *)xd_vec_at(&ike->conns, i))->name, e->conn);
		if (!listed)
			text_failure(out, "  ", e);
	}
	free(fi);
}
