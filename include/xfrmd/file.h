/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * file.h: the one way xfrmd and xfrmctl open a file they read. Every path the project reads
 * may name something other than a regular file (a FIFO named swanctl.conf, a directory given
 * to -r, "include /proc/self/fd/0"): the open never blocks (O_NONBLOCK), anything but a
 * regular file is refused after fstat(), and whole-file reads are bounded.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* Flags for xd_file_open() and xd_file_read(). */
enum {
	/*
	 * Refuse a symlink as the last path component (-ELOOP). Only for kernel pseudo-files
	 * (procfs, sysfs), which are never symlinks: configuration files under /etc, certificate
	 * trees and snapshot files are often symlinks on purpose and are followed.
	 */
	XD_FILE_NOFOLLOW = 1u << 0,
};

/* What identifies a file, whatever path reached it (symlinks, "..", hard links). */
struct xd_file_id {
	uint64_t dev;
	uint64_t ino;
};

/**
 * xd_file_open() - open a regular file for reading, never blocking
 * @path: the file
 * @flags: XD_FILE_* flags
 * @ret_size: when not NULL, the size fstat() reports (0 for procfs and sysfs files)
 * @ret_id: when not NULL, the file's device and inode
 *
 * The open uses O_NONBLOCK, so a FIFO or a device cannot stall it; the descriptor is
 * O_CLOEXEC. Returns the descriptor (the caller closes it), -EISDIR for a directory,
 * -EINVAL for anything else that is not a regular file (FIFO, socket, device), or -errno.
 */
int xd_file_open(const char *path, unsigned flags, uint64_t *ret_size, struct xd_file_id *ret_id);

/**
 * xd_file_read() - read a whole regular file of at most @max bytes
 *
 * As xd_file_open(), then reads everything into a new buffer with a NUL after the last byte
 * (not counted in *ret_len); the caller frees it (and wipes it first if it may hold a secret).
 * Returns 0, -EFBIG when the file is longer than @max (its bytes are not returned), or the
 * errors of xd_file_open() and read().
 */
int xd_file_read(const char *path, unsigned flags, size_t max, char **ret, size_t *ret_len,
		 struct xd_file_id *ret_id);

/* A short text for the errors above ("is a directory", "not a regular file", "file too large"),
 * strerror() for the rest. */
const char *xd_file_strerror(int err);

/*
 * Programs xfrmd runs on untrusted input (nft and iptables-restore on a support archive's
 * firewall text, a decompressor on a packed archive) are found and started one way: at the
 * fixed system directories, since root never searches $PATH, with nothing of the caller's
 * but the two descriptors given.
 */

/**
 * xd_program_find() - the first of @names that is an executable in /usr/sbin, /sbin,
 * /usr/bin or /bin (each name in all of them before the next name)
 * @names: NULL-terminated, in order of preference
 * @buf: receives the path
 *
 * Returns @buf, or NULL when none is installed.
 */
const char *xd_program_find(const char *const *names, char *buf, size_t len);

/**
 * xd_program_spawn() - fork and exec @path with @argv (argv[0] first, NULL-terminated)
 * @in_fd: becomes the child's stdin
 * @out_fd: becomes its stdout; -1 for /dev/null
 * @timeout_s: when not 0, SIGALRM ends the program after that many seconds (the alarm
 *	survives execve)
 *
 * The child's stderr is /dev/null; it exits 127 when the program cannot be started. Returns
 * the child's pid (the caller waits for it), or -errno when fork() fails.
 */
int xd_program_spawn(const char *path, const char *const *argv, int in_fd, int out_fd,
		     unsigned timeout_s);
