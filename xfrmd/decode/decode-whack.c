/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * decode-whack.c: libreswan's `whack --status` and `whack --trafficstatus` text (the
 * ike.whack_status and ike.whack_traffic dumps) into the IKE view of the model (ike.h).
 *
 * The text is meant for people and changes between releases, so the decoder is tolerant:
 * it looks for the few line shapes it knows and skips the rest.
 *
 *   4.x lines carry a 3-digit code and a space ("000 "), 5.x lines do not.
 *   connection:  "NAME"[INST]: LSUBNET===LHOST[LID]...RHOST[RID]===RSUBNET; ...
 *                "NAME":   policy: IKEv2+PSK+ENCRYPT+TUNNEL+...;   ("TUNNEL" absent: transport)
 *                "NAME":   our idtype: ...; our id=LID; their idtype: ...; their id=RID
 *                "NAME":   host: oriented; local: LHOST; remote: RHOST; ...   (5.x)
 *   state:       #N: "NAME"[INST] [...PEER]:PORT STATE_NAME (description); ...; IKE SA #M; ...
 *                (5.x: the description alone: "established Child SA; ..."; IKEv1: "isakmp#M")
 *   SPIs:        #N: "NAME"... esp.SPI@ADDR esp.SPI@ADDR [tun.0@ADDR ...] Traffic: ESPin=84B ...
 *                (the SPI at the peer's address is the outbound SA's, ours the inbound's)
 *   traffic:     #N: "NAME"[INST] [PEER], type=ESP, add_time=T, inBytes=N, outBytes=N, ...
 *
 * Each record starts with the collector's "# whack pid=N ctl=PATH" line. A status record
 * becomes connections (each with one child configuration: a libreswan conn is both) and the
 * states grouped as IKE SAs with their CHILD_SAs; the traffic record of the same pluto that
 * follows it fills the CHILD_SAs' byte counters. States are mapped to the names the model uses
 * (ESTABLISHED/CONNECTING/DELETING, INSTALLED/INSTALLING/DELETING); the daemon's own state
 * name is kept in state_raw.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xfrmd/decode.h"
#include "xfrmd/ike.h"
#include "xfrmd/model.h"

#define LINE_MAX_BYTES 4096 /* longer lines are cut there: only their start is looked at */

/* One state (`#N:`) of the status text, until the IKE SAs are built. */
struct wstate {
	uint32_t serial, parent;
	bool child, has_spi;
	const char *conn;
	const char *state, *state_raw;
	uint16_t port;
	const char *proto;
	bool tunnel;
	uint32_t spi[2];
	const char *spi_addr[2];
	uint64_t bytes_in, bytes_out;
};

struct wdecoder {
	struct xd_snapshot *s;
	struct xd_ike *ike;
	int err;
	size_t conn_first; /* connections of this record start here */
	struct xd_vec states; /* struct wstate */
};

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool line_looks_like_key(const char *s, size_t len)
{
	size_t run = 0;

	for (size_t i = 0; i < len; i++) {
		run = is_hex(s[i]) ? run + 1 : 0;
		if (run >= 32)
			return true;
	}
	return false;
}

size_t xd_whack_scrub(char *buf, size_t len)
{
	size_t out = 0;

	for (size_t i = 0; i < len;) {
		const char *nl = memchr(buf + i, '\n', len - i);
		size_t ll = nl ? (size_t)(nl - (buf + i)) + 1 : len - i;
		if (!line_looks_like_key(buf + i, ll)) {
			memmove(buf + out, buf + i, ll);
			out += ll;
		}
		i += ll;
	}
	if (out < len)
		memset(buf + out, 0, len - out);
	return out;
}

static const char *intern(struct wdecoder *d, const char *s, size_t len)
{
	const char *r = xd_snapshot_intern(d->s, s, len);

	if (!r)
		d->err = -ENOMEM;
	return r;
}

static const char *intern_z(struct wdecoder *d, const char *s)
{
	return intern(d, s, strlen(s));
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == ';'))
		*--e = '\0';
	return s;
}

