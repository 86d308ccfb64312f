/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * decode-cert.c: file.cred and file.conn records -> struct xd_cert / xd_cert_key / xd_cert_conn
 * (record format: docs/certificates.md). The bytes may come from a hostile snapshot: libcrypto
 * parses them (it returns errors, it never exits), every count and size is bounded, and a
 * certificate that does not parse becomes an unreadable entry (cert.unreadable), not an error.
 * No private key ever reaches this file: key records carry only a public key.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "xfrmd/cert.h"
#include "xfrmd/decode.h"
#include "xfrmd/model.h"

#define MAX_HEADER_BYTES 4096
#define MAX_LIST_BYTES 4096 /* SAN and EKU lists, truncated beyond */

struct hdr {
	const char *path, *stack, *role, *source, *format, *error, *nss_id, *trust_anchor;
	uint32_t index;
};

static int issue(struct xd_snapshot *s, enum xd_dump d, const char *what)
{
	xd_snapshot_add_issue(s, &(struct xd_decode_issue){ .code = -EBADMSG, .dump = d,
							     .what = what });
	return -EBADMSG;
}

/*
 * "key=value\n" lines up to an empty line, then the body. Values are interned; unknown keys are
 * skipped so a newer collector's records still decode. Returns 0 or -EBADMSG.
 */
static int parse_header(struct xd_snapshot *s, const char *buf, size_t len, struct hdr *h,
			const char *const *extra_keys, const char **extra_vals, size_t n_extra,
			const uint8_t **body, size_t *body_len)
{
	size_t pos = 0;

	for (;;) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		const char *eq;
		const char *v;
		size_t line;

		if (!nl || pos > MAX_HEADER_BYTES)
			return -EBADMSG;
		line = (size_t)(nl - (buf + pos));
		if (line == 0) {
			pos++;
			break;
		}
		eq = memchr(buf + pos, '=', line);
		if (!eq)
			return -EBADMSG;
		v = xd_snapshot_intern(s, eq + 1, (size_t)(nl - eq - 1));
		if (!v)
			return -ENOMEM;
		size_t klen = (size_t)(eq - (buf + pos));
#define KEY(name) (klen == sizeof(name) - 1 && memcmp(buf + pos, name, klen) == 0)
		if (h) {
			if (KEY("path"))
				h->path = v;
			else if (KEY("stack"))
				h->stack = v;
			else if (KEY("role"))
				h->role = v;
			else if (KEY("source"))
				h->source = v;
			else if (KEY("format"))
				h->format = v;
			else if (KEY("error"))
				h->error = v;
			else if (KEY("nss_id"))
				h->nss_id = v;
			else if (KEY("trust_anchor"))
				h->trust_anchor = v;
			else if (KEY("index"))
				(void)xd_parse_u32(v, &h->index);
		}
		for (size_t i = 0; i < n_extra; i++)
			if (strlen(extra_keys[i]) == klen && memcmp(buf + pos, extra_keys[i], klen) == 0)
				extra_vals[i] = v;
#undef KEY
		pos += line + 1;
	}
	*body = (const uint8_t *)buf + pos;
	*body_len = len - pos;
	return 0;
}

static const char *bio_string(struct xd_snapshot *s, BIO *b)
{
	char *p = NULL;
	long n = BIO_get_mem_data(b, &p);

	if (n <= 0 || !p)
		return xd_snapshot_intern(s, "", 0);
	return xd_snapshot_intern(s, p, (size_t)n);
}

static const char *name_string(struct xd_snapshot *s, const X509_NAME *n)
{
	BIO *b = BIO_new(BIO_s_mem());
	const char *r = NULL;

	if (!b)
		return NULL;
	/* RFC 2253 with UTF-8 kept readable; renderers escape control bytes */
	if (X509_NAME_print_ex(b, n, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) >= 0)
		r = bio_string(s, b);
	BIO_free(b);
	return r;
}

static int64_t asn1_time(const ASN1_TIME *t)
{
	struct tm tm = { 0 };

	if (!t || ASN1_TIME_to_tm(t, &tm) != 1)
		return 0;
	return (int64_t)timegm(&tm);
}

