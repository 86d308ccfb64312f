/* SPDX-License-Identifier: GPL-2.0-or-later */
/* render-peers.c: the per-peer status matrix as JSON and as a table. */
#include <errno.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <stdio.h>

#include "json-util.h"
#include "xfrmd/peers.h"
#include "xfrmd/render.h"

static struct json_object *row_json(const struct xd_peer_row *r)
{
	struct json_object *o = json_object_new_object();
	struct json_object *ids = json_object_new_array();

	xd_json_add_addr(o, "peer", &r->peer, r->family);
	xd_json_add_addr(o, "local", &r->local, r->family);
	xd_json_add_str(o, "state", xd_peer_state_name(r->state));
	xd_json_add_str(o, "interface", r->interface);
	xd_json_add_u64(o, "sas_out", r->sas_out);
	xd_json_add_u64(o, "sas_in", r->sas_in);
	xd_json_add_u64(o, "bytes_out", r->bytes_out);
	xd_json_add_u64(o, "bytes_in", r->bytes_in);
	xd_json_add_u64(o, "packets_out", r->packets_out);
	xd_json_add_u64(o, "packets_in", r->packets_in);
	xd_json_add_u64(o, "policies", r->policies);
	xd_json_add_u64(o, "errors", r->errors);
	xd_json_add_u64(o, "warnings", r->warnings);
	if (r->ike_state)
		xd_json_add_str(o, "ike_state", r->ike_state);
	if (r->ike_conn)
		xd_json_add_str(o, "ike_conn", r->ike_conn);
	for (size_t i = 0; i < r->finding_ids.len; i++)
		json_object_array_add(ids, json_object_new_string(*(const char **)xd_vec_at(&r->finding_ids, i)));
	xd_json_add(o, "findings", ids);
	return o;
}

int xd_render_peers_json(FILE *out, const struct xd_snapshot *s, const struct xd_vec *rows,
			 const struct xd_render_opts *o)
{
	int flags = xd_json_flags_for(o);
	int r = 0;

	fputs("{\"meta\":", out);
	r |= xd_json_emit(out, xd_meta_json(s), flags);
	fputs(",\"peers\":[", out);
	for (size_t i = 0; i < rows->len; i++) {
		if (i)
			fputs(",", out);
		r |= xd_json_emit(out, row_json(xd_vec_at(rows, i)), flags);
	}
	fputs("]}\n", out);
	return r || ferror(out) ? -EIO : 0;
}

int xd_render_peers_text(FILE *out, const struct xd_snapshot *s, const struct xd_vec *rows,
			 const struct xd_render_opts *o)
{
	fprintf(out, "%s%-39s %-39s %-9s %-11s %7s %7s %14s %14s  %s%s\n",
		o && o->color ? "\033[1m" : "", "PEER", "LOCAL", "STATE", "IKE", "SAS_OUT", "SAS_IN",
		"BYTES_OUT", "BYTES_IN", "FINDINGS", o && o->color ? "\033[0m" : "");
	for (size_t i = 0; i < rows->len; i++) {
		const struct xd_peer_row *r = xd_vec_at(rows, i);
		char p[64], l[64];

		char ike[16];

		/* the IKE daemon's word, lower case like STATE; "-" when no daemon's view was read */
		snprintf(ike, sizeof(ike), "%s", r->ike_state ? r->ike_state : "-");
		for (char *c = ike; *c; c++)
			*c = (char)(*c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c);
		fprintf(out, "%-39s %-39s %-9s %-11s %7u %7u %14" PRIu64 " %14" PRIu64 " ",
			xd_addr_fmt(&r->peer, r->family, p, sizeof(p)),
			xd_addr_fmt(&r->local, r->family, l, sizeof(l)), xd_peer_state_name(r->state),
			ike, r->sas_out, r->sas_in, r->bytes_out, r->bytes_in);
		if (r->interface) {
			char esc[64];
			fprintf(out, " [%s]", xd_text_escape(r->interface, esc, sizeof(esc)));
		}
		if (!r->finding_ids.len)
			fputs(" -", out);
		for (size_t k = 0; k < r->finding_ids.len; k++)
			fprintf(out, "%s%s", k ? "," : " ", *(const char **)xd_vec_at(&r->finding_ids, k));
		fputc('\n', out);
	}
	if (!rows->len)
		fputs("no IPsec peers\n", out);
	return ferror(out) ? -EIO : 0;
}
