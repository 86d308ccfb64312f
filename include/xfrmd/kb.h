/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kb.h: the knowledge base of known issues (xfrmd/diag/known-issues.json, installed as
 * share/xfrmd/known-issues.json): data, not code. Each entry names the kernel releases,
 * IKE stack versions and configuration it applies to, and the source that documents it
 * (kernel commit, release note, bug link). `kernel.known_issue` findings cite the entry.
 *
 * The file is untrusted input: size and nesting are capped, every member's type is
 * checked, and a malformed file is an error with a message, never a crash.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "xfrmd/finding.h"

#define XD_KB_MAX_SOURCES 4
#define XD_KB_MAX_CONDS 6
#define XD_KB_MAX_FIXED 16

enum xd_kb_cond_kind {
	XD_KB_COND_KERNEL,     /* release in [min, below), unless its series has a fixed_in */
	XD_KB_COND_STACK,      /* a running daemon of `name` with version in [min, below), the
				* same fixed_in exception */
	XD_KB_COND_SYSCTL,     /* sysctl `name` equals `value` */
	XD_KB_COND_CONFIG,     /* CONFIG_ `name` equals `value` ("n" when absent) */
	XD_KB_COND_CAPABILITY, /* capability `name` is in state `value` */
	XD_KB_COND_FEATURE,    /* feature `name` is in state `value` (or "present|expected") */
	XD_KB_COND_MODE,       /* an SA or policy template in mode `value` ("transport") */
	XD_KB_COND_RELEASE,    /* the release string contains `value` */
};

struct xd_kb_cond {
	enum xd_kb_cond_kind kind;
	char *name;  /* owned */
	char *value; /* owned; alternatives separated by '|' */
	char *min;   /* owned, NULL = unbounded */
	char *below; /* owned, NULL = unbounded */
	/*
	 * Releases of older series that carry the fix (stable backports, "6.1.120"): a version
	 * of the same series ("6.1.x") at or above one of them is not affected although it is
	 * inside [min, below). Owned; only for kernel and stack conditions.
	 */
	char *fixed_in[XD_KB_MAX_FIXED];
	unsigned n_fixed;
};

struct xd_kb_entry {
	char *id;
	char *title;
	char *detail;
	char *remedy;
	enum xd_severity severity;
	char *sources[XD_KB_MAX_SOURCES];
	unsigned n_sources;
	struct xd_kb_cond conds[XD_KB_MAX_CONDS];
	unsigned n_conds;
};

struct xd_kb {
	struct xd_kb_entry *entries;
	size_t n;
};

/* Parse a knowledge base from memory. On error returns -EINVAL (or -ENOMEM) and writes a
 * message naming the entry and member at fault into err. */
int xd_kb_parse(const char *text, size_t len, struct xd_kb **ret, char *err, size_t errlen);
/* Read and parse a file (at most 1 MiB). */
int xd_kb_load(const char *path, struct xd_kb **ret, char *err, size_t errlen);
struct xd_kb *xd_kb_free(struct xd_kb *kb);
/*
 * The file the daemon and xfrmctl load, searched in one order so both give the same
 * diagnosis: $XFRMD_KNOWN_ISSUES (ignored in set-uid contexts), the installed
 * share/xfrmd/known-issues.json, the source tree's copy (running from a build directory).
 * NULL when none is readable.
 */
const char *xd_kb_default_path(void);
/*
 * Load the file xd_kb_default_path() names. Returns 0, -ENOENT when there is none (err says
 * how to name one), or xd_kb_load()'s error; err always names the file at fault.
 */
int xd_kb_load_default(struct xd_kb **ret, char *err, size_t errlen);

/* Compare dotted versions ("6.12.13", "4.10", "5.9.8"): <0, 0, >0. Non-digits end a part. */
int xd_version_cmp(const char *a, const char *b);
/* Is v in [min, below)? NULL bounds are open. */
bool xd_version_in(const char *v, const char *min, const char *below);
/*
 * Is version v affected by a kernel or stack condition: inside [min, below) and not at or
 * above a fixed_in release of its own series (the fixed_in version without its last part:
 * "6.1.120" covers "6.1.x", "5.9.14" covers "5.9.x")? False for NULL v.
 */
bool xd_kb_version_affected(const char *v, const struct xd_kb_cond *c);
