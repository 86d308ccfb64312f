/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * verb-explain.c: `xfrmctl explain ID` prints docs/findings/ID.md: what the finding means,
 * how to confirm it by hand, how to fix it. `xfrmctl explain` alone lists every id. The pages
 * are data the tool reads (/usr/share/xfrmd/findings), not documentation a nodocs install drops.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xd-config.h"
#include "xfrmctl.h"
#include "xfrmd/diag.h"
#include "xfrmd/file.h"

/* The page of a finding: the first directory that has it as a regular file (file.h). */
static int read_doc(const char *id, char **ret, size_t *ret_len)
{
	const char *dirs[] = { secure_getenv("XFRMD_DOCDIR"), XD_DATADIR, XD_SRCDOCDIR };

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		char path[4096];

		if (!dirs[i])
			continue;
		snprintf(path, sizeof(path), "%s/findings/%s.md", dirs[i], id);
		if (xd_file_read(path, 0, 1u << 20, ret, ret_len, NULL) == 0)
			return 0;
	}
	return -ENOENT;
}

int verb_explain(int argc, char **argv)
{
	const struct xd_finding_def *def;
	char *doc = NULL;
	char **pos;
	int npos, r;
	size_t n = 0;

	r = xfrmctl_parse_common_only(argc, argv, "explain", 1, &pos, &npos);
	if (r)
		return r;
	if (npos < 1) {
		for (const struct xd_check_family *const *fam = xd_check_families; *fam; fam++)
			for (const struct xd_finding_def *d = (*fam)->defs; d->id; d++)
				printf("%-28s %-7s  %s\n", d->id, xd_severity_name(d->severity), d->title);
		return EXIT_OK;
	}
	def = xd_finding_def_find(pos[0]);
	if (!def)
		return xfrmctl_usage_error("unknown finding id '%s' (`xfrmctl explain` lists them)",
					   pos[0]);
	if (read_doc(def->id, &doc, &n) < 0) {
		printf("%s (%s): %s\n\nRemedy: %s\n", def->id, xd_severity_name(def->severity),
		       def->title, def->remedy);
		fprintf(stderr, "xfrmctl: the page docs/findings/%s.md is not installed\n", def->id);
		return EXIT_COLLECT;
	}
	fwrite(doc, 1, n, stdout);
	free(doc);
	return EXIT_OK;
}
