/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * render-watch.c: the lines of the daemon's watch stream (docs/control-protocol.md, schema
 * docs/schema/xfrmd-watch.schema.json). Every line is one JSON object with "event" and
 * "time"; the time is always RFC 3339 UTC with milliseconds ("2026-12-07T16:45:01.785Z"),
 * whether the line reports a kernel event or a finding.
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "json-util.h"
#include "xfrmd/kevent.h"
#include "xfrmd/names.h"
#include "xfrmd/render.h"
#include "xfrmd/util.h"

const char *xd_kevent_name(uint32_t type)
{
	static const char *const t[] = {
		[XD_KEV_SA_ADDED] = "xfrm.sa_added",
		[XD_KEV_SA_UPDATED] = "xfrm.sa_updated",
		[XD_KEV_SA_DELETED] = "xfrm.sa_deleted",
		[XD_KEV_SA_EXPIRED] = "xfrm.sa_expired",
		[XD_KEV_SA_FLUSHED] = "xfrm.sa_flushed",
		[XD_KEV_POLICY_ADDED] = "xfrm.policy_added",
		[XD_KEV_POLICY_UPDATED] = "xfrm.policy_updated",
		[XD_KEV_POLICY_DELETED] = "xfrm.policy_deleted",
		[XD_KEV_POLICY_EXPIRED] = "xfrm.policy_expired",
		[XD_KEV_POLICY_FLUSHED] = "xfrm.policy_flushed",
		[XD_KEV_POLICY_DEFAULT] = "xfrm.default_changed",
		[XD_KEV_MAPPING] = "nat.mapping_changed",
		[XD_KEV_MIGRATE] = "xfrm.sa_migrated",
		[XD_KEV_OVERRUN] = "overrun",
		[XD_KEV_SA_ACQUIRE] = "xfrm.sa_acquire",
		[XD_KEV_FW_CHANGED] = "firewall.changed",
	};
	return type < XD_ARRAY_SIZE(t) ? t[type] : NULL;
}

/* The object as one line: plain, no escaped slashes, a newline. */
static int finish(struct json_object *o, char **ret, size_t *ret_len)
{
	const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
							      JSON_C_TO_STRING_NOSLASHESCAPE);
	size_t n = s ? strlen(s) : 0;
	char *line = s ? malloc(n + 2) : NULL;

	if (!line) {
		json_object_put(o);
		return -ENOMEM;
	}
	memcpy(line, s, n);
	line[n] = '\n';
	line[n + 1] = 0;
	json_object_put(o);
	*ret = line;
	*ret_len = n + 1;
	return 0;
}

static struct json_object *head(const char *event, int64_t time_ms)
{
	struct json_object *o = json_object_new_object();
	char ts[40];

	if (!o)
		return NULL;
	xd_json_add(o, "event", json_object_new_string(event));
	xd_json_add(o, "time", json_object_new_string(xd_fmt_utc_ms_z(time_ms, ts, sizeof(ts))));
	return o;
}

static void add_prefix(struct json_object *o, const char *k, const struct xd_addr *a,
		       uint16_t family, uint8_t plen)
{
	char buf[64];

	xd_json_add(o, k, json_object_new_string(xd_prefix_fmt(a, family, plen, buf, sizeof(buf))));
}

int xd_render_watch_kevent(const struct xd_kevent *e, char **ret, size_t *ret_len)
{
	const char *name = xd_kevent_name(e->type);
	struct json_object *o;

	if (!name)
		return -EINVAL;
	o = head(name, e->time_ms);
	if (!o)
		return -ENOMEM;
	if (e->has & (XD_KEVH_ADDRS | XD_KEVH_SEL))
		xd_json_add(o, "family", json_object_new_string(e->family == 10 ? "ipv6" : "ipv4"));
	if (e->has & XD_KEVH_SEL) {
		add_prefix(o, "src", &e->saddr, e->family, e->sel_plen_s);
		add_prefix(o, "dst", &e->daddr, e->family, e->sel_plen_d);
	} else if (e->has & XD_KEVH_ADDRS) {
		xd_json_add_addr(o, "src", &e->saddr, e->family);
		xd_json_add_addr(o, "dst", &e->daddr, e->family);
	}
	if (e->has & XD_KEVH_PROTO)
		xd_json_add_enum(o, "proto", xd_name_proto(e->proto), e->proto);
	if (e->has & XD_KEVH_SPI)
		xd_json_add_u64(o, "spi", e->spi);
	if (e->has & XD_KEVH_REQID)
		xd_json_add_u64(o, "reqid", e->reqid);
	if (e->has & XD_KEVH_INDEX) {
		xd_json_add_enum(o, "dir", xd_name_policy_dir(e->dir), e->dir);
		xd_json_add_u64(o, "index", e->index);
	}
	if (e->has & XD_KEVH_HARD)
		xd_json_add(o, "hard", json_object_new_boolean(e->hard));
	if (e->has & XD_KEVH_PROCESS) {
		char comm[sizeof(e->comm)];
		memcpy(comm, e->comm, sizeof(comm));
		comm[sizeof(comm) - 1] = 0;
		xd_json_add_u64(o, "pid", e->pid);
		xd_json_add_str(o, "process", comm);
	}
	/* a larval (ACQUIRE) state timing out: the key manager never answered (netlink.md §1.4) */
	if (e->type == XD_KEV_SA_EXPIRED && e->hard && (e->has & XD_KEVH_SPI) && e->spi == 0)
		xd_json_add(o, "acquire_unanswered", json_object_new_boolean(1));
	if (e->has & XD_KEVH_MAPPING) {
		xd_json_add_addr(o, "new_src", &e->new_addr, e->family);
		xd_json_add(o, "old_sport", json_object_new_int(e->old_sport));
		xd_json_add(o, "new_sport", json_object_new_int(e->new_sport));
	}
	return finish(o, ret, ret_len);
}

int xd_render_watch_finding(bool raised, struct json_object *finding, int64_t time_ms,
			    int64_t raised_at_ms, char **ret, size_t *ret_len)
{
	struct json_object *o = head(raised ? "finding.raised" : "finding.cleared", time_ms);
	char ts[40];

	if (!o)
		return -ENOMEM;
	if (!raised)
		xd_json_add(o, "raised_at",
			    json_object_new_string(xd_fmt_utc_ms_z(raised_at_ms, ts, sizeof(ts))));
	xd_json_add(o, "finding", json_object_get(finding));
	return finish(o, ret, ret_len);
}
