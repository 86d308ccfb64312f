/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-cert.c: credentials end to end — files generated at test time by tests/certs/make-pki.sh
 * (the openssl command) are collected into records, decoded and checked, as xfrmctl does. Each
 * fault must raise its cert.* finding on the right file; the healthy set must raise none above
 * info; no record may hold private key material or a swanctl.conf secret.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "xfrmd/cert.h"
#include "xfrmd/decode.h"
#include "xfrmd/diag.h"
#include "xfrmd/model.h"
#include "xfrmd/collect.h"
#include "xfrmd/nl.h"
#include "xfrmd/recbuf.h"

struct fx {
	char dir[64];
	struct xd_recbuf *rb;
	struct xd_snapshot *s;
	struct xd_findings f;
};

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

static const char *make_pki(void)
{
	const char *p = getenv("XD_MAKE_PKI");

	return p ? p : "tests/certs/make-pki.sh";
}

static void fx_free(struct fx *x)
{
	xd_findings_done(&x->f);
	xd_snapshot_free(x->s);
	xd_recbuf_free(x->rb);
	if (x->dir[0])
		sh("rm -rf '%s'", x->dir);
	free(x);
}

/* Collect with the given paths (relative to the fixture directory), decode, diagnose. */
static void fx_run(struct fx *x, const struct xd_cert_paths *p)
{
	struct xd_record_sink sink;
	struct xd_diag_ctx ctx = { 0 };

	assert_int_equal(xd_recbuf_new(&x->rb), 0);
	xd_collect_certs(p, x->rb);
	xd_recbuf_meta(x->rb)->captured_at = time(NULL);
	assert_int_equal(xd_snapshot_new(&x->s), 0);
	x->s->meta = *xd_recbuf_meta_const(x->rb);
	xd_decode_sink_init(&sink, x->s);
	assert_int_equal(xd_recbuf_replay(x->rb, &sink), 0);
	xd_snapshot_sort(x->s);
	ctx.now = x->s;
	xd_diag_opts_default(&ctx.opts);
	xd_findings_init(&x->f);
	assert_int_equal(xd_diag_run(&ctx, &x->f), 0);
}

static struct fx *fx_new(void)
{
	struct fx *x = calloc(1, sizeof(*x));

	assert_non_null(x);
	xd_strlcpy(x->dir, "/tmp/xfrmd-cert-XXXXXX", sizeof(x->dir));
	assert_non_null(mkdtemp(x->dir));
	return x;
}

static struct fx *load(const char *kind)
{
	struct fx *x = fx_new();
	char sw[128];

	assert_int_equal(sh("'%s' '%s' '%s'", make_pki(), x->dir, kind), 0);
	snprintf(sw, sizeof(sw), "%s/swanctl", x->dir);
	fx_run(x, &(struct xd_cert_paths){ .swanctl_dir = sw });
	return x;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = s ? strlen(s) : 0, b = strlen(suffix);

	return a >= b && xd_streq(s + a - b, suffix);
}

/* The finding with this id whose subject names a file ending in `file`, or NULL. */
static const struct xd_finding *find(const struct fx *x, const char *id, const char *file)
{
	for (size_t i = 0; i < xd_findings_count(&x->f); i++) {
		const struct xd_finding *f = xd_findings_at(&x->f, i);
		if (xd_streq(f->def->id, id) && (!file || ends_with(f->subject.name, file)))
			return f;
	}
	return NULL;
}

static const char *ev(const struct xd_finding *f, const char *key)
{
	for (size_t i = 0; i < f->evidence.len; i++) {
		const struct xd_evidence *e = xd_vec_at(&f->evidence, i);
		if (xd_streq(e->key, key))
			return e->str;
	}
	return NULL;
}

/* No cert.* finding above info. */
static void assert_clean(const struct fx *x)
{
	for (size_t i = 0; i < xd_findings_count(&x->f); i++) {
		const struct xd_finding *f = xd_findings_at(&x->f, i);
		if (!strncmp(f->def->id, "cert.", 5) && f->severity > XD_SEV_INFO)
			fail_msg("unexpected %s: %s", f->def->id, f->summary);
	}
}

