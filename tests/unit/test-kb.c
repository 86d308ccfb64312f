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
	assert_true(kb->n >= 5);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_large),
		cmocka_unit_test(test_version_cmp),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
