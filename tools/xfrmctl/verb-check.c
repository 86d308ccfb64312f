/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * verb-check.c: `xfrmctl check [--interval S] [--fail-on warning|error] [--nagios]`.
 * One snapshot, or two taken S seconds apart so rate checks (traffic.*, rising xfrm_stat
 * counters) work without the daemon. Exit 0/1 per --fail-on, 2 usage, 3 could not collect;
 * --nagios prints one status line with perfdata and uses the plugin exit codes.
 */
#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "finding-filter.h"
#include "xfrmctl.h"
#include "xfrmd/analysis.h"
#include "xfrmd/diag.h"
#include "xfrmd/kb.h"
#include "xfrmd/model.h"
#include "xfrmd/render.h"

/* Thresholds for time-based findings; options may change them (tests, impatient operators). */
static struct xd_diag_opts thresholds;
static struct xd_table_opts table; /* text: width, -o, --no-headings, --raw */
static bool thresholds_changed;

/* Nagios shows only stdout: a failed collection still needs its one status line (the
 * reason is already on stderr). */
static int nagios_unknown(void)
{
	printf("IPSEC UNKNOWN - could not collect or read the IPsec state (see stderr)\n");
	return 3;
}

static void nagios_text(const char *in, char *buf, size_t len)
{
	/* '|' separates perfdata in the plugin protocol: keep it out of the text */
	xd_text_escape(in, buf, len);
	for (char *p = buf; *p; p++)
		if (*p == '|')
			*p = '/';
}

/*
 * The Monitoring Plugins guidelines: one status line with perfdata, then the long output
 * (every finding at warning or above, worst first, one per line); perfdata with
 * warn;crit;min so graphs and thresholds need no configuration.
 */
static int nagios(const struct xd_snapshot *s, const struct xd_findings *f)
{
	size_t n[_XD_SEV_MAX] = { 0 };
	const struct xd_finding *worst = NULL;
	size_t acked = xfrmctl_filter_acknowledged();
	const char *state;
	char esc[512];
	int code;

	for (size_t i = 0; i < f->items.len; i++) {
		const struct xd_finding *x = xd_findings_at(f, i);
		n[x->severity]++;
		if (!worst && x->severity >= XD_SEV_WARNING)
			worst = x; /* sorted: the first is the worst */
	}
	if (f->error) {
		state = "UNKNOWN";
		code = 3;
	} else if (n[XD_SEV_ERROR]) {
		state = "CRITICAL";
		code = 2;
	} else if (n[XD_SEV_WARNING]) {
		state = "WARNING";
		code = 1;
	} else {
		state = "OK";
		code = 0;
	}
	printf("IPSEC %s - %zu error%s, %zu warning%s", state, n[XD_SEV_ERROR],
	       n[XD_SEV_ERROR] == 1 ? "" : "s", n[XD_SEV_WARNING], n[XD_SEV_WARNING] == 1 ? "" : "s");
	if (acked)
		printf(" (%zu acknowledged)", acked);
	if (worst) {
		nagios_text(worst->summary, esc, sizeof(esc));
		printf(": %s %s", worst->def->id, esc);
	}
	printf(" | errors=%zu;;0;0 warnings=%zu;0;;0 info=%zu;;;0 acknowledged=%zu;;;0 sas=%zu;;;0 "
	       "policies=%zu;;;0\n",
	       n[XD_SEV_ERROR], n[XD_SEV_WARNING], n[XD_SEV_INFO], acked, s->sas.len,
	       s->policies.len);
	for (size_t i = 0; i < f->items.len; i++) {
		const struct xd_finding *x = xd_findings_at(f, i);
		if (x->severity < XD_SEV_WARNING)
			continue;
		nagios_text(x->summary, esc, sizeof(esc));
		printf("%s %s: %s\n", xd_severity_name(x->severity), x->def->id, esc);
	}
	return code;
}

static void tag_site(struct xd_findings *f, size_t from, const char *site)
{
	for (size_t i = from; i < f->items.len; i++)
		((struct xd_finding *)xd_vec_at(&f->items, i))->subject.site = site;
}

static int finish(const struct xd_snapshot *now, const struct xd_snapshot *site_b,
		  struct xd_findings *f, enum xd_severity fail_on, bool as_nagios)
{
	int code, r;