static void hex(const unsigned char *d, size_t n, char *out, size_t outlen)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n && 2 * i + 2 < outlen; i++) {
		out[2 * i] = digits[d[i] >> 4];
		out[2 * i + 1] = digits[d[i] & 15];
	}
	out[2 * i] = '\0';
}

static void spki_digest(X509_PUBKEY *pk, char out[65])
{
	unsigned char *der = NULL;
	unsigned char md[32];
	unsigned int mdlen = 0;
	int n = pk ? i2d_X509_PUBKEY(pk, &der) : -1;

	out[0] = '\0';
	if (n <= 0)
		return;
	if (EVP_Digest(der, (size_t)n, md, &mdlen, EVP_sha256(), NULL) == 1 && mdlen == 32)
		hex(md, 32, out, 65);
	OPENSSL_free(der);
}

static const char *key_type_name(const EVP_PKEY *k)
{
	switch (EVP_PKEY_base_id(k)) {
	case EVP_PKEY_RSA:
		return "RSA";
	case EVP_PKEY_RSA_PSS:
		return "RSA-PSS";
	case EVP_PKEY_EC:
		return "EC";
	case EVP_PKEY_ED25519:
		return "ED25519";
	case EVP_PKEY_ED448:
		return "ED448";
	case EVP_PKEY_DSA:
		return "DSA";
	default:
		return "unknown";
	}
}

/* Append to a bounded comma-separated list. */
static void list_add(char *buf, size_t len, const char *prefix, const char *v)
{
	size_t used = strlen(buf);

	if (used + strlen(prefix) + strlen(v) + 2 >= len)
		return;
	snprintf(buf + used, len - used, "%s%s%s", used ? "," : "", prefix, v);
}

static const char *sans_string(struct xd_snapshot *s, X509 *x)
{
	GENERAL_NAMES *gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	char *buf;
	const char *r = NULL;

	if (!gens)
		return NULL;
	buf = calloc(1, MAX_LIST_BYTES);
	if (!buf)
		goto out;
	for (int i = 0; i < sk_GENERAL_NAME_num(gens); i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
		char v[256];
		const ASN1_STRING *str = NULL;
		const char *prefix = NULL;

		switch (g->type) {
		case GEN_DNS:
			str = g->d.dNSName, prefix = "DNS:";
			break;
		case GEN_EMAIL:
			str = g->d.rfc822Name, prefix = "email:";
			break;
		case GEN_URI:
			str = g->d.uniformResourceIdentifier, prefix = "URI:";
			break;
		case GEN_IPADD: {
			const ASN1_OCTET_STRING *ip = g->d.iPAddress;
			int len = ASN1_STRING_length(ip);
			if (len == 4 || len == 16) {
				if (inet_ntop(len == 4 ? AF_INET : AF_INET6, ASN1_STRING_get0_data(ip), v,
					      sizeof(v)))
					list_add(buf, MAX_LIST_BYTES, "IP:", v);
			}
			continue;
		}
		default:
			continue;
		}
		if (str) {
			int n = ASN1_STRING_length(str);
			if (n <= 0 || (size_t)n >= sizeof(v))
				continue;
			memcpy(v, ASN1_STRING_get0_data(str), (size_t)n);
			v[n] = '\0';
			/* an embedded NUL or comma would forge list entries: drop such names */
			if (strlen(v) != (size_t)n || strchr(v, ','))
				continue;
			list_add(buf, MAX_LIST_BYTES, prefix, v);
		}
	}
	r = buf[0] ? xd_snapshot_intern(s, buf, strlen(buf)) : NULL;
out:
	free(buf);
	GENERAL_NAMES_free(gens);
	return r;
}

