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
	struct xd_kb *kb = NULL;
	char err[512];

	if (xd_kb_load_default(&kb, err, sizeof(err)) < 0) {
		fprintf(stderr, "xfrmctl: %s; known-issue checks skipped\n", err);
		return NULL;
	}
	return kb;
}
