/* SPDX-License-Identifier: GPL-2.0-or-later */
/* model-builder.c: hand-built snapshots for tests (see model-builder.h). */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "model-builder.h"

static uint16_t parse(const char *text, struct xd_addr *a, uint8_t *plen)
{
	char buf[64];
	char *slash;
	uint16_t family;

	strncpy(buf, text, sizeof(buf) - 1);
	buf[sizeof(buf) - 1] = '\0';
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	memset(a, 0, sizeof(*a));
	family = strchr(buf, ':') ? AF_INET6 : AF_INET;
	if (inet_pton(family, buf, a->b) != 1)
		abort();
	if (plen)
		*plen = slash ? (uint8_t)atoi(slash + 1) : (family == AF_INET ? 32 : 128);
	return family;
}

struct xd_snapshot *mb_new(void)
{
	struct xd_snapshot *s = NULL;

	if (xd_snapshot_new(&s) < 0)
		abort();
	for (int d = 0; d < _XD_DUMP_MAX; d++)
		s->meta.dump_status[d] = XD_DUMP_COMPLETE;
	s->meta.captured_at = MB_NOW;
	strcpy(s->meta.kernel_release, "6.1.0-test");
	strcpy(s->meta.machine, "x86_64");
	strcpy(s->meta.tool, "xfrmd test");
	return s;
}

struct xd_sa *mb_sa(struct xd_snapshot *s, const char *src, const char *dst, uint8_t proto,
		    uint32_t spi, uint32_t reqid, uint8_t mode)
{
	struct xd_sa *sa = xd_vec_push(&s->sas);

	if (!sa)
		abort();
	sa->family = parse(src, &sa->saddr, NULL);
	parse(dst, &sa->daddr, NULL);
	sa->sel.family = sa->family;
	sa->proto = proto;
	sa->spi = spi;
	sa->reqid = reqid;
	sa->mode = mode;
	sa->replay.window = 32;
	sa->curlft.add_time = MB_NOW - 100;
	/* each hand-built SA gets its own (writable) lifetime and algorithm set */
	struct xd_lifetime_cfg *lft = xd_snapshot_alloc(s, sizeof(*lft));
	struct xd_algs *algs = xd_snapshot_alloc(s, sizeof(*algs));
	if (!lft || !algs)
		abort();
	*lft = xd_lifetime_none;
	sa->lft = lft;
	sa->algs = algs;
	if (spi) {
		sa->has |= XD_SA_HAS_AEAD | XD_SA_HAS_REPLAY;
		algs->aead = (struct xd_alg){ .name = xd_snapshot_intern(s, "rfc4106(gcm(aes))", 64),
					      .key_bits = 160, .icv_bits = 128 };
	}
	return sa;
}

struct xd_policy *mb_policy(struct xd_snapshot *s, uint8_t dir, const char *src_prefix,
			    const char *dst_prefix, uint32_t priority, uint8_t action)
{
	struct xd_policy *p = xd_vec_push(&s->policies);

	if (!p)
		abort();
	p->sel.family = parse(src_prefix, &p->sel.saddr, &p->sel.prefixlen_s);
	parse(dst_prefix, &p->sel.daddr, &p->sel.prefixlen_d);
	p->dir = dir;
	p->priority = priority;
	p->action = action;
	p->index = (uint32_t)(s->policies.len * 8 + dir);
	p->tmpl_first = (uint32_t)s->tmpls.len;
	p->curlft.add_time = MB_NOW - 100;
	p->lft = &xd_lifetime_none;
	return p;
}

struct xd_tmpl *mb_tmpl(struct xd_snapshot *s, const char *src, const char *dst, uint8_t proto,
			uint32_t reqid, uint8_t mode)
{
	struct xd_policy *p = xd_vec_at(&s->policies, s->policies.len - 1);
	struct xd_tmpl *t = xd_vec_push(&s->tmpls);

	if (!t)
		abort();
	t->family = parse(src, &t->saddr, NULL);
	parse(dst, &t->daddr, NULL);
	t->proto = proto;
	t->reqid = reqid;
	t->mode = mode;
	p->tmpl_count++;
	return t;
}

void mb_local(struct xd_snapshot *s, const char *addr)
{
	struct xd_local_addr *a = xd_vec_push(&s->addrs);

	if (!a)
		abort();
	a->family = parse(addr, &a->addr, &a->prefixlen);
	a->ifindex = 2;
}

void mb_all_modes(struct xd_snapshot *s, uint8_t mode)
{
	for (size_t i = 0; i < s->sas.len; i++)
		((struct xd_sa *)xd_vec_at(&s->sas, i))->mode = mode;
	for (size_t i = 0; i < s->tmpls.len; i++)
		((struct xd_tmpl *)xd_vec_at(&s->tmpls, i))->mode = mode;
}

void mb_counter(struct xd_snapshot *s, const char *name, uint64_t value)
{
	struct xd_counter *c = xd_vec_push(&s->xfrm_stat.counters);

	if (!c)
		abort();
	c->name = xd_snapshot_intern(s, name, 64);
	c->value = value;
	s->xfrm_stat.present = true;
}

void mb_finish(struct xd_snapshot *s)
{
	xd_snapshot_sort(s);
}

struct xd_lifetime_cfg *mb_lft(struct xd_sa *sa)
{
	return (struct xd_lifetime_cfg *)(uintptr_t)sa->lft;
}

struct xd_algs *mb_algs(struct xd_sa *sa)
{
	return (struct xd_algs *)(uintptr_t)sa->algs;
}

const char *mb_ev_str(const struct xd_finding *x, const char *key)
{
	for (size_t i = 0; i < x->evidence.len; i++) {
		const struct xd_evidence *e = xd_vec_at(&x->evidence, i);
		if (strcmp(e->key, key) == 0)
			return e->str;
	}
	return NULL;
}
