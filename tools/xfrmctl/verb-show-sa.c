/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * verb-show-sa.c: `xfrmctl show sa` without holding the SAs. Each SA record is decoded into a
 * small batch snapshot, written out and forgotten, whether it comes from the kernel or from a
 * snapshot file, so memory stays flat from ten SAs to a million. The order is the kernel's
 * dump order (what `ip xfrm state` prints), not the sorted order of `show all`; the SA dump's
 * outcome closes the document (render-sa-stream.c).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "xfrmctl.h"
#include "xfrmd/capture.h"
#include "xfrmd/decode.h"
#include "xfrmd/model.h"
#include "xfrmd/recbuf.h"
#include "xfrmd/render.h"
#include "xfrmd/table.h"

/* A fresh batch after this many SAs, so interned lifetimes and algorithms do not pile up. */
#define BATCH_SAS 4096

struct lister {
	struct xd_sa_stream st;
	struct xd_snapshot *s;     /* everything but the SAs: meta, counts, uname */
	struct xd_snapshot *batch; /* the SAs of the latest record */
	struct xd_recbuf **live;   /* live: the collection, whose manifest grows as it goes */
	size_t batch_sas;
	uint64_t issues, unknown, ignored; /* of the SA records */
	bool reported; /* the error that ended the SAs was already printed */
};

static void account(struct lister *l)
{
	l->issues += l->batch->issues.len;
	l->unknown += l->batch->unknown_attrs;
	l->ignored += l->batch->ignored_msgs;
}

static int fresh_batch(struct lister *l)
{
	if (l->batch) {
		account(l);
		xd_snapshot_free(l->batch);
		l->batch = NULL;
	}
	l->batch_sas = 0;
	return xd_snapshot_new(&l->batch);
}

/* Write meta: live, everything but the SA dump is collected by now (sa_listing). */
static int begin(struct lister *l)
{
	if (l->st.began)
		return 0;
	if (l->live && *l->live)
		l->s->meta = *xd_recbuf_meta_const(*l->live);
	xfrmctl_forget_other_groups(&l->s->meta, XD_COLLECT_XFRM);
	return xd_sa_stream_begin(&l->st, l->s);
}

static int list_record(void *userdata, const struct xd_record *rec)
{
	struct lister *l = userdata;
	int r;

	if (rec->dump == XD_DUMP_XFRM_POLICY || !(xd_dump_group(rec->dump) & XD_COLLECT_XFRM))
		return 0; /* not shown, not kept */
	if (rec->dump != XD_DUMP_XFRM_SA) {
		r = xd_decode_record(l->s, rec);
		return r == -EBADMSG ? 0 : r; /* a framing error is a decode issue */
	}
	r = begin(l);
	if (r == 0 && l->batch_sas >= BATCH_SAS)
		r = fresh_batch(l);
	if (r < 0)
		return r;
	r = xd_decode_record(l->batch, rec);
	if (r < 0 && r != -EBADMSG)
		return r;
	for (size_t i = 0; i < l->batch->sas.len; i++) {
		if (!xfrmctl_sa_wanted(xd_snapshot_sa(l->batch, i)))
			continue; /* show sa spi/reqid/src/dst */
		r = xd_sa_stream_add(&l->st, xd_snapshot_sa(l->batch, i));
		if (r < 0)
			return r;
	}
	l->batch_sas += l->batch->sas.len;
	l->batch->sas.len = 0;
	return 0;
}

/* Live: the SAs have been written (streamed); decode what was kept, which for the daemon's
 * records (not root) includes the SAs. */
static int collect(struct lister *l, const struct xd_record_sink *sink, struct xd_meta *ret)
{
	struct xd_recbuf *buf = NULL;
	int r;

	arg_collect = XD_COLLECT_XFRM;
	arg_sa_listing = true;
	l->live = &buf;
	r = xfrmctl_collect_streaming(sink, &buf);
	if (r)
		return r;
	r = xd_recbuf_replay(buf, sink);
	*ret = *xd_recbuf_meta_const(buf);
	l->live = NULL;
	xd_recbuf_free(buf);
	if (r < 0 && !l->st.err) {
		fprintf(stderr, "xfrmctl: decoding failed: %s\n", strerror(-r));
		return EXIT_COLLECT;
	}
	return 0;
}

static int read_file(struct lister *l, const struct xd_record_sink *sink, struct xd_meta *ret)
{
	char err[256] = "";
	int r = xd_capture_read(arg_read_path, &l->s->meta, sink, err, sizeof(err));

	*ret = l->s->meta;
	if (r < 0 && !l->st.err) {
		fprintf(stderr, "xfrmctl: %s: %s\n", arg_read_path, err[0] ? err : strerror(-r));
		ret->dump_status[XD_DUMP_XFRM_SA] = XD_DUMP_ERROR;
		ret->dump_error[XD_DUMP_XFRM_SA] = r;
		l->reported = true;
		/* nothing written yet: no document, like any other unreadable snapshot */
		return l->st.began ? 0 : EXIT_COLLECT;
	}
	return 0;
}

int xfrmctl_show_sa_streamed(const struct xd_table_opts *table)
{
	struct lister l = { .st = { .out = stdout, .json = arg_json != JSON_OFF,
				    .o = { .pretty = arg_json == JSON_PRETTY, .color = arg_color,
					   .verbose = arg_verbose, .table = *table } } };
	struct xd_record_sink sink = { .record = list_record, .userdata = &l };
	struct xd_meta final;
	struct xd_sa_stream_outcome oc;
	int code, r;

	if (arg_read_path && arg_netns)
		return xfrmctl_usage_error("--netns and --read exclude each other");
	if (arg_read_path2)
		return xfrmctl_usage_error("two snapshots (-r A -r B) are only for check");
	if (xd_snapshot_new(&l.s) < 0 || fresh_batch(&l) < 0) {
		fputs("xfrmctl: out of memory\n", stderr);
		xd_snapshot_free(l.s);
		return EXIT_COLLECT;
	}
	code = arg_read_path ? read_file(&l, &sink, &final) : collect(&l, &sink, &final);
	if (code == 0) {
		account(&l);
		oc = (struct xd_sa_stream_outcome){
			.status = final.dump_status[XD_DUMP_XFRM_SA],
			.attempts = final.dump_attempts[XD_DUMP_XFRM_SA],
			.error = final.dump_error[XD_DUMP_XFRM_SA],
			.decode_issues = l.issues,
			.unknown_attrs = l.unknown,
			.ignored_msgs = l.ignored,
		};
		if (!l.st.began) { /* no SA at all: meta is written now */
			l.s->meta = final;
			xfrmctl_forget_other_groups(&l.s->meta, XD_COLLECT_XFRM);
		}
		r = xd_sa_stream_end(&l.st, l.s, &oc);
		if (fflush(stdout) != 0 || r < 0) {
			fputs("xfrmctl: writing output failed\n", stderr);
			code = EXIT_COLLECT;
		} else if (oc.status == XD_DUMP_ERROR) {
			if (!l.reported)
				fprintf(stderr, "xfrmctl: the SA dump broke off: %s\n",
					strerror(-oc.error));
			code = EXIT_COLLECT;
		}
	}
	xd_table_free(l.st.table); /* when the document was not ended */
	xd_snapshot_free(l.batch);
	xd_snapshot_free(l.s);
	return code;
}
