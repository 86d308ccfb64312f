/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * decode-ipxfrm-state.c: `ip [-s] [-d] xfrm state` text (iproute2 4.x to current) -> the same
 * SAs the netlink decoder makes, for support archives (docs/support-archives.md). A pure
 * parser: one entry starts at an unindented "src A dst B" line, every indented line below it
 * is one attribute. Key material is never read: an algorithm line yields its name and, when
 * printed, its length ("(N bits)" with -s, else the hex digit count); the record was scrubbed
 * before it got here (xd_ipxfrm_scrub). Lines it does not know are counted as unknown
 * attributes (newer iproute2), lines it knows but cannot read become decode issues.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "ipxfrm-text.h"
#include "xfrmd/decode.h"
#include "xfrmd/names.h"

enum section { SEC_NONE, SEC_LFT_CFG, SEC_LFT_CUR, SEC_STATS, SEC_ESN };

struct st {
	struct xd_snapshot *s;
	bool open;
	struct xd_sa sa;
	struct xd_sa_ext ext;
	bool has_ext;
	struct xd_lifetime_cfg lft;
	struct xd_algs algs;
	enum section sec;
};

#define ISSUE(st, l, what) xd_ipx_issue((st)->s, XD_DUMP_XFRM_SA, (l)->off, what)

static int commit(void *ud)
{
	struct st *st = ud;
	struct xd_sa *sa;

	if (!st->open)
		return 0;
	st->open = false;
	sa = xd_vec_push(&st->s->sas);
	if (!sa)
		return -ENOMEM;
	*sa = st->sa;
	sa->lft = xd_snapshot_intern_blob(st->s, &st->lft, sizeof(st->lft));
	sa->algs = xd_snapshot_intern_blob(st->s, &st->algs, sizeof(st->algs));
	if (!sa->lft)
		sa->lft = &xd_lifetime_none;
	if (!sa->algs)
		sa->algs = &xd_algs_none;
	if (st->has_ext) {
		sa->ext = xd_snapshot_alloc(st->s, sizeof(*sa->ext));
		if (sa->ext)
			*sa->ext = st->ext;
	}
	return 0;
}

