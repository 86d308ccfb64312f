/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * finding.h: the finding object of DESIGN.md §7, the contract with monitoring. A finding has
 * a stable dotted id, a severity, a summary, a subject (what it is about), evidence (the
 * facts that triggered it, with their values), a remedy and a doc page. Checks create
 * findings; renderers print them; nobody else decides what is a problem.
 */
#pragma once

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "xfrmd/model.h"
#include "xfrmd/util.h"

enum xd_severity {
	XD_SEV_INFO,
	XD_SEV_WARNING,
	XD_SEV_ERROR,
	_XD_SEV_MAX,
};

const char *xd_severity_name(enum xd_severity s);
/* Returns _XD_SEV_MAX for an unknown name. */
enum xd_severity xd_severity_from_name(const char *name);

/* xd_finding_def.flags */
enum {
	/*
	 * Findings of this id can occur once per SA, policy, peer or interface, i.e. in the tens
	 * of thousands on a concentrator. Those of one severity fold into one finding carrying
	 * every subject (docs/xfrmctl-json.md "Aggregated findings"): output and memory grow by
	 * a subject, not by a finding, per affected object.
	 */
	XD_DEF_AGGREGATE = 1u << 0,
};

/* The static description of one finding id, registered in a check family's table. */
struct xd_finding_def {
	const char *id;
	enum xd_severity severity; /* default severity; a check may lower or raise it */
	const char *title;         /* one line, for `xfrmctl explain` lists and metrics help */
	const char *remedy;        /* what to do, one or two sentences */
	unsigned flags;            /* XD_DEF_* */
};

/* Subjects an aggregated finding lists in JSON and text; the count says how many there are. */
#define XD_FINDING_SUBJECTS_MAX 20

enum xd_subject_has {
	XD_SUBJ_LOCAL = 1u << 0,
	XD_SUBJ_PEER = 1u << 1,
	XD_SUBJ_REQID = 1u << 2,
	XD_SUBJ_SPI = 1u << 3,
	XD_SUBJ_POLICY = 1u << 4, /* policy index */
	XD_SUBJ_RULE = 1u << 5,   /* firewall rule: table/chain/handle */
	XD_SUBJ_DIR = 1u << 6,
	XD_SUBJ_NAME = 1u << 7,   /* a named thing: counter, file, sysctl, daemon */
	XD_SUBJ_PROTO = 1u << 8,
};

struct xd_subject {
	uint32_t has;
	uint16_t family;
	struct xd_addr local;
	struct xd_addr peer;
	uint32_t reqid;
	uint32_t spi;
	uint32_t policy_index;
	uint64_t rule_handle;
	uint8_t proto;
	const char *dir;   /* "in", "out", "fwd", ... static */
	const char *site;  /* cross-site checks: "A" or "B" (static), NULL otherwise */
	char *table;       /* owned */
	char *chain;       /* owned */
	char *name;        /* owned */
};

enum xd_ev_type {
	XD_EV_STR,
	XD_EV_INT,
	XD_EV_BOOL,
};

struct xd_evidence {
	char *key;       /* owned copy (checks may build keys, e.g. sysctl names) */
	enum xd_ev_type type;
	char *str;       /* owned */
	int64_t i;
};

/* A subject folded into an aggregated finding, with the summary it had on its own. */
struct xd_subject_item {
	struct xd_subject subject; /* first: the item sorts and compares as its subject */
	char *summary;             /* owned */
};

/*
 * One finding. A finding of an XD_DEF_AGGREGATE id may stand for several subjects: `subject`
 * is the first in sort order (its summary is `summary`), `more` holds the others, `common`
 * says which XD_SUBJ_* fields have the same value in all of them, and `evidence` keeps only
 * the entries every subject had with the same value. Folded findings keep nothing but their
 * subject and summary (a few hundred bytes), not a finding with its evidence.
 */
struct xd_finding {
	const struct xd_finding_def *def;
	enum xd_severity severity;
	char *summary; /* owned */
	struct xd_subject subject;
	struct xd_vec evidence; /* struct xd_evidence */
	struct xd_vec more;     /* struct xd_subject_item: subjects 2..count */
	uint32_t common;        /* with more.len > 0: XD_SUBJ_* bits shared by every subject */
};

