/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * table.h: the one text-table printer of every table verb (show sa, show policy, peers,
 * check, help). Columns are sized to their content; when a width is given (a terminal) and
 * the table is wider, cells wrap inside their column (free text first, then the rest) the way
 * lsblk and findmnt do; with no width (piped) nothing is cut or wrapped: one record per line.
 * The caller decides the width (COLUMNS, the tty); this module never looks at the terminal.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum xd_table_col_flags {
	XD_COL_RIGHT = 1u << 0,  /* numbers: right-aligned */
	XD_COL_WRAP = 1u << 1,   /* free text: the first to wrap when the table is too wide */
	XD_COL_HIDDEN = 1u << 2, /* only shown when -o names it */
	XD_COL_ATOM = 1u << 3,   /* an address or code: wrapped only when nothing else can give */
};

struct xd_table_col {
	const char *name; /* header and -o name (matched case-insensitively) */
	unsigned flags;
};

struct xd_table_opts {
	size_t width;        /* 0: unlimited (not a terminal) */
	const char *columns; /* "SRC,DST,SPI" (-o): these columns in this order; NULL: default */
	bool no_headings;
	bool raw;   /* one space between cells, no padding or wrapping; blanks escaped as \x20 */
	bool color; /* the header bold, cells in the colour the caller gives */
};

/* Rows beyond this many are printed as they come (streamed tables): the widths are those of
 * the first rows, and a later wider cell wraps (with a width) or overhangs (without). */
#define XD_TABLE_STREAM_ROWS 1024

struct xd_table;

/* Check a -o list against the columns: 0, or -EINVAL with the offending name in err. */
int xd_table_check_columns(const struct xd_table_col *cols, size_t ncols, const char *spec,
			   char *err, size_t errlen);
/* "SRC, DST, ..." of all columns, for a usage error. */
const char *xd_table_column_names(const struct xd_table_col *cols, size_t ncols, char *buf,
				  size_t len);

/* The columns are the caller's (static) array. -EINVAL for an unknown -o name, -ENOMEM. */
int xd_table_new(const struct xd_table_col *cols, size_t ncols, const struct xd_table_opts *o,
		 FILE *out, struct xd_table **ret);
/* A row: cells[i] belongs to cols[i] (NULL is "-"); the strings are copied. With
 * `stream`, rows past XD_TABLE_STREAM_ROWS are printed at once. 0 or -ENOMEM/-EIO. */
int xd_table_add(struct xd_table *t, const char *const *cells);
/* The colour (an SGR string such as "\033[1;31m", static) of a cell of the latest row. */
void xd_table_color(struct xd_table *t, size_t col, const char *sgr);
/* Free text printed after the latest row, indented by `indent` and wrapped to the width. */
int xd_table_note(struct xd_table *t, size_t indent, const char *text);
/* Print what is buffered (the header with the first rows). 0 or -EIO. */
int xd_table_flush(struct xd_table *t);
/* Print rows past XD_TABLE_STREAM_ROWS as they are added. */
void xd_table_set_stream(struct xd_table *t, bool stream);
struct xd_table *xd_table_free(struct xd_table *t);
