/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * collect-certs.c: finds the IKE daemons' credentials (strongSwan's swanctl and ipsec.d trees,
 * libreswan's NSS database, extra paths) and turns them into file.cred / file.conn records
 * (format: docs/certificates.md). Invariant: no private key byte and no passphrase ever enters
 * a record. A private key file is parsed here, only its public half is recorded, and the
 * buffer that held it is wiped; a PKCS#12 file is recorded as its certificates plus the public
 * half of its key, never as its bytes. Every count and size is bounded.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "certs-internal.h"
#include "xfrmd/file.h"
#include "xfrmd/model.h"
#include "xfrmd/collect.h"
#include "xfrmd/nl.h"

#define MAX_FILES_PER_DIR 256
#define MAX_HEADER 4096

struct ctx {
	struct xd_recbuf *out;
	unsigned records;
	unsigned errors;    /* files that could not be read for a reason other than absence */
	bool found;         /* any credential location existed */
	char (*seen)[1024]; /* paths already recorded, so config references are not doubled */
	size_t n_seen;
};

void xd_cert_paths_default(struct xd_cert_paths *p)
{
	const char *e;

	*p = (struct xd_cert_paths){
		.swanctl_dir = "/etc/swanctl",
		.ipsecd_dir = "/etc/ipsec.d",
		.ipsec_conf = "/etc/ipsec.conf",
		.nss_dirs = "/var/lib/ipsec/nss:/etc/ipsec.d",
	};
	/* strongSwan's own override first, so a test's private charon and xfrmd agree */
	if ((e = secure_getenv("SWANCTL_DIR")))
		p->swanctl_dir = e;
	if ((e = secure_getenv("XFRMD_SWANCTL_DIR")))
		p->swanctl_dir = e;
	if ((e = secure_getenv("XFRMD_SWANCTL_CONF")))
		p->swanctl_conf = e;
	if ((e = secure_getenv("XFRMD_IPSEC_D")))
		p->ipsecd_dir = e;
	if ((e = secure_getenv("XFRMD_IPSEC_CONF")))
		p->ipsec_conf = e;
	if ((e = secure_getenv("XFRMD_NSS_DIRS")))
		p->nss_dirs = e;
	if ((e = secure_getenv("XFRMD_CERT_EXTRA")))
		p->extra = e;
	if ((e = secure_getenv("XFRMD_NO_CERTS")) && xd_streq(e, "1"))
		p->disabled = true;
}

static bool has_newline(const char *s)
{
	return s && strpbrk(s, "\r\n");
}

int xd_cred_emit(struct xd_recbuf *out, const struct xd_cred_rec *c)
{
	char hdr[MAX_HEADER];
	char *buf;
	int n;
	int r;

	/* a newline in a value would forge header lines (file names may hold one) */
	if (has_newline(c->path) || has_newline(c->error) || has_newline(c->nss_id))
		return -EINVAL;
	n = snprintf(hdr, sizeof(hdr), "path=%s\nstack=%s\nrole=%s\nsource=%s\nformat=%s\n",
		     c->path, c->stack, c->role, c->source, c->format ? c->format : "auto");
	if (c->index && n > 0 && (size_t)n < sizeof(hdr))
		n += snprintf(hdr + n, sizeof(hdr) - (size_t)n, "index=%u\n", c->index);
	if (c->error && n > 0 && (size_t)n < sizeof(hdr))
		n += snprintf(hdr + n, sizeof(hdr) - (size_t)n, "error=%s\n", c->error);
	if (c->nss_id && n > 0 && (size_t)n < sizeof(hdr))
		n += snprintf(hdr + n, sizeof(hdr) - (size_t)n, "nss_id=%s\n", c->nss_id);
	if (c->trust_anchor && n > 0 && (size_t)n < sizeof(hdr))
		n += snprintf(hdr + n, sizeof(hdr) - (size_t)n, "trust_anchor=%s\n", c->trust_anchor);
	if (n < 0 || (size_t)n + 1 >= sizeof(hdr))
		return -ENAMETOOLONG;
	hdr[n++] = '\n';
	buf = malloc((size_t)n + c->body_len);
	if (!buf)
		return -ENOMEM;
	memcpy(buf, hdr, (size_t)n);
	if (c->body_len)
		memcpy(buf + n, c->body, c->body_len);
	r = xd_recbuf_add(out, &(struct xd_record){ .kind = XD_RECORD_FILE,
						    .dump = XD_DUMP_CERT_CRED, .data = buf,
						    .len = (size_t)n + c->body_len });
	free(buf);
	return r;
}

