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

#include "xfrmctl.h"
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
	/* the daemon answers in JSON; text for root is rendered here from a direct collection */
	if (arg_json == JSON_OFF && geteuid() == 0)
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
	if (send(fd, request, strlen(request), MSG_NOSIGNAL) < 0)
		goto fail;
	return fd;
fail:
	r = -errno;
	close(fd);
	return r;
}

/* Read one newline-terminated line; *ret is NUL-terminated without the newline. */
int xfrmctl_daemon_read_line(int fd, char **pending, size_t *plen, char **ret)
{
	for (;;) {
		char *nl = *pending ? memchr(*pending, '\n', *plen) : NULL;
		char chunk[65536];
		ssize_t n;

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
		n = recv(fd, chunk, sizeof(chunk), 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EPIPE;
		if (*plen + (size_t)n > MAX_REPLY)
			return -EMSGSIZE;
		char *p = realloc(*pending, *plen + (size_t)n);
		if (!p)
			return -ENOMEM;
		memcpy(p + *plen, chunk, (size_t)n);
		*pending = p;
		*plen += (size_t)n;
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
		fprintf(stderr, "xfrmctl: cannot talk to xfrmd at %s: %s\n", xfrmctl_daemon_socket(),
			strerror(-fd));
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

	if (arg_json == JSON_OFF)
		fputs("xfrmctl: answered by xfrmd: its JSON is shown (text output needs direct "
		      "access: --no-daemon as root)\n", stderr);
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
