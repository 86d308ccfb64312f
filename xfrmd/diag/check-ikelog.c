/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * check-ikelog.c: why a tunnel does not come up, in the IKE daemon's own words (ike.*
 * findings from the classified log events of ike.h, decoded from the ike.log dump).
 *
 * Failures are folded per connection (or per peer when the daemon named no connection) and
 * finding id: how many, the last one's time and words. A failure is cleared when the same
 * connection (or peer) came up afterwards: an IKE SA established clears failures of the IKE
 * SA (authentication, identity, no answer, dead peer, DH group), a CHILD_SA established
 * clears those too and the CHILD_SA's own (proposals, traffic selectors, NAT-T transport).
 * A tunnel that works raises nothing.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag-util.h"
#include "xfrmd/fw.h"
#include "xfrmd/ike.h"

enum { D_AUTH, D_PROPOSAL, D_TS, D_UNREACHABLE, D_ID, D_DPD };

static const struct xd_finding_def defs[] = {
	[D_AUTH] = { "ike.auth_failed", XD_SEV_ERROR, "IKE authentication failed",
		     "The peers do not accept each other's proof of identity: a pre-shared key that "
		     "differs between the two sides (compare the secrets configured for this pair of "
		     "IDs on both gateways), or a certificate/signature the peer does not trust. The "
		     "side that rejected logs the reason; a peer that finds no connection for our ID "
		     "also answers AUTHENTICATION_FAILED." },
	[D_PROPOSAL] = { "ike.no_proposal", XD_SEV_ERROR, "IKE or ESP proposals do not match",
			 "The two sides share no algorithm set (encryption, integrity, PRF, DH group) "
			 "for the IKE SA or the CHILD_SA: make `proposals`/`esp_proposals` "
			 "(strongSwan) or `ike=`/`esp=` (libreswan) overlap on both gateways. The "
			 "daemon's log lists the received and configured proposals." },
	[D_TS] = { "ike.ts_unacceptable", XD_SEV_ERROR, "traffic selectors refused",
		   "The peer accepts none of the proposed traffic selectors: make local_ts/remote_ts "
		   "(leftsubnet/rightsubnet) mirror each other on both sides. With NAT between the "
		   "peers, transport mode is refused by design (the addresses inside the ESP packet "
		   "are not the ones the peer sees; libreswan refuses it, strongSwan needs it on both "
		   "sides): use tunnel mode across NAT." },
	[D_UNREACHABLE] = { "ike.peer_unreachable", XD_SEV_ERROR, "the IKE peer does not answer",
			    "Requests to the peer were retransmitted and the daemon gave up: the "
			    "peer is down, does not listen on UDP 500/4500, or something on the path "
			    "drops UDP 500/4500. The evidence says whether this host's firewall "
			    "passes IKE to the peer; if it does, look at the path and at the peer." },
	[D_ID] = { "ike.id_mismatch", XD_SEV_ERROR, "no connection matches the peer's identity",
		   "The peer presented an ID (or a certificate) that no configured connection "
		   "expects: align the local ID of one side with the remote ID of the other "
		   "(strongSwan local.id/remote.id, libreswan leftid/rightid), and check that the "
		   "certificate's subject or subjectAltName carries that ID." },
	[D_DPD] = { "ike.dpd_dead", XD_SEV_WARNING, "dead peer detection declared the peer dead",
		    "An established IKE SA stopped getting answers: the peer restarted, went away, "
		    "or the path (or a NAT mapping) broke. The daemon acts on dpd_action/"
		    "dpdaction (restart, clear, hold); check the peer and the path." },
	{ NULL },
};

