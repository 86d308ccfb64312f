/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ikeconf.c: reads the few facts about credentials that an IKE daemon's configuration states
 * (which certificate a connection uses, which identities it expects) out of swanctl.conf and
 * ipsec.conf. Only those facts leave this file: swanctl.conf may hold PSKs and private key
 * passphrases in its secrets section, which is parsed over and never stored, and every buffer
 * that held a file is wiped. Parsing is tolerant (unknown syntax is skipped), works on
 * (bytes, length) without a terminator, and is bounded per configuration tree: file size,
 * total bytes, files opened, include statements, matches per include, include nesting. Each
 * file is read at most once per tree (by path before opening, by device and inode after), so
 * files that include each other cost one read each, not a geometric fan-out.
 */
#include <errno.h>
#include <glob.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xfrmd/ikeconf.h"
#include "xfrmd/util.h"

#define MAX_DEPTH 16
#define MAX_TOKEN 512
#define MAX_LINE 2048

/* one note per kind of bound, however often it is hit */
enum limit {
	LIMIT_FILES = 1u << 0,
	LIMIT_BYTES = 1u << 1,
	LIMIT_INCLUDES = 1u << 2,
	LIMIT_MATCHES = 1u << 3,
	LIMIT_DEPTH = 1u << 4,
};

enum syntax { SYNTAX_SWAN, SYNTAX_IPSEC };

struct parser {
	const struct xd_ikeconf_io *io;
	struct xd_ikeconf *out;
	enum syntax syntax;
	/* swanctl: the section path */
	char path[MAX_DEPTH][MAX_TOKEN];
	unsigned depth;
	/* ipsec.conf: "conn %default" */
	struct xd_ikeconf_conn def;
	/* bounds */
	int include_depth;
	unsigned includes;
	unsigned limits_noted;
	char **cut; /* named by an include beyond the nesting bound, not read then */
	size_t n_cut;
	bool cut_overflow;
	char cut_from[512];
	char **seen_paths;
	size_t n_seen_paths;
	struct xd_file_id *seen_ids;
	size_t n_seen_ids;
};

void xd_ikeconf_done(struct xd_ikeconf *c)
{
	free(c->conns);
	*c = (struct xd_ikeconf){ 0 };
}

static void note(struct parser *p, const char *file, const char *what)
{
	struct xd_ikeconf *o = p->out;

	if (o->n_notes >= XD_IKECONF_MAX_NOTES)
		return;
	xd_strlcpy(o->notes[o->n_notes].file, file, sizeof(o->notes[0].file));
	xd_strlcpy(o->notes[o->n_notes].what, what, sizeof(o->notes[0].what));
	o->n_notes++;
}

static void note_limit(struct parser *p, enum limit l, const char *file, const char *what)
{
	if (p->limits_noted & l)
		return;
	p->limits_noted |= l;
	note(p, file, what);
}

static struct xd_ikeconf_conn *conn_get(struct xd_ikeconf *c, const char *name, const char *file)
{
	for (size_t i = 0; i < c->n; i++)
		if (xd_streq(c->conns[i].name, name))
			return &c->conns[i];
	if (c->n >= XD_IKECONF_MAX_CONNS)
		return NULL;
	if (c->n == c->cap) {
		size_t ncap = c->cap ? c->cap * 2 : 8;
		struct xd_ikeconf_conn *n = realloc(c->conns, ncap * sizeof(*n));
		if (!n)
			return NULL;
		c->conns = n;
		c->cap = ncap;
	}
	struct xd_ikeconf_conn *k = &c->conns[c->n++];
	*k = (struct xd_ikeconf_conn){ 0 };
	xd_strlcpy(k->name, name, sizeof(k->name));
	xd_strlcpy(k->file, file, sizeof(k->file));
	return k;
}

/* The first entry of a comma-separated list, trimmed. */
static void first_of_list(char *dst, size_t len, const char *v)
{
	char *c;

	while (*v == ' ' || *v == '\t')
		v++;
	xd_strlcpy(dst, v, len);
	c = strchr(dst, ',');
	if (c)
		*c = '\0';
	for (size_t n = strlen(dst); n && (dst[n - 1] == ' ' || dst[n - 1] == '\t');)
		dst[--n] = '\0';
}

/* ---- files and includes ---- */

static int parse_bytes(struct parser *p, const char *file, const char *buf, size_t len);

static bool path_seen(struct parser *p, const char *path)
{
	for (size_t i = 0; i < p->n_seen_paths; i++)
		if (xd_streq(p->seen_paths[i], path))
			return true;
	return false;
}

