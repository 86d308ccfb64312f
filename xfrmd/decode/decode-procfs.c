/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * decode-procfs.c: file records -> model. /proc/net/xfrm_stat is parsed by counter name
 * (kernels add counters: 28 in 6.1, 30 in 6.12, 32 in 7.2), bounded in count and line length.
 */
#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "xfrmd/decode.h"
#include "xfrmd/model.h"

#define MAX_COUNTERS 256
#define MAX_NAME 64

static void file_issue(struct xd_snapshot *s, enum xd_dump d, size_t off, const char *what)
{
	struct xd_decode_issue i = { .code = -EBADMSG, .dump = d, .offset = (uint32_t)off,
				     .what = what };
	xd_snapshot_add_issue(s, &i);
}

int xd_decode_xfrm_stat(struct xd_snapshot *s, const void *buf, size_t len)
{
	const char *p = buf, *end = p + len;

	s->xfrm_stat.present = true;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *line = p, *q;
		size_t nlen;
		uint64_t v = 0;
		bool digits = false;
		struct xd_counter *c;

		if (!eol)
			eol = end;
		p = eol + 1;
		if (eol == line)
			continue;
		for (q = line; q < eol && (isalnum((unsigned char)*q) || *q == '_'); q++)
			;
		nlen = (size_t)(q - line);
		if (nlen == 0 || nlen > MAX_NAME) {
			file_issue(s, XD_DUMP_XFRM_STAT, (size_t)(line - (const char *)buf),
				   "xfrm_stat line without a counter name");
			continue;
		}
		while (q < eol && (*q == ' ' || *q == '\t'))
			q++;
		for (; q < eol && *q >= '0' && *q <= '9'; q++) {
			uint64_t d = (uint64_t)(*q - '0');
			if (v > (UINT64_MAX - d) / 10) {
				digits = false;
				break;
			}
			v = v * 10 + d;
			digits = true;
		}
		if (!digits || q != eol) {
			file_issue(s, XD_DUMP_XFRM_STAT, (size_t)(line - (const char *)buf),
				   "xfrm_stat counter value is not a number");
			continue;
		}
		if (s->xfrm_stat.counters.len >= MAX_COUNTERS) {
			file_issue(s, XD_DUMP_XFRM_STAT, (size_t)(line - (const char *)buf),
				   "too many xfrm_stat counters");
			break;
		}
		c = xd_vec_push(&s->xfrm_stat.counters);
		if (!c)
			return -ENOMEM;
		c->name = xd_snapshot_intern(s, line, nlen);
		c->value = v;
		if (!c->name) {
			s->xfrm_stat.counters.len--;
			return -ENOMEM;
		}
	}
	return 0;
}

int xd_decode_uname(struct xd_snapshot *s, const void *buf, size_t len)
{
	const char *p = buf, *end = p + len;
	const char **fields[] = { &s->uname.sysname, &s->uname.release, &s->uname.version,
				  &s->uname.machine };

	for (size_t i = 0; i < 4 && p < end; i++) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol)
			eol = end;
		*fields[i] = xd_snapshot_intern(s, p, (size_t)(eol - p));
		p = eol + 1;
	}
	s->uname.present = true;
	return 0;
}
