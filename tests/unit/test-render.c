/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-render.c: renderers on hostile strings (interface names, security contexts,
 * algorithm names with quotes, backslashes and control characters): JSON parses with json-c
 * and round-trips exactly; text has no control byte but newline and tab; no "(null)".
 */
#include <json-c/json.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "model-builder.h"
#include "xfrmd/diag.h"
#include "xfrmd/render.h"

static const char hostile[] = "x\033[31mRED a\"b\\c\x01\x7f end";
static const char not_utf8[] = "eth\xe0\x15v\xff";

static char *render(const struct xd_snapshot *s, bool json, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	struct xd_render_opts o = { .verbose = true };

	assert_non_null(f);
	if (json)
		assert_int_equal(xd_render_json(f, s, XD_RENDER_SA | XD_RENDER_POLICY | XD_RENDER_STATS | XD_RENDER_STATUS, &o), 0);
	else
		assert_int_equal(xd_render_text(f, s, XD_RENDER_SA | XD_RENDER_POLICY | XD_RENDER_STATS | XD_RENDER_STATUS, &o), 0);
	fclose(f);
	return buf;
}

static struct xd_snapshot *hostile_model(void)
{
	struct xd_snapshot *s = mb_new();
	struct xd_sa *sa = mb_sa(s, "192.0.2.1", "198.51.100.7", 50, 1, 1, 1);

	mb_algs(sa)->aead.name = xd_snapshot_intern(s, hostile, sizeof(hostile));
	sa->ext = xd_snapshot_alloc(s, sizeof(*sa->ext));
	sa->ext->sec_ctx = xd_snapshot_intern(s, hostile, sizeof(hostile));
	sa->has |= XD_SA_HAS_SEC_CTX;
	mb_sa(s, "2001:db8::1", "2001:db8::2", 51, 2, 2, 0)->proto = 200; /* unknown proto */
	mb_algs(xd_vec_at(&s->sas, 1))->auth.name = xd_snapshot_intern(s, not_utf8, sizeof(not_utf8));
	((struct xd_sa *)xd_vec_at(&s->sas, 1))->has |= XD_SA_HAS_AUTH;
	mb_policy(s, 7, "10.0.0.0/8", "10.0.0.0/8", 5, 9); /* unknown dir and action */
	mb_counter(s, "XfrmInNoStates", 3);
	mb_finish(s);
	return s;
}

static void test_json_round_trips_hostile_strings(void **st)
{
	struct xd_snapshot *s = hostile_model();
	size_t len;
	char *out = render(s, true, &len);
	struct json_object *doc = json_tokener_parse(out);
	struct json_object *sas, *sa, *v;

	assert_non_null(doc);
	assert_true(json_object_object_get_ex(doc, "meta", &v));
	assert_true(json_object_object_get_ex(doc, "sas", &sas));
	assert_int_equal(json_object_array_length(sas), 2);
	/* sorted by family: the IPv4 SA first */
	sa = json_object_array_get_idx(sas, 0);
	assert_true(json_object_object_get_ex(sa, "sec_ctx", &v));
	assert_string_equal(json_object_get_string(v), hostile);
	/* unknown kernel values stay numbers */
	sa = json_object_array_get_idx(sas, 1);
	assert_true(json_object_object_get_ex(sa, "proto", &v));
	assert_int_equal(json_object_get_int(v), 200);
	assert_null(strstr(out, "(null)"));
	assert_null(strstr(out, "null"));
	/* invalid UTF-8 from the kernel becomes \\xNN text: the document stays valid */
	assert_non_null(strstr(out, "eth\\\\xe0\\u0015v\\\\xff"));
	json_object_put(doc);
	free(out);
	xd_snapshot_free(s);
}

static void test_text_has_no_control_bytes(void **st)
{
	struct xd_snapshot *s = hostile_model();
	size_t len;
	char *out = render(s, false, &len);

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)out[i];
		if (c == '\n' || c == '\t')
			continue;
		assert_true(c >= 0x20 && c != 0x7f);
	}
	assert_null(strstr(out, "(null)"));
	free(out);
	xd_snapshot_free(s);
}

static void test_findings_json(void **st)
{
	struct xd_snapshot *s = hostile_model();
	struct xd_findings f;
	struct xd_diag_ctx ctx = { .now = s };
	char *buf = NULL;
	size_t len;
	FILE *fp = open_memstream(&buf, &len);

	xd_diag_opts_default(&ctx.opts);
	xd_findings_init(&f);
	assert_int_equal(xd_diag_run(&ctx, &f), 0);
	assert_true(f.items.len > 0);
	assert_int_equal(xd_render_findings_json(fp, s, &f, NULL), 0);
	fclose(fp);
	struct json_object *doc = json_tokener_parse(buf), *arr, *first, *v;
	assert_non_null(doc);
	assert_true(json_object_object_get_ex(doc, "findings", &arr));
	first = json_object_array_get_idx(arr, 0);
	for (const char *k = "id\0severity\0summary\0subject\0evidence\0remedy\0doc\0"; *k; k += strlen(k) + 1)
		assert_true(json_object_object_get_ex(first, k, &v));
	json_object_put(doc);
	free(buf);
	xd_findings_done(&f);
	xd_snapshot_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_round_trips_hostile_strings),
		cmocka_unit_test(test_text_has_no_control_bytes),
		cmocka_unit_test(test_findings_json),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
