/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * render-table.c: text tables sized to their content and, on a terminal, to its width
 * (table.h). Rows are buffered until the first flush fixes the column widths, so a column is
 * as wide as its widest cell rather than a fixed 40 characters; a streamed table (show sa
 * over a million SAs) buffers only its first XD_TABLE_STREAM_ROWS rows.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "xfrmd/table.h"

#define GAP 1 /* spaces between columns */

struct row {
	char **cells;       /* ncols, malloc'ed */
	const char **color; /* ncols, static SGR strings or NULL */
	char **notes;       /* free text lines after the row */
	size_t *note_indent;
	size_t nnotes;
};

struct xd_table {
	const struct xd_table_col *cols;
	size_t ncols;
	struct xd_table_opts o;
	FILE *out;
	size_t vis[64]; /* the shown columns, in order */
	size_t nvis;
	size_t width[64]; /* per shown column, fixed at the first flush */
	bool fixed;
	bool stream;
	struct row *rows;
	size_t nrows, cap;
	int err;
};

/* Display width: code points of UTF-8 (the cells are escaped, so no control bytes). */
static size_t u8width(const char *s, size_t bytes)
{
	size_t n = 0;

	for (size_t i = 0; i < bytes && s[i]; i++)
		n += ((unsigned char)s[i] & 0xc0) != 0x80;
	return n;
}

/* Bytes of the first `w` code points of s. */
static size_t u8bytes(const char *s, size_t w)
{
	size_t i = 0, n = 0;

	while (s[i]) {
		if (((unsigned char)s[i] & 0xc0) != 0x80) {
			if (n == w)
				break;
			n++;
		}
		i++;
	}
	return i;
}

/* Where a line may break: after a blank or a comma (words, lists), else after a separator
 * inside a token (a/b, a->b, policy.missing_fwd), else anywhere. */
static int break_rank(const char *s, size_t b)
{
	char c = s[b - 1];

	if (c == ' ' || c == ',' || s[b] == ' ')
		return 2;
	if (c == '/' || c == '+' || c == '>' || c == '(' || c == ':' || c == ';' || c == '.' ||
	    c == '_' || c == '-' || c == '=')
		return 1;
	return 0;
}

/* The next piece of s that fits in w columns: its length in bytes; *ret_next is where the
 * rest starts (blanks at a break are dropped). A break between words is preferred when it
 * keeps at least half the line, then one inside a token, then a cut. */
static size_t segment(const char *s, size_t w, const char **ret_next)
{
	size_t all = strlen(s), cut, best[3] = { 0, 0, 0 };

	if (w == 0 || u8width(s, all) <= w) {
		*ret_next = s + all;
		return all;
	}
	cut = u8bytes(s, w);
	for (size_t b = cut; b > 0; b--) {
		int rank = break_rank(s, b);
		if (rank && !best[rank])
			best[rank] = b;
	}
	for (int rank = 2; rank >= 1; rank--) {
		size_t b = best[rank];
		if (b && (u8width(s, b) * 2 >= w || rank == 1 || !best[1])) {
			size_t len = b;
			const char *n = s + b;
			while (len > 0 && s[len - 1] == ' ')
				len--;
			while (*n == ' ')
				n++;
			if (len > 0) {
				*ret_next = n;
				return len;
			}
		}
	}
	*ret_next = s + cut;
	return cut;
}

static int col_by_name(const struct xd_table_col *cols, size_t ncols, const char *name,
		       size_t len)
{
	for (size_t i = 0; i < ncols; i++)
		if (strlen(cols[i].name) == len && strncasecmp(cols[i].name, name, len) == 0)
			return (int)i;
	return -EINVAL;
}

/* Parse spec into vis[]; -EINVAL with the bad name in err. */
static int parse_columns(const struct xd_table_col *cols, size_t ncols, const char *spec,
			 size_t *vis, size_t *ret_n, char *err, size_t errlen)
{
	size_t n = 0;

	if (!spec) {
		for (size_t i = 0; i < ncols && n < 64; i++)
			if (!(cols[i].flags & XD_COL_HIDDEN))
				vis[n++] = i;
		*ret_n = n;
		return 0;
	}
	for (const char *p = spec; *p;) {
		size_t len = strcspn(p, ",");
		int c = col_by_name(cols, ncols, p, len);

		if (c < 0 || n >= 64) {
			if (err)
				snprintf(err, errlen, "%.*s", (int)len, p);
			return -EINVAL;
		}
		vis[n++] = (size_t)c;
		p += len;
		if (*p == ',')
			p++;
	}
	if (!n) {
		if (err)
			snprintf(err, errlen, "(none)");
		return -EINVAL;
	}
	*ret_n = n;
	return 0;
}

