/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kb.c: parsing the known-issues file with json-c. Size and depth are capped before json-c
 * sees the bytes; each member's type is checked; the first error is reported as
 * "issues[N] (id): member: problem" and nothing half-parsed is returned.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xd-config.h"
#include "xfrmd/file.h"
#include "xfrmd/kb.h"

#define KB_MAX_BYTES (1u << 20)
#define KB_MAX_DEPTH 8
#define KB_MAX_ENTRIES 4096

static const struct {
	const char *key;
	enum xd_kb_cond_kind kind;
} cond_keys[] = {
	{ "kernel", XD_KB_COND_KERNEL },       { "stack", XD_KB_COND_STACK },
	{ "sysctl", XD_KB_COND_SYSCTL },       { "config", XD_KB_COND_CONFIG },
	{ "capability", XD_KB_COND_CAPABILITY }, { "feature", XD_KB_COND_FEATURE },
	{ "mode", XD_KB_COND_MODE },           { "release_contains", XD_KB_COND_RELEASE },
};

int xd_version_cmp(const char *a, const char *b)
{
	while (*a || *b) {
		unsigned long x = 0, y = 0;
		while (isdigit((unsigned char)*a))
			x = x * 10 + (unsigned long)(*a++ - '0');
		while (isdigit((unsigned char)*b))
			y = y * 10 + (unsigned long)(*b++ - '0');
		if (x != y)
			return x < y ? -1 : 1;
		/* only '.' continues a version; anything else ("-amd64", "rc1") ends it */
		if (*a != '.' || *b != '.') {
			bool ma = *a == '.', mb = *b == '.';
			if (ma == mb)
				return 0;
			/* "6.12" vs "6.12.1": the shorter is smaller unless the rest is zero */
			return xd_version_cmp(ma ? a + 1 : "0", mb ? b + 1 : "0");
		}
		a++;
		b++;
	}
	return 0;
}

bool xd_version_in(const char *v, const char *min, const char *below)
{
	if (!v)
		return false;
	if (min && xd_version_cmp(v, min) < 0)
		return false;
	if (below && xd_version_cmp(v, below) >= 0)
		return false;
	return true;
}

/* Does v belong to the series of fixed release f ("6.1.120" -> "6.1.x": all parts of f
 * but the last equal the leading parts of v)? */
static bool same_series(const char *v, const char *f)
{
	const char *last = strrchr(f, '.');

	if (!last)
		return false;
	for (const char *p = f; p < last;) {
		unsigned long x = 0, y = 0;
		if (!isdigit((unsigned char)*p) || !isdigit((unsigned char)*v))
			return false;
		while (isdigit((unsigned char)*p))
			x = x * 10 + (unsigned long)(*p++ - '0');
		while (isdigit((unsigned char)*v))
			y = y * 10 + (unsigned long)(*v++ - '0');
		if (x != y)
			return false;
		if (p < last) {
			if (*p != '.' || *v != '.')
				return false;
			p++;
			v++;
		}
	}
	/* "6.1" itself belongs to "6.1.x" (patch level 0) */
	return *v == '.' || *v == '\0' || !isdigit((unsigned char)*v);
}

bool xd_kb_version_affected(const char *v, const struct xd_kb_cond *c)
{
	if (!xd_version_in(v, c->min, c->below))
		return false;
	for (unsigned i = 0; i < c->n_fixed; i++)
		if (same_series(v, c->fixed_in[i]) && xd_version_cmp(v, c->fixed_in[i]) >= 0)
			return false;
	return true;
}

static void entry_done(struct xd_kb_entry *e)
{
	free(e->id);
	free(e->title);
	free(e->detail);
	free(e->remedy);
	for (unsigned i = 0; i < e->n_sources; i++)
		free(e->sources[i]);
	for (unsigned i = 0; i < e->n_conds; i++) {
		free(e->conds[i].name);
		free(e->conds[i].value);
		free(e->conds[i].min);
		free(e->conds[i].below);
		for (unsigned k = 0; k < e->conds[i].n_fixed; k++)
			free(e->conds[i].fixed_in[k]);
	}
}