static bool seen(struct ctx *c, const char *path)
{
	for (size_t i = 0; i < c->n_seen; i++)
		if (xd_streq(c->seen[i], path))
			return true;
	return false;
}

static void mark_seen(struct ctx *c, const char *path)
{
	if (c->n_seen >= XD_CERT_MAX_RECORDS)
		return;
	if (!c->seen) {
		c->seen = calloc(XD_CERT_MAX_RECORDS, sizeof(*c->seen));
		if (!c->seen)
			return;
	}
	xd_strlcpy(c->seen[c->n_seen++], path, sizeof(c->seen[0]));
}

static void emit(struct ctx *c, const struct xd_cred_rec *rec)
{
	if (c->records >= XD_CERT_MAX_RECORDS)
		return;
	if (xd_cred_emit(c->out, rec) == 0)
		c->records++;
}

/*
 * Read a file of at most XD_CERT_MAX_FILE_BYTES; the caller frees (and wipes, for keys).
 * Symlinks are followed (x509/gw.pem -> ../shared/gw.pem is common); a FIFO, device or
 * directory is refused without blocking (file.h).
 */
static int slurp(const char *path, unsigned char **ret, size_t *ret_len)
{
	char *buf = NULL;
	int r = xd_file_read(path, 0, XD_CERT_MAX_FILE_BYTES, &buf, ret_len, NULL);

	if (r < 0)
		return r;
	*ret = (unsigned char *)buf;
	return 0;
}

static void free_secret(unsigned char *buf, size_t len)
{
	if (buf)
		OPENSSL_cleanse(buf, len);
	free(buf);
}

/* Never prompt, never use a passphrase: an encrypted key is reported as such. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
	return -1;
}

static const char *errno_text(int r)
{
	switch (r) {
	case -EACCES:
	case -EPERM:
		return "permission denied";
	case -EFBIG:
		return "file too large";
	case -EINVAL:
	case -EISDIR:
		return xd_file_strerror(r);
	default:
		return "cannot be read";
	}
}

static void emit_pubkey(struct ctx *c, const char *path, const char *stack, const char *source,
			EVP_PKEY *k, unsigned index)
{
	unsigned char *der = NULL;
	int n = i2d_PUBKEY(k, &der); /* the public half only */

	if (n > 0)
		emit(c, &(struct xd_cred_rec){ .path = path, .stack = stack, .role = "key",
					       .source = source, .format = "spki", .index = index,
					       .body = der, .body_len = (size_t)n });
	OPENSSL_free(der);
}

static void collect_key(struct ctx *c, const char *path, const char *stack, const char *source)
{
	unsigned char *buf = NULL;
	size_t len = 0;
	EVP_PKEY *k = NULL;
	const char *err = NULL;
	int r = slurp(path, &buf, &len);

	if (r < 0) {
		emit(c, &(struct xd_cred_rec){ .path = path, .stack = stack, .role = "key",
					       .source = source, .error = errno_text(r) });
		c->errors += r != -ENOENT;
		return;
	}
	BIO *b = len <= INT32_MAX ? BIO_new_mem_buf(buf, (int)len) : NULL;
	if (b) {
		k = PEM_read_bio_PrivateKey(b, NULL, no_passphrase, NULL);
		if (!k) {
			const unsigned char *p = buf;
			k = d2i_AutoPrivateKey(NULL, &p, (long)len);
		}
		BIO_free(b);
	}
	if (!k)
		err = memmem(buf, len, "ENCRYPTED", 9) ? "encrypted (passphrase not read)"
						      : "not a private key (PEM or DER)";
	free_secret(buf, len);
	ERR_clear_error();
	if (k) {
		emit_pubkey(c, path, stack, source, k, 0);
		EVP_PKEY_free(k);
	} else {
		emit(c, &(struct xd_cred_rec){ .path = path, .stack = stack, .role = "key",
					       .source = source, .error = err });
	}
}

