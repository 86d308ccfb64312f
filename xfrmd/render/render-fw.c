/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * render-fw.c: the firewall as JSON and text: the answer of a verdict query with its trace,
 * and the IPsec-relevant view of the rule set (backends, base chains per hook, rules that
 * touch ESP/AH/IKE/NAT-T/secpath/NAT). Decides nothing: relevance is a display filter.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "json-util.h"
#include "xfrmd/fw.h"
#include "xfrmd/model.h"
#include "xfrmd/render.h"


static const char *backend_name(uint8_t b)
{
	return b == XD_FW_LEGACY ? "iptables-legacy" : "nftables";
}

static void add_step(struct json_object *o, const struct xd_fw *fw, const struct xd_fw_trace *t)
{
	char text[512];

	xd_json_add_str(o, "backend", backend_name(t->backend));
	xd_json_add_str(o, "family", xd_fw_family_name(t->family));
	xd_json_add_str(o, "table", t->table);
	xd_json_add_str(o, "chain", t->chain);
	xd_json_add_str(o, "hook", xd_fw_hook_name(t->hook));
	xd_json_add(o, "priority", json_object_new_int(t->prio));
	if (t->rule != UINT32_MAX) {
		xd_json_add_u64(o, "handle", t->handle);
		xd_json_add_str(o, "rule", xd_fw_rule_text(fw, xd_fw_rule_at(fw, t->rule), text,
							   sizeof(text)));
	}
	xd_json_add_str(o, "effect", t->effect);
	xd_json_add_str(o, "note", t->note);
}

static struct json_object *packet_json(const struct xd_fw_packet *p, const uint8_t *hooks,
				       size_t nhooks)
{
	struct json_object *o = json_object_new_object();
	struct json_object *h = json_object_new_array();
	char a[64];
	int af = p->family == XD_NFPROTO_IPV4 ? AF_INET : AF_INET6;

	xd_json_add_str(o, "family", p->family == XD_NFPROTO_IPV4 ? "ip" : "ip6");
	xd_json_add(o, "l4proto", json_object_new_int(p->l4proto));
	xd_json_add_str(o, "src", inet_ntop(af, p->src, a, sizeof(a)));
	xd_json_add_str(o, "dst", inet_ntop(af, p->dst, a, sizeof(a)));
	if (p->has_sport)
		xd_json_add(o, "sport", json_object_new_int(p->sport));
	if (p->has_dport)
		xd_json_add(o, "dport", json_object_new_int(p->dport));
	if (p->has_spi)
		xd_json_add_u64(o, "spi", p->spi);
	if (p->has_icmp_type)
		xd_json_add(o, "icmp_type", json_object_new_int(p->icmp_type));
	if (p->has_icmp_code)
		xd_json_add(o, "icmp_code", json_object_new_int(p->icmp_code));
	if (p->iif[0])
		xd_json_add_str(o, "iif", p->iif);
	if (p->oif[0])
		xd_json_add_str(o, "oif", p->oif);
	xd_json_add_str(o, "ct", p->ct == XD_FW_CT_NEW ? "new" : "established");
	xd_json_add(o, "secpath", json_object_new_boolean(p->secpath));
	xd_json_add(o, "policy_out", json_object_new_boolean(p->policy_out));
	for (size_t i = 0; i < nhooks; i++)
		json_object_array_add(h, json_object_new_string(xd_fw_hook_name(hooks[i])));
	xd_json_add(o, "hooks", h);
	return o;
}

/**
 * xd_render_fw_verdict_json() - {"meta", "verdict", "trace"} for one evaluated packet
 * Returns 0 or -EIO.
 */