struct xd_kb *xd_kb_free(struct xd_kb *kb)
{
	if (!kb)
		return NULL;
	for (size_t i = 0; i < kb->n; i++)
		entry_done(&kb->entries[i]);
	free(kb->entries);
	free(kb);
	return NULL;
}

struct perr {
	char *buf;
	size_t len;
	size_t index;
	const char *id;
};

static int fail(struct perr *p, const char *member, const char *what)
{
	if (p->id)
		snprintf(p->buf, p->len, "issues[%zu] (%s): %s: %s", p->index, p->id, member, what);
	else
		snprintf(p->buf, p->len, "issues[%zu]: %s: %s", p->index, member, what);
	return -EINVAL;
}

/* A string member; required or optional. *ret is a fresh copy or NULL. */
static int get_str(struct json_object *o, const char *key, bool required, char **ret,
		   struct perr *p)
{
	struct json_object *v;

	*ret = NULL;
	if (!json_object_object_get_ex(o, key, &v)) {
		return required ? fail(p, key, "missing") : 0;
	}
	if (!json_object_is_type(v, json_type_string))
		return fail(p, key, "must be a string");
	if (json_object_get_string_len(v) == 0 || json_object_get_string_len(v) > 4096)
		return fail(p, key, "empty or longer than 4096 bytes");
	*ret = strdup(json_object_get_string(v));
	return *ret ? 0 : -ENOMEM;
}

/* fixed_in: releases of older series with the fix, each inside [min, below) */
static int parse_fixed(struct json_object *v, enum xd_kb_cond_kind kind, const char *key,
		       struct xd_kb_cond *c, struct perr *p)
{
	struct json_object *a;

	if (!json_object_object_get_ex(v, "fixed_in", &a))
		return 0;
	if (kind != XD_KB_COND_KERNEL && kind != XD_KB_COND_STACK)
		return fail(p, key, "fixed_in is only for kernel and stack conditions");
	if (!json_object_is_type(a, json_type_array) || json_object_array_length(a) == 0)
		return fail(p, key, "fixed_in must be a non-empty array of versions");
	if (!c->below)
		return fail(p, key, "fixed_in needs 'below' (the release that has the fix)");
	for (size_t i = 0; i < json_object_array_length(a); i++) {
		struct json_object *s = json_object_array_get_idx(a, i);
		const char *f;
		if (c->n_fixed >= XD_KB_MAX_FIXED)
			return fail(p, key, "fixed_in: too many (at most 16)");
		if (!json_object_is_type(s, json_type_string))
			return fail(p, key, "fixed_in: each version must be a string");
		f = json_object_get_string(s);
		if (!isdigit((unsigned char)f[0]) || !strchr(f, '.') ||
		    strspn(f, "0123456789.") != strlen(f) || f[strlen(f) - 1] == '.')
			return fail(p, key, "fixed_in: a version is dotted numbers (\"6.1.120\")");
		if (!xd_version_in(f, c->min, c->below))
			return fail(p, key, "fixed_in: a version lies outside [min, below)");
		if (!(c->fixed_in[c->n_fixed++] = strdup(f)))
			return -ENOMEM;
	}
	return 0;
}

static int parse_cond(struct json_object *v, enum xd_kb_cond_kind kind, const char *key,
		      struct xd_kb_cond *c, struct perr *p)
{
	int r;

	c->kind = kind;
	if (kind == XD_KB_COND_MODE || kind == XD_KB_COND_RELEASE) {
		if (!json_object_is_type(v, json_type_string) || json_object_get_string_len(v) == 0)
			return fail(p, key, "must be a non-empty string");
		c->value = strdup(json_object_get_string(v));
		return c->value ? 0 : -ENOMEM;
	}
	if (!json_object_is_type(v, json_type_object))
		return fail(p, key, "must be an object");
	if ((r = get_str(v, "name", kind != XD_KB_COND_KERNEL, &c->name, p)) < 0 ||
	    (r = get_str(v, "value", kind == XD_KB_COND_SYSCTL || kind == XD_KB_COND_CONFIG ||
					     kind == XD_KB_COND_CAPABILITY ||
					     kind == XD_KB_COND_FEATURE,
			 &c->value, p)) < 0 ||
	    (r = get_str(v, "min", false, &c->min, p)) < 0 ||
	    (r = get_str(v, "below", false, &c->below, p)) < 0)
		return r;
	if (kind == XD_KB_COND_KERNEL && !c->min && !c->below)
		return fail(p, key, "needs min or below");
	if (c->min && c->below && xd_version_cmp(c->min, c->below) >= 0)
		return fail(p, key, "min must be below 'below'");
	return parse_fixed(v, kind, key, c, p);
}