/* No cert.* finding above info other than `except`. */
static void assert_clean_except(const struct fx *x, const char *except)
{
	for (size_t i = 0; i < xd_findings_count(&x->f); i++) {
		const struct xd_finding *f = xd_findings_at(&x->f, i);
		if (!strncmp(f->def->id, "cert.", 5) && f->severity > XD_SEV_INFO &&
		    !xd_streq(f->def->id, except))
			fail_msg("unexpected %s: %s", f->def->id, f->summary);
	}
}

static void test_cert_healthy(void **state)
{
	struct fx *x = load("healthy");
	const struct xd_cert *gw = NULL;

	assert_clean(x);
	for (size_t i = 0; i < x->s->certs.certs.len; i++) {
		const struct xd_cert *c = xd_vec_at(&x->s->certs.certs, i);
		if (ends_with(c->path, "x509/gw.pem"))
			gw = c;
	}
	assert_non_null(gw);
	assert_true(gw->readable);
	assert_string_equal(gw->subject, "CN=gw.example,O=xfrmd test,C=CH");
	assert_string_equal(gw->sans, "DNS:gw.example,IP:192.0.2.1");
	assert_string_equal(gw->key_type, "EC");
	assert_int_equal(gw->key_bits, 256);
	assert_non_null(xd_cert_find_key(x->s, gw));
	assert_true(xd_cert_id_matches(gw, "gw.example"));
	assert_true(xd_cert_id_matches(gw, "@gw.example"));
	assert_true(xd_cert_id_matches(gw, "192.0.2.1"));
	assert_true(xd_cert_id_matches(gw, "C=CH, O=xfrmd test, CN=gw.example"));
	assert_false(xd_cert_id_matches(gw, "C=CH, O=other, CN=gw.example"));
	assert_false(xd_cert_id_matches(gw, "198.51.100.7"));
	assert_int_equal(x->s->certs.conns.len, 1);
	fx_free(x);
}

static void test_cert_expired(void **state)
{
	struct fx *x = load("expired");
	const struct xd_finding *f = find(x, "cert.expired", "x509/gw.pem");

	assert_non_null(f);
	assert_int_equal(f->severity, XD_SEV_ERROR);
	assert_string_equal(ev(f, "not_after"), "2021-01-01T00:00:00Z");
	assert_string_equal(ev(f, "subject"), "CN=gw.example,O=xfrmd test,C=CH");
	assert_non_null(ev(f, "issuer"));
	assert_non_null(ev(f, "serial"));
	assert_null(find(x, "cert.expired", "ca.pem"));
	fx_free(x);
}

static void test_cert_not_yet_valid(void **state)
{
	struct fx *x = load("future");
	const struct xd_finding *f = find(x, "cert.not_yet_valid", "x509/gw.pem");

	assert_non_null(f);
	assert_int_equal(f->severity, XD_SEV_ERROR);
	assert_string_equal(ev(f, "not_before"), "2099-01-01T00:00:00Z");
	fx_free(x);
}

static void test_cert_expiring_uses_capture_time(void **state)
{
	struct fx *x = load("healthy");
	struct xd_diag_ctx ctx = { .now = x->s };

	/* 360 days later the one-year certificate is inside the 30-day window */
	x->s->meta.captured_at += 360 * 86400;
	xd_diag_opts_default(&ctx.opts);
	xd_findings_done(&x->f);
	xd_findings_init(&x->f);
	assert_int_equal(xd_diag_run(&ctx, &x->f), 0);
	assert_non_null(find(x, "cert.expiring", "x509/gw.pem"));
	assert_null(find(x, "cert.expired", "x509/gw.pem"));
	fx_free(x);
}

