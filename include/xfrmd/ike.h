/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ike.h: the IKE daemon's own view, as its control channel reports it (strongSwan's VICI
 * `list-conns` and `list-sas`): configured connections, IKE SAs and CHILD_SAs. The project's
 * own types, no strongSwan headers. No field can hold a key or a secret: the decoder keeps
 * only the named fields below (and never a value whose name looks like a key or secret).
 * Strings are interned in the snapshot; values the daemon sent in a form we do not know are
 * kept as the daemon's text.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "xfrmd/util.h"

struct xd_snapshot;

/* A child configuration of a connection (list-conn "children"). */
struct xd_ike_child_cfg {
	const char *name;
	const char *mode;         /* "TUNNEL", "TRANSPORT", ... as the daemon names it */
	const char *start_action; /* when the daemon reports it (newer strongSwan), else NULL */
	uint32_t local_ts_first, local_ts_count;   /* into ike->strings */
	uint32_t remote_ts_first, remote_ts_count; /* into ike->strings */
};

/* A configured connection (one list-conn event, or one connection of `whack --status`). */
struct xd_ike_conn {
	const char *stack; /* "strongswan", "libreswan": which daemon reported it */
	const char *name;
	const char *version;   /* "IKEv2", "IKEv1/2" ... */
	const char *local_id;  /* id of the first local auth round, NULL if none */
	const char *remote_id;
	uint32_t local_addrs_first, local_addrs_count;   /* into ike->strings */
	uint32_t remote_addrs_first, remote_addrs_count; /* into ike->strings */
	uint32_t child_first, child_count;               /* into ike->child_cfgs */
};

/* A CHILD_SA of an IKE SA (list-sa "child-sas"). */
struct xd_ike_child_sa {
	const char *name;
	const char *state;    /* "INSTALLED", "REKEYED" ... */
	const char *mode;
	const char *protocol; /* "ESP", "AH" */
	uint32_t uniqueid;
	uint32_t reqid;
	uint32_t spi_in, spi_out; /* host order; 0 = not reported */
	uint64_t bytes_in, packets_in, bytes_out, packets_out;
	uint32_t local_ts_first, local_ts_count;   /* into ike->strings */
	uint32_t remote_ts_first, remote_ts_count; /* into ike->strings */
	const char *state_raw; /* the daemon's own state name when `state` is mapped
				  (libreswan: "STATE_V2_ESTABLISHED_CHILD_SA"), else NULL */
};

/* An IKE SA (one list-sa event, or one state of libreswan's `whack --status`). */
struct xd_ike_sa {
	const char *stack; /* "strongswan", "libreswan": which daemon reported it */
	const char *name;  /* the connection it belongs to */
	const char *state; /* "ESTABLISHED", "CONNECTING" ... */
	const char *version;
	const char *local_host, *remote_host;
	const char *local_id, *remote_id;
	uint32_t uniqueid;
	uint16_t local_port, remote_port;
	bool initiator;
	bool has_established;
	uint64_t established_s; /* seconds since establishment, when has_established */
	bool nat_local, nat_remote, nat_fake, nat_any;
	uint32_t child_first, child_count; /* into ike->child_sas */
	const char *state_raw; /* the daemon's own state name when `state` is mapped
				  (libreswan: "STATE_V2_ESTABLISHED_IKE_SA"), else NULL */
};

/*
 * What the daemon said happened to a connection: one log line (journal or log file) or one
 * control-channel event, classified. Failures are what the ike.* findings report; the "up"
 * kinds clear the failures of the same connection that came before them.
 */
