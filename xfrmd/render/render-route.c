/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * render-route.c: `xfrmctl show routes` and `show rules`: every table's routes and the
 * policy-routing rules, as JSON sections "routes" and "rules" and as text in the words of
 * `ip route show table all` and `ip rule` (what an operator compares them with). Interface
 * names came from the kernel and are escaped like every untrusted string.
 */
#include <errno.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <stdio.h>

#include "json-util.h"
#include "render-route.h"
#include "xfrmd/render.h"
#include "xfrmd/model.h"
#include "xfrmd/names.h"
#include "xfrmd/route.h"

/* An untrusted interface name, escaped (a terminal escape in a name stays text). */
static void put_escaped(FILE *out, const char *name)
{
	char esc[128];

	fputs(xd_text_escape(name, esc, sizeof(esc)), out);
}

static const char *fam_name(uint16_t f)
{
	return f == 2 ? "inet" : "inet6";
}

static const char *dev_name(const struct xd_snapshot *s, int32_t ifindex)
{
	const struct xd_link *l = ifindex ? xd_snapshot_link(s, ifindex) : NULL;

	return l ? l->name : NULL;
}

static void add_table(struct json_object *o, uint32_t table)
{
	xd_json_add_enum(o, "table", xd_route_table_name(table), table);
}

static struct json_object *route_json(const struct xd_snapshot *s, const struct xd_route *r)
{
	struct json_object *o = json_object_new_object();
	char buf[80];

	xd_json_add_str(o, "family", fam_name(r->family));
	add_table(o, r->table);
	xd_json_add_enum(o, "type", xd_route_type_name(r->type), r->type);
	xd_json_add_str(o, "dst", xd_prefix_fmt(r->dst.b, r->family, r->dst_len, buf, sizeof(buf)));
	if (r->src_len)
		xd_json_add_str(o, "src", xd_prefix_fmt(r->src.b, r->family, r->src_len, buf,
							sizeof(buf)));
	if (r->has_gateway)
		xd_json_add_addr(o, "gateway", r->gateway.b, r->family);
	if (r->oif) {
		xd_json_add_u64(o, "oif", (uint32_t)r->oif);
		xd_json_add_str(o, "dev", dev_name(s, r->oif));
	}
	if (r->has_prefsrc)
		xd_json_add_addr(o, "prefsrc", r->prefsrc.b, r->family);
	xd_json_add_u64(o, "metric", r->priority);
	xd_json_add_enum(o, "protocol", xd_route_protocol_name(r->protocol), r->protocol);
	xd_json_add_enum(o, "scope", xd_route_scope_name(r->scope), r->scope);
	if (r->tos)
		xd_json_add_u64(o, "tos", r->tos);
	if (r->nexthops)
		xd_json_add_u64(o, "nexthops", r->nexthops);
	if (r->nhid)
		xd_json_add_u64(o, "nhid", r->nhid);
	if (r->via)
		xd_json_add(o, "via", json_object_new_boolean(1));
	if (r->flags & XD_RTNH_F_DEAD)
		xd_json_add(o, "dead", json_object_new_boolean(1));
	if (r->flags & XD_RTNH_F_LINKDOWN)
		xd_json_add(o, "linkdown", json_object_new_boolean(1));
	return o;
}

static struct json_object *rule_json(const struct xd_rule *r)
{
	struct json_object *o = json_object_new_object();
	char buf[80];

