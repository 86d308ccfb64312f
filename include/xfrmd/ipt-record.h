/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ipt-record.h: the framing of a legacy iptables table inside a file record (dumps
 * "ipt.legacy4" and "ipt.legacy6"). The kernel's get-entries interface has no self-describing
 * header, so the collector prefixes the entry blob with what IPT_SO_GET_INFO said about it.
 *
 *   offset  size  field
 *        0     4  magic "XIPT"
 *        4     1  version (1)
 *        5     1  family (2 = ip_tables, 10 = ip6_tables)
 *        6     2  header length in bytes (92 for version 1); entries start here
 *        8    32  table name, NUL padded
 *       40     4  valid_hooks bit mask (bit n = NF_INET hook n)
 *       44    20  hook_entry[5]: byte offset of each built-in chain's first entry
 *       64    20  underflow[5]: byte offset of each built-in chain's policy entry
 *       84     4  num_entries
 *       88     4  size: length of the entry blob that follows
 *       92  size  the entries exactly as IPT_SO_GET_ENTRIES returned them
 *
 * All integers are in host byte order, like the entries themselves (host-ABI structs): the
 * snapshot reader already refuses snapshots from another machine type or byte order.
 */
#pragma once

#include <stdint.h>

#define XD_IPT_RECORD_MAGIC "XIPT"
#define XD_IPT_RECORD_VERSION 1
#define XD_IPT_HOOKS 5

struct xd_ipt_record_hdr {
	char magic[4];
	uint8_t version;
	uint8_t family;
	uint16_t hdr_len;
	char name[32];
	uint32_t valid_hooks;
	uint32_t hook_entry[XD_IPT_HOOKS];
	uint32_t underflow[XD_IPT_HOOKS];
	uint32_t num_entries;
	uint32_t size;
};

_Static_assert(sizeof(struct xd_ipt_record_hdr) == 92, "record header layout is a file format");
