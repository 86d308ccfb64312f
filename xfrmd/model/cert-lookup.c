/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cert-lookup.c: the credentials part of the model: its lifetime, role names, and questions
 * across decoded credentials (which key belongs to a certificate, which connection uses it,
 * does an identity appear in it). Pure string work on the model, no libcrypto: the decoder
 * already reduced keys and certificates to digests and names.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "xfrmd/cert.h"
#include "xfrmd/model.h"

static const char *const role_names[_XD_CERT_ROLE_MAX] = {
	[XD_CERT_ROLE_CERT] = "cert", [XD_CERT_ROLE_CA] = "ca", [XD_CERT_ROLE_CRL] = "crl",
	[XD_CERT_ROLE_KEY] = "key",   [XD_CERT_ROLE_PEER] = "peer",
};

const char *xd_cert_role_name(enum xd_cert_role r)
{
	return (unsigned)r < _XD_CERT_ROLE_MAX ? role_names[r] : NULL;
}

enum xd_cert_role xd_cert_role_from_name(const char *name)
{
	for (unsigned i = 0; i < _XD_CERT_ROLE_MAX; i++)
		if (name && xd_streq(role_names[i], name))
			return (enum xd_cert_role)i;
	return _XD_CERT_ROLE_MAX;
}

void xd_certs_init(struct xd_certs *c)
{
	*c = (struct xd_certs){ 0 };
	xd_vec_init(&c->certs, sizeof(struct xd_cert));
	xd_vec_init(&c->keys, sizeof(struct xd_cert_key));
	xd_vec_init(&c->conns, sizeof(struct xd_cert_conn));
}

void xd_certs_done(struct xd_certs *c)
{
	xd_vec_done(&c->certs);
	xd_vec_done(&c->keys);
	xd_vec_done(&c->conns);
}

const struct xd_cert_key *xd_cert_find_key(const struct xd_snapshot *s, const struct xd_cert *c)
{
	for (size_t i = 0; i < s->certs.keys.len; i++) {
		const struct xd_cert_key *k = xd_vec_at(&s->certs.keys, i);
		if (!k->readable || !xd_streq(k->stack, c->stack))
			continue;
		if (k->spki_sha256[0] && xd_streq(k->spki_sha256, c->spki_sha256))
			return k;
		/* NSS pairs a certificate and its private key by CKA_ID */
		if (k->nss_id && c->nss_id && xd_streq(k->nss_id, c->nss_id))
			return k;
	}
	return NULL;
}

static bool path_is(const char *ref, const struct xd_cert *c)
{
	return ref && c->path && xd_streq(ref, c->path);
}

const struct xd_cert_conn *xd_cert_find_conn(const struct xd_snapshot *s, const struct xd_cert *c,
					     bool *remote)
{
	for (size_t i = 0; i < s->certs.conns.len; i++) {
		const struct xd_cert_conn *k = xd_vec_at(&s->certs.conns, i);
		if (!xd_streq(k->stack, c->stack))
			continue;
		if (path_is(k->local_cert, c)) {
			if (remote)
				*remote = false;
			return k;
		}
		if (path_is(k->remote_cert, c)) {
			if (remote)
				*remote = true;
			return k;
		}
	}
	return NULL;
}

/* Next RDN of a DN, "type=value" with spaces around trimmed; escaped separators kept. */
static const char *next_rdn(const char *p, char sep2, char *out, size_t len)
{
	size_t n = 0;

	while (*p == ' ' || *p == ',' || *p == sep2)
		p++;
	if (!*p)
		return NULL;
	while (*p && *p != ',' && *p != sep2) {
		if (*p == '\\' && p[1]) {
			if (n + 1 < len)
				out[n++] = p[1];
			p += 2;
			continue;
		}
		if (n + 1 < len)
			out[n++] = *p;
		p++;
	}
	while (n && out[n - 1] == ' ')
		n--;
	out[n] = '\0';
	return p;
}

struct rdn {
	char type[32];
	char value[224];
};

#define MAX_RDNS 16

static const char *alias(const char *t)
{
	static const struct {
		const char *from, *to;
	} a[] = { { "E", "emailAddress" }, { "email", "emailAddress" }, { "S", "ST" },
		  { "SN", "surname" },	   { "UID", "UID" },		{ "Serialnumber", "serialNumber" } };
	for (size_t i = 0; i < XD_ARRAY_SIZE(a); i++)
		if (!strcasecmp(a[i].from, t))
			return a[i].to;
	return t;
}

