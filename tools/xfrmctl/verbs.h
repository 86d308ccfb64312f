/* SPDX-License-Identifier: GPL-2.0-or-later */
/* verbs.h: the verb table, shared with the man-page and completion generators. */
#pragma once

struct xfrmctl_verb {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *args;
	const char *summary;
};

extern const struct xfrmctl_verb xfrmctl_verbs[];
