/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * load.c: "live kernel" or "snapshot file" as a record source for the one pipeline
 * (xd_analyze, analysis.h). Both go through the same records -> decoder path, so live and
 * replayed output are identical apart from meta.source.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>

#include "xfrmctl.h"
#include "xfrmd/analysis.h"
#include "xfrmd/capture.h"
#include "xfrmd/decode.h"
#include "xfrmd/model.h"
#include "xfrmd/collect.h"
#include "xfrmd/nl.h"
#include "xfrmd/recbuf.h"

int xfrmctl_usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("xfrmctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nSee 'xfrmctl --help'.\n", stderr);
	return EXIT_USAGE;
}

/* Every XFRM dump denied means we lack CAP_NET_ADMIN: say so once, clearly. */
static int check_privilege(const struct xd_meta *m)
{
	/* (`show sa` collects no policies) */
	if (m->dump_status[XD_DUMP_XFRM_SA] == XD_DUMP_DENIED &&
	    (m->dump_status[XD_DUMP_XFRM_POLICY] == XD_DUMP_DENIED ||
	     m->dump_status[XD_DUMP_XFRM_POLICY] == XD_DUMP_NOT_COLLECTED)) {
		fputs("xfrmctl: permission denied reading XFRM state: it needs CAP_NET_ADMIN "
		      "(run as root, or use the xfrmd daemon)\n",
		      stderr);
		return EXIT_COLLECT;
	}
	/* Not fatal: the kernel profile (`show kernel`) and `check` (kernel.xfrm_user_missing)
	 * are exactly what is needed on such a kernel; the XFRM sections are just empty. */
	if (m->dump_status[XD_DUMP_XFRM_SA] == XD_DUMP_UNSUPPORTED &&
	    (m->dump_status[XD_DUMP_XFRM_POLICY] == XD_DUMP_UNSUPPORTED ||
	     m->dump_status[XD_DUMP_XFRM_POLICY] == XD_DUMP_NOT_COLLECTED))
		fputs("xfrmctl: warning: this kernel offers no XFRM netlink interface (xfrm_user "
		      "missing?); see `xfrmctl show kernel`\n",
		      stderr);
	return 0;
}

int xfrmctl_collect(struct xd_recbuf **ret)
{
	return xfrmctl_collect_streaming(NULL, ret);
}

int xfrmctl_collect_streaming(const struct xd_record_sink *xfrm_sink, struct xd_recbuf **ret)
{
	struct xd_recbuf *buf = NULL;
	struct xd_collect_opts opts = { .netns = arg_netns, .groups = arg_collect,
					.sa_listing = arg_sa_listing };
	int r;

	*ret = NULL;
	/* not root: the daemon's records (already scrubbed) stand in for a collection */
	if (xfrmctl_records_wanted()) {
		r = xfrmctl_daemon_records(&buf);
		if (r == 0) {
			*ret = buf;
			return 0;
		}
		if (r == -EPROTO)
			return EXIT_COLLECT;
		/* nobody listening: collect (and be told about the missing capability) */
	}
	/* live XFRM buffers held keys for an instant: keep this process out of core dumps */
	(void)prctl(PR_SET_DUMPABLE, 0);
	r = xd_recbuf_new(&buf);
	if (r < 0) {
		fprintf(stderr, "xfrmctl: %s\n", strerror(-r));
		return EXIT_COLLECT;
	}
	if (xfrm_sink)
		xd_recbuf_stream(buf, 1ull << XD_DUMP_XFRM_SA | 1ull << XD_DUMP_XFRM_POLICY,
				 xfrm_sink);
	*ret = buf;
	r = xd_collect_live(&opts, buf);
	if (r < 0) {
		*ret = NULL;
		if (arg_netns)
			fprintf(stderr, "xfrmctl: cannot enter network namespace '%s': %s\n",
				arg_netns, strerror(-r));
		else
			fprintf(stderr, "xfrmctl: cannot collect kernel state: %s\n", strerror(-r));
		xd_recbuf_free(buf);
		return EXIT_COLLECT;
	}
	r = check_privilege(xd_recbuf_meta_const(buf));
	if (r) {
		*ret = NULL;
		xd_recbuf_free(buf);
		return r;
	}
	return 0;
}

int xfrmctl_load(struct xd_snapshot **ret)
{
	if (arg_read_path && arg_netns)
		return xfrmctl_usage_error("--netns and --read exclude each other");
	if (arg_read_path2)
		return xfrmctl_usage_error("two snapshots (-r A -r B) are only for check");
	return xfrmctl_load_path(arg_read_path, ret);
}

int xfrmctl_analyze(const struct xd_analysis_opts *o, struct xd_analysis **ret)
{
	if (arg_read_path && arg_netns)
		return xfrmctl_usage_error("--netns and --read exclude each other");
	if (arg_read_path2)
		return xfrmctl_usage_error("two snapshots (-r A -r B) are only for check");
	return xfrmctl_analyze_path(arg_read_path, o, ret);
}

