/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * snapshot-read.c: reads a snapshot file block by block (never the whole file at once: a
 * 1M-SA capture is hundreds of MB). Every length is checked before use; any inconsistency
 * ends the read with -EBADMSG and a one-line reason. Foreign machine or byte order is
 * refused (XFRM payloads are host-ABI structs). Key spans found non-zero are zeroed and
 * counted in meta->keys_scrubbed_on_load.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "pcapng.h"
#include "xfrmd/capture.h"
#include "xfrmd/decode.h"
#include "xfrmd/file.h"
#include "xfrmd/model.h"

#define MAX_IFACES 16

struct reader {
	/* one of: */
	int fd;
	const unsigned char *mem;
	size_t mem_len;

	uint64_t off;
	struct xd_meta *meta;
	const struct xd_record_sink *sink;
	char *err;
	size_t errlen;
	uint16_t linktype[MAX_IFACES];
	unsigned n_ifaces;
	bool have_manifest;
	unsigned char *block;
	size_t block_cap;
};

static int fail(struct reader *rd, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct reader *rd, int code, const char *fmt, ...)
{
	va_list ap;

	if (rd->err && rd->errlen) {
		va_start(ap, fmt);
		vsnprintf(rd->err, rd->errlen, fmt, ap);
		va_end(ap);
	}
	return code;
}

/* Read exactly n bytes; returns 1 on success, 0 on clean EOF before any byte, -errno. */
static int read_exact(struct reader *rd, void *buf, size_t n)
{
	size_t got = 0;

	if (rd->mem) {
		if (rd->off >= rd->mem_len)
			return 0;
		if (rd->mem_len - rd->off < n)
			return -EBADMSG;
		if (n) /* an empty block body has no buffer yet */
			memcpy(buf, rd->mem + rd->off, n);
		rd->off += n;
		return 1;
	}
	while (got < n) {
		ssize_t r = read(rd->fd, (char *)buf + got, n - got);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (r == 0)
			return got == 0 ? 0 : -EBADMSG;
		got += (size_t)r;
	}
	rd->off += n;
	return 1;
}

static void copy_val(char *dst, size_t dlen, const char *v, size_t vlen)
{
	size_t n = vlen < dlen - 1 ? vlen : dlen - 1;
	memcpy(dst, v, n);
	dst[n] = '\0';
}

static int parse_time(const char *v, int64_t *sec, uint32_t *nsec)
{
	struct tm tm = { 0 };
	const char *rest = strptime(v, "%Y-%m-%dT%H:%M:%S", &tm);
	uint32_t ns = 0;
	int digits = 0;

	if (!rest)
		return -EINVAL;
	if (*rest == '.') {
		for (rest++; *rest >= '0' && *rest <= '9' && digits < 9; rest++, digits++)
			ns = ns * 10 + (uint32_t)(*rest - '0');
		for (; digits < 9; digits++)
			ns *= 10;
	}
	if (strcmp(rest, "Z") != 0)
		return -EINVAL;
	*sec = (int64_t)timegm(&tm);
	*nsec = ns;
	return 0;
}

