/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ipxfrm-text.c: the value syntaxes of iproute2's `ip xfrm` output shared by the state and
 * policy importers. Every token is bounded by the line buffer; nothing here allocates.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "ipxfrm-text.h"
#include "xfrmd/names.h"

void xd_ipx_issue(struct xd_snapshot *s, enum xd_dump d, size_t off, const char *what)
{
	struct xd_decode_issue i = { .code = -EBADMSG, .dump = d, .offset = (uint32_t)off,
				     .what = what };
	xd_snapshot_add_issue(s, &i);
}

bool xd_ipx_next_line(const char **p, const char *base, const char *end, struct ipx_line *l)
{
	const char *line = *p, *eol;
	size_t len;
	char *q;

	if (line >= end)
		return false;
	eol = memchr(line, '\n', (size_t)(end - line));
	if (!eol)
		eol = end;
	*p = eol + 1;
	len = (size_t)(eol - line);
	l->off = (size_t)(line - base);
	l->n = 0;
	l->indent = 0;
	l->too_many = false;
	l->too_long = len > IPX_MAX_LINE;
	if (l->too_long)
		return true;
	memcpy(l->buf, line, len);
	l->buf[len] = '\0';
	while (l->indent < len && (l->buf[l->indent] == ' ' || l->buf[l->indent] == '\t'))
		l->indent++;
	q = l->buf;
	for (;;) {
		char *t;
		size_t tl;

		while (*q == ' ' || *q == '\t' || *q == '\r')
			q++;
		if (!*q)
			break;
		t = q;
		while (*q && *q != ' ' && *q != '\t' && *q != '\r')
			q++;
		if (*q)
			*q++ = '\0';
		tl = strlen(t);
		if (tl > 1 && t[tl - 1] == ',')
			t[tl - 1] = '\0';
		if (l->n == IPX_MAX_TOKS) {
			l->too_many = true;
			break;
		}
		l->tok[l->n++] = t;
	}
	return true;
}

int xd_ipx_u64(const char *t, uint64_t *ret)
{
	uint64_t v = 0;
	unsigned base = 10;
	const char *q = t;
	bool any = false;

	if (q[0] == '0' && (q[1] == 'x' || q[1] == 'X')) {
		base = 16;
		q += 2;
	}
	for (; *q && *q != '('; q++) {
		unsigned d;
		if (*q >= '0' && *q <= '9')
			d = (unsigned)(*q - '0');
		else if (base == 16 && *q >= 'a' && *q <= 'f')
			d = (unsigned)(*q - 'a' + 10);
		else if (base == 16 && *q >= 'A' && *q <= 'F')
			d = (unsigned)(*q - 'A' + 10);
		else
			return -EINVAL;
		if (v > (UINT64_MAX - d) / base)
			return -EINVAL;
		v = v * base + d;
		any = true;
	}
	if (!any)
		return -EINVAL;
	*ret = v;
	return 0;
}

int xd_ipx_u32(const char *t, uint32_t *ret)
{
	uint64_t v;

	if (xd_ipx_u64(t, &v) < 0 || v > UINT32_MAX)
		return -EINVAL;
	*ret = (uint32_t)v;
	return 0;
}

int xd_ipx_prefix(const char *t, struct xd_addr *a, uint16_t *family, uint8_t *plen)
{
	char buf[INET6_ADDRSTRLEN + 8];
	char *slash;
	uint32_t p;
	size_t n = strlen(t);

	if (n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, t, n + 1);
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, buf, a->b) == 1)
		*family = AF_INET;
	else if (inet_pton(AF_INET6, buf, a->b) == 1)
		*family = AF_INET6;
	else
		return -EINVAL;
	p = *family == AF_INET ? 32 : 128;
	if (slash && (xd_ipx_u32(slash + 1, &p) < 0 || p > (*family == AF_INET ? 32u : 128u)))
		return -EINVAL;
	if (plen)
		*plen = (uint8_t)p;
	return 0;
}

int xd_ipx_mark(const char *t, uint32_t *v, uint32_t *m, bool *has_mask)
{
	char buf[32];
	char *slash;
	size_t n = strlen(t);

	if (n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, t, n + 1);
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	if (xd_ipx_u32(buf, v) < 0)
		return -EINVAL;
	*m = UINT32_MAX;
	if (slash && xd_ipx_u32(slash + 1, m) < 0)
		return -EINVAL;
	if (has_mask)
		*has_mask = slash != NULL;
	return 0;
}

static int fixed_num(const char *s, size_t n, char sep, int *ret)
{
	int v = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (s[i] - '0');
	}
	if (s[n] != sep)
		return -EINVAL;
	*ret = v;
	return 0;
}

