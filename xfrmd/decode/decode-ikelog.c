/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * decode-ikelog.c: IKE daemons' log lines (strongSwan charon, libreswan pluto) -> classified
 * events (ike.h, struct xd_ike_event), and the allowlist the collector applies before a line
 * may enter a snapshot (xd_ikelog_keep()).
 *
 * The ike.log dump holds one record per log source:
 *     "# source: PATH stack: strongswan\n" then raw lines, oldest first.
 * Journal lines carry their time as "@UNIXTIME " before the message (the collector writes
 * them so); file lines carry whatever time stamp the daemon or syslog wrote, or none.
 *
 * Only lines whose message matches a known phrase are kept: failures, "up"/"down" events and
 * a few context lines that name the connection or the peer of an IKE SA (strongSwan writes
 * the failure itself without either unless ike_name = yes). charon at high log levels dumps
 * keys and packet bytes: those lines match no phrase, so they never reach a snapshot, and
 * every kept line is cut to XD_IKELOG_LINE_MAX bytes.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "xfrmd/decode.h"
#include "xfrmd/ike.h"
#include "xfrmd/model.h"

#define TEXT_MAX 240 /* of the daemon's words kept in an event */

enum {
	C_NONE = -1,
	/* context kinds, after the event kinds of ike.h */
	C_INITIATING = _XD_IKE_EV_MAX, /* "initiating IKE_SA conn[N] to PEER" */
	C_PEER_INITIATING,             /* "PEER is initiating an IKE_SA" */
	C_LOOKING,                     /* "looking for peer configs matching A[..]...B[..]" */
	C_SELECTED,                    /* "selected peer config 'conn'" */
	C_RECEIVED,                    /* "received packet: from PEER[port] to ..." */
	C_LOCAL_FAIL,                  /* a local failure (the kernel refused the SA): the
					* reply that follows is not a configuration mismatch */
	C_PEER_NAMED,                  /* libreswan: "sent IKE_SA_INIT request to PEER:500" */
};

enum { SW = 1, LS = 2 }; /* stacks a phrase belongs to */
enum {
	F_GENERIC = 1u << 0, /* a reply that repeats a failure already logged for the SA */
	F_CHILD = 1u << 1,   /* about a CHILD_SA, not the IKE SA */
};

