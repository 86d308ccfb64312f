/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * request.h: control-socket requests (docs/control-protocol.md). A request is one JSON object
 * in one SOCK_SEQPACKET message: {"command": "...", optional "sections": [...]}. Parsed with
 * json-c under a size cap, a nesting limit and strict type and key checks: anything else is
 * refused with a reason, never half-understood.
 */
#pragma once

#include <stddef.h>

#define XD_REQUEST_MAX_BYTES (64u * 1024)
#define XD_REQUEST_MAX_DEPTH 4

enum xd_req_cmd {
	XD_REQ_STATUS,
	XD_REQ_SHOW,
	XD_REQ_CHECK,
	XD_REQ_PEERS,
	XD_REQ_METRICS,
	XD_REQ_WATCH,
	XD_REQ_FINDINGS,
	XD_REQ_RECORDS, /* the current snapshot's scrubbed records, framed (frame.h) */
	_XD_REQ_MAX,
};

struct xd_request {
	enum xd_req_cmd cmd;
	unsigned what; /* show: enum xd_render_what bits */
};

/*
 * Parse one request. Returns 0, or -EMSGSIZE (too big), -EBADMSG (not JSON / trailing bytes
 * / too deep), -EINVAL (valid JSON with a wrong shape), -EOPNOTSUPP (unknown command); *why
 * is a static reason for the error reply.
 */
int xd_request_parse(const char *buf, size_t len, struct xd_request *req, const char **why);
const char *xd_request_name(enum xd_req_cmd c);
