/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * scratch.h: a scratch directory for tests that read files (test-only): made in a cmocka
 * group setup, filled by the tests, removed in the group teardown.
 */
#pragma once

#include <stddef.h>

/* Create the directory from its mkdtemp() template (ending in XXXXXX, rewritten in place).
 * 0 or -1, as a cmocka group setup returns. */
int scratch_make(char *dir);
/* Remove the directory and everything below it (links are removed, not followed). 0 or -1. */
int scratch_remove(const char *dir);
/* Write len bytes to dir/name, replacing the file. 0 or -errno. */
int scratch_write(const char *dir, const char *name, const void *data, size_t len);