static const struct phrase {
	unsigned stacks;
	const char *needle;
	int kind;
	unsigned flags;
} phrases[] = {
	/* strongSwan (charon 5.x), observed on 5.9.8 with a real peer */
	{ SW, "received AUTHENTICATION_FAILED notify", XD_IKE_EV_AUTH_FAILED, 0 },
	{ SW, "but MAC mismatched", XD_IKE_EV_AUTH_FAILED, 0 },
	{ SW, "signature validation failed", XD_IKE_EV_AUTH_FAILED, 0 },
	{ SW, "N(AUTH_FAILED)", XD_IKE_EV_AUTH_FAILED, F_GENERIC },
	{ SW, "received NO_PROPOSAL_CHOSEN notify", XD_IKE_EV_NO_PROPOSAL, 0 },
	{ SW, "no acceptable proposal found", XD_IKE_EV_NO_PROPOSAL, 0 },
	{ SW, "N(NO_PROP)", XD_IKE_EV_NO_PROPOSAL, F_GENERIC },
	{ SW, "received TS_UNACCEPTABLE notify", XD_IKE_EV_TS_UNACCEPTABLE, F_CHILD },
	{ SW, "no acceptable traffic selectors found", XD_IKE_EV_TS_UNACCEPTABLE, F_CHILD },
	{ SW, " unacceptable", XD_IKE_EV_TS_UNACCEPTABLE, F_CHILD }, /* "traffic selectors ... unacceptable" */
	{ SW, "N(TS_UNACCEPT)", XD_IKE_EV_TS_UNACCEPTABLE, F_GENERIC | F_CHILD },
	{ SW, "peer not responding", XD_IKE_EV_PEER_UNREACHABLE, 0 },
	{ SW, "giving up after", XD_IKE_EV_PEER_UNREACHABLE, 0 },
	{ SW, "no matching peer config found", XD_IKE_EV_ID_MISMATCH, 0 },
	{ SW, "constraint check failed: identity", XD_IKE_EV_ID_MISMATCH, 0 },
	{ SW, "no trusted RSA public key found for", XD_IKE_EV_ID_MISMATCH, 0 },
	{ SW, "no trusted ECDSA public key found for", XD_IKE_EV_ID_MISMATCH, 0 },
	{ SW, "no trusted ED25519 public key found for", XD_IKE_EV_ID_MISMATCH, 0 },
	{ SW, "received INVALID_KE_PAYLOAD notify", XD_IKE_EV_INVALID_KE, 0 },
	{ SW, "peer didn't accept DH group", XD_IKE_EV_INVALID_KE, 0 },
	{ SW, "not using transport mode, connection NATed", XD_IKE_EV_NATT_TRANSPORT, F_CHILD },
	{ SW, " established between ", XD_IKE_EV_IKE_UP, 0 },
	{ SW, " established with SPIs ", XD_IKE_EV_CHILD_UP, 0 },
	{ SW, "deleting IKE_SA ", XD_IKE_EV_IKE_DOWN, 0 },
	{ SW, "closing CHILD_SA ", XD_IKE_EV_CHILD_DOWN, 0 },
	{ SW, "initiating IKE_SA ", C_INITIATING, 0 },
	{ SW, " is initiating an IKE_SA", C_PEER_INITIATING, 0 },
	{ SW, "looking for peer configs matching ", C_LOOKING, 0 },
	{ SW, "selected peer config '", C_SELECTED, 0 },
	{ SW, "received packet: from ", C_RECEIVED, 0 },
	{ SW, "unable to install inbound and outbound IPsec SA", C_LOCAL_FAIL, 0 },
	/* libreswan (pluto 4.x and 5.x); the first ones observed on 4.10 with a real peer */
	/* a reply repeating the reason logged just before for the same state (F_GENERIC) */
	{ LS, "notification AUTHENTICATION_FAILED", XD_IKE_EV_AUTH_FAILED, F_GENERIC },
	{ LS, "notification NO_PROPOSAL_CHOSEN", XD_IKE_EV_NO_PROPOSAL, F_GENERIC },
	{ LS, "notification TS_UNACCEPTABLE", XD_IKE_EV_TS_UNACCEPTABLE, F_GENERIC | F_CHILD },
	{ LS, "no local proposal matches remote proposals", XD_IKE_EV_NO_PROPOSAL, 0 },
	{ LS, "found with compatible Traffic Selectors", XD_IKE_EV_TS_UNACCEPTABLE, F_CHILD },
	/* "STATE_V2_PARENT_I1: 4 second timeout exceeded after 4 retransmits.  No response (or
	 * no acceptable response) to our first IKEv2 message" */
	{ LS, "No response (or no acceptable response)", XD_IKE_EV_PEER_UNREACHABLE, 0 },
	{ LS, "netlink response for Add SA", C_LOCAL_FAIL, 0 },
	{ LS, "sent IKE_SA_INIT request to ", C_PEER_NAMED, 0 },
	{ LS, "TS_UNACCEPTABLE", XD_IKE_EV_TS_UNACCEPTABLE, F_CHILD },
	{ LS, "Transport Mode not allowed", XD_IKE_EV_NATT_TRANSPORT, F_CHILD },
	{ LS, "AUTHENTICATION_FAILED", XD_IKE_EV_AUTH_FAILED, 0 },
	{ LS, "authentication failed", XD_IKE_EV_AUTH_FAILED, 0 },
	{ LS, "NO_PROPOSAL_CHOSEN", XD_IKE_EV_NO_PROPOSAL, 0 },
	{ LS, "no acceptable Oakley Transform", XD_IKE_EV_NO_PROPOSAL, 0 },
	{ LS, "max number of retransmissions", XD_IKE_EV_PEER_UNREACHABLE, 0 },
	{ LS, "no suitable connection for peer", XD_IKE_EV_ID_MISMATCH, 0 },
	{ LS, "Peer ID '", XD_IKE_EV_ID_MISMATCH, 0 }, /* "... mismatched on first found cert" */
	{ LS, "liveness action", XD_IKE_EV_DPD_DEAD, 0 },
	{ LS, "DPD action", XD_IKE_EV_DPD_DEAD, 0 },
	{ LS, "INVALID_KE_PAYLOAD", XD_IKE_EV_INVALID_KE, 0 },
	{ LS, "established IKE SA", XD_IKE_EV_IKE_UP, 0 },
	{ LS, "IKE SA established", XD_IKE_EV_IKE_UP, 0 },
	{ LS, "ISAKMP SA established", XD_IKE_EV_IKE_UP, 0 },
	{ LS, "established Child SA", XD_IKE_EV_CHILD_UP, 0 },
	{ LS, "IPsec SA established", XD_IKE_EV_CHILD_UP, 0 },
	{ LS, "deleting IKE SA", XD_IKE_EV_IKE_DOWN, 0 },
	{ LS, "deleting Child SA", XD_IKE_EV_CHILD_DOWN, 0 },
};