enum xd_ike_event_kind {
	XD_IKE_EV_AUTH_FAILED,      /* PSK/signature did not verify, AUTHENTICATION_FAILED */
	XD_IKE_EV_NO_PROPOSAL,      /* NO_PROPOSAL_CHOSEN, IKE or ESP (text says which) */
	XD_IKE_EV_TS_UNACCEPTABLE,  /* TS_UNACCEPTABLE, no matching traffic selectors */
	XD_IKE_EV_PEER_UNREACHABLE, /* retransmits, then giving up: no answer from the peer */
	XD_IKE_EV_ID_MISMATCH,      /* no config for the peer's ID, certificate ID mismatch */
	XD_IKE_EV_DPD_DEAD,         /* dead peer detection declared the peer dead */
	XD_IKE_EV_INVALID_KE,       /* INVALID_KE_PAYLOAD: DH group disagreement */
	XD_IKE_EV_NATT_TRANSPORT,   /* transport mode refused because of NAT */
	XD_IKE_EV_IKE_UP,           /* IKE SA established */
	XD_IKE_EV_CHILD_UP,         /* CHILD_SA (IPsec SA) established */
	XD_IKE_EV_IKE_DOWN,         /* IKE SA deleted or closed */
	XD_IKE_EV_CHILD_DOWN,       /* CHILD_SA deleted */
	_XD_IKE_EV_MAX,
};

struct xd_ike_event {
	enum xd_ike_event_kind kind;
	int64_t time_s;     /* Unix time of the line; 0 when the line carries none we can read */
	const char *stack;  /* "strongswan", "libreswan" */
	const char *conn;   /* connection name, NULL when the line names none */
	const char *peer;   /* peer address as the daemon wrote it, NULL when unknown */
	const char *text;   /* the daemon's own words: one line, bounded, never a key or secret */
	const char *source; /* "journal", "vici" or the log file's path */
};

/* Name of an event kind ("auth_failed"), NULL when out of range. */
const char *xd_ike_event_kind_name(enum xd_ike_event_kind k);
/* Is it one of the failure kinds (not an up/down)? */
bool xd_ike_event_is_failure(enum xd_ike_event_kind k);

struct xd_ike {
	bool conns_present, sas_present; /* a list-conns / list-sas reply was recorded */
	bool events_present;             /* a log or event source was read (even if empty) */
	struct xd_vec events;            /* struct xd_ike_event, oldest first */
	struct xd_vec conns;      /* struct xd_ike_conn, in the daemon's order */
	struct xd_vec child_cfgs; /* struct xd_ike_child_cfg */
	struct xd_vec sas;        /* struct xd_ike_sa */
	struct xd_vec child_sas;  /* struct xd_ike_child_sa */
	struct xd_vec strings;    /* const char *: addresses and traffic selectors */
	/* decoder bookkeeping: the first IKE SA of the last `whack --status` record, so the
	 * `--trafficstatus` record of the same pluto that follows it finds its CHILD_SAs */
	uint32_t whack_sa_first;
};

/* The snapshot's IKE view, created on first use; NULL on allocation failure. */
struct xd_ike *xd_snapshot_ike(struct xd_snapshot *s);
void xd_ike_done(struct xd_ike *ike);

/* The i-th string of ike->strings (NULL when out of range). */
const char *xd_ike_string(const struct xd_ike *ike, uint32_t i);

/*
 * Is a VICI key or list of this name one that may carry key material or a secret ("*key*",
 * "*secret*", "*psk*", "*passw*", "SK_*" as RFC 7296 names derived keys, case-insensitive;
 * "*-keysize" is a size, not a key)?
 * The decoder never keeps such a value and the collector zeroes it before recording. Pure.
 */
bool xd_vici_name_is_secret(const char *name, size_t len);

/*
 * The failures the IKE daemons logged, counted once each across samples (the daemon's
 * xfrmd_ike_failures_total counter). Each sample holds the failure events of a bounded log
 * window (time and bytes); an event counts when the previous sample's window did not already
 * hold it (same kind, time, stack, connection, peer and words; a line logged twice counts
 * twice). Events leaving the window are not subtracted. The first sample counts its whole
 * window.
 */
struct xd_ike_failures {
	uint64_t total[_XD_IKE_EV_MAX]; /* by kind; only the failure kinds move */
	uint64_t *prev;                 /* sorted keys of the previous sample's failure events */
	size_t n_prev;
	bool seen;                      /* a sample with a log view was counted */
};

void xd_ike_failures_init(struct xd_ike_failures *f);
void xd_ike_failures_done(struct xd_ike_failures *f);
/* Count the new failure events of `s`; a snapshot without a log view changes nothing.
 * Returns 0 or -ENOMEM (the tally is then unchanged). */
int xd_ike_failures_update(struct xd_ike_failures *f, const struct xd_snapshot *s);
