/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * finding-filter.c: which findings `check` reports. --id GLOB and --peer ADDR narrow the
 * report (as `ip xfrm state list spi ...` narrows a listing); --ignore ID[:PEER] and
 * --ignore-file FILE acknowledge accepted conditions, so a known and accepted finding does
 * not keep a monitoring check CRITICAL forever. Both act before rendering and before the
 * exit status is decided, in text, JSON and Nagios output alike.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "finding-filter.h"
#include "xfrmctl.h"
#include "xfrmd/file.h"
#include "xfrmd/finding.h"
#include "xfrmd/util.h"

#define MAX_RULES 256
#define MAX_IGNORE_FILE_BYTES (64 * 1024)

struct peer {
	uint16_t family;
	struct xd_addr addr;
};

struct rule {
	const char *id_glob;
	bool has_peer;
	struct peer peer;
};

static struct rule ids[MAX_RULES], ignores[MAX_RULES];
static size_t n_ids, n_ignores;
static struct peer peers[MAX_RULES];
static size_t n_peers;
static size_t n_acknowledged;

static int parse_peer(const char *s, struct peer *ret)
{
	*ret = (struct peer){ 0 };
	if (inet_pton(AF_INET, s, ret->addr.b) == 1)
		ret->family = AF_INET;
	else if (inet_pton(AF_INET6, s, ret->addr.b) == 1)
		ret->family = AF_INET6;
	else
		return -EINVAL;
	return 0;
}

int xfrmctl_filter_add_id(const char *glob)
{
	if (n_ids >= MAX_RULES)
		return xfrmctl_usage_error("--id given more than %d times", MAX_RULES);
	if (!*glob)
		return xfrmctl_usage_error("--id takes a finding id or a glob (fw.*)");
	ids[n_ids++] = (struct rule){ .id_glob = glob };
	return 0;
}

int xfrmctl_filter_add_peer(const char *addr)
{
	if (n_peers >= MAX_RULES)
		return xfrmctl_usage_error("--peer given more than %d times", MAX_RULES);
	if (parse_peer(addr, &peers[n_peers]) < 0)
		return xfrmctl_usage_error("--peer: not an IP address: %s", addr);
	n_peers++;
	return 0;
}

/* "ID[:PEER]", ID a glob; IPv6 peers contain ':' too, so the id ends at the first ':' */
static int parse_ignore(char *spec, struct rule *ret)
{
	char *colon = strchr(spec, ':');

	*ret = (struct rule){ .id_glob = spec };
	if (colon) {
		*colon = '\0';
		if (parse_peer(colon + 1, &ret->peer) < 0)
			return -EINVAL;
		ret->has_peer = true;
	}
	return *spec ? 0 : -EINVAL;
}

int xfrmctl_filter_add_ignore(const char *spec)
{
	char *copy;

	if (n_ignores >= MAX_RULES)
		return xfrmctl_usage_error("more than %d acknowledged findings", MAX_RULES);
	copy = strdup(spec);
	if (!copy)
		return xfrmctl_usage_error("out of memory");
	if (parse_ignore(copy, &ignores[n_ignores]) < 0) {
		free(copy);
		return xfrmctl_usage_error("--ignore takes ID[:PEER] (ID may be a glob): %s", spec);
	}
	n_ignores++;
	return 0;
}

int xfrmctl_filter_add_ignore_file(const char *path)
{
	char *buf = NULL, *save = NULL;
	unsigned lineno = 0;
	size_t len = 0;
	/* a FIFO or directory is refused without blocking (file.h) */
	int r = xd_file_read(path, 0, MAX_IGNORE_FILE_BYTES, &buf, &len, NULL);

	if (r == -EFBIG)
		return xfrmctl_usage_error("--ignore-file %s: larger than %d bytes", path,
					   MAX_IGNORE_FILE_BYTES);
	if (r < 0)
		return xfrmctl_usage_error("--ignore-file %s: %s", path, xd_file_strerror(r));
	/* line numbers count empty lines too: split by hand, strtok_r would skip them */
	for (char *line = buf; line; line = save) {
		char *p = line, *end;

		save = strchr(line, '\n');
		if (save)
			*save++ = '\0';
		lineno++;
		while (*p == ' ' || *p == '\t')
			p++;
		end = p + strcspn(p, "#\r\n");
		while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		*end = '\0';
		if (!*p)
			continue;
		if (xfrmctl_filter_add_ignore(p) != 0) {
			fprintf(stderr, "xfrmctl: (line %u of %s)\n", lineno, path);
			free(buf);
			return EXIT_USAGE;
		}
	}
	free(buf);
	return 0;
}

bool xfrmctl_filter_active(void)
{
	return n_ids || n_peers || n_ignores;
}

static bool peer_is(const struct xd_finding *x, const struct peer *p)
{
	return (x->subject.has & XD_SUBJ_PEER) && x->subject.family == p->family &&
	       xd_addr_cmp(&x->subject.peer, &p->addr) == 0;
}

static bool keep(const struct xd_finding *x, void *ud)
{
	bool ok = !n_ids;

	(void)ud;
	for (size_t i = 0; i < n_ids && !ok; i++)
		ok = fnmatch(ids[i].id_glob, x->def->id, 0) == 0;
	if (!ok)
		return false;
	if (n_peers) {
		ok = false;
		for (size_t i = 0; i < n_peers && !ok; i++)
			ok = peer_is(x, &peers[i]);
		if (!ok)
			return false;
	}
	for (size_t i = 0; i < n_ignores; i++)
		if (fnmatch(ignores[i].id_glob, x->def->id, 0) == 0 &&
		    (!ignores[i].has_peer || peer_is(x, &ignores[i].peer))) {
			n_acknowledged++;
			return false;
		}
	return true;
}

void xfrmctl_filter_findings(struct xd_findings *f)
{
	if (xfrmctl_filter_active())
		(void)xd_findings_retain(f, keep, NULL);
}

size_t xfrmctl_filter_acknowledged(void)
{
	return n_acknowledged;
}