static const char *eku_string(struct xd_snapshot *s, X509 *x)
{
	EXTENDED_KEY_USAGE *eku = X509_get_ext_d2i(x, NID_ext_key_usage, NULL, NULL);
	char buf[512] = "";

	if (!eku)
		return NULL;
	for (int i = 0; i < sk_ASN1_OBJECT_num(eku); i++) {
		const ASN1_OBJECT *o = sk_ASN1_OBJECT_value(eku, i);
		char v[96];
		int nid = OBJ_obj2nid(o);
		if (nid != NID_undef)
			xd_strlcpy(v, OBJ_nid2sn(nid), sizeof(v));
		else if (OBJ_obj2txt(v, sizeof(v), o, 1) <= 0)
			continue;
		list_add(buf, sizeof(buf), "", v);
	}
	EXTENDED_KEY_USAGE_free(eku);
	return buf[0] ? xd_snapshot_intern(s, buf, strlen(buf)) : NULL;
}

static struct xd_cert *new_cert(struct xd_snapshot *s, const struct hdr *h, enum xd_cert_role role,
				uint32_t index)
{
	struct xd_cert *c;

	if (s->certs.certs.len >= XD_CERT_MAX_CERTS)
		return NULL;
	c = xd_vec_push(&s->certs.certs);
	if (!c)
		return NULL;
	c->path = h->path;
	c->stack = h->stack;
	c->source = h->source;
	c->role = role;
	c->index = index;
	c->nss_id = h->nss_id;
	c->not_anchor = h->trust_anchor && xd_streq(h->trust_anchor, "no");
	return c;
}

static void fill_cert(struct xd_snapshot *s, struct xd_cert *c, X509 *x)
{
	const ASN1_INTEGER *serial = X509_get0_serialNumber(x);
	BIGNUM *bn = serial ? ASN1_INTEGER_to_BN(serial, NULL) : NULL;
	EVP_PKEY *pk = X509_get0_pubkey(x);
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	uint32_t flags = X509_get_extension_flags(x); /* also caches extensions */
	unsigned char *der = NULL;
	int derlen;

	c->readable = true;
	c->subject = name_string(s, X509_get_subject_name(x));
	c->issuer = name_string(s, X509_get_issuer_name(x));
	if (bn) {
		char *hx = BN_bn2hex(bn);
		if (hx)
			c->serial = xd_snapshot_intern(s, hx, strlen(hx));
		OPENSSL_free(hx);
		BN_free(bn);
	}
	c->not_before = asn1_time(X509_get0_notBefore(x));
	c->not_after = asn1_time(X509_get0_notAfter(x));
	c->sig_alg = OBJ_nid2ln(X509_get_signature_nid(x));
	int md_nid = NID_undef, pk_nid = NID_undef;
	if (OBJ_find_sigid_algs(X509_get_signature_nid(x), &md_nid, &pk_nid) && md_nid != NID_undef)
		c->sig_hash = OBJ_nid2sn(md_nid);
	if (pk) {
		c->key_type = key_type_name(pk);
		c->key_bits = (uint32_t)EVP_PKEY_bits(pk);
	}
	c->is_ca = flags & EXFLAG_CA;
	c->self_signed = flags & EXFLAG_SS;
	c->has_ku = flags & EXFLAG_KUSAGE;
	if (c->has_ku)
		c->key_usage = X509_get_key_usage(x);
	c->eku = eku_string(s, x);
	c->sans = sans_string(s, x);
	if (X509_digest(x, EVP_sha256(), md, &mdlen) == 1 && mdlen == 32)
		hex(md, 32, c->fingerprint, sizeof(c->fingerprint));
	spki_digest(X509_get_X509_PUBKEY(x), c->spki_sha256);
	derlen = i2d_X509(x, &der);
	if (derlen > 0) {
		uint8_t *copy = xd_snapshot_alloc(s, (size_t)derlen);
		if (copy) {
			memcpy(copy, der, (size_t)derlen);
			c->der = copy;
			c->der_len = (size_t)derlen;
		}
	}
	OPENSSL_free(der);
}

