/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * finding.c: building findings. Allocation failures are absorbed here (the findings set
 * records the error once), so check code has no error paths and cannot half-fail silently:
 * the caller sees f->error and says the diagnosis is incomplete.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xfrmd/finding.h"

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
	f->error = 0;
}

static void finding_done(struct xd_finding *x)
{
	free(x->summary);
	free(x->subject.table);
	free(x->subject.chain);
	free(x->subject.name);
	for (size_t i = 0; i < x->evidence.len; i++) {
		struct xd_evidence *e = xd_vec_at(&x->evidence, i);
		free(e->key);
		free(e->str);
	}
	xd_vec_done(&x->evidence);
}

void xd_findings_done(struct xd_findings *f)
{
	for (size_t i = 0; i < f->items.len; i++)
		finding_done(xd_vec_at(&f->items, i));
	xd_vec_done(&f->items);
}

struct xd_finding *xd_finding_add(struct xd_findings *f, const struct xd_finding_def *def,
				  const char *fmt, ...)
{
	struct xd_finding *x;
	va_list ap;
	char *s = NULL;

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
	struct xd_evidence *e = k ? xd_vec_push(&x->evidence) : NULL;

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
	for (size_t i = 0; i < src->items.len; i++) {
		struct xd_finding *x = xd_vec_push(&dst->items);
		if (!x) {
			dst->error = -ENOMEM;
			return -ENOMEM; /* the rest stays owned by src */
		}
		*x = *(struct xd_finding *)xd_vec_at(&src->items, i);
		/* ownership moved: forget it in src without freeing */
		memset(xd_vec_at(&src->items, i), 0, sizeof(*x));
		xd_vec_init(&((struct xd_finding *)xd_vec_at(&src->items, i))->evidence,
			    sizeof(struct xd_evidence));
	}
	if (src->error && !dst->error)
		dst->error = src->error;
	return 0;
}

#define CMP(a, b)                                                                                  \
	do {                                                                                       \
		if ((a) != (b))                                                                    \
			return (a) < (b) ? -1 : 1;                                                 \
	} while (0)

static int finding_cmp(const void *pa, const void *pb)
{
	const struct xd_finding *a = pa, *b = pb;
	int r;

	CMP(b->severity, a->severity); /* errors first */
	r = strcmp(a->def->id, b->def->id);
	if (r)
		return r;
	CMP(a->subject.family, b->subject.family);
	r = memcmp(&a->subject.peer, &b->subject.peer, sizeof(a->subject.peer));
	if (r)
		return r;
	r = memcmp(&a->subject.local, &b->subject.local, sizeof(a->subject.local));
	if (r)
		return r;
	CMP(a->subject.reqid, b->subject.reqid);
	CMP(a->subject.spi, b->subject.spi);
	CMP(a->subject.policy_index, b->subject.policy_index);
	CMP(a->subject.rule_handle, b->subject.rule_handle);
	r = strcmp(a->subject.name ? a->subject.name : "", b->subject.name ? b->subject.name : "");
	if (r)
		return r;
	r = strcmp(a->subject.site ? a->subject.site : "", b->subject.site ? b->subject.site : "");
	if (r)
		return r;
	return strcmp(a->summary, b->summary);
}

void xd_findings_sort(struct xd_findings *f)
{
	if (f->items.len > 1)
		qsort(f->items.data, f->items.len, sizeof(struct xd_finding), finding_cmp);
}

size_t xd_findings_retain(struct xd_findings *f, bool (*keep)(const struct xd_finding *x, void *ud),
			  void *ud)
{
	size_t out = 0, dropped = 0;

	for (size_t i = 0; i < f->items.len; i++) {
		struct xd_finding *x = xd_vec_at(&f->items, i);
		if (!keep(x, ud)) {
			finding_done(x);
			dropped++;
			continue;
		}
		if (out != i)
			*(struct xd_finding *)xd_vec_at(&f->items, out) = *x;
		out++;
	}
	f->items.len = out;
	return dropped;
}
