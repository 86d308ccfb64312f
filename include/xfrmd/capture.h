/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * capture.h: the only code that reads and writes snapshot files (pcapng, DESIGN.md §6;
 * docs/snapshot-format.md). Writing scrubs keys again; reading scrubs any key span found
 * and counts it. Readers refuse foreign machine/byte order.
 */
#pragma once

#include <stdbool.h>
#include <stdio.h>

#include <stddef.h>

#include "xfrmd/dumps.h"

struct xd_meta;
struct xd_recbuf;

/* Write all records of `buf` with its manifest to a new file (O_EXCL, 0600). */
int xd_capture_write(const char *path, const struct xd_recbuf *buf);
/* The same snapshot written to an open stream (`capture -w -`: a pipe to ssh or gzip); the
 * caller owns `f` and its permissions. Returns 0 or -errno. */
int xd_capture_write_stream(FILE *f, const struct xd_recbuf *buf);

/*
 * Read a snapshot: fills *meta from the manifest and feeds every record to `sink`.
 * Returns 0 or -errno: -EBADMSG corrupt/truncated, -EPROTO not a snapshot,
 * -EXDEV foreign machine or byte order. On error `errbuf` holds a one-line reason.
 */
int xd_capture_read(const char *path, struct xd_meta *meta, const struct xd_record_sink *sink,
		    char *errbuf, size_t errlen);

/*
 * How a support archive's firewall text becomes records. Loading it needs the collector (a
 * private network namespace, xd_collect_fw_text()), a layer this one does not use, so the
 * caller supplies it. fw_load gets `kind` XD_DUMP_NFT_RULES (`nft list ruleset`),
 * XD_DUMP_IPT (`iptables-save`) or XD_DUMP_IP6T (`ip6tables-save`), feeds the records to
 * `sink`, sets the statuses of the dumps it produced in `meta`, and returns 0 or -errno
 * (-EPERM: no privilege to create the namespace; -ENOENT: the tool is missing; -EBADMSG: the
 * tool refused the text). With no fw_load such text is reported, not read.
 */
struct xd_archive_opts {
	int (*fw_load)(void *userdata, enum xd_dump kind, const char *text, size_t len,
		       struct xd_meta *meta, const struct xd_record_sink *sink);
	void *userdata;
};

/* xd_capture_read() with the options a support archive may need (NULL: none). */
int xd_capture_read_opts(const char *path, const struct xd_archive_opts *opts,
			 struct xd_meta *meta, const struct xd_record_sink *sink, char *errbuf,
			 size_t errlen);

/*
 * Support archives (docs/support-archives.md): true when `path` is a directory or a regular
 * file that is not a pcapng snapshot, i.e. something xd_archive_read() should look at.
 */
bool xd_archive_detect(const char *path);
/*
 * Read a sos report or supportconfig (a directory, or packed: .tar.xz, .tar.gz, .tar.bz2,
 * .tar.zst or .tar, unpacked into a private temporary directory first), a supportconfig .txt
 * file, or one file of `ip xfrm state|policy`, /proc/net/xfrm_stat, `uname -a`, `sysctl -a`,
 * `ip address`, `ip route`, `nft list ruleset` or `iptables-save` text: fills *meta (each
 * input's status and name in dump_status/dump_input) and feeds XD_RECORD_TEXT records, keys
 * overwritten (counted in keys_scrubbed_on_load); firewall text goes through opts->fw_load.
 * Returns 0 or -errno with a one-line reason in errbuf.
 */
int xd_archive_read(const char *path, const struct xd_archive_opts *opts, struct xd_meta *meta,
		    const struct xd_record_sink *sink, char *errbuf, size_t errlen);

/*
 * The tar stream on `fd` (uncompressed) unpacked into the directory `dir` as a packed support
 * archive is: only regular files the archive reader uses, never a link, an absolute name or
 * `..`, bounded (tests, fuzzing). Returns 0 or -errno (-EBADMSG not tar, -EFBIG a bound).
 */
int xd_archive_untar_fd(int fd, const char *dir, char *errbuf, size_t errlen);

/* Same, from memory (fuzzing, tests). */
int xd_capture_read_mem(const void *data, size_t len, struct xd_meta *meta,
			const struct xd_record_sink *sink, char *errbuf, size_t errlen);
