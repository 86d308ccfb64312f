/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * check-cert.c: findings about the IKE daemon's credentials (DESIGN.md §7 `cert.*`, F21).
 * A broken credential leaves no trace in the kernel (the CHILD_SA is simply never installed),
 * so these read the decoded certificates, keys and configured identities. "Now" is the
 * snapshot's capture time, so a replayed snapshot gives the same answer years later.
 *
 * Severity follows use: a credential the daemon uses (named by a connection, or an end-entity
 * certificate with its key when no configuration was readable, or a CA in such a
 * certificate's chain) breaks tunnels and is an error; the same problem on a credential
 * nothing uses is a warning or, for CA-store entries, info.
 */
#include <errno.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <stdio.h>
#include <string.h>

#include "xfrmd/cert.h"
#include "xfrmd/diag.h"
#include "xfrmd/model.h"

enum {
	D_EXPIRED,
	D_EXPIRING,
	D_NOT_YET_VALID,
	D_KEY_MISMATCH,
	D_KEY_MISSING,
	D_UNTRUSTED,
	D_ID_MISMATCH,
	D_WEAK,
	D_USAGE,
	D_UNREADABLE,
};

static const struct xd_finding_def defs[] = {
	[D_EXPIRED] = { "cert.expired", XD_SEV_ERROR, "certificate expired",
			"Renew the certificate (same key or new), install it where the daemon reads "
			"it and reload credentials (`swanctl --load-creds`, or re-import into the "
			"NSS database with `ipsec import`)." },
	[D_EXPIRING] = { "cert.expiring", XD_SEV_WARNING, "certificate expires soon",
			 "Renew the certificate before it expires and reload the credentials; peers "
			 "reject it from its notAfter date on." },
	[D_NOT_YET_VALID] = { "cert.not_yet_valid", XD_SEV_ERROR, "certificate not valid yet",
			      "Check the system clock on both peers (NTP); if the clock is right, "
			      "the certificate was issued with a future notBefore: reissue it." },
	[D_KEY_MISMATCH] = { "cert.key_mismatch", XD_SEV_ERROR,
			     "private key present does not belong to the certificate",
			     "Install the private key the certificate was issued for (compare "
			     "`openssl x509 -pubkey` with `openssl pkey -pubout`), or reissue the "
			     "certificate for the key that is present." },
	[D_KEY_MISSING] = { "cert.key_missing", XD_SEV_ERROR, "no private key for the certificate",
			    "Install the certificate's private key (swanctl private/, rsa/, ecdsa/ "
			    "or a PKCS#12; for libreswan import the PKCS#12 with `ipsec import`) and "
			    "reload the credentials." },
	[D_UNTRUSTED] = { "cert.untrusted", XD_SEV_ERROR,
			  "certificate does not chain to a CA in the stack's store",
			  "Install the issuing CA (and intermediates) in the CA store (swanctl "
			  "x509ca/, ipsec.d/cacerts/, or the NSS database with CA trust flags) and "
			  "reload the credentials." },
	[D_ID_MISMATCH] = { "cert.id_mismatch", XD_SEV_ERROR,
			    "configured identity not in the certificate's subject or subjectAltName",
			    "Set the connection's identity (swanctl local/remote id, ipsec.conf "
			    "leftid/rightid) to the subject DN or a subjectAltName of the certificate, "
			    "or reissue the certificate with that identity as a subjectAltName." },
	[D_WEAK] = { "cert.weak", XD_SEV_WARNING, "weak key or signature algorithm",
		     "Reissue the certificate with RSA >= 2048 bits (3072 preferred) or EC >= 256 "
		     "bits and a SHA-256 (or stronger) signature." },
	[D_USAGE] = { "cert.usage", XD_SEV_WARNING, "key usage or extended key usage unfit for IKE",
		      "Reissue the certificate with keyUsage digitalSignature and, if an extended "
		      "key usage is present, serverAuth/clientAuth or ipsecIKE." },
	[D_UNREADABLE] = { "cert.unreadable", XD_SEV_WARNING, "credential file cannot be read or parsed",
			   "Check the file's permissions and format (PEM or DER; PKCS#12 without "
			   "a password, or with its passphrase configured in the daemon); replace a "
			   "corrupt file." },
	{ NULL },
};

static bool is_remote(const struct xd_snapshot *s, const struct xd_cert *c)
{
	bool remote = false;

	return c->role == XD_CERT_ROLE_PEER || (xd_cert_find_conn(s, c, &remote) && remote);
}

static bool stack_has_conns(const struct xd_snapshot *s, const char *stack)
{
	for (size_t i = 0; i < s->certs.conns.len; i++)
		if (xd_streq(((const struct xd_cert_conn *)xd_vec_at(&s->certs.conns, i))->stack,
			     stack))
			return true;
	return false;
}

/* Does the daemon use this end-entity certificate as its own? */
static bool ee_used(const struct xd_snapshot *s, const struct xd_cert *c)
{
	bool remote = false;

	if (xd_cert_find_conn(s, c, &remote))
		return true;
	/* without a readable configuration, a certificate with its key is the daemon's own */
	return !stack_has_conns(s, c->stack) && xd_cert_find_key(s, c);
}

static bool is_ee(const struct xd_cert *c)
{
	return c->role == XD_CERT_ROLE_CERT || c->role == XD_CERT_ROLE_PEER;
}

/*
 * Facts every check needs, computed once per run: a hostile snapshot with thousands of
 * certificates must not make the pairwise questions (which key, which use) quadratic per check.
 */
struct facts {
	const struct xd_snapshot *s;
	const struct xd_cert_key **key; /* per certificate: its matching key, or NULL */
	bool *used;                     /* per certificate */
	bool *key_matched;              /* per key: some certificate matches it */
};

static size_t cert_idx(const struct facts *F, const struct xd_cert *c)
{
	return (size_t)(c - (const struct xd_cert *)F->s->certs.certs.data);
}

static bool used(const struct facts *F, const struct xd_cert *c)
{
	return F->used[cert_idx(F, c)];
}

static const struct xd_cert_key *key_of(const struct facts *F, const struct xd_cert *c)
{
	return F->key[cert_idx(F, c)];
}

static void facts_done(struct facts *F)
{
	free(F->key);
	free(F->used);
	free(F->key_matched);
}

static int facts_init(struct facts *F, const struct xd_snapshot *s)
{
	size_t n = s->certs.certs.len, nk = s->certs.keys.len;

	*F = (struct facts){ .s = s, .key = calloc(n + 1, sizeof(*F->key)),
			     .used = calloc(n + 1, sizeof(*F->used)),
			     .key_matched = calloc(nk + 1, sizeof(*F->key_matched)) };
	if (!F->key || !F->used || !F->key_matched) {
		facts_done(F);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		const struct xd_cert *c = xd_vec_at(&s->certs.certs, i);
		const struct xd_cert_key *k = c->readable ? xd_cert_find_key(s, c) : NULL;
		F->key[i] = k;
		if (k)
			F->key_matched[(size_t)(k - (const struct xd_cert_key *)s->certs.keys.data)] = true;
		if (c->readable && is_ee(c))
			F->used[i] = ee_used(s, c) || is_remote(s, c);
	}
	/* a CA is used when a used end-entity certificate of its stack names it as issuer */
	for (size_t j = 0; j < n; j++) {
		const struct xd_cert *ca = xd_vec_at(&s->certs.certs, j);
		if (ca->role != XD_CERT_ROLE_CA || !ca->readable || !ca->subject)
			continue;
		for (size_t i = 0; i < n && !F->used[j]; i++) {
			const struct xd_cert *c = xd_vec_at(&s->certs.certs, i);
			F->used[j] = i != j && F->used[i] && is_ee(c) && c->issuer &&
				     xd_streq(c->issuer, ca->subject) && xd_streq(c->stack, ca->stack);
		}
	}
	return 0;
}

static struct xd_finding *cert_finding(struct xd_findings *out, const struct xd_cert *c, int def,
				       const char *what)
{
	char a[32], b[32];
	struct xd_finding *x;

	x = xd_finding_add(out, &defs[def], "%s %s %s%s%s", xd_cert_role_name(c->role), c->path,
			   what, c->subject ? ": " : "", c->subject ? c->subject : "");
	xd_finding_name(x, c->path);
	xd_finding_ev_str(x, "file", "%s", c->path);
	xd_finding_ev_str(x, "stack", "%s", c->stack);
	xd_finding_ev_str(x, "role", "%s", xd_cert_role_name(c->role));
	if (c->index)
		xd_finding_ev_int(x, "index", c->index);
	if (c->subject)
		xd_finding_ev_str(x, "subject", "%s", c->subject);
	if (c->issuer)
		xd_finding_ev_str(x, "issuer", "%s", c->issuer);
	if (c->serial)
		xd_finding_ev_str(x, "serial", "%s", c->serial);
	if (c->readable) {
		xd_finding_ev_str(x, "not_before", "%s", xd_fmt_utc_z(c->not_before, a, sizeof(a)));
		xd_finding_ev_str(x, "not_after", "%s", xd_fmt_utc_z(c->not_after, b, sizeof(b)));
	}
	return x;
}

static void check_validity(const struct xd_diag_ctx *ctx, const struct facts *F,
			   const struct xd_cert *c, struct xd_findings *out)
{
	const struct xd_snapshot *s = ctx->now;
	int64_t now = s->meta.captured_at;
	int64_t window = (int64_t)ctx->opts.expiring_days * 86400;
	bool u = used(F, c);
	/* unused CA-store entries are clutter, unused end-entity certificates a latent problem */
	enum xd_severity unused_sev = c->role == XD_CERT_ROLE_CA ? XD_SEV_INFO : XD_SEV_WARNING;
	struct xd_finding *x;

	if (c->role == XD_CERT_ROLE_CRL || now <= 0)
		return;
	if (c->not_after && now > c->not_after) {
		x = cert_finding(out, c, D_EXPIRED, "expired");
		xd_finding_ev_int(x, "days_since_expiry", (now - c->not_after) / 86400);
		xd_finding_ev_bool(x, "in_use", u);
		if (!u)
			xd_finding_set_severity(x, unused_sev);
	} else if (c->not_before && now < c->not_before) {
		x = cert_finding(out, c, D_NOT_YET_VALID, "not valid yet");
		xd_finding_ev_int(x, "days_until_valid", (c->not_before - now + 86399) / 86400);
		xd_finding_ev_bool(x, "in_use", u);
		if (!u)
			xd_finding_set_severity(x, unused_sev);
	} else if (c->not_after && c->not_after - now < window) {
		x = cert_finding(out, c, D_EXPIRING, "expires soon");
		xd_finding_ev_int(x, "days_left", (c->not_after - now) / 86400);
		xd_finding_ev_int(x, "threshold_days", ctx->opts.expiring_days);
		xd_finding_ev_bool(x, "in_use", u);
		if (!u)
			xd_finding_set_severity(x, XD_SEV_INFO);
	}
}

/* A key of the stack that matches no certificate: the candidate for "wrong key imported". */
static const struct xd_cert_key *orphan_key(const struct facts *F, const char *stack)
{
	const struct xd_snapshot *s = F->s;

	for (size_t i = 0; i < s->certs.keys.len; i++) {
		const struct xd_cert_key *k = xd_vec_at(&s->certs.keys, i);
		if (k->readable && xd_streq(k->stack, stack) && !F->key_matched[i])
			return k;
	}
	return NULL;
}

static void check_key(const struct facts *F, const struct xd_cert *c, struct xd_findings *out)
{
	const struct xd_snapshot *s = F->s;
	bool referenced, remote = false;
	const struct xd_cert_key *orphan;
	struct xd_finding *x;

	if (c->role != XD_CERT_ROLE_CERT || is_remote(s, c) || key_of(F, c))
		return;
	referenced = xd_cert_find_conn(s, c, &remote) != NULL;
	/* NSS holds peers' certificates too: only the one a connection names needs a key */
	if (xd_streq(c->source, "nss") && !referenced)
		return;
	/* a CA certificate placed among end-entity certificates needs no key either */
	if (c->is_ca && !referenced)
		return;
	orphan = orphan_key(F, c->stack);
	if (orphan) {
		x = cert_finding(out, c, D_KEY_MISMATCH, "has no matching private key");
		xd_finding_ev_str(x, "key_file", "%s", orphan->path);
		xd_finding_ev_str(x, "cert_public_key_sha256", "%s", c->spki_sha256);
		if (orphan->spki_sha256[0])
			xd_finding_ev_str(x, "key_public_key_sha256", "%s", orphan->spki_sha256);
	} else {
		x = cert_finding(out, c, D_KEY_MISSING, "has no private key");
		xd_finding_ev_int(x, "keys_in_store", 0);
	}
	xd_finding_ev_bool(x, "referenced_by_config", referenced);
	if (!referenced && orphan == NULL)
		xd_finding_set_severity(x, XD_SEV_WARNING);
}

static void check_weak(const struct facts *F, const struct xd_cert *c, struct xd_findings *out)
{
	char why[128] = "";
	struct xd_finding *x;
	bool rsa = c->key_type && (!strcmp(c->key_type, "RSA") || !strcmp(c->key_type, "RSA-PSS") ||
				   !strcmp(c->key_type, "DSA"));
	bool ec = c->key_type && !strcmp(c->key_type, "EC");

	if (c->role == XD_CERT_ROLE_CRL)
		return;
	if (rsa && c->key_bits && c->key_bits < 2048)
		snprintf(why, sizeof(why), "%s key of %u bits", c->key_type, c->key_bits);
	else if (ec && c->key_bits && c->key_bits < 256)
		snprintf(why, sizeof(why), "EC key of %u bits", c->key_bits);
	/* a self-signed root's own signature is never checked by anyone: only its key counts */
	else if (c->sig_hash && !(c->is_ca && c->self_signed) &&
		 (!strcmp(c->sig_hash, "SHA1") || !strcmp(c->sig_hash, "MD5") ||
		  !strcmp(c->sig_hash, "MD4") || !strcmp(c->sig_hash, "MD2")))
		snprintf(why, sizeof(why), "%s signature", c->sig_hash);
	if (!why[0])
		return;
	x = cert_finding(out, c, D_WEAK, "is weak");
	xd_finding_ev_str(x, "weakness", "%s", why);
	if (c->key_type)
		xd_finding_ev_str(x, "key_type", "%s", c->key_type);
	xd_finding_ev_int(x, "key_bits", c->key_bits);
	if (c->sig_alg)
		xd_finding_ev_str(x, "signature_algorithm", "%s", c->sig_alg);
	if (!used(F, c))
		xd_finding_set_severity(x, XD_SEV_INFO);
}

static void check_usage(const struct facts *F, const struct xd_cert *c,
			struct xd_findings *out)
{
	static const char *const ike_eku[] = { "serverAuth", "clientAuth", "ipsecIKE",
					       "ipsecEndSystem", "ipsecTunnel", "ipsecUser",
					       "anyExtendedKeyUsage", "1.3.6.1.5.5.8.2.2" };
	bool eku_ok = !c->eku;
	struct xd_finding *x;

	if (c->role != XD_CERT_ROLE_CERT || c->is_ca || !used(F, c))
		return;
	for (size_t i = 0; c->eku && i < XD_ARRAY_SIZE(ike_eku); i++)
		if (strstr(c->eku, ike_eku[i]))
			eku_ok = true;
	if ((!c->has_ku || (c->key_usage & (XD_KU_DIGITAL_SIGNATURE | XD_KU_NON_REPUDIATION))) &&
	    eku_ok)
		return;
	x = cert_finding(out, c, D_USAGE, "has a key usage unfit for IKE");
	if (c->has_ku)
		xd_finding_ev_int(x, "key_usage_bits", c->key_usage);
	if (c->eku)
		xd_finding_ev_str(x, "extended_key_usage", "%s", c->eku);
}

/* X509 objects of one stack's certificates, built once per check run. */
struct chain_env {
	X509_STORE *store;
	STACK_OF(X509) *untrusted;
	size_t n_cas;
	size_t n_not_anchor; /* CA certificates present but not trusted as anchors (NSS flags) */
};

static X509 *to_x509(const struct xd_cert *c)
{
	const unsigned char *p = c->der;

	return c->der && c->der_len <= INT32_MAX ? d2i_X509(NULL, &p, (long)c->der_len) : NULL;
}

static int chain_env_init(struct chain_env *e, const struct xd_snapshot *s, const char *stack)
{
	*e = (struct chain_env){ .store = X509_STORE_new(), .untrusted = sk_X509_new_null() };
	if (!e->store || !e->untrusted)
		return -ENOMEM;
	for (size_t i = 0; i < s->certs.certs.len; i++) {
		const struct xd_cert *c = xd_vec_at(&s->certs.certs, i);
		X509 *x;
		if (!c->readable || !xd_streq(c->stack, stack) || c->role == XD_CERT_ROLE_CRL)
			continue;
		if (c->role != XD_CERT_ROLE_CA && !c->is_ca)
			continue;
		x = to_x509(c);
		if (!x)
			continue;
		if (c->role == XD_CERT_ROLE_CA && !c->not_anchor) {
			/* duplicates (the same CA in two files) are fine for the store */
			(void)X509_STORE_add_cert(e->store, x);
			e->n_cas++;
			X509_free(x);
		} else {
			/* intermediates, and CAs the stack does not trust, may only link a chain */
			e->n_not_anchor += c->not_anchor;
			if (!sk_X509_push(e->untrusted, x))
				X509_free(x);
		}
	}
	/* time is judged by the cert.expired family against the capture time, not here */
	X509_STORE_set_flags(e->store, X509_V_FLAG_NO_CHECK_TIME | X509_V_FLAG_PARTIAL_CHAIN);
	ERR_clear_error();
	return 0;
}

static void chain_env_done(struct chain_env *e)
{
	X509_STORE_free(e->store);
	sk_X509_pop_free(e->untrusted, X509_free);
}

static void check_chain(const struct facts *F, const struct xd_cert *c, struct chain_env *e,
			struct xd_findings *out)
{
	X509_STORE_CTX *vctx;
	X509 *x;
	int ok, err = 0;
	struct xd_finding *f;

	if (!is_ee(c) || c->is_ca)
		return;
	x = to_x509(c);
	vctx = X509_STORE_CTX_new();
	if (!x || !vctx) {
		X509_free(x);
		X509_STORE_CTX_free(vctx);
		return;
	}
	ok = X509_STORE_CTX_init(vctx, e->store, x, e->untrusted) == 1 &&
	     X509_verify_cert(vctx) == 1;
	if (!ok)
		err = X509_STORE_CTX_get_error(vctx);
	X509_STORE_CTX_free(vctx);
	X509_free(x);
	ERR_clear_error();
	if (ok)
		return;
	f = cert_finding(out, c, D_UNTRUSTED, "does not chain to a trusted CA");
	xd_finding_ev_str(f, "verify_error", "%s", X509_verify_cert_error_string(err));
	xd_finding_ev_int(f, "ca_certificates_in_store", (int64_t)e->n_cas);
	if (e->n_not_anchor)
		xd_finding_ev_int(f, "ca_certificates_without_trust_flags", (int64_t)e->n_not_anchor);
	if (!used(F, c))
		xd_finding_set_severity(f, XD_SEV_WARNING);
}

static const struct xd_cert *cert_at_path(const struct xd_snapshot *s, const char *stack,
					  const char *path)
{
	for (size_t i = 0; i < s->certs.certs.len; i++) {
		const struct xd_cert *c = xd_vec_at(&s->certs.certs, i);
		if (c->path && xd_streq(c->path, path) && xd_streq(c->stack, stack) &&
		    c->role != XD_CERT_ROLE_CA)
			return c;
	}
	return NULL;
}

static void check_conn_side(const struct xd_snapshot *s, const struct xd_cert_conn *k,
			    const char *path, const char *id, bool local, struct xd_findings *out)
{
	const struct xd_cert *c;
	struct xd_finding *x;

	if (!path)
		return;
	c = cert_at_path(s, k->stack, path);
	if (!c) {
		x = xd_finding_add(out, &defs[D_UNREADABLE],
				   "connection %s names %s certificate %s, which is not in the store",
				   k->name, local ? "local" : "remote", path);
		xd_finding_set_severity(x, XD_SEV_ERROR);
		xd_finding_name(x, path);
		xd_finding_ev_str(x, "file", "%s", path);
		xd_finding_ev_str(x, "stack", "%s", k->stack);
		xd_finding_ev_str(x, "connection", "%s", k->name);
		if (k->file)
			xd_finding_ev_str(x, "config_file", "%s", k->file);
		return;
	}
	if (!c->readable || !id || xd_cert_id_matches(c, id))
		return;
	x = cert_finding(out, c, D_ID_MISMATCH, "does not carry the configured identity");
	xd_finding_ev_str(x, "connection", "%s", k->name);
	xd_finding_ev_str(x, "side", "%s", local ? "local" : "remote");
	xd_finding_ev_str(x, "configured_id", "%s", id);
	if (c->sans)
		xd_finding_ev_str(x, "subject_alt_names", "%s", c->sans);
	if (k->file)
		xd_finding_ev_str(x, "config_file", "%s", k->file);
}

static void check_unreadable(const struct xd_snapshot *s, const struct xd_cert *c,
			     struct xd_findings *out)
{
	bool remote;
	struct xd_finding *x = cert_finding(out, c, D_UNREADABLE, "cannot be used");

	xd_finding_ev_str(x, "reason", "%s", c->error ? c->error : "unknown");
	xd_finding_ev_str(x, "source", "%s", c->source);
	if (xd_cert_find_conn(s, c, &remote))
		xd_finding_set_severity(x, XD_SEV_ERROR);
}

static void run(const struct xd_diag_ctx *ctx, struct xd_findings *out)
{
	const struct xd_snapshot *s = ctx->now;
	const char *stacks[8];
	size_t n_stacks = 0;
	struct facts F;

	if (!s->certs.certs.len && !s->certs.keys.len && !s->certs.conns.len)
		return;
	if (facts_init(&F, s) < 0) {
		out->error = -ENOMEM;
		return;
	}

	for (size_t i = 0; i < s->certs.certs.len; i++) {
		const struct xd_cert *c = xd_vec_at(&s->certs.certs, i);
		bool known = false;

		if (!c->readable) {
			check_unreadable(s, c, out);
			continue;
		}
		check_validity(ctx, &F, c, out);
		check_key(&F, c, out);
		check_weak(&F, c, out);
		check_usage(&F, c, out);
		for (size_t k = 0; k < n_stacks; k++)
			known = known || xd_streq(stacks[k], c->stack);
		if (!known && n_stacks < XD_ARRAY_SIZE(stacks))
			stacks[n_stacks++] = c->stack;
	}
	for (size_t i = 0; i < s->certs.keys.len; i++) {
		const struct xd_cert_key *k = xd_vec_at(&s->certs.keys, i);
		struct xd_finding *x;
		if (k->readable)
			continue;
		x = xd_finding_add(out, &defs[D_UNREADABLE], "private key %s cannot be used: %s",
				   k->path, k->error ? k->error : "unknown");
		xd_finding_name(x, k->path);
		xd_finding_ev_str(x, "file", "%s", k->path);
		xd_finding_ev_str(x, "stack", "%s", k->stack);
		xd_finding_ev_str(x, "role", "key");
		xd_finding_ev_str(x, "reason", "%s", k->error ? k->error : "unknown");
		/* an encrypted key with its passphrase in swanctl.conf secrets is fine */
		if (k->error && strstr(k->error, "encrypted"))
			xd_finding_set_severity(x, XD_SEV_INFO);
	}
	for (size_t k = 0; k < n_stacks; k++) {
		struct chain_env e;
		if (chain_env_init(&e, s, stacks[k]) == 0)
			for (size_t i = 0; i < s->certs.certs.len; i++) {
				const struct xd_cert *c = xd_vec_at(&s->certs.certs, i);
				if (c->readable && xd_streq(c->stack, stacks[k]))
					check_chain(&F, c, &e, out);
			}
		else
			out->error = -ENOMEM;
		chain_env_done(&e);
	}
	for (size_t i = 0; i < s->certs.conns.len; i++) {
		const struct xd_cert_conn *k = xd_vec_at(&s->certs.conns, i);
		check_conn_side(s, k, k->local_cert, k->local_id, true, out);
		check_conn_side(s, k, k->remote_cert, k->remote_id, false, out);
	}
	facts_done(&F);
}

const struct xd_check_family xd_check_cert = {
	.name = "cert",
	.defs = defs,
	.run = run,
};
