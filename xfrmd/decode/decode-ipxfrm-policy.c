/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * decode-ipxfrm-policy.c: `ip [-s] [-d] xfrm policy` text -> the same policies and templates
 * the netlink decoder makes (docs/support-archives.md). An entry starts at an unindented
 * selector line ("src A/p dst B/p [proto ...]"); "dir"/"socket" gives direction, action,
 * index, priority and type; each "tmpl src X dst Y" opens a template whose "proto/reqid/mode",
 * "level" and "*-mask" lines follow. What -s adds (index, lifetimes) is read when present.
 */
#include <errno.h>
#include <string.h>

#include "ipxfrm-text.h"
#include "xfrmd/decode.h"
#include "xfrmd/names.h"

#define MAX_TMPLS 6 /* XFRM_MAX_DEPTH */

enum section { SEC_NONE, SEC_LFT_CFG, SEC_LFT_CUR };

struct pt {
	struct xd_snapshot *s;
	bool open;
	struct xd_policy p;
	struct xd_lifetime_cfg lft;
	struct xd_tmpl t[MAX_TMPLS];
	size_t nt;
	bool in_tmpl;
	enum section sec;
};

#define ISSUE(pt, l, what) xd_ipx_issue((pt)->s, XD_DUMP_XFRM_POLICY, (l)->off, what)

static int commit(void *ud)
{
	struct pt *pt = ud;
	struct xd_policy *p;

	if (!pt->open)
		return 0;
	pt->open = false;
	pt->p.tmpl_first = (uint32_t)pt->s->tmpls.len;
	for (size_t i = 0; i < pt->nt; i++) {
		struct xd_tmpl *t = xd_vec_push(&pt->s->tmpls);
		if (!t)
			return -ENOMEM;
		*t = pt->t[i];
	}
	pt->p.tmpl_count = (uint32_t)pt->nt;
	p = xd_vec_push(&pt->s->policies);
	if (!p)
		return -ENOMEM;
	*p = pt->p;
	p->lft = xd_snapshot_intern_blob(pt->s, &pt->lft, sizeof(pt->lft));
	if (!p->lft)
		p->lft = &xd_lifetime_none;
	return 0;
}

static int begin(void *ud, const struct ipx_line *l)
{
	struct pt *pt = ud;
	memset(&pt->p, 0, sizeof(pt->p));
	memset(pt->t, 0, sizeof(pt->t));
	pt->nt = 0;
	pt->in_tmpl = false;
	pt->sec = SEC_NONE;
	pt->lft = xd_lifetime_none;
	if (xd_ipx_selector(l->tok, l->n, &pt->p.sel) < 0) {
		ISSUE(pt, l, "ip xfrm policy: unreadable selector line");
		return -EINVAL;
	}
	pt->p.type = 0;
	pt->open = true;
	return 0;
}

/* "dir out action allow index 8 priority 0 ptype main share any flag localok (0x00000001)",
 * "socket in priority 0 ptype main" */
static void dir_line(struct pt *pt, const struct ipx_line *l)
{
	const char *d = l->tok[1];
	bool ok = true, in_flags = false;
	uint32_t v;

	if (strcmp(d, "in") == 0)
		pt->p.dir = 0;
	else if (strcmp(d, "out") == 0)
		pt->p.dir = 1;
	else if (strcmp(d, "fwd") == 0)
		pt->p.dir = 2;
	else if (xd_ipx_u32(d, &v) == 0 && v <= 255)
		pt->p.dir = (uint8_t)v; /* "dir 4": a direction this iproute2 had no name for */
	else
		ok = false;
	if (ok && l->tok[0][0] == 's') /* socket policies: XFRM_POLICY_MAX + dir */
		pt->p.dir = (uint8_t)(pt->p.dir + 3);
	for (size_t i = 2; i < l->n && ok; i++) {
		const char *k = l->tok[i], *t = i + 1 < l->n ? l->tok[i + 1] : NULL;
		if (in_flags) {
			size_t n = strlen(k);
			if (k[0] == '(' && n > 2 && k[n - 1] == ')') {
				char b[16];
				if (n - 2 < sizeof(b)) {
					memcpy(b, k + 1, n - 2);
					b[n - 2] = '\0';
					if (xd_ipx_u32(b, &v) == 0)
						pt->p.flags = (uint8_t)v;
				}
			} else if (strcmp(k, "localok") == 0) {
				pt->p.flags |= 1;
			} else if (strcmp(k, "icmp") == 0) {
				pt->p.flags |= 2;
			}
			continue;
		}
		if (strcmp(k, "flag") == 0) {
			in_flags = true;
			continue;
		}
		if (!t) {
			ok = false;
			break;
		}
		i++;
		if (strcmp(k, "action") == 0)
			pt->p.action = strcmp(t, "block") == 0 ? 1 : strcmp(t, "allow") == 0 ? 0 : 255;
		else if (strcmp(k, "index") == 0)
			ok = xd_ipx_u32(t, &pt->p.index) == 0;
		else if (strcmp(k, "priority") == 0)
			ok = xd_ipx_u32(t, &pt->p.priority) == 0;
		else if (strcmp(k, "ptype") == 0) {
			pt->p.type = strcmp(t, "sub") == 0 ? 1 : 0;
			pt->p.has |= XD_POL_HAS_TYPE;
		} else if (strcmp(k, "share") == 0)
			pt->p.share = strcmp(t, "any") == 0	   ? 0
				      : strcmp(t, "session") == 0 ? 1
				      : strcmp(t, "user") == 0	   ? 2
								   : 3;
		else
			ok = false;
	}
	if (!ok || pt->p.action == 255)
		ISSUE(pt, l, "ip xfrm policy: unreadable dir line");
}

