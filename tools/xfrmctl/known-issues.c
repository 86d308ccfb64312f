/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * known-issues.c: finds and loads the knowledge base for `check`. Search order:
 * $XFRMD_KNOWN_ISSUES (a file), the installed share/xfrmd/known-issues.json, the source
 * tree's copy (running from a build directory). A missing or malformed file is reported
 * once on stderr and the diagnosis continues without kernel.known_issue.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "xfrmctl.h"
#include "xfrmd/kb.h"

struct xd_kb *xfrmctl_load_kb(void)
{
	const char *path = xd_kb_default_path();
	struct xd_kb *kb = NULL;
	char err[512];
	int r;

	if (!path) {
		fputs("xfrmctl: no known-issues file found (set XFRMD_KNOWN_ISSUES); "
		      "known-issue checks skipped\n", stderr);
		return NULL;
	}
	r = xd_kb_load(path, &kb, err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "xfrmctl: known-issues file '%s': %s; known-issue checks skipped\n",
			path, err);
		return NULL;
	}
	return kb;
}