static int parse_entry(struct json_object *o, struct xd_kb_entry *e, struct perr *p)
{
	struct json_object *v;
	char *sev = NULL;
	int r;

	if (!json_object_is_type(o, json_type_object))
		return fail(p, "entry", "must be an object");
	if ((r = get_str(o, "id", true, &e->id, p)) < 0)
		return r;
	p->id = e->id;
	for (const char *c = e->id; *c; c++)
		if (!islower((unsigned char)*c) && !isdigit((unsigned char)*c) && *c != '-' &&
		    *c != '.' && *c != '_')
			return fail(p, "id", "only a-z, 0-9, '-', '_' and '.' are allowed");
	if ((r = get_str(o, "title", true, &e->title, p)) < 0 ||
	    (r = get_str(o, "detail", false, &e->detail, p)) < 0 ||
	    (r = get_str(o, "remedy", true, &e->remedy, p)) < 0 ||
	    (r = get_str(o, "severity", true, &sev, p)) < 0)
		return r;
	e->severity = xd_severity_from_name(sev);
	free(sev);
	if (e->severity == _XD_SEV_MAX)
		return fail(p, "severity", "must be info, warning or error");
	if (!json_object_object_get_ex(o, "sources", &v) || !json_object_is_type(v, json_type_array) ||
	    json_object_array_length(v) == 0)
		return fail(p, "sources", "must be a non-empty array: every entry cites its source");
	for (size_t i = 0; i < json_object_array_length(v); i++) {
		struct json_object *s = json_object_array_get_idx(v, i);
		if (e->n_sources >= XD_KB_MAX_SOURCES)
			return fail(p, "sources", "too many (at most 4)");
		if (!json_object_is_type(s, json_type_string) || json_object_get_string_len(s) == 0)
			return fail(p, "sources", "each source must be a non-empty string");
		if (!(e->sources[e->n_sources++] = strdup(json_object_get_string(s))))
			return -ENOMEM;
	}
	if (!json_object_object_get_ex(o, "applies_to", &v) ||
	    !json_object_is_type(v, json_type_object))
		return fail(p, "applies_to", "must be an object");
	json_object_object_foreach(v, key, val) {
		size_t k;
		for (k = 0; k < XD_ARRAY_SIZE(cond_keys); k++)
			if (xd_streq(key, cond_keys[k].key))
				break;
		if (k == XD_ARRAY_SIZE(cond_keys))
			return fail(p, key, "unknown condition");
		if (e->n_conds >= XD_KB_MAX_CONDS)
			return fail(p, "applies_to", "too many conditions");
		r = parse_cond(val, cond_keys[k].kind, key, &e->conds[e->n_conds++], p);
		if (r < 0)
			return r;
	}
	if (!e->n_conds)
		return fail(p, "applies_to", "needs at least one condition");
	return 0;
}