int xd_render_fw_verdict_json(FILE *out, const struct xd_snapshot *s,
			      const struct xd_fw_packet *p, const uint8_t *hooks, size_t nhooks,
			      const struct xd_fw_result *res, const struct xd_render_opts *o)
{
	int flags = xd_json_flags_for(o);
	struct json_object *v = json_object_new_object();
	int r = 0;

	fputs("{\"meta\":", out);
	r |= xd_json_emit(out, xd_meta_json(s), flags);
	xd_json_add_str(v, "verdict", xd_fw_verdict_name(res->verdict));
	xd_json_add_str(v, "reason", res->reason);
	xd_json_add(v, "packet", packet_json(p, hooks, nhooks));
	if (res->decider_set) {
		struct json_object *d = json_object_new_object();
		add_step(d, s->fw, &res->decider);
		xd_json_add(v, "decided_by", d);
	}
	if (res->nat) {
		struct json_object *d = json_object_new_object();
		add_step(d, s->fw, &res->nat_rule);
		xd_json_add(v, "nat", d);
	}
	if (res->nat_possible) {
		/* rewritten only in some outcomes of an undecided rule: later chains (and the
		 * path itself) depend on it */
		struct json_object *d = json_object_new_object();
		add_step(d, s->fw, &res->nat_possible_rule);
		xd_json_add(v, "nat_possible", d);
	}
	fputs(",\"verdict\":", out);
	r |= xd_json_emit(out, v, flags);
	fputs(",\"trace\":[", out);
	for (size_t i = 0; i < res->ntrace; i++) {
		struct json_object *t = json_object_new_object();
		add_step(t, s->fw, &res->trace[i]);
		if (i)
			fputs(",", out);
		r |= xd_json_emit(out, t, flags);
	}
	fputs("]}\n", out);
	return r || ferror(out) ? -EIO : 0;
}

static void text_step(FILE *out, const struct xd_fw *fw, const struct xd_fw_trace *t)
{
	char text[512], esc[1024], esc2[1024];

	/* table, chain and rule text come from the kernel or a snapshot: escape them */
	fprintf(out, "  %-11s %s %s %s/%s", xd_fw_hook_name(t->hook) ?: "?",
		t->backend == XD_FW_LEGACY ? "legacy" : "nft",
		xd_fw_family_name(t->family) ?: "?",
		xd_text_escape(t->table, esc, sizeof(esc)),
		xd_text_escape(t->chain, esc2, sizeof(esc2)));
	if (t->rule != UINT32_MAX)
		fprintf(out, " handle %llu: %s", (unsigned long long)t->handle,
			xd_text_escape(xd_fw_rule_text(fw, xd_fw_rule_at(fw, t->rule), text,
						       sizeof(text)),
				       esc, sizeof(esc)));
	fprintf(out, " -> %s%s%s\n", t->effect, t->note ? " " : "",
		t->note ? xd_text_escape(t->note, esc, sizeof(esc)) : "");
}

int xd_render_fw_verdict_text(FILE *out, const struct xd_snapshot *s,
			      const struct xd_fw_packet *p, const uint8_t *hooks, size_t nhooks,
			      const struct xd_fw_result *res, const struct xd_render_opts *o)
{
	char esc[1024];

	fprintf(out, "verdict: %s (%s)\n", xd_fw_verdict_name(res->verdict),
		xd_text_escape(res->reason, esc, sizeof(esc)));
	if (res->decider_set) {
		fputs("decided by:\n", out);
		text_step(out, s->fw, &res->decider);
	}
	if (res->nat) {
		fputs("NAT applied by:\n", out);
		text_step(out, s->fw, &res->nat_rule);
	}
	if (res->nat_possible) {
		fputs("NAT possibly applied by (depends on an undecided rule):\n", out);
		text_step(out, s->fw, &res->nat_possible_rule);
	}
	fputs("trace:\n", out);
	for (size_t i = 0; i < res->ntrace; i++)
		text_step(out, s->fw, &res->trace[i]);
	return ferror(out) ? -EIO : 0;
}

/* ---- the IPsec-relevant view ---- */

enum { REL_ESP = 1, REL_AH = 2, REL_IKE = 4, REL_NATT = 8, REL_SECPATH = 16, REL_NAT = 32 };

static unsigned port_rel(unsigned port)
{
	return port == 500 ? REL_IKE : port == 4500 ? REL_NATT : 0;
}

