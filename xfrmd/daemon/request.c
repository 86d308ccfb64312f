/* SPDX-License-Identifier: GPL-2.0-or-later */
/* request.c: the control request parser; the daemon's only parser of client bytes. */
#include <errno.h>
#include <json-c/json.h>
#include <string.h>

#include "request.h"
#include "xfrmd/render.h"
#include "xfrmd/util.h"

static const char *const cmd_names[] = {
	[XD_REQ_STATUS] = "status", [XD_REQ_SHOW] = "show",       [XD_REQ_CHECK] = "check",
	[XD_REQ_PEERS] = "peers",   [XD_REQ_METRICS] = "metrics", [XD_REQ_WATCH] = "watch",
	[XD_REQ_FINDINGS] = "findings", [XD_REQ_RECORDS] = "records",
};

const char *xd_request_name(enum xd_req_cmd c)
{
	return (unsigned)c < _XD_REQ_MAX ? cmd_names[c] : NULL;
}

static int sections(struct json_object *arr, unsigned *what, const char **why)
{
	static const struct {
		const char *name;
		unsigned what;
	} t[] = {
		{ "sa", XD_RENDER_SA },
		{ "policy", XD_RENDER_POLICY },
		{ "stats", XD_RENDER_STATS },
		{ "all", XD_RENDER_SA | XD_RENDER_POLICY | XD_RENDER_STATS },
	};
	size_t n;

	*why = "'sections' must be an array of up to 4 of sa, policy, stats, all";
	if (!json_object_is_type(arr, json_type_array))
		return -EINVAL;
	n = json_object_array_length(arr);
	if (n == 0 || n > 4)
		return -EINVAL;
	*what = 0;
	for (size_t i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(arr, i);
		unsigned w = 0;
		if (!json_object_is_type(e, json_type_string))
			return -EINVAL;
		for (size_t k = 0; k < XD_ARRAY_SIZE(t); k++)
			if (xd_streq(json_object_get_string(e), t[k].name))
				w = t[k].what;
		if (!w)
			return -EINVAL;
		*what |= w;
	}
	return 0;
}

int xd_request_parse(const char *buf, size_t len, struct xd_request *req, const char **why)
{
	struct json_tokener *tok;
	struct json_object *o, *cmd = NULL, *secs = NULL;
	size_t used;
	int r = 0;

	*req = (struct xd_request){ .what = XD_RENDER_SA | XD_RENDER_POLICY | XD_RENDER_STATS };
	if (len > XD_REQUEST_MAX_BYTES) {
		*why = "request larger than 64 KiB";
		return -EMSGSIZE;
	}
	if (len == 0 || memchr(buf, 0, len)) {
		*why = "empty request or NUL byte";
		return -EBADMSG;
	}
	tok = json_tokener_new_ex(XD_REQUEST_MAX_DEPTH);
	if (!tok)
		return -ENOMEM;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	o = json_tokener_parse_ex(tok, buf, (int)len);
	used = (size_t)json_tokener_get_parse_end(tok);
	if (!o) {
		*why = json_tokener_get_error(tok) == json_tokener_error_depth ? "request nested too deeply"
										: "request is not valid JSON";
		json_tokener_free(tok);
		return -EBADMSG;
	}
	json_tokener_free(tok);
	for (; used < len; used++)
		if (!strchr(" \t\r\n", buf[used])) {
			*why = "bytes after the JSON object";
			r = -EBADMSG;
			goto out;
		}
	if (!json_object_is_type(o, json_type_object)) {
		*why = "request must be a JSON object";
		r = -EINVAL;
		goto out;
	}
	json_object_object_foreach(o, key, val) {
		if (xd_streq(key, "command"))
			cmd = val;
		else if (xd_streq(key, "sections"))
			secs = val;
		else {
			*why = "unknown member in request";
			r = -EINVAL;
			goto out;
		}
	}
	if (!cmd || !json_object_is_type(cmd, json_type_string)) {
		*why = "'command' must be a string";
		r = -EINVAL;
		goto out;
	}
	r = -EOPNOTSUPP;
	*why = "unknown command";
	for (int i = 0; i < _XD_REQ_MAX; i++)
		if (xd_streq(json_object_get_string(cmd), cmd_names[i])) {
			req->cmd = (enum xd_req_cmd)i;
			r = 0;
		}
	if (r < 0)
		goto out;
	if (secs) {
		if (req->cmd != XD_REQ_SHOW) {
			*why = "'sections' is only for show";
			r = -EINVAL;
			goto out;
		}
		r = sections(secs, &req->what, why);
	}
out:
	json_object_put(o);
	return r;
}
