/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * decode-text-misc.c: command output a support archive holds beside `ip xfrm` (see
 * docs/support-archives.md): `uname -a` into the uname the netlink path records, and the
 * content test that tells which text a file holds (an archive's file names say what command
 * ran, but not whether it succeeded; a single file given to -r has no name to go by).
 */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "xfrmd/decode.h"
#include "xfrmd/model.h"

#define MAX_UNAME 1024
#define MAX_WORDS 64

/* "Linux gw1 6.1.0-28-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.119-1 (2024-11-22) x86_64
 * GNU/Linux": sysname, nodename, release, then the version up to the machine; processor and
 * hardware platform (when known they repeat the machine) and the operating system close it. */
int xd_decode_uname_a(struct xd_snapshot *s, const void *buf, size_t len)
{
	const char *p = buf, *w[MAX_WORDS];
	size_t wl[MAX_WORDS], n = 0, i, last, m;
	const char *eol = memchr(p, '\n', len);
	size_t ll = eol ? (size_t)(eol - p) : len;

	if (ll > MAX_UNAME)
		ll = MAX_UNAME;
	for (i = 0; i < ll && n < MAX_WORDS;) {
		while (i < ll && isspace((unsigned char)p[i]))
			i++;
		if (i == ll)
			break;
		w[n] = p + i;
		while (i < ll && !isspace((unsigned char)p[i]))
			i++;
		wl[n] = (size_t)(p + i - w[n]);
		n++;
	}
	if (n < 5 || w[3][0] != '#') {
		struct xd_decode_issue is = { .code = -74 /* EBADMSG */, .dump = XD_DUMP_UNAME,
					      .what = "uname -a: not the output of uname -a" };
		xd_snapshot_add_issue(s, &is);
		return 0;
	}
	last = n - 1;
	if (memchr(w[last], '/', wl[last]) || (wl[last] == 5 && memcmp(w[last], "Linux", 5) == 0))
		last--; /* the operating system ("GNU/Linux") */
	m = last;
	while (m > 4 && wl[m - 1] == wl[m] && memcmp(w[m - 1], w[m], wl[m]) == 0)
		m--;
	s->uname.sysname = xd_snapshot_intern(s, w[0], wl[0]);
	s->uname.release = xd_snapshot_intern(s, w[2], wl[2]);
	s->uname.version = xd_snapshot_intern(s, w[3], (size_t)(w[m - 1] + wl[m - 1] - w[3]));
	s->uname.machine = xd_snapshot_intern(s, w[m], wl[m]);
	s->uname.present = true;
	return 0;
}

/* "name = value": the name's span and the value's; false for anything else. */
static bool sysctl_line(const char *l, size_t n, size_t *ret_nl, const char **ret_v,
			size_t *ret_vl)
{
	const char *eq = memmem(l, n, " = ", 3);
	size_t nl;

	if (!eq)
		return false;
	nl = (size_t)(eq - l);
	if (nl == 0 || nl > 256 || !memchr(l, '.', nl))
		return false;
	for (size_t i = 0; i < nl; i++)
		if ((unsigned char)l[i] <= ' ' || l[i] == '=' || l[i] == 0x7f)
			return false;
	*ret_nl = nl;
	*ret_v = eq + 3;
	*ret_vl = n - nl - 3;
	return true;
}

#define MAX_SYSCTL_TEXT (16u << 20)

int xd_decode_sysctl_a(struct xd_snapshot *s, const void *buf, size_t len)
{
	const char *p = buf, *end = p + (len > MAX_SYSCTL_TEXT ? MAX_SYSCTL_TEXT : len);
	char *out = malloc((size_t)(end - p) + 1), *o = out;
	int r;

	if (!out)
		return -ENOMEM;
	while (p < end) {
		const char *l = p, *eol = memchr(p, '\n', (size_t)(end - p)), *v;
		size_t n, nl, vl;
		if (!eol)
			eol = end;
		p = eol + 1;
		n = (size_t)(eol - l);
		if (n == 0)
			continue;
		if (!sysctl_line(l, n, &nl, &v, &vl)) {
			s->unknown_attrs++; /* "sysctl: permission denied on key ..." and the like */
			continue;
		}
		if (nl < 4 || memcmp(l, "net.", 4) != 0)
			continue; /* what the live collector never reads */
		/* sysctl prints an interface's '.' as '/'; the collector writes it as '.' */
		for (size_t i = 0; i < nl; i++)
			*o++ = l[i] == '/' ? '.' : l[i];
		*o++ = '=';
		for (size_t i = 0; i < vl; i++)
			*o++ = v[i] == '\t' || v[i] == '\0' || v[i] == '\r' ? ' ' : v[i];
		*o++ = '\n';
	}
	r = xd_decode_sysctl(s, out, (size_t)(o - out));
	free(out);
	return r;
}