static void test_cert_wrong_key(void **state)
{
	struct fx *x = load("wrongkey");
	const struct xd_finding *f = find(x, "cert.key_mismatch", "x509/gw.pem");

	assert_non_null(f);
	assert_int_equal(f->severity, XD_SEV_ERROR);
	assert_true(ends_with(ev(f, "key_file"), "private/gw.key"));
	assert_null(find(x, "cert.key_missing", NULL));
	fx_free(x);
}

static void test_cert_key_missing(void **state)
{
	struct fx *x = load("nokey");
	const struct xd_finding *f = find(x, "cert.key_missing", "x509/gw.pem");

	assert_non_null(f);
	assert_int_equal(f->severity, XD_SEV_ERROR); /* the connection names it */
	fx_free(x);
}

static void test_cert_missing_ca(void **state)
{
	struct fx *x = load("noca");
	const struct xd_finding *f = find(x, "cert.untrusted", "x509/gw.pem");

	assert_non_null(f);
	assert_int_equal(f->severity, XD_SEV_ERROR);
	fx_free(x);
}

static void test_cert_san_mismatch(void **state)
{
	struct fx *x = load("sanmismatch");
	const struct xd_finding *f = find(x, "cert.id_mismatch", "x509/gw.pem");

	assert_non_null(f);
	assert_string_equal(ev(f, "configured_id"), "other.example");
	assert_string_equal(ev(f, "connection"), "gw");
	fx_free(x);
}

static void test_cert_weak(void **state)
{
	struct fx *x = load("weak");
	const struct xd_finding *f = find(x, "cert.weak", "x509/gw.pem");

	assert_non_null(f);
	assert_int_equal(f->severity, XD_SEV_WARNING);
	assert_string_equal(ev(f, "weakness"), "RSA key of 1024 bits");
	fx_free(x);
}

static void test_cert_corrupt(void **state)
{
	struct fx *x = load("corrupt");
	const struct xd_finding *f = find(x, "cert.unreadable", "x509/broken.pem");

	assert_non_null(f);
	assert_int_equal(f->severity, XD_SEV_WARNING); /* nothing names it */
	assert_null(find(x, "cert.expired", NULL));
	fx_free(x);
}

static void test_cert_pkcs12(void **state)
{
	struct fx *x = load("p12");
	size_t certs = 0;

	assert_clean(x);
	for (size_t i = 0; i < x->s->certs.certs.len; i++) {
		const struct xd_cert *c = xd_vec_at(&x->s->certs.certs, i);
		if (!ends_with(c->path, "pkcs12/gw.p12"))
			continue;
		certs++;
		if (c->role == XD_CERT_ROLE_CERT)
			assert_non_null(xd_cert_find_key(x->s, c));
	}
	assert_int_equal(certs, 2); /* the gateway certificate and the CA */
	fx_free(x);
}

/* Every record, searched for a byte string. */
struct scan {
	const void *needle;
	size_t len;
	bool found;
};

static int scan_record(void *userdata, const struct xd_record *rec)
{
	struct scan *sc = userdata;

	if (rec->len >= sc->len && memmem(rec->data, rec->len, sc->needle, sc->len))
		sc->found = true;
	return 0;
}

static bool records_contain(const struct xd_recbuf *rb, const void *needle, size_t len)
{
	struct scan sc = { .needle = needle, .len = len };

	xd_recbuf_replay(rb, &(struct xd_record_sink){ .record = scan_record, .userdata = &sc });
	return sc.found;
}

/* The private exponent of the RSA key, in 8-byte windows, must appear in no record. */
static void assert_no_private_key(const struct fx *x, const char *keyfile)
{
	FILE *fp = fopen(keyfile, "r");
	EVP_PKEY *k;
	BIGNUM *d = NULL;
	unsigned char bin[512];
	int n;

	assert_non_null(fp);
	k = PEM_read_PrivateKey(fp, NULL, NULL, NULL);
	fclose(fp);
	assert_non_null(k);
	assert_int_equal(EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_D, &d), 1);
	n = BN_bn2bin(d, bin);
	assert_true(n > 64);
	for (int i = 0; i + 8 <= n; i += 4)
		assert_false(records_contain(x->rb, bin + i, 8));
	BN_clear_free(d);
	EVP_PKEY_free(k);
	assert_false(records_contain(x->rb, "PRIVATE KEY", 11));
	assert_false(records_contain(x->rb, "never-recorded-canary", 21));
}

