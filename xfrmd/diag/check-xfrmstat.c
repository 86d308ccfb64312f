/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * check-xfrmstat.c: /proc/net/xfrm_stat counters mapped to their causes
 * (shared/reference netlink.md §2). The counters are cumulative since the namespace was
 * created, so one snapshot reports a non-zero counter only as info ("has counted N"); with
 * two samples (`check --interval`, the daemon) a rising counter gets the counter's severity.
 * Counters this table does not know are reported under xfrmstat.other.
 */
#include <stdio.h>
#include <string.h>

#include "diag-util.h"
#include "xfrmd/diag.h"

/* X-macro: one list, expanded into the finding definitions and the counter names. */
#define COUNTERS(X) \
	X("XfrmInError", "in_error", XD_SEV_WARNING, "inbound IPsec errors (catch-all)", "Rare: memory pressure or ESP-in-TCP stream errors. Check dmesg and memory.") \
	X("XfrmInBufferError", "in_buffer_error", XD_SEV_WARNING, "inbound: no buffer or nesting too deep", "Nested IPsec loops or offload driver problems; check for SAs that re-encapsulate.") \
	X("XfrmInHdrError", "in_hdr_error", XD_SEV_WARNING, "inbound: malformed ESP/AH header", "Truncation, fragments or a middlebox rewriting packets; check the path MTU.") \
	X("XfrmInNoStates", "in_no_states", XD_SEV_ERROR, "inbound packets for an SPI this host does not have", "The peer uses an SA this host lacks (stale SA after a restart or rekey, wrong mark or " "if_id). Compare the peer's outbound SPIs with `ip xfrm state`; restart the CHILD_SA.") \
	X("XfrmInStateProtoError", "in_state_proto_error", XD_SEV_ERROR, "inbound integrity/decryption failures", "Keys or algorithms differ between the peers (see per-SA integrity_failed). " "Re-establish the CHILD_SA and compare proposals.") \
	X("XfrmInStateModeError", "in_state_mode_error", XD_SEV_ERROR, "inbound mode or decapsulation errors", "Transport vs tunnel mismatch or VTI/xfrm interface misconfiguration.") \
	X("XfrmInStateSeqError", "in_state_seq_error", XD_SEV_WARNING, "inbound packets outside the replay window", "Reordering beyond the window (QoS, multipath) or a peer that reset its sequence; raise the " "replay window.") \
	X("XfrmInStateExpired", "in_state_expired", XD_SEV_ERROR, "inbound packets on an expired SA", "Rekeying failed; check the IKE daemon.") \
	X("XfrmInStateMismatch", "in_state_mismatch", XD_SEV_ERROR, "inbound encapsulation or selector mismatch", "NAT-T on one side only (UDP-encapsulated vs raw ESP), or decrypted traffic outside the SA's " "traffic selectors. Compare encap and selectors on both peers.") \
	X("XfrmInStateInvalid", "in_state_invalid", XD_SEV_WARNING, "inbound packets on an invalid SA", "A rekey/delete race; only a concern when it keeps rising.") \
	X("XfrmInTmplMismatch", "in_tmpl_mismatch", XD_SEV_ERROR, "inbound traffic not matching the policy templates", "reqid/mode/endpoint mismatch between SA and policy, or plaintext where the policy requires " "IPsec (the peer is not encrypting).") \
	X("XfrmInNoPols", "in_no_pols", XD_SEV_ERROR, "decrypted inbound traffic without a matching policy", "Missing fwd policy on a tunnel gateway or missing in policy, or default in/fwd policy block.") \
	X("XfrmInPolBlock", "in_pol_block", XD_SEV_WARNING, "inbound traffic dropped by a block policy", "A drop/reject shunt policy matches; check whether it is intended.") \
	X("XfrmInPolError", "in_pol_error", XD_SEV_WARNING, "inbound policy lookup errors", "Labeled IPsec/LSM or socket-policy errors.") \
	X("XfrmOutError", "out_error", XD_SEV_WARNING, "outbound IPsec errors (catch-all)", "Memory or GSO failures; check dmesg.") \
	X("XfrmOutBundleGenError", "out_bundle_gen_error", XD_SEV_ERROR, "outbound bundle creation failed", "Usually no route to the tunnel endpoint; check routing to the peer.") \
	X("XfrmOutBundleCheckError", "out_bundle_check_error", XD_SEV_WARNING, "outbound bundle check errors", "Historical counter; unused by current kernels.") \
	X("XfrmOutNoStates", "out_no_states", XD_SEV_ERROR, "outbound traffic matched a policy but no SA exists", "IKE is not up for this traffic: daemon not running, negotiation failing, or a reqid " "mismatch between policy and SA.") \
	X("XfrmOutStateProtoError", "out_state_proto_error", XD_SEV_ERROR, "outbound ESP/AH processing failed", "Crypto or offload errors; check dmesg.") \
	X("XfrmOutStateModeError", "out_state_mode_error", XD_SEV_ERROR, "outbound mode errors", "Family/mode mismatch in the SA.") \
	X("XfrmOutStateSeqError", "out_state_seq_error", XD_SEV_ERROR, "outbound sequence numbers exhausted", "An SA reached 2^32 packets without rekey or ESN; configure rekey limits.") \
	X("XfrmOutStateExpired", "out_state_expired", XD_SEV_ERROR, "outbound packets on an expired SA", "Rekeying failed; check the IKE daemon.") \
	X("XfrmOutPolBlock", "out_pol_block", XD_SEV_WARNING, "outbound traffic dropped by a block policy", "A drop shunt or trap-with-block policy matches.") \
	X("XfrmOutPolDead", "out_pol_dead", XD_SEV_WARNING, "outbound packets on a dead policy", "Historical counter; unused by current kernels.") \
	X("XfrmOutPolError", "out_pol_error", XD_SEV_ERROR, "outbound policy errors", "Broken SA state or a direction mismatch; check the SA set.") \
	X("XfrmFwdHdrError", "fwd_hdr_error", XD_SEV_INFO, "forwarded packets that could not be classified", "Often benign.") \
	X("XfrmOutStateInvalid", "out_state_invalid", XD_SEV_WARNING, "outbound packets on an invalid SA", "A rekey/delete race; only a concern when it keeps rising.") \
	X("XfrmAcquireError", "acquire_error", XD_SEV_WARNING, "inbound packets for an SA still being negotiated", "The peer sends before this host installed the inbound SA (IKE install race).") \
	X("XfrmOutStateDirError", "out_state_dir_error", XD_SEV_ERROR, "outbound lookup found an inbound-only SA", "The IKE daemon set the wrong SA direction.") \
	X("XfrmInStateDirError", "in_state_dir_error", XD_SEV_ERROR, "inbound lookup found an outbound-only SA", "The IKE daemon set the wrong SA direction.") \
	X("XfrmInIptfsError", "in_iptfs_error", XD_SEV_ERROR, "IP-TFS reassembly errors", "IP-TFS parameters differ between peers.") \
	X("XfrmOutNoQueueSpace", "out_no_queue_space", XD_SEV_WARNING, "IP-TFS output queue full", "Raise the IP-TFS max queue size.")

