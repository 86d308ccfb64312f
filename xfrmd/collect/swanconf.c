/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * swanconf.c: strongswan.conf as a strongSwan daemon reads it, for the collectors that need
 * a setting from it (the VICI socket, the file loggers): include statements expanded in
 * place under the daemon's root, then a walk over its sections and settings. One reader,
 * so that every setting is found the same way (one-line sections, quotes, include globs).
 */
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collect-internal.h"
#include "xfrmd/file.h"
#include "xfrmd/util.h"

#define CONF_MAX_BYTES (1u << 20)       /* one file */
#define CONF_TREE_MAX_BYTES (4u << 20)  /* one strongswan.conf with everything it includes */
#define CONF_MAX_FILES 128u
#define CONF_MAX_DEPTH 8u

/* Trim spaces and tabs at both ends, in place. */
static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/*
 * strongswan.conf with its include statements expanded in place, as strongSwan reads it:
 * "include PATTERN" (a glob, relative to the including file's directory) stands for the
 * files it matches, in sorted order, at that point of the section it appears in (Debian's
 * strongswan.conf sets the plugins' settings through `include strongswan.d/charon/<plugin>.conf` globs
 * inside charon.plugins). Paths are the daemon's own, read under `root`. Bounded in files,
 * bytes and depth; a file that cannot be read is left out, as strongSwan does for a pattern.
 */
struct conf_load {
	const char *root;
	char *buf;
	size_t len, cap;
	unsigned files;
	bool cut; /* a bound was reached: no more includes (what was read still counts) */
};

static int conf_append(struct conf_load *l, const char *s, size_t n)
{
	if (l->len + n + 2 > CONF_TREE_MAX_BYTES)
		return -E2BIG;
	if (l->len + n + 2 > l->cap) {
		size_t cap = l->cap ? l->cap : 4096;
		char *b;
		while (cap < l->len + n + 2)
			cap *= 2;
		b = realloc(l->buf, cap);
		if (!b)
			return -ENOMEM;
		l->buf = b;
		l->cap = cap;
	}
	memcpy(l->buf + l->len, s, n);
	l->len += n;
	l->buf[l->len++] = '\n';
	l->buf[l->len] = '\0';
	return 0;
}

static int conf_load_file(struct conf_load *l, const char *path, unsigned depth);

static int conf_include(struct conf_load *l, const char *from, char *pattern, unsigned depth)
{
	char pat[1200], dir[600];
	size_t rl = strlen(l->root), pl = strlen(pattern);
	glob_t g;
	int r = 0;

	if (pl >= 2 && (pattern[0] == '"' || pattern[0] == '\'') && pattern[pl - 1] == pattern[0]) {
		pattern[pl - 1] = '\0';
		pattern++;
	}
	if (!pattern[0])
		return 0;
	if (pattern[0] == '/') {
		snprintf(pat, sizeof(pat), "%s%s", l->root, pattern);
	} else {
		const char *slash = strrchr(from, '/');
		snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - from) : 1,
			 slash ? from : ".");
		snprintf(pat, sizeof(pat), "%s%s/%s", l->root, dir, pattern);
	}
	if (glob(pat, 0, NULL, &g) != 0)
		return 0; /* nothing matches: strongSwan goes on without it */
	for (size_t i = 0; i < g.gl_pathc && r != -ENOMEM && !l->cut; i++) {
		if (strncmp(g.gl_pathv[i], l->root, rl) != 0)
			continue;
		r = conf_load_file(l, g.gl_pathv[i] + rl, depth);
	}
	globfree(&g);
	return r == -ENOMEM ? r : 0;
}

static int conf_load_file(struct conf_load *l, const char *path, unsigned depth)
{
	char full[1200], *text = NULL;
	size_t len = 0;
	int r;

	if (depth > CONF_MAX_DEPTH || ++l->files > CONF_MAX_FILES) {
		l->cut = true; /* includes that include each other end here */
		return 0;
	}
	snprintf(full, sizeof(full), "%s%s", l->root, path);
	r = xd_file_read(full, 0, CONF_MAX_BYTES, &text, &len, NULL);
	if (r < 0)
		return r;
	for (char *line = text; r >= 0 && line < text + len;) {
		char *end = memchr(line, '\n', (size_t)(text + len - line)), *p = line;
		size_t n = end ? (size_t)(end - line) : strlen(line);

		line[n] = '\0';
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncmp(p, "include", 7) == 0 && (p[7] == ' ' || p[7] == '\t')) {
			char *hash = strchr(p + 8, '#');
			if (hash)
				*hash = '\0';
			if (!l->cut)
				r = conf_include(l, path, trim(p + 8), depth + 1);
		} else {
			r = conf_append(l, line, n);
			if (r == -E2BIG) {
				l->cut = true;
				r = 0;
				break;
			}
		}
		line += n + 1;
	}
	free(text);
	return r;
}

int xd_swanconf_load(const char *root, const char *conf, char **ret)
{
	struct conf_load l = { .root = root ? root : "" };
	int r;

	*ret = NULL;
	if (conf[0] != '/')
		return -EINVAL;
	r = conf_load_file(&l, conf, 0);
	if (!l.buf)
		return r < 0 ? r : -ENODATA;
	/* a tree cut short by a bound is still read up to there */
	*ret = l.buf;
	return 0;
}

/*
 * Sections are "name {" ... "}", settings "key = value", "#" starts a comment. A section may
 * open and close on one line ("vici { socket = unix:///x }"), so braces split a line into
 * statements. Quotes around a value are removed.
 */
void xd_swanconf_walk(char *text, xd_swanconf_fn fn, void *ud)
{
	char path[512] = "";
	size_t plen_stack[32];
	unsigned depth = 0;

	for (char *save = NULL, *line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		/* one statement at a time: up to the next brace, the brace included */
		for (char *st = line; st && *st;) {
			size_t n = strcspn(st, "{}");
			char brace = st[n], *next = brace ? st + n + 1 : NULL, *eq;
			st[n] = '\0';
			st = trim(st);
			eq = strchr(st, '=');
			if (brace == '{' && !eq) {
				if (depth >= XD_ARRAY_SIZE(plen_stack))
					return;
				fn(ud, path, st, NULL);
				plen_stack[depth++] = strlen(path);
				snprintf(path + strlen(path), sizeof(path) - strlen(path), "%s%s",
					 path[0] ? "." : "", st);
			} else if (eq) {
				char *val;
				size_t vl;
				*eq = '\0';
				val = trim(eq + 1);
				vl = strlen(val);
				if (vl >= 2 && val[0] == '"' && val[vl - 1] == '"') {
					val[vl - 1] = '\0';
					val++;
				}
				fn(ud, path, trim(st), val);
			}
			if (brace == '}' && depth > 0)
				path[plen_stack[--depth]] = '\0';
			st = next;
		}
	}
}