static void emit_x509(struct ctx *c, const char *path, const char *stack, const char *role,
		      const char *source, X509 *x, unsigned index)
{
	unsigned char *der = NULL;
	int n = i2d_X509(x, &der);

	if (n > 0)
		emit(c, &(struct xd_cred_rec){ .path = path, .stack = stack, .role = role,
					       .source = source, .format = "der", .index = index,
					       .body = der, .body_len = (size_t)n });
	OPENSSL_free(der);
}

/* PKCS#12 without a password: its certificates and the public half of its key. */
static void collect_p12(struct ctx *c, const char *path, const char *stack)
{
	unsigned char *buf = NULL;
	size_t len = 0;
	const unsigned char *p;
	PKCS12 *p12 = NULL;
	EVP_PKEY *k = NULL;
	X509 *cert = NULL;
	STACK_OF(X509) *ca = NULL;
	int r = slurp(path, &buf, &len);

	if (r < 0) {
		emit(c, &(struct xd_cred_rec){ .path = path, .stack = stack, .role = "cert",
					       .source = "pkcs12", .error = errno_text(r) });
		c->errors++;
		return;
	}
	p = buf;
	p12 = d2i_PKCS12(NULL, &p, (long)len);
	/* "no password" is either the empty string or an absent one, depending on the tool */
	if (p12 && !PKCS12_parse(p12, "", &k, &cert, &ca) && !PKCS12_parse(p12, NULL, &k, &cert, &ca)) {
		emit(c, &(struct xd_cred_rec){ .path = path, .stack = stack, .role = "cert",
					       .source = "pkcs12",
					       .error = "PKCS#12 protected by a password (not read)" });
	} else if (!p12) {
		emit(c, &(struct xd_cred_rec){ .path = path, .stack = stack, .role = "cert",
					       .source = "pkcs12", .error = "not a PKCS#12 file" });
	} else {
		if (cert)
			emit_x509(c, path, stack, "cert", "pkcs12", cert, 0);
		for (int i = 0; ca && i < sk_X509_num(ca) && i < (int)XD_CERT_MAX_PER_FILE; i++)
			emit_x509(c, path, stack, "ca", "pkcs12", sk_X509_value(ca, i),
				  (unsigned)i + 1);
		if (k)
			emit_pubkey(c, path, stack, "pkcs12", k, 0);
	}
	EVP_PKEY_free(k);
	X509_free(cert);
	sk_X509_pop_free(ca, X509_free);
	PKCS12_free(p12);
	free_secret(buf, len);
	ERR_clear_error();
}

static bool public_pem_name(const char *name)
{
	return xd_streq(name, "CERTIFICATE") || xd_streq(name, "X509 CERTIFICATE") ||
	       xd_streq(name, "TRUSTED CERTIFICATE") || xd_streq(name, "X509 CRL");
}

/*
 * Keep only the public parts of a certificate/CA/CRL file: its CERTIFICATE and X509 CRL PEM
 * blocks, or the DER structure when the whole file parses as one. A private key that was put
 * into x509/ (a combined cert+key PEM, or a key file misplaced there) must not reach a record:
 * every other block is dropped and its decoded bytes wiped. Returns the bytes to record
 * (caller frees) or NULL with *why set.
 */