/* One "dump=NAME status=S attempts=N errno=E" line. Unknown dumps are ignored. */
static void parse_dump_line(struct xd_meta *m, char *line)
{
	enum xd_dump d = _XD_DUMP_INVALID;
	char *save = NULL;

	for (char *tok = strtok_r(line, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(tok, '=');
		uint32_t u;
		if (!eq)
			continue;
		*eq++ = '\0';
		if (xd_streq(tok, "dump"))
			d = xd_dump_from_name(eq);
		else if (d == _XD_DUMP_INVALID)
			return;
		else if (xd_streq(tok, "status")) {
			enum xd_dump_status st = xd_dump_status_from_name(eq);
			m->dump_status[d] = st < _XD_DUMP_STATUS_MAX ? st : XD_DUMP_ERROR;
		} else if (xd_streq(tok, "attempts") && xd_parse_u32(eq, &u) == 0)
			m->dump_attempts[d] = u;
		else if (xd_streq(tok, "errno") && xd_parse_u32(eq, &u) == 0 && u < 4096)
			m->dump_error[d] = -(int)u;
	}
}

static int parse_manifest(struct reader *rd, const char *text, size_t len)
{
	struct xd_meta *m = rd->meta;
	bool format_ok = false, version_ok = false;
	const char *p = text, *end = text + len;
	struct utsname u;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		char line[512];
		size_t ll;
		char *eq;

		if (!eol)
			eol = end;
		ll = (size_t)(eol - p);
		copy_val(line, sizeof(line), p, ll);
		p = eol + 1;
		eq = strchr(line, '=');
		if (!eq)
			continue;
		*eq = '\0';
		const char *k = line, *v = eq + 1;
		if (xd_streq(k, "format"))
			format_ok = xd_streq(v, SNAP_FORMAT);
		else if (xd_streq(k, "version"))
			version_ok = xd_streq(v, "1");
		else if (xd_streq(k, "tool"))
			copy_val(m->tool, sizeof(m->tool), v, strlen(v));
		else if (xd_streq(k, "kernel"))
			copy_val(m->kernel_release, sizeof(m->kernel_release), v, strlen(v));
		else if (xd_streq(k, "machine"))
			copy_val(m->machine, sizeof(m->machine), v, strlen(v));
		else if (xd_streq(k, "byte_order"))
			copy_val(m->byte_order, sizeof(m->byte_order), v, strlen(v));
		else if (xd_streq(k, "netns"))
			copy_val(m->netns, sizeof(m->netns), v, strlen(v));
		else if (xd_streq(k, "captured_at")) {
			if (parse_time(v, &m->captured_at, &m->captured_at_ns) < 0)
				return fail(rd, -EBADMSG, "manifest has a malformed capture time");
		} else if (xd_streq(k, "dump")) {
			*eq = '=';
			parse_dump_line(m, line);
		}
	}
	if (!format_ok)
		return fail(rd, -EPROTO, "not an xfrmd snapshot (no xfrm-snapshot manifest)");
	if (!version_ok)
		return fail(rd, -EPROTO, "unsupported snapshot format version");
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	const char *host_order = "little";
#else
	const char *host_order = "big";
#endif
	if (!xd_streq(m->byte_order, host_order))
		return fail(rd, -EXDEV, "snapshot byte order '%s' differs from this host's '%s'",
			    m->byte_order, host_order);
	if (uname(&u) == 0 && !xd_streq(m->machine, u.machine))
		return fail(rd, -EXDEV,
			    "snapshot was taken on a '%s' machine, this host is '%s': XFRM records are "
			    "machine-specific; analyse it on a '%s' host",
			    m->machine, u.machine, m->machine);
	rd->have_manifest = true;
	m->source = XD_SOURCE_SNAPSHOT; /* already for sinks that write as they read */
	return 0;
}

/* Walk the options area; calls back for each option. Returns 0 or -EBADMSG. */
static int walk_options(struct reader *rd, const unsigned char *p, size_t len,
			int (*fn)(struct reader *, uint16_t, const unsigned char *, size_t, void *),
			void *ud)
{
	while (len >= 4) {
		uint16_t code, olen;
		memcpy(&code, p, 2);
		memcpy(&olen, p + 2, 2);
		if (code == PCAPNG_OPT_END)
			return 0;
		size_t padded = ((size_t)olen + 3) & ~(size_t)3;
		if (padded > len - 4)
			return fail(rd, -EBADMSG, "option runs past its block at offset %llu",
				    (unsigned long long)rd->off);
		int r = fn(rd, code, p + 4, olen, ud);
		if (r < 0)
			return r;
		p += 4 + padded;
		len -= 4 + padded;
	}
	return 0;
}

static int shb_opt(struct reader *rd, uint16_t code, const unsigned char *v, size_t len, void *ud)
{
	if (code == PCAPNG_OPT_COMMENT && !rd->have_manifest)
		return parse_manifest(rd, (const char *)v, len);
	return 0;
}