static const char *next_line(const char **p, const char *end, size_t *ret_len)
{
	while (*p < end) {
		const char *l = *p, *eol = memchr(l, '\n', (size_t)(end - l));
		const char *q;
		if (!eol)
			eol = end;
		*p = eol + 1;
		for (q = l; q < eol && isspace((unsigned char)*q); q++)
			;
		if (q < eol) {
			*ret_len = (size_t)(eol - l);
			return l;
		}
	}
	return NULL;
}

static bool starts(const char *l, size_t n, const char *w)
{
	size_t k = strlen(w);
	return n >= k && memcmp(l, w, k) == 0;
}

enum xd_text_kind xd_text_sniff(const void *buf, size_t len)
{
	const char *p = buf, *end = p + len, *l1, *l2, *q;
	size_t n1, n2 = 0;

	l1 = next_line(&p, end, &n1);
	if (!l1)
		return XD_TEXT_EMPTY;
	if (starts(l1, n1, "src ")) {
		l2 = next_line(&p, end, &n2);
		if (!l2 || !(l2[0] == ' ' || l2[0] == '\t'))
			return XD_TEXT_UNKNOWN;
		for (q = l2; q < l2 + n2 && isspace((unsigned char)*q); q++)
			;
		n2 -= (size_t)(q - l2);
		if (starts(q, n2, "proto "))
			return XD_TEXT_XFRM_STATE;
		if (starts(q, n2, "dir ") || starts(q, n2, "socket "))
			return XD_TEXT_XFRM_POLICY;
		return XD_TEXT_UNKNOWN;
	}
	if (starts(l1, n1, "Xfrm")) {
		for (q = l1 + 4; q < l1 + n1 && isalnum((unsigned char)*q); q++)
			;
		while (q < l1 + n1 && (*q == ' ' || *q == '\t'))
			q++;
		if (q < l1 + n1 && isdigit((unsigned char)*q))
			return XD_TEXT_XFRM_STAT;
		return XD_TEXT_UNKNOWN;
	}
	{
		size_t nl, vl;
		const char *v;
		if (sysctl_line(l1, n1, &nl, &v, &vl) && islower((unsigned char)l1[0]))
			return XD_TEXT_SYSCTL_A;
	}
	{
		/* `ip address`: "1: lo: <LOOPBACK,UP,LOWER_UP> mtu ..." */
		const char *e = l1 + n1;
		for (q = l1; q < e && isdigit((unsigned char)*q); q++)
			;
		if (q > l1 && q + 2 < e && q[0] == ':' && q[1] == ' ') {
			const char *c = memmem(q + 2, (size_t)(e - q - 2), ": <", 3);
			if (c && !memchr(q + 2, ' ', (size_t)(c - q - 2)))
				return XD_TEXT_IP_ADDR;
		}
	}
	{
		/* `ip route`: "default via A dev X ...", "[TYPE] PREFIX dev X ...", and the
		 * routes without a device ("unreachable 10.0.0.0/8", "blackhole ...") */
		static const char *const rt[] = { "default ", "local ", "broadcast ", "unicast ",
						  "multicast ", "anycast ", "blackhole ",
						  "unreachable ", "prohibit ", "throw " };
		bool typed = false;
		for (size_t i = 0; i < sizeof(rt) / sizeof(rt[0]); i++)
			typed |= starts(l1, n1, rt[i]);
		if ((typed || isxdigit((unsigned char)l1[0]) || l1[0] == ':') &&
		    (memmem(l1, n1, " dev ", 5) || memmem(l1, n1, " via ", 5) ||
		     starts(l1, n1, "blackhole ") || starts(l1, n1, "unreachable ") ||
		     starts(l1, n1, "prohibit ") || starts(l1, n1, "throw ")))
			return XD_TEXT_IP_ROUTE;
	}
	if (starts(l1, n1, "Linux ")) {
		/* the fourth word is the version, which starts with '#' */
		int words = 0;
		for (q = l1; q < l1 + n1 && words < 4; words++) {
			while (q < l1 + n1 && *q == ' ')
				q++;
			if (words == 3)
				return *q == '#' ? XD_TEXT_UNAME_A : XD_TEXT_UNKNOWN;
			while (q < l1 + n1 && *q != ' ')
				q++;
		}
	}
	return XD_TEXT_UNKNOWN;
}