static void tmpl_begin(struct pt *pt, const struct ipx_line *l)
{
	struct xd_tmpl *t;
	uint16_t f1 = 0, f2 = 0;

	if (pt->nt == MAX_TMPLS) {
		ISSUE(pt, l, "ip xfrm policy: more templates than the kernel allows");
		pt->in_tmpl = false;
		return;
	}
	t = &pt->t[pt->nt];
	memset(t, 0, sizeof(*t));
	t->aalgos = t->ealgos = t->calgos = UINT32_MAX; /* what ip sets when it prints no mask */
	if (l->n < 5 || strcmp(l->tok[1], "src") != 0 || strcmp(l->tok[3], "dst") != 0 ||
	    xd_ipx_prefix(l->tok[2], &t->saddr, &f1, NULL) < 0 ||
	    xd_ipx_prefix(l->tok[4], &t->daddr, &f2, NULL) < 0 || f1 != f2) {
		ISSUE(pt, l, "ip xfrm policy: unreadable tmpl line");
		pt->in_tmpl = false;
		return;
	}
	t->family = f1;
	pt->nt++;
	pt->in_tmpl = true;
}

static uint8_t mode_value(const char *t, bool *ok)
{
	static const char *const names[] = { "transport", "tunnel", "ro", "in_trigger", "beet",
					     "iptfs" };
	uint32_t v;

	*ok = true;
	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(t, names[i]) == 0)
			return (uint8_t)i;
	if (xd_ipx_u32(t, &v) == 0 && v <= 255)
		return (uint8_t)v;
	*ok = false;
	return 0;
}

static bool hex_mask(const char *t, uint32_t *ret)
{
	char b[16];
	size_t n = strlen(t);

	/* iproute2 prints the masks as bare hex ("ffffffff") */
	if (t[0] == '0' && t[1] == 'x')
		return xd_ipx_u32(t, ret) == 0;
	if (n == 0 || n + 2 >= sizeof(b))
		return false;
	b[0] = '0';
	b[1] = 'x';
	memcpy(b + 2, t, n + 1);
	return xd_ipx_u32(b, ret) == 0;
}

static void tmpl_line(struct pt *pt, const struct ipx_line *l)
{
	struct xd_tmpl *t = &pt->t[pt->nt - 1];
	bool ok = true;

	for (size_t i = 0; i + 1 < l->n && ok; i += 2) {
		const char *k = l->tok[i], *v = l->tok[i + 1];
		if (strcmp(k, "proto") == 0)
			ok = xd_ipx_l4proto(v, &t->proto) == 0;
		else if (strcmp(k, "spi") == 0)
			ok = xd_ipx_u32(v, &t->spi) == 0;
		else if (strcmp(k, "reqid") == 0)
			ok = xd_ipx_u32(v, &t->reqid) == 0;
		else if (strcmp(k, "mode") == 0)
			t->mode = mode_value(v, &ok);
		else if (strcmp(k, "level") == 0)
			t->optional = strcmp(v, "use") == 0;
		else if (strcmp(k, "share") == 0)
			t->share = strcmp(v, "any") == 0 ? 0 : strcmp(v, "session") == 0 ? 1
				   : strcmp(v, "user") == 0				 ? 2
												 : 3;
		else if (strcmp(k, "enc-mask") == 0)
			ok = hex_mask(v, &t->ealgos);
		else if (strcmp(k, "auth-mask") == 0)
			ok = hex_mask(v, &t->aalgos);
		else if (strcmp(k, "comp-mask") == 0)
			ok = hex_mask(v, &t->calgos);
		else
			ok = false;
	}
	if (!ok)
		ISSUE(pt, l, "ip xfrm policy: unreadable template line");
}

