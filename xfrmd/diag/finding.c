/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * finding.c: building findings. Allocation failures are absorbed here (the findings set
 * records the error once), so check code has no error paths and cannot half-fail silently:
 * the caller sees f->error and says the diagnosis is incomplete.
 *
 * Aggregation (XD_DEF_AGGREGATE ids) happens here too, generically: when the next finding is
 * added, the previous one, now complete, is folded into the finding of the same def,
 * severity and site if there is one. What survives of a folded finding is its subject
 * and summary (a few hundred bytes); the evidence it does not share with the others is freed
 * there and then, so a diagnosis with 100k affected policies never holds 100k findings.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xfrmd/finding.h"
#include "xfrmd/names.h"

static const char *const sev_names[_XD_SEV_MAX] = {
	[XD_SEV_INFO] = "info",
	[XD_SEV_WARNING] = "warning",
	[XD_SEV_ERROR] = "error",
};

const char *xd_severity_name(enum xd_severity s)
{
	return (unsigned)s < _XD_SEV_MAX ? sev_names[s] : "unknown";
}

enum xd_severity xd_severity_from_name(const char *name)
{
	for (unsigned i = 0; i < _XD_SEV_MAX; i++)
		if (xd_streq(sev_names[i], name))
			return (enum xd_severity)i;
	return _XD_SEV_MAX;
}

void xd_findings_init(struct xd_findings *f)
{
	xd_vec_init(&f->items, sizeof(struct xd_finding));
	xd_vec_init(&f->groups, sizeof(size_t));
	f->error = 0;
	f->last_open = false;
}

static void subject_done(struct xd_subject *s)
{
	free(s->table);
	free(s->chain);
	free(s->name);
}

static void evidence_done(struct xd_evidence *e)
{
	free(e->key);
	free(e->str);
}

static void finding_done(struct xd_finding *x)
{
	free(x->summary);
	subject_done(&x->subject);
	for (size_t i = 0; i < x->evidence.len; i++)
		evidence_done(xd_vec_at(&x->evidence, i));
	xd_vec_done(&x->evidence);
	for (size_t i = 0; i < x->more.len; i++) {
		struct xd_subject_item *it = xd_vec_at(&x->more, i);
		subject_done(&it->subject);
		free(it->summary);
	}
	xd_vec_done(&x->more);
}

void xd_findings_done(struct xd_findings *f)
{
	for (size_t i = 0; i < f->items.len; i++)
		finding_done(xd_vec_at(&f->items, i));
	xd_vec_done(&f->items);
	xd_vec_done(&f->groups);
	f->last_open = false;
}

