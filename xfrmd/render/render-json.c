/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * render-json.c: the reference output (docs/xfrmctl-json.md, docs/schema/xfrmctl.schema.json).
 * Each SA and policy is built as one json-c object, written and released, so a dump of a
 * million SAs never sits in memory as one tree. The envelope is written here; every key and
 * string still goes through json-c for escaping. Absent values are omitted, never null.
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "json-util.h"
#include "render-kstack.h"
#include "render-certs.h"
#include "render-ike.h"
#include "render-route.h"
#include "xfrmd/model.h"
#include "xfrmd/names.h"
#include "xfrmd/render.h"

struct json_object *xd_json_flags(uint32_t bits, const struct xd_flag_name *names)
{
	struct json_object *a = json_object_new_array();
	uint32_t known = 0;

	for (const struct xd_flag_name *n = names; n->name; n++) {
		known |= n->bit;
		if (bits & n->bit)
			json_object_array_add(a, json_object_new_string(n->name));
	}
	/* unknown bits stay visible as numbers */
	for (unsigned b = 0; b < 32; b++)
		if ((bits & ~known) & (1u << b))
			json_object_array_add(a, json_object_new_int64(1ll << b));
	return a;
}

/* Length of the valid UTF-8 sequence at p (1-4), or 0 if the byte starts none. */
static size_t utf8_seq(const unsigned char *p)
{
	size_t n;
	uint32_t cp;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2, cp = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3, cp = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4, cp = p[0] & 0x07;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	/* no overlong forms, no surrogates, nothing above U+10FFFF */
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

struct json_object *xd_json_string(const char *v)
{
	const unsigned char *p = (const unsigned char *)v;
	size_t len = strlen(v), o = 0;
	char *buf;
	struct json_object *j;

	for (size_t i = 0, n; i < len; i += n)
		if (!(n = utf8_seq(p + i)))
			goto sanitize;
	return json_object_new_string(v);
sanitize:
	buf = malloc(len * 4 + 1);
	if (!buf)
		return json_object_new_string("");
	for (size_t i = 0; i < len;) {
		size_t n = utf8_seq(p + i);
		if (n) {
			memcpy(buf + o, p + i, n);
			o += n;
			i += n;
		} else {
			o += (size_t)snprintf(buf + o, 5, "\\x%02x", p[i]);
			i++;
		}
	}
	buf[o] = '\0';
	j = json_object_new_string(buf);
	free(buf);
	return j;
}

int xd_json_flags_for(const struct xd_render_opts *o)
{
	return (o && o->pretty ? JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED
			       : JSON_C_TO_STRING_PLAIN) |
	       JSON_C_TO_STRING_NOSLASHESCAPE;
}

int xd_json_emit_open(FILE *out, struct json_object *o, int flags)
{
	const char *s = json_object_to_json_string_ext(o, flags);
	size_t n = strlen(s);
	int r;

	/* drop the closing brace (and the newline before it when pretty) */
	while (n && (s[n - 1] == '}' || s[n - 1] == '\n' || s[n - 1] == ' '))
		if (s[--n] == '}')
			break;
	r = fwrite(s, 1, n, out) == n ? 0 : -EIO;
	json_object_put(o);
	return r;
}

int xd_json_emit(FILE *out, struct json_object *o, int flags)
{
	const char *s = json_object_to_json_string_ext(o, flags);
	int r = fputs(s, out) < 0 ? -EIO : 0;

	json_object_put(o);
	return r;
}

static const char *family_name(uint16_t f)
{
	return f == AF_INET ? "inet" : f == AF_INET6 ? "inet6" : f == 0 ? "unspec" : NULL;
}

static struct json_object *selector_json(const struct xd_selector *sel)
{
	struct json_object *o = json_object_new_object();
	char buf[80];

	xd_json_add_enum(o, "family", family_name(sel->family), sel->family);
	xd_json_add_str(o, "src", xd_prefix_fmt(&sel->saddr, sel->family, sel->prefixlen_s, buf,
						sizeof(buf)));
	xd_json_add_str(o, "dst", xd_prefix_fmt(&sel->daddr, sel->family, sel->prefixlen_d, buf,
						sizeof(buf)));
	xd_json_add_enum(o, "proto", xd_name_l4proto(sel->proto), sel->proto);
	if (sel->sport_mask) {
		xd_json_add_u64(o, "sport", sel->sport);
		xd_json_add_u64(o, "sport_mask", sel->sport_mask);
	}
	if (sel->dport_mask) {
		xd_json_add_u64(o, "dport", sel->dport);
		xd_json_add_u64(o, "dport_mask", sel->dport_mask);
	}
	if (sel->ifindex)
		xd_json_add(o, "ifindex", json_object_new_int64(sel->ifindex));
	if (sel->user)
		xd_json_add_u64(o, "user", sel->user);
	return o;
}

static void add_limit(struct json_object *o, const char *k, uint64_t v)
{
	/* XFRM_INF and anything no counter can reach means "no limit": omitted */
	if (v != XD_INF && v <= INT64_MAX)
		xd_json_add_u64(o, k, v);
}

static struct json_object *lifetime_json(const struct xd_lifetime_cfg *l,
					 const struct xd_lifetime_cur *c)
{
	struct json_object *o = json_object_new_object();
	struct json_object *cfg = json_object_new_object();
	struct json_object *cur = json_object_new_object();

	add_limit(cfg, "soft_byte_limit", l->soft_byte_limit);
	add_limit(cfg, "hard_byte_limit", l->hard_byte_limit);
	add_limit(cfg, "soft_packet_limit", l->soft_packet_limit);
	add_limit(cfg, "hard_packet_limit", l->hard_packet_limit);
	add_limit(cfg, "soft_add_expires_s", l->soft_add_expires_s);
	add_limit(cfg, "hard_add_expires_s", l->hard_add_expires_s);
	add_limit(cfg, "soft_use_expires_s", l->soft_use_expires_s);
	add_limit(cfg, "hard_use_expires_s", l->hard_use_expires_s);
	xd_json_add_u64(cur, "bytes", c->bytes);
	xd_json_add_u64(cur, "packets", c->packets);
	xd_json_add_u64(cur, "add_time", c->add_time);
	xd_json_add_u64(cur, "use_time", c->use_time);
	xd_json_add(o, "config", cfg);
	xd_json_add(o, "current", cur);
	return o;
}

static struct json_object *alg_json(const struct xd_alg *a, const char *icv_key)
{
	struct json_object *o = json_object_new_object();

	xd_json_add_str(o, "name", a->name ? a->name : "");
	xd_json_add_u64(o, "key_bits", a->key_bits);
	if (icv_key)
		xd_json_add_u64(o, icv_key, a->icv_bits);
	return o;
}

static struct json_object *mark_json(const struct xd_mark *m)
{
	struct json_object *o = json_object_new_object();

	xd_json_add_u64(o, "value", m->v);
	xd_json_add_u64(o, "mask", m->m);
	return o;
}

struct json_object *xd_sa_json(const struct xd_sa *sa)
{
	struct json_object *o = json_object_new_object();
	const struct xd_sa_ext *x = sa->ext;

	xd_json_add_addr(o, "src", &sa->saddr, sa->family);
	xd_json_add_addr(o, "dst", &sa->daddr, sa->family);
	xd_json_add_enum(o, "proto", xd_name_proto(sa->proto), sa->proto);
	xd_json_add_u64(o, "spi", sa->spi);
	xd_json_add_u64(o, "reqid", sa->reqid);
	xd_json_add_enum(o, "mode", xd_name_mode(sa->mode), sa->mode);
	xd_json_add_enum(o, "family", family_name(sa->family), sa->family);
	if (sa->has & XD_SA_HAS_DIR)
		xd_json_add_enum(o, "dir", xd_name_sa_dir(sa->dir), sa->dir);
	xd_json_add(o, "selector", selector_json(&sa->sel));
	xd_json_add(o, "flags", xd_json_flags(sa->flags, xd_sa_flag_names));
	if (sa->has & XD_SA_HAS_EXTRA_FLAGS)
		xd_json_add(o, "extra_flags", xd_json_flags(sa->extra_flags, xd_sa_extra_flag_names));

	struct json_object *algs = json_object_new_object();
	if (sa->has & XD_SA_HAS_AEAD)
		xd_json_add(algs, "aead", alg_json(&sa->algs->aead, "icv_bits"));
	if (sa->has & XD_SA_HAS_ENC)
		xd_json_add(algs, "enc", alg_json(&sa->algs->enc, NULL));
	if (sa->has & XD_SA_HAS_AUTH)
		xd_json_add(algs, "auth", alg_json(&sa->algs->auth, "trunc_bits"));
	if (sa->has & XD_SA_HAS_COMP)
		xd_json_add(algs, "comp", alg_json(&sa->algs->comp, NULL));
	xd_json_add(o, "algorithms", algs);

	if (sa->has & XD_SA_HAS_ENCAP) {
		struct json_object *e = json_object_new_object();
		xd_json_add_enum(e, "type", xd_name_encap(sa->encap.type), sa->encap.type);
		xd_json_add_u64(e, "sport", sa->encap.sport);
		xd_json_add_u64(e, "dport", sa->encap.dport);
		xd_json_add_addr(e, "oa", &sa->encap.oa, sa->family);
		xd_json_add(o, "encap", e);
	}
	if (sa->has & XD_SA_HAS_MARK)
		xd_json_add(o, "mark", mark_json(&sa->mark));
	if (sa->has & XD_SA_HAS_SET_MARK) {
		struct json_object *m = json_object_new_object();
		xd_json_add_u64(m, "value", sa->set_mark);
		if (sa->has & XD_SA_HAS_SET_MARK_MASK && x)
			xd_json_add_u64(m, "mask", x->set_mark_mask);
		xd_json_add(o, "output_mark", m);
	}
	if (sa->has & XD_SA_HAS_IF_ID)
		xd_json_add_u64(o, "if_id", sa->if_id);

	struct json_object *rp = json_object_new_object();
	xd_json_add_u64(rp, "window", sa->replay.window);
	/* ESN is the SA flag; the kernel also sends the ESN replay state for windows > 32 */
	xd_json_add(rp, "esn", json_object_new_boolean(!!(sa->flags & 128)));
	if (sa->has & (XD_SA_HAS_REPLAY | XD_SA_HAS_REPLAY_ESN)) {
		xd_json_add_u64(rp, "oseq", sa->replay.oseq);
		xd_json_add_u64(rp, "seq", sa->replay.seq);
	}
	if (sa->has & XD_SA_HAS_REPLAY_ESN) {
		xd_json_add_u64(rp, "oseq_hi", sa->replay.oseq_hi);
		xd_json_add_u64(rp, "seq_hi", sa->replay.seq_hi);
		xd_json_add_u64(rp, "bitmap_words", sa->replay.bmp_len);
	} else if (sa->has & XD_SA_HAS_REPLAY) {
		xd_json_add_u64(rp, "bitmap", sa->replay.bitmap);
	}
	xd_json_add(o, "replay", rp);

	struct json_object *lt = lifetime_json(sa->lft, &sa->curlft);
	if (sa->has & XD_SA_HAS_LASTUSED)
		xd_json_add_u64(json_object_object_get(lt, "current"), "last_used", sa->lastused);
	xd_json_add(o, "lifetime", lt);

	struct json_object *st = json_object_new_object();
	xd_json_add_u64(st, "replay_window", sa->stats_replay_window);
	xd_json_add_u64(st, "replay", sa->stats_replay);
	xd_json_add_u64(st, "integrity_failed", sa->stats_integrity_failed);
	xd_json_add(o, "stats", st);
	if (sa->km_seq)
		xd_json_add_u64(o, "km_seq", sa->km_seq);

	if (x) {
		if (sa->has & XD_SA_HAS_SEC_CTX)
			xd_json_add_str(o, "sec_ctx", x->sec_ctx);
		if (sa->has & XD_SA_HAS_COADDR)
			xd_json_add_addr(o, "coaddr", &x->coaddr, sa->family);
		if (sa->has & XD_SA_HAS_OFFLOAD) {
			struct json_object *of = json_object_new_object();
			xd_json_add(of, "ifindex", json_object_new_int64(x->offload_ifindex));
			xd_json_add_u64(of, "flags", x->offload_flags);
			xd_json_add(o, "offload", of);
		}
		if (sa->has & XD_SA_HAS_PCPU)
			xd_json_add_u64(o, "pcpu", x->pcpu);
		if (sa->has & XD_SA_HAS_TFCPAD)
			xd_json_add_u64(o, "tfcpad_bytes", x->tfcpad);
		if (sa->has & XD_SA_HAS_MTIMER)
			xd_json_add_u64(o, "mapping_thresh_s", x->mtimer_thresh_s);
		if (sa->has & XD_SA_HAS_NAT_KEEPALIVE)
			xd_json_add_u64(o, "nat_keepalive_interval_s", x->nat_keepalive_interval_s);
		if (sa->has & XD_SA_HAS_IPTFS) {
			struct json_object *ip = json_object_new_object();
			xd_json_add_u64(ip, "drop_time_us", x->iptfs_drop_time_us);
			xd_json_add_u64(ip, "reorder_window", x->iptfs_reorder_window);
			xd_json_add_u64(ip, "init_delay_us", x->iptfs_init_delay_us);
			xd_json_add_u64(ip, "max_queue_bytes", x->iptfs_max_qsize);
			xd_json_add_u64(ip, "packet_size_bytes", x->iptfs_pkt_size);
			xd_json_add(ip, "dont_frag", json_object_new_boolean(x->iptfs_dont_frag));
			xd_json_add(o, "iptfs", ip);
		}
	}
	return o;
}

static struct json_object *tmpl_json(const struct xd_tmpl *t)
{
	struct json_object *o = json_object_new_object();

	xd_json_add_addr(o, "src", &t->saddr, t->family);
	xd_json_add_addr(o, "dst", &t->daddr, t->family);
	xd_json_add_enum(o, "proto", xd_name_proto(t->proto), t->proto);
	xd_json_add_u64(o, "spi", t->spi);
	xd_json_add_u64(o, "reqid", t->reqid);
	xd_json_add_enum(o, "mode", xd_name_mode(t->mode), t->mode);
	xd_json_add_enum(o, "family", family_name(t->family), t->family);
	xd_json_add(o, "optional", json_object_new_boolean(t->optional != 0));
	xd_json_add_u64(o, "share", t->share);
	xd_json_add_u64(o, "aalgos", t->aalgos);
	xd_json_add_u64(o, "ealgos", t->ealgos);
	xd_json_add_u64(o, "calgos", t->calgos);
	return o;
}

static struct json_object *policy_json(const struct xd_snapshot *s, const struct xd_policy *p)
{
	struct json_object *o = json_object_new_object();
	struct json_object *tl = json_object_new_array();

	xd_json_add_enum(o, "dir", xd_name_policy_dir(p->dir), p->dir);
	xd_json_add_u64(o, "priority", p->priority);
	xd_json_add_u64(o, "index", p->index);
	xd_json_add_enum(o, "action", xd_name_policy_action(p->action), p->action);
	xd_json_add(o, "selector", selector_json(&p->sel));
	xd_json_add(o, "flags", xd_json_flags(p->flags, xd_policy_flag_names));
	if (p->has & XD_POL_HAS_TYPE)
		xd_json_add_str(o, "type", p->type == 0 ? "main" : p->type == 1 ? "sub" : "unknown");
	if (p->has & XD_POL_HAS_MARK)
		xd_json_add(o, "mark", mark_json(&p->mark));
	if (p->has & XD_POL_HAS_IF_ID)
		xd_json_add_u64(o, "if_id", p->if_id);
	if (p->has & XD_POL_HAS_SEC_CTX)
		xd_json_add_str(o, "sec_ctx", p->sec_ctx);
	if (p->has & XD_POL_HAS_OFFLOAD) {
		struct json_object *of = json_object_new_object();
		xd_json_add(of, "ifindex", json_object_new_int64(p->offload_ifindex));
		xd_json_add_u64(of, "flags", p->offload_flags);
		xd_json_add(o, "offload", of);
	}
	for (uint32_t i = 0; i < p->tmpl_count; i++)
		json_object_array_add(tl, tmpl_json(xd_policy_tmpl(s, p, i)));
	xd_json_add(o, "templates", tl);
	xd_json_add(o, "lifetime", lifetime_json(p->lft, &p->curlft));
	return o;
}

struct json_object *xd_meta_json(const struct xd_snapshot *s)
{
	const struct xd_meta *m = &s->meta;
	struct json_object *o = json_object_new_object();
	struct json_object *dumps = json_object_new_object();
	char ts[64];

	xd_json_add(o, "schema_version", json_object_new_int(XD_SCHEMA_VERSION));
	xd_json_add_str(o, "schema", XD_SCHEMA_ID);
	xd_json_add_str(o, "tool", m->tool);
	xd_json_add_str(o, "source", xd_source_name(m->source));
	xd_json_add_str(o, "kernel_release", m->kernel_release);
	xd_json_add_str(o, "machine", m->machine);
	if (m->netns[0])
		xd_json_add_str(o, "netns", m->netns);
	if (xd_fmt_utc(m->captured_at, ts, sizeof(ts) - 1) == 0)
		xd_json_add_str(o, "captured_at", strcat(ts, "Z"));
	for (int d = 0; d < _XD_DUMP_MAX; d++) {
		struct json_object *e;
		if (m->dump_status[d] == XD_DUMP_NOT_COLLECTED)
			continue;
		e = json_object_new_object();
		xd_json_add_str(e, "status", xd_dump_status_name(m->dump_status[d]));
		if (m->dump_attempts[d])
			xd_json_add_u64(e, "attempts", m->dump_attempts[d]);
		if (m->dump_error[d])
			xd_json_add(e, "errno", json_object_new_int(-m->dump_error[d]));
		if (s->dump_input[d])
			xd_json_add_str(e, "input", s->dump_input[d]);
		if (s->dump_reason[d])
			xd_json_add_str(e, "reason", s->dump_reason[d]);
		xd_json_add(dumps, xd_dump_name((enum xd_dump)d), e);
	}
	xd_json_add(o, "dumps", dumps);

	struct json_object *dec = json_object_new_object();
	xd_json_add_u64(dec, "issues", s->issues.len);
	xd_json_add_u64(dec, "unknown_attributes", s->unknown_attrs);
	xd_json_add_u64(dec, "ignored_messages", s->ignored_msgs);
	if (m->keys_scrubbed_on_load)
		xd_json_add_u64(dec, "keys_scrubbed_on_load", m->keys_scrubbed_on_load);
	xd_json_add(o, "decode", dec);
	return o;
}

static struct json_object *stats_json(const struct xd_snapshot *s)
{
	struct json_object *o = json_object_new_object();

	if (s->xfrm_stat.present) {
		struct json_object *c = json_object_new_object();
		for (size_t i = 0; i < s->xfrm_stat.counters.len; i++) {
			const struct xd_counter *k = xd_vec_at(&s->xfrm_stat.counters, i);
			xd_json_add_u64(c, k->name, k->value);
		}
		xd_json_add(o, "xfrm_stat", c);
	}
	if (s->sadinfo.present) {
		struct json_object *a = json_object_new_object();
		xd_json_add_u64(a, "count", s->sadinfo.count);
		xd_json_add_u64(a, "hash_buckets", s->sadinfo.hash_count);
		xd_json_add_u64(a, "hash_max", s->sadinfo.hash_max);
		xd_json_add(o, "sad", a);
	}
	if (s->spdinfo.present) {
		const struct xd_spdinfo *i = &s->spdinfo;
		struct json_object *a = json_object_new_object();
		xd_json_add_u64(a, "in", i->in);
		xd_json_add_u64(a, "out", i->out);
		xd_json_add_u64(a, "fwd", i->fwd);
		xd_json_add_u64(a, "socket_in", i->sock_in);
		xd_json_add_u64(a, "socket_out", i->sock_out);
		xd_json_add_u64(a, "socket_fwd", i->sock_fwd);
		xd_json_add_u64(a, "hash_buckets", i->hash_count);
		xd_json_add_u64(a, "hash_max", i->hash_max);
		xd_json_add(o, "spd", a);
	}
	if (s->defaults.present) {
		struct json_object *a = json_object_new_object();
		xd_json_add_enum(a, "in", xd_name_default_action(s->defaults.in), s->defaults.in);
		xd_json_add_enum(a, "fwd", xd_name_default_action(s->defaults.fwd), s->defaults.fwd);
		xd_json_add_enum(a, "out", xd_name_default_action(s->defaults.out), s->defaults.out);
		xd_json_add(o, "default_policy", a);
	}
	return o;
}

static struct json_object *status_json(const struct xd_snapshot *s)
{
	struct json_object *o = json_object_new_object();
	struct json_object *sas = json_object_new_object();
	struct json_object *pols = json_object_new_object();
	uint64_t by_proto[3] = { 0 }, larval = 0, pol_dir[6] = { 0 }, pol_other = 0;
	uint64_t nonzero = 0;

	for (size_t i = 0; i < s->sas.len; i++) {
		const struct xd_sa *sa = xd_snapshot_sa(s, i);
		if (sa->proto == 50)
			by_proto[0]++;
		else if (sa->proto == 51)
			by_proto[1]++;
		else if (sa->proto == 108)
			by_proto[2]++;
		if (sa->spi == 0 && !(sa->has & (XD_SA_HAS_AEAD | XD_SA_HAS_ENC | XD_SA_HAS_AUTH |
						  XD_SA_HAS_COMP)))
			larval++;
	}
	xd_json_add_u64(sas, "total", s->sas.len);
	xd_json_add_u64(sas, "esp", by_proto[0]);
	xd_json_add_u64(sas, "ah", by_proto[1]);
	xd_json_add_u64(sas, "comp", by_proto[2]);
	xd_json_add_u64(sas, "larval", larval);
	for (size_t i = 0; i < s->policies.len; i++) {
		const struct xd_policy *p = xd_snapshot_policy(s, i);
		if (p->dir < 6)
			pol_dir[p->dir]++;
		else
			pol_other++;
	}
	xd_json_add_u64(pols, "total", s->policies.len);
	for (unsigned d = 0; d < 5; d++)
		xd_json_add_u64(pols, xd_name_policy_dir((uint8_t)d), pol_dir[d]);
	xd_json_add(o, "sas", sas);
	xd_json_add(o, "policies", pols);
	if (s->xfrm_stat.present) {
		struct json_object *c = json_object_new_object();
		for (size_t i = 0; i < s->xfrm_stat.counters.len; i++) {
			const struct xd_counter *k = xd_vec_at(&s->xfrm_stat.counters, i);
			if (k->value) {
				xd_json_add_u64(c, k->name, k->value);
				nonzero++;
			}
		}
		xd_json_add(o, "xfrm_stat_nonzero", c);
	}
	return o;
}

int xd_render_json(FILE *out, const struct xd_snapshot *s, unsigned what,
		   const struct xd_render_opts *o)
{
	int flags = xd_json_flags_for(o);
	const char *sep = o && o->pretty ? ",\n" : ",";
	int r = 0;

	fputs("{\"meta\":", out);
	r |= xd_json_emit(out, xd_meta_json(s), flags);
	if (what & XD_RENDER_STATUS) {
		fputs(",\"status\":", out);
		r |= xd_json_emit(out, status_json(s), flags);
	}
	if (what & XD_RENDER_SA) {
		fputs(",\"sas\":[", out);
		for (size_t i = 0; i < s->sas.len; i++) {
			if (i)
				fputs(sep, out);
			r |= xd_json_emit(out, xd_sa_json(xd_snapshot_sa(s, i)), flags);
		}
		fputs("]", out);
	}
	if (what & XD_RENDER_POLICY) {
		fputs(",\"policies\":[", out);
		for (size_t i = 0; i < s->policies.len; i++) {
			if (i)
				fputs(sep, out);
			r |= xd_json_emit(out, policy_json(s, xd_snapshot_policy(s, i)), flags);
		}
		fputs("]", out);
	}
	if (what & XD_RENDER_STATS) {
		/* top-level "xfrm_stat", "sad", "spd", "default_policy" (each when present) */
		struct json_object *st = stats_json(s);
		json_object_object_foreach(st, key, val) {
			fprintf(out, ",\"%s\":", key); /* keys are our own constants */
			r |= xd_json_emit(out, json_object_get(val), flags);
		}
		json_object_put(st);
	}
	if (what & XD_RENDER_KERNEL) {
		fputs(",\"kernel\":", out);
		r |= xd_json_emit(out, xd_json_kernel(s), flags);
	}
	if (what & XD_RENDER_STACK) {
		bool first = true;

		/* the stack object, reopened to stream one fingerprint per policy into it */
		fputs(",\"stack\":", out);
		r |= xd_json_emit_open(out, xd_json_stack(s), flags);
		fputs(",\"policy_fingerprints\":[", out);
		for (size_t i = 0; i < s->policies.len; i++) {
			struct json_object *e = xd_json_policy_fingerprint(s, xd_snapshot_policy(s, i));
			if (!e)
				continue;
			if (!first)
				fputs(sep, out);
			first = false;
			r |= xd_json_emit(out, e, flags);
		}
		fputs("]}", out);
	}
	if (what & XD_RENDER_CERTS)
		r |= xd_render_certs_json(out, s, flags, sep);
	if (what & XD_RENDER_IKE)
		r |= xd_render_ike_json(out, s, flags);
	if (what & XD_RENDER_ROUTES)
		r |= xd_render_routes_json(out, s, flags, sep);
	if (what & XD_RENDER_RULES)
		r |= xd_render_rules_json(out, s, flags, sep);
	fputs("}\n", out);
	if (r || ferror(out))
		return -EIO;
	return 0;
}
