/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * render-sa-stream.c: `show sa` written while the SAs are still arriving, so its memory does
 * not grow with their number. The outcome of the SA dump is only known at the end, so the
 * document says "streamed" for it in meta and closes with an "sa_dump" member that carries
 * the outcome (docs/xfrmctl-json.md).
 */
#include <errno.h>
#include <json-c/json.h>
#include <string.h>

#include "json-util.h"
#include "render-text.h"
#include "xfrmd/model.h"
#include "xfrmd/render.h"

int xd_sa_stream_begin(struct xd_sa_stream *st, const struct xd_snapshot *s)
{
	if (st->began)
		return 0;
	st->began = true;
	if (st->json) {
		struct json_object *meta = xd_meta_json(s), *dumps = NULL;
		struct json_object *nd = json_object_new_object(), *e = json_object_new_object();
		const char *sa_name = xd_dump_name(XD_DUMP_XFRM_SA);

		/* the SA dump, first as always, says "streamed"; the others as they are */
		xd_json_add_str(e, "status", "streamed");
		xd_json_add(nd, sa_name, e);
		if (json_object_object_get_ex(meta, "dumps", &dumps)) {
			json_object_object_foreach(dumps, k, v)
				if (strcmp(k, sa_name) != 0)
					xd_json_add(nd, k, json_object_get(v));
		}
		xd_json_add(meta, "dumps", nd);
		fputs("{\"meta\":", st->out);
		st->err |= xd_json_emit(st->out, meta, xd_json_flags_for(&st->o));
		fputs(",\"sas\":[", st->out);
	} else {
		/* the text meta notes unfinished dumps; the SA dump's turn comes at the end */
		struct xd_render_opts o = st->o;
		(void)xd_render_text(st->out, s, 0, &o);
		fputc('\n', st->out);
		/* columns are sized by the first rows only, so memory stays flat */
		if (xd_text_table_new(XD_TABLE_SA, st->out, &st->o, &st->table) < 0)
			st->err = 1;
		else
			xd_table_set_stream(st->table, true);
	}
	return st->err || ferror(st->out) ? -EIO : 0;
}

int xd_sa_stream_add(struct xd_sa_stream *st, const struct xd_sa *sa)
{
	if (st->json) {
		if (st->count)
			fputs(st->o.pretty ? ",\n" : ",", st->out);
		st->err |= xd_json_emit(st->out, xd_sa_json(sa), xd_json_flags_for(&st->o));
	} else if (st->table && xd_text_sa_row(st->table, sa) < 0) {
		st->err = 1;
	}
	st->count++;
	return st->err || ferror(st->out) ? -EIO : 0;
}

int xd_sa_stream_end(struct xd_sa_stream *st, const struct xd_snapshot *s,
		     const struct xd_sa_stream_outcome *oc)
{
	int r = xd_sa_stream_begin(st, s);

	if (r < 0)
		return r;
	if (st->json) {
		struct json_object *o = json_object_new_object(), *dec = json_object_new_object();

		xd_json_add_str(o, "status", xd_dump_status_name(oc->status));
		if (oc->attempts)
			xd_json_add_u64(o, "attempts", oc->attempts);
		if (oc->error)
			xd_json_add(o, "errno", json_object_new_int(-oc->error));
		xd_json_add_u64(o, "sa_count", st->count);
		xd_json_add_u64(dec, "issues", oc->decode_issues);
		xd_json_add_u64(dec, "unknown_attributes", oc->unknown_attrs);
		xd_json_add_u64(dec, "ignored_messages", oc->ignored_msgs);
		xd_json_add(o, "decode", dec);
		fputs("],\"sa_dump\":", st->out);
		st->err |= xd_json_emit(st->out, o, xd_json_flags_for(&st->o));
		fputs("}\n", st->out);
	} else {
		if (st->table && xd_table_flush(st->table) < 0)
			st->err = 1;
		st->table = xd_table_free(st->table);
		xd_text_sa_count(st->out, st->count);
		if (oc->status != XD_DUMP_COMPLETE)
			fprintf(st->out, "note: %s %s: this list may be incomplete\n",
				xd_dump_name(XD_DUMP_XFRM_SA), xd_dump_status_name(oc->status));
		if (oc->decode_issues)
			fprintf(st->out, "note: %llu decode issue%s (see --json sa_dump.decode)\n",
				(unsigned long long)oc->decode_issues,
				oc->decode_issues == 1 ? "" : "s");
	}
	return st->err || ferror(st->out) ? -EIO : 0;
}
