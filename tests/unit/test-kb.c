/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-kb.c: the known-issues knowledge base: the shipped file parses and every entry cites
 * a source; malformed files give a message naming the entry and member, never a crash;
 * version comparison.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "xd-config.h"
#include "xfrmd/kb.h"

static void test_shipped(void **state)
{
	struct xd_kb *kb = NULL;
	char err[512];

	assert_int_equal(xd_kb_load(XD_SRCKB, &kb, err, sizeof(err)), 0);
	assert_true(kb->n >= 40); /* issue 17: at least 40 sourced entries */
	for (size_t i = 0; i < kb->n; i++) {
		assert_true(kb->entries[i].n_sources >= 1);
		assert_true(kb->entries[i].n_conds >= 1);
	}
	xd_kb_free(kb);
}

#define ENTRY(body) "{\"format\": \"xfrmd-known-issues/1\", \"issues\": [" body "]}"
#define OK_FIELDS "\"title\": \"t\", \"remedy\": \"r\", \"severity\": \"info\", \"sources\": [\"s\"]"

static void bad(const char *text, const char *want)
{
	struct xd_kb *kb = NULL;
	char err[512] = "";
	int r = xd_kb_parse(text, strlen(text), &kb, err, sizeof(err));

	if (r >= 0 || !strstr(err, want))
		print_error("input %s\n  r=%d err='%s', want '%s'\n", text, r, err, want);
	assert_true(r < 0);
	assert_null(kb);
	assert_non_null(strstr(err, want));
}

static void test_malformed(void **state)
{
	bad("", "not valid JSON");
	bad("{\"format\":", "unexpected end of file");
	bad("[]", "xfrmd-known-issues/1");
	bad("{\"format\": \"other/1\", \"issues\": []}", "xfrmd-known-issues/1");
	bad("{\"format\": \"xfrmd-known-issues/1\", \"issues\": {}}", "issues");
	bad(ENTRY("1"), "issues[0]: entry: must be an object");
	bad(ENTRY("{" OK_FIELDS ", \"applies_to\": {\"mode\": \"tunnel\"}}"), "id: missing");
	bad(ENTRY("{\"id\": \"A B\", " OK_FIELDS ", \"applies_to\": {\"mode\": \"x\"}}"),
	    "id: only");
	bad(ENTRY("{\"id\": \"a\", \"title\": \"t\", \"remedy\": \"r\", \"severity\": \"fatal\", "
		  "\"sources\": [\"s\"], \"applies_to\": {\"mode\": \"x\"}}"),
	    "issues[0] (a): severity");
	bad(ENTRY("{\"id\": \"a\", \"title\": \"t\", \"remedy\": \"r\", \"severity\": \"info\", "
		  "\"sources\": [], \"applies_to\": {\"mode\": \"x\"}}"),
	    "sources");
	bad(ENTRY("{\"id\": \"a\", \"title\": 5, \"remedy\": \"r\", \"severity\": \"info\", "
		  "\"sources\": [\"s\"], \"applies_to\": {\"mode\": \"x\"}}"),
	    "title: must be a string");
	bad(ENTRY("{\"id\": \"a\", " OK_FIELDS ", \"applies_to\": {\"moon\": \"full\"}}"),
	    "moon: unknown condition");
	bad(ENTRY("{\"id\": \"a\", " OK_FIELDS ", \"applies_to\": {}}"), "at least one");
	bad(ENTRY("{\"id\": \"a\", " OK_FIELDS ", \"applies_to\": {\"kernel\": {}}}"),
	    "needs min or below");
	bad(ENTRY("{\"id\": \"a\", " OK_FIELDS
		  ", \"applies_to\": {\"kernel\": {\"min\": \"6.2\", \"below\": \"6.1\"}}}"),
	    "min must be below");
	bad(ENTRY("{\"id\": \"a\", " OK_FIELDS ", \"applies_to\": {\"sysctl\": {\"name\": \"x\"}}}"),
	    "value: missing");
	/* fixed_in: versions of older series, inside the range, only on versioned conditions */
	bad(ENTRY("{\"id\": \"a\", " OK_FIELDS ", \"applies_to\": {\"kernel\": {\"min\": \"5.0\", "
		  "\"below\": \"6.14\", \"fixed_in\": \"6.6.120\"}}}"),
	    "fixed_in must be a non-empty array");
	bad(ENTRY("{\"id\": \"a\", " OK_FIELDS ", \"applies_to\": {\"kernel\": {\"min\": \"5.0\", "
		  "\"below\": \"6.14\", \"fixed_in\": [\"6.6.x\"]}}}"),
	    "dotted numbers");
	bad(ENTRY("{\"id\": \"a\", " OK_FIELDS ", \"applies_to\": {\"kernel\": {\"min\": \"5.0\", "
		  "\"below\": \"6.14\", \"fixed_in\": [\"6.15.1\"]}}}"),
	    "outside [min, below)");
	bad(ENTRY("{\"id\": \"a\", " OK_FIELDS ", \"applies_to\": {\"kernel\": {\"min\": \"5.0\", "
		  "\"fixed_in\": [\"6.6.120\"]}}}"),
	    "fixed_in needs 'below'");
	bad(ENTRY("{\"id\": \"a\", " OK_FIELDS ", \"applies_to\": {\"sysctl\": {\"name\": \"x\", "
		  "\"value\": \"1\", \"fixed_in\": [\"1.2\"]}}}"),
	    "only for kernel and stack");
	bad(ENTRY("{\"id\": \"a\", " OK_FIELDS ", \"applies_to\": {\"mode\": \"x\"}}, "
		  "{\"id\": \"a\", " OK_FIELDS ", \"applies_to\": {\"mode\": \"x\"}}"),
	    "issues[1] (a): id: duplicate");
	bad("{\"a\": [[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]}", "not valid JSON");
	bad(ENTRY("{\"id\": \"a\", " OK_FIELDS ", \"applies_to\": {\"mode\": \"x\"}}") " trailing",
	    "not valid JSON");
}