static bool id_seen(struct parser *p, const struct xd_file_id *id)
{
	for (size_t i = 0; i < p->n_seen_ids; i++)
		if (p->seen_ids[i].dev == id->dev && p->seen_ids[i].ino == id->ino)
			return true;
	return false;
}

/*
 * Read and parse one file of the tree, unless it was read already or a bound is reached.
 * Returns 0 or the read error (-ENOENT, -EINVAL for a FIFO or device, -E2BIG for a bound).
 */
static int parse_file(struct parser *p, const char *path, bool top)
{
	struct xd_ikeconf *o = p->out;
	struct xd_file_id id = { 0 };
	char *buf = NULL;
	size_t len = 0;
	int r;

	if (path_seen(p, path))
		return 0; /* no syscall at all for the common case: the same glob seen again */
	if (o->files >= XD_IKECONF_MAX_FILES) {
		note_limit(p, LIMIT_FILES, path,
			   "more than 256 configuration files: the rest not read");
		return -E2BIG;
	}
	if (!p->seen_paths) {
		p->seen_paths = calloc(XD_IKECONF_MAX_FILES, sizeof(*p->seen_paths));
		p->seen_ids = calloc(XD_IKECONF_MAX_FILES, sizeof(*p->seen_ids));
		if (!p->seen_paths || !p->seen_ids)
			return -ENOMEM;
	}
	p->seen_paths[p->n_seen_paths] = strdup(path);
	if (!p->seen_paths[p->n_seen_paths])
		return -ENOMEM;
	p->n_seen_paths++;
	o->files++;
	r = p->io->read(p->io->userdata, path, XD_IKECONF_MAX_FILE_BYTES, &buf, &len, &id);
	if (r < 0) {
		/* a missing top file only means that stack is not configured here */
		if (r == -EFBIG)
			note(p, path, "file larger than 1 MiB: not read");
		else if (r != -ENOENT || !top)
			note(p, path, xd_file_strerror(r));
		return r;
	}
	if (id_seen(p, &id)) {
		r = 0; /* the same file by another name (symlink, "..", hard link) */
	} else if (o->bytes + len > XD_IKECONF_MAX_TREE_BYTES) {
		note_limit(p, LIMIT_BYTES, path,
			   "configuration larger than 8 MiB in total: the rest not read");
		r = -E2BIG;
	} else {
		p->seen_ids[p->n_seen_ids++] = id;
		o->bytes += len;
		r = parse_bytes(p, path, buf, len);
	}
	/* a secret value may sit in this buffer: do not leave it in freed heap */
	explicit_bzero(buf, len);
	free(buf);
	return r;
}

struct include_ctx {
	struct parser *p;
	const char *from;
	unsigned matches;
};

/*
 * At the nesting bound: remember what the include names and is not read yet. Files that
 * include each other reach the bound while the rest of the tree still reads those files by a
 * shorter path; only what stays unread at the end is a loss (see finish()).
 */
static int include_cut(void *userdata, const char *path)
{
	struct include_ctx *c = userdata;
	struct parser *p = c->p;

	if (path_seen(p, path))
		return 0;
	for (size_t i = 0; i < p->n_cut; i++)
		if (xd_streq(p->cut[i], path))
			return 0;
	if (!p->cut)
		p->cut = calloc(XD_IKECONF_MAX_FILES, sizeof(*p->cut));
	if (!p->cut || p->n_cut == XD_IKECONF_MAX_FILES || !(p->cut[p->n_cut] = strdup(path))) {
		p->cut_overflow = true; /* more than a tree may read anyway: a loss for sure */
		return -E2BIG;
	}
	if (!p->n_cut)
		xd_strlcpy(p->cut_from, c->from, sizeof(p->cut_from));
	p->n_cut++;
	return 0;
}

static int include_one(void *userdata, const char *path)
{
	struct include_ctx *c = userdata;

	if (c->matches++ >= XD_IKECONF_MAX_MATCHES) {
		note_limit(c->p, LIMIT_MATCHES, c->from,
			   "an include names more than 64 files: the rest not read");
		return -E2BIG;
	}
	return parse_file(c->p, path, false) == -ENOMEM ? -ENOMEM : 0;
}