/* One line taken apart. */
struct line {
	int64_t time_s;
	const char *msg; /* the daemon's message: after time, syslog tag, thread and SA name */
	size_t msg_len;
	int thread;      /* strongSwan's worker thread, -1 when none */
	char conn[96];   /* from "<conn|N>" or libreswan's "conn" prefix, "" when none */
	char peer[64];   /* libreswan's instance address, "" when none */
	uint32_t sa_id;  /* strongSwan's IKE_SA unique id, libreswan's state #N; 0 when none */
	unsigned stack;  /* SW or LS: which format the line has */
};

static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
				      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

static bool digits(const char *p, size_t n, size_t len)
{
	if (n > len)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)p[i]))
			return false;
	return true;
}

static int num(const char *p, size_t n)
{
	int v = 0;

	for (size_t i = 0; i < n; i++)
		v = v * 10 + (p[i] - '0');
	return v;
}

/* Skip ".123456" fractions, an optional "Z"/"+hh:mm" zone, an optional ':' and spaces. */
static size_t skip_time_tail(const char *p, size_t len, size_t i, int *tz_off)
{
	if (i < len && (p[i] == '.' || p[i] == ','))
		for (i++; i < len && isdigit((unsigned char)p[i]); i++)
			;
	if (tz_off && i < len && p[i] == 'Z') {
		i++;
	} else if (tz_off && i + 6 <= len && (p[i] == '+' || p[i] == '-') && digits(p + i + 1, 2, len - i - 1) &&
		   p[i + 3] == ':' && digits(p + i + 4, 2, len - i - 4)) {
		*tz_off = (p[i] == '-' ? -1 : 1) * (num(p + i + 1, 2) * 3600 + num(p + i + 4, 2) * 60);
		i += 6;
	}
	if (i < len && p[i] == ':')
		i++;
	while (i < len && p[i] == ' ')
		i++;
	return i;
}

/*
 * A time stamp at the start: "@UNIX " (the journal, as the collector writes it), ISO 8601
 * "2026-12-07T19:48:35[.frac][zone]" (rsyslog), or BSD syslog "Dec  7 19:48:35[.frac]"
 * (charon's filelog time_format, pluto's logfile, classic syslog; local time, no year: the
 * year is the one that puts the line closest before `now`). Returns the bytes consumed (0
 * when there is no stamp) and the time in *ret (0 when unknown).
 */
