/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * registry.c: the one table of check families, and the runner. Adding a family = one line
 * here plus its check-<family>.c; every id it declares must have docs/findings/<id>.md
 * (a docs test enforces it).
 */
#include <errno.h>

#include "xfrmd/diag.h"
#include "xfrmd/kernel.h"
#include "xfrmd/stack.h"

extern const struct xd_check_family xd_check_tool;
extern const struct xd_check_family xd_check_sa;
extern const struct xd_check_family xd_check_policy;
extern const struct xd_check_family xd_check_spd;
extern const struct xd_check_family xd_check_xfrmstat;
extern const struct xd_check_family xd_check_traffic;
extern const struct xd_check_family xd_check_peer;
extern const struct xd_check_family xd_check_fw;
extern const struct xd_check_family xd_check_kernel;
extern const struct xd_check_family xd_check_sysctl;
extern const struct xd_check_family xd_check_stack;
extern const struct xd_check_family xd_check_cert;
extern const struct xd_check_family xd_check_ikelog;
extern const struct xd_check_family xd_check_ike_kernel;
extern const struct xd_check_family xd_check_route;

const struct xd_check_family *const xd_check_families[] = {
	&xd_check_tool,
	&xd_check_sa,
	&xd_check_policy,
	&xd_check_spd,
	&xd_check_xfrmstat,
	&xd_check_traffic,
	&xd_check_peer,
	&xd_check_fw,
	&xd_check_kernel,
	&xd_check_sysctl,
	&xd_check_stack,
	&xd_check_cert,
	&xd_check_ikelog,
	&xd_check_ike_kernel,
	&xd_check_route,
	NULL,
};

void xd_diag_opts_default(struct xd_diag_opts *o)
{
	*o = (struct xd_diag_opts){
		.expiring_days = 30,
		.larval_stuck_s = 10,
		.stale_sa_s = 300,
	};
}

int xd_diag_run(const struct xd_diag_ctx *ctx, struct xd_findings *out)
{
	struct xd_diag_ctx c = *ctx;

	/* the views were derived once when the snapshot was sorted (model/views.c) */
	c.stack = xd_snapshot_stack_view(c.now);
	c.kprofile = xd_snapshot_kprofile(c.now);
	if (!c.stack || !c.kprofile)
		return -EINVAL; /* not sorted: lookups would be wrong too */
	for (const struct xd_check_family *const *f = xd_check_families; *f; f++)
		(*f)->run(&c, out);
	xd_findings_sort(out);
	return out->error;
}

const struct xd_finding_def *xd_finding_def_find(const char *id)
{
	for (const struct xd_check_family *const *f = xd_check_families; *f; f++)
		for (const struct xd_finding_def *d = (*f)->defs; d->id; d++)
			if (xd_streq(d->id, id))
				return d;
	return NULL;
}
