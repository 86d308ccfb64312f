/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * check-tool.c: findings about the diagnosis itself (DESIGN.md §7 `tool.*`): a dump that
 * could not be made consistent, a dump that was denied or failed, attributes that could not
 * be decoded, key bytes found in a snapshot. A diagnosis on a partial view must say so.
 */
#include <stdio.h>
#include <string.h>

#include "xfrmd/diag.h"
#include "xfrmd/model.h"

enum { D_INTERRUPTED, D_DENIED, D_FAILED, D_DECODE, D_KEYS };

static const struct xd_finding_def defs[] = {
	[D_INTERRUPTED] = { "tool.dump_interrupted", XD_SEV_WARNING, "a dump could not be made consistent",
			    "The kernel state changed during every attempt (heavy churn); findings on "
			    "it may be stale. Run the check again." },
	[D_DENIED] = { "tool.permission_denied", XD_SEV_WARNING, "part of the kernel state could not be read",
		       "Run as root (CAP_NET_ADMIN) or through the xfrmd daemon." },
	[D_FAILED] = { "tool.dump_failed", XD_SEV_WARNING, "part of the kernel state could not be collected",
		       "See the errno in the evidence; the diagnosis is incomplete." },
	[D_DECODE] = { "tool.decode_issue", XD_SEV_WARNING, "kernel data that could not be decoded",
		       "The affected attribute was skipped. If the data came from a live kernel, "
		       "report it with the snapshot (`xfrmctl capture -w`)." },
	[D_KEYS] = { "tool.keys_in_snapshot", XD_SEV_WARNING, "a snapshot carried key bytes; they were zeroed",
		     "The file was not written by xfrmctl capture (or was altered). Treat the file "
		     "as secret and delete it." },
	{ NULL },
};

static void run(const struct xd_diag_ctx *c, struct xd_findings *out)
{
	const struct xd_snapshot *s = c->now;
	const struct xd_meta *m = &s->meta;
	struct xd_finding *x;

	for (int d = 0; d < _XD_DUMP_MAX; d++) {
		const char *name = xd_dump_name((enum xd_dump)d);
		int def;

		/* An IKE daemon's control socket that does not answer (no vici plugin, a private
		 * socket path, a stopped charon) is not a gap in the kernel state, and it is normal
		 * on a healthy gateway: it belongs to the ike.* findings (meta.dumps says it). A
		 * socket this process may not open is the tool's gap, fixed by giving it access. */
		if (xd_dump_in((enum xd_dump)d, XD_IKE_CONTROL_DUMPS) &&
		    m->dump_status[d] != XD_DUMP_DENIED)
			continue;
		switch (m->dump_status[d]) {
		case XD_DUMP_INTERRUPTED:
			def = D_INTERRUPTED;
			break;
		case XD_DUMP_DENIED:
			def = D_DENIED;
			break;
		case XD_DUMP_ERROR:
			def = D_FAILED;
			break;
		default:
			continue;
		}
		x = xd_finding_add(out, &defs[def], "%s: %s", name, defs[def].title);
		xd_finding_name(x, name);
		xd_finding_ev_str(x, "status", "%s", xd_dump_status_name(m->dump_status[d]));
		if (m->dump_attempts[d])
			xd_finding_ev_int(x, "attempts", m->dump_attempts[d]);
		if (m->dump_error[d])
			xd_finding_ev_int(x, "errno", -m->dump_error[d]);
	}
	/* one finding per dump with issues, the first issue as evidence */
	for (int d = 0; d < _XD_DUMP_MAX; d++) {
		const struct xd_decode_issue *first = NULL;
		size_t n = 0;

		for (size_t i = 0; i < s->issues.len; i++) {
			const struct xd_decode_issue *is = xd_vec_at(&s->issues, i);
			if ((int)is->dump != d)
				continue;
			if (!first)
				first = is;
			n++;
		}
		if (!n)
			continue;
		x = xd_finding_add(out, &defs[D_DECODE], "%zu decode issue%s in %s: %s", n,
				   n == 1 ? "" : "s", xd_dump_name((enum xd_dump)d), first->what);
		xd_finding_name(x, xd_dump_name((enum xd_dump)d));
		xd_finding_ev_int(x, "count", (int64_t)n);
		xd_finding_ev_int(x, "first_offset", first->offset);
		xd_finding_ev_int(x, "first_nlmsg_type", first->nlmsg_type);
		xd_finding_ev_int(x, "first_attr", first->attr);
	}
	if (m->keys_scrubbed_on_load) {
		x = xd_finding_add(out, &defs[D_KEYS], "snapshot held %u non-zero key span%s; zeroed on load",
				   m->keys_scrubbed_on_load, m->keys_scrubbed_on_load == 1 ? "" : "s");
		xd_finding_ev_int(x, "spans", m->keys_scrubbed_on_load);
	}
}

const struct xd_check_family xd_check_tool = { "tool", defs, run };
