/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nssdb.c: libreswan's credentials from its NSS database, read without NSS
 * (docs/certificates.md explains the choice). An NSS "sql:" database is two SQLite files:
 * cert9.db holds public objects in table nssPublic, key4.db private objects in nssPrivate; a
 * column "a<hex>" holds PKCS#11 attribute <hex> (a0 = CKA_CLASS as a 4-byte big-endian number,
 * a3 = CKA_LABEL, a11 = CKA_VALUE, a102 = CKA_ID). From cert9.db we read certificates
 * (class 1: label, DER, id) and NSS trust objects (class CKO_NSS_TRUST: the SHA-1 of the
 * certificate they belong to and its SSL server/client trust), so a CA without CA trust flags
 * (certutil -t "CT,,") is not taken as a trust anchor. From key4.db we read only CKA_CLASS and CKA_ID of private-key
 * objects (class 3): the identifier NSS pairs a certificate with its key by. No other column
 * of key4.db is ever selected, so no key material (encrypted or not) is read.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "certs-internal.h"

#ifdef XD_HAVE_SQLITE
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sqlite3.h>

#define MAX_NSS_OBJECTS 512
#define CKO_NSS_TRUST 0xce534353u
#define CKT_NSS_TRUSTED_DELEGATOR 0xce534352u /* the "C" of certutil's trust flags */

/* SHA-1 hashes of certificates that NSS trusts as CAs for SSL server or client auth */
struct trust {
	unsigned char (*sha1)[20];
	size_t n;
	bool known; /* the trust columns exist */
};

static void hexid(const unsigned char *d, int n, char *out, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < (size_t)n && 2 * i + 2 < len; i++) {
		out[2 * i] = digits[d[i] >> 4];
		out[2 * i + 1] = digits[d[i] & 15];
	}
	out[2 * i] = '\0';
}

static int open_ro(const char *file, sqlite3 **db)
{
	char uri[1200];

	/* read-only, no journal creation; sqlite never writes the database */
	snprintf(uri, sizeof(uri), "file:%s?mode=ro", file);
	if (sqlite3_open_v2(uri, db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL) != SQLITE_OK) {
		sqlite3_close(*db);
		*db = NULL;
		return -EIO;
	}
	sqlite3_busy_timeout(*db, 2000);
	return 0;
}

static bool is_class(sqlite3_stmt *st, int col, unsigned cls)
{
	const unsigned char *b = sqlite3_column_blob(st, col);
	int n = sqlite3_column_bytes(st, col);

	if (!b)
		return false;
	if (n == 4)
		return ((unsigned)b[0] << 24 | (unsigned)b[1] << 16 | (unsigned)b[2] << 8 | b[3]) == cls;
	if (n == 8) /* not seen in practice; accept a 64-bit big-endian form too */
		return b[0] == 0 && b[1] == 0 && b[2] == 0 && b[3] == 0 && b[7] == cls && !b[4] &&
		       !b[5] && !b[6];
	return false;
}

static void read_trust(sqlite3 *db, struct trust *t)
{
	sqlite3_stmt *st = NULL;

	/* CKA_TRUST_SERVER_AUTH 0xce536358, CKA_TRUST_CLIENT_AUTH 0xce536359,
	 * CKA_CERT_SHA1_HASH 0xce5363b4 */
	if (sqlite3_prepare_v2(db, "SELECT a0, ace536358, ace536359, ace5363b4 FROM nssPublic", -1,
			       &st, NULL) != SQLITE_OK)
		return;
	t->known = true;
	t->sha1 = calloc(MAX_NSS_OBJECTS, sizeof(*t->sha1));
	while (t->sha1 && t->n < MAX_NSS_OBJECTS && sqlite3_step(st) == SQLITE_ROW) {
		const unsigned char *h = sqlite3_column_blob(st, 3);
		if (!is_class(st, 0, CKO_NSS_TRUST) || !h || sqlite3_column_bytes(st, 3) != 20)
			continue;
		if (!is_class(st, 1, CKT_NSS_TRUSTED_DELEGATOR) &&
		    !is_class(st, 2, CKT_NSS_TRUSTED_DELEGATOR))
			continue;
		memcpy(t->sha1[t->n++], h, 20);
	}
	sqlite3_finalize(st);
}

static bool trusted_ca(const struct trust *t, const unsigned char *der, int len)
{
	unsigned char md[20];
	unsigned int mdlen = 0;

	if (EVP_Digest(der, (size_t)len, md, &mdlen, EVP_sha1(), NULL) != 1 || mdlen != 20)
		return false;
	for (size_t i = 0; i < t->n; i++)
		if (!memcmp(t->sha1[i], md, 20))
			return true;
	return false;
}

/* Open dir/name read-only and prepare sql on it; -EPROTO when it is not an NSS database we
 * understand. */
static int open_query(const char *dir, const char *name, const char *sql, sqlite3 **ret_db,
		      sqlite3_stmt **ret_st)
{
	char file[1024];
	int r;

	snprintf(file, sizeof(file), "%s/%s", dir, name);
	r = open_ro(file, ret_db);
	if (r < 0)
		return r;
	if (sqlite3_prepare_v2(*ret_db, sql, -1, ret_st, NULL) != SQLITE_OK) {
		sqlite3_close(*ret_db);
		*ret_db = NULL;
		return -EPROTO;
	}
	return 0;
}