static void lft_line(struct pt *pt, const struct ipx_line *l)
{
	uint64_t soft, hard;

	if (pt->sec == SEC_LFT_CUR) {
		struct xd_lifetime_cur *c = &pt->p.curlft;
		bool ok;
		if (strcmp(l->tok[0], "add") == 0) {
			ok = l->n >= 3 && xd_ipx_datetime(l->tok[1], l->tok[2], &c->add_time) == 0;
			if (ok && l->n >= 6 && strcmp(l->tok[3], "use") == 0)
				ok = xd_ipx_datetime(l->tok[4], l->tok[5], &c->use_time) == 0;
		} else {
			ok = l->n >= 2 && xd_ipx_u64(l->tok[0], &c->bytes) == 0 &&
			     xd_ipx_u64(l->tok[1], &c->packets) == 0;
		}
		if (!ok)
			ISSUE(pt, l, "ip xfrm policy: unreadable lifetime current line");
		return;
	}
	size_t i = strcmp(l->tok[0], "limit:") == 0 ? 1 : 2;
	if (l->n < i + 4 || xd_ipx_lft_value(l->tok[i + 1], &soft) < 0 ||
	    xd_ipx_lft_value(l->tok[i + 3], &hard) < 0) {
		ISSUE(pt, l, "ip xfrm policy: unreadable lifetime line");
		return;
	}
	if (i == 1 && strstr(l->tok[2], "(bytes)")) {
		pt->lft.soft_byte_limit = soft;
		pt->lft.hard_byte_limit = hard;
	} else if (i == 1) {
		pt->lft.soft_packet_limit = soft;
		pt->lft.hard_packet_limit = hard;
	} else if (strcmp(l->tok[1], "add:") == 0) {
		pt->lft.soft_add_expires_s = soft;
		pt->lft.hard_add_expires_s = hard;
	} else {
		pt->lft.soft_use_expires_s = soft;
		pt->lft.hard_use_expires_s = hard;
	}
}

static void attr_line(void *ud, const struct ipx_line *l)
{
	struct pt *pt = ud;
	const char *k = l->tok[0];

	if (pt->sec != SEC_NONE &&
	    (strcmp(k, "limit:") == 0 || strcmp(k, "expire") == 0 || strcmp(k, "add") == 0 ||
	     (k[0] >= '0' && k[0] <= '9'))) {
		lft_line(pt, l);
		return;
	}
	pt->sec = SEC_NONE;
	if (strcmp(k, "tmpl") == 0) {
		tmpl_begin(pt, l);
		return;
	}
	if (pt->in_tmpl && (strcmp(k, "proto") == 0 || strcmp(k, "level") == 0 ||
			    strcmp(k, "enc-mask") == 0 || strcmp(k, "share") == 0)) {
		tmpl_line(pt, l);
		return;
	}
	pt->in_tmpl = false;
	if ((strcmp(k, "dir") == 0 || strcmp(k, "socket") == 0) && l->n >= 2) {
		dir_line(pt, l);
	} else if (strcmp(k, "mark") == 0 && l->n >= 2) {
		if (xd_ipx_mark(l->tok[1], &pt->p.mark.v, &pt->p.mark.m, NULL) == 0)
			pt->p.has |= XD_POL_HAS_MARK;
		else
			ISSUE(pt, l, "ip xfrm policy: unreadable mark");
	} else if (strcmp(k, "if_id") == 0 && l->n >= 2) {
		if (xd_ipx_u32(l->tok[1], &pt->p.if_id) == 0)
			pt->p.has |= XD_POL_HAS_IF_ID;
		else
			ISSUE(pt, l, "ip xfrm policy: unreadable if_id");
	} else if (strcmp(k, "lifetime") == 0 && l->n >= 2) {
		pt->sec = strcmp(l->tok[1], "config:") == 0 ? SEC_LFT_CFG : SEC_LFT_CUR;
	} else if (strcmp(k, "crypto") == 0 || strcmp(k, "offload") == 0) {
		pt->p.has |= XD_POL_HAS_OFFLOAD;
	} else {
		/* security context and attributes newer than this importer */
		pt->s->unknown_attrs++;
	}
}

static bool is_open(const void *ud)
{
	return ((const struct pt *)ud)->open;
}

int xd_decode_ip_xfrm_policy(struct xd_snapshot *s, const void *buf, size_t len)
{
	static const struct xd_ipx_importer imp = {
		.dump = XD_DUMP_XFRM_POLICY, .too_long = "ip xfrm policy: line too long",
		.outside = "ip xfrm policy: line outside a policy",
		.before_first = "ip xfrm policy: attribute before the first policy",
		.begin = begin, .attr = attr_line, .commit = commit, .open = is_open,
	};
	struct pt pt = { .s = s };

	return xd_ipx_walk(s, buf, len, &imp, &pt);
}
