/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * collect-ikelog.c: the recent log lines of the running IKE daemons (the ike.log dump,
 * decoded by decode-ikelog.c).
 *
 * Where each daemon logs is taken from the daemon itself, as deployments set it:
 * - strongSwan charon / charon-systemd: the file loggers of the strongswan.conf it reads
 *   (STRONGSWAN_CONF in its environment, else /etc/strongswan.conf; `include` directives
 *   followed), `<daemon>.filelog.<name>.path` or the older `<daemon>.filelog./path { }`;
 *   without a file logger it logs to syslog or the journal.
 * - libreswan pluto: `--logfile` on its command line, else `logfile=` in the ipsec.conf named
 *   by `--config` (default /etc/ipsec.conf); else syslog or the journal.
 * Every path is resolved through /proc/PID/root, so a daemon in a container or a private
 * mount namespace is read where it writes.
 *
 * Bounds: only the last LOG_TAIL_BYTES of a file and lines of the last LOG_WINDOW_S seconds
 * (lines without a time stamp are kept: charon's filelog writes none by default); at most
 * JOURNAL_MAX_ENTRIES journal entries. Files are opened non-blocking, without following a
 * final symlink, and must be regular files. Only lines the classifier recognises
 * (xd_ikelog_keep()) are recorded, each cut to XD_IKELOG_LINE_MAX bytes: a log at a high
 * debug level holds keys, and those lines never enter a snapshot.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifdef XD_HAVE_LIBSYSTEMD
#include <systemd/sd-journal.h>
#endif

#include "collect-internal.h"
#include "strbuf.h"
#include "xfrmd/decode.h"
#include "xfrmd/file.h"
#include "xfrmd/model.h"

#define LOG_TAIL_BYTES (1u << 20)
#define LOG_WINDOW_S (24 * 3600)
#define LOG_RECORD_MAX (1u << 20) /* of kept lines, per source */
#define JOURNAL_MAX_ENTRIES 20000
#define CONF_MAX_BYTES (1u << 20)
#define MAX_SOURCES 16


struct sources {
	struct xd_file_id ids[MAX_SOURCES];
	unsigned n;
	bool journal_done;
	int status; /* the worst outcome: 0, or -errno of a source that could not be read */
	bool any;
};

/* ---- strongswan.conf: the file loggers ---- */

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/* The file loggers of `daemon` (or of "charon", whose settings charon-systemd also reads). */
struct filelogs {
	const char *daemon;
	void (*add)(void *ud, const char *path);
	void *ud;
};

static void on_filelog_setting(void *ud, const char *section, const char *name, const char *value)
{
	const struct filelogs *f = ud;
	size_t dl = strlen(f->daemon);
	const char *fl;

	if (!value) {
		/* the older form names the file as the section: filelog { /var/log/x { } } */
		char want[80];
		snprintf(want, sizeof(want), "%s.filelog", f->daemon);
		if (name[0] == '/' && (xd_streq(section, want) || xd_streq(section, "charon.filelog")))
			f->add(f->ud, name);
		return;
	}
	/* <daemon>.filelog.<name>.path */
	if (((strncmp(section, f->daemon, dl) == 0 && section[dl] == '.') ||
	     strncmp(section, "charon.", 7) == 0) &&
	    xd_streq(name, "path") && (fl = strstr(section, ".filelog.")) && !strchr(fl + 9, '.'))
		f->add(f->ud, value);
}

/* ---- reading ---- */

struct emit {
	struct xd_strbuf sb;
	size_t lines;
	int64_t cutoff;
	int64_t now;
};

/* Keep one line if the classifier knows it and it is recent enough. */
static void emit_line(struct emit *e, const char *line, size_t len, int64_t t_known)
{
	int64_t t;

	if (len > XD_IKELOG_LINE_MAX)
		len = XD_IKELOG_LINE_MAX;
	if (!xd_ikelog_keep(line, len))
		return;
	t = t_known ? t_known : xd_ikelog_time(line, len, e->now);
	if (t && t < e->cutoff)
		return;
	if (e->sb.len + len + 1 > LOG_RECORD_MAX)
		return;
	xd_strbuf_printf(&e->sb, "%.*s\n", (int)len, line);
	e->lines++;
}

static void add_record(struct xd_recbuf *out, struct sources *src, struct emit *e)
{
	struct xd_record rec = { .kind = XD_RECORD_FILE, .dump = XD_DUMP_IKE_LOG };

	if (e->sb.err) {
		src->status = -ENOMEM;
		return;
	}
	rec.data = e->sb.data;
	rec.len = e->sb.len;
	if (xd_recbuf_add(out, &rec) < 0)
		src->status = -ENOMEM;
	else
		src->any = true;
}

/* The last LOG_TAIL_BYTES of one log file. */
static void read_file(struct xd_recbuf *out, struct sources *src, uint32_t pid, const char *path,
		      const char *stack)
{
	char p[1100], *buf;
	struct xd_file_id id;
	struct emit e = { 0 };
	uint64_t size;
	off_t off;
	ssize_t n;
	size_t got = 0, start = 0;
	int fd;

	if (path[0] != '/')
		return;
	snprintf(p, sizeof(p), "/proc/%u/root%s", pid, path);
	fd = xd_file_open(p, XD_FILE_NOFOLLOW, &size, &id);
	if (fd < 0) {
		if (fd != -ENOENT && !src->status)
			src->status = fd;
		return;
	}
	for (unsigned i = 0; i < src->n; i++)
		if (src->ids[i].dev == id.dev && src->ids[i].ino == id.ino) {
			close(fd); /* two daemons, or two loggers, writing one file */
			return;
		}
	if (src->n < MAX_SOURCES)
		src->ids[src->n++] = id;
	buf = malloc(LOG_TAIL_BYTES + 1);
	if (!buf) {
		close(fd);
		src->status = -ENOMEM;
		return;
	}
	off = size > LOG_TAIL_BYTES ? (off_t)(size - LOG_TAIL_BYTES) : 0;
	while (got < LOG_TAIL_BYTES) {
		n = pread(fd, buf + got, LOG_TAIL_BYTES - got, off + (off_t)got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	/* a tail that starts mid-line: that first part line is not a line */
	if (off > 0) {
		char *nl = memchr(buf, '\n', got);
		start = nl ? (size_t)(nl - buf) + 1 : got;
	}
	e.now = (int64_t)time(NULL);
	e.cutoff = e.now - LOG_WINDOW_S;
	xd_strbuf_init(&e.sb, LOG_RECORD_MAX + 1024);
	xd_strbuf_printf(&e.sb, "# source: %s stack: %s\n", path, stack);
	for (size_t i = start; i < got;) {
		char *nl = memchr(buf + i, '\n', got - i);
		size_t ll = nl ? (size_t)(nl - buf) - i : got - i;
		emit_line(&e, buf + i, ll, 0);
		i += ll + 1;
	}
	explicit_bzero(buf, got); /* the lines not kept may hold keys */
	free(buf);
	add_record(out, src, &e);
	xd_strbuf_done(&e.sb);
}

#ifdef XD_HAVE_LIBSYSTEMD
/*
 * The journal's entries of the IKE daemons, newest first up to the bounds, recorded oldest
 * first as "@UNIXTIME MESSAGE". A daemon in the host's network namespace is matched by its
 * command name (entries of its earlier runs count); one in another namespace by its PID, so
 * the daemons of other namespaces (which share the journal) stay out.
 */
static void read_journal(struct xd_recbuf *out, struct sources *src, const struct xd_ike_proc *d,
			 unsigned nd)
{
	sd_journal *j = NULL;
	struct emit e = { 0 };
	char **lines;
	uint64_t *times;
	size_t n = 0;
	char m[64];
	int r;

	if (src->journal_done)
		return;
	src->journal_done = true;
	r = sd_journal_open(&j, SD_JOURNAL_LOCAL_ONLY);
	if (r < 0) {
		if (!src->status)
			src->status = r;
		return;
	}
	for (unsigned i = 0; i < nd; i++) {
		if (d[i].init_netns)
			snprintf(m, sizeof(m), "_COMM=%s", d[i].comm);
		else
			snprintf(m, sizeof(m), "_PID=%u", d[i].pid);
		(void)sd_journal_add_match(j, m, 0);
		(void)sd_journal_add_disjunction(j);
	}
	lines = calloc(JOURNAL_MAX_ENTRIES, sizeof(*lines));
	times = calloc(JOURNAL_MAX_ENTRIES, sizeof(*times));
	e.now = (int64_t)time(NULL);
	e.cutoff = e.now - LOG_WINDOW_S;
	if (!lines || !times || sd_journal_seek_tail(j) < 0) {
		free(lines);
		free(times);
		sd_journal_close(j);
		return;
	}
	while (n < JOURNAL_MAX_ENTRIES && sd_journal_previous(j) > 0) {
		const void *data;
		size_t len;
		uint64_t us;
		if (sd_journal_get_realtime_usec(j, &us) < 0 || (int64_t)(us / 1000000) < e.cutoff)
			break;
		if (sd_journal_get_data(j, "MESSAGE", &data, &len) < 0 || len < 8)
			continue;
		len -= 8; /* "MESSAGE=" */
		if (len > XD_IKELOG_LINE_MAX)
			len = XD_IKELOG_LINE_MAX;
		if (!xd_ikelog_keep((const char *)data + 8, len))
			continue;
		lines[n] = strndup((const char *)data + 8, len);
		times[n] = us / 1000000;
		if (lines[n])
			n++;
	}
	sd_journal_close(j);
	xd_strbuf_init(&e.sb, LOG_RECORD_MAX + 1024);
	xd_strbuf_printf(&e.sb, "# source: journal stack: %s\n",
			 nd && d[0].stack == XD_IKE_PROC_LIBRESWAN ? "libreswan" : "strongswan");
	for (size_t i = n; i-- > 0;) {
		char line[XD_IKELOG_LINE_MAX + 32];
		int l = snprintf(line, sizeof(line), "@%llu %s", (unsigned long long)times[i], lines[i]);
		if (l > 0)
			emit_line(&e, line, (size_t)l < sizeof(line) ? (size_t)l : sizeof(line) - 1,
				  (int64_t)times[i]);
		free(lines[i]);
	}
	free(lines);
	free(times);
	add_record(out, src, &e);
	xd_strbuf_done(&e.sb);
}
#endif

struct add_ctx {
	struct xd_recbuf *out;
	struct sources *src;
	uint32_t pid;
	unsigned n;
};

static void add_filelog(void *ud, const char *path)
{
	struct add_ctx *c = ud;

	/* "stderr" and "stdout" are file loggers too, with nothing to read back */
	if (path[0] != '/')
		return;
	c->n++;
	read_file(c->out, c->src, c->pid, path, "strongswan");
}

/* A strongSwan daemon's file logs; false when it has none (it logs to syslog/journal). */
static bool strongswan_logs(struct xd_recbuf *out, struct sources *src, const struct xd_ike_proc *d)
{
	char conf[512] = "/etc/strongswan.conf", root[64], *text = NULL;
	struct add_ctx c = { .out = out, .src = src, .pid = d->pid };
	struct filelogs f = { .daemon = d->comm, .add = add_filelog, .ud = &c };

	(void)xd_proc_env(d->pid, "STRONGSWAN_CONF", conf, sizeof(conf));
	snprintf(root, sizeof(root), "/proc/%u/root", d->pid);
	if (xd_swanconf_load(root, conf, &text) == 0)
		xd_swanconf_walk(text, on_filelog_setting, &f);
	free(text);
	return c.n > 0;
}

/* `logfile=` in the `config setup` section of an ipsec.conf; false when there is none. */
static bool ipsec_conf_logfile(uint32_t pid, const char *conf, char *ret, size_t rlen)
{
	char p[1100], *text = NULL;
	size_t len = 0;
	bool setup = false, found = false;

	snprintf(p, sizeof(p), "/proc/%u/root%s", pid, conf);
	if (conf[0] != '/' || xd_file_read(p, 0, CONF_MAX_BYTES, &text, &len, NULL) < 0)
		return false;
	for (char *save = NULL, *line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		bool indented = line[0] == ' ' || line[0] == '\t';
		char *t = trim(line), *eq;
		if (!indented && t[0] && t[0] != '#') {
			setup = strncmp(t, "config", 6) == 0 && strstr(t, "setup");
			continue;
		}
		if (!setup || !(eq = strchr(t, '=')))
			continue;
		*eq = '\0';
		if (xd_streq(trim(t), "logfile")) {
			char *v = trim(eq + 1);
			size_t vl = strlen(v);
			if (vl >= 2 && v[0] == '"' && v[vl - 1] == '"') {
				v[vl - 1] = '\0';
				v++;
			}
			snprintf(ret, rlen, "%s", v);
			found = true;
		}
	}
	free(text);
	return found;
}

static bool libreswan_logs(struct xd_recbuf *out, struct sources *src, const struct xd_ike_proc *d)
{
	char conf[512] = "/etc/ipsec.conf", logfile[512];

	if (!xd_proc_arg(d->pid, "--logfile", logfile, sizeof(logfile))) {
		(void)xd_proc_arg(d->pid, "--config", conf, sizeof(conf));
		if (!ipsec_conf_logfile(d->pid, conf, logfile, sizeof(logfile)))
			return false;
	}
	if (logfile[0] != '/')
		return false;
	read_file(out, src, d->pid, logfile, "libreswan");
	return true;
}

void xd_collect_ikelog(struct xd_recbuf *out, struct xd_ike_procs *procs)
{
	struct xd_meta *m = xd_recbuf_meta(out);
	const struct xd_ike_proc *d = procs->d;
	struct xd_ike_proc to_journal[XD_ARRAY_SIZE(procs->d)];
	struct sources src = { 0 };
	unsigned n = (unsigned)xd_ike_procs_get(procs), nj = 0;

	if (!n) {
		/* no IKE daemon: nothing to read, nothing is wrong */
		xd_nl_set_status(m, XD_DUMP_IKE_LOG, -ENOENT);
		return;
	}
	for (unsigned i = 0; i < n; i++) {
		bool files = d[i].stack == XD_IKE_PROC_STRONGSWAN ? strongswan_logs(out, &src, &d[i])
							 : libreswan_logs(out, &src, &d[i]);
		/* charon-systemd always writes the journal; the others when they have no file */
		if (!files || xd_streq(d[i].comm, "charon-systemd"))
			to_journal[nj++] = d[i];
	}
#ifdef XD_HAVE_LIBSYSTEMD
	if (nj)
		read_journal(out, &src, to_journal, nj);
#else
	(void)to_journal;
#endif
	if (!src.any && !src.status && nj)
		src.status = -EOPNOTSUPP; /* logs to syslog/journal, and no journal support built */
	xd_nl_set_status(m, XD_DUMP_IKE_LOG, src.any ? 0 : src.status);
}