	xfrmctl_filter_findings(f);
	if (as_nagios)
		return nagios(now, f);
	struct xd_render_opts o = { .pretty = arg_json == JSON_PRETTY, .color = arg_color,
				    .verbose = arg_verbose, .peer_site = site_b, .table = table };
	r = arg_json != JSON_OFF ? xd_render_findings_json(stdout, now, f, &o)
				 : xd_render_findings_text(stdout, now, f, &o);
	code = EXIT_OK;
	for (size_t i = 0; i < f->items.len; i++)
		if (xd_findings_at(f, i)->severity >= fail_on)
			code = EXIT_PROBLEMS;
	if (f->error || r < 0 || fflush(stdout) != 0) {
		fputs("xfrmctl: the diagnosis could not be completed\n", stderr);
		code = EXIT_COLLECT;
	}
	return code;
}

/* check answered by xfrmd: print its document; the exit code follows --fail-on as usual. */
static int from_daemon(enum xd_severity fail_on)
{
	struct json_object *doc = NULL, *arr, *sev;
	int r, code;

	r = xfrmctl_daemon_query("{\"command\":\"check\"}", &doc);
	if (r != 0)
		return r;
	code = xfrmctl_daemon_print(doc);
	if (code == EXIT_OK && json_object_object_get_ex(doc, "findings", &arr))
		for (size_t i = 0; i < json_object_array_length(arr); i++)
			if (json_object_object_get_ex(json_object_array_get_idx(arr, i), "severity",
						      &sev) &&
			    xd_severity_from_name(json_object_get_string(sev)) != _XD_SEV_MAX &&
			    xd_severity_from_name(json_object_get_string(sev)) >= fail_on)
				code = EXIT_PROBLEMS;
	json_object_put(doc);
	return code;
}

/* check -r A -r B: each site's own findings (tagged A/B) plus the cross-site ones. */
static int cross_site(enum xd_severity fail_on, bool as_nagios)
{
	struct xd_analysis_opts ao = { .what = XD_ANALYZE_FINDINGS, .diag = thresholds };
	struct xd_analysis *a = NULL, *b = NULL;
	int r, code;

	r = xfrmctl_analyze_path(arg_read_path, &ao, &a);
	if (r)
		return as_nagios ? nagios_unknown() : r;
	r = xfrmctl_analyze_path(arg_read_path2, &ao, &b);
	if (r) {
		xd_analysis_free(a);
		return as_nagios ? nagios_unknown() : r;
	}
	tag_site(&a->findings, 0, "A");
	tag_site(&b->findings, 0, "B");
	(void)xd_findings_move(&a->findings, &b->findings);
	(void)xd_diag_cross_site(a->snap, b->snap, &a->findings); /* sorts everything */
	code = finish(a->snap, b->snap, &a->findings, fail_on, as_nagios);
	xd_analysis_free(a);
	xd_analysis_free(b);
	return code;
}

static int parse_seconds(const char *opt, const char *arg, uint32_t *ret)
{
	if (xd_parse_u32(arg, ret) < 0 || *ret > 86400 * 3650)
		return xfrmctl_usage_error("%s takes a whole number", opt);
	thresholds_changed = true;
	return 0;
}

struct check_args {
	enum xd_severity fail_on;
	double interval;
	bool as_nagios;
};

