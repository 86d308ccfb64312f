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

#include "daemon-internal.h"
#include "xfrmd/peers.h"
#include "xfrmd/recbuf.h"
#include "xfrmd/render.h"

/* Render into a memory buffer and queue it for one client: for small replies only (status),
 * whatever the model's size; the others are streamed by a child (xd_client_stream()). */
static void reply(struct daemon *d, struct xd_client *c, xd_client_render_fn fn, const void *arg)
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
	r = fn(d, f, arg);
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
	struct daemon *d = userdata;
	struct xd_render_opts o = { 0 };

	return xd_render_json(f, d->cur->snap, *(const unsigned *)arg, &o);
}

/* status: the xfrmctl status document plus a "daemon" member with the daemon's counters. */
static int r_status(void *userdata, FILE *f, const void *arg)
{
	struct daemon *d = userdata;
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	struct xd_render_opts o = { 0 };
	struct json_object *doc, *dm, *hist;
	int r;

	if (!m)
		return -ENOMEM;
	r = xd_render_json(m, d->cur->snap, XD_RENDER_STATUS, &o);
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
			       json_object_new_int64((int64_t)(xd_mono_ms() - d->started_ms) / 1000));
	json_object_object_add(dm, "resyncs", json_object_new_int64((int64_t)d->resyncs));
	json_object_object_add(dm, "overruns", json_object_new_int64((int64_t)d->overruns));
	json_object_object_add(dm, "events", json_object_new_int64((int64_t)d->events));
	json_object_object_add(dm, "samples", json_object_new_int64((int64_t)d->samples));
	json_object_object_add(dm, "sample_interval_ms",
			       json_object_new_int64(d->cfg.sample_interval_ms));
	json_object_object_add(dm, "resync_cpu_s", json_object_new_double(xd_daemon_resync_cpu_s(d)));
	json_object_object_add(dm, "sample_interval_effective_ms",
			       json_object_new_int64((int64_t)xd_daemon_sample_interval_ms(d)));
	json_object_object_add(dm, "last_resync_s", json_object_new_double(d->last_resync_s));
	json_object_object_add(dm, "last_resync_at_ms", json_object_new_int64(d->last_resync_at));
	json_object_object_add(dm, "last_process_s", json_object_new_double(d->last_process_s));
	json_object_object_add(dm, "collector_dump_s",
			       json_object_new_double((double)d->colst.last_resync_ns / 1e9));
	json_object_object_add(dm, "clients",
			       json_object_new_int64((int64_t)xd_control_clients(d->ctl)));
	json_object_object_add(dm, "clients_cut_off",
			       json_object_new_int64((int64_t)xd_control_cutoffs(d->ctl)));
	json_object_object_add(dm, "findings_raised", json_object_new_int64((int64_t)d->life.raised));
	json_object_object_add(dm, "findings_cleared",
			       json_object_new_int64((int64_t)d->life.cleared));
	json_object_object_add(dm, "bad_frames", json_object_new_int64((int64_t)d->bad_frames));
	hist = json_object_new_array();
	for (size_t i = 0; i < d->ring_len; i++) {
		size_t k = (d->ring_head + d->cfg.history - d->ring_len + i) % d->cfg.history;
		const struct sample *s = &d->ring[k];
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
	struct daemon *d = userdata;
	struct xd_render_opts o = { 0 };

	return xd_render_findings_json(f, d->cur->snap, &d->cur->findings, &o);
}

static int r_peers(void *userdata, FILE *f, const void *arg)
{
	struct daemon *d = userdata;
	struct xd_render_opts o = { 0 };
	return xd_render_peers_json(f, d->cur->snap, &d->cur->peers, &o);
}