static void test_large(void **state)
{
	size_t n = (1u << 20) + 10;
	char *big = malloc(n + 1);
	struct xd_kb *kb = NULL;
	char err[128];

	memset(big, ' ', n);
	big[n] = '\0';
	assert_int_equal(xd_kb_parse(big, n, &kb, err, sizeof(err)), -EFBIG);
	free(big);
	assert_int_equal(xd_kb_load("/nonexistent/known-issues.json", &kb, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "cannot open"));
}

static bool all_of(const char *s, size_t n, const char *set)
{
	for (size_t i = 0; i < n; i++)
		if (!s[i] || !strchr(set, s[i]))
			return false;
	return true;
}

#define HEX "0123456789abcdef"
#define DIGITS "0123456789"
#define NAMECH "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-"

/*
 * Check the identifiers in one source; return whether it holds a primary one (a CVE id, an
 * https URL, a tracker reference owner/repo#N, or a commit id of at least 12 hex digits).
 * A malformed identifier is a test failure, not a secondary source.
 */
static bool source_ok(const char *id, const char *src)
{
	bool primary = false;
	const char *p = src;

	while (*p) {
		size_t n = strcspn(p, " ;,()");
		if (n == 0) {
			p++;
			continue;
		}
		if (strncmp(p, "CVE-", 4) == 0 || strncmp(p, "cve-", 4) == 0) {
			/* CVE-YYYY-NNNN with four or more digits */
			if (n < 13 || !all_of(p + 4, 4, DIGITS) || p[8] != '-' || !all_of(p + 9, n - 9, DIGITS))
				fail_msg("%s: malformed CVE id in '%s'", id, src);
			primary = true;
		} else if (strncmp(p, "http", 4) == 0) {
			const char *host = p + 8;
			if (strncmp(p, "https://", 8) != 0 || memchr(host, '.', n - 8) == NULL)
				fail_msg("%s: URL must be https://host/... in '%s'", id, src);
			primary = true;
		} else if (memchr(p, '#', n)) {
			/* owner/repo#N */
			const char *hash = memchr(p, '#', n), *slash = memchr(p, '/', n);
			if (!slash || slash > hash || slash == p || hash == slash + 1 ||
			    !all_of(p, (size_t)(slash - p), NAMECH) ||
			    !all_of(slash + 1, (size_t)(hash - slash - 1), NAMECH) ||
			    (size_t)(hash - p) + 1 >= n || !all_of(hash + 1, n - (size_t)(hash - p) - 1, DIGITS))
				fail_msg("%s: tracker reference must be owner/repo#N in '%s'", id, src);
			primary = true;
		} else if (n >= 7 && n <= 40 && all_of(p, n, HEX) && strpbrk(p, "abcdef") &&
			   (size_t)(strpbrk(p, "abcdef") - p) < n) {
			/* a commit id: abbreviated to at least 12 digits so it stays unique */
			if (n < 12)
				fail_msg("%s: commit id '%.*s' shorter than 12 hex digits", id, (int)n, p);
			primary = true;
		}
		p += n;
	}
	return primary;
}

