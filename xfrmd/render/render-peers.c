/* SPDX-License-Identifier: GPL-2.0-or-later */
/* render-peers.c: the per-peer status matrix as JSON and as a table. */
#include <errno.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <stdio.h>

#include "json-util.h"
#include "render-text.h"
#include "xfrmd/peers.h"
#include "xfrmd/render.h"
#include "xfrmd/table.h"

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
	struct xd_render_opts def = { 0 };
	struct xd_table *t = NULL;
	int r;

	(void)s;
	if (!o)
		o = &def;
	if (!rows->len) {
		fputs("no IPsec peers\n", out);
		return ferror(out) ? -EIO : 0;
	}
	r = xd_text_table_new(XD_TABLE_PEERS, out, o, &t);
	for (size_t i = 0; r == 0 && i < rows->len; i++) {
		const struct xd_peer_row *row = xd_vec_at(rows, i);
		char p[64], l[64], n[7][24], ids[1024] = "-", ike[16], ifname[64] = "-";
		size_t off = 0;

		/* the IKE daemon's word, lower case like STATE; "-" when no daemon's view was read */
		snprintf(ike, sizeof(ike), "%s", row->ike_state ? row->ike_state : "-");
		for (char *c = ike; *c; c++)
			*c = (char)(*c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c);

		if (row->interface)
			xd_text_escape(row->interface, ifname, sizeof(ifname));
		snprintf(n[0], sizeof(n[0]), "%u", row->sas_out);
		snprintf(n[1], sizeof(n[1]), "%u", row->sas_in);
		snprintf(n[2], sizeof(n[2]), "%" PRIu64, row->bytes_out);
		snprintf(n[3], sizeof(n[3]), "%" PRIu64, row->bytes_in);
		snprintf(n[4], sizeof(n[4]), "%" PRIu64, row->packets_out);
		snprintf(n[5], sizeof(n[5]), "%" PRIu64, row->packets_in);
		snprintf(n[6], sizeof(n[6]), "%" PRIu64, (uint64_t)row->policies);
		for (size_t k = 0; k < row->finding_ids.len && off < sizeof(ids); k++)
			off += (size_t)snprintf(ids + off, sizeof(ids) - off, "%s%s", k ? "," : "",
						*(const char **)xd_vec_at(&row->finding_ids, k));
		r = xd_table_add(t, (const char *const[]){
					    xd_addr_fmt(&row->peer, row->family, p, sizeof(p)),
					    xd_addr_fmt(&row->local, row->family, l, sizeof(l)),
					    xd_peer_state_name(row->state), ike,
					    n[0], n[1], n[2], n[3], n[4], n[5], n[6], ifname, ids,
				    });
	}
	if (r == 0)
		r = xd_table_flush(t);
	xd_table_free(t);
	if (r < 0)
		return r;
	return ferror(out) ? -EIO : 0;
}
