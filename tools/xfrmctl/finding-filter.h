/* SPDX-License-Identifier: GPL-2.0-or-later */
/* finding-filter.h: `check --id GLOB --peer ADDR --ignore ID[:PEER] --ignore-file FILE`. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct xd_findings;

/* Each returns 0, or EXIT_USAGE after printing why. */
int xfrmctl_filter_add_id(const char *glob);
int xfrmctl_filter_add_peer(const char *addr);
int xfrmctl_filter_add_ignore(const char *spec);
int xfrmctl_filter_add_ignore_file(const char *path);
bool xfrmctl_filter_active(void);
/* Drop what the filters exclude (narrowed out or acknowledged). */
void xfrmctl_filter_findings(struct xd_findings *f);
/* How many findings --ignore / --ignore-file acknowledged so far. */
size_t xfrmctl_filter_acknowledged(void);
