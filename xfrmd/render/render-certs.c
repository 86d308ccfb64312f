/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * render-certs.c: the credential part of a snapshot (`xfrmctl show certs`) as JSON sections
 * "certificates", "key_files", "ike_connections" (docs/schema/xfrmctl.schema.json) and as
 * text. Key files are shown by path and public-key digest only: nothing else of a key exists in
 * the model. Strings from certificates are escaped like any other untrusted string.
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "json-util.h"
#include "render-certs.h"
#include "xfrmd/cert.h"
#include "xfrmd/model.h"
#include "xfrmd/render.h"

/* "a,b,c" -> ["a","b","c"] */
static struct json_object *list_json(const char *s)
{
	struct json_object *a = json_object_new_array();

	for (const char *p = s; p && *p;) {
		const char *e = strchr(p, ',');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		json_object_array_add(a, json_object_new_string_len(p, (int)n));
		p = e ? e + 1 : NULL;
	}
	return a;
}

static const struct {
	uint32_t bit;
	const char *name;
} ku_names[] = {
	{ 0x0080, "digitalSignature" }, { 0x0040, "nonRepudiation" }, { 0x0020, "keyEncipherment" },
	{ 0x0010, "dataEncipherment" }, { 0x0008, "keyAgreement" },   { 0x0004, "keyCertSign" },
	{ 0x0002, "cRLSign" },		{ 0x0001, "encipherOnly" },   { 0x8000, "decipherOnly" },
};

static struct json_object *cert_json(const struct xd_snapshot *s, const struct xd_cert *c)
{
	struct json_object *o = json_object_new_object();
	const struct xd_cert_key *k;
	const struct xd_cert_conn *conn;
	bool remote = false;
	char buf[32];

	xd_json_add_str(o, "file", c->path);
	xd_json_add_str(o, "stack", c->stack);
	xd_json_add_str(o, "source", c->source);
	xd_json_add_str(o, "role", xd_cert_role_name(c->role));
	if (c->index)
		xd_json_add_u64(o, "index", c->index);
	xd_json_add(o, "readable", json_object_new_boolean(c->readable));
	if (!c->readable) {
		xd_json_add_str(o, "error", c->error);
		return o;
	}
	xd_json_add_str(o, "subject", c->subject);
	xd_json_add_str(o, "issuer", c->issuer);
	xd_json_add_str(o, "serial", c->serial);
	if (c->not_before)
		xd_json_add_str(o, "not_before", xd_fmt_utc_z(c->not_before, buf, sizeof(buf)));
	if (c->not_after) {
		xd_json_add_str(o, "not_after", xd_fmt_utc_z(c->not_after, buf, sizeof(buf)));
		if (s->meta.captured_at > 0)
			xd_json_add(o, "days_left",
				    json_object_new_int64((c->not_after - s->meta.captured_at) / 86400));
	}
	xd_json_add_str(o, "signature_algorithm", c->sig_alg);
	if (c->role == XD_CERT_ROLE_CRL) {
		xd_json_add_str(o, "sha256_fingerprint", c->fingerprint);
		return o;
	}
	xd_json_add_str(o, "key_type", c->key_type);
	xd_json_add_u64(o, "key_bits", c->key_bits);
	xd_json_add(o, "is_ca", json_object_new_boolean(c->is_ca));
	xd_json_add(o, "self_signed", json_object_new_boolean(c->self_signed));
	if (c->has_ku) {
		struct json_object *a = json_object_new_array();
		for (size_t i = 0; i < XD_ARRAY_SIZE(ku_names); i++)
			if (c->key_usage & ku_names[i].bit)
				json_object_array_add(a, json_object_new_string(ku_names[i].name));
		xd_json_add(o, "key_usage", a);
	}
	if (c->eku)
		xd_json_add(o, "extended_key_usage", list_json(c->eku));
	if (c->sans)
		xd_json_add(o, "subject_alt_names", list_json(c->sans));
	xd_json_add_str(o, "sha256_fingerprint", c->fingerprint);
	xd_json_add_str(o, "public_key_sha256", c->spki_sha256);
	if (c->nss_id)
		xd_json_add_str(o, "nss_id", c->nss_id);
	k = xd_cert_find_key(s, c);
	xd_json_add(o, "private_key_present", json_object_new_boolean(k != NULL));
	if (k)
		xd_json_add_str(o, "private_key_file", k->path);
	conn = xd_cert_find_conn(s, c, &remote);
	if (conn) {
		xd_json_add_str(o, "connection", conn->name);
		xd_json_add_str(o, "connection_side", remote ? "remote" : "local");
	}
	return o;
}

static struct json_object *key_json(const struct xd_cert_key *k)
{
	struct json_object *o = json_object_new_object();

	xd_json_add_str(o, "file", k->path);
	xd_json_add_str(o, "stack", k->stack);
	xd_json_add_str(o, "source", k->source);
	xd_json_add(o, "readable", json_object_new_boolean(k->readable));
	if (!k->readable)
		xd_json_add_str(o, "error", k->error);
	xd_json_add_str(o, "key_type", k->key_type);
	if (k->key_bits)
		xd_json_add_u64(o, "key_bits", k->key_bits);
	if (k->spki_sha256[0])
		xd_json_add_str(o, "public_key_sha256", k->spki_sha256);
	xd_json_add_str(o, "nss_id", k->nss_id);
	return o;
}

