/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * replies.c: answers to control-socket requests, rendered from the current model with the
 * same functions xfrmctl uses, so a reply is the document xfrmctl would print (plus the
 * daemon's counters in status). `status` is rendered in memory and queued; every reply that
 * grows with the model is rendered by a child straight into the socket (control.c).
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "replies.h"
#include "xfrmd/peers.h"
#include "xfrmd/recbuf.h"
#include "xfrmd/render.h"

/* Render into a memory buffer and queue it for one client: for small replies only (status),
 * whatever the model's size; the others are streamed by a child (xd_client_stream()). */
static void reply(struct xd_replies *rp, struct xd_client *c, xd_client_render_fn fn,
		  const void *arg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int r;

	if (!f) {
		xd_client_send_error(c, "ENOMEM", "out of memory");
		xd_client_send(c, "", 0);
		return;
	}
	r = fn(rp, f, arg);
	if (fclose(f) != 0 || r < 0) {
		free(buf);
		xd_client_send_error(c, "EIO", "rendering the reply failed");
		xd_client_send(c, "", 0);
		return;
	}
	xd_client_send(c, buf, len);
	free(buf);
}

static int r_show(void *userdata, FILE *f, const void *arg)
{
	const struct xd_store *st = ((const struct xd_replies *)userdata)->store;
	struct xd_render_opts o = { 0 };

	return xd_render_json(f, st->cur->snap, *(const unsigned *)arg, &o);
}

/* status: the xfrmctl status document plus a "daemon" member with the daemon's counters. */
static int r_status(void *userdata, FILE *f, const void *arg)
{
	const struct xd_replies *rp = userdata;
	const struct xd_store *st = rp->store;
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	struct xd_render_opts o = { 0 };
	struct json_object *doc, *dm, *hist;
	int r;

	if (!m)
		return -ENOMEM;
	r = xd_render_json(m, st->cur->snap, XD_RENDER_STATUS, &o);
	if (fclose(m) != 0 || r < 0) {
		free(buf);
		return -EIO;
	}
	doc = json_tokener_parse(buf);
	free(buf);
	if (!doc)
		return -EIO;
	dm = json_object_new_object();
	json_object_object_add(dm, "pid", json_object_new_int(getpid()));
	json_object_object_add(dm, "uptime_s",
			       json_object_new_int64((int64_t)(xd_mono_ms() - rp->loop->started_ms) / 1000));
	json_object_object_add(dm, "resyncs", json_object_new_int64((int64_t)st->resyncs));
	json_object_object_add(dm, "overruns", json_object_new_int64((int64_t)rp->loop->overruns));
	json_object_object_add(dm, "events", json_object_new_int64((int64_t)rp->loop->events));
	json_object_object_add(dm, "samples", json_object_new_int64((int64_t)st->samples));
	json_object_object_add(dm, "sample_interval_ms",
			       json_object_new_int64(rp->cfg->sample_interval_ms));
	json_object_object_add(dm, "resync_cpu_s",
			       json_object_new_double(xd_store_resync_cpu_s(st)));
	json_object_object_add(dm, "sample_interval_effective_ms",
			       json_object_new_int64((int64_t)xd_store_sample_interval_ms(
				       st, rp->cfg->sample_interval_ms)));
	json_object_object_add(dm, "last_resync_s", json_object_new_double(st->last_resync_s));
	json_object_object_add(dm, "last_resync_at_ms", json_object_new_int64(st->last_resync_at));
	json_object_object_add(dm, "last_process_s", json_object_new_double(st->last_process_s));
	json_object_object_add(dm, "collector_dump_s",
			       json_object_new_double((double)st->colst.last_resync_ns / 1e9));
	json_object_object_add(dm, "clients",
			       json_object_new_int64((int64_t)xd_control_clients(rp->ctl)));
	json_object_object_add(dm, "clients_cut_off",
			       json_object_new_int64((int64_t)xd_control_cutoffs(rp->ctl)));
	json_object_object_add(dm, "findings_raised",
			       json_object_new_int64((int64_t)st->life.raised));
	json_object_object_add(dm, "findings_cleared",
			       json_object_new_int64((int64_t)st->life.cleared));
	json_object_object_add(dm, "bad_frames", json_object_new_int64((int64_t)rp->loop->bad_frames));
	hist = json_object_new_array();
	for (size_t i = 0; i < st->ring_len; i++) {
		const struct xd_sample *s = xd_store_sample(st, i);
		struct json_object *o2 = json_object_new_object();
		json_object_object_add(o2, "at_ms", json_object_new_int64(s->at_ms));
		json_object_object_add(o2, "sas", json_object_new_int64(s->sas));
		json_object_object_add(o2, "policies", json_object_new_int64(s->policies));
		json_object_object_add(o2, "errors", json_object_new_int64(s->errors));
		json_object_object_add(o2, "warnings", json_object_new_int64(s->warnings));
		json_object_array_add(hist, o2);
	}
	json_object_object_add(dm, "history", hist);
	json_object_object_add(doc, "daemon", dm);
	r = fprintf(f, "%s\n",
		    json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN |
								JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(doc);
	return r < 0 ? -EIO : 0;
}

static int r_check(void *userdata, FILE *f, const void *arg)
{
	const struct xd_store *st = ((const struct xd_replies *)userdata)->store;
	struct xd_render_opts o = { 0 };

	return xd_render_findings_json(f, st->cur->snap, &st->cur->findings, &o);
}

static int r_peers(void *userdata, FILE *f, const void *arg)
{
	const struct xd_store *st = ((const struct xd_replies *)userdata)->store;
	struct xd_render_opts o = { 0 };
	return xd_render_peers_json(f, st->cur->snap, &st->cur->peers, &o);
}

/* The exposition text (malloc'ed into *ret). Shared by the metrics command and HTTP. */
int xd_replies_metrics_text(const struct xd_replies *rp, char **ret, size_t *ret_len)
{
	const struct xd_store *st = rp->store;
	struct xd_prom_daemon pd = {
		.resyncs = st->resyncs, .overruns = rp->loop->overruns, .events = rp->loop->events,
		.samples = st->samples, .clients = xd_control_clients(rp->ctl),
		.last_resync_s = st->last_resync_s,
		.ike_failures = &st->ike_failures,
		.last_sample_at = st->ring_len ? xd_store_sample(st, st->ring_len - 1)->at_ms / 1000
					       : 0,
	};
	char *buf = NULL;
	size_t len = 0;
	FILE *m;
	int r;

	if (!st->cur)
		return -EAGAIN;
	m = open_memstream(&buf, &len);
	if (!m)
		return -ENOMEM;
	r = xd_render_prom(m, st->cur->snap, &st->cur->findings, &st->tunnels, &pd);
	if (fclose(m) != 0 || r < 0) {
		free(buf);
		return -EIO;
	}
	*ret = buf;
	*ret_len = len;
	return 0;
}

int xd_replies_http_metrics(void *userdata, char **buf, size_t *len)
{
	return xd_replies_metrics_text(userdata, buf, len);
}

static int r_metrics(void *userdata, FILE *f, const void *arg)
{
	char *buf = NULL;
	size_t len = 0;
	struct json_object *o;
	int r = xd_replies_metrics_text(userdata, &buf, &len);

	if (r < 0)
		return r;
	/* exposition text travels as one JSON string: the protocol stays JSON lines */
	o = json_object_new_object();
	json_object_object_add(o, "format", json_object_new_string("prometheus-text-0.0.4"));
	json_object_object_add(o, "metrics", json_object_new_string_len(buf, (int)len));
	free(buf);
	r = fprintf(f, "%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
								       JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return r < 0 ? -EIO : 0;
}

static int r_findings(void *userdata, FILE *f, const void *arg)
{
	const struct xd_store *st = ((const struct xd_replies *)userdata)->store;
	struct json_object *o = json_object_new_object(), *arr = json_object_new_array();
	int r;

	for (size_t i = 0; i < st->life.active.len; i++) {
		const struct xd_active_finding *a = xd_vec_at(&st->life.active, i);
		struct json_object *e = json_object_new_object();
		json_object_object_add(e, "raised_at_ms", json_object_new_int64(a->raised_at));
		json_object_object_add(e, "finding", json_object_get(a->json));
		json_object_array_add(arr, e);
	}
	json_object_object_add(o, "active_findings", arr);
	r = fprintf(f, "%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
								       JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return r < 0 ? -EIO : 0;
}

struct frame_writer {
	FILE *f;
	uint8_t *buf;
};

static int write_frame(struct frame_writer *w, const struct xd_frame_hdr *h, const void *payload)
{
	int n = xd_frame_build(w->buf, sizeof(struct xd_frame_hdr) + XD_FRAME_MAX_PAYLOAD, h, payload);
	uint32_t len;

	if (n < 0)
		return n;
	len = (uint32_t)n;
	if (fwrite(&len, sizeof(len), 1, w->f) != 1 || fwrite(w->buf, (size_t)n, 1, w->f) != 1)
		return -EIO;
	return 0;
}

static int record_frame(void *userdata, const struct xd_record *rec)
{
	struct xd_frame_hdr h = { .type = XD_FRAME_RECORD, .seq = 1, .dump = (uint16_t)rec->dump,
				  .kind = (uint16_t)rec->kind, .nl_proto = rec->nl_proto,
				  .len = (uint32_t)rec->len };

	return write_frame(userdata, &h, rec->data);
}

/*
 * records: the scrubbed records of the current model in the collector's framing, so xfrmctl
 * decodes and renders them exactly like a collection of its own (text output, capture) for
 * users who may not collect (no CAP_NET_ADMIN). Same key-free bytes the model came from.
 */
static int r_records(void *userdata, FILE *f, const void *arg)
{
	const struct xd_store *st = ((const struct xd_replies *)userdata)->store;
	struct frame_writer w = { .f = f };
	struct xd_record_sink sink = { .record = record_frame, .userdata = &w };
	int r;

	if (!st->cur_records)
		return -EAGAIN;
	w.buf = malloc(sizeof(struct xd_frame_hdr) + XD_FRAME_MAX_PAYLOAD);
	if (!w.buf)
		return -ENOMEM;
	fprintf(f, "{\"format\":\"%s\",\"records\":%zu}\n", XD_FRAMES_FORMAT,
		xd_recbuf_count(st->cur_records));
	r = write_frame(&w, &(struct xd_frame_hdr){ .type = XD_FRAME_BEGIN, .seq = 1 }, NULL);
	if (r >= 0)
		r = xd_recbuf_replay(st->cur_records, &sink);
	if (r >= 0)
		r = write_frame(&w, &(struct xd_frame_hdr){ .type = XD_FRAME_META, .seq = 1,
							   .len = sizeof(struct xd_meta) },
				xd_recbuf_meta_const(st->cur_records));
	if (r >= 0)
		r = write_frame(&w, &(struct xd_frame_hdr){ .type = XD_FRAME_END, .seq = 1 }, NULL);
	free(w.buf);
	return r;
}

/* The replies that grow with the model: rendered by a child straight into the socket. */
static const xd_client_render_fn streamed[_XD_REQ_MAX] = {
	[XD_REQ_SHOW] = r_show,         [XD_REQ_CHECK] = r_check,
	[XD_REQ_PEERS] = r_peers,       [XD_REQ_METRICS] = r_metrics,
	[XD_REQ_FINDINGS] = r_findings, [XD_REQ_RECORDS] = r_records,
};

void xd_replies_handle(void *userdata, struct xd_client *c, const struct xd_request *req)
{
	struct xd_replies *rp = userdata;

	if (req->cmd == XD_REQ_WATCH) {
		static const char ok[] = "{\"event\":\"watch.started\"}\n";
		xd_client_subscribe(c);
		xd_client_send(c, ok, sizeof(ok) - 1);
		return;
	}
	if (!rp->store->cur) {
		xd_client_send_error(c, "EAGAIN", "no snapshot yet: the first resync is running");
		xd_client_send(c, "", 0);
		return;
	}
	if (req->cmd == XD_REQ_STATUS) {
		reply(rp, c, r_status, NULL);
		return;
	}
	if ((size_t)req->cmd < XD_ARRAY_SIZE(streamed) && streamed[req->cmd]) {
		/* show's arg is what to show; the others take none */
		if (req->cmd == XD_REQ_SHOW)
			xd_client_stream(c, streamed[req->cmd], rp, &req->what, sizeof(req->what));
		else
			xd_client_stream(c, streamed[req->cmd], rp, NULL, 0);
		return;
	}
	xd_client_send_error(c, "EOPNOTSUPP", "unknown command");
	xd_client_send(c, "", 0);
}