int xd_table_check_columns(const struct xd_table_col *cols, size_t ncols, const char *spec,
			   char *err, size_t errlen)
{
	size_t vis[64], n;

	return parse_columns(cols, ncols, spec, vis, &n, err, errlen);
}

const char *xd_table_column_names(const struct xd_table_col *cols, size_t ncols, char *buf,
				  size_t len)
{
	size_t o = 0;

	if (!len)
		return buf;
	buf[0] = '\0';
	for (size_t i = 0; i < ncols && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%s", i ? ", " : "", cols[i].name);
	return buf;
}

int xd_table_new(const struct xd_table_col *cols, size_t ncols, const struct xd_table_opts *o,
		 FILE *out, struct xd_table **ret)
{
	struct xd_table *t = calloc(1, sizeof(*t));
	int r;

	if (!t)
		return -ENOMEM;
	if (ncols > 64) {
		free(t);
		return -EINVAL;
	}
	t->cols = cols;
	t->ncols = ncols;
	if (o)
		t->o = *o;
	t->out = out;
	r = parse_columns(cols, ncols, t->o.columns, t->vis, &t->nvis, NULL, 0);
	if (r < 0) {
		free(t);
		return r;
	}
	*ret = t;
	return 0;
}

static void row_done(struct row *rw, size_t ncols)
{
	for (size_t i = 0; rw->cells && i < ncols; i++)
		free(rw->cells[i]);
	for (size_t i = 0; i < rw->nnotes; i++)
		free(rw->notes[i]);
	free(rw->cells);
	free((void *)rw->color);
	free(rw->notes);
	free(rw->note_indent);
	memset(rw, 0, sizeof(*rw));
}

int xd_table_add(struct xd_table *t, const char *const *cells)
{
	struct row *rw;

	if (t->nrows == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		struct row *n = realloc(t->rows, cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		t->rows = n;
		t->cap = cap;
	}
	rw = &t->rows[t->nrows];
	memset(rw, 0, sizeof(*rw));
	rw->cells = calloc(t->ncols, sizeof(char *));
	rw->color = calloc(t->ncols, sizeof(char *));
	if (!rw->cells || !rw->color) {
		row_done(rw, t->ncols);
		return -ENOMEM;
	}
	for (size_t i = 0; i < t->ncols; i++) {
		rw->cells[i] = strdup(cells[i] ? cells[i] : "-");
		if (!rw->cells[i]) {
			row_done(rw, t->ncols);
			return -ENOMEM;
		}
	}
	t->nrows++;
	if (t->stream && (t->fixed || t->nrows > XD_TABLE_STREAM_ROWS))
		return xd_table_flush(t);
	return 0;
}

void xd_table_color(struct xd_table *t, size_t col, const char *sgr)
{
	if (t->nrows && col < t->ncols)
		t->rows[t->nrows - 1].color[col] = sgr;
}

int xd_table_note(struct xd_table *t, size_t indent, const char *text)
{
	struct row *rw;
	char **n;
	size_t *in;

	if (!t->nrows)
		return -EINVAL;
	rw = &t->rows[t->nrows - 1];
	n = realloc(rw->notes, (rw->nnotes + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	rw->notes = n;
	in = realloc(rw->note_indent, (rw->nnotes + 1) * sizeof(*in));
	if (!in)
		return -ENOMEM;
	rw->note_indent = in;
	n[rw->nnotes] = strdup(text);
	if (!n[rw->nnotes])
		return -ENOMEM;
	in[rw->nnotes++] = indent;
	return 0;
}

void xd_table_set_stream(struct xd_table *t, bool stream)
{
	t->stream = stream;
}

/* Fit the natural widths into o.width: free text first, then any text, then numbers. */
static void fix_widths(struct xd_table *t)
{
	size_t total = 0, hdr[64];

	for (size_t v = 0; v < t->nvis; v++) {
		size_t c = t->vis[v], w = t->o.no_headings ? 1 : strlen(t->cols[c].name);

		hdr[v] = w;
		for (size_t r = 0; r < t->nrows; r++) {
			size_t cw = u8width(t->rows[r].cells[c], SIZE_MAX);
			if (cw > w)
				w = cw;
		}
		t->width[v] = w;
		total += w + (v ? GAP : 0);
	}
	t->fixed = true;
	if (!t->o.width || t->o.raw)
		return;
	/* free text first, from the last column back, down to a readable width */
	for (size_t v = t->nvis; v-- > 0 && total > t->o.width;) {
		size_t min = hdr[v] < 10 ? 10 : hdr[v];

		if (!(t->cols[t->vis[v]].flags & XD_COL_WRAP) || t->width[v] <= min)
			continue;
		size_t give = t->width[v] - min;
		if (give > total - t->o.width)
			give = total - t->o.width;
		t->width[v] -= give;
		total -= give;
	}
	/* then the widest column, one character at a time: text first, addresses and numbers
	 * (read as a whole) last */
	for (int pass = 0; pass < 2 && total > t->o.width; pass++) {
		while (total > t->o.width) {
			size_t widest = SIZE_MAX;
			for (size_t v = 0; v < t->nvis; v++) {
				size_t min = hdr[v] < 6 ? 6 : hdr[v];
				if (pass == 0 &&
				    (t->cols[t->vis[v]].flags & (XD_COL_RIGHT | XD_COL_ATOM)))
					continue;
				if (t->width[v] > min &&
				    (widest == SIZE_MAX || t->width[v] > t->width[widest]))
					widest = v;
			}
			if (widest == SIZE_MAX)
				break;
			t->width[widest]--;
			total--;
		}
	}
}

/* A cell for raw output: blanks and backslashes escaped so a space separates cells. */
static void put_raw(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == ' ' || *s == '\t' || *s == '\\')
			fprintf(out, "\\x%02x", (unsigned char)*s);
		else
			fputc(*s, out);
	}
}

/* One record, wrapped inside its columns. Trailing blanks are never printed. */
static void put_record(struct xd_table *t, const char *const *cells, const char *const *color,
		       bool header)
{
	const char *cur[64];
	bool more = true;

	if (t->o.raw) {
		for (size_t v = 0; v < t->nvis; v++) {
			if (v)
				fputc(' ', t->out);
			put_raw(t->out, cells[t->vis[v]]);
		}
		fputc('\n', t->out);
		return;
	}
	for (size_t v = 0; v < t->nvis; v++)
		cur[v] = cells[t->vis[v]];
	while (more) {
		size_t pending = 0; /* blanks owed before the next printed text */
		more = false;
		for (size_t v = 0; v < t->nvis; v++) {
			size_t c = t->vis[v];
			const char *next;
			/* without a width, a cell wider than its column overhangs rather than wraps */
			size_t w = t->o.width ? t->width[v] : 0;
			size_t len = segment(cur[v], w, &next);
			size_t sw = u8width(cur[v], len);
			size_t pad = t->width[v] > sw ? t->width[v] - sw : 0;
			const char *sgr = header && t->o.color ? "\033[1m" : color ? color[c] : NULL;
			bool right = t->cols[c].flags & XD_COL_RIGHT;

			if (v)
				pending += GAP;
			if (len) {
				if (right)
					pending += pad;
				fprintf(t->out, "%*s%s%.*s%s", (int)pending, "", sgr ? sgr : "",
					(int)len, cur[v], sgr ? "\033[0m" : "");
				pending = right ? 0 : pad;
			} else {
				pending += t->width[v];
			}
			cur[v] = next;
			more |= *next != '\0';
		}
		fputc('\n', t->out);
	}
}

static void put_note(struct xd_table *t, size_t indent, const char *text)
{
	size_t w = t->o.width > indent + 20 ? t->o.width - indent : 0;

	do {
		const char *next;
		size_t len = segment(text, w, &next);
		fprintf(t->out, "%*s%.*s\n", (int)indent, "", (int)len, text);
		text = next;
	} while (*text);
}

int xd_table_flush(struct xd_table *t)
{
	if (!t->fixed) {
		const char *names[64];

		fix_widths(t);
		for (size_t i = 0; i < t->ncols && i < 64; i++)
			names[i] = t->cols[i].name;
		if (!t->o.no_headings)
			put_record(t, names, NULL, true);
	}
	for (size_t r = 0; r < t->nrows; r++) {
		struct row *rw = &t->rows[r];
		put_record(t, (const char *const *)rw->cells, rw->color, false);
		for (size_t k = 0; k < rw->nnotes; k++)
			put_note(t, rw->note_indent[k], rw->notes[k]);
		row_done(rw, t->ncols);
	}
	t->nrows = 0;
	return ferror(t->out) ? -EIO : 0;
}

struct xd_table *xd_table_free(struct xd_table *t)
{
	if (!t)
		return NULL;
	for (size_t r = 0; r < t->nrows; r++)
		row_done(&t->rows[r], t->ncols);
	free(t->rows);
	free(t);
	return NULL;
}