/* The exposition text (malloc'ed into *ret). Shared by the metrics command and HTTP. */
int xd_daemon_metrics_text(struct daemon *d, char **ret, size_t *ret_len)
{
	struct xd_prom_daemon pd = {
		.resyncs = d->resyncs, .overruns = d->overruns, .events = d->events,
		.samples = d->samples, .clients = xd_control_clients(d->ctl),
		.last_resync_s = d->last_resync_s,
		.last_sample_at = d->ring_len ? d->ring[(d->ring_head + d->cfg.history - 1) %
							d->cfg.history].at_ms / 1000 : 0,
	};
	char *buf = NULL;
	size_t len = 0;
	FILE *m;
	int r;

	if (!d->cur)
		return -EAGAIN;
	m = open_memstream(&buf, &len);
	if (!m)
		return -ENOMEM;
	r = xd_render_prom(m, d->cur->snap, &d->cur->findings, &d->tunnels, &pd);
	if (fclose(m) != 0 || r < 0) {
		free(buf);
		return -EIO;
	}
	*ret = buf;
	*ret_len = len;
	return 0;
}

int xd_daemon_http_metrics(void *userdata, char **buf, size_t *len)
{
	return xd_daemon_metrics_text(userdata, buf, len);
}

static int r_metrics(void *userdata, FILE *f, const void *arg)
{
	struct daemon *d = userdata;
	char *buf = NULL;
	size_t len = 0;
	struct json_object *o;
	int r = xd_daemon_metrics_text(d, &buf, &len);

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
	struct daemon *d = userdata;
	struct json_object *o = json_object_new_object(), *arr = json_object_new_array();
	int r;

	for (size_t i = 0; i < d->life.active.len; i++) {
		const struct xd_active_finding *a = xd_vec_at(&d->life.active, i);
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
	struct daemon *d = userdata;
	struct frame_writer w = { .f = f };
	struct xd_record_sink sink = { .record = record_frame, .userdata = &w };
	int r;

	if (!d->cur_records)
		return -EAGAIN;
	w.buf = malloc(sizeof(struct xd_frame_hdr) + XD_FRAME_MAX_PAYLOAD);
	if (!w.buf)
		return -ENOMEM;
	fprintf(f, "{\"format\":\"%s\",\"records\":%zu}\n", XD_FRAMES_FORMAT,
		xd_recbuf_count(d->cur_records));
	r = write_frame(&w, &(struct xd_frame_hdr){ .type = XD_FRAME_BEGIN, .seq = 1 }, NULL);
	if (r >= 0)
		r = xd_recbuf_replay(d->cur_records, &sink);
	if (r >= 0)
		r = write_frame(&w, &(struct xd_frame_hdr){ .type = XD_FRAME_META, .seq = 1,
							   .len = sizeof(struct xd_meta) },
				xd_recbuf_meta_const(d->cur_records));
	if (r >= 0)
		r = write_frame(&w, &(struct xd_frame_hdr){ .type = XD_FRAME_END, .seq = 1 }, NULL);
	free(w.buf);
	return r;
}

void xd_daemon_handle_request(void *userdata, struct xd_client *c, const struct xd_request *req)
{
	struct daemon *d = userdata;

	if (req->cmd == XD_REQ_WATCH) {
		static const char ok[] = "{\"event\":\"watch.started\"}\n";
		xd_client_subscribe(c);
		xd_client_send(c, ok, sizeof(ok) - 1);
		return;
	}
	if (!d->cur) {
		xd_client_send_error(c, "EAGAIN", "no snapshot yet: the first resync is running");
		xd_client_send(c, "", 0);
		return;
	}
	switch (req->cmd) {
	case XD_REQ_STATUS:
		reply(d, c, r_status, NULL);
		break;
	case XD_REQ_SHOW:
		xd_client_stream(c, r_show, d, &req->what, sizeof(req->what));
		break;
	case XD_REQ_CHECK:
		xd_client_stream(c, r_check, d, NULL, 0);
		break;
	case XD_REQ_PEERS:
		xd_client_stream(c, r_peers, d, NULL, 0);
		break;
	case XD_REQ_METRICS:
		xd_client_stream(c, r_metrics, d, NULL, 0);
		break;
	case XD_REQ_FINDINGS:
		xd_client_stream(c, r_findings, d, NULL, 0);
		break;
	case XD_REQ_RECORDS:
		xd_client_stream(c, r_records, d, NULL, 0);
		break;
	default:
		xd_client_send_error(c, "EOPNOTSUPP", "unknown command");
		xd_client_send(c, "", 0);
	}
}