/* Decode only the records of the groups the verb asked for (replay of a full snapshot). */
struct group_filter {
	struct xd_record_sink inner;
	unsigned groups;
};

static int filter_record(void *userdata, const struct xd_record *rec)
{
	struct group_filter *f = userdata;

	if (!(xd_dump_group(rec->dump) & f->groups))
		return 0;
	return f->inner.record(f->inner.userdata, rec);
}

void xfrmctl_forget_other_groups(struct xd_meta *m, unsigned groups)
{
	for (int d = 0; d < _XD_DUMP_MAX; d++)
		if (d != XD_DUMP_UNAME && !(xd_dump_group((enum xd_dump)d) & groups)) {
			m->dump_status[d] = XD_DUMP_NOT_COLLECTED;
			m->dump_error[d] = 0;
			m->dump_attempts[d] = 0;
		}
}

/*
 * A support archive's firewall text, loaded into a private network namespace by the
 * collector and dumped as the live path would (xd_collect_fw_text); only the dumps it
 * filled get a status in the archive's manifest.
 */
static int fw_load(void *userdata, enum xd_dump kind, const char *text, size_t len,
		   struct xd_meta *meta, const struct xd_record_sink *sink)
{
	_xd_cleanup_(xd_recbuf_freep) struct xd_recbuf *b = NULL;
	const struct xd_meta *m;
	int r = xd_recbuf_new(&b);

	if (r < 0)
		return r;
	r = xd_collect_fw_text(kind, text, len, b);
	if (r < 0)
		return r;
	m = xd_recbuf_meta_const(b);
	for (int d = 0; d < _XD_DUMP_MAX; d++)
		if (m->dump_status[d] != XD_DUMP_NOT_COLLECTED) {
			meta->dump_status[d] = m->dump_status[d];
			meta->dump_error[d] = m->dump_error[d];
			meta->dump_attempts[d] = m->dump_attempts[d];
		}
	return xd_recbuf_replay(b, sink);
}

static const struct xd_archive_opts archive_opts = { .fw_load = fw_load };

/* xfrmctl's record source for xd_analyze(): a snapshot file, or the live kernel. */
struct load_source {
	const char *path; /* NULL: live */
	int exit_code;    /* set (after printing why) when run() fails */
};

static int load_run(void *userdata, const struct xd_record_sink *decoder, struct xd_meta *meta)
{
	struct load_source *src = userdata;
	struct group_filter filter = { .inner = *decoder,
				       .groups = arg_collect ? arg_collect : XD_COLLECT_ALL };
	struct xd_record_sink sink = { .record = filter_record, .userdata = &filter };
	int r;

	if (src->path) {
		char err[256] = "";
		r = xd_capture_read_opts(src->path, &archive_opts, meta, &sink, err, sizeof(err));
		if (r < 0) {
			fprintf(stderr, "xfrmctl: %s: %s\n", src->path, err[0] ? err : strerror(-r));
			src->exit_code = EXIT_COLLECT;
			return r;
		}
	} else {
		struct xd_recbuf *buf = NULL;
		/* SAs and policies are decoded as they arrive, never held twice (raw and decoded) */
		r = xfrmctl_collect_streaming(decoder, &buf);
		if (r) {
			src->exit_code = r;
			return -EIO;
		}
		*meta = *xd_recbuf_meta_const(buf);
		r = xd_recbuf_replay(buf, &sink);
		xd_recbuf_free(buf);
		if (r < 0) {
			fprintf(stderr, "xfrmctl: decoding failed: %s\n", strerror(-r));
			src->exit_code = EXIT_COLLECT;
			return r;
		}
	}
	xfrmctl_forget_other_groups(meta, filter.groups);
	return 0;
}

int xfrmctl_analyze_path(const char *path, const struct xd_analysis_opts *o,
			 struct xd_analysis **ret)
{
	struct load_source src = { .path = path };
	struct xd_record_source source = { .run = load_run, .userdata = &src };
	int r = xd_analyze(&source, o, ret);

	if (r < 0) {
		if (src.exit_code)
			return src.exit_code;
		fprintf(stderr, "xfrmctl: %s\n", strerror(-r));
		return EXIT_COLLECT;
	}
	return 0;
}

int xfrmctl_load_path(const char *path, struct xd_snapshot **ret)
{
	struct xd_analysis_opts o = { 0 }; /* decode and sort only */
	struct xd_analysis *a = NULL;
	int r = xfrmctl_analyze_path(path, &o, &a);

	*ret = NULL;
	if (r)
		return r;
	*ret = a->snap;
	a->snap = NULL;
	xd_analysis_free(a);
	return 0;
}