static size_t parse_time(const char *p, size_t len, int64_t now, int64_t *ret)
{
	struct tm tm = { .tm_isdst = -1 };
	size_t i;

	*ret = 0;
	if (len > 1 && p[0] == '@' && isdigit((unsigned char)p[1])) {
		int64_t v = 0;
		for (i = 1; i < len && isdigit((unsigned char)p[i]) && i < 19; i++)
			v = v * 10 + (p[i] - '0');
		*ret = v;
		return skip_time_tail(p, len, i, NULL);
	}
	if (len >= 19 && digits(p, 4, len) && p[4] == '-' && digits(p + 5, 2, len - 5) &&
	    p[7] == '-' && digits(p + 8, 2, len - 8) && (p[10] == 'T' || p[10] == ' ') &&
	    digits(p + 11, 2, len - 11) && p[13] == ':' && digits(p + 14, 2, len - 14) &&
	    p[16] == ':' && digits(p + 17, 2, len - 17)) {
		int tz = 0, *tzp = &tz;
		bool zoned;
		tm.tm_year = num(p, 4) - 1900;
		tm.tm_mon = num(p + 5, 2) - 1;
		tm.tm_mday = num(p + 8, 2);
		tm.tm_hour = num(p + 11, 2);
		tm.tm_min = num(p + 14, 2);
		tm.tm_sec = num(p + 17, 2);
		i = skip_time_tail(p, len, 19, tzp);
		zoned = i > 19 && (p[i - 1] == 'Z' || memchr(p + 19, '+', i - 19) ||
				   memchr(p + 19, 'Z', i - 19) || tz != 0);
		if (zoned) {
			*ret = (int64_t)timegm(&tm) - tz;
		} else {
			*ret = (int64_t)mktime(&tm);
		}
		if (*ret < 0)
			*ret = 0;
		return i;
	}
	if (len >= 15 && p[3] == ' ' && (p[4] == ' ' || isdigit((unsigned char)p[4])) &&
	    isdigit((unsigned char)p[5]) && p[6] == ' ' && digits(p + 7, 2, len - 7) &&
	    p[9] == ':' && digits(p + 10, 2, len - 10) && p[12] == ':' && digits(p + 13, 2, len - 13)) {
		int mon = -1;
		struct tm nt;
		time_t t = (time_t)now;
		for (int m = 0; m < 12; m++)
			if (memcmp(p, months[m], 3) == 0)
				mon = m;
		if (mon < 0)
			return 0;
		if (!gmtime_r(&t, &nt))
			return 0;
		tm.tm_year = nt.tm_year;
		tm.tm_mon = mon;
		tm.tm_mday = (p[4] == ' ' ? 0 : (p[4] - '0') * 10) + (p[5] - '0');
		tm.tm_hour = num(p + 7, 2);
		tm.tm_min = num(p + 10, 2);
		tm.tm_sec = num(p + 13, 2);
		*ret = (int64_t)mktime(&tm);
		/* no year in the stamp: a line "in the future" is from last year */
		if (now > 0 && *ret > now + 86400) {
			tm.tm_year--;
			tm.tm_isdst = -1;
			*ret = (int64_t)mktime(&tm);
		}
		if (*ret < 0)
			*ret = 0;
		return skip_time_tail(p, len, 15, NULL);
	}
	return 0;
}

/* "host charon[123]: " or "host pluto: " (syslog files): the tag's end, 0 when absent. */
static size_t skip_syslog_tag(const char *p, size_t len)
{
	/* at most two words (host, tag) before a word ending in ':' */
	size_t i = 0;

	for (int w = 0; w < 2 && i < len; w++) {
		size_t s = i;
		while (i < len && p[i] != ' ' && p[i] != '"')
			i++;
		if (i == s || i >= len || p[i] == '"')
			return 0;
		if (p[i - 1] == ':') {
			/* a tag ends in "]:" or is a daemon's name */
			bool tag = (i - s >= 3 && p[i - 2] == ']') ||
				   (i - s == 7 && memcmp(p + s, "charon:", 7) == 0) ||
				   (i - s == 6 && memcmp(p + s, "pluto:", 6) == 0) ||
				   (i - s == 15 && memcmp(p + s, "charon-systemd:", 15) == 0) ||
				   (i - s == 6 && memcmp(p + s, "ipsec:", 6) == 0);
			if (!tag)
				return 0;
			while (i < len && p[i] == ' ')
				i++;
			return i;
		}
		i++;
	}
	return 0;
}

static void copy_bounded(char *dst, size_t dlen, const char *src, size_t n)
{
	if (n >= dlen)
		n = dlen - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static uint32_t parse_u32(const char *p, size_t n)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n && isdigit((unsigned char)p[i]) && v <= UINT32_MAX; i++)
		v = v * 10 + (uint64_t)(p[i] - '0');
	return v > UINT32_MAX ? 0 : (uint32_t)v;
}

