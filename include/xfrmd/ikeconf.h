/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ikeconf.h: the credential facts an IKE daemon's configuration states (which certificate a
 * connection uses, which identities it expects), from swanctl.conf (strongSwan's settings
 * syntax, also strongswan.conf's) and ipsec.conf (libreswan, Openswan, strongSwan's starter).
 * Reading and parsing are apart: the parsers take bytes, and the files an "include" names come
 * through a small I/O table (the file system for the collector, memory for the fuzzer). One
 * configuration tree is bounded in files, bytes, include statements and nesting, reads every
 * file at most once (by device and inode), and says in its notes when a bound cut it short.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "xfrmd/file.h"

#define XD_IKECONF_MAX_CONNS 256
#define XD_IKECONF_MAX_FILE_BYTES (1u << 20)   /* one file */
#define XD_IKECONF_MAX_TREE_BYTES (8u << 20)   /* every file of one tree */
#define XD_IKECONF_MAX_FILES 256u              /* files opened for one tree, top file included */
#define XD_IKECONF_MAX_INCLUDES 512u           /* include statements followed in one tree */
#define XD_IKECONF_MAX_MATCHES 64u             /* files one include pattern may name */
#define XD_IKECONF_MAX_INCLUDE_DEPTH 4
#define XD_IKECONF_MAX_NOTES 8

/* One connection's credential facts as a configuration file states them. */
struct xd_ikeconf_conn {
	char name[128];
	char file[512];
	char local_id[256];
	char remote_id[256];
	char local_cert[512]; /* as written: relative to the cert dir, absolute, or an NSS nickname */
	char remote_cert[512];
	/* how the daemon brings it up: swanctl's strongest child start_action ("start" over
	 * "trap" over "none"), ipsec.conf's auto= ("start", "route", "add", "ondemand") */
	char start_action[32];
};

/* Why (part of) a configuration was not read: a file that could not be, or a bound reached. */
struct xd_ikeconf_note {
	char file[512];
	char what[128];
};

struct xd_ikeconf {
	struct xd_ikeconf_conn *conns;
	size_t n;
	size_t cap;
	unsigned files;  /* files opened (or asked of the I/O table) for this tree */
	uint64_t bytes;  /* bytes parsed */
	struct xd_ikeconf_note notes[XD_IKECONF_MAX_NOTES];
	unsigned n_notes;
};

/* Where the files an include names come from. */
struct xd_ikeconf_io {
	/*
	 * Call each(ctx, path) for every file `pattern` (a glob, already made absolute or relative
	 * to the including file's directory) matches, in a stable order, until each() returns < 0.
	 * Returns 0 (also when nothing matches) or -errno.
	 */
	int (*expand)(void *userdata, const char *pattern,
		      int (*each)(void *ctx, const char *path), void *ctx);
	/* Read one whole file, as xd_file_read() does (NUL-terminated, at most max bytes). */
	int (*read)(void *userdata, const char *path, size_t max, char **ret, size_t *ret_len,
		    struct xd_file_id *ret_id);
	void *userdata;
};

/* glob(3) and xd_file_read(): regular files only, opened without blocking. */
extern const struct xd_ikeconf_io xd_ikeconf_io_fs;

/*
 * Parse swanctl.conf (with its include files) for connections.<name>.local*.{id,certs} and
 * remote*.{id,certs}. The secrets section is skipped without being stored and every buffer is
 * wiped. io NULL = the file system. Returns 0, or -errno when the top file cannot be read (a
 * note says why unless it does not exist); the conns and notes found stay in *out either way.
 */
int xd_ikeconf_swanctl(const char *path, const struct xd_ikeconf_io *io, struct xd_ikeconf *out);
/* Parse ipsec.conf conn sections for left/right id and cert (left taken as the local side). */
int xd_ikeconf_ipsec(const char *path, const struct xd_ikeconf_io *io, struct xd_ikeconf *out);

/*
 * The same on bytes already in memory, `name` standing for their file (relative includes are
 * resolved against its directory). io NULL: includes are not followed. Never reads past
 * buf + len and needs no NUL terminator. Returns 0 or -ENOMEM.
 */
int xd_ikeconf_swanctl_parse(const char *name, const char *buf, size_t len,
			     const struct xd_ikeconf_io *io, struct xd_ikeconf *out);
int xd_ikeconf_ipsec_parse(const char *name, const char *buf, size_t len,
			   const struct xd_ikeconf_io *io, struct xd_ikeconf *out);

void xd_ikeconf_done(struct xd_ikeconf *c);
