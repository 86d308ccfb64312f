/* SPDX-License-Identifier: GPL-2.0-or-later */
/* verbs.h: the verb table, shared with the man-page and completion generators. */
#pragma once

/* One option of a verb: what `VERB --help`, the man page test and completion list. */
struct xfrmctl_opt {
	const char *name; /* "--interval" (or "-w, --write": short and long) */
	const char *arg;  /* "S", "FILE", "warning|error" (values complete), NULL: no argument */
	const char *help; /* one line */
};

struct xfrmctl_verb {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *args;    /* positional synopsis: "[sa|policy|...]", "[ID]", "verdict" */
	const char *summary; /* one line, for `xfrmctl help` */
	const struct xfrmctl_opt *opts; /* terminated by { NULL }, or NULL */
};

/* Print VERB's usage, options and exit codes (`xfrmctl help VERB`, `VERB --help`). */
int xfrmctl_verb_help(const struct xfrmctl_verb *v);

extern const struct xfrmctl_verb xfrmctl_verbs[];
