/* SPDX-License-Identifier: GPL-2.0-or-later */
/* decode-nft.h: what the nf_tables object decoder shares with the expression decoders. */
#pragma once

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <stdbool.h>
#include <stdint.h>

#include "xfrmd/dumps.h"

/* libmnl's mnl_attr_for_each_nested() casts the const away (clang -Wcast-qual): the same
 * walk over a nest's attributes, const throughout. */
#define xd_nft_for_each_nested(attr, nest)                                                     \
	for ((attr) = (const struct nlattr *)mnl_attr_get_payload(nest);                       \
	     mnl_attr_ok((attr), (int)((const char *)mnl_attr_get_payload(nest) +               \
				       mnl_attr_get_payload_len(nest) - (const char *)(attr)));   \
	     (attr) = mnl_attr_next(attr))

struct xd_snapshot;
struct xd_fw;
struct xd_fw_expr;

/* How one attribute must look; anything else is reported and ignored. */
enum nft_attr_type {
	NA_NONE = 0, /* not expected: ignored (counted as unknown) */
	NA_U32,      /* exactly 4 bytes (most are big-endian) */
	NA_U64,      /* exactly 8 bytes */
	NA_STR,      /* NUL-terminated within the payload, at most `max` bytes incl. NUL */
	NA_NEST,
	NA_BIN,      /* 1..max bytes */
};

struct nft_pol {
	uint8_t type;
	uint16_t max;
};

struct nft_dctx {
	struct xd_snapshot *s;
	struct xd_fw *fw;
	enum xd_dump dump;
	uint16_t msg;       /* NFT_MSG_* of the message being decoded */
	const char *table;  /* interned, for rules: set lookups resolve inside the table */
	uint8_t family;
};

/* Report a decode problem as a snapshot issue. */
void xd_nft_issue(struct nft_dctx *c, int code, uint16_t attr, const char *what);

/*
 * Validate the attributes of a nest (or, with nest NULL, of the message nlh after the
 * nfgenmsg) against pol[0..max] and fill tb. Returns 0, or -EBADMSG when the attribute
 * stream itself is broken.
 */
int xd_nft_parse(struct nft_dctx *c, const struct nlmsghdr *nlh, const struct nlattr *nest,
		 const struct nft_pol *pol, unsigned max, const struct nlattr **tb);

/* A validated NA_U32 attribute the kernel sends big-endian (NLA_BE32). */
static inline uint32_t xd_nft_be32(const struct nlattr *a)
{
	return ntohl(mnl_attr_get_u32(a));
}

/*
 * Decode an nft_data nest (NFTA_DATA_VALUE or NFTA_DATA_VERDICT). Returns 0 and fills
 * value/len, or verdict/chain (is_verdict set); -EBADMSG otherwise.
 */
int xd_nft_data(struct nft_dctx *c, const struct nlattr *nest, uint8_t *value, size_t cap,
		uint8_t *len, bool *is_verdict, int32_t *verdict, const char **chain);

/* Decode one NFTA_LIST_ELEM expression into e (kind OPAQUE when unknown). 0 or -EBADMSG. */
int xd_nft_expr(struct nft_dctx *c, const struct nlattr *elem, struct xd_fw_expr *e);

/* Decode the info blob of an xt match/target (compat or legacy) into a new xd_xt. */
struct xd_xt *xd_xt_decode(struct xd_snapshot *s, const char *name, uint8_t rev, bool target,
			   uint8_t family, const void *info, size_t len);