/* Which IPsec-relevant things a rule touches (a display filter, not a decision). */
static unsigned rule_relevance(const struct xd_fw *fw, const struct xd_fw_rule *r)
{
	unsigned rel = 0;

	if (r->ipt && (r->ipt->proto == 50 || r->ipt->proto == 51))
		rel |= r->ipt->proto == 50 ? REL_ESP : REL_AH;
	for (uint32_t i = 0; i < r->expr_count; i++) {
		const struct xd_fw_expr *e = xd_fw_expr_at(fw, r->expr_first + i);
		switch (e->kind) {
		case XD_FWX_CMP:
			if (e->data_len == 1 || (e->data_len == 4 && !e->data[1] && !e->data[2] && !e->data[3]))
				rel |= e->data[0] == 50 ? REL_ESP : e->data[0] == 51 ? REL_AH : 0;
			if (e->data_len == 2)
				rel |= port_rel((unsigned)e->data[0] << 8 | e->data[1]);
			break;
		case XD_FWX_RANGE:
			if (e->data_len == 2) {
				unsigned lo = (unsigned)e->data[0] << 8 | e->data[1];
				unsigned hi = (unsigned)e->data2[0] << 8 | e->data2[1];
				if (lo <= 500 && hi >= 500)
					rel |= REL_IKE;
				if (lo <= 4500 && hi >= 4500)
					rel |= REL_NATT;
			}
			break;
		case XD_FWX_LOOKUP: {
			const struct xd_fw_set *st =
				fw->indexed && e->ref < fw->sets.len ? xd_vec_at(&fw->sets, e->ref)
								     : NULL;
			for (uint32_t k = 0; st && k < st->elem_count; k++) {
				const struct xd_fw_elem *el = xd_vec_at(&fw->elems, st->elems[k]);
				for (unsigned o = 0; o + 2 <= el->key_len; o += 4)
					rel |= port_rel((unsigned)el->key[o] << 8 | el->key[o + 1]);
				for (unsigned o = 0; o < el->key_len; o += 4)
					if (el->key[o] == 50 || el->key[o] == 51)
						rel |= el->key[o] == 50 ? REL_ESP : REL_AH;
			}
			break;
		}
		case XD_FWX_META:
			if (e->key == 25)
				rel |= REL_SECPATH;
			break;
		case XD_FWX_XFRM:
		case XD_FWX_RT:
			rel |= REL_SECPATH;
			break;
		case XD_FWX_NAT:
			rel |= REL_NAT;
			break;
		case XD_FWX_MATCH:
		case XD_FWX_TARGET:
			if (!e->xt)
				break;
			if (e->xt->kind == XD_XT_POLICY)
				rel |= REL_SECPATH;
			else if (e->xt->kind == XD_XT_ESP)
				rel |= REL_ESP;
			else if (e->xt->kind == XD_XT_AH)
				rel |= REL_AH;
			else if (e->xt->kind == XD_XT_T_NAT)
				rel |= REL_NAT;
			else if (e->xt->kind == XD_XT_UDP || e->xt->kind == XD_XT_TCP) {
				for (int s = 0; s < 2; s++) {
					const uint16_t *pr = s ? e->xt->dport : e->xt->sport;
					if (pr[0] == 0 && pr[1] == 0xffff)
						continue;
					if (pr[0] <= 500 && pr[1] >= 500)
						rel |= REL_IKE;
					if (pr[0] <= 4500 && pr[1] >= 4500)
						rel |= REL_NATT;
				}
			} else if (e->xt->kind == XD_XT_MULTIPORT)
				for (unsigned k = 0; k < e->xt->nports; k++)
					rel |= port_rel(e->xt->ports[k]);
			break;
		default:
			break;
		}
	}
	return rel;
}

static struct json_object *rel_json(unsigned rel)
{
	static const char *const names[] = { "esp", "ah", "ike", "natt", "secpath", "nat" };
	struct json_object *a = json_object_new_array();

	for (unsigned i = 0; i < 6; i++)
		if (rel & (1u << i))
			json_object_array_add(a, xd_json_string(names[i]));
	return a;
}

static int chain_cmp(const void *a, const void *b)
{
	const struct xd_fw_chain *x = *(const struct xd_fw_chain *const *)a;
	const struct xd_fw_chain *y = *(const struct xd_fw_chain *const *)b;

	if (x->hooknum != y->hooknum)
		return x->hooknum < y->hooknum ? -1 : 1;
	if (x->prio != y->prio)
		return x->prio < y->prio ? -1 : 1;
	if (x->backend != y->backend)
		return x->backend < y->backend ? -1 : 1;
	int c = strcmp(x->table ? x->table : "", y->table ? y->table : "");
	return c ? c : strcmp(x->name ? x->name : "", y->name ? y->name : "");
}