/* Take a line apart (no allocation); `now` is for year-less stamps. */
static void split(const char *p, size_t len, int64_t now, struct line *l)
{
	size_t i;

	memset(l, 0, sizeof(*l));
	l->thread = -1;
	i = parse_time(p, len, now, &l->time_s);
	i += skip_syslog_tag(p + i, len - i);
	/* strongSwan: "NN[ABC] " worker thread and log group */
	if (i + 6 < len && isdigit((unsigned char)p[i]) && isdigit((unsigned char)p[i + 1]) &&
	    p[i + 2] == '[') {
		const char *rb = memchr(p + i + 3, ']', len - i - 3 < 8 ? len - i - 3 : 8);
		if (rb && rb + 1 < p + len && rb[1] == ' ') {
			l->thread = num(p + i, 2);
			l->stack = SW;
			i = (size_t)(rb - p) + 2;
		}
	}
	/* strongSwan with ike_name = yes: "<conn|N> " or "<N> " */
	if (i < len && p[i] == '<') {
		const char *gt = memchr(p + i, '>', len - i);
		if (gt && gt + 1 < p + len && gt[1] == ' ') {
			const char *bar = memchr(p + i, '|', (size_t)(gt - p) - i);
			const char *id = bar ? bar + 1 : p + i + 1;
			if (bar)
				copy_bounded(l->conn, sizeof(l->conn), p + i + 1, (size_t)(bar - p) - i - 1);
			l->sa_id = parse_u32(id, (size_t)(gt - id));
			l->stack = SW;
			i = (size_t)(gt - p) + 2;
		}
	}
	/* libreswan: "\"conn\"[N] ADDR #M: " with [N], ADDR and #M optional, after an
	 * optional "ERROR: " (pluto 4.x puts it before the connection) */
	if (!l->stack && i + 8 < len && memcmp(p + i, "ERROR: \"", 8) == 0)
		i += 7;
	if (!l->stack && i < len && p[i] == '"') {
		const char *q = memchr(p + i + 1, '"', len - i - 1);
		if (q) {
			size_t j = (size_t)(q - p) + 1;
			copy_bounded(l->conn, sizeof(l->conn), p + i + 1, (size_t)(q - p) - i - 1);
			l->stack = LS;
			if (j < len && p[j] == '[') {
				while (j < len && p[j] != ']')
					j++;
				j += j < len;
			}
			if (j < len && p[j] == ' ' && j + 1 < len && p[j + 1] != '#') {
				size_t s = ++j;
				while (j < len && p[j] != ' ' && p[j] != ':')
					j++;
				/* "ADDR:" may end the prefix, an address has ':' only in IPv6 */
				if (j < len && p[j] == ':' && (j + 1 >= len || p[j + 1] != ' '))
					while (j < len && p[j] != ' ')
						j++;
				copy_bounded(l->peer, sizeof(l->peer), p + s,
					     j - s - (j > s && p[j - 1] == ':'));
			}
			if (j + 1 < len && p[j] == ' ' && p[j + 1] == '#') {
				size_t s = j + 2;
				for (j = s; j < len && isdigit((unsigned char)p[j]); j++)
					;
				l->sa_id = parse_u32(p + s, j - s);
			}
			if (j < len && p[j] == ':')
				j++;
			while (j < len && p[j] == ' ')
				j++;
			i = j;
		}
	}
	l->msg = p + i;
	l->msg_len = len - i;
}

static bool contains(const char *hay, size_t len, const char *needle)
{
	size_t n = strlen(needle);

	if (n > len)
		return false;
	for (size_t i = 0; i + n <= len; i++)
		if (hay[i] == needle[0] && memcmp(hay + i, needle, n) == 0)
			return true;
	return false;
}

/* The phrase a message matches, NULL when none. stack: SW, LS or both when unknown. */
static const struct phrase *classify(const struct line *l, unsigned stack)
{
	if (l->stack)
		stack = l->stack;
	for (size_t i = 0; i < XD_ARRAY_SIZE(phrases); i++) {
		const struct phrase *ph = &phrases[i];
		if (!(ph->stacks & stack) || !contains(l->msg, l->msg_len, ph->needle))
			continue;
		/* strongSwan: the "unacceptable" catch-all is for traffic selectors only */
		if (ph->kind == XD_IKE_EV_TS_UNACCEPTABLE && ph->needle[0] == ' ' &&
		    !contains(l->msg, l->msg_len, "traffic selectors"))
			continue;
		/* N(...) payload lists: a failure in a reply we send (the responder may log no
		 * other line); the initiator's "parsed ..." line is followed by its own words.
		 * libreswan's reply: "responding to IKE_AUTH message ... with encrypted
		 * notification X" */
		if ((ph->flags & F_GENERIC) &&
		    !contains(l->msg, l->msg_len, (ph->stacks & SW) ? "generating " : "responding to "))
			continue;
		/* "IKE_SA x[1] established between": not "CHILD_SA ... established between" */
		if (ph->kind == XD_IKE_EV_IKE_UP && stack == SW &&
		    !contains(l->msg, l->msg_len, "IKE_SA "))
			continue;
		return ph;
	}
	return NULL;
}