static struct json_object *conn_json(const struct xd_cert_conn *c)
{
	struct json_object *o = json_object_new_object();

	xd_json_add_str(o, "stack", c->stack);
	xd_json_add_str(o, "name", c->name);
	xd_json_add_str(o, "config_file", c->file);
	xd_json_add_str(o, "local_id", c->local_id);
	xd_json_add_str(o, "remote_id", c->remote_id);
	xd_json_add_str(o, "local_cert", c->local_cert);
	xd_json_add_str(o, "remote_cert", c->remote_cert);
	return o;
}

int xd_render_certs_json(FILE *out, const struct xd_snapshot *s, int flags, const char *sep)
{
	const struct xd_certs *cs = &s->certs;
	int r = 0;

	fputs(",\"certificates\":[", out);
	for (size_t i = 0; i < cs->certs.len; i++) {
		if (i)
			fputs(sep, out);
		r |= xd_json_emit(out, cert_json(s, xd_vec_at(&cs->certs, i)), flags);
	}
	fputs("],\"key_files\":[", out);
	for (size_t i = 0; i < cs->keys.len; i++) {
		if (i)
			fputs(sep, out);
		r |= xd_json_emit(out, key_json(xd_vec_at(&cs->keys, i)), flags);
	}
	fputs("],\"ike_connections\":[", out);
	for (size_t i = 0; i < cs->conns.len; i++) {
		if (i)
			fputs(sep, out);
		r |= xd_json_emit(out, conn_json(xd_vec_at(&cs->conns, i)), flags);
	}
	fputs("]", out);
	return r ? -EIO : 0;
}

void xd_render_certs_text(FILE *out, const struct xd_snapshot *s, bool verbose)
{
	const struct xd_certs *cs = &s->certs;
	char e1[512], e2[512], a[32], b[32];

	fputs("Certificates:\n", out);
	if (!cs->certs.len)
		fputs("  (none found)\n", out);
	for (size_t i = 0; i < cs->certs.len; i++) {
		const struct xd_cert *c = xd_vec_at(&cs->certs, i);
		fprintf(out, "  %-4s %-10s %s", xd_cert_role_name(c->role), c->stack,
			xd_text_escape(c->path, e1, sizeof(e1)));
		if (c->index)
			fprintf(out, " [%u]", c->index);
		if (!c->readable) {
			fprintf(out, "\n       unreadable: %s\n", xd_text_escape(c->error, e1, sizeof(e1)));
			continue;
		}
		fprintf(out, "\n       %s\n",
			xd_text_escape(c->subject ? c->subject : c->issuer, e1, sizeof(e1)));
		fprintf(out, "       valid %s .. %s", xd_fmt_utc_z(c->not_before, a, sizeof(a)),
			xd_fmt_utc_z(c->not_after, b, sizeof(b)));
		if (s->meta.captured_at > 0 && c->not_after)
			fprintf(out, " (%lld days left)",
				(long long)((c->not_after - s->meta.captured_at) / 86400));
		if (c->role != XD_CERT_ROLE_CRL)
			fprintf(out, ", %s %u", c->key_type ? c->key_type : "?", c->key_bits);
		/* only the daemon's own certificates need a private key */
		if (c->role == XD_CERT_ROLE_CERT)
			fprintf(out, ", private key %s", xd_cert_find_key(s, c) ? "present" : "absent");
		fputc('\n', out);
		if (verbose) {
			fprintf(out, "       issuer %s\n", xd_text_escape(c->issuer, e1, sizeof(e1)));
			fprintf(out, "       serial %s, %s\n", c->serial ? c->serial : "-",
				c->sig_alg ? c->sig_alg : "-");
			if (c->sans)
				fprintf(out, "       SANs %s\n", xd_text_escape(c->sans, e2, sizeof(e2)));
			if (c->eku)
				fprintf(out, "       EKU %s\n", xd_text_escape(c->eku, e2, sizeof(e2)));
			fprintf(out, "       sha256 %s\n", c->fingerprint);
		}
	}
	if (cs->keys.len)
		fputs("Private keys (public half only):\n", out);
	for (size_t i = 0; i < cs->keys.len; i++) {
		const struct xd_cert_key *k = xd_vec_at(&cs->keys, i);
		fprintf(out, "  %-10s %s  ", k->stack, xd_text_escape(k->path, e1, sizeof(e1)));
		if (k->readable && k->key_type)
			fprintf(out, "%s %u\n", k->key_type, k->key_bits);
		else if (k->readable)
			fprintf(out, "NSS key id %s\n", k->nss_id ? k->nss_id : "?");
		else
			fprintf(out, "unreadable: %s\n", xd_text_escape(k->error, e2, sizeof(e2)));
	}
	if (cs->conns.len)
		fputs("Connections:\n", out);
	for (size_t i = 0; i < cs->conns.len; i++) {
		const struct xd_cert_conn *c = xd_vec_at(&cs->conns, i);
		fprintf(out, "  %-10s %s", c->stack, xd_text_escape(c->name, e1, sizeof(e1)));
		if (c->local_id)
			fprintf(out, "  local id %s", xd_text_escape(c->local_id, e2, sizeof(e2)));
		if (c->local_cert)
			fprintf(out, "  cert %s", xd_text_escape(c->local_cert, e2, sizeof(e2)));
		if (c->remote_id)
			fprintf(out, "  remote id %s", xd_text_escape(c->remote_id, e2, sizeof(e2)));
		fputc('\n', out);
	}
}