static unsigned char *public_part(const unsigned char *buf, size_t len, bool crl, size_t *out_len,
				  const char **why)
{
	unsigned char *res = NULL;

	*why = NULL;
	if (len > INT32_MAX) {
		*why = "file too large";
		return NULL;
	}
	if (memmem(buf, len, "-----BEGIN ", 11)) {
		BIO *in = BIO_new_mem_buf(buf, (int)len);
		BIO *out = BIO_new(BIO_s_mem());
		unsigned kept = 0, dropped = 0;

		while (in && out && kept + dropped < XD_CERT_MAX_PER_FILE) {
			char *name = NULL, *header = NULL;
			unsigned char *data = NULL;
			long n = 0;

			if (!PEM_read_bio(in, &name, &header, &data, &n))
				break;
			if (public_pem_name(name) && PEM_write_bio(out, name, header, data, n) > 0)
				kept++;
			else
				dropped++;
			OPENSSL_free(name);
			OPENSSL_free(header);
			OPENSSL_clear_free(data, (size_t)n);
		}
		if (kept) {
			char *p = NULL;
			long n = BIO_get_mem_data(out, &p);
			res = n > 0 ? malloc((size_t)n) : NULL;
			if (res) {
				memcpy(res, p, (size_t)n);
				*out_len = (size_t)n;
			}
		} else {
			*why = dropped ? "no certificate or CRL in the PEM file (other PEM blocks not read)"
				       : "PEM file without a complete certificate or CRL";
		}
		BIO_free(in);
		BIO_free(out);
	} else {
		const unsigned char *p = buf;
		unsigned char *der = NULL;
		int n = -1;
		if (crl) {
			X509_CRL *x = d2i_X509_CRL(NULL, &p, (long)len);
			if (x)
				n = i2d_X509_CRL(x, &der);
			X509_CRL_free(x);
		} else {
			X509 *x = d2i_X509(NULL, &p, (long)len);
			if (x)
				n = i2d_X509(x, &der);
			X509_free(x);
		}
		if (n > 0 && (res = malloc((size_t)n))) {
			memcpy(res, der, (size_t)n);
			*out_len = (size_t)n;
		} else {
			*why = crl ? "not a CRL (PEM or DER)" : "not an X.509 certificate (PEM or DER)";
		}
		OPENSSL_free(der);
	}
	ERR_clear_error();
	if (!res && !*why)
		*why = "out of memory";
	return res;
}

/* A certificate, CA or CRL file: only its public parts are recorded. */
static void collect_public(struct ctx *c, const char *path, const char *stack, const char *role,
			   const char *source)
{
	unsigned char *buf = NULL, *pub;
	size_t len = 0, pub_len = 0;
	const char *why;
	int r;

	if (seen(c, path))
		return;
	mark_seen(c, path);
	r = slurp(path, &buf, &len);
	if (r < 0) {
		emit(c, &(struct xd_cred_rec){ .path = path, .stack = stack, .role = role,
					       .source = source,
					       .error = r == -ENOENT ? "file not found" : errno_text(r) });
		c->errors += r != -ENOENT;
		return;
	}
	pub = public_part(buf, len, xd_streq(role, "crl"), &pub_len, &why);
	free_secret(buf, len); /* it may have held a misplaced private key */
	emit(c, &(struct xd_cred_rec){ .path = path, .stack = stack, .role = role, .source = source,
				       .format = pub && pub[0] == '-' ? "pem" : pub ? "der" : NULL,
				       .error = why, .body = pub, .body_len = pub ? pub_len : 0 });
	free(pub);
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

enum kind { K_PUBLIC, K_KEY, K_P12 };

/* Every regular file of a directory, in name order (deterministic records). */
static void collect_dir(struct ctx *c, const char *base, const char *sub, const char *stack,
			const char *role, enum kind kind)
{
	char dir[1024];
	char *names[MAX_FILES_PER_DIR];
	size_t n = 0;
	struct dirent *de;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/%s", base, sub);
	d = opendir(dir);
	if (!d) {
		if (errno != ENOENT) {
			c->found = true;
			c->errors++;
			emit(c, &(struct xd_cred_rec){ .path = dir, .stack = stack, .role = role,
						       .source = "dir", .error = errno_text(-errno) });
		}
		return;
	}
	c->found = true;
	while ((de = readdir(d)) && n < MAX_FILES_PER_DIR) {
		if (de->d_name[0] == '.')
			continue;
		names[n] = strdup(de->d_name);
		if (names[n])
			n++;
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), name_cmp);
	for (size_t i = 0; i < n; i++) {
		char path[1024];
		struct stat st;
		int len = snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		free(names[i]);
		if (len < 0 || (size_t)len >= sizeof(path) || stat(path, &st) < 0 ||
		    !S_ISREG(st.st_mode))
			continue;
		/* NSS database files live in /etc/ipsec.d too: they are read as NSS, not as files */
		if (strstr(path, ".db") && strlen(path) > 3 && xd_streq(path + strlen(path) - 3, ".db"))
			continue;
		if (kind == K_KEY)
			collect_key(c, path, stack, "dir");
		else if (kind == K_P12)
			collect_p12(c, path, stack);
		else
			collect_public(c, path, stack, role, "dir");
	}
}