bool xd_ikelog_keep(const char *line, size_t len)
{
	struct line l;

	if (len > XD_IKELOG_LINE_MAX)
		len = XD_IKELOG_LINE_MAX;
	split(line, len, 0, &l);
	return classify(&l, SW | LS) != NULL;
}

int64_t xd_ikelog_time(const char *line, size_t len, int64_t now)
{
	int64_t t;

	(void)parse_time(line, len, now, &t);
	return t;
}

/* ---- decoding a record ---- */

#define SA_SLOTS 64
#define THREADS 100

struct ctx_sa {
	uint32_t id;
	const char *conn, *peer;
	bool up, failed;
	int fail_kind; /* the failure already recorded for this SA, 0 when none */
	/* events of this SA recorded before its peer was known (libreswan names the peer
	 * in the reply that follows the failure): filled in when it is */
	size_t no_peer[4];
	unsigned n_no_peer;
};

struct state {
	struct xd_snapshot *s;
	struct xd_ike *ike;
	const char *source, *stack_name;
	unsigned stack;
	struct ctx_sa sas[SA_SLOTS];
	unsigned next_sa;
	/* libreswan: the peer last named for a connection; a Child SA's state (#2 of IKE SA
	 * #1) never names it, its IKE SA did */
	const char *ls_conn, *ls_peer;
	struct {
		const char *conn, *peer;
		uint32_t sa_id;
		bool failed;
	} threads[THREADS];
};

static const char *intern(struct state *st, const char *p, size_t n)
{
	return n ? xd_snapshot_intern(st->s, p, n) : NULL;
}

static struct ctx_sa *sa_slot(struct state *st, uint32_t id, bool create)
{
	struct ctx_sa *c;

	if (!id)
		return NULL;
	for (unsigned i = 0; i < SA_SLOTS; i++)
		if (st->sas[i].id == id)
			return &st->sas[i];
	if (!create)
		return NULL;
	c = &st->sas[st->next_sa++ % SA_SLOTS];
	*c = (struct ctx_sa){ .id = id };
	return c;
}

/* "ADDR[..." or "ADDR" up to a delimiter: the length of the address. */
static size_t addr_len(const char *p, size_t len)
{
	size_t n = 0;

	unsigned colons = 0;
	size_t first_colon = 0;

	while (n < len && (isxdigit((unsigned char)p[n]) || p[n] == '.' || p[n] == ':')) {
		if (p[n] == ':' && !colons++)
			first_colon = n;
		n++;
	}
	/* "192.0.2.1:500": one colon is a port after an IPv4 address */
	return colons == 1 ? first_colon : n;
}

/* After `needle` in the message: where it ends, or NULL. */
static const char *after(const struct line *l, const char *needle, size_t *rest)
{
	size_t n = strlen(needle);

	for (size_t i = 0; i + n <= l->msg_len; i++)
		if (memcmp(l->msg + i, needle, n) == 0) {
			*rest = l->msg_len - i - n;
			return l->msg + i + n;
		}
	return NULL;
}

/* strongSwan "conn[N]" at p: the name's length and N. */
static size_t sa_name(const char *p, size_t len, uint32_t *ret_id)
{
	const char *lb = memchr(p, '[', len);
	const char *sp = memchr(p, ' ', len);

	*ret_id = 0;
	if (!lb || (sp && sp < lb))
		return 0;
	*ret_id = parse_u32(lb + 1, len - (size_t)(lb - p) - 1);
	return (size_t)(lb - p);
}

