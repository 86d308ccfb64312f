/* SPDX-License-Identifier: GPL-2.0-or-later */
/* config.c: the xfrmd.conf parser. Pure (text in, struct out) so tests and -n share it. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "http.h"
#include "xfrmd/file.h"
#include "xfrmd/util.h"

#define MAX_CONFIG_BYTES (64 * 1024)

void xd_config_defaults(struct xd_config *c)
{
	*c = (struct xd_config){
		.socket_path = "/run/xfrmd/xfrmd.sock",
		.socket_group = "xfrmd-read",
		.user = "xfrmd",
		.sample_interval_ms = 10000,
		.debounce_ms = 100,
		.min_resync_interval_ms = 1000,
		.history = 60,
		.max_clients = 64,
		.client_queue_bytes = 1u << 20,
		.request_timeout_ms = 5000,
		.event_rcvbuf = 8u << 20,
		.sa_events = true,
	};
}

static int parse_bool(const char *v, bool *ret)
{
	if (xd_streq(v, "yes") || xd_streq(v, "true") || xd_streq(v, "1") || xd_streq(v, "on"))
		*ret = true;
	else if (xd_streq(v, "no") || xd_streq(v, "false") || xd_streq(v, "0") ||
		 xd_streq(v, "off"))
		*ret = false;
	else
		return -EINVAL;
	return 0;
}

/* "10", "10s", "250ms" -> milliseconds */
static int parse_ms(const char *v, uint32_t *ret)
{
	char num[32];
	size_t n = strspn(v, "0123456789");
	uint64_t x;
	uint64_t mult;

	if (n == 0 || n >= sizeof(num))
		return -EINVAL;
	memcpy(num, v, n);
	num[n] = 0;
	if (xd_parse_u64(num, &x) < 0)
		return -EINVAL;
	if (xd_streq(v + n, "") || xd_streq(v + n, "s"))
		mult = 1000;
	else if (xd_streq(v + n, "ms"))
		mult = 1;
	else
		return -EINVAL;
	if (x > UINT32_MAX / mult)
		return -ERANGE;
	*ret = (uint32_t)(x * mult);
	return 0;
}

/* The numeric keys: a number, or a duration in ms (parse_ms), in [lo, hi]. */
static const struct num_key {
	const char *key;
	bool ms;
	uint32_t lo, hi;
	size_t offset; /* of the uint32_t member of struct xd_config */
	const char *why;
} num_keys[] = {
	{ "sample_interval", true, 200, 3600000, offsetof(struct xd_config, sample_interval_ms),
	  "takes 1s..3600s (e.g. 10, 10s, 500ms)" },
	{ "debounce", true, 0, 10000, offsetof(struct xd_config, debounce_ms), "takes 0..10000ms" },
	{ "min_resync_interval", true, 0, 60000, offsetof(struct xd_config, min_resync_interval_ms),
	  "takes 0..60s" },
	{ "request_timeout", true, 100, 60000, offsetof(struct xd_config, request_timeout_ms),
	  "takes 100ms..60s" },
	{ "history", false, 2, 10000, offsetof(struct xd_config, history),
	  "takes 2..10000 samples" },
	{ "max_clients", false, 1, 4096, offsetof(struct xd_config, max_clients), "takes 1..4096" },
	{ "client_queue_bytes", false, 65536, 256u << 20,
	  offsetof(struct xd_config, client_queue_bytes), "takes 65536..268435456" },
	{ "event_rcvbuf", false, 4096, 256u << 20, offsetof(struct xd_config, event_rcvbuf),
	  "takes 4096..268435456" },
};