static void emit_conn(struct ctx *c, const char *stack, const struct xd_ikeconf_conn *k,
		      const char *local_cert, const char *remote_cert)
{
	char buf[4096];
	int n;

	if (has_newline(k->name) || has_newline(k->local_id) || has_newline(k->remote_id) ||
	    has_newline(k->file) || has_newline(local_cert) || has_newline(remote_cert) ||
	    has_newline(k->start_action))
		return;
	n = snprintf(buf, sizeof(buf),
		     "stack=%s\nname=%s\nfile=%s\nlocal_id=%s\nremote_id=%s\nlocal_cert=%s\n"
		     "remote_cert=%s\nstart=%s\n\n",
		     stack, k->name, k->file, k->local_id, k->remote_id, local_cert ? local_cert : "",
		     remote_cert ? remote_cert : "", k->start_action);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return;
	(void)xd_recbuf_add(c->out, &(struct xd_record){ .kind = XD_RECORD_FILE,
							 .dump = XD_DUMP_CERT_CONN, .data = buf,
							 .len = (size_t)n });
}

/*
 * What kept (part of) a configuration tree from being read (ikeconf.h): a file.conn record
 * with error= instead of a name, which the decoder turns into a decode issue. Never silent.
 */
static void emit_notes(struct ctx *c, const char *stack, const struct xd_ikeconf *conf)
{
	for (unsigned i = 0; i < conf->n_notes; i++) {
		const struct xd_ikeconf_note *n = &conf->notes[i];
		char buf[1024];
		int len;

		if (has_newline(n->file) || has_newline(n->what))
			continue;
		len = snprintf(buf, sizeof(buf), "stack=%s\nfile=%s\nerror=%s\n\n", stack, n->file,
			       n->what);
		if (len < 0 || (size_t)len >= sizeof(buf))
			continue;
		(void)xd_recbuf_add(c->out, &(struct xd_record){ .kind = XD_RECORD_FILE,
								 .dump = XD_DUMP_CERT_CONN, .data = buf,
								 .len = (size_t)len });
	}
}

/* A certificate a connection names: relative to the stack's certificate directory. */
static void resolve(char *dst, size_t len, const char *dir, const char *ref)
{
	if (!ref[0])
		dst[0] = '\0';
	else if (ref[0] == '/')
		xd_strlcpy(dst, ref, len);
	else
		snprintf(dst, len, "%s/%s", dir, ref);
}