int xd_kb_parse(const char *text, size_t len, struct xd_kb **ret, char *err, size_t errlen)
{
	struct perr p = { .buf = err, .len = errlen };
	struct json_tokener *tok;
	struct json_object *root = NULL, *issues, *fmt;
	struct xd_kb *kb;
	int r = 0;

	if (errlen)
		err[0] = '\0';
	if (len > KB_MAX_BYTES) {
		snprintf(err, errlen, "larger than %u bytes", KB_MAX_BYTES);
		return -EFBIG;
	}
	tok = json_tokener_new_ex(KB_MAX_DEPTH);
	if (!tok)
		return -ENOMEM;
	root = json_tokener_parse_ex(tok, text, (int)len);
	if (!root || json_tokener_get_error(tok) != json_tokener_success ||
	    tok->char_offset != (int)len) {
		enum json_tokener_error je = json_tokener_get_error(tok);
		snprintf(err, errlen, "not valid JSON near byte %d: %s", tok->char_offset,
			 je == json_tokener_continue ? "unexpected end of file"
			 : je == json_tokener_success ? "trailing bytes after the document"
						      : json_tokener_error_desc(je));
		json_tokener_free(tok);
		json_object_put(root);
		return -EINVAL;
	}
	json_tokener_free(tok);
	if (!json_object_is_type(root, json_type_object) ||
	    !json_object_object_get_ex(root, "format", &fmt) ||
	    !json_object_is_type(fmt, json_type_string) ||
	    !xd_streq(json_object_get_string(fmt), "xfrmd-known-issues/1") ||
	    !json_object_object_get_ex(root, "issues", &issues) ||
	    !json_object_is_type(issues, json_type_array)) {
		snprintf(err, errlen, "expected an object with \"format\": \"xfrmd-known-issues/1\" "
				      "and an \"issues\" array");
		json_object_put(root);
		return -EINVAL;
	}
	kb = calloc(1, sizeof(*kb));
	if (!kb) {
		json_object_put(root);
		return -ENOMEM;
	}
	if (json_object_array_length(issues) > KB_MAX_ENTRIES) {
		snprintf(err, errlen, "more than %u issues", KB_MAX_ENTRIES);
		r = -E2BIG;
	} else {
		kb->entries = calloc(json_object_array_length(issues) + 1, sizeof(*kb->entries));
		if (!kb->entries)
			r = -ENOMEM;
	}
	for (size_t i = 0; r == 0 && i < json_object_array_length(issues); i++) {
		p.index = i;
		p.id = NULL;
		kb->n = i + 1;
		r = parse_entry(json_object_array_get_idx(issues, i), &kb->entries[i], &p);
		for (size_t j = 0; r == 0 && j < i; j++)
			if (xd_streq(kb->entries[j].id, kb->entries[i].id))
				r = fail(&p, "id", "duplicate");
	}
	json_object_put(root);
	if (r < 0) {
		if (r == -ENOMEM && errlen)
			snprintf(err, errlen, "out of memory");
		xd_kb_free(kb);
		return r;
	}
	*ret = kb;
	return 0;
}

int xd_kb_load(const char *path, struct xd_kb **ret, char *err, size_t errlen)
{
	char *buf = NULL;
	size_t len = 0;
	int r;

	if (errlen)
		err[0] = '\0';
	r = xd_file_read(path, 0, KB_MAX_BYTES, &buf, &len, NULL);
	if (r == -EFBIG) {
		snprintf(err, errlen, "larger than %u bytes", KB_MAX_BYTES);
		return r;
	}
	if (r < 0) {
		snprintf(err, errlen, "cannot open: %s", xd_file_strerror(r));
		return r;
	}
	r = xd_kb_parse(buf, len, ret, err, errlen);
	free(buf);
	return r;
}

const char *xd_kb_default_path(void)
{
	static const char *const paths[] = { XD_DATADIR "/known-issues.json", XD_SRCKB };
	const char *env = secure_getenv("XFRMD_KNOWN_ISSUES");

	if (env && *env)
		return env;
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		if (access(paths[i], R_OK) == 0)
			return paths[i];
	return NULL;
}

int xd_kb_load_default(struct xd_kb **ret, char *err, size_t errlen)
{
	const char *path = xd_kb_default_path();
	char why[448];
	int r;

	*ret = NULL;
	if (!path) {
		snprintf(err, errlen, "no known-issues file found (set XFRMD_KNOWN_ISSUES)");
		return -ENOENT;
	}
	r = xd_kb_load(path, ret, why, sizeof(why));
	if (r < 0)
		snprintf(err, errlen, "known-issues file '%s': %s", path, why);
	return r;
}