/* Base chains sorted by hook, priority; caller frees. */
static const struct xd_fw_chain **sorted_base(const struct xd_fw *fw, size_t *n)
{
	const struct xd_fw_chain **v = calloc(fw->chains.len + 1, sizeof(*v));

	*n = 0;
	if (!v)
		return NULL;
	for (size_t i = 0; i < fw->chains.len; i++) {
		const struct xd_fw_chain *c = xd_vec_at(&fw->chains, i);
		if (c->base)
			v[(*n)++] = c;
	}
	qsort(v, *n, sizeof(*v), chain_cmp);
	return v;
}

static struct json_object *firewall_json(const struct xd_fw *fw)
{
	struct json_object *o = json_object_new_object();
	struct json_object *b = json_object_new_object();
	struct json_object *chains = json_object_new_array();
	struct json_object *rules = json_object_new_array();
	struct json_object *xt = json_object_new_array();
	size_t n = 0;
	const struct xd_fw_chain **base = sorted_base(fw, &n);
	char text[512];

	xd_json_add(b, "nftables", json_object_new_boolean(fw->nft_present));
	for (size_t i = 0; i < fw->tables.len; i++) {
		const struct xd_fw_table *t = xd_vec_at(&fw->tables, i);
		if (t->has_xt) {
			char name[300];
			snprintf(name, sizeof(name), "%s %s", xd_fw_family_name(t->family) ?: "?",
				 t->name);
			json_object_array_add(xt, xd_json_string(name));
		}
	}
	xd_json_add(b, "iptables_nft_tables", xt);
	xd_json_add(b, "iptables_legacy", json_object_new_boolean(fw->legacy_present));
	if (fw->legacy_names4[0])
		xd_json_add_str(b, "legacy_ipv4_tables", fw->legacy_names4);
	if (fw->legacy_names6[0])
		xd_json_add_str(b, "legacy_ipv6_tables", fw->legacy_names6);
	if (fw->nft_gen_known)
		xd_json_add_u64(b, "nft_generation", fw->nft_gen);
	xd_json_add(o, "backends", b);
	for (size_t i = 0; base && i < n; i++) {
		const struct xd_fw_chain *c = base[i];
		struct json_object *j = json_object_new_object();
		xd_json_add_str(j, "hook", xd_fw_hook_name(c->hooknum));
		xd_json_add(j, "priority", json_object_new_int(c->prio));
		xd_json_add_str(j, "backend", backend_name(c->backend));
		xd_json_add_str(j, "family", xd_fw_family_name(c->family));
		xd_json_add_str(j, "table", c->table);
		xd_json_add_str(j, "chain", c->name);
		xd_json_add_str(j, "type", c->type);
		xd_json_add_str(j, "device", c->dev);
		if (c->has_policy)
			xd_json_add_str(j, "policy", c->policy == XD_NF_ACCEPT ? "accept"
						     : c->policy == XD_NF_DROP ? "drop"
									       : "other");
		xd_json_add_u64(j, "rules", c->rule_count);
		json_object_array_add(chains, j);
	}
	free(base);
	xd_json_add(o, "base_chains", chains);
	for (size_t i = 0; i < fw->rules.len; i++) {
		const struct xd_fw_rule *r = xd_fw_rule_at(fw, i);
		unsigned rel = rule_relevance(fw, r);
		if (!rel)
			continue;
		struct json_object *j = json_object_new_object();
		xd_json_add_str(j, "backend", backend_name(r->backend));
		xd_json_add_str(j, "family", xd_fw_family_name(r->family));
		xd_json_add_str(j, "table", r->table);
		xd_json_add_str(j, "chain", r->chain);
		xd_json_add_u64(j, "handle", r->handle);
		xd_json_add_str(j, "rule", xd_fw_rule_text(fw, r, text, sizeof(text)));
		xd_json_add(j, "touches", rel_json(rel));
		json_object_array_add(rules, j);
	}
	xd_json_add(o, "ipsec_rules", rules);
	if (fw->flowtables.len) {
		struct json_object *ft = json_object_new_array();
		for (size_t i = 0; i < fw->flowtables.len; i++) {
			const struct xd_fw_flowtable *f = xd_vec_at(&fw->flowtables, i);
			struct json_object *j = json_object_new_object();
			xd_json_add_str(j, "family", xd_fw_family_name(f->family));
			xd_json_add_str(j, "table", f->table);
			xd_json_add_str(j, "name", f->name);
			xd_json_add_str(j, "devices", f->devs);
			xd_json_add(j, "priority", json_object_new_int(f->prio));
			json_object_array_add(ft, j);
		}
		xd_json_add(o, "flowtables", ft);
	}
	return o;
}

