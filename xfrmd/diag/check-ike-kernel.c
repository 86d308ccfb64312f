/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * check-ike-kernel.c: the IKE daemon's own view (ike.h) side by side with the kernel's
 * (DESIGN.md §7 `ike.*`). Only both views show a daemon that believes in CHILD_SAs the kernel
 * no longer has (`ip xfrm state flush`), SAs the kernel holds that no running daemon knows
 * (a daemon killed and restarted), a connection the daemon is configured to start with no SA,
 * an IKE SA up with its CHILD_SA missing, and a daemon whose control channel does not answer.
 *
 * Written over the generic model (conns, IKE SAs, CHILD_SAs with SPIs): every stack that
 * fills it (strongSwan over VICI, libreswan's whack) is correlated the same way. A claim
 * about "no owner" is made only when every running daemon's view was read whole.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "diag-util.h"
#include "xfrmd/cert.h"
#include "xfrmd/diag.h"
#include "xfrmd/ike.h"
#include "xfrmd/stack.h"

enum { D_NOT_IN_KERNEL, D_UNKNOWN, D_CONN_DOWN, D_UNREACHABLE };

static const struct xd_finding_def defs[] = {
	[D_NOT_IN_KERNEL] = { "ike.sa_not_in_kernel", XD_SEV_ERROR,
			      "the IKE daemon reports a CHILD_SA installed that the kernel does not have",
			      "The daemon will neither rekey nor renegotiate it: traffic is dropped or "
			      "leaves in clear until the SA would expire. Re-establish the CHILD_SA "
			      "(`swanctl --terminate --child NAME` then `--initiate`, or `ipsec "
			      "down/up CONN` with libreswan); find who removed the SA (`ip xfrm state "
			      "flush`, a second daemon, a script)." },
	[D_UNKNOWN] = { "ike.kernel_sa_unknown", XD_SEV_WARNING,
			"kernel SAs that no running IKE daemon owns",
			"Left behind by a daemon that was killed or restarted: nothing rekeys them, "
			"and inbound SAs may shadow the ones the daemon negotiates anew. Confirm with "
			"`swanctl --list-sas` / `ipsec trafficstatus`, then remove them with `ip xfrm "
			"state delete src S dst D proto esp spi SPI` (or restart the daemon cleanly).",
			XD_DEF_AGGREGATE },
	[D_CONN_DOWN] = { "ike.conn_down", XD_SEV_ERROR,
			  "a connection the IKE daemon is configured to bring up has no SA",
			  "Look for the reason in the daemon's log for this connection (failed "
			  "authentication, no proposal chosen, TS_UNACCEPTABLE, no answer from the "
			  "peer: see the other ike.* findings), then `swanctl --initiate --child NAME` "
			  "or `ipsec up CONN` to retry." },
	[D_UNREACHABLE] = { "ike.unreachable_control", XD_SEV_WARNING,
			    "a running IKE daemon's control channel did not answer",
			    "Without it the daemon's view (connections, SAs) is missing from the "
			    "diagnosis. Check that the control plugin is loaded (strongSwan: vici in "
			    "charon.plugins, libreswan: pluto's ctl socket), its socket path "
			    "(charon.plugins.vici.socket, pluto --rundir) and whether the daemon "
			    "hangs (a daemon that does not answer will not rekey either)." },
	{ NULL },
};

/* The dumps that hold a daemon kind's own view (a kind without a collector has none). */
static const struct {
	enum xd_stack_kind kind;
	enum xd_dump dumps[2]; /* the second _XD_DUMP_INVALID when there is one */
} views[] = {
	{ XD_STACK_STRONGSWAN, { XD_DUMP_IKE_VICI_CONNS, XD_DUMP_IKE_VICI_SAS } },
	{ XD_STACK_LIBRESWAN, { XD_DUMP_IKE_WHACK_STATUS, _XD_DUMP_INVALID } },
	{ XD_STACK_OPENSWAN, { XD_DUMP_IKE_WHACK_STATUS, _XD_DUMP_INVALID } },
};

/*
 * The status of a daemon kind's view: COMPLETE when every dump is, otherwise the first
 * status that is not; NOT_COLLECTED for a kind we have no collector for.
 */
static enum xd_dump_status view_status(const struct xd_snapshot *s, enum xd_stack_kind k,
				       int *ret_err, const char **ret_dump)
{
	for (size_t i = 0; i < XD_ARRAY_SIZE(views); i++) {
		if (views[i].kind != k)
			continue;
		for (size_t j = 0; j < XD_ARRAY_SIZE(views[i].dumps); j++) {
			enum xd_dump d = views[i].dumps[j];
			if (d == _XD_DUMP_INVALID)
				break;
			if (s->meta.dump_status[d] != XD_DUMP_COMPLETE) {
				*ret_err = s->meta.dump_error[d];
				*ret_dump = xd_dump_name(d);
				return s->meta.dump_status[d];
			}
		}
		return XD_DUMP_COMPLETE;
	}
	return XD_DUMP_NOT_COLLECTED;
}

static bool is_ike_daemon(enum xd_stack_kind k)
{
	return k == XD_STACK_STRONGSWAN || k == XD_STACK_LIBRESWAN || k == XD_STACK_OPENSWAN ||
	       k == XD_STACK_RACOON || k == XD_STACK_IKED;
}

/* Every running daemon's view read whole (and at least one daemon runs). */
static bool all_views_complete(const struct xd_snapshot *s, const struct xd_stack_view *v)
{
	unsigned n = 0;

	if (!v->have_processes)
		return false;
	for (unsigned i = 0; i < v->n_daemons; i++) {
		int err = 0;
		const char *dump = NULL;
		if (!is_ike_daemon(v->daemons[i].kind))
			continue;
		if (view_status(s, v->daemons[i].kind, &err, &dump) != XD_DUMP_COMPLETE)
			return false;
		n++;
	}
	return n > 0;
}

static uint8_t child_proto(const struct xd_ike_child_sa *c)
{
	return c->protocol && strcasecmp(c->protocol, "AH") == 0 ? PROTO_AH : PROTO_ESP;
}

static bool child_installed(const struct xd_ike_child_sa *c)
{
	return c->state && strcasecmp(c->state, "INSTALLED") == 0;
}

/* Sorted (proto << 32 | spi) keys, for membership by binary search. */
struct keyset {
	uint64_t *v;
	size_t n;
};

static int key_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static bool keyset_has(const struct keyset *k, uint8_t proto, uint32_t spi)
{
	uint64_t key = (uint64_t)proto << 32 | spi;

	return k->n && bsearch(&key, k->v, k->n, sizeof(*k->v), key_cmp);
}

static int kernel_keys(const struct xd_snapshot *s, struct keyset *ret)
{
	ret->n = 0;
	ret->v = malloc((s->sas.len ? s->sas.len : 1) * sizeof(*ret->v));
	if (!ret->v)
		return -1;
	for (size_t i = 0; i < s->sas.len; i++) {
		const struct xd_sa *sa = xd_snapshot_sa(s, i);
		if (sa->proto == PROTO_ESP || sa->proto == PROTO_AH)
			ret->v[ret->n++] = (uint64_t)sa->proto << 32 | sa->spi;
	}
	qsort(ret->v, ret->n, sizeof(*ret->v), key_cmp);
	return 0;
}

static int daemon_keys(const struct xd_ike *ike, struct keyset *ret)
{
	ret->n = 0;
	ret->v = malloc((ike->child_sas.len ? ike->child_sas.len * 2 : 1) * sizeof(*ret->v));
	if (!ret->v)
		return -1;
	for (size_t i = 0; i < ike->child_sas.len; i++) {
		const struct xd_ike_child_sa *c = xd_vec_at(&ike->child_sas, i);
		uint64_t p = (uint64_t)child_proto(c) << 32;
		/* every state owns its SPIs: a REKEYED or DELETING CHILD_SA is still the daemon's */
		if (c->spi_in)
			ret->v[ret->n++] = p | c->spi_in;
		if (c->spi_out)
			ret->v[ret->n++] = p | c->spi_out;
	}
	qsort(ret->v, ret->n, sizeof(*ret->v), key_cmp);
	return 0;
}

static bool parse_host(const char *text, uint16_t *family, struct xd_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (!text)
		return false;
	if (inet_pton(AF_INET, text, a->b) == 1) {
		*family = AF_INET;
		return true;
	}
	if (inet_pton(AF_INET6, text, a->b) == 1) {
		*family = AF_INET6;
		return true;
	}
	return false;
}

/* Subject and evidence every finding about one IKE SA carries. */
static void ike_sa_subject(struct xd_finding *x, const struct xd_ike_sa *sa)
{
	struct xd_addr l, r;
	uint16_t fl = 0, fr = 0;

	if (parse_host(sa->local_host, &fl, &l) && parse_host(sa->remote_host, &fr, &r) && fl == fr)
		xd_finding_peer(x, fl, &l, &r);
	if (sa->stack)
		xd_finding_ev_str(x, "stack", "%s", sa->stack);
	if (sa->name)
		xd_finding_ev_str(x, "conn", "%s", sa->name);
	if (sa->remote_host)
		xd_finding_ev_str(x, "remote_host", "%s", sa->remote_host);
	if (sa->state)
		xd_finding_ev_str(x, "ike_sa_state", "%s", sa->state);
	xd_finding_ev_int(x, "ike_sa_uniqueid", sa->uniqueid);
}

static void check_not_in_kernel(const struct xd_snapshot *s, const struct xd_ike *ike,
				struct xd_findings *out)
{
	struct keyset k;

	if (!ike->sas_present || s->meta.dump_status[XD_DUMP_XFRM_SA] != XD_DUMP_COMPLETE)
		return; /* without the whole kernel SA table, "missing" is no fact */
	if (kernel_keys(s, &k) < 0) {
		out->error = out->error ? out->error : -ENOMEM;
		return;
	}
	for (size_t i = 0; i < ike->sas.len; i++) {
		const struct xd_ike_sa *sa = xd_vec_at(&ike->sas, i);
		for (uint32_t j = 0; j < sa->child_count; j++) {
			const struct xd_ike_child_sa *c = xd_vec_at(&ike->child_sas, sa->child_first + j);
			uint8_t proto = child_proto(c);
			bool in_missing, out_missing;
			struct xd_finding *x;
			char name[256];
			if (!c || !child_installed(c))
				continue;
			in_missing = c->spi_in && !keyset_has(&k, proto, c->spi_in);
			out_missing = c->spi_out && !keyset_has(&k, proto, c->spi_out);
			if (!in_missing && !out_missing)
				continue;
			snprintf(name, sizeof(name), "%s/%s", sa->name ? sa->name : "?",
				 c->name ? c->name : "?");
			x = xd_finding_add(out, &defs[D_NOT_IN_KERNEL],
					   "%s reports CHILD_SA %s INSTALLED (SPI in 0x%08x, out 0x%08x) "
					   "but the kernel has %s", sa->stack ? sa->stack : "the IKE daemon",
					   name, c->spi_in, c->spi_out,
					   in_missing && out_missing ? "neither SA"
					   : in_missing		     ? "no inbound SA"
								     : "no outbound SA");
			ike_sa_subject(x, sa);
			xd_finding_name(x, name);
			xd_finding_spi(x, in_missing ? c->spi_in : c->spi_out, proto);
			if (c->reqid)
				xd_finding_reqid(x, c->reqid);
			xd_finding_ev_str(x, "child", "%s", c->name ? c->name : "?");
			xd_finding_ev_str(x, "child_sa_state", "%s", c->state);
			xd_finding_ev_str(x, "missing", "%s",
					  in_missing && out_missing ? "in,out" : in_missing ? "in" : "out");
			xd_finding_ev_str(x, "spi_in", "0x%08x", c->spi_in);
			xd_finding_ev_str(x, "spi_out", "0x%08x", c->spi_out);
		}
	}
	free(k.v);
}

static void check_unknown(const struct xd_diag_ctx *ctx, const struct xd_ike *ike,
			  struct xd_findings *out)
{
	const struct xd_snapshot *s = ctx->now;
	struct keyset k;

	if (s->meta.dump_status[XD_DUMP_XFRM_SA] != XD_DUMP_COMPLETE ||
	    !all_views_complete(s, ctx->stack))
		return; /* an owner we could not ask might own them: say nothing */
	if (daemon_keys(ike, &k) < 0) {
		out->error = out->error ? out->error : -ENOMEM;
		return;
	}
	for (size_t i = 0; i < s->sas.len; i++) {
		const struct xd_sa *sa = xd_snapshot_sa(s, i);
		const struct xd_addr *local, *peer;
		struct xd_finding *x;
		char src[64], dst[64];
		/* a state without an algorithm is an SPI reserved (GETSPI) for a CHILD_SA being
		 * negotiated, or whose install failed: no daemon lists it, the kernel expires it */
		if ((sa->proto != PROTO_ESP && sa->proto != PROTO_AH) || !diag_sa_is_real(sa) ||
		    !(sa->has & (XD_SA_HAS_AEAD | XD_SA_HAS_ENC | XD_SA_HAS_AUTH)) ||
		    keyset_has(&k, sa->proto, sa->spi))
			continue;
		xd_diag_addr(&sa->saddr, sa->family, src, sizeof(src));
		xd_diag_addr(&sa->daddr, sa->family, dst, sizeof(dst));
		x = xd_finding_add(out, &defs[D_UNKNOWN], "%s SA %s->%s SPI 0x%08x (reqid %u) is "
				   "owned by no running IKE daemon's CHILD_SA",
				   sa->proto == PROTO_AH ? "AH" : "ESP", src, dst, sa->spi, sa->reqid);
		xd_diag_sa_ends(s, sa, &local, &peer);
		xd_finding_peer(x, sa->family, local, peer);
		xd_finding_spi(x, sa->spi, sa->proto);
		xd_finding_reqid(x, sa->reqid);
		xd_finding_ev_int(x, "daemon_child_sas", (int64_t)ike->child_sas.len);
	}
	free(k.v);
}

/* "start", "trap", "trap|start" (as strongSwan names a child's start action), libreswan's
 * auto=start/route/ondemand: the daemon brings it up (or traps it) on its own. */
static bool action_starts(const char *a)
{
	return a && (strcasestr(a, "start") || strcasestr(a, "trap") || strcasestr(a, "route") ||
		     strcasestr(a, "ondemand"));
}

static bool action_is_start(const char *a)
{
	return a && strcasestr(a, "start");
}

static bool same_stack(const char *a, const char *b)
{
	return !a || !b || strcmp(a, b) == 0;
}

/* The start action a configuration file gives a connection (file.conn records), or NULL. */
static const char *conf_start(const struct xd_snapshot *s, const struct xd_ike_conn *conn,
			      const char *child)
{
	const char *found = NULL;

	for (size_t i = 0; i < s->certs.conns.len; i++) {
		const struct xd_cert_conn *c = xd_vec_at(&s->certs.conns, i);
		if (!c->name || !c->start || !same_stack(c->stack, conn->stack) ||
		    !xd_streq(c->name, conn->name))
			continue;
		/* a child's own action when the record names children, else the connection's */
		if (child && c->child && !xd_streq(c->child, child))
			continue;
		found = c->start;
	}
	return found;
}

static const struct xd_ike_child_sa *find_child(const struct xd_ike *ike, const struct xd_ike_sa *sa,
						 const char *name)
{
	for (uint32_t j = 0; j < sa->child_count; j++) {
		const struct xd_ike_child_sa *c = xd_vec_at(&ike->child_sas, sa->child_first + j);
		if (c && (!name || (c->name && xd_streq(c->name, name))))
			return c;
	}
	return NULL;
}

static void conn_down(struct xd_findings *out, const struct xd_ike_conn *conn,
		      const char *child, const char *action, const struct xd_ike_sa *ike_sa,
		      const char *what)
{
	char name[256];
	struct xd_finding *x;

	if (child)
		snprintf(name, sizeof(name), "%s/%s", conn->name, child);
	else
		snprintf(name, sizeof(name), "%s", conn->name);
	x = xd_finding_add(out, &defs[D_CONN_DOWN], "%s %s (start action %s): %s",
			   conn->stack ? conn->stack : "IKE", name, action, what);
	if (ike_sa)
		ike_sa_subject(x, ike_sa);
	else {
		if (conn->stack)
			xd_finding_ev_str(x, "stack", "%s", conn->stack);
		xd_finding_ev_str(x, "conn", "%s", conn->name);
	}
	xd_finding_name(x, name);
	if (child)
		xd_finding_ev_str(x, "child", "%s", child);
	xd_finding_ev_str(x, "start_action", "%s", action);
	xd_finding_ev_str(x, "ike_sa", "%s", ike_sa ? (ike_sa->state ? ike_sa->state : "?") : "none");
	xd_finding_ev_str(x, "child_sa", "%s", "none");
}

/*
 * Connections configured to start (start_action=start, auto=start) with no ESTABLISHED IKE
 * SA, and IKE SAs up whose configured child has no CHILD_SA (the reverse of
 * policy.tmpl_no_sa: the daemon has the IKE SA, the kernel never got the CHILD_SA). A trap
 * connection without an IKE SA is idle, not down: only a missing CHILD_SA under an
 * established IKE SA counts for it.
 */
static void check_conn_down(const struct xd_snapshot *s, const struct xd_ike *ike,
			    struct xd_findings *out)
{
	if (!ike->conns_present || !ike->sas_present)
		return;
	for (size_t i = 0; i < ike->conns.len; i++) {
		const struct xd_ike_conn *conn = xd_vec_at(&ike->conns, i);
		const struct xd_ike_sa *up = NULL, *any = NULL;
		const char *conn_action = conf_start(s, conn, NULL);
		bool starts = action_is_start(conn_action), expected_any = action_starts(conn_action);

		if (!conn->name)
			continue;
		for (uint32_t j = 0; j < conn->child_count; j++) {
			const struct xd_ike_child_cfg *cc = xd_vec_at(&ike->child_cfgs, conn->child_first + j);
			const char *a = cc && cc->start_action ? cc->start_action
							       : conf_start(s, conn, cc ? cc->name : NULL);
			starts |= action_is_start(a);
			expected_any |= action_starts(a);
		}
		for (size_t j = 0; j < ike->sas.len; j++) {
			const struct xd_ike_sa *sa = xd_vec_at(&ike->sas, j);
			if (!sa->name || !xd_streq(sa->name, conn->name) || !same_stack(sa->stack, conn->stack))
				continue;
			any = any ? any : sa;
			if (sa->state && strcasecmp(sa->state, "ESTABLISHED") == 0 && !up)
				up = sa;
		}
		if (!up) {
			if (starts)
				conn_down(out, conn, NULL, "start", any,
					  any ? "its IKE SA is not established" : "no IKE SA");
			continue;
		}
		if (conn->child_count == 0) {
			/* a connection without child configs (libreswan): the conn is its child */
			if (expected_any && !find_child(ike, up, NULL))
				conn_down(out, conn, NULL, conn_action ? conn_action : "start", up,
					  "the IKE SA is up but has no CHILD_SA");
			continue;
		}
		for (uint32_t j = 0; j < conn->child_count; j++) {
			const struct xd_ike_child_cfg *cc = xd_vec_at(&ike->child_cfgs, conn->child_first + j);
			const char *a;
			bool found = false;
			if (!cc || !cc->name)
				continue;
			a = cc->start_action ? cc->start_action : conf_start(s, conn, cc->name);
			/* the IKE SA was made for its only child, or the child is to be started */
			if (!action_starts(a) && conn->child_count != 1)
				continue;
			for (size_t k = 0; k < ike->sas.len && !found; k++) {
				const struct xd_ike_sa *sa = xd_vec_at(&ike->sas, k);
				found = sa->name && xd_streq(sa->name, conn->name) &&
					same_stack(sa->stack, conn->stack) && find_child(ike, sa, cc->name);
			}
			if (!found)
				conn_down(out, conn, cc->name, a ? a : "none (the only child)", up,
					  "the IKE SA is up but this CHILD_SA is not");
		}
	}
}

static void check_unreachable(const struct xd_diag_ctx *ctx, struct xd_findings *out)
{
	const struct xd_snapshot *s = ctx->now;
	const struct xd_stack_view *v = ctx->stack;

	if (!v->have_processes)
		return;
	for (unsigned i = 0; i < v->n_daemons; i++) {
		const struct xd_daemon *d = &v->daemons[i];
		const char *dump = NULL;
		enum xd_dump_status st;
		struct xd_finding *x;
		int err = 0;
		if (!d->pid)
			continue; /* known from a socket only: not a process we saw running */
		st = view_status(s, d->kind, &err, &dump);
		/* denied is this process's lack of access (the daemon's unprivileged user and a
		 * root-only socket), not a fault of the IKE daemon: tool.permission_denied says it */
		if (st != XD_DUMP_ERROR)
			continue;
		x = xd_finding_add(out, &defs[D_UNREACHABLE], "%s (pid %u) runs but its control "
				   "channel did not answer (%s: %s%s%s)", xd_stack_kind_name(d->kind),
				   d->pid, dump, xd_dump_status_name(st), err ? ", " : "",
				   err ? strerror(-err) : "");
		xd_finding_name(x, xd_stack_kind_name(d->kind));
		xd_finding_ev_int(x, "pid", d->pid);
		xd_finding_ev_str(x, "dump", "%s", dump);
		xd_finding_ev_str(x, "status", "%s", xd_dump_status_name(st));
		if (err)
			xd_finding_ev_int(x, "errno", -err);
		if (d->ctl_socket)
			xd_finding_ev_str(x, "ctl_socket", "%s", d->ctl_socket);
	}
}

static void run(const struct xd_diag_ctx *ctx, struct xd_findings *out)
{
	const struct xd_snapshot *s = ctx->now;
	static const struct xd_ike none; /* no view decoded: the daemons own nothing */
	const struct xd_ike *ike = s->ike ? s->ike : &none;

	check_unreachable(ctx, out);
	check_not_in_kernel(s, ike, out);
	check_unknown(ctx, ike, out);
	check_conn_down(s, ike, out);
}

const struct xd_check_family xd_check_ike_kernel = {
	.name = "ike-kernel",
	.defs = defs,
	.run = run,
};