/* strcmp for strings that may be NULL (two NULLs are equal) */
static bool str_eq(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

static int def_of(enum xd_ike_event_kind k)
{
	switch (k) {
	case XD_IKE_EV_AUTH_FAILED:
		return D_AUTH;
	case XD_IKE_EV_NO_PROPOSAL:
	case XD_IKE_EV_INVALID_KE:
		return D_PROPOSAL;
	case XD_IKE_EV_TS_UNACCEPTABLE:
	case XD_IKE_EV_NATT_TRANSPORT:
		return D_TS;
	case XD_IKE_EV_PEER_UNREACHABLE:
		return D_UNREACHABLE;
	case XD_IKE_EV_ID_MISMATCH:
		return D_ID;
	case XD_IKE_EV_DPD_DEAD:
		return D_DPD;
	default:
		return -1;
	}
}

/* A failure of the CHILD_SA (only a CHILD_SA coming up clears it). */
static bool child_level(const struct xd_ike_event *e)
{
	return e->kind == XD_IKE_EV_TS_UNACCEPTABLE || e->kind == XD_IKE_EV_NATT_TRANSPORT ||
	       (e->kind == XD_IKE_EV_NO_PROPOSAL && e->text &&
		(strstr(e->text, "CHILD_SA") || strstr(e->text, "Child SA")));
}

static bool same_subject(const struct xd_ike_event *a, const struct xd_ike_event *b)
{
	if (a->conn && b->conn)
		return str_eq(a->conn, b->conn);
	return a->peer && b->peer && str_eq(a->peer, b->peer);
}

/* Did the same connection (or peer) come up after event i? */
static bool cleared(const struct xd_ike *ike, size_t i)
{
	const struct xd_ike_event *f = xd_vec_at(&ike->events, i);
	bool child = child_level(f);

	for (size_t j = i + 1; j < ike->events.len; j++) {
		const struct xd_ike_event *u = xd_vec_at(&ike->events, j);
		if (u->kind != XD_IKE_EV_CHILD_UP && (child || u->kind != XD_IKE_EV_IKE_UP))
			continue;
		/* events of another log source come in another order: compare times there */
		if (!str_eq(u->source, f->source) &&
		    (!u->time_s || !f->time_s || u->time_s < f->time_s))
			continue;
		if (same_subject(f, u))
			return true;
	}
	return false;
}

/* What this host's firewall does with IKE to and from the peer. */
static void fw_evidence(const struct xd_diag_ctx *c, struct xd_finding *x, const char *peer)
{
	const struct xd_fw *fw = c->now->fw;
	struct xd_fw_packet pk = { .l4proto = 17, .has_sport = true, .has_dport = true,
				   .sport = 500, .dport = 500, .iif_not_lo = true, .oif_not_lo = true };
	struct xd_fw_result *r;
	uint8_t hooks[3], a[16] = { 0 };
	size_t nh;

	if (!peer || !x)
		return;
	if (!fw) {
		xd_finding_ev_str(x, "local_firewall", "not collected");
		return;
	}
	if (inet_pton(AF_INET, peer, a) == 1)
		pk.family = AF_INET;
	else if (inet_pton(AF_INET6, peer, a) == 1)
		pk.family = AF_INET6;
	else
		return;
	r = malloc(sizeof(*r));
	if (!r)
		return;
	/* our request out (new), the peer's answer in (a reply) */
	memcpy(pk.dst, a, 16);
	pk.ct = XD_FW_CT_NEW;
	nh = xd_fw_path(XD_FW_PATH_OUTPUT, hooks);
	if (xd_fw_eval(fw, &pk, hooks, nh, r) == 0)
		xd_finding_ev_str(x, "local_firewall_ike_out", "%s", xd_fw_verdict_name(r->verdict));
	memset(pk.dst, 0, 16);
	memcpy(pk.src, a, 16);
	pk.ct = XD_FW_CT_ESTABLISHED;
	nh = xd_fw_path(XD_FW_PATH_INPUT, hooks);
	if (xd_fw_eval(fw, &pk, hooks, nh, r) == 0) {
		xd_finding_ev_str(x, "local_firewall_ike_in", "%s", xd_fw_verdict_name(r->verdict));
		if (r->verdict == XD_FW_DROP && r->decider.chain)
			xd_finding_ev_str(x, "local_firewall_rule", "%s %s handle %llu",
					  r->decider.table ? r->decider.table : "?", r->decider.chain,
					  (unsigned long long)r->decider.handle);
	}
	free(r);
}

static void run(const struct xd_diag_ctx *c, struct xd_findings *out)
{
	const struct xd_ike *ike = c->now->ike;
	bool *done;

	if (!ike || !ike->events.len)
		return;
	done = calloc(ike->events.len, sizeof(*done));
	if (!done) {
		out->error = out->error ? out->error : -12;
		return;
	}
	/* newest first: each (subject, finding id) is reported once, from its last failure */
	for (size_t i = ike->events.len; i-- > 0;) {
		const struct xd_ike_event *e = xd_vec_at(&ike->events, i);
		const struct xd_ike_event *first = e;
		int d = def_of(e->kind);
		unsigned count = 0;
		struct xd_finding *x;
		char ts[32] = "time unknown";

		if (done[i] || d < 0)
			continue;
		done[i] = true;
		if (cleared(ike, i))
			continue;
		/* fold the earlier failures of the same subject and id that are not cleared */
		count = 1;
		for (size_t j = 0; j < i; j++) {
			const struct xd_ike_event *o = xd_vec_at(&ike->events, j);
			if (done[j] || def_of(o->kind) != d || !same_subject(o, e) ||
			    !str_eq(o->conn, e->conn))
				continue;
			done[j] = true;
			if (cleared(ike, j))
				continue;
			if (count == 1)
				first = o;
			count++;
		}
		if (e->time_s) {
			time_t t = (time_t)e->time_s;
			struct tm tm;
			if (gmtime_r(&t, &tm))
				strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
		}
		x = xd_finding_add(out, &defs[d], "%s%s%s%s: %s", e->conn ? "connection " : "peer ",
				   e->conn ? e->conn : e->peer ? e->peer : "?",
				   e->conn && e->peer ? " to " : "", e->conn && e->peer ? e->peer : "",
				   e->text ? e->text : "");
		xd_finding_name(x, e->conn ? e->conn : e->peer ? e->peer : "?");
		if (e->peer) {
			struct xd_addr a = { 0 };
			if (inet_pton(AF_INET, e->peer, a.b) == 1)
				xd_finding_peer(x, AF_INET, NULL, &a);
			else if (inet_pton(AF_INET6, e->peer, a.b) == 1)
				xd_finding_peer(x, AF_INET6, NULL, &a);
		}
		if (e->conn)
			xd_finding_ev_str(x, "connection", "%s", e->conn);
		if (e->peer)
			xd_finding_ev_str(x, "peer", "%s", e->peer);
		xd_finding_ev_str(x, "daemon_says", "%s", e->text ? e->text : "");
		xd_finding_ev_str(x, "event", "%s", xd_ike_event_kind_name(e->kind));
		xd_finding_ev_str(x, "time", "%s", ts);
		xd_finding_ev_int(x, "time_s", e->time_s);
		xd_finding_ev_int(x, "count", count);
		if (count > 1 && first->time_s)
			xd_finding_ev_int(x, "first_time_s", first->time_s);
		if (e->stack)
			xd_finding_ev_str(x, "stack", "%s", e->stack);
		if (e->source)
			xd_finding_ev_str(x, "log", "%s", e->source);
		if (e->kind == XD_IKE_EV_NATT_TRANSPORT)
			xd_finding_ev_bool(x, "natt_transport", true);
		if (d == D_UNREACHABLE)
			fw_evidence(c, x, e->peer);
	}
	free(done);
}

const struct xd_check_family xd_check_ikelog = {
	.name = "ike-log",
	.defs = defs,
	.run = run,
};