/* Close a query whose last step returned r (or an emit error), counting its n objects. */
static int query_done(sqlite3 *db, sqlite3_stmt *st, int r, unsigned n, unsigned *count)
{
	sqlite3_finalize(st);
	sqlite3_close(db);
	*count += n;
	return r == SQLITE_DONE || r == SQLITE_ROW ? 0 : (r < 0 ? r : -EIO);
}

static int certs(const char *dir, struct xd_recbuf *out, unsigned *count)
{
	struct trust trust = { 0 };
	char path[1200], id[129], label[256];
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	unsigned n = 0;
	int r;

	r = open_query(dir, "cert9.db", "SELECT a0, a3, a11, a102 FROM nssPublic", &db, &st);
	if (r < 0)
		return r;
	read_trust(db, &trust);
	while ((r = sqlite3_step(st)) == SQLITE_ROW && n < MAX_NSS_OBJECTS) {
		const unsigned char *der = sqlite3_column_blob(st, 2);
		int der_len = sqlite3_column_bytes(st, 2);
		const unsigned char *lab = sqlite3_column_blob(st, 1);
		int lab_len = sqlite3_column_bytes(st, 1);
		const unsigned char *cid = sqlite3_column_blob(st, 3);
		int cid_len = sqlite3_column_bytes(st, 3);
		const char *role = "cert";
		const char *anchor = NULL;

		if (!is_class(st, 0, 1 /* CKO_CERTIFICATE */) || !der || der_len <= 0)
			continue;
		/* the nickname, made safe for a one-line header value */
		size_t ln = lab && lab_len > 0 ? (size_t)lab_len : 0;
		if (ln >= sizeof(label))
			ln = sizeof(label) - 1;
		for (size_t i = 0; i < ln; i++)
			label[i] = lab[i] < 0x20 || lab[i] == 0x7f ? '?' : (char)lab[i];
		label[ln] = '\0';
		snprintf(path, sizeof(path), "nss:%s#%s", dir, label);
		hexid(cid ? cid : (const unsigned char *)"", cid ? cid_len : 0, id, sizeof(id));
		/* CA certificates form libreswan's trust store */
		const unsigned char *p = der;
		X509 *x = d2i_X509(NULL, &p, der_len);
		if (x && X509_check_ca(x) > 0) {
			role = "ca";
			if (trust.known)
				anchor = trusted_ca(&trust, der, der_len) ? "yes" : "no";
		}
		X509_free(x);
		r = xd_cred_emit(out, &(struct xd_cred_rec){ .path = path, .stack = "libreswan",
							     .role = role, .source = "nss",
							     .format = "der", .nss_id = id[0] ? id : NULL,
							     .trust_anchor = anchor, .body = der,
							     .body_len = (size_t)der_len });
		if (r < 0 && r != -EINVAL)
			break;
		n++;
	}
	free(trust.sha1);
	return query_done(db, st, r, n, count);
}

static int keys(const char *dir, struct xd_recbuf *out, unsigned *count)
{
	char path[1200], id[129];
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	unsigned n = 0;
	int r;

	/* only the class and the identifier: never a key attribute */
	r = open_query(dir, "key4.db", "SELECT a0, a102 FROM nssPrivate", &db, &st);
	if (r < 0)
		return r;
	snprintf(path, sizeof(path), "nss:%s/key4.db", dir);
	while ((r = sqlite3_step(st)) == SQLITE_ROW && n < MAX_NSS_OBJECTS) {
		const unsigned char *cid = sqlite3_column_blob(st, 1);
		int cid_len = sqlite3_column_bytes(st, 1);

		if (!is_class(st, 0, 3 /* CKO_PRIVATE_KEY */) || !cid || cid_len <= 0)
			continue;
		hexid(cid, cid_len, id, sizeof(id));
		r = xd_cred_emit(out, &(struct xd_cred_rec){ .path = path, .stack = "libreswan",
							     .role = "key", .source = "nss",
							     .format = "nss-id", .nss_id = id,
							     .index = n });
		if (r < 0)
			break;
		n++;
	}
	return query_done(db, st, r, n, count);
}

/*
 * SQLite opens the files itself, with a blocking open(): a FIFO named cert9.db would hang it.
 * Check first that a database file is a regular file (symlinks followed, as SQLite does).
 */
static int regular(const char *file)
{
	struct stat st;

	if (stat(file, &st) < 0)
		return -errno;
	return S_ISREG(st.st_mode) ? 0 : S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
}

int xd_nssdb_collect(const char *dir, struct xd_recbuf *out, unsigned *count)
{
	char file[1024];
	int r;

	snprintf(file, sizeof(file), "%s/cert9.db", dir);
	r = regular(file);
	if (r < 0)
		return r;
	r = certs(dir, out, count);
	if (r < 0)
		return r;
	snprintf(file, sizeof(file), "%s/key4.db", dir);
	r = regular(file);
	if (r == -ENOENT)
		return 0; /* certificates without a key database: every key is missing */
	if (r < 0)
		return r;
	return keys(dir, out, count);
}

#else

int xd_nssdb_collect(const char *dir, struct xd_recbuf *out, unsigned *count)
{
	char file[1024];
	struct stat st;

	snprintf(file, sizeof(file), "%s/cert9.db", dir);
	if (stat(file, &st) < 0)
		return -errno;
	return -EOPNOTSUPP;
}

#endif
