/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * snapshot-write.c: writes records and their manifest as pcapng. The file is created O_EXCL
 * with mode 0600 and written under a temporary name, then renamed, so a failed capture never
 * leaves a half file under the requested name. XFRM records are scrubbed once more on the
 * way out: a snapshot must never carry a key even if a caller forgot.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pcapng.h"
#include "xfrmd/capture.h"
#include "xfrmd/decode.h"
#include "xfrmd/model.h"
#include "xfrmd/recbuf.h"

struct writer {
	FILE *f;
	int err;
	const struct xd_meta *meta;
	unsigned char *scratch;
	size_t scratch_len;
};

static void put(struct writer *w, const void *p, size_t n)
{
	if (w->err == 0 && n && fwrite(p, 1, n, w->f) != n)
		w->err = -EIO;
}

static void put_u32(struct writer *w, uint32_t v)
{
	put(w, &v, 4);
}

static void put_pad(struct writer *w, size_t n)
{
	static const unsigned char zero[4];
	put(w, zero, (4 - (n & 3)) & 3);
}

static size_t opt_size(size_t len)
{
	return 4 + ((len + 3) & ~(size_t)3);
}

static void put_opt(struct writer *w, uint16_t code, const void *val, size_t len)
{
	uint16_t h[2] = { code, (uint16_t)len };
	put(w, h, 4);
	put(w, val, len);
	put_pad(w, len);
}

static int manifest(const struct xd_meta *m, char **ret, size_t *ret_len)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	char ts[64] = "";

	if (!f)
		return -ENOMEM;
	if (xd_fmt_utc(m->captured_at, ts, sizeof(ts)) < 0)
		ts[0] = '\0';
	fprintf(f, "format=%s\nversion=%d\ntool=%s\nkernel=%s\nmachine=%s\nbyte_order=%s\n",
		SNAP_FORMAT, SNAP_VERSION, m->tool, m->kernel_release, m->machine, m->byte_order);
	if (m->netns[0])
		fprintf(f, "netns=%s\n", m->netns);
	fprintf(f, "captured_at=%s.%09uZ\nkeys=scrubbed\n", ts, m->captured_at_ns);
	for (int d = 0; d < _XD_DUMP_MAX; d++) {
		if (m->dump_status[d] == XD_DUMP_NOT_COLLECTED)
			continue;
		fprintf(f, "dump=%s status=%s attempts=%u errno=%d\n", xd_dump_name((enum xd_dump)d),
			xd_dump_status_name(m->dump_status[d]), m->dump_attempts[d],
			-m->dump_error[d]);
	}
	if (fclose(f) != 0) {
		free(buf);
		return -ENOMEM;
	}
	if (len > 60000) { /* an option length is 16 bits */
		free(buf);
		return -E2BIG;
	}
	*ret = buf;
	*ret_len = len;
	return 0;
}

static void write_shb(struct writer *w, const char *man, size_t man_len)
{
	const char *appl = w->meta->tool;
	size_t alen = strlen(appl);
	uint32_t total = 28 + (uint32_t)(opt_size(alen) + opt_size(man_len) + 4);
	uint16_t ver[2] = { 1, 0 };
	uint64_t seclen = UINT64_MAX;

	put_u32(w, PCAPNG_SHB);
	put_u32(w, total);
	put_u32(w, PCAPNG_BOM);
	put(w, ver, 4);
	put(w, &seclen, 8);
	put_opt(w, PCAPNG_OPT_SHB_USERAPPL, appl, alen);
	put_opt(w, PCAPNG_OPT_COMMENT, man, man_len);
	put_opt(w, PCAPNG_OPT_END, NULL, 0);
	put_u32(w, total);
}

static void write_idb(struct writer *w, uint16_t linktype, const char *name)
{
	size_t nlen = strlen(name);
	uint32_t total = 20 + (uint32_t)(opt_size(nlen) + 4);
	uint16_t lt[2] = { linktype, 0 };

	put_u32(w, PCAPNG_IDB);
	put_u32(w, total);
	put(w, lt, 4);
	put_u32(w, 0); /* snaplen: no limit */
	put_opt(w, PCAPNG_OPT_IF_NAME, name, nlen);
	put_opt(w, PCAPNG_OPT_END, NULL, 0);
	put_u32(w, total);
}