static void test_cert_no_key_material_in_records(void **state)
{
	char key[128];
	struct fx *x = load("rsa");

	assert_clean(x);
	snprintf(key, sizeof(key), "%s/swanctl/private/gw.key", x->dir);
	assert_no_private_key(x, key);
	fx_free(x);

	x = load("p12");
	snprintf(key, sizeof(key), "%s/work/gw.key", x->dir);
	assert_no_private_key(x, key);
	fx_free(x);
}

/* A private key misplaced among certificates (combined PEM, stray key) is never recorded. */
static void test_cert_key_in_cert_dir(void **state)
{
	struct fx *x = fx_new();
	char sw[128], key[160];

	assert_int_equal(sh("'%s' '%s' rsa", make_pki(), x->dir), 0);
	snprintf(sw, sizeof(sw), "%s/swanctl", x->dir);
	snprintf(key, sizeof(key), "%s/private/gw.key", sw);
	assert_int_equal(sh("cat '%s' >>'%s/x509/gw.pem' && cp '%s' '%s/x509/stray.key' && "
			    "openssl pkey -in '%s' -outform DER -out '%s/x509ca/stray.der'",
			    key, sw, key, sw, key, sw),
			 0);
	fx_run(x, &(struct xd_cert_paths){ .swanctl_dir = sw });
	assert_no_private_key(x, key);
	assert_non_null(find(x, "cert.unreadable", "x509/stray.key"));
	assert_non_null(find(x, "cert.unreadable", "x509ca/stray.der"));
	assert_null(find(x, "cert.unreadable", "x509/gw.pem"));
	assert_clean_except(x, "cert.unreadable");
	fx_free(x);
}

static void test_cert_record_garbage(void **state)
{
	static const char *const bad[] = {
		"",
		"path=x\n",
		"path=x\nrole=cert\n\n-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
		"path=x\nrole=nope\n\n",
		"path=x\nrole=key\nformat=spki\n\n\x30\x82\xff\xff",
		"path=x\nrole=crl\n\n\x30\x03\x02\x01\x00",
		"name=\n\n",
	};
	struct xd_snapshot *s = NULL;

	assert_int_equal(xd_snapshot_new(&s), 0);
	for (size_t i = 0; i < XD_ARRAY_SIZE(bad); i++) {
		(void)xd_decode_cert_cred(s, bad[i], strlen(bad[i]));
		(void)xd_decode_cert_conn(s, bad[i], strlen(bad[i]));
	}
	/* the PEM with a broken body is an unreadable certificate, not a crash */
	bool unreadable = false;
	for (size_t i = 0; i < s->certs.certs.len; i++) {
		const struct xd_cert *c = xd_vec_at(&s->certs.certs, i);
		unreadable = unreadable || (!c->readable && c->role == XD_CERT_ROLE_CERT);
	}
	assert_true(unreadable);
	assert_true(s->issues.len > 0);
	xd_snapshot_free(s);
}

