/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * views.c: the views derived from a whole snapshot (the kernel profile and the IKE stack
 * view), computed once when the snapshot is sorted and read by every check and renderer.
 * Both are a pass over the SAs and the SPD; before this, check-kernel, the registry and the
 * kernel/stack renderers each computed their own copy.
 */
#include "xfrmd/kernel.h"
#include "xfrmd/model.h"
#include "xfrmd/stack.h"

struct xd_snapshot_views {
	struct xd_kprofile kprofile;
	struct xd_stack_view stack;
};

void xd_snapshot_derive_views(struct xd_snapshot *s)
{
	struct xd_snapshot_views *v = xd_snapshot_alloc(s, sizeof(*v));

	s->views = NULL;
	if (!v)
		return;
	xd_kprofile_compute(s, &v->kprofile);
	xd_stack_view_compute(s, &v->stack);
	s->views = v;
}

const struct xd_kprofile *xd_snapshot_kprofile(const struct xd_snapshot *s)
{
	return s->views ? &s->views->kprofile : NULL;
}

const struct xd_stack_view *xd_snapshot_stack_view(const struct xd_snapshot *s)
{
	return s->views ? &s->views->stack : NULL;
}