static int epb_opt(struct reader *rd, uint16_t code, const unsigned char *v, size_t len, void *ud)
{
	enum xd_dump *d = ud;
	char buf[64];

	if (code == PCAPNG_OPT_COMMENT && len > 5 && len < sizeof(buf) && memcmp(v, "dump=", 5) == 0) {
		copy_val(buf, sizeof(buf), (const char *)v + 5, len - 5);
		*d = xd_dump_from_name(buf);
	}
	return 0;
}

static int handle_epb(struct reader *rd, unsigned char *body, size_t len)
{
	uint32_t ifid, caplen;
	enum xd_dump dump = _XD_DUMP_INVALID;
	unsigned char *data;
	size_t padded;
	struct xd_record rec = { 0 };
	int r;

	if (len < 20)
		return fail(rd, -EBADMSG, "packet block too short at offset %llu",
			    (unsigned long long)rd->off);
	memcpy(&ifid, body, 4);
	memcpy(&caplen, body + 12, 4);
	padded = ((size_t)caplen + 3) & ~(size_t)3;
	if (padded > len - 20)
		return fail(rd, -EBADMSG, "packet data runs past its block at offset %llu",
			    (unsigned long long)rd->off);
	if (ifid >= rd->n_ifaces)
		return fail(rd, -EBADMSG, "packet refers to an unknown interface %u", ifid);
	r = walk_options(rd, body + 20 + padded, len - 20 - padded, epb_opt, &dump);
	if (r < 0)
		return r;
	if (dump == _XD_DUMP_INVALID)
		return 0; /* a record we do not know: skipped, as pcapng allows */
	data = body + 20;
	if (rd->linktype[ifid] == LINKTYPE_NETLINK) {
		struct snap_nl_cooked h;
		if (caplen < sizeof(h))
			return fail(rd, -EBADMSG, "netlink record without its header");
		memcpy(&h, data, sizeof(h));
		rec.kind = XD_RECORD_NETLINK;
		rec.nl_proto = ntohs(h.protocol);
		data += sizeof(h);
		caplen -= sizeof(h);
		if (xd_dump_kind(dump) != XD_RECORD_NETLINK ||
		    rec.nl_proto != (uint16_t)xd_dump_nl_proto(dump))
			return fail(rd, -EBADMSG, "record of %s has the wrong netlink family",
				    xd_dump_name(dump));
		if (rec.nl_proto == NETLINK_XFRM)
			rd->meta->keys_scrubbed_on_load += (uint32_t)xd_xfrm_scrub(data, caplen);
	} else if (rd->linktype[ifid] == LINKTYPE_USER0) {
		rec.kind = XD_RECORD_FILE;
		if (xd_dump_kind(dump) != XD_RECORD_FILE)
			return fail(rd, -EBADMSG, "record of %s on the file interface",
				    xd_dump_name(dump));
	} else {
		return 0;
	}
	rec.dump = dump;
	rec.data = data;
	rec.len = caplen;
	return rd->sink ? rd->sink->record(rd->sink->userdata, &rec) : 0;
}