static bool str_same(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

/* The XD_SUBJ_* fields both subjects have with the same value. */
static uint32_t subject_same(const struct xd_subject *a, const struct xd_subject *b)
{
	uint32_t both = a->has & b->has, same = 0;

	if (a->family == b->family) {
		if (!memcmp(&a->local, &b->local, sizeof(a->local)))
			same |= XD_SUBJ_LOCAL;
		if (!memcmp(&a->peer, &b->peer, sizeof(a->peer)))
			same |= XD_SUBJ_PEER;
	}
	if (a->reqid == b->reqid)
		same |= XD_SUBJ_REQID;
	if (a->spi == b->spi)
		same |= XD_SUBJ_SPI;
	if (a->policy_index == b->policy_index)
		same |= XD_SUBJ_POLICY;
	if (a->rule_handle == b->rule_handle && str_same(a->table, b->table) &&
	    str_same(a->chain, b->chain))
		same |= XD_SUBJ_RULE;
	if (str_same(a->dir, b->dir))
		same |= XD_SUBJ_DIR;
	if (str_same(a->name, b->name))
		same |= XD_SUBJ_NAME;
	if (a->proto == b->proto)
		same |= XD_SUBJ_PROTO;
	return both & same;
}

static bool evidence_same(const struct xd_evidence *a, const struct xd_evidence *b)
{
	return a->type == b->type && str_same(a->key, b->key) &&
	       (a->type == XD_EV_STR ? str_same(a->str, b->str) : a->i == b->i);
}

/* Keep in x only the evidence y has too, with the same value. */
static void evidence_intersect(struct xd_finding *x, const struct xd_finding *y)
{
	size_t w = 0;

	for (size_t i = 0; i < x->evidence.len; i++) {
		struct xd_evidence *e = xd_vec_at(&x->evidence, i);
		bool keep = false;

		for (size_t k = 0; k < y->evidence.len && !keep; k++)
			keep = evidence_same(e, xd_vec_at(&y->evidence, k));
		if (!keep) {
			evidence_done(e);
			continue;
		}
		if (i != w)
			*(struct xd_evidence *)xd_vec_at(&x->evidence, w) = *e;
		w++;
	}
	x->evidence.len = w;
}

/*
 * Fold x (a finding, possibly aggregated itself) into head: head keeps the smaller first
 * subject with its summary, every other subject goes to head->more, the common fields and
 * evidence shrink to what both share. x is consumed (its storage is freed or moved).
 */
static void fold(struct xd_findings *f, struct xd_finding *head, struct xd_finding *x)
{
	struct xd_subject tmp_s;
	char *tmp;

	if (!head->more.len)
		head->common = head->subject.has;
	head->common &= (x->more.len ? x->common : x->subject.has) &
			subject_same(&head->subject, &x->subject);
	if (xd_subject_cmp(&x->subject, &head->subject) < 0) {
		tmp_s = head->subject;
		head->subject = x->subject;
		x->subject = tmp_s;
		tmp = head->summary;
		head->summary = x->summary;
		x->summary = tmp;
	}
	evidence_intersect(head, x);
	for (size_t i = 0; i <= x->more.len; i++) {
		struct xd_subject_item from = { x->subject, x->summary };
		struct xd_subject_item *to = xd_vec_push(&head->more);

		if (i)
			from = *(struct xd_subject_item *)xd_vec_at(&x->more, i - 1);
		if (!to) {
			f->error = -ENOMEM;
			subject_done(&from.subject);
			free(from.summary);
			continue;
		}
		*to = from;
	}
	/* moved: forget them in x, then free what x has left (its evidence) */
	memset(&x->subject, 0, sizeof(x->subject));
	x->summary = NULL;
	xd_vec_done(&x->more);
	finding_done(x);
}

static struct xd_finding *group_of(const struct xd_findings *f, const struct xd_finding *x)
{
	for (size_t g = 0; g < f->groups.len; g++) {
		struct xd_finding *h = xd_vec_at(&f->items, *(size_t *)xd_vec_at(&f->groups, g));

		if (h->def == x->def && h->severity == x->severity &&
		    str_same(h->subject.site, x->subject.site))
			return h;
	}
	return NULL;
}

static void group_add(struct xd_findings *f, size_t i)
{
	size_t *slot = xd_vec_push(&f->groups);

	/* without a slot the finding stays on its own: still right, only not folded */
	if (slot)
		*slot = i;
}

/* Fold the last added finding, now complete, into its group (or make it a group's head). */
static void settle(struct xd_findings *f)
{
	struct xd_finding *x, *head;

	if (!f->last_open)
		return;
	f->last_open = false;
	x = xd_vec_at(&f->items, f->items.len - 1);
	if (!(x->def->flags & XD_DEF_AGGREGATE))
		return;
	head = group_of(f, x);
	if (!head) {
		group_add(f, f->items.len - 1);
		return;
	}
	fold(f, head, x);
	f->items.len--;
}

/* Rebuild the group index after items moved, merging any two heads of one group. */
static void regroup(struct xd_findings *f)
{
	size_t w = 0;

	settle(f);
	f->groups.len = 0;
	for (size_t i = 0; i < f->items.len; i++) {
		struct xd_finding *x = xd_vec_at(&f->items, i);
		bool agg = x->def->flags & XD_DEF_AGGREGATE;
		struct xd_finding *head = agg ? group_of(f, x) : NULL;

		if (head) {
			fold(f, head, x);
			continue;
		}
		if (i != w)
			*(struct xd_finding *)xd_vec_at(&f->items, w) = *x;
		if (agg)
			group_add(f, w);
		w++;
	}
	f->items.len = w;
}

struct xd_finding *xd_finding_add(struct xd_findings *f, const struct xd_finding_def *def,
				  const char *fmt, ...)
{
	struct xd_finding *x;
	va_list ap;
	char *s = NULL;

	settle(f);
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	x = s ? xd_vec_push(&f->items) : NULL;
	if (!x) {
		free(s);
		f->error = -ENOMEM;
		return NULL;
	}
	x->def = def;
	x->severity = def->severity;
	x->summary = s;
	xd_vec_init(&x->evidence, sizeof(struct xd_evidence));
	xd_vec_init(&x->more, sizeof(struct xd_subject_item));
	f->last_open = true;
	return x;
}

void xd_finding_set_severity(struct xd_finding *x, enum xd_severity s)
{
	if (x)
		x->severity = s;
}

void xd_finding_peer(struct xd_finding *x, uint16_t family, const struct xd_addr *local,
		     const struct xd_addr *peer)
{
	if (!x)
		return;
	x->subject.family = family;
	if (local) {
		x->subject.local = *local;
		x->subject.has |= XD_SUBJ_LOCAL;
	}
	if (peer) {
		x->subject.peer = *peer;
		x->subject.has |= XD_SUBJ_PEER;
	}
}

void xd_finding_reqid(struct xd_finding *x, uint32_t reqid)
{
	if (!x)
		return;
	x->subject.reqid = reqid;
	x->subject.has |= XD_SUBJ_REQID;
}

void xd_finding_spi(struct xd_finding *x, uint32_t spi, uint8_t proto)
{
	if (!x)
		return;
	x->subject.spi = spi;
	x->subject.proto = proto;
	x->subject.has |= XD_SUBJ_SPI | XD_SUBJ_PROTO;
}

void xd_finding_policy(struct xd_finding *x, uint32_t index, const char *dir)
{
	if (!x)
		return;
	x->subject.policy_index = index;
	x->subject.has |= XD_SUBJ_POLICY;
	if (dir) {
		x->subject.dir = dir;
		x->subject.has |= XD_SUBJ_DIR;
	}
}

void xd_finding_rule(struct xd_finding *x, const char *table, const char *chain, uint64_t handle)
{
	if (!x)
		return;
	free(x->subject.table);
	free(x->subject.chain);
	x->subject.table = table ? strdup(table) : NULL;
	x->subject.chain = chain ? strdup(chain) : NULL;
	x->subject.rule_handle = handle;
	x->subject.has |= XD_SUBJ_RULE;
}

void xd_finding_name(struct xd_finding *x, const char *name)
{
	if (!x)
		return;
	free(x->subject.name);
	x->subject.name = strdup(name);
	if (x->subject.name)
		x->subject.has |= XD_SUBJ_NAME;
}

static struct xd_evidence *ev_push(struct xd_finding *x, const char *key)
{
	char *k = strdup(key);
	struct xd_evidence *e;

	/* Findings carry 1-6 evidence entries: start with room for 4, not the vector's 16
	 * (512 bytes per finding that the diagnosis of a large SPD held for nothing). */
	if (k && !x->evidence.cap) {
		x->evidence.data = malloc(4 * sizeof(struct xd_evidence));
		x->evidence.cap = x->evidence.data ? 4 : 0;
	}
	e = k ? xd_vec_push(&x->evidence) : NULL;

	if (!e) {
		free(k);
		return NULL;
	}
	e->key = k;
	return e;
}

void xd_finding_ev_str(struct xd_finding *x, const char *key, const char *fmt, ...)
{
	struct xd_evidence *e;
	va_list ap;

	if (!x || !(e = ev_push(x, key)))
		return;
	e->type = XD_EV_STR;
	va_start(ap, fmt);
	if (vasprintf(&e->str, fmt, ap) < 0)
		e->str = NULL;
	va_end(ap);
	if (!e->str) {
		free(e->key);
		x->evidence.len--;
	}
}

void xd_finding_ev_int(struct xd_finding *x, const char *key, int64_t v)
{
	struct xd_evidence *e;

	if (!x || !(e = ev_push(x, key)))
		return;
	e->type = XD_EV_INT;
	e->i = v;
}

void xd_finding_ev_bool(struct xd_finding *x, const char *key, bool v)
{
	struct xd_evidence *e;

	if (!x || !(e = ev_push(x, key)))
		return;
	e->type = XD_EV_BOOL;
	e->i = v;
}

int xd_findings_move(struct xd_findings *dst, struct xd_findings *src)
{
	size_t i;

	settle(dst);
	settle(src);
	for (i = 0; i < src->items.len; i++) {
		struct xd_finding *x = xd_vec_push(&dst->items);
		if (!x) {
			dst->error = -ENOMEM;
			break;
		}
		*x = *(struct xd_finding *)xd_vec_at(&src->items, i);
	}
	bool partial = i < src->items.len;

	/* what moved is owned by dst now; the rest stays owned by src */
	if (partial)
		memmove(src->items.data, xd_vec_at(&src->items, i),
			(src->items.len - i) * src->items.elem_size);
	src->items.len -= i;
	regroup(src);
	regroup(dst);
	if (src->error && !dst->error)
		dst->error = src->error;
	return partial ? -ENOMEM : 0;
}

#define CMP(a, b)                                                                                  \
	do {                                                                                       \
		if ((a) != (b))                                                                    \
			return (a) < (b) ? -1 : 1;                                                 \
	} while (0)

int xd_subject_cmp(const struct xd_subject *a, const struct xd_subject *b)
{
	int r;

	CMP(a->family, b->family);
	r = memcmp(&a->peer, &b->peer, sizeof(a->peer));
	if (r)
		return r;
	r = memcmp(&a->local, &b->local, sizeof(a->local));
	if (r)
		return r;
	CMP(a->reqid, b->reqid);
	CMP(a->spi, b->spi);
	CMP(a->policy_index, b->policy_index);
	CMP(a->rule_handle, b->rule_handle);
	r = strcmp(a->name ? a->name : "", b->name ? b->name : "");
	if (r)
		return r;
	return strcmp(a->site ? a->site : "", b->site ? b->site : "");
}

static int subject_qcmp(const void *a, const void *b)
{
	return xd_subject_cmp(&((const struct xd_subject_item *)a)->subject,
			      &((const struct xd_subject_item *)b)->subject);
}

static int finding_cmp(const void *pa, const void *pb)
{
	const struct xd_finding *a = pa, *b = pb;
	int r;

	CMP(b->severity, a->severity); /* errors first */
	r = strcmp(a->def->id, b->def->id);
	if (r)
		return r;
	r = xd_subject_cmp(&a->subject, &b->subject);
	if (r)
		return r;
	return strcmp(a->summary, b->summary);
}

void xd_findings_sort(struct xd_findings *f)
{
	regroup(f);
	for (size_t i = 0; i < f->items.len; i++) {
		struct xd_finding *x = xd_vec_at(&f->items, i);
		if (x->more.len > 1)
			qsort(x->more.data, x->more.len, sizeof(struct xd_subject_item),
			      subject_qcmp);
	}
	if (f->items.len > 1)
		qsort(f->items.data, f->items.len, sizeof(struct xd_finding), finding_cmp);
	regroup(f); /* the heads moved */
}

/*
 * Judge each subject of aggregated x as the one-subject finding it was; keep those keep()
 * accepts, in order, the first as x's own. False when none is left (x is then empty but for
 * its evidence, for finding_done()).
 */
static bool retain_subjects(struct xd_finding *x,
			    bool (*keep)(const struct xd_finding *x, void *ud), void *ud,
			    size_t *dropped)
{
	size_t n = xd_finding_count(x), w = 0;
	const char *site = x->subject.site; /* the whole finding's (check -r A -r B), kept */

	for (size_t i = 0; i < n; i++) {
		struct xd_subject_item it = { x->subject, x->summary };
		struct xd_finding one = *x;

		if (i)
			it = *(struct xd_subject_item *)xd_vec_at(&x->more, i - 1);
		it.subject.site = site;
		one.subject = it.subject;
		one.summary = it.summary;
		one.more.len = 0;
		if (!keep(&one, ud)) {
			subject_done(&it.subject);
			free(it.summary);
			++*dropped;
			continue;
		}
		if (!w) {
			x->subject = it.subject;
			x->summary = it.summary;
		} else {
			*(struct xd_subject_item *)xd_vec_at(&x->more, w - 1) = it;
		}
		w++;
	}
	if (!w) {
		memset(&x->subject, 0, sizeof(x->subject));
		x->summary = NULL;
		x->more.len = 0;
		return false;
	}
	x->more.len = w - 1;
	x->common = x->subject.has;
	for (size_t i = 0; i < x->more.len; i++) {
		const struct xd_subject *s = &((struct xd_subject_item *)xd_vec_at(&x->more, i))->subject;
		x->common &= s->has & subject_same(&x->subject, s);
	}
	return true;
}

size_t xd_findings_retain(struct xd_findings *f, bool (*keep)(const struct xd_finding *x, void *ud),
			  void *ud)
{
	size_t out = 0, dropped = 0;

	settle(f);
	for (size_t i = 0; i < f->items.len; i++) {
		struct xd_finding *x = xd_vec_at(&f->items, i);
		bool agg = x->more.len;

		if (agg ? !retain_subjects(x, keep, ud, &dropped) : !keep(x, ud)) {
			finding_done(x);
			dropped += !agg; /* retain_subjects counted its own */
			continue;
		}
		if (out != i)
			*(struct xd_finding *)xd_vec_at(&f->items, out) = *x;
		out++;
	}
	f->items.len = out;
	regroup(f); /* the heads moved */
	return dropped;
}

int xd_finding_identity(const struct xd_finding *x, char **ret)
{
	const struct xd_subject *s = &x->subject;
	char a[64]; /* INET6_ADDRSTRLEN and more */
	char *buf = NULL;
	size_t len = 0;
	FILE *m;

	*ret = NULL;
	m = open_memstream(&buf, &len);
	if (!m)
		return -ENOMEM;
	fputs(x->def->id, m);
	/* "*" cannot start a subject field: no clash with a single-subject identity */
	if (x->def->flags & XD_DEF_AGGREGATE) {
		fprintf(m, "|*%s", xd_severity_name(x->severity));
		goto out;
	}
	if (s->site)
		fprintf(m, "|site=%s", s->site);
	if (s->has & XD_SUBJ_LOCAL)
		fprintf(m, "|local=%s", xd_addr_fmt(&s->local, s->family, a, sizeof(a)));
	if (s->has & XD_SUBJ_PEER)
		fprintf(m, "|peer=%s", xd_addr_fmt(&s->peer, s->family, a, sizeof(a)));
	if (s->has & XD_SUBJ_DIR)
		fprintf(m, "|dir=%s", s->dir ? s->dir : "");
	if (s->has & XD_SUBJ_REQID)
		fprintf(m, "|reqid=%" PRIu32, s->reqid);
	if (s->has & XD_SUBJ_SPI)
		fprintf(m, "|spi=%" PRIu32, s->spi);
	if (s->has & XD_SUBJ_PROTO)
		fprintf(m, "|proto=%u", s->proto);
	if (s->has & XD_SUBJ_POLICY)
		fprintf(m, "|policy_index=%" PRIu32, s->policy_index);
	/* table, chain and name are free text: their length first keeps the fields apart */
	if (s->has & XD_SUBJ_RULE)
		fprintf(m, "|rule=%zu:%s/%zu:%s/%" PRIu64, strlen(s->table ? s->table : ""),
			s->table ? s->table : "", strlen(s->chain ? s->chain : ""),
			s->chain ? s->chain : "", s->rule_handle);
	if (s->has & XD_SUBJ_NAME)
		fprintf(m, "|name=%zu:%s", strlen(s->name ? s->name : ""), s->name ? s->name : "");
out:
	if (fclose(m) != 0) {
		free(buf);
		return -ENOMEM;
	}
	*ret = buf;
	return 0;
}