/* Learn conn/peer of the SA or thread from a context or "up" line. */
static void learn(struct state *st, const struct line *l, int kind, const char **conn,
		  const char **peer, uint32_t *sa_id)
{
	const char *p;
	size_t rest, n;
	uint32_t id = 0;

	switch (kind) {
	case C_INITIATING:
		/* "initiating IKE_SA conn[N] to PEER" */
		if ((p = after(l, "initiating IKE_SA ", &rest)) && (n = sa_name(p, rest, &id))) {
			const char *to;
			*conn = intern(st, p, n);
			*sa_id = *sa_id ? *sa_id : id;
			if ((to = after(l, " to ", &rest)))
				*peer = intern(st, to, addr_len(to, rest));
		}
		break;
	case C_PEER_INITIATING:
		*peer = intern(st, l->msg, addr_len(l->msg, l->msg_len));
		break;
	case C_LOOKING:
		/* "looking for peer configs matching A[idA]...B[idB]" */
		if ((p = after(l, "]...", &rest)))
			*peer = intern(st, p, addr_len(p, rest));
		break;
	case C_SELECTED:
		if ((p = after(l, "selected peer config '", &rest))) {
			const char *q = memchr(p, '\'', rest);
			if (q)
				*conn = intern(st, p, (size_t)(q - p));
		}
		break;
	case C_RECEIVED:
		if ((p = after(l, "received packet: from ", &rest)))
			*peer = intern(st, p, addr_len(p, rest));
		break;
	case XD_IKE_EV_IKE_UP:
		/* strongSwan "IKE_SA conn[N] established between A[idA]...B[idB]" */
		if (l->stack == SW && (p = after(l, "IKE_SA ", &rest)) && (n = sa_name(p, rest, &id))) {
			*conn = intern(st, p, n);
			*sa_id = *sa_id ? *sa_id : id;
			if ((p = after(l, "]...", &rest)))
				*peer = intern(st, p, addr_len(p, rest));
		}
		break;
	default:
		break;
	}
	if (l->stack == LS && !*peer && (((p = after(l, " from ", &rest)) && addr_len(p, rest)) ||
					 ((p = after(l, " request to ", &rest)) && addr_len(p, rest))))
		*peer = intern(st, p, addr_len(p, rest));
}

static int add_event(struct state *st, const struct line *l, int kind, const char *conn,
		     const char *peer)
{
	struct xd_ike_event *e = xd_vec_push(&st->ike->events);
	size_t tl = l->msg_len;

	if (!e)
		return -ENOMEM;
	while (tl && (l->msg[tl - 1] == ' ' || l->msg[tl - 1] == '\r'))
		tl--;
	if (tl > TEXT_MAX)
		tl = TEXT_MAX;
	*e = (struct xd_ike_event){
		.kind = (enum xd_ike_event_kind)kind,
		.time_s = l->time_s,
		.stack = st->stack_name ? st->stack_name
			: l->stack == SW ? "strongswan" : l->stack == LS ? "libreswan" : NULL,
		.conn = conn,
		.peer = peer,
		.text = intern(st, l->msg, tl),
		.source = st->source,
	};
	return 0;
}

