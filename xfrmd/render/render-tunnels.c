/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * render-tunnels.c: `xfrmctl show tunnels`: one row per route-based tunnel (xfrm or vti
 * interface) from the rows rtunnel.c derives, in JSON and text. Keys and identifiers only;
 * no key material exists in the model to print.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "json-util.h"
#include "xfrmd/model.h"
#include "xfrmd/render.h"
#include "xfrmd/rtunnel.h"

static bool has_peer(const struct xd_rtunnel *t)
{
	static const struct xd_addr zero;

	return t->family && xd_addr_cmp(&t->peer, &zero) != 0;
}

static const char *lower_name(const struct xd_snapshot *s, const struct xd_link *l)
{
	int32_t idx = 0;
	const struct xd_link *low;

	if (l->has & XD_LINK_HAS_XFRM_LINK)
		idx = l->xfrm_link;
	else if (l->has & XD_LINK_HAS_VTI_LINK)
		idx = l->vti_link;
	low = idx ? xd_snapshot_link(s, idx) : NULL;
	return low ? low->name : NULL;
}

static struct json_object *tunnel_json(const struct xd_snapshot *s, const struct xd_rtunnel *t)
{
	const struct xd_link *l = t->link;
	struct json_object *o = json_object_new_object();

	xd_json_add_str(o, "interface", l->name ? l->name : "");
	xd_json_add_u64(o, "ifindex", (uint64_t)(uint32_t)l->ifindex);
	xd_json_add_str(o, "kind", l->kind);
	xd_json_add_str(o, "state", xd_rtunnel_state_name(t->state));
	xd_json_add(o, "admin_up", json_object_new_boolean(l->flags & 1));
	if (l->has & XD_LINK_HAS_OPERSTATE)
		xd_json_add_u64(o, "operstate", l->operstate);
	xd_json_add_str(o, "lower", lower_name(s, l));
	if (t->kind == XD_RTUNNEL_XFRM) {
		xd_json_add_u64(o, "if_id", l->xfrm_if_id);
		xd_json_add(o, "external", json_object_new_boolean(l->xfrm_collect_md));
	} else {
		xd_json_add_u64(o, "ikey", l->vti_ikey);
		xd_json_add_u64(o, "okey", l->vti_okey);
	}
	if (t->family) {
		xd_json_add_u64(o, "family", t->family);
		xd_json_add_addr(o, "local", t->local.b, t->family);
		if (has_peer(t))
			xd_json_add_addr(o, "peer", t->peer.b, t->family);
	}
	xd_json_add_u64(o, "peers", t->peers);
	xd_json_add_u64(o, "sas_in", t->sas_in);
	xd_json_add_u64(o, "sas_out", t->sas_out);
	xd_json_add_u64(o, "policies", t->policies);
	if (t->routes >= 0)
		xd_json_add_u64(o, "routes", (uint64_t)t->routes);
	if (t->disable_policy >= 0)
		xd_json_add_u64(o, "disable_policy", (uint64_t)t->disable_policy);
	if (t->disable_xfrm >= 0)
		xd_json_add_u64(o, "disable_xfrm", (uint64_t)t->disable_xfrm);
	return o;
}

int xd_render_tunnels_json(FILE *out, const struct xd_snapshot *s, const struct xd_render_opts *o)
{
	int flags = xd_json_flags_for(o);
	struct xd_vec rows;
	struct json_object *arr;
	int r = 0;

	if (xd_rtunnels_build(s, &rows) < 0)
		return -ENOMEM;
	arr = json_object_new_array();
	for (size_t i = 0; i < rows.len; i++)
		json_object_array_add(arr, tunnel_json(s, xd_vec_at(&rows, i)));
	xd_vec_done(&rows);
	fputs("{\"meta\":", out);
	r |= xd_json_emit(out, xd_meta_json(s), flags);
	fputs(",\"tunnels\":", out);
	r |= xd_json_emit(out, arr, flags);
	fputs("}\n", out);
	return r || ferror(out) ? -EIO : 0;
}

int xd_render_tunnels_text(FILE *out, const struct xd_snapshot *s, const struct xd_render_opts *o)
{
	struct xd_vec rows;

	(void)o;
	if (xd_rtunnels_build(s, &rows) < 0)
		return -ENOMEM;
	if (s->meta.dump_status[XD_DUMP_RTNL_LINK] != XD_DUMP_COMPLETE)
		fprintf(out, "interfaces: %s dump\n", xd_dump_status_name(s->meta.dump_status[XD_DUMP_RTNL_LINK]));
	if (!rows.len) {
		fputs("no route-based tunnels (no xfrm, vti or vti6 interface)\n", out);
		xd_vec_done(&rows);
		return ferror(out) ? -EIO : 0;
	}
	fprintf(out, "%-16s %-5s %-18s %-24s %-7s %-8s %-6s %s\n", "INTERFACE", "KIND", "ID", "PEER",
		"SAS I/O", "POLICIES", "ROUTES", "STATE");
	for (size_t i = 0; i < rows.len; i++) {
		const struct xd_rtunnel *t = xd_vec_at(&rows, i);
		const struct xd_link *l = t->link;
		char name[64], id[48], peer[64], sas[24], lbuf[64], routes[16];

		xd_text_escape(l->name ? l->name : "?", name, sizeof(name));
		if (t->kind == XD_RTUNNEL_XFRM)
			if (l->xfrm_collect_md)
				snprintf(id, sizeof(id), "external");
			else
				snprintf(id, sizeof(id), "if_id %u", l->xfrm_if_id);
		else
			snprintf(id, sizeof(id), "key %u/%u", l->vti_ikey, l->vti_okey);
		if (has_peer(t))
			snprintf(peer, sizeof(peer), "%s%s", xd_addr_fmt(t->peer.b, t->family, lbuf, sizeof(lbuf)),
				 t->peers > 1 ? " +" : "");
		else
			snprintf(peer, sizeof(peer), "-");
		snprintf(sas, sizeof(sas), "%u/%u", t->sas_in, t->sas_out);
		if (t->routes >= 0)
			snprintf(routes, sizeof(routes), "%d", t->routes);
		else
			snprintf(routes, sizeof(routes), "-");
		fprintf(out, "%-16s %-5s %-18s %-24s %-7s %-8u %-6s %s\n", name, l->kind ? l->kind : "?",
			id, peer, sas, t->policies, routes, xd_rtunnel_state_name(t->state));
	}
	xd_vec_done(&rows);
	return ferror(out) ? -EIO : 0;
}