#define AS_DEF(name, id, sev, title, remedy) { "xfrmstat." id, sev, title, remedy },
#define AS_NAME(name, id, sev, title, remedy) name,

static const struct xd_finding_def defs[] = {
	COUNTERS(AS_DEF)
	{ "xfrmstat.other", XD_SEV_WARNING, "a kernel XFRM counter this version does not know",
	  "Look the counter up in the kernel's Documentation/networking/xfrm/xfrm_proc.rst." },
	{ NULL },
};

static const char *const counter_names[] = { COUNTERS(AS_NAME) };

static const struct xd_finding_def *def_for(const char *name)
{
	for (size_t i = 0; i < XD_ARRAY_SIZE(counter_names); i++)
		if (xd_streq(counter_names[i], name))
			return &defs[i];
	return &defs[XD_ARRAY_SIZE(counter_names)]; /* xfrmstat.other */
}

static uint64_t prev_value(const struct xd_snapshot *prev, const char *name, bool *found)
{
	*found = false;
	if (!prev || !prev->xfrm_stat.present)
		return 0;
	for (size_t i = 0; i < prev->xfrm_stat.counters.len; i++) {
		const struct xd_counter *c = xd_vec_at(&prev->xfrm_stat.counters, i);
		if (xd_streq(c->name, name)) {
			*found = true;
			return c->value;
		}
	}
	return 0;
}

static size_t packet_offload_sas(const struct xd_snapshot *s)
{
	size_t n = 0;

	for (size_t i = 0; i < s->sas.len; i++)
		n += xd_sa_is_packet_offload(xd_snapshot_sa(s, i));
	return n;
}

static void run(const struct xd_diag_ctx *c, struct xd_findings *out)
{
	const struct xd_snapshot *s = c->now;
	size_t offloaded;

	if (!s->xfrm_stat.present)
		return;
	/* the NIC handles these SAs' packets: their errors are in the driver's counters
	 * (ethtool -S), not here, so a quiet xfrm_stat says nothing about them */
	offloaded = packet_offload_sas(s);
	for (size_t i = 0; i < s->xfrm_stat.counters.len; i++) {
		const struct xd_counter *k = xd_vec_at(&s->xfrm_stat.counters, i);
		const struct xd_finding_def *def = def_for(k->name);
		bool had;
		uint64_t before = prev_value(c->prev, k->name, &had);
		struct xd_finding *x;

		if (!k->value)
			continue;
		if (c->prev && had) {
			if (k->value <= before)
				continue;
			uint64_t delta = k->value - before;
			x = xd_finding_add(out, def, "%s rose by %llu in %.0f s: %s", k->name,
					   (unsigned long long)delta, c->interval_s, def->title);
			xd_finding_ev_int(x, "delta", (int64_t)delta);
			if (c->interval_s > 0)
				xd_finding_ev_str(x, "rate_per_s", "%.3f", (double)delta / c->interval_s);
		} else {
			x = xd_finding_add(out, def, "%s has counted %llu since the namespace was created: %s",
					   k->name, (unsigned long long)k->value, def->title);
			xd_finding_set_severity(x, XD_SEV_INFO);
		}
		xd_finding_name(x, k->name);
		xd_finding_ev_int(x, "value", (int64_t)k->value);
		if (offloaded)
			xd_finding_ev_int(x, "packet_offload_sas_not_counted", (int64_t)offloaded);
	}
}

const struct xd_check_family xd_check_xfrmstat = { "xfrmstat", defs, run };