/* "include PATTERN": a glob, relative to the including file's directory unless absolute. */
static int include(struct parser *p, const char *from, const char *pattern)
{
	struct include_ctx c = { .p = p, .from = from };
	char pat[1024];
	const char *slash;
	int r;

	if (!pattern[0] || !p->io || !p->io->expand)
		return 0;
	if (++p->includes > XD_IKECONF_MAX_INCLUDES) {
		note_limit(p, LIMIT_INCLUDES, from,
			   "more than 512 include statements: the rest not followed");
		return 0;
	}
	slash = strrchr(from, '/');
	if (pattern[0] == '/' || !slash)
		r = snprintf(pat, sizeof(pat), "%s", pattern);
	else
		r = snprintf(pat, sizeof(pat), "%.*s/%s", (int)(slash - from), from, pattern);
	if (r < 0 || (size_t)r >= sizeof(pat))
		return 0;
	if (p->include_depth >= XD_IKECONF_MAX_INCLUDE_DEPTH) {
		if (!p->cut_overflow)
			r = p->io->expand(p->io->userdata, pat, include_cut, &c);
		return r == -ENOMEM ? r : 0;
	}
	p->include_depth++;
	r = p->io->expand(p->io->userdata, pat, include_one, &c);
	p->include_depth--;
	return r == -ENOMEM ? r : 0;
}

/* ---- swanctl.conf / strongswan.conf: sections, key = value, include ---- */

static void swan_value(struct parser *p, const char *file, const char *key, const char *val)
{
	struct xd_ikeconf_conn *c;
	const char *side;
	bool local;

	/* connections.<conn>.children.<child>.start_action: the strongest of the children */
	if (p->depth == 4 && xd_streq(p->path[0], "connections") &&
	    xd_streq(p->path[2], "children") && xd_streq(key, "start_action")) {
		c = conn_get(p->out, p->path[1], file);
		if (c && (!c->start_action[0] || strstr(val, "start") ||
			  (strstr(val, "trap") && !strstr(c->start_action, "start"))))
			xd_strlcpy(c->start_action, val, sizeof(c->start_action));
		return;
	}
	/* connections.<conn>.local*|remote*.<key>; everything else (secrets!) is ignored */
	if (p->depth != 3 || !xd_streq(p->path[0], "connections"))
		return;
	side = p->path[2];
	if (!strncmp(side, "local", 5))
		local = true;
	else if (!strncmp(side, "remote", 6))
		local = false;
	else
		return;
	if (!xd_streq(key, "id") && !xd_streq(key, "certs"))
		return;
	c = conn_get(p->out, p->path[1], file);
	if (!c)
		return;
	/* the first round (local/local-1) wins: it is what the daemon tries first */
	if (xd_streq(key, "id")) {
		char *dst = local ? c->local_id : c->remote_id;
		if (!dst[0])
			xd_strlcpy(dst, val, sizeof(c->local_id));
	} else {
		char *dst = local ? c->local_cert : c->remote_cert;
		if (!dst[0])
			first_of_list(dst, sizeof(c->local_cert), val);
	}
}

static const char *skip_blank(const char *s, const char *end)
{
	while (s < end && (*s == ' ' || *s == '\t' || *s == '\r'))
		s++;
	return s;
}

static const char *line_end(const char *s, const char *end)
{
	const char *nl = memchr(s, '\n', (size_t)(end - s));

	return nl ? nl : end;
}

/* A value: quoted string, or the rest of the line without a trailing comment. */
static const char *read_value(const char *s, const char *end, char *out, size_t len)
{
	size_t n = 0;

	s = skip_blank(s, end);
	if (s < end && *s == '"') {
		for (s++; s < end && *s != '"'; s++) {
			if (*s == '\\' && s + 1 < end)
				s++;
			if (n + 1 < len)
				out[n++] = *s;
		}
		if (s < end)
			s++; /* the closing quote */
	} else {
		while (s < end && *s != '\n' && *s != '#' && *s != '}') {
			if (n + 1 < len)
				out[n++] = *s;
			s++;
		}
		while (n && (out[n - 1] == ' ' || out[n - 1] == '\t' || out[n - 1] == '\r'))
			n--;
	}
	out[n] = '\0';
	return s;
}

/* A byte that ends a name; NUL too, so a name never holds one. */
static bool name_delim(char c)
{
	return c == '\0' || strchr(" \t\r\n{}=#:", c);
}