/* 0, or EXIT_USAGE after printing why. */
static int parse_check_options(int argc, char **argv, struct check_args *a)
{
	static const struct option opts[] = {
		{ "interval", required_argument, NULL, 'i' },
		{ "fail-on", required_argument, NULL, 'f' },
		{ "nagios", no_argument, NULL, 'N' },
		{ "stale-after", required_argument, NULL, 'S' },
		{ "larval-after", required_argument, NULL, 'L' },
		{ "expiring-days", required_argument, NULL, 'E' },
		{ "id", required_argument, NULL, 'I' },
		{ "peer", required_argument, NULL, 'P' },
		{ "ignore", required_argument, NULL, 'G' },
		{ "ignore-file", required_argument, NULL, 'F' },
		{ "output", required_argument, NULL, 'o' },
		{ "no-headings", no_argument, NULL, 'H' },
		{ "raw", no_argument, NULL, 'R' },
		XFRMCTL_COMMON_LONGOPTS,
		{}
	};
	int c, r;

	optind = 0; /* 0, not 1: glibc then re-reads the option string (permuting again) */
	while ((c = getopt_long(argc, argv, XFRMCTL_COMMON_SHORTOPTS XFRMCTL_TABLE_SHORTOPTS, opts,
				NULL)) >= 0) {
		char *end;
		if (xfrmctl_table_option(c, optarg))
			continue;
		switch (c) {
		case 'i':
			a->interval = strtod(optarg, &end);
			if (*end || !(a->interval > 0) || a->interval > 3600)
				return xfrmctl_usage_error("--interval takes seconds between 0 and 3600");
			break;
		case 'f':
			a->fail_on = xd_severity_from_name(optarg);
			if (a->fail_on != XD_SEV_WARNING && a->fail_on != XD_SEV_ERROR)
				return xfrmctl_usage_error("--fail-on takes warning or error");
			break;
		case 'N':
			a->as_nagios = true;
			break;
		case 'S':
			r = parse_seconds("--stale-after", optarg, &thresholds.stale_sa_s);
			break;
		case 'L':
			r = parse_seconds("--larval-after", optarg, &thresholds.larval_stuck_s);
			break;
		case 'E':
			r = parse_seconds("--expiring-days", optarg, &thresholds.expiring_days);
			break;
		case 'I':
			r = xfrmctl_filter_add_id(optarg);
			break;
		case 'P':
			r = xfrmctl_filter_add_peer(optarg);
			break;
		case 'G':
			r = xfrmctl_filter_add_ignore(optarg);
			break;
		case 'F':
			r = xfrmctl_filter_add_ignore_file(optarg);
			break;
		default:
			r = xfrmctl_common_option(c, optarg);
			if (r != 1)
				return EXIT_USAGE;
			r = 0;
		}
		if (c == 'S' || c == 'L' || c == 'E' || c == 'I' || c == 'P' || c == 'G' || c == 'F')
			if (r)
				return EXIT_USAGE;
	}
	if (optind < argc)
		return xfrmctl_usage_error("check: unexpected argument '%s'", argv[optind]);
	if (a->interval > 0 && arg_read_path)
		return xfrmctl_usage_error("--interval samples the live kernel; it cannot use -r");
	return xfrmctl_table_opts(XD_TABLE_FINDINGS, &table);
}

static bool has_nagios(int argc, char **argv)
{
	for (int i = 1; i < argc && !xd_streq(argv[i], "--"); i++)
		if (xd_streq(argv[i], "--nagios"))
			return true;
	return false;
}

int verb_check(int argc, char **argv)
{
	struct check_args args = { .fail_on = XD_SEV_ERROR };
	struct xd_analysis *prev = NULL, *now = NULL;
	struct xd_analysis_opts ao = { .what = XD_ANALYZE_FINDINGS };
	struct xd_kb *kb = NULL;
	enum xd_severity fail_on;
	double interval;
	bool as_nagios;
	int r, code;

	xd_diag_opts_default(&thresholds);
	r = parse_check_options(argc, argv, &args);
	if (r) {
		/* a plugin's usage error is UNKNOWN (3), with a status line: exit 2 is CRITICAL */
		if (has_nagios(argc, argv)) {
			printf("IPSEC UNKNOWN - usage error (see 'xfrmctl help check')\n");
			return 3;
		}
		return r;
	}
	fail_on = args.fail_on;
	interval = args.interval;
	as_nagios = args.as_nagios;
	if (arg_read_path2)
		return cross_site(fail_on, as_nagios);

	/* the daemon's findings already compare with its previous sample: no --interval needed */
	if (!as_nagios && interval == 0 && !thresholds_changed && !xfrmctl_filter_active() &&
	    xfrmctl_daemon_wanted()) {
		r = from_daemon(fail_on);
		if (r >= 0)
			return r;
	}
	if (interval > 0) {
		struct xd_analysis_opts first = { 0 }; /* decode and sort only */
		struct timespec ts = { .tv_sec = (time_t)interval,
				       .tv_nsec = (long)((interval - floor(interval)) * 1e9) };
		r = xfrmctl_analyze(&first, &prev);
		if (r)
			return as_nagios ? nagios_unknown() : r;
		while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
			;
	}
	ao.diag = thresholds;
	ao.kb = kb = xfrmctl_load_kb();
	ao.prev = prev;
	r = xfrmctl_analyze(&ao, &now);
	if (r) {
		xd_analysis_free(prev);
		xd_kb_free(kb);
		return as_nagios ? nagios_unknown() : r;
	}
	code = finish(now->snap, NULL, &now->findings, fail_on, as_nagios);
	xd_analysis_free(now);
	xd_analysis_free(prev);
	xd_kb_free(kb);
	return code;
}
