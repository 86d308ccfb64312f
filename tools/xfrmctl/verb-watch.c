/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * verb-watch.c: `xfrmctl watch`: subscribe to xfrmd's event stream and print each event as
 * it arrives (SA added/deleted/expired, policy changes, NAT mapping changes, findings
 * raised/cleared). On a terminal one readable line per event (local time, event, subject,
 * detail); on a pipe, and with --json, the daemon's JSON lines as they are (the schema
 * docs/schema/xfrmd-watch.schema.json is the contract, the text is for people); --json=off
 * forces the text. Needs the daemon: events cannot be collected after the fact. Ends when
 * the daemon closes the stream (exit 0) or cuts us off (exit 3).
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "xfrmctl.h"
#include "xfrmd/util.h"

/* Wide enough for the longest event name (xfrm.default_changed) and a space. */
#define KIND_WIDTH 21

static const char *get_str(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : NULL;
}

static bool get_u32(struct json_object *o, const char *key, uint32_t *ret)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int))
		return false;
	*ret = (uint32_t)json_object_get_int64(v);
	return true;
}

/* The daemon's strings end up on a terminal: control characters (escape sequences) never
 * pass, whatever a process name or a future field carries. */
static void put_clean(FILE *f, const char *s)
{
	for (; s && *s; s++)
		fputc(*s >= 0x20 && *s < 0x7f ? *s : '?', f);
}

/* "2026-12-07T16:40:19.448Z" as local "17:40:19.448"; the text as it is when it is not
 * that form. */
static void put_local_time(FILE *f, const char *t)
{
	struct tm tm = { 0 }, lt;
	int ms = 0;
	char buf[32];
	time_t sec;

	if (!t || sscanf(t, "%4d-%2d-%2dT%2d:%2d:%2d.%3dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
			 &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &ms) != 7) {
		put_clean(f, t ? t : "-");
		return;
	}
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	sec = timegm(&tm);
	if (!localtime_r(&sec, &lt) || !strftime(buf, sizeof(buf), "%H:%M:%S", &lt)) {
		put_clean(f, t);
		return;
	}
	fprintf(f, "%s.%03d", buf, ms);
}

/* "esp 192.0.2.1 -> 198.51.100.7" (SA events) or "10.1.0.0/16 -> 10.2.0.0/16 out" (policy) */
static void put_flow(FILE *f, struct json_object *ev, bool with_proto, bool with_dir)
{
	if (with_proto) {
		put_clean(f, get_str(ev, "proto"));
		fputc(' ', f);
	}
	put_clean(f, get_str(ev, "src"));
	fputs(" -> ", f);
	put_clean(f, get_str(ev, "dst"));
	if (with_dir) {
		fputc(' ', f);
		put_clean(f, get_str(ev, "dir"));
	}
}

static void put_spi_reqid(FILE *f, struct json_object *ev)
{
	uint32_t spi, reqid;

	if (get_u32(ev, "spi", &spi))
		fprintf(f, "  spi 0x%08x", spi);
	if (get_u32(ev, "reqid", &reqid))
		fprintf(f, "%sreqid %u", get_u32(ev, "spi", &spi) ? " " : "  ", reqid);
}

static void put_finding(FILE *f, struct json_object *ev, bool cleared)
{
	struct json_object *fd = NULL;

	json_object_object_get_ex(ev, "finding", &fd);
	put_clean(f, get_str(fd, "id"));
	fputs("  ", f);
	put_clean(f, get_str(fd, "severity"));
	fputs(": ", f);
	put_clean(f, get_str(fd, "summary"));
	if (cleared && get_str(ev, "raised_at")) {
		fputs(" (raised ", f);
		put_local_time(f, get_str(ev, "raised_at"));
		fputc(')', f);
	}
}