static int decode_line(struct state *st, const char *p, size_t len)
{
	const struct phrase *ph;
	struct ctx_sa *sa;
	const char *conn = NULL, *peer = NULL;
	uint32_t sa_id;
	struct line l;
	int kind;

	if (len > XD_IKELOG_LINE_MAX)
		len = XD_IKELOG_LINE_MAX;
	split(p, len, st->s->meta.captured_at, &l);
	ph = classify(&l, st->stack);
	if (!ph)
		return 0;
	kind = ph->kind;
	sa_id = l.sa_id;
	if (l.conn[0])
		conn = intern(st, l.conn, strlen(l.conn));
	if (l.peer[0])
		peer = intern(st, l.peer, strlen(l.peer));
	learn(st, &l, kind, &conn, &peer, &sa_id);
	/* fill in what this line does not say from what earlier lines said */
	if (l.thread >= 0 && l.thread < THREADS && !sa_id)
		sa_id = st->threads[l.thread].sa_id;
	sa = sa_slot(st, sa_id, true);
	if (sa) {
		if (conn)
			sa->conn = conn;
		else
			conn = sa->conn;
		if (peer && !sa->peer) {
			for (unsigned i = 0; i < sa->n_no_peer; i++) {
				struct xd_ike_event *e = xd_vec_at(&st->ike->events, sa->no_peer[i]);
				if (!e->peer)
					e->peer = peer;
			}
			sa->n_no_peer = 0;
		}
		if (peer)
			sa->peer = peer;
		else
			peer = sa->peer;
	}
	if (l.thread >= 0 && l.thread < THREADS) {
		if (kind == C_RECEIVED || kind == C_INITIATING || kind == C_PEER_INITIATING) {
			/* a new message on this thread: forget the previous one's SA */
			st->threads[l.thread].conn = NULL;
			st->threads[l.thread].sa_id = sa_id;
			st->threads[l.thread].failed = false;
		}
		if (conn)
			st->threads[l.thread].conn = conn;
		else
			conn = st->threads[l.thread].conn;
		if (peer)
			st->threads[l.thread].peer = peer;
		else
			peer = st->threads[l.thread].peer;
	}
	if (kind == C_LOCAL_FAIL) {
		if (sa)
			sa->failed = true;
		if (l.thread >= 0 && l.thread < THREADS)
			st->threads[l.thread].failed = true;
	}
	if (kind >= _XD_IKE_EV_MAX)
		return 0; /* context only */
	if (xd_ike_event_is_failure((enum xd_ike_event_kind)kind)) {
		/* a reply that repeats the reason already logged for this SA */
		bool th_failed = l.thread >= 0 && l.thread < THREADS && st->threads[l.thread].failed;
		if ((ph->flags & F_GENERIC) && ((sa && sa->failed) || th_failed))
			return 0;
		if (l.stack == LS && sa && sa->failed) {
			/* pluto repeats itself per retransmit ("dropping unexpected IKE_SA_INIT
			 * message containing NO_PROPOSAL_CHOSEN" each time), and gives up on a
			 * state whose answers it refused: one event per state and reason, and no
			 * "no response" after the peer did answer */
			if (sa->fail_kind == kind || kind == XD_IKE_EV_PEER_UNREACHABLE)
				return 0;
		}
		if (l.thread >= 0 && l.thread < THREADS)
			st->threads[l.thread].failed = true;
		/* strongSwan's retransmit timeout on an SA that was up is dead peer detection */
		if (kind == XD_IKE_EV_PEER_UNREACHABLE && sa && sa->up)
			kind = XD_IKE_EV_DPD_DEAD;
		if (sa) {
			sa->failed = true;
			sa->fail_kind = kind;
		}
	} else if (kind == XD_IKE_EV_IKE_UP && sa) {
		sa->up = true;
	}
	if (l.stack == LS && conn && peer) {
		st->ls_conn = conn;
		st->ls_peer = peer;
	} else if (l.stack == LS && conn && !peer && st->ls_conn && !strcmp(conn, st->ls_conn)) {
		peer = st->ls_peer;
	}
	if (sa && !peer && sa->n_no_peer < XD_ARRAY_SIZE(sa->no_peer))
		sa->no_peer[sa->n_no_peer++] = st->ike->events.len;
	return add_event(st, &l, kind, conn, peer);
}

int xd_decode_ikelog(struct xd_snapshot *s, const void *buf, size_t len)
{
	static const char hdr[] = "# source: ";
	struct state *st;
	const char *p = buf, *end = p + len;
	int r = 0;

	st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	st->s = s;
	st->ike = xd_snapshot_ike(s);
	if (!st->ike) {
		free(st);
		return -ENOMEM;
	}
	st->ike->events_present = true;
	st->stack = SW | LS;
	while (p < end && r == 0) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t ll = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (ll >= sizeof(hdr) - 1 && memcmp(p, hdr, sizeof(hdr) - 1) == 0) {
			/* "# source: PATH stack: NAME": a new source, a new context */
			const char *path = p + sizeof(hdr) - 1, *stk = NULL;
			size_t pl = ll - (sizeof(hdr) - 1);
			for (size_t i = 0; i + 8 <= pl; i++)
				if (memcmp(path + i, " stack: ", 8) == 0)
					stk = path + i + 8;
			if (stk)
				pl = (size_t)(stk - 8 - path);
			memset(st->sas, 0, sizeof(st->sas));
			memset(st->threads, 0, sizeof(st->threads));
			st->ls_conn = st->ls_peer = NULL;
			st->source = intern(st, path, pl > 256 ? 256 : pl);
			st->stack = SW | LS;
			st->stack_name = NULL;
			if (stk && (size_t)(p + ll - stk) >= 10 && memcmp(stk, "strongswan", 10) == 0) {
				st->stack = SW;
				st->stack_name = "strongswan";
			} else if (stk && (size_t)(p + ll - stk) >= 9 && memcmp(stk, "libreswan", 9) == 0) {
				st->stack = LS;
				st->stack_name = "libreswan";
			}
		} else if (ll) {
			r = decode_line(st, p, ll);
		}
		p = nl ? nl + 1 : end;
	}
	free(st);
	return r;
}