	xd_json_add_str(o, "family", fam_name(r->family));
	xd_json_add_u64(o, "priority", r->priority);
	if (r->flags & XD_FIB_RULE_INVERT)
		xd_json_add(o, "not", json_object_new_boolean(1));
	xd_json_add_str(o, "src", r->src_len ? xd_prefix_fmt(r->src.b, r->family, r->src_len, buf,
							     sizeof(buf))
					      : "all");
	if (r->dst_len)
		xd_json_add_str(o, "dst", xd_prefix_fmt(r->dst.b, r->family, r->dst_len, buf,
							sizeof(buf)));
	xd_json_add_str(o, "iif", r->iifname);
	xd_json_add_str(o, "oif", r->oifname);
	if (r->flags & (XD_FIB_RULE_IIF_DETACHED | XD_FIB_RULE_OIF_DETACHED))
		xd_json_add(o, "detached", json_object_new_boolean(1));
	if (r->fwmask) {
		xd_json_add_u64(o, "fwmark", r->fwmark);
		xd_json_add_u64(o, "fwmask", r->fwmask);
	}
	if (r->tos)
		xd_json_add_u64(o, "tos", r->tos);
	if (r->ip_proto)
		xd_json_add_u64(o, "ipproto", r->ip_proto);
	if (r->has_sport)
		xd_json_add(o, "sport", json_object_new_string(
						(snprintf(buf, sizeof(buf), "%u-%u", r->sport_lo,
							  r->sport_hi), buf)));
	if (r->has_dport)
		xd_json_add(o, "dport", json_object_new_string(
						(snprintf(buf, sizeof(buf), "%u-%u", r->dport_lo,
							  r->dport_hi), buf)));
	if (r->has_uid_range)
		xd_json_add(o, "uidrange", json_object_new_string(
						   (snprintf(buf, sizeof(buf), "%u-%u", r->uid_start,
							     r->uid_end), buf)));
	if (r->l3mdev)
		xd_json_add(o, "l3mdev", json_object_new_boolean(1));
	xd_json_add_enum(o, "action", xd_rule_action_name(r->action), r->action);
	if (r->action == XD_FR_ACT_TO_TBL)
		add_table(o, r->table);
	if (r->action == XD_FR_ACT_GOTO) {
		xd_json_add_u64(o, "goto", r->goto_target);
		if (r->flags & XD_FIB_RULE_UNRESOLVED)
			xd_json_add(o, "unresolved", json_object_new_boolean(1));
	}
	if (r->has_suppress_prefixlen)
		xd_json_add_u64(o, "suppress_prefixlength", r->suppress_prefixlen);
	if (r->has_suppress_ifgroup)
		xd_json_add_u64(o, "suppress_ifgroup", r->suppress_ifgroup);
	return o;
}

int xd_render_routes_json(FILE *out, const struct xd_snapshot *s, int flags, const char *sep)
{
	int r = 0;

	fputs(",\"routes\":[", out);
	for (size_t i = 0; i < s->routes.len; i++) {
		if (i)
			fputs(sep, out);
		r |= xd_json_emit(out, route_json(s, xd_vec_at(&s->routes, i)), flags);
	}
	fputs("]", out);
	return r ? -EIO : 0;
}

int xd_render_rules_json(FILE *out, const struct xd_snapshot *s, int flags, const char *sep)
{
	int r = 0;

	fputs(",\"rules\":[", out);
	for (size_t i = 0; i < s->rules.len; i++) {
		if (i)
			fputs(sep, out);
		r |= xd_json_emit(out, rule_json(xd_vec_at(&s->rules, i)), flags);
	}
	fputs("]", out);
	return r ? -EIO : 0;
}

static void table_text(FILE *out, uint32_t table)
{
	const char *n = xd_route_table_name(table);

	if (n)
		fprintf(out, "%s", n);
	else
		fprintf(out, "%" PRIu32, table);
}

static void not_collected(FILE *out, const struct xd_snapshot *s, enum xd_dump d)
{
	if (s->meta.dump_status[d] != XD_DUMP_COMPLETE)
		fprintf(out, "(%s: %s)\n", xd_dump_name(d),
			xd_dump_status_name(s->meta.dump_status[d]));
}

void xd_render_routes_text(FILE *out, const struct xd_snapshot *s)
{
	char buf[80];

	fputs("Routes (all tables):\n", out);
	not_collected(out, s, XD_DUMP_RTNL_ROUTE);
	for (size_t i = 0; i < s->routes.len; i++) {
		const struct xd_route *r = xd_vec_at(&s->routes, i);
		const char *dev = dev_name(s, r->oif), *t = xd_route_type_name(r->type);
		const char *p = xd_route_protocol_name(r->protocol);
		const char *sc = xd_route_scope_name(r->scope);

		fputs("  ", out);
		if (r->type != XD_RTN_UNICAST) {
			if (t)
				fprintf(out, "%s ", t);
			else
				fprintf(out, "type %u ", r->type);
		}
		if (r->dst_len == 0)
			fputs("default", out);
		else if (r->dst_len == (r->family == 2 ? 32 : 128))
			fputs(xd_addr_fmt(r->dst.b, r->family, buf, sizeof(buf)), out);
		else
			fputs(xd_prefix_fmt(r->dst.b, r->family, r->dst_len, buf, sizeof(buf)), out);
		if (r->src_len)
			fprintf(out, " from %s",
				xd_prefix_fmt(r->src.b, r->family, r->src_len, buf, sizeof(buf)));
		if (r->has_gateway)
			fprintf(out, " via %s", xd_addr_fmt(r->gateway.b, r->family, buf, sizeof(buf)));
		if (r->oif) {
			fputs(" dev ", out);
			if (dev)
				put_escaped(out, dev);
			else
				fprintf(out, "if%" PRId32, r->oif);
		}
		if (r->table != XD_RT_TABLE_MAIN) {
			fputs(" table ", out);
			table_text(out, r->table);
		}
		if (p)
			fprintf(out, " proto %s", p);
		else
			fprintf(out, " proto %u", r->protocol);
		if (r->scope) {
			if (sc)
				fprintf(out, " scope %s", sc);
			else
				fprintf(out, " scope %u", r->scope);
		}
		if (r->has_prefsrc)
			fprintf(out, " src %s", xd_addr_fmt(r->prefsrc.b, r->family, buf, sizeof(buf)));
		if (r->priority)
			fprintf(out, " metric %" PRIu32, r->priority);
		if (r->nexthops > 1)
			fprintf(out, " (multipath, %" PRIu32 " nexthops)", r->nexthops);
		if (r->nhid)
			fprintf(out, " nhid %" PRIu32, r->nhid);
		if (r->flags & XD_RTNH_F_DEAD)
			fputs(" dead", out);
		if (r->flags & XD_RTNH_F_LINKDOWN)
			fputs(" linkdown", out);
		fputc('\n', out);
	}
}