int xd_ipx_datetime(const char *date, const char *time_s, uint64_t *ret)
{
	struct tm tm = { 0 };
	int y, mo, d, h, mi, se;
	time_t t;

	if (strlen(date) != 10 || strlen(time_s) != 8 || fixed_num(date, 4, '-', &y) ||
	    fixed_num(date + 5, 2, '-', &mo) || fixed_num(date + 8, 2, '\0', &d) ||
	    fixed_num(time_s, 2, ':', &h) || fixed_num(time_s + 3, 2, ':', &mi) ||
	    fixed_num(time_s + 6, 2, '\0', &se))
		return -EINVAL;
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
		return -EINVAL;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	/* iproute2 prints local time; the archive does not say which zone: UTC is assumed */
	t = timegm(&tm);
	if (t < 0)
		return -EINVAL;
	*ret = (uint64_t)t;
	return 0;
}

int xd_ipx_lft_value(const char *t, uint64_t *ret)
{
	if (strncmp(t, "(INF)", 5) == 0) {
		*ret = XD_INF;
		return 0;
	}
	return xd_ipx_u64(t, ret);
}

int xd_ipx_l4proto(const char *t, uint8_t *ret)
{
	uint32_t v;

	if (xd_ipx_u32(t, &v) == 0 && v <= 255) {
		*ret = (uint8_t)v;
		return 0;
	}
	for (unsigned p = 0; p < 256; p++) {
		const char *n = xd_name_l4proto((uint8_t)p);
		const char *x = xd_name_proto((uint8_t)p);
		if ((n && strcmp(n, t) == 0) || (x && strcmp(x, t) == 0)) {
			*ret = (uint8_t)p;
			return 0;
		}
	}
	/* names /etc/protocols gives that names.h does not */
	if (strcmp(t, "icmpv6") == 0 || strcmp(t, "ipv6-icmp") == 0) {
		*ret = 58;
		return 0;
	}
	if (strcmp(t, "dccp") == 0) {
		*ret = 33;
		return 0;
	}
	if (strcmp(t, "mh") == 0 || strcmp(t, "ipv6-mh") == 0) {
		*ret = 135;
		return 0;
	}
	return -EINVAL;
}

int xd_ipx_selector(char *const *tok, size_t n, struct xd_selector *sel)
{
	bool have_src = false, have_dst = false;
	uint16_t f1 = 0, f2 = 0;

	for (size_t i = 0; i + 1 < n; i += 2) {
		const char *k = tok[i], *v = tok[i + 1];
		uint32_t u;

		if (strcmp(k, "src") == 0) {
			if (xd_ipx_prefix(v, &sel->saddr, &f1, &sel->prefixlen_s) < 0)
				return -EINVAL;
			have_src = true;
		} else if (strcmp(k, "dst") == 0) {
			if (xd_ipx_prefix(v, &sel->daddr, &f2, &sel->prefixlen_d) < 0)
				return -EINVAL;
			have_dst = true;
		} else if (strcmp(k, "proto") == 0) {
			if (xd_ipx_l4proto(v, &sel->proto) < 0)
				return -EINVAL;
		} else if (strcmp(k, "sport") == 0 || strcmp(k, "type") == 0) {
			/* ICMP type and code travel in the port fields, as in the kernel */
			if (xd_ipx_u32(v, &u) < 0 || u > 0xffff)
				return -EINVAL;
			sel->sport = (uint16_t)u;
			sel->sport_mask = 0xffff;
		} else if (strcmp(k, "dport") == 0 || strcmp(k, "code") == 0) {
			if (xd_ipx_u32(v, &u) < 0 || u > 0xffff)
				return -EINVAL;
			sel->dport = (uint16_t)u;
			sel->dport_mask = 0xffff;
		} else if (strcmp(k, "uid") == 0) {
			if (xd_ipx_u32(v, &sel->user) < 0)
				return -EINVAL;
		} else if (strcmp(k, "dev") == 0) {
			/* only the name is printed; the index is unknown offline */
			sel->ifindex = -1;
		} else {
			return -EINVAL;
		}
	}
	if (!have_src || !have_dst || f1 != f2)
		return -EINVAL;
	sel->family = f1;
	return 0;
}

int xd_ipx_walk(struct xd_snapshot *s, const void *buf, size_t len,
		const struct xd_ipx_importer *imp, void *ud)
{
	static __thread struct ipx_line l; /* 4 KiB: off the stack of a fuzzer's deep frames */
	const char *p = buf, *end = p + len;
	bool skipping = false;
	int r;

	while (xd_ipx_next_line(&p, buf, end, &l)) {
		if (l.too_long) {
			xd_ipx_issue(s, imp->dump, l.off, imp->too_long);
			continue;
		}
		if (l.n == 0)
			continue;
		if (l.indent == 0) {
			r = imp->commit(ud);
			if (r < 0)
				return r;
			skipping = false;
			if (strcmp(l.tok[0], "src") != 0) {
				xd_ipx_issue(s, imp->dump, l.off, imp->outside);
				skipping = true;
			} else if (imp->begin(ud, &l) < 0) {
				skipping = true;
			}
			continue;
		}
		if (!imp->open(ud)) {
			if (!skipping)
				xd_ipx_issue(s, imp->dump, l.off, imp->before_first);
			skipping = true;
			continue;
		}
		imp->attr(ud, &l);
	}
	return imp->commit(ud);
}