/* An NSS database like `ipsec import gw.p12` makes; the CA gets "CT,," trust when asked. */
static struct fx *nss_fixture(bool ca_trust, char *nss, size_t nss_len, char *conf,
			      size_t conf_len)
{
	struct fx *x = fx_new();
	char p12[128];
	FILE *f;

	assert_int_equal(sh("'%s' '%s' p12", make_pki(), x->dir), 0);
	snprintf(nss, nss_len, "%s/nss", x->dir);
	snprintf(p12, sizeof(p12), "%s/swanctl/pkcs12/gw.p12", x->dir);
	assert_int_equal(sh("mkdir -p '%s' && certutil -N -d 'sql:%s' --empty-password && "
			    "pk12util -i '%s' -d 'sql:%s' -W '' >/dev/null",
			    nss, nss, p12, nss),
			 0);
	if (ca_trust)
		assert_int_equal(sh("certutil -A -d 'sql:%s' -n ca -t CT,, -i '%s/work/ca.pem'", nss,
				    x->dir),
				 0);
	snprintf(conf, conf_len, "%s/ipsec.conf", x->dir);
	f = fopen(conf, "w");
	assert_non_null(f);
	/* libreswan's stock ipsec.conf includes ipsec.d/\*.conf: put one conn there */
	fputs("config setup\n\nconn gw\n\tleftcert=gw\n\tleftid=@gw.example\n\trightid=@peer\n"
	      "\tauto=start\n\ninclude ipsec.d/*.conf\n",
	      f);
	fclose(f);
	assert_int_equal(sh("mkdir -p '%s/ipsec.d' && printf 'conn bad\\n\\tleftcert=gw\\n"
			    "\\tleftid=\\\"@other.example\\\"\\n' >'%s/ipsec.d/bad.conf'",
			    x->dir, x->dir),
			 0);
	return x;
}

static bool have_nss_tools(void)
{
	return sh("command -v certutil >/dev/null && command -v pk12util >/dev/null") == 0;
}

static void test_cert_libreswan_nss(void **state)
{
	char nss[128], conf[128];
	struct fx *x;

	if (!have_nss_tools())
		skip();
	x = nss_fixture(true, nss, sizeof(nss), conf, sizeof(conf));
	fx_run(x, &(struct xd_cert_paths){ .nss_dirs = nss, .ipsec_conf = conf });

	const struct xd_cert *gw = NULL;
	for (size_t i = 0; i < x->s->certs.certs.len; i++) {
		const struct xd_cert *c = xd_vec_at(&x->s->certs.certs, i);
		if (c->role == XD_CERT_ROLE_CERT && ends_with(c->path, "#gw"))
			gw = c;
	}
	assert_non_null(gw);
	assert_string_equal(gw->stack, "libreswan");
	assert_non_null(xd_cert_find_key(x->s, gw)); /* by CKA_ID in key4.db */
	assert_null(find(x, "cert.key_missing", NULL));
	assert_null(find(x, "cert.untrusted", NULL));
	const struct xd_finding *m = find(x, "cert.id_mismatch", "#gw");
	assert_non_null(m);
	assert_string_equal(ev(m, "connection"), "bad");
	assert_false(records_contain(x->rb, "PRIVATE KEY", 11));
	fx_free(x);
}

/* pk12util imports the CA without trust flags: libreswan cannot verify with it (F21). */
static void test_cert_libreswan_ca_without_trust(void **state)
{
	char nss[128], conf[128];
	struct fx *x;
	const struct xd_finding *f;

	if (!have_nss_tools())
		skip();
	x = nss_fixture(false, nss, sizeof(nss), conf, sizeof(conf));
	fx_run(x, &(struct xd_cert_paths){ .nss_dirs = nss, .ipsec_conf = conf });
	f = find(x, "cert.untrusted", "#gw");
	assert_non_null(f);
	assert_int_equal(f->severity, XD_SEV_ERROR);
	fx_free(x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cert_healthy),
		cmocka_unit_test(test_cert_expired),
		cmocka_unit_test(test_cert_not_yet_valid),
		cmocka_unit_test(test_cert_expiring_uses_capture_time),
		cmocka_unit_test(test_cert_wrong_key),
		cmocka_unit_test(test_cert_key_missing),
		cmocka_unit_test(test_cert_missing_ca),
		cmocka_unit_test(test_cert_san_mismatch),
		cmocka_unit_test(test_cert_weak),
		cmocka_unit_test(test_cert_corrupt),
		cmocka_unit_test(test_cert_pkcs12),
		cmocka_unit_test(test_cert_no_key_material_in_records),
		cmocka_unit_test(test_cert_key_in_cert_dir),
		cmocka_unit_test(test_cert_record_garbage),
		cmocka_unit_test(test_cert_libreswan_nss),
		cmocka_unit_test(test_cert_libreswan_ca_without_trust),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