/* Decimal number at s; *ret_end after it. False when there is none. */
static bool num_at(const char *s, uint64_t *ret, const char **ret_end)
{
	uint64_t v = 0;
	const char *p = s;

	if (*p < '0' || *p > '9')
		return false;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (v > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
			return false;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	*ret = v;
	if (ret_end)
		*ret_end = p;
	return true;
}

/*
 * `"NAME"` and an optional `[N]...` instance suffix at s into name (NAME[N]); returns what
 * follows, NULL when s does not start with a quoted name.
 */
static char *conn_name(char *s, char *name, size_t nlen)
{
	char *q;
	size_t l;

	if (*s != '"')
		return NULL;
	q = strchr(s + 1, '"');
	if (!q || q == s + 1)
		return NULL;
	l = (size_t)(q - s - 1);
	if (l >= nlen)
		l = nlen - 1;
	memcpy(name, s + 1, l);
	name[l] = '\0';
	q++;
	/* instances: "name"[1], and nested ones "name"[1][2] */
	while (*q == '[') {
		char *e = strchr(q, ']');
		if (!e)
			break;
		if (strlen(name) + (size_t)(e - q + 1) < nlen)
			strncat(name, q, (size_t)(e - q + 1));
		q = e + 1;
	}
	return q;
}

/* ---- connections ---- */

static struct xd_ike_conn *find_conn(struct wdecoder *d, const char *name)
{
	for (size_t i = d->conn_first; i < d->ike->conns.len; i++) {
		struct xd_ike_conn *c = xd_vec_at(&d->ike->conns, i);
		if (c->name && xd_streq(c->name, name))
			return c;
	}
	return NULL;
}

static struct xd_ike_child_cfg *conn_child(struct wdecoder *d, const struct xd_ike_conn *c)
{
	return c->child_count && c->child_first < d->ike->child_cfgs.len
		       ? xd_vec_at(&d->ike->child_cfgs, c->child_first)
		       : NULL;
}

static struct xd_ike_conn *get_conn(struct wdecoder *d, const char *name)
{
	struct xd_ike_conn *c = find_conn(d, name);
	struct xd_ike_child_cfg *k;

	if (c)
		return c;
	c = xd_vec_push(&d->ike->conns);
	k = c ? xd_vec_push(&d->ike->child_cfgs) : NULL;
	if (!c || !k) {
		d->err = -ENOMEM;
		return NULL;
	}
	c->stack = "libreswan";
	c->name = intern_z(d, name);
	c->child_first = (uint32_t)d->ike->child_cfgs.len - 1;
	c->child_count = 1;
	k->name = c->name;
	return c;
}

/* Push one string; its index into *first, *count = 1. */
static void one_string(struct wdecoder *d, const char *v, uint32_t *first, uint32_t *count)
{
	const char **slot;

	if (!v || !*v || *count)
		return;
	slot = xd_vec_push(&d->ike->strings);
	if (!slot) {
		d->err = -ENOMEM;
		return;
	}
	*slot = intern_z(d, v);
	*first = (uint32_t)d->ike->strings.len - 1;
	*count = 1;
}

/*
 * One side of "LSUBNET===LHOST<HOP>[LID]---NEXTHOP" (left) or
 * "NEXTHOP---RHOST<HOP>[RID]===RSUBNET" (right), in place.
 */
static void side(char *s, bool left, char **ret_host, char **ret_id, char **ret_net)
{
	char *eq = strstr(s, "==="), *host = s, *p;

	*ret_net = NULL;
	*ret_id = NULL;
	if (eq) {
		*eq = '\0';
		if (left) {
			*ret_net = s;
			host = eq + 3;
		} else {
			*ret_net = eq + 3;
		}
	}
	if (left) {
		p = strstr(host, "---");
		if (p)
			*p = '\0';
	} else {
		p = strstr(host, "---");
		if (p)
			host = p + 3;
	}
	p = strchr(host, '[');
	if (p) {
		char *e = strrchr(p, ']');
		*p = '\0';
		if (e) {
			char *flags;
			*e = '\0';
			/* "[@west,+MC+S=C]": the flags after the id are not part of it */
			flags = strstr(p + 1, ",+");
			if (flags)
				*flags = '\0';
			if (p[1] && p[1] != '+')
				*ret_id = p + 1;
		}
	}
	p = strchr(host, '<');
	if (p)
		*p = '\0';
	*ret_host = host;
}

/* A host address as a selector when the conn has no subnet: the host itself. */
static void host_ts(char *buf, size_t len, const char *host)
{
	if (!host || !*host || host[0] == '%')
		snprintf(buf, len, "%s", host && *host ? host : "");
	else
		snprintf(buf, len, "%s/%s", host, strchr(host, ':') ? "128" : "32");
}

static void conn_topology(struct wdecoder *d, struct xd_ike_conn *c, char *rest)
{
	struct xd_ike_child_cfg *k = conn_child(d, c);
	char *dots = strstr(rest, "..."), *lh, *lid, *lnet, *rh, *rid, *rnet, ts[128];

	if (!dots || !k || c->local_addrs_count)
		return;
	rest[strcspn(rest, ";")] = '\0';
	*dots = '\0';
	side(rest, true, &lh, &lid, &lnet);
	side(dots + 3, false, &rh, &rid, &rnet);
	lh = trim(lh);
	rh = trim(rh);
	one_string(d, lh, &c->local_addrs_first, &c->local_addrs_count);
	one_string(d, rh, &c->remote_addrs_first, &c->remote_addrs_count);
	if (lid && !c->local_id)
		c->local_id = intern_z(d, trim(lid));
	if (rid && !c->remote_id)
		c->remote_id = intern_z(d, trim(rid));
	host_ts(ts, sizeof(ts), lh);
	one_string(d, lnet ? trim(lnet) : ts, &k->local_ts_first, &k->local_ts_count);
	host_ts(ts, sizeof(ts), rh);
	one_string(d, rnet ? trim(rnet) : ts, &k->remote_ts_first, &k->remote_ts_count);
}

/* "key=value" or "key: value" in a ';'-separated attribute line, copied into ret. */
static bool attr(const char *line, const char *key, char *ret, size_t rlen)
{
	size_t kl = strlen(key);

	for (const char *p = line; (p = strstr(p, key)); p += kl) {
		if (p != line && p[-1] != ' ' && p[-1] != ';' && p[-1] != ',')
			continue;
		const char *v = p + kl;
		size_t vl = strcspn(v, ";");
		if (vl >= rlen)
			vl = rlen - 1;
		memcpy(ret, v, vl);
		ret[vl] = '\0';
		return true;
	}
	return false;
}

static void conn_line(struct wdecoder *d, const char *name, char *rest)
{
	bool indented = rest[0] == ' ' && rest[1] == ' ';
	char v[512], *t = trim(rest);
	struct xd_ike_child_cfg *k;
	struct xd_ike_conn *c;

	/* the topology line starts right after ": "; attribute lines are indented */
	if (!indented) {
		if (strstr(t, "...") && !strstr(t, " connection")) {
			c = get_conn(d, name);
			if (c)
				conn_topology(d, c, t);
		}
		return;
	}
	c = find_conn(d, name);
	if (!c)
		return;
	k = conn_child(d, c);
	if (strncmp(t, "policy:", 7) == 0) {
		if (!c->version && strstr(t, "IKEv2"))
			c->version = "IKEv2";
		else if (!c->version && strstr(t, "IKEv1"))
			c->version = "IKEv1";
		if (k && !k->mode)
			k->mode = strstr(t, "+TUNNEL") || strstr(t, ":TUNNEL") ? "TUNNEL" : "TRANSPORT";
	} else if (strncmp(t, "our idtype:", 11) == 0) {
		if (attr(t, "our id=", v, sizeof(v)) && v[0])
			c->local_id = intern_z(d, trim(v));
		if (attr(t, "their id=", v, sizeof(v)) && v[0])
			c->remote_id = intern_z(d, trim(v));
	} else if (strncmp(t, "host:", 5) == 0) {
		if (attr(t, "local: ", v, sizeof(v)))
			one_string(d, trim(v), &c->local_addrs_first, &c->local_addrs_count);
		if (attr(t, "remote: ", v, sizeof(v)))
			one_string(d, trim(v), &c->remote_addrs_first, &c->remote_addrs_count);
	}
}

/* ---- states ---- */

static const char *map_state(const char *raw, const char *desc, bool child)
{
	const char *both[2] = { raw ? raw : "", desc ? desc : "" };
	bool up = false, down = false;

	for (int i = 0; i < 2; i++) {
		const char *t = both[i];
		up |= strstr(t, "ESTABLISHED") || strstr(t, "established") ||
		      strstr(t, "MAIN_I4") || strstr(t, "MAIN_R3") || strstr(t, "AGGR_I2") ||
		      strstr(t, "AGGR_R2") || strstr(t, "QUICK_I2") || strstr(t, "QUICK_R2");
		down |= strstr(t, "DELETE") || strstr(t, "delet") || strstr(t, "ZOMBIE");
	}
	if (down)
		return "DELETING";
	if (child)
		return up ? "INSTALLED" : "INSTALLING";
	return up ? "ESTABLISHED" : "CONNECTING";
}

static struct wstate *get_state(struct wdecoder *d, uint32_t serial)
{
	struct wstate *w;

	for (size_t i = 0; i < d->states.len; i++) {
		w = xd_vec_at(&d->states, i);
		if (w->serial == serial)
			return w;
	}
	w = xd_vec_push(&d->states);
	if (!w) {
		d->err = -ENOMEM;
		return NULL;
	}
	w->serial = serial;
	return w;
}

/* "ESPin=29KB" and the like: whack rounds, so this is only a fallback for trafficstatus. */
static uint64_t size_value(const char *v)
{
	uint64_t n = 0, m = 1;
	const char *e;

	if (!num_at(v, &n, &e))
		return 0;
	if (*e == 'K')
		m = 1024;
	else if (*e == 'M')
		m = 1024 * 1024;
	else if (*e == 'G')
		m = 1024ull * 1024 * 1024;
	return n > UINT64_MAX / m ? UINT64_MAX : n * m;
}

static uint32_t hex32(const char *s, const char **ret_end)
{
	uint32_t v = 0;
	int n = 0;

	for (; is_hex(*s) && n < 8; s++, n++) {
		unsigned x = (unsigned)(*s <= '9' ? *s - '0' : (*s | 0x20) - 'a' + 10);
		v = v << 4 | x;
	}
	*ret_end = s;
	return n ? v : 0;
}

static void spi_line(struct wdecoder *d, struct wstate *w, char *rest)
{
	char *save = NULL;
	unsigned n = 0;

	for (char *tok = strtok_r(rest, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		const char *end;
		if ((strncmp(tok, "esp.", 4) == 0 || strncmp(tok, "ah.", 3) == 0) && n < 2) {
			bool esp = tok[0] == 'e';
			uint32_t spi = hex32(tok + (esp ? 4 : 3), &end);
			if (*end != '@' || !spi)
				continue;
			/* ESP and AH together (rare): the ESP pair is what the kernel SAs match */
			if (w->proto && xd_streq(w->proto, "ESP") && !esp)
				continue;
			w->proto = esp ? "ESP" : "AH";
			w->spi[n] = spi;
			w->spi_addr[n] = intern_z(d, end + 1);
			n++;
			w->has_spi = true;
		} else if (strncmp(tok, "tun.", 4) == 0) {
			w->tunnel = true;
		} else if (strncmp(tok, "ESPin=", 6) == 0 || strncmp(tok, "AHin=", 5) == 0) {
			w->bytes_in = size_value(strchr(tok, '=') + 1);
		} else if (strncmp(tok, "ESPout=", 7) == 0 || strncmp(tok, "AHout=", 6) == 0) {
			w->bytes_out = size_value(strchr(tok, '=') + 1);
		}
	}
}

static void state_line(struct wdecoder *d, struct wstate *w, const char *name, char *rest)
{
	char *p = rest, *semi, *paren, raw[128] = "", desc[256] = "";
	const char *ref;
	uint64_t v;

	w->conn = intern_z(d, name);
	/* "[INST] ...PEER:PORT", "PEER:PORT" or ":PORT" before the state */
	while (*p == ' ')
		p++;
	{
		/* the first token holds the port after its last ':' when it is an endpoint */
		size_t tl = strcspn(p, " ");
		char tok[128];
		if (tl && tl < sizeof(tok)) {
			memcpy(tok, p, tl);
			tok[tl] = '\0';
			char *c = strrchr(tok, ':');
			if (c && num_at(c + 1, &v, NULL) && v <= UINT16_MAX &&
			    strspn(c + 1, "0123456789") == strlen(c + 1)) {
				w->port = (uint16_t)v;
				p += tl;
			}
		}
	}
	while (*p == ' ')
		p++;
	semi = strchr(p, ';');
	if (semi)
		*semi = '\0';
	paren = strchr(p, '(');
	if (paren) {
		size_t rl = (size_t)(paren - p), dl;
		char *close = strchr(paren, ')');
		if (rl >= sizeof(raw))
			rl = sizeof(raw) - 1;
		memcpy(raw, p, rl);
		raw[rl] = '\0';
		dl = close ? (size_t)(close - paren - 1) : strlen(paren + 1);
		if (dl >= sizeof(desc))
			dl = sizeof(desc) - 1;
		memcpy(desc, paren + 1, dl);
		desc[dl] = '\0';
	} else if (strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") == strlen(p)) {
		snprintf(raw, sizeof(raw), "%s", p);
	} else {
		snprintf(desc, sizeof(desc), "%s", p);
	}
	{
		char *t = trim(raw);
		memmove(raw, t, strlen(t) + 1);
	}
	if (semi)
		*semi = ';';
	/* the IKE SA a CHILD_SA belongs to */
	w->parent = 0;
	if (semi) {
		if ((ref = strstr(semi, "IKE SA #")) && num_at(ref + 8, &v, NULL) && v <= UINT32_MAX)
			w->parent = (uint32_t)v;
		else if ((ref = strstr(semi, "ISAKMP SA #")) && num_at(ref + 11, &v, NULL) &&
			 v <= UINT32_MAX)
			w->parent = (uint32_t)v;
		else if ((ref = strstr(semi, "isakmp#")) && num_at(ref + 7, &v, NULL) &&
			 v <= UINT32_MAX)
			w->parent = (uint32_t)v;
	}
	w->child = w->parent || strstr(raw, "CHILD") || strstr(raw, "QUICK") ||
		   strstr(desc, "Child SA") || strstr(desc, "IPsec SA");
	w->state_raw = intern_z(d, raw[0] ? raw : desc);
	w->state = map_state(raw, desc, w->child);
}

static void serial_line(struct wdecoder *d, char *line)
{
	char name[256], *rest;
	struct wstate *w;
	uint64_t serial;
	const char *e;

	if (!num_at(line + 1, &serial, &e) || serial > UINT32_MAX || e[0] != ':' || e[1] != ' ')
		return;
	rest = conn_name(line + (e + 2 - line), name, sizeof(name));
	if (!rest)
		return;
	w = get_state(d, (uint32_t)serial);
	if (!w)
		return;
	if (strstr(rest, " esp.") || strstr(rest, " ah.") || strstr(rest, "Traffic:"))
		spi_line(d, w, rest);
	else
		state_line(d, w, name, rest);
	if (!w->conn)
		w->conn = intern_z(d, name);
}

/* ---- building the IKE SAs ---- */

static bool same_host(const char *a, const char *b)
{
	return a && b && xd_streq(a, b);
}

static void fill_child(struct wdecoder *d, struct xd_ike_child_sa *c, const struct wstate *w,
		       struct xd_ike_conn *conn)
{
	struct xd_ike_child_cfg *k = conn ? conn_child(d, conn) : NULL;
	const char *remote = conn && conn->remote_addrs_count
				     ? xd_ike_string(d->ike, conn->remote_addrs_first)
				     : NULL;
	const char *local = conn && conn->local_addrs_count
				    ? xd_ike_string(d->ike, conn->local_addrs_first)
				    : NULL;

	c->name = w->conn;
	c->uniqueid = w->serial;
	c->state = w->state;
	c->state_raw = w->state_raw;
	c->protocol = w->proto;
	c->mode = w->has_spi ? (w->tunnel ? "TUNNEL" : "TRANSPORT") : (k ? k->mode : NULL);
	c->bytes_in = w->bytes_in;
	c->bytes_out = w->bytes_out;
	for (int i = 0; i < 2; i++) {
		bool out;
		if (!w->spi[i])
			continue;
		/* the SPI at the peer's address is the one we send with */
		if (same_host(w->spi_addr[i], remote))
			out = true;
		else if (same_host(w->spi_addr[i], local))
			out = false;
		else
			out = i == 0; /* whack prints the outbound SA first */
		if (out)
			c->spi_out = w->spi[i];
		else
			c->spi_in = w->spi[i];
	}
	if (k) {
		c->local_ts_first = k->local_ts_first;
		c->local_ts_count = k->local_ts_count;
		c->remote_ts_first = k->remote_ts_first;
		c->remote_ts_count = k->remote_ts_count;
	}
}

static void push_ike_sa(struct wdecoder *d, const struct wstate *w, uint32_t serial)
{
	struct xd_ike_conn *conn;
	struct xd_ike_sa *sa;
	size_t sa_i;

	/* the IKE SA itself (w), or a stand-in for children whose IKE SA is not listed */
	const char *cname = w ? w->conn : NULL;
	for (size_t i = 0; !cname && i < d->states.len; i++) {
		const struct wstate *c = xd_vec_at(&d->states, i);
		if (c->child && c->parent == serial)
			cname = c->conn;
	}
	conn = cname ? find_conn(d, cname) : NULL;
	sa = xd_vec_push(&d->ike->sas);
	if (!sa) {
		d->err = -ENOMEM;
		return;
	}
	sa_i = d->ike->sas.len - 1;
	sa->stack = "libreswan";
	sa->name = cname;
	sa->uniqueid = serial;
	if (w) {
		sa->state = w->state;
		sa->state_raw = w->state_raw;
		sa->remote_port = w->port;
		sa->version = conn && conn->version ? conn->version
			      : strstr(w->state_raw ? w->state_raw : "", "V2") ? "IKEv2"
			      : NULL;
	}
	if (conn) {
		sa->local_host = conn->local_addrs_count
					 ? xd_ike_string(d->ike, conn->local_addrs_first)
					 : NULL;
		sa->remote_host = conn->remote_addrs_count
					  ? xd_ike_string(d->ike, conn->remote_addrs_first)
					  : NULL;
		sa->local_id = conn->local_id;
		sa->remote_id = conn->remote_id;
		if (!sa->version)
			sa->version = conn->version;
	}
	sa->child_first = (uint32_t)d->ike->child_sas.len;
	for (size_t i = 0; i < d->states.len; i++) {
		const struct wstate *c = xd_vec_at(&d->states, i);
		struct xd_ike_child_sa *cs;
		if (!c->child || c->parent != serial)
			continue;
		cs = xd_vec_push(&d->ike->child_sas);
		if (!cs) {
			d->err = -ENOMEM;
			return;
		}
		fill_child(d, cs, c, c->conn ? find_conn(d, c->conn) : NULL);
		((struct xd_ike_sa *)xd_vec_at(&d->ike->sas, sa_i))->child_count++;
	}
}

static void build_sas(struct wdecoder *d)
{
	for (size_t i = 0; i < d->states.len && !d->err; i++) {
		const struct wstate *w = xd_vec_at(&d->states, i);
		if (!w->child)
			push_ike_sa(d, w, w->serial);
	}
	/* CHILD_SAs whose IKE SA is not listed (IKEv1 after the ISAKMP SA expired, a parent
	 * being replaced): grouped under a stand-in IKE SA with no state */
	for (size_t i = 0; i < d->states.len && !d->err; i++) {
		const struct wstate *w = xd_vec_at(&d->states, i);
		bool listed = false;
		if (!w->child)
			continue;
		for (size_t j = 0; j < d->states.len; j++) {
			const struct wstate *p = xd_vec_at(&d->states, j);
			if ((!p->child && p->serial == w->parent) ||
			    (j < i && p->child && p->parent == w->parent))
				listed = true;
		}
		if (!listed)
			push_ike_sa(d, NULL, w->parent);
	}
}

/* ---- trafficstatus ---- */

static struct xd_ike_child_sa *find_child(struct wdecoder *d, uint32_t serial)
{
	for (size_t i = d->ike->whack_sa_first; i < d->ike->sas.len; i++) {
		const struct xd_ike_sa *sa = xd_vec_at(&d->ike->sas, i);
		for (uint32_t k = 0; k < sa->child_count; k++) {
			struct xd_ike_child_sa *c;
			if (sa->child_first + k >= d->ike->child_sas.len)
				break;
			c = xd_vec_at(&d->ike->child_sas, sa->child_first + k);
			if (c->uniqueid == serial)
				return c;
		}
	}
	return NULL;
}

static void traffic_line(struct wdecoder *d, char *line)
{
	struct xd_ike_child_sa *c;
	const char *e, *p;
	uint64_t serial, v;

	if (!num_at(line + 1, &serial, &e) || serial > UINT32_MAX || e[0] != ':')
		return;
	c = find_child(d, (uint32_t)serial);
	if (!c)
		return;
	if ((p = strstr(e, " inBytes=")) && num_at(p + 9, &v, NULL))
		c->bytes_in = v;
	if ((p = strstr(e, " outBytes=")) && num_at(p + 10, &v, NULL))
		c->bytes_out = v;
}

/* ---- records ---- */

int xd_decode_whack(struct xd_snapshot *s, enum xd_dump dump, const void *buf, size_t len)
{
	struct xd_ike *ike = xd_snapshot_ike(s);
	struct wdecoder d = { .s = s, .ike = ike };
	const char *b = buf;
	char line[LINE_MAX_BYTES];

	if (!ike)
		return -ENOMEM;
	d.conn_first = ike->conns.len;
	xd_vec_init(&d.states, sizeof(struct wstate));
	if (dump == XD_DUMP_IKE_WHACK_STATUS) {
		ike->whack_sa_first = (uint32_t)ike->sas.len;
		ike->conns_present = ike->sas_present = true;
	}
	for (size_t i = 0; i < len && !d.err;) {
		const char *nl = memchr(b + i, '\n', len - i);
		size_t ll = nl ? (size_t)(nl - (b + i)) : len - i;
		size_t cl = ll < sizeof(line) ? ll : sizeof(line) - 1;
		char *l = line, *rest;
		char name[256];

		memcpy(line, b + i, cl);
		line[cl] = '\0';
		/* a NUL inside the line ends it there: only text is looked at */
		i += ll + 1;
		/* 4.x: a 3-digit code and a space */
		if (l[0] >= '0' && l[0] <= '9' && l[1] >= '0' && l[1] <= '9' && l[2] >= '0' &&
		    l[2] <= '9' && l[3] == ' ')
			l += 4;
		if (dump == XD_DUMP_IKE_WHACK_TRAFFIC) {
			if (l[0] == '#')
				traffic_line(&d, l);
			continue;
		}
		if (l[0] == '#' && l[1] >= '0' && l[1] <= '9') {
			serial_line(&d, l);
		} else if (l[0] == '"' && (rest = conn_name(l, name, sizeof(name)))) {
			if (rest[0] == ':')
				conn_line(&d, name, rest + 1);
		}
	}
	if (dump == XD_DUMP_IKE_WHACK_STATUS && !d.err)
		build_sas(&d);
	xd_vec_done(&d.states);
	return d.err;
}