static int read_all(struct reader *rd)
{
	bool first = true;

	for (;;) {
		uint32_t hdr[2], trailer;
		size_t body;
		int r;

		r = read_exact(rd, hdr, sizeof(hdr));
		if (r == 0) {
			if (first)
				return fail(rd, -EBADMSG, "empty file");
			return 0;
		}
		if (r < 0)
			return fail(rd, r == -EBADMSG ? -EBADMSG : r, "truncated block header at offset %llu",
				    (unsigned long long)rd->off);
		if (first && hdr[0] != PCAPNG_SHB)
			return fail(rd, -EPROTO, "not a pcapng file");
		if (hdr[1] < 12 || hdr[1] % 4 || hdr[1] > SNAP_MAX_BLOCK)
			return fail(rd, -EBADMSG, "invalid block length %u at offset %llu", hdr[1],
				    (unsigned long long)rd->off - 8);
		body = hdr[1] - 12;
		if (body > rd->block_cap) {
			unsigned char *n = realloc(rd->block, body);
			if (!n)
				return -ENOMEM;
			rd->block = n;
			rd->block_cap = body;
		}
		r = read_exact(rd, rd->block, body);
		if (r <= 0)
			return fail(rd, -EBADMSG, "truncated block at offset %llu",
				    (unsigned long long)rd->off);
		r = read_exact(rd, &trailer, 4);
		if (r <= 0 || trailer != hdr[1])
			return fail(rd, -EBADMSG, "block length mismatch at offset %llu",
				    (unsigned long long)rd->off);

		switch (hdr[0]) {
		case PCAPNG_SHB: {
			uint32_t bom;
			if (!first)
				return fail(rd, -EBADMSG, "more than one section is not supported");
			if (body < 16)
				return fail(rd, -EBADMSG, "section header too short");
			memcpy(&bom, rd->block, 4);
			if (bom == PCAPNG_BOM_SWAPPED)
				return fail(rd, -EXDEV, "snapshot was written with the other byte order");
			if (bom != PCAPNG_BOM)
				return fail(rd, -EPROTO, "not a pcapng file");
			r = walk_options(rd, rd->block + 16, body - 16, shb_opt, NULL);
			if (r < 0)
				return r;
			if (!rd->have_manifest)
				return fail(rd, -EPROTO, "not an xfrmd snapshot (no manifest)");
			break;
		}
		case PCAPNG_IDB:
			if (body < 8)
				return fail(rd, -EBADMSG, "interface block too short");
			if (rd->n_ifaces >= MAX_IFACES)
				return fail(rd, -EBADMSG, "too many interfaces");
			memcpy(&rd->linktype[rd->n_ifaces++], rd->block, 2);
			break;
		case PCAPNG_EPB:
			r = handle_epb(rd, rd->block, body);
			if (r < 0)
				return r;
			break;
		default:
			break; /* unknown block types are skipped */
		}
		first = false;
	}
}

static int read_common(struct reader *rd, struct xd_meta *meta)
{
	int r;

	memset(meta, 0, sizeof(*meta));
	rd->meta = meta;
	r = read_all(rd);
	if (rd->block) {
		explicit_bzero(rd->block, rd->block_cap);
		free(rd->block);
	}
	meta->source = XD_SOURCE_SNAPSHOT;
	return r;
}

int xd_capture_read(const char *path, struct xd_meta *meta, const struct xd_record_sink *sink,
		    char *errbuf, size_t errlen)
{
	return xd_capture_read_opts(path, NULL, meta, sink, errbuf, errlen);
}

int xd_capture_read_opts(const char *path, const struct xd_archive_opts *opts,
			 struct xd_meta *meta, const struct xd_record_sink *sink, char *errbuf,
			 size_t errlen)
{
	struct reader rd = { .sink = sink, .err = errbuf, .errlen = errlen };
	int r;

	/* a sos report, supportconfig or a file of command output: the same records, as text */
	if (xd_archive_detect(path))
		return xd_archive_read(path, opts, meta, sink, errbuf, errlen);
	/* never blocks on a FIFO; a directory or device is named as such, not as a bad block */
	rd.fd = xd_file_open(path, 0, NULL, NULL);
	if (rd.fd == -EISDIR || rd.fd == -EINVAL)
		return fail(&rd, rd.fd, "%s, not a snapshot file", xd_file_strerror(rd.fd));
	if (rd.fd < 0)
		return fail(&rd, rd.fd, "cannot open: %s", strerror(-rd.fd));
	r = read_common(&rd, meta);
	close(rd.fd);
	return r;
}

int xd_capture_read_mem(const void *data, size_t len, struct xd_meta *meta,
			const struct xd_record_sink *sink, char *errbuf, size_t errlen)
{
	struct reader rd = { .fd = -1, .mem = data, .mem_len = len, .sink = sink, .err = errbuf,
			     .errlen = errlen };

	if (!data)
		rd.mem = (const unsigned char *)"";
	return read_common(&rd, meta);
}
