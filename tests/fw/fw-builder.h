/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fw-builder.h: hand-built firewall models for evaluator and check tests (test-only).
 * Strings passed in must outlive the model (string literals). Expressions are appended to
 * the rule most recently started with fwb_rule().
 */
#pragma once

#include <stdint.h>

#include "xfrmd/fw-model.h"

struct xd_fw *fwb_new(void);
void fwb_free(struct xd_fw *fw);
/* hook < 0: a user chain. */
void fwb_chain(struct xd_fw *fw, uint8_t family, const char *table, const char *name, int hook,
	       int32_t prio, int policy);
void fwb_rule(struct xd_fw *fw, uint8_t family, const char *table, const char *chain,
	      uint64_t handle);
void fwb_meta(struct xd_fw *fw, uint32_t key, uint32_t dreg);
void fwb_payload(struct xd_fw *fw, uint32_t base, uint32_t off, uint32_t len, uint32_t dreg);
void fwb_cmp(struct xd_fw *fw, uint32_t sreg, uint32_t op, const void *data, uint8_t len);
void fwb_cmp_u8(struct xd_fw *fw, uint32_t sreg, uint8_t v);
void fwb_cmp_be16(struct xd_fw *fw, uint32_t sreg, uint16_t v);
void fwb_verdict(struct xd_fw *fw, int32_t verdict, const char *chain);
void fwb_lookup(struct xd_fw *fw, const char *set, uint32_t sreg, uint32_t dreg, uint32_t flags);
void fwb_simple(struct xd_fw *fw, uint8_t kind); /* counter, limit, reject, nat, … */
void fwb_ct_state(struct xd_fw *fw, uint32_t dreg);
void fwb_bitwise(struct xd_fw *fw, uint32_t sreg, uint32_t dreg, const void *mask, uint8_t len);
void fwb_set(struct xd_fw *fw, uint8_t family, const char *table, const char *name,
	     uint32_t flags, uint32_t key_len);
void fwb_elem(struct xd_fw *fw, uint8_t family, const char *table, const char *set,
	      const void *key, uint8_t key_len, uint32_t flags);
void fwb_velem(struct xd_fw *fw, uint8_t family, const char *table, const char *set,
	       const void *key, uint8_t key_len, int32_t verdict, const char *chain);
/* An xt match (XD_FWX_MATCH) or target (XD_FWX_TARGET) of kind xt_kind; jump: target chain. */
void fwb_xt(struct xd_fw *fw, uint8_t expr_kind, uint8_t xt_kind, const char *name,
	    const char *jump);
/* Index the model: call before evaluating. */
void fwb_finish(struct xd_fw *fw);