static void strongswan(struct ctx *c, const struct xd_cert_paths *p)
{
	static const struct {
		const char *sub, *role;
		enum kind kind;
	} dirs[] = {
		{ "x509", "cert", K_PUBLIC },	 { "x509ca", "ca", K_PUBLIC },
		{ "x509crl", "crl", K_PUBLIC },	 { "private", "key", K_KEY },
		{ "rsa", "key", K_KEY },	 { "ecdsa", "key", K_KEY },
		{ "pkcs8", "key", K_KEY },	 { "pkcs12", "cert", K_P12 },
	};
	static const struct {
		const char *sub, *role;
		enum kind kind;
	} ipsecd[] = {
		{ "certs", "cert", K_PUBLIC },
		{ "cacerts", "ca", K_PUBLIC },
		{ "crls", "crl", K_PUBLIC },
		{ "private", "key", K_KEY },
	};
	struct xd_ikeconf conf = { 0 };
	char conf_path[1024], x509[1024], a[1024], b[1024];
	int r;

	if (p->swanctl_dir) {
		for (size_t i = 0; i < XD_ARRAY_SIZE(dirs); i++)
			collect_dir(c, p->swanctl_dir, dirs[i].sub, "strongswan", dirs[i].role,
				    dirs[i].kind);
		if (p->swanctl_conf)
			xd_strlcpy(conf_path, p->swanctl_conf, sizeof(conf_path));
		else
			snprintf(conf_path, sizeof(conf_path), "%s/swanctl.conf", p->swanctl_dir);
		snprintf(x509, sizeof(x509), "%s/x509", p->swanctl_dir);
		r = xd_ikeconf_swanctl(conf_path, NULL, &conf);
		if (r != -ENOENT)
			c->found = true;
		emit_notes(c, "strongswan", &conf);
		for (size_t i = 0; i < conf.n; i++) {
			resolve(a, sizeof(a), x509, conf.conns[i].local_cert);
			resolve(b, sizeof(b), x509, conf.conns[i].remote_cert);
			if (a[0])
				collect_public(c, a, "strongswan", "cert", "config");
			if (b[0])
				collect_public(c, b, "strongswan", "peer", "config");
			emit_conn(c, "strongswan", &conf.conns[i], a, b);
		}
		xd_ikeconf_done(&conf);
	}
	/* /etc/ipsec.d is strongSwan's (starter) tree unless it is libreswan's NSS directory */
	if (p->ipsecd_dir) {
		char nss[1100];
		struct stat st;
		snprintf(nss, sizeof(nss), "%s/cert9.db", p->ipsecd_dir);
		bool is_nss = stat(nss, &st) == 0;
		if (!is_nss)
			for (size_t i = 0; i < XD_ARRAY_SIZE(ipsecd); i++)
				collect_dir(c, p->ipsecd_dir, ipsecd[i].sub, "strongswan",
					    ipsecd[i].role, ipsecd[i].kind);
	}
}

/* Is there a libreswan NSS database, and where? The first of nss_dirs with a cert9.db. */
static bool nss_dir(const struct xd_cert_paths *p, char *out, size_t len)
{
	const char *s = p->nss_dirs;

	while (s && *s) {
		const char *e = strchr(s, ':');
		size_t n = e ? (size_t)(e - s) : strlen(s);
		char file[1100];
		struct stat st;
		if (n && n < len) {
			memcpy(out, s, n);
			out[n] = '\0';
			snprintf(file, sizeof(file), "%s/cert9.db", out);
			if (stat(file, &st) == 0)
				return true;
		}
		s = e ? e + 1 : NULL;
	}
	return false;
}