static int write_record(void *userdata, const struct xd_record *rec)
{
	struct writer *w = userdata;
	char comment[64];
	size_t clen = (size_t)snprintf(comment, sizeof(comment), "dump=%s", xd_dump_name(rec->dump));
	bool nl = rec->kind == XD_RECORD_NETLINK;
	size_t caplen = rec->len + (nl ? sizeof(struct snap_nl_cooked) : 0);
	uint64_t ts = (uint64_t)w->meta->captured_at * 1000000u + w->meta->captured_at_ns / 1000u;
	size_t total = 32 + ((caplen + 3) & ~(size_t)3) + opt_size(clen) + 4;
	const void *data = rec->data;

	if (total > SNAP_MAX_BLOCK)
		return -E2BIG;
	if (nl && rec->nl_proto == NETLINK_XFRM) {
		if (w->scratch_len < rec->len) {
			if (w->scratch)
				explicit_bzero(w->scratch, w->scratch_len);
			free(w->scratch);
			w->scratch = malloc(rec->len);
			w->scratch_len = w->scratch ? rec->len : 0;
			if (!w->scratch)
				return -ENOMEM;
		}
		memcpy(w->scratch, rec->data, rec->len);
		(void)xd_xfrm_scrub(w->scratch, rec->len);
		data = w->scratch;
	}
	put_u32(w, PCAPNG_EPB);
	put_u32(w, (uint32_t)total);
	put_u32(w, nl ? SNAP_IF_NETLINK : SNAP_IF_FILES);
	put_u32(w, (uint32_t)(ts >> 32));
	put_u32(w, (uint32_t)ts);
	put_u32(w, (uint32_t)caplen);
	put_u32(w, (uint32_t)caplen);
	if (nl) {
		struct snap_nl_cooked h = { .hatype = htons(ARPHRD_NETLINK_),
					    .protocol = htons(rec->nl_proto) };
		put(w, &h, sizeof(h));
	}
	put(w, data, rec->len);
	put_pad(w, caplen);
	put_opt(w, PCAPNG_OPT_COMMENT, comment, clen);
	put_opt(w, PCAPNG_OPT_END, NULL, 0);
	put_u32(w, (uint32_t)total);
	return w->err;
}

/* The blocks of a whole snapshot to w->f; the first error is left in w->err. */
static void write_stream(struct writer *w, const struct xd_recbuf *buf, const char *man,
			 size_t man_len)
{
	write_shb(w, man, man_len);
	write_idb(w, LINKTYPE_NETLINK, "netlink");
	write_idb(w, LINKTYPE_USER0, "files");
	if (w->err == 0) {
		struct xd_record_sink sink = { .record = write_record, .userdata = w };
		int r = xd_recbuf_replay(buf, &sink);
		if (r < 0 && w->err == 0)
			w->err = r;
	}
	if (w->scratch) {
		explicit_bzero(w->scratch, w->scratch_len);
		free(w->scratch);
		w->scratch = NULL;
	}
	if (fflush(w->f) != 0 && w->err == 0)
		w->err = -EIO;
}

int xd_capture_write(const char *path, const struct xd_recbuf *buf)
{
	const struct xd_meta *m = xd_recbuf_meta_const(buf);
	struct writer w = { .meta = m };
	_xd_cleanup_free_ char *man = NULL;
	_xd_cleanup_free_ char *tmp = NULL;
	size_t man_len;
	int fd, r;

	r = manifest(m, &man, &man_len);
	if (r < 0)
		return r;
	if (asprintf(&tmp, "%s.tmpXXXXXX", path) < 0)
		return -ENOMEM;
	/* refuse to replace an existing file: like tcpdump -w would not be asked to */
	if (access(path, F_OK) == 0)
		return -EEXIST;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fchmod(fd, 0600) < 0 || !(w.f = fdopen(fd, "w"))) {
		r = -errno;
		close(fd);
		unlink(tmp);
		return r;
	}
	write_stream(&w, buf, man, man_len);
	if (w.err == 0 && fsync(fileno(w.f)) != 0)
		w.err = -EIO;
	if (fclose(w.f) != 0 && w.err == 0)
		w.err = -EIO;
	if (w.err == 0 && link(tmp, path) < 0)
		w.err = -errno;
	unlink(tmp);
	return w.err;
}

int xd_capture_write_stream(FILE *f, const struct xd_recbuf *buf)
{
	const struct xd_meta *m = xd_recbuf_meta_const(buf);
	struct writer w = { .meta = m, .f = f };
	_xd_cleanup_free_ char *man = NULL;
	size_t man_len;
	int r;

	r = manifest(m, &man, &man_len);
	if (r < 0)
		return r;
	write_stream(&w, buf, man, man_len);
	return w.err;
}
