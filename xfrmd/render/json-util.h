/* SPDX-License-Identifier: GPL-2.0-or-later */
/* json-util.h: small json-c helpers shared by the JSON renderers. */
#pragma once

#include <json-c/json.h>
#include <stdint.h>
#include <stdio.h>

#include "xfrmd/names.h"

/* json-c of the oldest target distributions has no unsigned 64-bit numbers: values above
 * INT64_MAX cannot come from a real kernel counter; they are clamped. */
static inline struct json_object *xd_json_u64(uint64_t v)
{
	return json_object_new_int64(v > INT64_MAX ? INT64_MAX : (int64_t)v);
}

static inline void xd_json_add(struct json_object *o, const char *k, struct json_object *v)
{
	json_object_object_add(o, k, v);
}

static inline void xd_json_add_u64(struct json_object *o, const char *k, uint64_t v)
{
	json_object_object_add(o, k, xd_json_u64(v));
}

/*
 * A JSON string from bytes the kernel, a file or a peer supplied: json-c escapes quotes and
 * control characters but passes invalid UTF-8 through, which would make the document invalid
 * JSON. Invalid bytes are written as the text "\\xNN" instead.
 */
struct json_object *xd_json_string(const char *v);

static inline void xd_json_add_str(struct json_object *o, const char *k, const char *v)
{
	if (v)
		json_object_object_add(o, k, xd_json_string(v));
}

/* A named kernel value: its name when known, else the number. */
static inline void xd_json_add_enum(struct json_object *o, const char *k, const char *name,
				    uint64_t raw)
{
	json_object_object_add(o, k, name ? json_object_new_string(name) : xd_json_u64(raw));
}

static inline void xd_json_add_addr(struct json_object *o, const char *k, const void *a,
				    uint16_t family)
{
	char buf[64];
	json_object_object_add(o, k, json_object_new_string(xd_addr_fmt(a, family, buf, sizeof(buf))));
}

struct json_object *xd_json_flags(uint32_t bits, const struct xd_flag_name *names);

struct xd_sa;
/* One SA (render-json.c), shared with the streamed `show sa` (render-sa-stream.c). */
struct json_object *xd_sa_json(const struct xd_sa *sa);

struct xd_render_opts;
/* json-c serialisation flags for the output mode (pretty or one line; never escape '/'). */
int xd_json_flags_for(const struct xd_render_opts *o);

/* Serialise one object to `out` and release it. Returns 0 or -EIO. */
int xd_json_emit(FILE *out, struct json_object *o, int flags);
/* The same without the closing brace, so the caller can stream more members into the object
 * and close it with "}". `o` must be an object with at least one member. */
int xd_json_emit_open(FILE *out, struct json_object *o, int flags);
