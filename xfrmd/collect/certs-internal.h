/* SPDX-License-Identifier: GPL-2.0-or-later */
/* certs-internal.h: what the credential collector's files share (collect-certs.c, ikeconf.c,
 * nssdb.c). Nothing here leaves nl/: the rest of the project sees only records. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "xfrmd/cert.h"
#include "xfrmd/recbuf.h"

#define XD_IKECONF_MAX_CONNS 256

/* One connection's credential facts as a configuration file states them. */
struct xd_ikeconf_conn {
	char name[128];
	char file[512];
	char local_id[256];
	char remote_id[256];
	char local_cert[512];  /* as written: relative to the cert dir, absolute, or an NSS nickname */
	char remote_cert[512];
};

struct xd_ikeconf {
	struct xd_ikeconf_conn *conns;
	size_t n;
	size_t cap;
};

/*
 * Parse swanctl.conf (with its include files, bounded) for connections.<name>.local*.{id,certs}
 * and remote*.{id,certs}. The secrets section is skipped without being stored. Returns 0, or
 * -errno when the top file cannot be read.
 */
int xd_ikeconf_swanctl(const char *path, struct xd_ikeconf *out);
/* Parse ipsec.conf conn sections for left/right id and cert (left taken as the local side). */
int xd_ikeconf_ipsec(const char *path, struct xd_ikeconf *out);
void xd_ikeconf_done(struct xd_ikeconf *c);

/* A credential record being built: header lines, then a body. */
struct xd_cred_rec {
	const char *path;
	const char *stack;
	const char *role;
	const char *source;
	const char *format;
	const char *error;
	const char *nss_id;
	const char *trust_anchor; /* NSS CA: "yes"/"no" by its trust flags; NULL elsewhere */
	unsigned index;
	const void *body;
	size_t body_len;
};

/* Append one file.cred record. 0 or -errno (-EINVAL for a value with a newline). */
int xd_cred_emit(struct xd_recbuf *out, const struct xd_cred_rec *c);

/*
 * Read the certificates (public table) and the CKA_IDs of the private keys of an NSS database
 * directory (cert9.db/key4.db) into records. Returns 0, -ENOENT when there is no cert9.db,
 * -EOPNOTSUPP when built without SQLite, other -errno on failure.
 */
int xd_nssdb_collect(const char *dir, struct xd_recbuf *out, unsigned *count);