struct xd_findings {
	struct xd_vec items; /* struct xd_finding */
	int error;           /* first allocation failure, reported once */
	/* internal: folding of XD_DEF_AGGREGATE findings (finding.c) */
	bool last_open;      /* the last item may still be folded into a group */
	struct xd_vec groups; /* size_t: indexes of the items that head an aggregate */
};

void xd_findings_init(struct xd_findings *f);
void xd_findings_done(struct xd_findings *f);

/*
 * Add a finding with the def's default severity and a printf-style summary. Returns the
 * finding to attach subject and evidence to, or NULL on allocation failure (then f->error is
 * set and later calls on NULL are no-ops, so checks need no error paths). The pointer is
 * valid until the next call on f: that call (or xd_findings_sort) may fold the finding into
 * an earlier one of the same XD_DEF_AGGREGATE id, severity and site.
 */
struct xd_finding *xd_finding_add(struct xd_findings *f, const struct xd_finding_def *def,
				  const char *fmt, ...) __attribute__((format(printf, 3, 4)));

void xd_finding_set_severity(struct xd_finding *x, enum xd_severity s);
void xd_finding_peer(struct xd_finding *x, uint16_t family, const struct xd_addr *local,
		     const struct xd_addr *peer);
void xd_finding_reqid(struct xd_finding *x, uint32_t reqid);
void xd_finding_spi(struct xd_finding *x, uint32_t spi, uint8_t proto);
void xd_finding_policy(struct xd_finding *x, uint32_t index, const char *dir);
void xd_finding_rule(struct xd_finding *x, const char *table, const char *chain, uint64_t handle);
void xd_finding_name(struct xd_finding *x, const char *name);

void xd_finding_ev_str(struct xd_finding *x, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void xd_finding_ev_int(struct xd_finding *x, const char *key, int64_t v);
void xd_finding_ev_bool(struct xd_finding *x, const char *key, bool v);

/* Move every finding of src to the end of dst (src is left empty). 0 or -ENOMEM. */
int xd_findings_move(struct xd_findings *dst, struct xd_findings *src);

/*
 * Keep the findings keep() accepts, in order; the others are freed. An aggregated finding is
 * judged subject by subject, each as the one-subject finding it was (count 1, its own
 * subject and summary): the subjects keep() refuses are dropped, the finding only when none
 * is left. Returns how many findings went, counting each subject dropped as one.
 */
size_t xd_findings_retain(struct xd_findings *f, bool (*keep)(const struct xd_finding *x, void *ud),
			  void *ud);

/*
 * Finish folding, then sort into the documented order: severity (error first), id, subject;
 * an aggregated finding's subjects in the same subject order. Renderers expect sorted sets.
 */
void xd_findings_sort(struct xd_findings *f);

/* The order of subjects within a finding id: family, peer, local, reqid, SPI, ... */
int xd_subject_cmp(const struct xd_subject *a, const struct xd_subject *b);

/*
 * A finding's identity over time, as text (malloc'ed into *ret): its id and the subject
 * fields it has, or, for an id that aggregates (XD_DEF_AGGREGATE), its id and severity
 * whatever its subjects. Two findings have the same identity exactly when their JSON
 * subjects are equal; summaries and evidence are not part of it. Returns 0 or -ENOMEM.
 */
int xd_finding_identity(const struct xd_finding *x, char **ret);

/* How many subjects the finding stands for: 1, or more for an aggregated one. */
static inline size_t xd_finding_count(const struct xd_finding *x)
{
	return 1 + x->more.len;
}

/* Subject i (0 .. count-1) of a finding; 0 is x->subject. Borrowed from x. */
static inline const struct xd_subject *xd_finding_subject_at(const struct xd_finding *x,
							     size_t i)
{
	return i ? &((const struct xd_subject_item *)xd_vec_at(&x->more, i - 1))->subject
		 : &x->subject;
}

/* The summary subject i had on its own (0: x->summary). Borrowed from x. */
static inline const char *xd_finding_summary_at(const struct xd_finding *x, size_t i)
{
	return i ? ((const struct xd_subject_item *)xd_vec_at(&x->more, i - 1))->summary
		 : x->summary;
}

static inline size_t xd_findings_count(const struct xd_findings *f)
{
	return f->items.len;
}
static inline const struct xd_finding *xd_findings_at(const struct xd_findings *f, size_t i)
{
	return xd_vec_at(&f->items, i);
}