static int set_key(struct xd_config *c, const char *k, const char *v, const char **why)
{
	const char *detail;

	*why = "invalid value";
	if (xd_streq(k, "socket")) {
		if (v[0] != '/' || strlen(v) >= sizeof(c->socket_path)) {
			*why = "must be an absolute path shorter than 108 bytes";
			return -EINVAL;
		}
		xd_strlcpy(c->socket_path, v, sizeof(c->socket_path));
		return 0;
	}
	if (xd_streq(k, "socket_group")) {
		if (!*v || strlen(v) >= sizeof(c->socket_group))
			return -EINVAL;
		xd_strlcpy(c->socket_group, v, sizeof(c->socket_group));
		return 0;
	}
	for (size_t i = 0; i < XD_ARRAY_SIZE(num_keys); i++) {
		const struct num_key *nk = &num_keys[i];
		uint32_t x;

		if (!xd_streq(k, nk->key))
			continue;
		*why = nk->why;
		if ((nk->ms ? parse_ms(v, &x) : xd_parse_u32(v, &x)) < 0 || x < nk->lo || x > nk->hi)
			return -EINVAL;
		*(uint32_t *)((char *)c + nk->offset) = x;
		return 0;
	}
	if (xd_streq(k, "metrics_listen")) {
		*why = "takes unix:/PATH, a loopback ADDRESS:PORT (127.0.0.1:9687, [::1]:9687) or "
		       "'off'";
		if (xd_streq(v, "off") || xd_streq(v, "")) {
			c->metrics_listen[0] = 0;
			return 0;
		}
		if (strlen(v) >= sizeof(c->metrics_listen))
			return -EINVAL;
		if (xd_http_check_addr(v, &detail) < 0) {
			/* say which part is wrong: "127.0.0.1:99999" is not obviously a bad port */
			*why = detail;
			return -EINVAL;
		}
		xd_strlcpy(c->metrics_listen, v, sizeof(c->metrics_listen));
		return 0;
	}
	if (xd_streq(k, "user")) {
		*why = "takes a user name (at most 31 bytes)";
		if (!*v || strlen(v) >= sizeof(c->user) || strchr(v, '/') || strchr(v, ':'))
			return -EINVAL;
		xd_strlcpy(c->user, v, sizeof(c->user));
		return 0;
	}
	if (xd_streq(k, "sa_events")) {
		*why = "takes yes or no";
		return parse_bool(v, &c->sa_events);
	}
	if (xd_streq(k, "debug")) {
		*why = "takes yes or no";
		return parse_bool(v, &c->debug);
	}
	*why = "unknown key";
	return -EINVAL;
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = 0;
	return s;
}

int xd_config_parse(struct xd_config *c, const char *text, size_t len, char *err, size_t errlen)
{
	struct xd_config tmp = *c;
	char line[512];
	size_t pos = 0;
	unsigned lineno = 0;

	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
		const char *why;
		char *k, *v, *eq;

		lineno++;
		if (n >= sizeof(line)) {
			snprintf(err, errlen, "line %u: too long", lineno);
			return -EINVAL;
		}
		memcpy(line, text + pos, n);
		line[n] = 0;
		pos += n + 1;
		if (memchr(line, 0, n)) {
			snprintf(err, errlen, "line %u: NUL byte", lineno);
			return -EINVAL;
		}
		k = trim(line);
		if (!*k || *k == '#')
			continue;
		eq = strchr(k, '=');
		if (!eq) {
			snprintf(err, errlen, "line %u: expected 'key = value'", lineno);
			return -EINVAL;
		}
		*eq = 0;
		v = trim(eq + 1);
		k = trim(k);
		if (set_key(&tmp, k, v, &why) < 0) {
			char ek[64];
			/* the key is user text: keep it printable in the message */
			size_t i;
			for (i = 0; k[i] && i < sizeof(ek) - 1; i++)
				ek[i] = isprint((unsigned char)k[i]) ? k[i] : '?';
			ek[i] = 0;
			snprintf(err, errlen, "line %u: '%s' %s", lineno, ek, why);
			return -EINVAL;
		}
	}
	*c = tmp;
	return 0;
}

int xd_config_load(struct xd_config *c, const char *path, bool must_exist, char *err,
		   size_t errlen)
{
	_xd_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	int r;

	/* never blocks on a FIFO, refuses a directory or device (file.h) */
	r = xd_file_read(path, 0, MAX_CONFIG_BYTES, &buf, &len, NULL);
	if (r == -ENOENT && !must_exist)
		return 0;
	if (r == -EFBIG) {
		snprintf(err, errlen, "larger than %d bytes", MAX_CONFIG_BYTES);
		return r;
	}
	if (r < 0) {
		snprintf(err, errlen, "cannot open: %s", xd_file_strerror(r));
		return r;
	}
	return xd_config_parse(c, buf, len, err, errlen);
}