static void fill_crl(struct xd_snapshot *s, struct xd_cert *c, X509_CRL *crl)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	c->readable = true;
	c->issuer = name_string(s, X509_CRL_get_issuer(crl));
	c->not_before = asn1_time(X509_CRL_get0_lastUpdate(crl));
	c->not_after = asn1_time(X509_CRL_get0_nextUpdate(crl));
	c->sig_alg = OBJ_nid2ln(X509_CRL_get_signature_nid(crl));
	if (X509_CRL_digest(crl, EVP_sha256(), md, &mdlen) == 1 && mdlen == 32)
		hex(md, 32, c->fingerprint, sizeof(c->fingerprint));
}

static bool looks_pem(const uint8_t *b, size_t n)
{
	static const char tag[] = "-----BEGIN ";

	for (size_t i = 0; i + sizeof(tag) - 1 <= n && i < 4096; i++)
		if (memcmp(b + i, tag, sizeof(tag) - 1) == 0)
			return true;
	return false;
}

static void unreadable(struct xd_snapshot *s, const struct hdr *h, enum xd_cert_role role,
		       const char *why)
{
	struct xd_cert *c = new_cert(s, h, role, 0);

	if (c)
		c->error = why;
}

/* Certificates (one DER, or every CERTIFICATE in a PEM bundle) or one CRL. */
static void decode_x509(struct xd_snapshot *s, const struct hdr *h, enum xd_cert_role role,
			const uint8_t *body, size_t len)
{
	uint32_t n = 0;

	if (len == 0 || len > XD_CERT_MAX_FILE_BYTES || len > INT32_MAX) {
		unreadable(s, h, role, len ? "file too large" : "empty file");
		return;
	}
	if (looks_pem(body, len)) {
		BIO *b = BIO_new_mem_buf(body, (int)len);
		if (!b)
			return;
		while (n < XD_CERT_MAX_PER_FILE) {
			if (role == XD_CERT_ROLE_CRL) {
				X509_CRL *crl = PEM_read_bio_X509_CRL(b, NULL, NULL, NULL);
				if (!crl)
					break;
				struct xd_cert *c = new_cert(s, h, role, n);
				if (c)
					fill_crl(s, c, crl);
				X509_CRL_free(crl);
			} else {
				/* the callback-less read never prompts; a passphrase is never asked */
				X509 *x = PEM_read_bio_X509(b, NULL, NULL, NULL);
				if (!x)
					break;
				struct xd_cert *c = new_cert(s, h, role, h->index + n);
				if (c)
					fill_cert(s, c, x);
				X509_free(x);
			}
			n++;
		}
		BIO_free(b);
	} else {
		const unsigned char *p = body;
		if (role == XD_CERT_ROLE_CRL) {
			X509_CRL *crl = d2i_X509_CRL(NULL, &p, (long)len);
			if (crl) {
				struct xd_cert *c = new_cert(s, h, role, 0);
				if (c)
					fill_crl(s, c, crl);
				X509_CRL_free(crl);
				n++;
			}
		} else {
			X509 *x = d2i_X509(NULL, &p, (long)len);
			if (x) {
				struct xd_cert *c = new_cert(s, h, role, h->index);
				if (c)
					fill_cert(s, c, x);
				X509_free(x);
				n++;
			}
		}
	}
	ERR_clear_error(); /* libcrypto's error queue is per thread; leave it clean */
	if (n == 0)
		unreadable(s, h, role,
			   role == XD_CERT_ROLE_CRL ? "not a CRL (PEM or DER)"
						    : "not an X.509 certificate (PEM or DER)");
}

static void decode_key(struct xd_snapshot *s, const struct hdr *h, const uint8_t *body,
		       size_t len)
{
	struct xd_cert_key *k;

	if (s->certs.keys.len >= XD_CERT_MAX_RECORDS)
		return;
	k = xd_vec_push(&s->certs.keys);
	if (!k)
		return;
	k->path = h->path;
	k->stack = h->stack;
	k->source = h->source;
	k->nss_id = h->nss_id;
	if (h->error) {
		k->error = h->error;
		return;
	}
	if (h->format && xd_streq(h->format, "nss-id")) {
		k->readable = k->nss_id != NULL;
		if (!k->readable)
			k->error = "NSS key record without CKA_ID";
		return;
	}
	/* a public key (SubjectPublicKeyInfo DER): all the collector ever records of a key */
	const unsigned char *p = body;
	X509_PUBKEY *xpk = len && len <= XD_CERT_MAX_FILE_BYTES ? d2i_X509_PUBKEY(NULL, &p, (long)len)
								: NULL;
	EVP_PKEY *pk = xpk ? X509_PUBKEY_get0(xpk) : NULL;

	if (pk) {
		k->readable = true;
		k->key_type = key_type_name(pk);
		k->key_bits = (uint32_t)EVP_PKEY_bits(pk);
		spki_digest(xpk, k->spki_sha256);
	} else {
		k->error = "not a public key record";
	}
	X509_PUBKEY_free(xpk);
	ERR_clear_error();
}