/* One event as one line for people: local time, event, subject, short detail. */
static void put_text(FILE *f, struct json_object *ev, const char *raw)
{
	const char *kind = get_str(ev, "event");
	struct json_object *v;
	uint32_t n;

	if (!kind) {
		put_clean(f, raw);
		fputc('\n', f);
		return;
	}
	if (xd_streq(kind, "watch.started")) {
		char day[32] = "";
		time_t now = time(NULL);
		struct tm lt;

		if (localtime_r(&now, &lt))
			strftime(day, sizeof(day), "%Y-%m-%d, times in %Z", &lt);
		fprintf(f, "-- watching xfrmd events (%s) --\n", day);
		return;
	}
	put_local_time(f, get_str(ev, "time"));
	fputc(' ', f);
	fprintf(f, "%-*s", KIND_WIDTH, kind);
	if (strncmp(kind, "xfrm.sa_", 8) == 0 && !xd_streq(kind, "xfrm.sa_flushed") &&
	    !xd_streq(kind, "xfrm.sa_migrated")) {
		put_flow(f, ev, true, false);
		put_spi_reqid(f, ev);
		if (json_object_object_get_ex(ev, "hard", &v))
			fputs(json_object_get_boolean(v) ? ", hard" : ", soft (rekey due)", f);
		if (json_object_object_get_ex(ev, "acquire_unanswered", &v))
			fputs(", ACQUIRE unanswered", f);
		if (xd_streq(kind, "xfrm.sa_acquire"))
			fputs(", larval SA", f);
	} else if (xd_streq(kind, "xfrm.sa_flushed")) {
		put_clean(f, get_str(ev, "proto"));
	} else if (strncmp(kind, "xfrm.policy_", 12) == 0 && get_str(ev, "src")) {
		put_flow(f, ev, false, true);
		if (get_u32(ev, "index", &n))
			fprintf(f, "  index %u", n);
		if (json_object_object_get_ex(ev, "hard", &v))
			fputs(json_object_get_boolean(v) ? ", hard" : ", soft", f);
	} else if (xd_streq(kind, "nat.mapping_changed")) {
		put_flow(f, ev, true, false);
		put_spi_reqid(f, ev);
		fputs(", peer ", f);
		put_clean(f, get_str(ev, "src"));
		fprintf(f, ":%u -> ", get_u32(ev, "old_sport", &n) ? n : 0);
		put_clean(f, get_str(ev, "new_src"));
		fprintf(f, ":%u", get_u32(ev, "new_sport", &n) ? n : 0);
	} else if (xd_streq(kind, "firewall.changed")) {
		fputs("nf_tables commit", f);
		if (get_str(ev, "process")) {
			fputs(" by ", f);
			put_clean(f, get_str(ev, "process"));
		}
		if (get_u32(ev, "pid", &n))
			fprintf(f, " (pid %u)", n);
	} else if (xd_streq(kind, "overrun")) {
		fputs("the kernel dropped events; a full resync follows", f);
	} else if (xd_streq(kind, "finding.raised") || xd_streq(kind, "finding.cleared")) {
		put_finding(f, ev, xd_streq(kind, "finding.cleared"));
	} else {
		/* an event this xfrmctl does not know yet: its fields as they are */
		json_object_object_del(ev, "event");
		json_object_object_del(ev, "time");
		if (json_object_object_length(ev))
			put_clean(f, json_object_to_json_string_ext(ev, JSON_C_TO_STRING_PLAIN));
	}
	fputc('\n', f);
}

int verb_watch(int argc, char **argv)
{
	char *pending = NULL;
	size_t plen = 0;
	bool text;
	int fd, r;

	r = xfrmctl_parse_common_only(argc, argv, "watch", 0, NULL, NULL);
	if (r)
		return r;
	if (arg_read_path || arg_netns)
		return xfrmctl_usage_error("watch follows the running xfrmd; -r and --netns do not apply");
	/* --json in any form decides; without it, people at a terminal get text and programs
	 * reading a pipe get the JSON lines they always had */
	text = arg_json_given ? arg_json == JSON_OFF : isatty(STDOUT_FILENO);
	fd = xfrmctl_daemon_connect("{\"command\":\"watch\"}", 0);
	if (fd < 0) {
		fprintf(stderr, "xfrmctl: watch needs xfrmd running (%s: %s)\n",
			xfrmctl_daemon_socket(), strerror(-fd));
		return EXIT_COLLECT;
	}
	for (;;) {
		char *line = NULL;
		struct json_object *doc;

		r = xfrmctl_daemon_read_line(fd, &pending, &plen, &line);
		if (r < 0)
			break;
		doc = json_tokener_parse(line);
		if (doc && xfrmctl_daemon_error(doc)) {
			json_object_put(doc);
			free(line);
			r = -ECONNABORTED;
			break;
		}
		/* lines are printed as received: a pipe reader sees each event at once */
		if (text && doc)
			put_text(stdout, doc, line);
		else if (printf("%s\n", line) < 0)
			r = -EIO;
		json_object_put(doc);
		if (r == -EIO || ferror(stdout) || fflush(stdout) != 0) {
			free(line);
			r = -EIO;
			break;
		}
		free(line);
	}
	free(pending);
	close(fd);
	return r == -EPIPE ? EXIT_OK : EXIT_COLLECT;
}