int xd_render_firewall_json(FILE *out, const struct xd_snapshot *s, const struct xd_render_opts *o)
{
	int flags = xd_json_flags_for(o);
	struct xd_fw empty;
	int r = 0;

	xd_fw_init(&empty);
	fputs("{\"meta\":", out);
	r |= xd_json_emit(out, xd_meta_json(s), flags);
	fputs(",\"firewall\":", out);
	r |= xd_json_emit(out, firewall_json(s->fw ? s->fw : &empty), flags);
	fputs("}\n", out);
	xd_fw_done(&empty);
	return r || ferror(out) ? -EIO : 0;
}

int xd_render_firewall_text(FILE *out, const struct xd_snapshot *s, const struct xd_render_opts *o)
{
	const struct xd_fw *fw = s->fw;
	char text[512], esc[1024], esc2[1024];
	size_t n = 0;
	const struct xd_fw_chain **base;

	if (!fw) {
		fputs("no firewall state collected\n", out);
		return ferror(out) ? -EIO : 0;
	}
	fprintf(out, "backends: nftables %s", fw->nft_present ? "yes" : "no");
	for (size_t i = 0; i < fw->tables.len; i++) {
		const struct xd_fw_table *t = xd_vec_at(&fw->tables, i);
		if (t->has_xt)
			fprintf(out, " (iptables-nft: %s %s)", xd_fw_family_name(t->family) ?: "?",
				xd_text_escape(t->name, esc, sizeof(esc)));
	}
	fprintf(out, ", iptables-legacy %s", fw->legacy_present ? "yes" : "no");
	if (fw->legacy_names4[0] || fw->legacy_names6[0])
		fprintf(out, " (ipv4: %s; ipv6: %s)", fw->legacy_names4[0] ? fw->legacy_names4 : "-",
			fw->legacy_names6[0] ? fw->legacy_names6 : "-");
	fputs("\n\nbase chains:\n", out);
	base = sorted_base(fw, &n);
	for (size_t i = 0; base && i < n; i++) {
		const struct xd_fw_chain *c = base[i];
		fprintf(out, "  %-11s %6d %-6s %-6s %s/%s type %s policy %s (%u rules)\n",
			xd_fw_hook_name(c->hooknum) ?: "?", c->prio,
			c->backend == XD_FW_LEGACY ? "legacy" : "nft",
			xd_fw_family_name(c->family) ?: "?", xd_text_escape(c->table, esc, sizeof(esc)),
			xd_text_escape(c->name, esc2, sizeof(esc2)),
			c->type ? xd_text_escape(c->type, text, sizeof(text)) : "-",
			!c->has_policy ? "-" : c->policy == XD_NF_ACCEPT ? "accept" : "drop",
			c->rule_count);
	}
	free(base);
	fputs("\nIPsec-relevant rules:\n", out);
	for (size_t i = 0; i < fw->rules.len; i++) {
		const struct xd_fw_rule *r = xd_fw_rule_at(fw, i);
		if (!rule_relevance(fw, r))
			continue;
		char esc3[1024];
		fprintf(out, "  %s %s/%s handle %llu: %s\n", xd_fw_family_name(r->family) ?: "?",
			xd_text_escape(r->table, esc2, sizeof(esc2)),
			xd_text_escape(r->chain, esc3, sizeof(esc3)), (unsigned long long)r->handle,
			xd_text_escape(xd_fw_rule_text(fw, r, text, sizeof(text)), esc, sizeof(esc)));
	}
	return ferror(out) ? -EIO : 0;
}
