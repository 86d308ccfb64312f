/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ikeconf.c: reads the few facts about credentials that an IKE daemon's configuration states
 * (which certificate a connection uses, which identities it expects) out of swanctl.conf and
 * ipsec.conf. Only those facts leave this file: swanctl.conf may hold PSKs and private key
 * passphrases in its secrets section, which is parsed over and never stored. Parsing is
 * tolerant (unknown syntax is skipped) and bounded (file size, include depth, sections).
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "certs-internal.h"

#define MAX_CONF_BYTES (1u << 20)
#define MAX_INCLUDE_DEPTH 4
#define MAX_DEPTH 16
#define MAX_TOKEN 512

void xd_ikeconf_done(struct xd_ikeconf *c)
{
	free(c->conns);
	*c = (struct xd_ikeconf){ 0 };
}

static int read_file(const char *path, char **ret, size_t *ret_len)
{
	char *buf;
	size_t len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	buf = malloc(MAX_CONF_BYTES + 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	for (;;) {
		ssize_t n = read(fd, buf + len, MAX_CONF_BYTES - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int r = -errno;
			free(buf);
			close(fd);
			return r;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len == MAX_CONF_BYTES)
			break; /* a bigger configuration is cut: what follows is not read */
	}
	close(fd);
	buf[len] = '\0';
	*ret = buf;
	*ret_len = len;
	return 0;
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

struct swan_parser {
	struct xd_ikeconf *out;
	char path[MAX_DEPTH][MAX_TOKEN];
	unsigned depth;
	int include_depth;
};

static void swan_value(struct swan_parser *p, const char *file, const char *key, const char *val)
{
	struct xd_ikeconf_conn *c;
	const char *side;
	bool local;

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

static int swan_file(struct swan_parser *p, const char *file);

static void swan_include(struct swan_parser *p, const char *file, const char *pattern)
{
	char pat[1024];
	glob_t g;

	if (p->include_depth >= MAX_INCLUDE_DEPTH)
		return;
	if (pattern[0] == '/') {
		xd_strlcpy(pat, pattern, sizeof(pat));
	} else {
		char dir[512];
		xd_strlcpy(dir, file, sizeof(dir));
		snprintf(pat, sizeof(pat), "%s/%s", dirname(dir), pattern);
	}
	if (glob(pat, 0, NULL, &g) != 0)
		return;
	p->include_depth++;
	for (size_t i = 0; i < g.gl_pathc && i < 64; i++)
		(void)swan_file(p, g.gl_pathv[i]);
	p->include_depth--;
	globfree(&g);
}

static const char *skip_blank(const char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\r')
		s++;
	return s;
}

/* A value: quoted string, or the rest of the line without a trailing comment. */
static const char *read_value(const char *s, char *out, size_t len)
{
	size_t n = 0;

	s = skip_blank(s);
	if (*s == '"') {
		for (s++; *s && *s != '"'; s++) {
			if (*s == '\\' && s[1])
				s++;
			if (n + 1 < len)
				out[n++] = *s;
		}
		if (*s == '"')
			s++;
	} else {
		while (*s && *s != '\n' && *s != '#' && *s != '}') {
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

static int swan_file(struct swan_parser *p, const char *file)
{
	char *buf = NULL;
	size_t len;
	int r = read_file(file, &buf, &len);
	const char *s;

	if (r < 0)
		return r;
	for (s = buf; *s;) {
		char name[MAX_TOKEN], val[MAX_TOKEN];
		size_t n = 0;

		s = skip_blank(s);
		if (*s == '\n') {
			s++;
			continue;
		}
		if (*s == '#') {
			s += strcspn(s, "\n");
			continue;
		}
		if (*s == '}') {
			if (p->depth)
				p->depth--;
			s++;
			continue;
		}
		while (*s && !strchr(" \t\r\n{}=#", *s)) {
			if (n + 1 < sizeof(name))
				name[n++] = *s;
			s++;
		}
		name[n] = '\0';
		if (!n) { /* a stray '{' or '=': skip it */
			s++;
			continue;
		}
		s = skip_blank(s);
		if (*s == '{') {
			if (p->depth < MAX_DEPTH)
				xd_strlcpy(p->path[p->depth], name, MAX_TOKEN);
			p->depth++;
			s++;
		} else if (*s == '=') {
			s = read_value(s + 1, val, sizeof(val));
			if (p->depth <= MAX_DEPTH)
				swan_value(p, file, name, val);
		} else if (xd_streq(name, "include")) {
			s = read_value(s, val, sizeof(val));
			swan_include(p, file, val);
		} else {
			s += strcspn(s, "\n");
		}
	}
	/* a secret value may sit in this buffer: do not leave it in freed heap */
	explicit_bzero(buf, len);
	free(buf);
	return 0;
}

int xd_ikeconf_swanctl(const char *path, struct xd_ikeconf *out)
{
	struct swan_parser *p = calloc(1, sizeof(*p));
	int r;

	if (!p)
		return -ENOMEM;
	p->out = out;
	r = swan_file(p, path);
	free(p);
	return r;
}

static int ipsec_file(const char *path, struct xd_ikeconf *out, struct xd_ikeconf_conn *def,
		      int depth);

/* "include PATTERN" (libreswan's default ipsec.conf ends with include /etc/ipsec.d/\*.conf) */
static void ipsec_include(const char *file, const char *pattern, struct xd_ikeconf *out,
			  struct xd_ikeconf_conn *def, int depth)
{
	char pat[1024], dir[512];
	glob_t g;

	if (depth >= MAX_INCLUDE_DEPTH || !pattern[0])
		return;
	xd_strlcpy(dir, file, sizeof(dir));
	if (pattern[0] == '/' ||
	    snprintf(pat, sizeof(pat), "%s/%s", dirname(dir), pattern) >= (int)sizeof(pat))
		xd_strlcpy(pat, pattern, sizeof(pat));
	if (glob(pat, 0, NULL, &g) != 0)
		return;
	for (size_t i = 0; i < g.gl_pathc && i < 64; i++)
		(void)ipsec_file(g.gl_pathv[i], out, def, depth + 1);
	globfree(&g);
}

/* ipsec.conf: "conn NAME" at column 0, indented "key=value" lines; "conn %default" applies to
 * every conn that does not set the key itself. `also=` is not followed. */
static int ipsec_file(const char *path, struct xd_ikeconf *out, struct xd_ikeconf_conn *def,
		      int depth)
{
	struct xd_ikeconf_conn *cur = NULL;
	bool in_default = false;
	char *buf = NULL, *save = NULL;
	size_t len;
	int r = read_file(path, &buf, &len);

	if (r < 0)
		return r;
	for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char key[64], val[MAX_TOKEN];
		const char *s = line;
		char *eq;

		if (line[0] != ' ' && line[0] != '\t') {
			cur = NULL;
			in_default = false;
			if (!strncmp(line, "include", 7) && (line[7] == ' ' || line[7] == '\t')) {
				read_value(line + 8, val, sizeof(val));
				ipsec_include(path, val, out, def, depth);
			} else if (!strncmp(line, "conn", 4) && (line[4] == ' ' || line[4] == '\t')) {
				read_value(line + 5, val, sizeof(val));
				val[strcspn(val, " \t")] = '\0';
				if (xd_streq(val, "%default"))
					in_default = true;
				else if (val[0])
					cur = conn_get(out, val, path);
			}
			continue;
		}
		s = skip_blank(s);
		if (*s == '#' || !(eq = strchr(s, '=')))
			continue;
		xd_strlcpy(key, s, sizeof(key));
		if ((size_t)(eq - s) < sizeof(key))
			key[eq - s] = '\0';
		for (size_t n = strlen(key); n && (key[n - 1] == ' ' || key[n - 1] == '\t');)
			key[--n] = '\0';
		read_value(eq + 1, val, sizeof(val));
		struct xd_ikeconf_conn *c = in_default ? def : cur;
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
	}
	free(buf);
	return 0;
}

int xd_ikeconf_ipsec(const char *path, struct xd_ikeconf *out)
{
	struct xd_ikeconf_conn def = { 0 };
	size_t first = out->n;
	int r = ipsec_file(path, out, &def, 0);

	if (r < 0)
		return r;
	for (size_t i = first; i < out->n; i++) {
		struct xd_ikeconf_conn *c = &out->conns[i];
		if (!c->local_id[0])
			xd_strlcpy(c->local_id, def.local_id, sizeof(c->local_id));
		if (!c->remote_id[0])
			xd_strlcpy(c->remote_id, def.remote_id, sizeof(c->remote_id));
		if (!c->local_cert[0])
			xd_strlcpy(c->local_cert, def.local_cert, sizeof(c->local_cert));
		if (!c->remote_cert[0])
			xd_strlcpy(c->remote_cert, def.remote_cert, sizeof(c->remote_cert));
	}
	return 0;
}