static size_t split_dn(const char *dn, char sep2, struct rdn *r)
{
	char buf[256];
	size_t n = 0;

	for (const char *p = dn; n < MAX_RDNS && (p = next_rdn(p, sep2, buf, sizeof(buf)));) {
		char *eq = strchr(buf, '=');
		char *v;
		if (!eq)
			return 0;
		*eq = '\0';
		v = eq + 1;
		while (*v == ' ')
			v++;
		size_t tl = strlen(buf);
		while (tl && buf[tl - 1] == ' ')
			buf[--tl] = '\0';
		xd_strlcpy(r[n].type, alias(buf), sizeof(r[n].type));
		xd_strlcpy(r[n].value, v, sizeof(r[n].value));
		n++;
	}
	return n;
}

static bool rdn_eq(const struct rdn *a, const struct rdn *b)
{
	return !strcasecmp(alias(a->type), alias(b->type)) && !strcasecmp(a->value, b->value);
}

/* strongSwan writes "C=CH, O=x, CN=y", OpenSSL's RFC 2253 form is "CN=y,O=x,C=CH": compare
 * the RDN sequences in either order. */
static bool dn_matches(const char *subject, const char *id)
{
	struct rdn a[MAX_RDNS], b[MAX_RDNS];
	size_t na, nb;
	bool fwd = true, rev = true;

	if (!subject)
		return false;
	na = split_dn(subject, ',', a);
	nb = split_dn(id, id[0] == '/' ? '/' : ',', b);
	if (!na || na != nb)
		return false;
	for (size_t i = 0; i < na; i++) {
		fwd = fwd && rdn_eq(&a[i], &b[i]);
		rev = rev && rdn_eq(&a[i], &b[na - 1 - i]);
	}
	return fwd || rev;
}

static bool san_has(const char *sans, const char *prefix, const char *v)
{
	size_t pl = strlen(prefix), vl = strlen(v);

	for (const char *p = sans; p && *p;) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		if (n == pl + vl && !strncasecmp(p, prefix, pl) && !strncasecmp(p + pl, v, vl))
			return true;
		p = end ? end + 1 : NULL;
	}
	return false;
}

static bool ip_in_sans(const char *sans, const char *id)
{
	unsigned char bin[16];
	char norm[64];
	int fam = strchr(id, ':') ? AF_INET6 : AF_INET;

	if (inet_pton(fam, id, bin) != 1 || !inet_ntop(fam, bin, norm, sizeof(norm)))
		return false;
	return san_has(sans, "IP:", norm);
}

static bool is_ip(const char *id)
{
	unsigned char bin[16];

	return inet_pton(AF_INET, id, bin) == 1 || inet_pton(AF_INET6, id, bin) == 1;
}

bool xd_cert_id_matches(const struct xd_cert *c, const char *id)
{
	static const struct {
		const char *prefix; /* strongSwan's explicit identity types */
		const char *san;
	} typed[] = { { "fqdn:", "DNS:" }, { "dns:", "DNS:" }, { "email:", "email:" },
		      { "rfc822:", "email:" }, { "ipv4:", NULL }, { "ipv6:", NULL },
		      { "ip:", NULL } };

	if (!id || !*id)
		return true;
	/* wildcards and identities we cannot compare (key ids, %fromcert) are not a mismatch */
	if (!strcmp(id, "%any") || !strcmp(id, "%any6") || !strcmp(id, "*") ||
	    !strcmp(id, "%fromcert") || !strncmp(id, "@#", 2) || !strncmp(id, "keyid:", 6) ||
	    strchr(id, '*'))
		return true;
	if (!strncasecmp(id, "asn1dn:", 7))
		return dn_matches(c->subject, id + 7);
	for (size_t i = 0; i < XD_ARRAY_SIZE(typed); i++) {
		size_t n = strlen(typed[i].prefix);
		if (!strncasecmp(id, typed[i].prefix, n))
			return typed[i].san ? san_has(c->sans, typed[i].san, id + n)
					    : ip_in_sans(c->sans, id + n);
	}
	if (strchr(id, '=') )
		return dn_matches(c->subject, id);
	if (is_ip(id))
		return ip_in_sans(c->sans, id);
	if (id[0] == '@')
		return san_has(c->sans, "DNS:", id[0] == '@' && id[1] == '@' ? id + 2 : id + 1) ||
		       (id[1] == '@' && san_has(c->sans, "email:", id + 2));
	if (strchr(id, '@'))
		return san_has(c->sans, "email:", id);
	return san_has(c->sans, "DNS:", id);
}