void xd_render_rules_text(FILE *out, const struct xd_snapshot *s)
{
	char buf[80];

	fputs("Rules:\n", out);
	not_collected(out, s, XD_DUMP_RTNL_RULE);
	for (size_t i = 0; i < s->rules.len; i++) {
		const struct xd_rule *r = xd_vec_at(&s->rules, i);
		const char *a = xd_rule_action_name(r->action);

		fprintf(out, "  %s %" PRIu32 ":\t", r->family == 2 ? "inet " : "inet6", r->priority);
		if (r->flags & XD_FIB_RULE_INVERT)
			fputs("not ", out);
		fprintf(out, "from %s",
			r->src_len ? xd_prefix_fmt(r->src.b, r->family, r->src_len, buf, sizeof(buf))
				   : "all");
		if (r->dst_len)
			fprintf(out, " to %s",
				xd_prefix_fmt(r->dst.b, r->family, r->dst_len, buf, sizeof(buf)));
		if (r->tos)
			fprintf(out, " tos 0x%x", r->tos);
		if (r->fwmask) {
			fprintf(out, " fwmark 0x%" PRIx32, r->fwmark);
			if (r->fwmask != UINT32_MAX)
				fprintf(out, "/0x%" PRIx32, r->fwmask);
		}
		if (r->iifname) {
			fputs(" iif ", out);
			put_escaped(out, r->iifname);
			if (r->flags & XD_FIB_RULE_IIF_DETACHED)
				fputs(" [detached]", out);
		}
		if (r->oifname) {
			fputs(" oif ", out);
			put_escaped(out, r->oifname);
			if (r->flags & XD_FIB_RULE_OIF_DETACHED)
				fputs(" [detached]", out);
		}
		if (r->l3mdev)
			fputs(" lookup [l3mdev-table]", out);
		if (r->has_uid_range)
			fprintf(out, " uidrange %" PRIu32 "-%" PRIu32, r->uid_start, r->uid_end);
		if (r->ip_proto)
			fprintf(out, " ipproto %u", r->ip_proto);
		if (r->has_sport)
			fprintf(out, " sport %u-%u", r->sport_lo, r->sport_hi);
		if (r->has_dport)
			fprintf(out, " dport %u-%u", r->dport_lo, r->dport_hi);
		if (r->action == XD_FR_ACT_TO_TBL && !r->l3mdev) {
			fputs(" lookup ", out);
			table_text(out, r->table);
		} else if (r->action == XD_FR_ACT_GOTO) {
			fprintf(out, " goto %" PRIu32, r->goto_target);
			if (r->flags & XD_FIB_RULE_UNRESOLVED)
				fputs(" [unresolved]", out);
		} else if (r->action != XD_FR_ACT_TO_TBL) {
			if (a)
				fprintf(out, " %s", a);
			else
				fprintf(out, " action %u", r->action);
		}
		if (r->has_suppress_prefixlen)
			fprintf(out, " suppress_prefixlength %" PRIu32, r->suppress_prefixlen);
		if (r->has_suppress_ifgroup)
			fprintf(out, " suppress_ifgroup %" PRIu32, r->suppress_ifgroup);
		fputc('\n', out);
	}
}
