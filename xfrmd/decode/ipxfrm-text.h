/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ipxfrm-text.h: what the `ip xfrm state` and `ip xfrm policy` text importers share: a bounded
 * line splitter and the value syntaxes iproute2 prints (addresses, prefixes, numbers with a
 * "(decimal)" suffix, "(INF)" lifetimes, local date-times). Internal to the decode layer.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xfrmd/model.h"

#define IPX_MAX_LINE 4096 /* longer lines are skipped as an issue (iproute2 prints < 200) */
#define IPX_MAX_TOKS 64

struct ipx_line {
	char buf[IPX_MAX_LINE + 1];
	char *tok[IPX_MAX_TOKS];
	size_t n;         /* tokens */
	size_t indent;    /* leading blanks */
	size_t off;       /* offset of the line in the record */
	bool too_long;
	bool too_many;    /* more tokens than IPX_MAX_TOKS: the rest was dropped */
};

/* Next line of [*p, end): split on blanks, trailing commas stripped. False at the end. */
bool xd_ipx_next_line(const char **p, const char *base, const char *end, struct ipx_line *l);

/* "0x1f", "31", "0x0000001f(31)": 0 or -EINVAL. */
int xd_ipx_u64(const char *t, uint64_t *ret);
int xd_ipx_u32(const char *t, uint32_t *ret);
/* "A" or "A/plen": family from the syntax; 0 or -EINVAL. */
int xd_ipx_prefix(const char *t, struct xd_addr *a, uint16_t *family, uint8_t *plen);
/* "0xV/0xM" or "0xV" (mask all ones): 0 or -EINVAL. */
int xd_ipx_mark(const char *t, uint32_t *v, uint32_t *m, bool *has_mask);
/* "YYYY-MM-DD" "HH:MM:SS" (read as UTC: see docs/support-archives.md): 0 or -EINVAL. */
int xd_ipx_datetime(const char *date, const char *time, uint64_t *ret);
/* A lifetime value "(INF)(bytes)", "100(bytes)", "0(sec)": the number (XD_INF for INF). */
int xd_ipx_lft_value(const char *t, uint64_t *ret);
/* A selector after "src"/"sel": "src A/p dst B/p [proto P] [sport N] [dport N] [type N]
 * [code N] [dev IF] [uid N]" from token i; 0 or -EINVAL. */
int xd_ipx_selector(char *const *tok, size_t n, struct xd_selector *sel);
/* Name of an IP protocol as iproute2 prints it ("tcp", "esp", "ipv6-icmp") or a number. */
int xd_ipx_l4proto(const char *t, uint8_t *ret);
void xd_ipx_issue(struct xd_snapshot *s, enum xd_dump d, size_t off, const char *what);

/*
 * The block structure `ip xfrm state` and `ip xfrm policy` share: an object starts with an
 * unindented "src ..." line, its attributes follow on indented lines. The walker reports
 * what falls outside that structure as decode issues (the importer's static texts) and leaves the
 * lines to the importer's callbacks: begin() an object (<0: skip it), attr() one of its
 * lines, commit() the open object (also at the end; <0 stops the walk with that error).
 */
struct xd_ipx_importer {
	enum xd_dump dump;
	/* decode issues keep their text by reference: static strings */
	const char *too_long, *outside, *before_first;
	int (*begin)(void *ud, const struct ipx_line *l);
	void (*attr)(void *ud, const struct ipx_line *l);
	int (*commit)(void *ud);
	bool (*open)(const void *ud); /* is an object open? */
};

int xd_ipx_walk(struct xd_snapshot *s, const void *buf, size_t len,
		const struct xd_ipx_importer *imp, void *ud);
