/* SPDX-License-Identifier: GPL-2.0-or-later */
/* certs-internal.h: what the credential collector's files share (collect-certs.c, ikeconf.c,
 * nssdb.c). Nothing here leaves nl/: the rest of the project sees only records. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "xfrmd/cert.h"
#include "xfrmd/ikeconf.h"
#include "xfrmd/recbuf.h"

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
