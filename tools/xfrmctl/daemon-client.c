/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * daemon-client.c: xfrmctl as a client of xfrmd (docs/control-protocol.md). One request per
 * connection; the reply is one newline-terminated JSON document split over SOCK_SEQPACKET
 * messages. When the daemon is not there, callers fall back to collecting themselves.
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "frame.h"
#include "xfrmctl.h"
#include "xfrmd/recbuf.h"
#include "xfrmd/util.h"

#define DEFAULT_SOCKET "/run/xfrmd/xfrmd.sock"
#define MAX_REPLY (512u << 20)
#define REPLY_TIMEOUT_S 30

bool arg_no_daemon;

const char *xfrmctl_daemon_socket(void)
{
	const char *p = secure_getenv("XFRMD_SOCKET");

	return p && *p ? p : DEFAULT_SOCKET;
}

bool xfrmctl_daemon_wanted(void)
{
	struct stat st;

	if (arg_no_daemon || arg_read_path || arg_netns)
		return false;
	/* JSON documents come from the daemon as they are; text is rendered here, from a
	 * collection of our own or the daemon's records (load.c) */
	if (arg_json == JSON_OFF)
		return false;
	return stat(xfrmctl_daemon_socket(), &st) == 0 && S_ISSOCK(st.st_mode);
}

int xfrmctl_daemon_connect(const char *request, int timeout_s)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = timeout_s };
	int fd, r;

	if (strlen(xfrmctl_daemon_socket()) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	xd_strlcpy(sa.sun_path, xfrmctl_daemon_socket(), sizeof(sa.sun_path));
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		goto fail;
	if (timeout_s > 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (send(fd, request, strlen(request), MSG_NOSIGNAL) < 0) {
		char c;
		/* a daemon that refuses a peer answers at once and closes: its one error line
		 * (the reason) may be waiting even though our request could not be sent */
		if ((errno == EPIPE || errno == ECONNRESET) &&
		    recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT) > 0)
			return fd;
		goto fail;
	}
	return fd;
fail:
	r = -errno;
	close(fd);
	return r;
}

static void cannot_talk(int err)
{
	fprintf(stderr, "xfrmctl: cannot talk to xfrmd at %s: %s%s\n", xfrmctl_daemon_socket(),
		strerror(err),
		err == EACCES || err == EPERM
			? " (only root and members of the daemon's socket_group may use it; "
			  "--no-daemon collects directly)"
			: "");
}

/* Receive what the daemon sent next (one recv) onto the pending bytes; -EPIPE at its end. */
static int recv_more(int fd, char **pending, size_t *plen)
{
	for (;;) {
		char chunk[65536];
		ssize_t n = recv(fd, chunk, sizeof(chunk), 0);
		char *p;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EPIPE;
		if (*plen + (size_t)n > MAX_REPLY)
			return -EMSGSIZE;
		p = realloc(*pending, *plen + (size_t)n);
		if (!p)
			return -ENOMEM;
		memcpy(p + *plen, chunk, (size_t)n);
		*pending = p;
		*plen += (size_t)n;
		return 0;
	}
}

/* Read one newline-terminated line; *ret is NUL-terminated without the newline. */
int xfrmctl_daemon_read_line(int fd, char **pending, size_t *plen, char **ret)
{
	for (;;) {
		char *nl = *pending ? memchr(*pending, '\n', *plen) : NULL;
		int r;

		if (nl) {
			size_t l = (size_t)(nl - *pending);
			char *line = malloc(l + 1);
			if (!line)
				return -ENOMEM;
			memcpy(line, *pending, l);
			line[l] = 0;
			memmove(*pending, nl + 1, *plen - l - 1);
			*plen -= l + 1;
			*ret = line;
			return 0;
		}
		r = recv_more(fd, pending, plen);
		if (r < 0)
			return r;
	}
}

/* An {"error":{...}} reply: print it and return the exit code; 0 when it is no error. */
int xfrmctl_daemon_error(struct json_object *doc)
{
	struct json_object *e, *code = NULL, *msg = NULL;

	if (!json_object_object_get_ex(doc, "error", &e))
		return 0;
	json_object_object_get_ex(e, "code", &code);
	json_object_object_get_ex(e, "message", &msg);
	fprintf(stderr, "xfrmctl: the daemon refused: %s (%s)\n",
		msg ? json_object_get_string(msg) : "no reason",
		code ? json_object_get_string(code) : "?");
	return EXIT_COLLECT;
}