static void libreswan(struct ctx *c, const struct xd_cert_paths *p, struct xd_meta *m)
{
	struct xd_ikeconf conf = { 0 };
	char dir[1024];
	bool have_nss = nss_dir(p, dir, sizeof(dir));
	unsigned n = 0;
	int r;

	if (have_nss) {
		r = xd_nssdb_collect(dir, c->out, &n);
		c->found = true;
		c->records += n;
		if (r < 0) {
			char path[1100];
			snprintf(path, sizeof(path), "nss:%s", dir);
			emit(c, &(struct xd_cred_rec){ .path = path, .stack = "libreswan", .role = "cert",
						       .source = "nss",
						       .error = r == -EOPNOTSUPP ? "NSS database not read: built without SQLite"
						       : r == -EPROTO ? "not an NSS sql: database"
								    : errno_text(r) });
		}
	}
	/* ipsec.conf: libreswan names NSS nicknames, strongSwan's starter names files */
	if (!p->ipsec_conf)
		return;
	r = xd_ikeconf_ipsec(p->ipsec_conf, NULL, &conf);
	if (r != -ENOENT)
		c->found = true;
	emit_notes(c, have_nss ? "libreswan" : "strongswan", &conf);
	for (size_t i = 0; i < conf.n; i++) {
		char a[1200] = "", b[1200] = "";
		const struct xd_ikeconf_conn *k = &conf.conns[i];
		if (have_nss) {
			/* the same path form nssdb.c gives the certificate of that nickname */
			if (k->local_cert[0] &&
			    snprintf(a, sizeof(a), "nss:%s#%s", dir, k->local_cert) >= (int)sizeof(a))
				a[0] = '\0';
			if (k->remote_cert[0] &&
			    snprintf(b, sizeof(b), "nss:%s#%s", dir, k->remote_cert) >= (int)sizeof(b))
				b[0] = '\0';
			emit_conn(c, "libreswan", k, a, b);
		} else if (p->ipsecd_dir) {
			char certs[1100];
			snprintf(certs, sizeof(certs), "%s/certs", p->ipsecd_dir);
			resolve(a, sizeof(a), certs, k->local_cert);
			resolve(b, sizeof(b), certs, k->remote_cert);
			if (a[0])
				collect_public(c, a, "strongswan", "cert", "config");
			if (b[0])
				collect_public(c, b, "strongswan", "peer", "config");
			emit_conn(c, "strongswan", k, a, b);
		}
	}
	(void)m;
	xd_ikeconf_done(&conf);
}

/* Extra paths, ":"-separated files, each "path" or "role=path" (cert, ca, crl, peer, key, p12). */
static void extra(struct ctx *c, const char *list)
{
	char *copy = list ? strdup(list) : NULL;
	char *save = NULL;

	for (char *t = copy ? strtok_r(copy, ":", &save) : NULL; t; t = strtok_r(NULL, ":", &save)) {
		const char *role = "cert";
		char *eq = strchr(t, '=');
		struct stat st;
		if (eq) {
			*eq = '\0';
			role = t;
			t = eq + 1;
		}
		if (stat(t, &st) < 0)
			continue;
		c->found = true;
		if (xd_streq(role, "key"))
			collect_key(c, t, "extra", "config");
		else if (xd_streq(role, "p12"))
			collect_p12(c, t, "extra");
		else if (xd_cert_role_from_name(role) != _XD_CERT_ROLE_MAX)
			collect_public(c, t, "extra", role, "config");
	}
	free(copy);
}

void xd_collect_certs(const struct xd_cert_paths *p, struct xd_recbuf *out)
{
	struct xd_meta *m = xd_recbuf_meta(out);
	struct ctx c = { .out = out };

	if (p->disabled)
		return;
	strongswan(&c, p);
	libreswan(&c, p, m);
	extra(&c, p->extra);
	free(c.seen);
	m->dump_status[XD_DUMP_CERT_CRED] = c.found ? XD_DUMP_COMPLETE : XD_DUMP_ABSENT;
	m->dump_status[XD_DUMP_CERT_CONN] = c.found ? XD_DUMP_COMPLETE : XD_DUMP_ABSENT;
	m->dump_error[XD_DUMP_CERT_CRED] = c.found ? 0 : -ENOENT;
	m->dump_error[XD_DUMP_CERT_CONN] = c.found ? 0 : -ENOENT;
}
