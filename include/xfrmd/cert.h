/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cert.h: the IKE daemon's credentials as a key-free model (issue 8, DESIGN.md §7 `cert.*`).
 *
 * Credentials travel as records like everything else (docs/certificates.md): certificates and
 * CRLs as their public bytes, private keys only as the SHA-256 of their public half, and the
 * identities a connection configures as extracted facts (never the raw swanctl.conf, which may
 * hold secrets). The decoder (decode.h) turns those records into the objects below; checks and
 * renderers read only these.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xfrmd/util.h"

struct xd_snapshot;

/* Bounds the collector and the decoder both enforce: a hostile tree or snapshot stays small. */
#define XD_CERT_MAX_FILE_BYTES (256u * 1024)
#define XD_CERT_MAX_RECORDS 1024u
#define XD_CERT_MAX_PER_FILE 64u /* certificates in one PEM bundle or PKCS#12 */
#define XD_CERT_MAX_CERTS 4096u  /* certificates in one snapshot */

enum xd_cert_role {
	XD_CERT_ROLE_CERT, /* an end-entity certificate the daemon may send (x509/, certs/) */
	XD_CERT_ROLE_CA,   /* a trust anchor or intermediate (x509ca/, cacerts/) */
	XD_CERT_ROLE_CRL,
	XD_CERT_ROLE_KEY,  /* a private key, recorded as the digest of its public half */
	XD_CERT_ROLE_PEER, /* a peer's certificate pinned by the configuration */
	_XD_CERT_ROLE_MAX,
};

const char *xd_cert_role_name(enum xd_cert_role r);
/* _XD_CERT_ROLE_MAX for an unknown name */
enum xd_cert_role xd_cert_role_from_name(const char *name);

/* keyUsage bits as OpenSSL reports them (X509v3_KU_*), kept raw */
enum {
	XD_KU_DIGITAL_SIGNATURE = 0x0080,
	XD_KU_NON_REPUDIATION = 0x0040,
	XD_KU_KEY_ENCIPHERMENT = 0x0020,
	XD_KU_KEY_CERT_SIGN = 0x0004,
	XD_KU_CRL_SIGN = 0x0002,
};

/* One certificate or CRL (or an unreadable credential file). Strings live in the snapshot. */
struct xd_cert {
	const char *path;   /* the file, or "nss:DIR/cert9.db#LABEL" for NSS */
	const char *stack;  /* "strongswan", "libreswan", "extra" */
	const char *source; /* "dir", "config", "nss", "pkcs12" */
	enum xd_cert_role role;
	uint32_t index;     /* position in a bundle/PKCS#12, 0 for single files */
	bool readable;
	const char *error;  /* why not readable (static or interned), NULL when readable */

	/* valid when readable (CRLs fill subject=NULL, issuer, dates = lastUpdate/nextUpdate) */
	const char *subject;    /* RFC 2253 */
	const char *issuer;
	const char *serial;     /* hex, upper case */
	int64_t not_before;     /* epoch seconds */
	int64_t not_after;
	const char *sig_alg;    /* "sha256WithRSAEncryption" */
	const char *sig_hash;   /* "SHA256", "SHA1", "MD5"; NULL when the scheme names none */
	const char *key_type;   /* "RSA", "EC", "ED25519", ... */
	uint32_t key_bits;
	bool is_ca;             /* basicConstraints CA:TRUE */
	bool self_signed;
	bool has_ku;
	uint32_t key_usage;     /* XD_KU_* when has_ku */
	const char *eku;        /* comma-separated short names ("serverAuth,ikeIntermediate"), or NULL */
	const char *sans;       /* comma-separated "DNS:x,IP:1.2.3.4,email:a@b,URI:..", or NULL */
	char fingerprint[65];   /* SHA-256 of the DER, hex */
	char spki_sha256[65];   /* SHA-256 of the SubjectPublicKeyInfo DER, hex */
	const char *nss_id;     /* NSS CKA_ID (hex) for certificates from an NSS DB */
	bool not_anchor;        /* a CA the stack does not trust as an anchor (NSS without "C" trust) */
	const uint8_t *der;     /* the certificate itself (public), for chain building */
	size_t der_len;
};

/* A private key file, as matching needs it; never its secret. */
struct xd_cert_key {
	const char *path;
	const char *stack;
	const char *source;
	bool readable;          /* false: encrypted, unreadable or not a key */
	const char *error;
	const char *key_type;
	uint32_t key_bits;
	char spki_sha256[65];   /* SHA-256 of the public half's SubjectPublicKeyInfo DER */
	const char *nss_id;     /* NSS: CKA_ID of a private key object in key4.db */
};

/* What one configured connection (or ipsec.conf conn) says about credentials. */
struct xd_cert_conn {
	const char *stack;
	const char *name;
	const char *file;       /* the configuration file it came from */
	const char *local_id;   /* NULL when not configured (then the certificate's subject is used) */
	const char *remote_id;
	const char *local_cert; /* path as resolved by the collector, or NULL */
	const char *remote_cert;
	const char *start;      /* start action as configured (ikeconf.h start_action), or NULL */
	const char *child;      /* the child it is for; NULL: the connection (every child) */
};

/* The credential part of a snapshot. */
struct xd_certs {
	bool collected;     /* any cert.* record was seen */
	struct xd_vec certs; /* struct xd_cert, in record order */
	struct xd_vec keys;  /* struct xd_cert_key */
	struct xd_vec conns; /* struct xd_cert_conn */
};

/* The key whose public half matches this certificate, or NULL (same stack only). */
const struct xd_cert_key *xd_cert_find_key(const struct xd_snapshot *s, const struct xd_cert *c);
/* The first connection that names this certificate as its local (or remote) cert, or NULL. */
const struct xd_cert_conn *xd_cert_find_conn(const struct xd_snapshot *s, const struct xd_cert *c,
					     bool *remote);
/* Does an identity (DN, FQDN, "@fqdn", e-mail, IP address) appear in the subject or SANs? */
bool xd_cert_id_matches(const struct xd_cert *c, const char *id);

void xd_certs_init(struct xd_certs *c);
/* Free the vectors (strings belong to the snapshot's arena); called by xd_snapshot_free(). */
void xd_certs_done(struct xd_certs *c);