int xd_decode_cert_cred(struct xd_snapshot *s, const void *buf, size_t len)
{
	struct hdr h = { 0 };
	const uint8_t *body;
	size_t body_len;
	enum xd_cert_role role;
	int r;

	s->certs.collected = true;
	r = parse_header(s, buf, len, &h, NULL, NULL, 0, &body, &body_len);
	if (r == -ENOMEM)
		return r;
	if (r < 0 || !h.path || !h.role)
		return issue(s, XD_DUMP_CERT_CRED, "malformed credential record header");
	if (!h.stack)
		h.stack = "extra";
	if (!h.source)
		h.source = "dir";
	role = xd_cert_role_from_name(h.role);
	if (role == _XD_CERT_ROLE_MAX)
		return issue(s, XD_DUMP_CERT_CRED, "unknown credential role");
	if (role == XD_CERT_ROLE_KEY) {
		decode_key(s, &h, body, body_len);
		return 0;
	}
	if (h.error) {
		unreadable(s, &h, role, h.error);
		return 0;
	}
	decode_x509(s, &h, role, body, body_len);
	return 0;
}

int xd_decode_cert_conn(struct xd_snapshot *s, const void *buf, size_t len)
{
	static const char *const keys[] = { "stack",	 "name",	"file",	      "local_id",
					    "remote_id", "local_cert", "remote_cert", "error",
					    "start",	 "child" };
	const char *vals[XD_ARRAY_SIZE(keys)] = { 0 };
	const uint8_t *body;
	size_t body_len;
	struct xd_cert_conn *c;
	int r;

	s->certs.collected = true;
	/* a conn record is a header only: reuse the header parser with a terminating blank line */
	r = parse_header(s, buf, len, NULL, keys, vals, XD_ARRAY_SIZE(keys), &body, &body_len);
	if (r == -ENOMEM)
		return r;
	if (r == 0 && vals[7] && vals[7][0]) {
		/* not a connection: why (part of) a configuration was not read (a FIFO, a bound) */
		char what[1200];
		const char *w;

		snprintf(what, sizeof(what), "%s: %s", vals[2] ? vals[2] : "configuration", vals[7]);
		w = xd_snapshot_intern(s, what, strlen(what));
		if (!w)
			return -ENOMEM;
		xd_snapshot_add_issue(s, &(struct xd_decode_issue){ .code = -E2BIG,
								     .dump = XD_DUMP_CERT_CONN,
								     .what = w });
		return 0;
	}
	if (r < 0 || !vals[1] || !vals[1][0])
		return issue(s, XD_DUMP_CERT_CONN, "malformed connection record");
	for (size_t i = 0; i < XD_ARRAY_SIZE(vals); i++)
		if (vals[i] && !vals[i][0])
			vals[i] = NULL; /* "key=" means not configured */
	if (s->certs.conns.len >= XD_CERT_MAX_RECORDS)
		return 0;
	c = xd_vec_push(&s->certs.conns);
	if (!c)
		return -ENOMEM;
	*c = (struct xd_cert_conn){ .stack = vals[0] ? vals[0] : "extra", .name = vals[1],
				    .file = vals[2], .local_id = vals[3], .remote_id = vals[4],
				    .local_cert = vals[5], .remote_cert = vals[6],
				    .start = vals[8], .child = vals[9] };
	return 0;
}