static void test_sources(void **state)
{
	struct xd_kb *kb = NULL;
	char err[512];

	assert_int_equal(xd_kb_load(XD_SRCKB, &kb, err, sizeof(err)), 0);
	for (size_t i = 0; i < kb->n; i++) {
		const struct xd_kb_entry *e = &kb->entries[i];
		bool primary = false;
		for (unsigned k = 0; k < e->n_sources; k++)
			primary |= source_ok(e->id, e->sources[k]);
		if (!primary)
			fail_msg("%s: no CVE id, https URL, owner/repo#N or commit id among its sources", e->id);
		/* a security entry reads a version number that cannot show a distribution's
		 * backport: info, and the remedy says so (docs/known-issues.md) */
		if (strstr(e->id, "-cve-")) {
			bool cited = false;
			if (e->severity != XD_SEV_INFO)
				fail_msg("%s: a CVE entry must be info", e->id);
			if (!strstr(e->remedy, "distribution backported"))
				fail_msg("%s: the remedy must name a backport", e->id);
			for (unsigned k = 0; k < e->n_sources; k++)
				cited |= strstr(e->sources[k], "CVE-") != NULL;
			if (!cited)
				fail_msg("%s: a CVE entry cites its CVE id", e->id);
		}
	}
	xd_kb_free(kb);
	/* the checker itself */
	assert_true(source_ok("t", "CVE-2023-30570"));
	assert_true(source_ok("t", "linux c196def07bbc (6.19)"));
	assert_true(source_ok("t", "strongswan/strongswan#2946"));
	assert_true(source_ok("t", "https://libreswan.org/security/CVE-2024-3652"));
	assert_false(source_ok("t", "strongSwan NEWS 5.9.12"));
}

static void test_version_cmp(void **state)
{
	assert_true(xd_version_cmp("6.12.13", "6.12.2") > 0);
	assert_true(xd_version_cmp("6.12", "6.12.0") == 0);
	assert_true(xd_version_cmp("6.12", "6.12.1") < 0);
	assert_true(xd_version_cmp("4.10", "4.9") > 0);
	assert_true(xd_version_cmp("5.15.0-rc3", "5.15") == 0);
	assert_true(xd_version_cmp("6.18.44-fc-v669", "6.18.44") == 0);
	assert_true(xd_version_in("4.14.5", "4.14", "4.15"));
	assert_false(xd_version_in("4.15.0", "4.14", "4.15"));
	assert_false(xd_version_in(NULL, "1", NULL));
	assert_true(xd_version_in("1.0", NULL, NULL));
}

/*
 * A stable backport: CVE-2024-57982 is in 4.9 to before 6.14 and fixed in 6.6.120, 6.12.13
 * and 6.13.2. 6.6.119 is affected, 6.6.120 and later 6.6.y are not, series without a backport
 * (6.1.y) stay affected, and releases outside the range never match.
 */
static void test_fixed_in(void **state)
{
	static const char text[] =
		ENTRY("{\"id\": \"a\", " OK_FIELDS ", \"applies_to\": {\"kernel\": "
		      "{\"min\": \"4.9\", \"below\": \"6.14\", "
		      "\"fixed_in\": [\"6.6.120\", \"6.12.13\", \"6.13.2\"]}}}");
	struct xd_kb *kb = NULL;
	char err[256];
	const struct xd_kb_cond *c;

	assert_int_equal(xd_kb_parse(text, strlen(text), &kb, err, sizeof(err)), 0);
	c = &kb->entries[0].conds[0];
	assert_int_equal(c->n_fixed, 3);
	assert_true(xd_kb_version_affected("6.6.119", c));
	assert_false(xd_kb_version_affected("6.6.120", c));
	assert_false(xd_kb_version_affected("6.6.140", c));
	assert_true(xd_kb_version_affected("6.12.12", c));
	assert_false(xd_kb_version_affected("6.12.13", c));
	assert_true(xd_kb_version_affected("6.13.1", c));
	assert_false(xd_kb_version_affected("6.13.2", c));
	assert_true(xd_kb_version_affected("6.1.158", c)); /* no 6.1 backport */
	assert_true(xd_kb_version_affected("6.6", c));      /* 6.6.0 is in the 6.6 series */
	assert_false(xd_kb_version_affected("6.14.0", c));
	assert_false(xd_kb_version_affected("4.4.300", c));
	assert_true(xd_kb_version_affected("6.1.200", c)); /* "6.12.13" does not cover 6.1.y */
	assert_false(xd_kb_version_affected(NULL, c));
	xd_kb_free(kb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_large),
		cmocka_unit_test(test_version_cmp),
		cmocka_unit_test(test_sources),
		cmocka_unit_test(test_fixed_in),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