int xfrmctl_daemon_query(const char *request, struct json_object **ret)
{
	char *pending = NULL, *line = NULL;
	size_t plen = 0;
	struct json_object *doc;
	int fd, r;

	fd = xfrmctl_daemon_connect(request, REPLY_TIMEOUT_S);
	if (fd < 0) {
		if (fd == -ENOENT || fd == -ECONNREFUSED)
			return fd; /* no daemon: the caller collects itself */
		cannot_talk(-fd);
		return EXIT_COLLECT;
	}
	r = xfrmctl_daemon_read_line(fd, &pending, &plen, &line);
	close(fd);
	free(pending);
	if (r < 0) {
		fprintf(stderr, "xfrmctl: reading the reply of xfrmd failed: %s\n", strerror(-r));
		return EXIT_COLLECT;
	}
	doc = json_tokener_parse(line);
	free(line);
	if (!doc) {
		fputs("xfrmctl: xfrmd sent a reply that is not JSON\n", stderr);
		return EXIT_COLLECT;
	}
	r = xfrmctl_daemon_error(doc);
	if (r) {
		json_object_put(doc);
		return r;
	}
	*ret = doc;
	return 0;
}

int xfrmctl_daemon_print(struct json_object *doc)
{
	int flags = arg_json == JSON_SHORT ? JSON_C_TO_STRING_PLAIN
					   : JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED;

	printf("%s\n", json_object_to_json_string_ext(doc, flags | JSON_C_TO_STRING_NOSLASHESCAPE));
	return fflush(stdout) == 0 ? EXIT_OK : EXIT_COLLECT;
}

int xfrmctl_daemon_simple(const char *request)
{
	struct json_object *doc = NULL;
	int r = xfrmctl_daemon_query(request, &doc);

	if (r != 0)
		return r;
	r = xfrmctl_daemon_print(doc);
	json_object_put(doc);
	return r;
}

bool xfrmctl_records_wanted(void)
{
	struct stat st;

	/* root collects itself (fresh, and only what the verb needs) */
	if (arg_no_daemon || arg_read_path || arg_netns || geteuid() == 0)
		return false;
	return stat(xfrmctl_daemon_socket(), &st) == 0 && S_ISSOCK(st.st_mode);
}

/* Make sure `want` bytes are pending; -EPIPE at a premature end. */
static int fill(int fd, char **pending, size_t *plen, size_t want)
{
	while (*plen < want) {
		int r = recv_more(fd, pending, plen);
		if (r < 0)
			return r;
	}
	return 0;
}

int xfrmctl_daemon_records(struct xd_recbuf **ret)
{
	char *pending = NULL, *line = NULL;
	size_t plen = 0;
	struct json_object *hdr = NULL, *fmt;
	struct xd_frame_rx rx;
	int fd, r;

	fd = xfrmctl_daemon_connect("{\"command\":\"records\"}", REPLY_TIMEOUT_S);
	if (fd == -ENOENT || fd == -ECONNREFUSED)
		return fd;
	if (fd < 0) {
		cannot_talk(-fd);
		return -EPROTO;
	}
	xd_frame_rx_init(&rx);
	r = xfrmctl_daemon_read_line(fd, &pending, &plen, &line);
	if (r < 0)
		goto out;
	hdr = json_tokener_parse(line);
	if (!hdr || xfrmctl_daemon_error(hdr)) {
		r = -EPROTO;
		goto out;
	}
	if (!json_object_object_get_ex(hdr, "format", &fmt) ||
	    strcmp(json_object_get_string(fmt), XD_FRAMES_FORMAT) != 0) {
		fputs("xfrmctl: xfrmd sent records in an unknown format\n", stderr);
		r = -EPROTO;
		goto out;
	}
	for (;;) {
		struct xd_frame_rx_out out = { 0 };
		uint32_t len;

		r = fill(fd, &pending, &plen, sizeof(len));
		if (r < 0)
			goto out;
		memcpy(&len, pending, sizeof(len));
		if (len > sizeof(struct xd_frame_hdr) + XD_FRAME_MAX_PAYLOAD) {
			r = -EBADMSG;
			goto out;
		}
		r = fill(fd, &pending, &plen, sizeof(len) + len);
		if (r < 0)
			goto out;
		r = xd_frame_rx_feed(&rx, pending + sizeof(len), len, &out);
		memmove(pending, pending + sizeof(len) + len, plen - sizeof(len) - len);
		plen -= sizeof(len) + len;
		if (r < 0)
			goto out;
		if (r == XD_RX_COMPLETE) {
			xd_recbuf_meta(out.buf)->source = XD_SOURCE_DAEMON;
			*ret = out.buf;
			r = 0;
			goto out;
		}
	}
out:
	if (r < 0 && r != -EPROTO)
		fprintf(stderr, "xfrmctl: reading records from xfrmd failed: %s\n", strerror(-r));
	json_object_put(hdr);
	xd_frame_rx_done(&rx);
	free(line);
	free(pending);
	close(fd);
	return r < 0 ? -EPROTO : 0;
}