static int swan_parse(struct parser *p, const char *file, const char *s, const char *end)
{
	while (s < end) {
		char name[MAX_TOKEN], val[MAX_TOKEN];
		size_t n = 0;
		int r;

		s = skip_blank(s, end);
		if (s == end)
			break; /* blanks at the very end, without a newline */
		if (*s == '\n') {
			s++;
			continue;
		}
		if (*s == '#') {
			s = line_end(s, end);
			continue;
		}
		if (*s == '}') {
			if (p->depth)
				p->depth--;
			s++;
			continue;
		}
		while (s < end && !name_delim(*s)) {
			if (n + 1 < sizeof(name))
				name[n++] = *s;
			s++;
		}
		name[n] = '\0';
		if (!n) { /* a stray '{', '=', ':' or NUL: skip it (s < end: it is a byte) */
			s++;
			continue;
		}
		s = skip_blank(s, end);
		if (s < end && *s == ':') {
			/* "name : template, ... {" (strongSwan 5.6+): a section inheriting others */
			const char *eol = line_end(s, end);
			const char *brace = memchr(s, '{', (size_t)(eol - s));
			if (!brace) {
				s = eol;
				continue;
			}
			s = brace;
		}
		if (s < end && *s == '{') {
			if (p->depth < MAX_DEPTH)
				xd_strlcpy(p->path[p->depth], name, MAX_TOKEN);
			p->depth++;
			s++;
		} else if (s < end && *s == '=') {
			s = read_value(s + 1, end, val, sizeof(val));
			if (p->depth <= MAX_DEPTH)
				swan_value(p, file, name, val);
		} else if (xd_streq(name, "include")) {
			s = read_value(s, end, val, sizeof(val));
			r = include(p, file, val);
			if (r < 0)
				return r;
		} else {
			s = line_end(s, end);
		}
	}
	return 0;
}

/* ---- ipsec.conf: "conn NAME" at column 0, indented key=value lines ---- */

/*
 * "conn %default" applies to every conn that does not set the key itself; `also=` is not
 * followed. Lines are copied into a bounded, terminated buffer: a longer line is cut (every
 * value kept is shorter than MAX_TOKEN anyway).
 */
static int ipsec_parse(struct parser *p, const char *file, const char *s, const char *end)
{
	struct xd_ikeconf_conn *cur = NULL;
	bool in_default = false;

	while (s < end) {
		const char *eol = line_end(s, end);
		size_t ll = (size_t)(eol - s);
		char line[MAX_LINE], key[64], val[MAX_TOKEN];
		const char *v, *lend;
		char *eq;

		if (ll >= sizeof(line))
			ll = sizeof(line) - 1;
		memcpy(line, s, ll);
		line[ll] = '\0';
		s = eol < end ? eol + 1 : end;
		lend = line + strlen(line); /* a NUL byte in the line ends it */
		if (line[0] != ' ' && line[0] != '\t') {
			cur = NULL;
			in_default = false;
			if (!strncmp(line, "include", 7) && (line[7] == ' ' || line[7] == '\t')) {
				int r;
				read_value(line + 8, lend, val, sizeof(val));
				r = include(p, file, val);
				if (r < 0)
					return r;
			} else if (!strncmp(line, "conn", 4) && (line[4] == ' ' || line[4] == '\t')) {
				read_value(line + 5, lend, val, sizeof(val));
				val[strcspn(val, " \t")] = '\0';
				if (xd_streq(val, "%default"))
					in_default = true;
				else if (val[0])
					cur = conn_get(p->out, val, file);
			}
			continue;
		}
		v = skip_blank(line, lend);
		if (*v == '#' || !(eq = strchr(v, '=')))
			continue;
		xd_strlcpy(key, v, sizeof(key));
		if ((size_t)(eq - v) < sizeof(key))
			key[eq - v] = '\0';
		for (size_t n = strlen(key); n && (key[n - 1] == ' ' || key[n - 1] == '\t');)
			key[--n] = '\0';
		read_value(eq + 1, lend, val, sizeof(val));
		struct xd_ikeconf_conn *c = in_default ? &p->def : cur;
		if (!c)
			continue;
		if (xd_streq(key, "leftid"))
			xd_strlcpy(c->local_id, val, sizeof(c->local_id));
		else if (xd_streq(key, "rightid"))
			xd_strlcpy(c->remote_id, val, sizeof(c->remote_id));
		else if (xd_streq(key, "leftcert"))
			first_of_list(c->local_cert, sizeof(c->local_cert), val);
		else if (xd_streq(key, "rightcert"))
			first_of_list(c->remote_cert, sizeof(c->remote_cert), val);
		else if (xd_streq(key, "auto"))
			xd_strlcpy(c->start_action, val, sizeof(c->start_action));
	}
	return 0;
}

static int parse_bytes(struct parser *p, const char *file, const char *buf, size_t len)
{
	if (p->syntax == SYNTAX_SWAN)
		return swan_parse(p, file, buf, buf + len);
	return ipsec_parse(p, file, buf, buf + len);
}

/* ---- entry points ---- */