static int begin(void *ud, const struct ipx_line *l)
{
	struct st *st = ud;
	uint16_t f1 = 0, f2 = 0;

	memset(&st->sa, 0, sizeof(st->sa));
	memset(&st->ext, 0, sizeof(st->ext));
	memset(&st->algs, 0, sizeof(st->algs));
	st->lft = xd_lifetime_none;
	st->has_ext = false;
	st->sec = SEC_NONE;
	if (l->n < 4 || strcmp(l->tok[2], "dst") != 0 ||
	    xd_ipx_prefix(l->tok[1], &st->sa.saddr, &f1, NULL) < 0 ||
	    xd_ipx_prefix(l->tok[3], &st->sa.daddr, &f2, NULL) < 0 || f1 != f2) {
		ISSUE(st, l, "ip xfrm state: unreadable src/dst line");
		return -EINVAL;
	}
	st->sa.family = f1;
	/* ip omits an all-zero selector (family unspec): no "sel" line keeps it so */
	st->open = true;
	return 0;
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

/* "proto esp spi 0x00000100(256) reqid 1(0x00000001) mode tunnel" */
static void id_line(struct st *st, const struct ipx_line *l)
{
	bool ok = true;

	for (size_t i = 0; i + 1 < l->n && ok; i += 2) {
		const char *k = l->tok[i], *v = l->tok[i + 1];
		if (strcmp(k, "proto") == 0)
			ok = xd_ipx_l4proto(v, &st->sa.proto) == 0;
		else if (strcmp(k, "spi") == 0)
			ok = xd_ipx_u32(v, &st->sa.spi) == 0;
		else if (strcmp(k, "reqid") == 0)
			ok = xd_ipx_u32(v, &st->sa.reqid) == 0;
		else if (strcmp(k, "mode") == 0)
			st->sa.mode = mode_value(v, &ok);
		else
			ok = false;
	}
	if (!ok)
		ISSUE(st, l, "ip xfrm state: unreadable proto/spi/reqid/mode line");
}

/* flag names as iproute2 prints them ("af-unspec") against the model's ("af_unspec") */
static bool flag_bits(const struct xd_flag_name *names, const char *t, uint32_t *bits)
{
	char buf[32];
	size_t n = strlen(t);
	uint32_t v;

	if (t[0] == '(' || (t[0] == '0' && t[1] == 'x')) {
		/* "(0x00000001)" or "0x1": the raw value iproute2 prints beside or for names */
		if (t[0] == '(') {
			if (n < 3 || n >= sizeof(buf) || t[n - 1] != ')')
				return false;
			memcpy(buf, t + 1, n - 2);
			buf[n - 2] = '\0';
			t = buf;
		}
		if (xd_ipx_u32(t, &v) < 0)
			return false;
		*bits |= v;
		return true;
	}
	if (n >= sizeof(buf))
		return false;
	for (size_t i = 0; i <= n; i++)
		buf[i] = t[i] == '-' ? '_' : t[i];
	for (const struct xd_flag_name *f = names; f->name; f++)
		if (strcmp(f->name, buf) == 0) {
			*bits |= f->bit;
			return true;
		}
	return false;
}

/* "replay-window 32 seq 0x00000000 flag af-unspec esn" (the SA line, not the stats one) */
static void replay_line(struct st *st, const struct ipx_line *l)
{
	uint32_t w = 0, flags = 0;
	bool ok = xd_ipx_u32(l->tok[1], &w) == 0, in_flags = false;

	for (size_t i = 2; i < l->n && ok; i++) {
		if (in_flags) {
			/* unknown names are kept out, not fatal: a newer flag */
			if (!flag_bits(xd_sa_flag_names, l->tok[i], &flags))
				st->s->unknown_attrs++;
		} else if (strcmp(l->tok[i], "flag") == 0) {
			in_flags = true;
		} else if (strcmp(l->tok[i], "seq") == 0 && i + 1 < l->n) {
			ok = xd_ipx_u32(l->tok[++i], &st->sa.km_seq) == 0;
		} else {
			ok = false;
		}
	}
	if (!ok) {
		ISSUE(st, l, "ip xfrm state: unreadable replay-window line");
		return;
	}
	st->sa.replay_window_u8 = (uint8_t)(w > 255 ? 255 : w);
	if (!(st->sa.has & XD_SA_HAS_REPLAY_ESN))
		st->sa.replay.window = w;
	st->sa.flags = (uint8_t)flags;
}

/* "enc cbc(aes) 0x0000...", "auth-trunc hmac(sha256) ******** 128 (256 bits)", "comp deflate" */
static void alg_line(struct st *st, const struct ipx_line *l)
{
	const char *k = l->tok[0];
	struct xd_alg *a;
	uint32_t bits = 0, icv = 0;
	bool have_icv = false;
	uint32_t has;

	if (strcmp(k, "aead") == 0) {
		a = &st->algs.aead;
		has = XD_SA_HAS_AEAD;
	} else if (strcmp(k, "enc") == 0) {
		a = &st->algs.enc;
		has = XD_SA_HAS_ENC;
	} else if (strcmp(k, "comp") == 0) {
		a = &st->algs.comp;
		has = XD_SA_HAS_COMP;
	} else {
		a = &st->algs.auth;
		has = XD_SA_HAS_AUTH;
	}
	if (l->n < 2) {
		ISSUE(st, l, "ip xfrm state: algorithm line without a name");
		return;
	}
	for (size_t i = 2; i < l->n; i++) {
		const char *t = l->tok[i];
		if (t[0] == '0' && t[1] == 'x') {
			/* the key's length only: its digits were zeroed before this point */
			size_t digits = strspn(t + 2, "0123456789abcdefABCDEF");
			bits = (uint32_t)(digits * 4);
		} else if (t[0] == '(' && i + 1 < l->n && strncmp(l->tok[i + 1], "bits", 4) == 0) {
			if (xd_ipx_u32(t + 1, &bits) < 0) {
				ISSUE(st, l, "ip xfrm state: unreadable key length");
				return;
			}
			i++;
		} else if (t[0] >= '0' && t[0] <= '9' && !have_icv && xd_ipx_u32(t, &icv) == 0) {
			have_icv = true;
		}
		/* anything else ("********", sos's mask) says nothing we keep */
	}
	a->name = xd_snapshot_intern(st->s, l->tok[1], strlen(l->tok[1]));
	a->key_bits = bits;
	a->icv_bits = have_icv ? icv : 0;
	st->sa.has |= has;
}

/* "encap type espinudp sport 4500 dport 4500 addr 0.0.0.0" */
static void encap_line(struct st *st, const struct ipx_line *l)
{
	bool ok = true;
	uint16_t f;
	uint32_t v;

	for (size_t i = 1; i + 1 < l->n && ok; i += 2) {
		const char *k = l->tok[i], *t = l->tok[i + 1];
		if (strcmp(k, "type") == 0) {
			if (strcmp(t, "espinudp") == 0)
				st->sa.encap.type = 2;
			else if (strcmp(t, "espinudp-nonike") == 0)
				st->sa.encap.type = 1;
			else if (strcmp(t, "espintcp") == 0)
				st->sa.encap.type = 7;
			else if ((ok = xd_ipx_u32(t, &v) == 0 && v <= 0xffff))
				st->sa.encap.type = (uint16_t)v;
		} else if (strcmp(k, "sport") == 0 || strcmp(k, "dport") == 0) {
			ok = xd_ipx_u32(t, &v) == 0 && v <= 0xffff;
			if (k[0] == 's')
				st->sa.encap.sport = (uint16_t)v;
			else
				st->sa.encap.dport = (uint16_t)v;
		} else if (strcmp(k, "addr") == 0) {
			ok = xd_ipx_prefix(t, &st->sa.encap.oa, &f, NULL) == 0;
		} else {
			ok = false;
		}
	}
	if (!ok) {
		ISSUE(st, l, "ip xfrm state: unreadable encap line");
		return;
	}
	st->sa.has |= XD_SA_HAS_ENCAP;
}

/* "seq 0x0, oseq 0x3, bitmap 0x00000000" or "seq-hi 0x0, seq 0x0, oseq-hi 0x0, oseq 0x3" or
 * "replay_window 2048, bitmap-length 64", from token i */
static bool replay_pairs(struct st *st, const struct ipx_line *l, size_t i)
{
	struct xd_replay *r = &st->sa.replay;

	for (; i + 1 < l->n; i += 2) {
		const char *k = l->tok[i];
		uint32_t v;
		if (xd_ipx_u32(l->tok[i + 1], &v) < 0)
			return false;
		if (strcmp(k, "seq") == 0)
			r->seq = v;
		else if (strcmp(k, "oseq") == 0)
			r->oseq = v;
		else if (strcmp(k, "seq-hi") == 0)
			r->seq_hi = v;
		else if (strcmp(k, "oseq-hi") == 0)
			r->oseq_hi = v;
		else if (strcmp(k, "bitmap") == 0)
			r->bitmap = v;
		else if (strcmp(k, "replay_window") == 0)
			r->window = v;
		else if (strcmp(k, "bitmap-length") == 0)
			r->bmp_len = v;
		else
			return false;
	}
	return true;
}

static void lft_cfg_line(struct st *st, const struct ipx_line *l)
{
	uint64_t soft, hard;

	/* "limit: soft (INF)(bytes), hard (INF)(bytes)", "expire add: soft 0(sec), hard 0(sec)" */
	size_t i = strcmp(l->tok[0], "limit:") == 0 ? 1 : 2;
	if (l->n < i + 4 || strcmp(l->tok[i], "soft") != 0 || strcmp(l->tok[i + 2], "hard") != 0 ||
	    xd_ipx_lft_value(l->tok[i + 1], &soft) < 0 || xd_ipx_lft_value(l->tok[i + 3], &hard) < 0) {
		ISSUE(st, l, "ip xfrm state: unreadable lifetime line");
		return;
	}
	if (i == 1 && strstr(l->tok[2], "(bytes)")) {
		st->lft.soft_byte_limit = soft;
		st->lft.hard_byte_limit = hard;
	} else if (i == 1 && strstr(l->tok[2], "(packets)")) {
		st->lft.soft_packet_limit = soft;
		st->lft.hard_packet_limit = hard;
	} else if (i == 2 && strcmp(l->tok[1], "add:") == 0) {
		st->lft.soft_add_expires_s = soft;
		st->lft.hard_add_expires_s = hard;
	} else if (i == 2 && strcmp(l->tok[1], "use:") == 0) {
		st->lft.soft_use_expires_s = soft;
		st->lft.hard_use_expires_s = hard;
	} else {
		ISSUE(st, l, "ip xfrm state: unreadable lifetime line");
	}
}

/* "0(bytes), 0(packets)" and "add 2026-12-07 19:00:00 use 2026-12-07 19:00:01" ("use -") */
static void lft_cur_line(struct st *st, const struct ipx_line *l)
{
	struct xd_lifetime_cur *c = &st->sa.curlft;
	bool ok = true;

	if (strcmp(l->tok[0], "add") == 0) {
		ok = l->n >= 3 && xd_ipx_datetime(l->tok[1], l->tok[2], &c->add_time) == 0;
		/* "use -": never used */
		if (ok && l->n >= 6 && strcmp(l->tok[3], "use") == 0)
			ok = xd_ipx_datetime(l->tok[4], l->tok[5], &c->use_time) == 0;
	} else {
		ok = l->n >= 2 && xd_ipx_u64(l->tok[0], &c->bytes) == 0 &&
		     xd_ipx_u64(l->tok[1], &c->packets) == 0;
	}
	if (!ok)
		ISSUE(st, l, "ip xfrm state: unreadable lifetime current line");
}

/* "replay-window 0 replay 0 failed 0" under "stats:" */
static void stats_line(struct st *st, const struct ipx_line *l)
{
	bool ok = true;

	for (size_t i = 0; i + 1 < l->n && ok; i += 2) {
		const char *k = l->tok[i];
		uint32_t *dst = strcmp(k, "replay-window") == 0 ? &st->sa.stats_replay_window
				: strcmp(k, "replay") == 0	? &st->sa.stats_replay
				: strcmp(k, "failed") == 0	? &st->sa.stats_integrity_failed
								: NULL;
		ok = dst && xd_ipx_u32(l->tok[i + 1], dst) == 0;
	}
	if (!ok)
		ISSUE(st, l, "ip xfrm state: unreadable stats line");
}

/* "mark V/M", "output-mark V[/M]", "if_id N" pairs, one or more per line */
static void marks_line(struct st *st, const struct ipx_line *l)
{
	bool ok = l->n % 2 == 0, hm;
	uint32_t m;

	for (size_t i = 0; i + 1 < l->n && ok; i += 2) {
		const char *k = l->tok[i], *v = l->tok[i + 1];
		if (strcmp(k, "mark") == 0) {
			ok = xd_ipx_mark(v, &st->sa.mark.v, &st->sa.mark.m, NULL) == 0;
			st->sa.has |= XD_SA_HAS_MARK;
		} else if (strcmp(k, "output-mark") == 0) {
			ok = xd_ipx_mark(v, &st->sa.set_mark, &m, &hm) == 0;
			st->sa.has |= XD_SA_HAS_SET_MARK;
			if (ok && hm) {
				st->ext.set_mark_mask = m;
				st->has_ext = true;
				st->sa.has |= XD_SA_HAS_SET_MARK_MASK;
			}
		} else if (strcmp(k, "if_id") == 0) {
			ok = xd_ipx_u32(v, &st->sa.if_id) == 0;
			st->sa.has |= XD_SA_HAS_IF_ID;
		} else {
			ok = false;
		}
	}
	if (!ok)
		ISSUE(st, l, "ip xfrm state: unreadable mark/output-mark/if_id line");
}

static void attr_line(void *ud, const struct ipx_line *l)
{
	struct st *st = ud;
	const char *k = l->tok[0];
	uint32_t v;

	/* lines that continue the section above them */
	if (st->sec == SEC_LFT_CFG && (strcmp(k, "limit:") == 0 || strcmp(k, "expire") == 0)) {
		lft_cfg_line(st, l);
		return;
	}
	if (st->sec == SEC_LFT_CUR && (strcmp(k, "add") == 0 || (k[0] >= '0' && k[0] <= '9'))) {
		lft_cur_line(st, l);
		return;
	}
	if (st->sec == SEC_STATS && strcmp(k, "replay-window") == 0) {
		stats_line(st, l);
		return;
	}
	if (st->sec == SEC_ESN) {
		if (strcmp(k, "seq-hi") == 0 || strcmp(k, "replay_window") == 0) {
			if (!replay_pairs(st, l, 0))
				ISSUE(st, l, "ip xfrm state: unreadable anti-replay esn line");
			return;
		}
		if (strspn(k, "0123456789abcdef") == strlen(k))
			return; /* ESN bitmap words */
	}
	st->sec = SEC_NONE;
	if (strcmp(k, "proto") == 0) {
		id_line(st, l);
	} else if (strcmp(k, "replay-window") == 0 && l->n >= 2) {
		replay_line(st, l);
	} else if (strcmp(k, "aead") == 0 || strcmp(k, "enc") == 0 || strcmp(k, "auth") == 0 ||
		   strcmp(k, "auth-trunc") == 0 || strcmp(k, "comp") == 0) {
		alg_line(st, l);
	} else if (strcmp(k, "encap") == 0) {
		encap_line(st, l);
	} else if (strcmp(k, "mark") == 0 || strcmp(k, "output-mark") == 0 ||
		   strcmp(k, "if_id") == 0) {
		/* iproute2 6.x prints "mark 0x10/0xff output-mark 0x5/0xffffffff" on one line */
		marks_line(st, l);
	} else if (strcmp(k, "sel") == 0) {
		if (xd_ipx_selector(l->tok + 1, l->n - 1, &st->sa.sel) < 0)
			ISSUE(st, l, "ip xfrm state: unreadable selector");
	} else if (strcmp(k, "lastused") == 0 && l->n >= 3) {
		if (xd_ipx_datetime(l->tok[1], l->tok[2], &st->sa.lastused) == 0)
			st->sa.has |= XD_SA_HAS_LASTUSED;
	} else if (strcmp(k, "anti-replay") == 0 && l->n >= 2) {
		if (strcmp(l->tok[1], "context:") == 0) {
			if (replay_pairs(st, l, 2))
				st->sa.has |= XD_SA_HAS_REPLAY;
			else
				ISSUE(st, l, "ip xfrm state: unreadable anti-replay line");
		} else if (strcmp(l->tok[1], "esn") == 0) {
			st->sa.has |= XD_SA_HAS_REPLAY_ESN;
			st->sec = SEC_ESN;
		}
	} else if (strcmp(k, "lifetime") == 0 && l->n >= 2) {
		st->sec = strcmp(l->tok[1], "config:") == 0 ? SEC_LFT_CFG : SEC_LFT_CUR;
	} else if (strcmp(k, "stats:") == 0) {
		st->sec = SEC_STATS;
	} else if (strcmp(k, "dir") == 0 && l->n >= 2) {
		st->sa.dir = strcmp(l->tok[1], "in") == 0 ? 1 : strcmp(l->tok[1], "out") == 0 ? 2 : 0;
		if (st->sa.dir)
			st->sa.has |= XD_SA_HAS_DIR;
		else
			ISSUE(st, l, "ip xfrm state: unknown dir");
	} else if (strcmp(k, "extra_flag") == 0) {
		for (size_t i = 1; i < l->n; i++)
			if (!flag_bits(xd_sa_extra_flag_names, l->tok[i], &st->sa.extra_flags))
				st->s->unknown_attrs++;
		st->sa.has |= XD_SA_HAS_EXTRA_FLAGS;
	} else if (strcmp(k, "crypto") == 0 || strcmp(k, "offload") == 0) {
		/* "crypto offload parameters: dev eth0 dir in mode packet": the device's index is
		 * not in the text */
		st->ext.offload_ifindex = 0;
		for (size_t i = 1; i + 1 < l->n; i++) {
			if (strcmp(l->tok[i], "dir") == 0 && strcmp(l->tok[i + 1], "in") == 0)
				st->ext.offload_flags |= 2;
			if (strcmp(l->tok[i], "mode") == 0 && strcmp(l->tok[i + 1], "packet") == 0)
				st->ext.offload_flags |= 4;
		}
		st->has_ext = true;
		st->sa.has |= XD_SA_HAS_OFFLOAD;
	} else if (strcmp(k, "tfcpad") == 0 && l->n >= 2 && xd_ipx_u32(l->tok[1], &v) == 0) {
		st->ext.tfcpad = v;
		st->has_ext = true;
		st->sa.has |= XD_SA_HAS_TFCPAD;
	} else if (strcmp(k, "pcpu-num") == 0 && l->n >= 2 && xd_ipx_u32(l->tok[1], &v) == 0) {
		st->ext.pcpu = v;
		st->has_ext = true;
		st->sa.has |= XD_SA_HAS_PCPU;
	} else {
		/* security context, coa, iptfs parameters, newer attributes: not needed offline */
		st->s->unknown_attrs++;
	}
}

static bool is_open(const void *ud)
{
	return ((const struct st *)ud)->open;
}

int xd_decode_ip_xfrm_state(struct xd_snapshot *s, const void *buf, size_t len)
{
	static const struct xd_ipx_importer imp = {
		.dump = XD_DUMP_XFRM_SA, .too_long = "ip xfrm state: line too long",
		.outside = "ip xfrm state: line outside an SA",
		.before_first = "ip xfrm state: attribute before the first SA",
		.begin = begin, .attr = attr_line, .commit = commit, .open = is_open,
	};
	struct st st = { .s = s };

	return xd_ipx_walk(s, buf, len, &imp, &st);
}