static int fs_expand(void *userdata, const char *pattern, int (*each)(void *ctx, const char *path),
		     void *ctx)
{
	glob_t g;
	int r = 0;

	if (glob(pattern, 0, NULL, &g) != 0)
		return 0; /* no match, or an unreadable directory: nothing to include */
	for (size_t i = 0; i < g.gl_pathc && r >= 0; i++)
		r = each(ctx, g.gl_pathv[i]);
	globfree(&g);
	return r < 0 && r != -E2BIG ? r : 0;
}

static int fs_read(void *userdata, const char *path, size_t max, char **ret, size_t *ret_len,
		   struct xd_file_id *ret_id)
{
	/* configuration files are often symlinks (/etc/ipsec.conf -> a managed copy): followed */
	return xd_file_read(path, 0, max, ret, ret_len, ret_id);
}

const struct xd_ikeconf_io xd_ikeconf_io_fs = { .expand = fs_expand, .read = fs_read };

static struct parser *parser_new(enum syntax syntax, const struct xd_ikeconf_io *io,
				 struct xd_ikeconf *out)
{
	struct parser *p = calloc(1, sizeof(*p));

	if (p)
		*p = (struct parser){ .io = io, .out = out, .syntax = syntax };
	return p;
}

/* Was a file left unread because of the nesting bound? Then say so. */
static void finish(struct parser *p)
{
	bool lost = p->cut_overflow;

	for (size_t i = 0; i < p->n_cut && !lost; i++)
		lost = !path_seen(p, p->cut[i]);
	if (lost)
		note_limit(p, LIMIT_DEPTH, p->cut_from, "includes nested deeper than 4: not followed");
}

static void parser_free(struct parser *p)
{
	for (size_t i = 0; i < p->n_cut; i++)
		free(p->cut[i]);
	free(p->cut);
	for (size_t i = 0; i < p->n_seen_paths; i++)
		free(p->seen_paths[i]);
	free(p->seen_paths);
	free(p->seen_ids);
	free(p);
}

/* ipsec.conf: keys a conn does not set come from "conn %default" */
static void apply_default(const struct parser *p, size_t first)
{
	const struct xd_ikeconf_conn *def = &p->def;

	for (size_t i = first; i < p->out->n; i++) {
		struct xd_ikeconf_conn *c = &p->out->conns[i];
		if (!c->local_id[0])
			xd_strlcpy(c->local_id, def->local_id, sizeof(c->local_id));
		if (!c->remote_id[0])
			xd_strlcpy(c->remote_id, def->remote_id, sizeof(c->remote_id));
		if (!c->local_cert[0])
			xd_strlcpy(c->local_cert, def->local_cert, sizeof(c->local_cert));
		if (!c->remote_cert[0])
			xd_strlcpy(c->remote_cert, def->remote_cert, sizeof(c->remote_cert));
		if (!c->start_action[0])
			xd_strlcpy(c->start_action, def->start_action, sizeof(c->start_action));
	}
}

static int run(enum syntax syntax, const char *path, const char *buf, size_t len,
	       const struct xd_ikeconf_io *io, struct xd_ikeconf *out)
{
	struct parser *p = parser_new(syntax, io, out);
	size_t first = out->n;
	int r;

	if (!p)
		return -ENOMEM;
	if (buf)
		r = parse_bytes(p, path, buf, len);
	else
		r = parse_file(p, path, true);
	finish(p);
	if (syntax == SYNTAX_IPSEC)
		apply_default(p, first);
	parser_free(p);
	return r;
}

int xd_ikeconf_swanctl(const char *path, const struct xd_ikeconf_io *io, struct xd_ikeconf *out)
{
	return run(SYNTAX_SWAN, path, NULL, 0, io ? io : &xd_ikeconf_io_fs, out);
}

int xd_ikeconf_ipsec(const char *path, const struct xd_ikeconf_io *io, struct xd_ikeconf *out)
{
	return run(SYNTAX_IPSEC, path, NULL, 0, io ? io : &xd_ikeconf_io_fs, out);
}

int xd_ikeconf_swanctl_parse(const char *name, const char *buf, size_t len,
			     const struct xd_ikeconf_io *io, struct xd_ikeconf *out)
{
	int r = run(SYNTAX_SWAN, name, buf ? buf : "", len, io, out);

	return r == -ENOMEM ? r : 0;
}

int xd_ikeconf_ipsec_parse(const char *name, const char *buf, size_t len,
			   const struct xd_ikeconf_io *io, struct xd_ikeconf *out)
{
	int r = run(SYNTAX_IPSEC, name, buf ? buf : "", len, io, out);

	return r == -ENOMEM ? r : 0;
}
