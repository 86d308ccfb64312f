/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * decode-vici.c: strongSwan VICI packets (the ike.vici_conns and ike.vici_sas dumps) into the
 * IKE view of the model (ike.h).
 *
 * A record is one packet: a 4-byte big-endian length, a type byte, a name (for named types),
 * then the message's elements (SECTION_START name, SECTION_END, KEY_VALUE name value,
 * LIST_START name, LIST_ITEM value, LIST_END). The bytes are untrusted: every length is
 * checked against the record, nesting is bounded and walked with an explicit stack (never
 * recursion on the input's depth), and a malformed message ends that record with -EBADMSG and
 * a decode issue, keeping what was decoded before. Only named fields are kept; a value whose
 * name (or an enclosing section's) looks like a key or secret is never looked at.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "xfrmd/decode.h"
#include "xfrmd/ike.h"
#include "xfrmd/model.h"

#define VICI_MAX_DEPTH 16 /* strongSwan nests 4 deep in list-sa; more is not a real reply */

enum {
	VICI_SECTION_START = 1,
	VICI_SECTION_END = 2,
	VICI_KEY_VALUE = 3,
	VICI_LIST_START = 4,
	VICI_LIST_ITEM = 5,
	VICI_LIST_END = 6,
};

struct vici_frame {
	uint8_t type; /* VICI_SECTION_START or VICI_LIST_START */
	bool secret;  /* this name or an enclosing one looks like a secret */
	const char *name;
	uint8_t name_len;
};

/* One element as the walker hands it over; `depth` frames are open around it. */
struct vici_elem {
	uint8_t type;
	const char *name; /* KEY_VALUE, SECTION_START, LIST_START */
	uint8_t name_len;
	uint8_t *value;   /* KEY_VALUE, LIST_ITEM */
	uint16_t value_len;
	bool secret;      /* the value must not be looked at (the scrubber zeroes it) */
	unsigned depth;
	const struct vici_frame *frames;
	size_t offset;    /* in the record */
};

typedef void (*vici_elem_fn)(void *ud, const struct vici_elem *e);

/* The packet header: type and (for named types) name. Returns the body offset or -EBADMSG. */
static int vici_header(const uint8_t *b, size_t len, uint8_t *ret_type, const char **ret_name,
		       uint8_t *ret_name_len)
{
	uint32_t plen;
	size_t off = 5;

	if (len < 5)
		return -EBADMSG;
	plen = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
	if (plen != len - 4)
		return -EBADMSG;
	*ret_type = b[4];
	*ret_name = NULL;
	*ret_name_len = 0;
	switch (b[4]) {
	case VICI_CMD_REQUEST:
	case VICI_EVENT_REGISTER:
	case VICI_EVENT_UNREGISTER:
	case VICI_EVENT:
		if (len < 6 || (size_t)b[5] > len - 6)
			return -EBADMSG;
		*ret_name = (const char *)b + 6;
		*ret_name_len = b[5];
		off = 6 + (size_t)b[5];
		break;
	case VICI_CMD_RESPONSE:
	case VICI_CMD_UNKNOWN:
	case VICI_EVENT_CONFIRM:
	case VICI_EVENT_UNKNOWN:
		break;
	default:
		return -EBADMSG;
	}
	return (int)off;
}

/*
 * Walk the elements of b[off, len), calling fn for each. Returns 0, or -EBADMSG with
 * *ret_bad set to the offending offset (elements before it were handed over).
 */
static int vici_walk(uint8_t *b, size_t len, size_t off, vici_elem_fn fn, void *ud,
		     size_t *ret_bad)
{
	struct vici_frame frames[VICI_MAX_DEPTH];
	unsigned depth = 0;

	while (off < len) {
		struct vici_elem e = { .type = b[off], .frames = frames, .offset = off };
		size_t p = off + 1;
		bool in_list = depth > 0 && frames[depth - 1].type == VICI_LIST_START;
		bool outer_secret = depth > 0 && frames[depth - 1].secret;

		/* a list holds only items; items exist only in lists */
		if (in_list != (e.type == VICI_LIST_ITEM || e.type == VICI_LIST_END))
			goto bad;
		if (e.type == VICI_SECTION_START || e.type == VICI_KEY_VALUE ||
		    e.type == VICI_LIST_START) {
			if (p >= len || (size_t)b[p] > len - p - 1)
				goto bad;
			e.name_len = b[p];
			e.name = (const char *)b + p + 1;
			p += 1 + (size_t)b[p];
		}
		if (e.type == VICI_KEY_VALUE || e.type == VICI_LIST_ITEM) {
			if (len - p < 2)
				goto bad;
			e.value_len = (uint16_t)(b[p] << 8 | b[p + 1]);
			p += 2;
			if (e.value_len > len - p)
				goto bad;
			e.value = b + p;
			p += e.value_len;
		}
		e.secret = outer_secret || (e.name && xd_vici_name_is_secret(e.name, e.name_len));
		e.depth = depth;
		switch (e.type) {
		case VICI_SECTION_START:
		case VICI_LIST_START:
			if (depth >= VICI_MAX_DEPTH)
				goto bad;
			fn(ud, &e);
			frames[depth++] = (struct vici_frame){ .type = e.type, .secret = e.secret,
							       .name = e.name,
							       .name_len = e.name_len };
			break;
		case VICI_SECTION_END:
			if (depth == 0 || frames[depth - 1].type != VICI_SECTION_START)
				goto bad;
			depth--;
			e.depth = depth;
			fn(ud, &e);
			break;
		case VICI_LIST_END:
			depth--;
			e.depth = depth;
			fn(ud, &e);
			break;
		case VICI_KEY_VALUE:
		case VICI_LIST_ITEM:
			fn(ud, &e);
			break;
		default:
			goto bad;
		}
		off = p;
	}
	if (depth == 0)
		return 0;
bad:
	*ret_bad = off;
	return -EBADMSG;
}

/* ---- scrubbing (the collector, before a packet becomes a record) ---- */

struct scrub_state {
	size_t zeroed;
};

/* Zero a span; 1 when it held a non-zero byte, so a clean buffer counts 0. */
static size_t zero_span(uint8_t *p, size_t len)
{
	bool dirty = false;

	for (size_t i = 0; i < len && !dirty; i++)
		dirty = p[i] != 0;
	memset(p, 0, len);
	return dirty;
}

static void scrub_elem(void *ud, const struct vici_elem *e)
{
	struct scrub_state *st = ud;

	if (e->secret && e->value)
		st->zeroed += zero_span(e->value, e->value_len);
}

size_t xd_vici_scrub(void *buf, size_t len)
{
	struct scrub_state st = { 0 };
	uint8_t *b = buf;
	const char *name;
	uint8_t type, name_len;
	size_t bad;
	int off = vici_header(b, len, &type, &name, &name_len);

	if (off < 0) {
		/* cannot be walked: fail closed, keep nothing of it */
		return len > 4 ? zero_span(b + 4, len - 4) : 0;
	}
	if (vici_walk(b, len, (size_t)off, scrub_elem, &st, &bad) < 0) {
		/* the elements from the bad one on cannot be classified: zero them */
		st.zeroed += zero_span(b + bad, len - bad);
	}
	return st.zeroed;
}

/* ---- decoding ---- */

struct vici_decoder {
	struct xd_snapshot *s;
	struct xd_ike *ike;
	int err;
	bool sas; /* list-sa, else list-conn */
	/* the object being filled, by index (its vector may grow) */
	long conn, child_cfg, sa, child_sa;
	uint32_t *list_first, *list_count; /* the list whose items are being stored */
};

static bool name_is(const char *name, uint8_t len, const char *want)
{
	return name && strlen(want) == len && memcmp(name, want, len) == 0;
}

static bool frame_is(const struct vici_elem *e, unsigned i, const char *want)
{
	return i < e->depth && name_is(e->frames[i].name, e->frames[i].name_len, want);
}

static const char *intern(struct vici_decoder *d, const struct vici_elem *e)
{
	return xd_snapshot_intern(d->s, (const char *)e->value, e->value_len);
}

/* Decimal digits only, saturating; false if not a number. */
static bool parse_u64(const struct vici_elem *e, uint64_t *ret)
{
	uint64_t v = 0;

	if (e->value_len == 0 || e->value_len > 20)
		return false;
	for (size_t i = 0; i < e->value_len; i++) {
		unsigned c = e->value[i];
		if (c < '0' || c > '9')
			return false;
		if (v > (UINT64_MAX - (c - '0')) / 10)
			return false;
		v = v * 10 + (c - '0');
	}
	*ret = v;
	return true;
}

static uint32_t u32_of(const struct vici_elem *e)
{
	uint64_t v = 0;

	return parse_u64(e, &v) && v <= UINT32_MAX ? (uint32_t)v : 0;
}

/* SPIs are printed as 8 hex digits ("%.8x"). */
static uint32_t spi_of(const struct vici_elem *e)
{
	uint32_t v = 0;

	if (e->value_len == 0 || e->value_len > 8)
		return 0;
	for (size_t i = 0; i < e->value_len; i++) {
		unsigned c = e->value[i], x;
		if (c >= '0' && c <= '9')
			x = c - '0';
		else if (c >= 'a' && c <= 'f')
			x = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			x = c - 'A' + 10;
		else
			return 0;
		v = v << 4 | x;
	}
	return v;
}

static bool yes(const struct vici_elem *e)
{
	return e->value_len == 3 && memcmp(e->value, "yes", 3) == 0;
}

#define FIELD(e, want) name_is((e)->name, (e)->name_len, want)

static void *cur(struct xd_vec *v, long i)
{
	return i >= 0 && (size_t)i < v->len ? xd_vec_at(v, (size_t)i) : NULL;
}

static void start_list(struct vici_decoder *d, uint32_t *first, uint32_t *count)
{
	*first = (uint32_t)d->ike->strings.len;
	*count = 0;
	d->list_first = first;
	d->list_count = count;
}

static void list_item(struct vici_decoder *d, const struct vici_elem *e)
{
	const char **slot;

	if (!d->list_count)
		return;
	slot = xd_vec_push(&d->ike->strings);
	if (!slot) {
		d->err = -ENOMEM;
		return;
	}
	*slot = intern(d, e);
	(*d->list_count)++;
}

static void sa_elem(struct vici_decoder *d, const struct vici_elem *e)
{
	struct xd_ike_sa *sa = cur(&d->ike->sas, d->sa);
	struct xd_ike_child_sa *c = cur(&d->ike->child_sas, d->child_sa);
	uint64_t v;

	if (e->type == VICI_SECTION_START && e->depth == 0) {
		sa = xd_vec_push(&d->ike->sas);
		if (!sa) {
			d->err = -ENOMEM;
			return;
		}
		sa->stack = "strongswan";
		sa->name = xd_snapshot_intern(d->s, e->name, e->name_len);
		sa->child_first = (uint32_t)d->ike->child_sas.len;
		d->sa = (long)d->ike->sas.len - 1;
		d->child_sa = -1;
		return;
	}
	if (!sa)
		return;
	if (e->type == VICI_SECTION_START && e->depth == 2 && frame_is(e, 1, "child-sas")) {
		c = xd_vec_push(&d->ike->child_sas);
		if (!c) {
			d->err = -ENOMEM;
			return;
		}
		sa->child_count++;
		d->child_sa = (long)d->ike->child_sas.len - 1;
		return;
	}
	if (e->type == VICI_LIST_START && e->depth == 3 && c && frame_is(e, 1, "child-sas")) {
		if (FIELD(e, "local-ts"))
			start_list(d, &c->local_ts_first, &c->local_ts_count);
		else if (FIELD(e, "remote-ts"))
			start_list(d, &c->remote_ts_first, &c->remote_ts_count);
		return;
	}
	if (e->type == VICI_LIST_ITEM && e->depth == 4 && c && frame_is(e, 1, "child-sas")) {
		list_item(d, e);
		return;
	}
	if (e->type != VICI_KEY_VALUE)
		return;
	if (e->depth == 1) {
		if (FIELD(e, "uniqueid"))
			sa->uniqueid = u32_of(e);
		else if (FIELD(e, "version"))
			sa->version = intern(d, e);
		else if (FIELD(e, "state"))
			sa->state = intern(d, e);
		else if (FIELD(e, "local-host"))
			sa->local_host = intern(d, e);
		else if (FIELD(e, "remote-host"))
			sa->remote_host = intern(d, e);
		else if (FIELD(e, "local-port"))
			sa->local_port = (uint16_t)(u32_of(e) <= UINT16_MAX ? u32_of(e) : 0);
		else if (FIELD(e, "remote-port"))
			sa->remote_port = (uint16_t)(u32_of(e) <= UINT16_MAX ? u32_of(e) : 0);
		else if (FIELD(e, "local-id"))
			sa->local_id = intern(d, e);
		else if (FIELD(e, "remote-id"))
			sa->remote_id = intern(d, e);
		else if (FIELD(e, "initiator"))
			sa->initiator = yes(e);
		else if (FIELD(e, "established") && parse_u64(e, &v)) {
			sa->established_s = v;
			sa->has_established = true;
		} else if (FIELD(e, "nat-local"))
			sa->nat_local = yes(e);
		else if (FIELD(e, "nat-remote"))
			sa->nat_remote = yes(e);
		else if (FIELD(e, "nat-fake"))
			sa->nat_fake = yes(e);
		else if (FIELD(e, "nat-any"))
			sa->nat_any = yes(e);
		return;
	}
	if (e->depth != 3 || !c || !frame_is(e, 1, "child-sas"))
		return;
	if (FIELD(e, "name"))
		c->name = intern(d, e);
	else if (FIELD(e, "uniqueid"))
		c->uniqueid = u32_of(e);
	else if (FIELD(e, "reqid"))
		c->reqid = u32_of(e);
	else if (FIELD(e, "state"))
		c->state = intern(d, e);
	else if (FIELD(e, "mode"))
		c->mode = intern(d, e);
	else if (FIELD(e, "protocol"))
		c->protocol = intern(d, e);
	else if (FIELD(e, "spi-in"))
		c->spi_in = spi_of(e);
	else if (FIELD(e, "spi-out"))
		c->spi_out = spi_of(e);
	else if (FIELD(e, "bytes-in") && parse_u64(e, &v))
		c->bytes_in = v;
	else if (FIELD(e, "packets-in") && parse_u64(e, &v))
		c->packets_in = v;
	else if (FIELD(e, "bytes-out") && parse_u64(e, &v))
		c->bytes_out = v;
	else if (FIELD(e, "packets-out") && parse_u64(e, &v))
		c->packets_out = v;
}

static void conn_elem(struct vici_decoder *d, const struct vici_elem *e)
{
	struct xd_ike_conn *conn = cur(&d->ike->conns, d->conn);
	struct xd_ike_child_cfg *c = cur(&d->ike->child_cfgs, d->child_cfg);

	if (e->type == VICI_SECTION_START && e->depth == 0) {
		conn = xd_vec_push(&d->ike->conns);
		if (!conn) {
			d->err = -ENOMEM;
			return;
		}
		conn->stack = "strongswan";
		conn->name = xd_snapshot_intern(d->s, e->name, e->name_len);
		conn->child_first = (uint32_t)d->ike->child_cfgs.len;
		d->conn = (long)d->ike->conns.len - 1;
		d->child_cfg = -1;
		return;
	}
	if (!conn)
		return;
	switch (e->depth) {
	case 1:
		if (e->type == VICI_KEY_VALUE && FIELD(e, "version"))
			conn->version = intern(d, e);
		else if (e->type == VICI_LIST_START && FIELD(e, "local_addrs"))
			start_list(d, &conn->local_addrs_first, &conn->local_addrs_count);
		else if (e->type == VICI_LIST_START && FIELD(e, "remote_addrs"))
			start_list(d, &conn->remote_addrs_first, &conn->remote_addrs_count);
		break;
	case 2:
		if (e->type == VICI_LIST_ITEM && e->frames[1].type == VICI_LIST_START &&
		    (frame_is(e, 1, "local_addrs") || frame_is(e, 1, "remote_addrs"))) {
			list_item(d, e);
		} else if (e->type == VICI_KEY_VALUE && FIELD(e, "id")) {
			/* the first local and remote authentication rounds: "local-1", "remote-1" */
			if (frame_is(e, 1, "local-1") && !conn->local_id)
				conn->local_id = intern(d, e);
			else if (frame_is(e, 1, "remote-1") && !conn->remote_id)
				conn->remote_id = intern(d, e);
		} else if (e->type == VICI_SECTION_START && frame_is(e, 1, "children")) {
			c = xd_vec_push(&d->ike->child_cfgs);
			if (!c) {
				d->err = -ENOMEM;
				return;
			}
			c->name = xd_snapshot_intern(d->s, e->name, e->name_len);
			conn->child_count++;
			d->child_cfg = (long)d->ike->child_cfgs.len - 1;
		}
		break;
	case 3:
		if (!c || !frame_is(e, 1, "children"))
			break;
		if (e->type == VICI_KEY_VALUE && FIELD(e, "mode"))
			c->mode = intern(d, e);
		else if (e->type == VICI_KEY_VALUE && FIELD(e, "start_action"))
			c->start_action = intern(d, e);
		else if (e->type == VICI_LIST_START && FIELD(e, "local-ts"))
			start_list(d, &c->local_ts_first, &c->local_ts_count);
		else if (e->type == VICI_LIST_START && FIELD(e, "remote-ts"))
			start_list(d, &c->remote_ts_first, &c->remote_ts_count);
		break;
	case 4:
		if (c && e->type == VICI_LIST_ITEM && frame_is(e, 1, "children"))
			list_item(d, e);
		break;
	}
}

static void decode_elem(void *ud, const struct vici_elem *e)
{
	struct vici_decoder *d = ud;

	if (d->err)
		return;
	if (e->type == VICI_LIST_END) {
		d->list_first = d->list_count = NULL;
		return;
	}
	/* a name that looks like a key or secret: never read, never stored */
	if (e->secret)
		return;
	if (d->sas)
		sa_elem(d, e);
	else
		conn_elem(d, e);
}

static void vici_issue(struct xd_snapshot *s, enum xd_dump dump, size_t off, const char *what)
{
	struct xd_decode_issue i = { .code = -EBADMSG, .dump = dump,
				     .offset = off > UINT32_MAX ? UINT32_MAX : (uint32_t)off,
				     .what = what };
	xd_snapshot_add_issue(s, &i);
}

int xd_decode_vici(struct xd_snapshot *s, enum xd_dump dump, const void *buf, size_t len)
{
	struct xd_ike *ike = xd_snapshot_ike(s);
	struct vici_decoder d = { .s = s, .ike = ike, .sas = dump == XD_DUMP_IKE_VICI_SAS,
				  .conn = -1, .child_cfg = -1, .sa = -1, .child_sa = -1 };
	const char *name;
	uint8_t type, name_len;
	size_t bad = 0;
	int off, r;

	if (!ike)
		return -ENOMEM;
	off = vici_header(buf, len, &type, &name, &name_len);
	if (off < 0) {
		vici_issue(s, dump, 0, "VICI packet header");
		return -EBADMSG;
	}
	if (type == VICI_CMD_RESPONSE) {
		/* the reply that ends the stream of events: the listing was complete */
		if (d.sas)
			ike->sas_present = true;
		else
			ike->conns_present = true;
		return 0;
	}
	if (type != VICI_EVENT ||
	    !name_is(name, name_len, d.sas ? "list-sa" : "list-conn")) {
		s->ignored_msgs++;
		return 0;
	}
	/*
	 * The walker wants a writable buffer (the scrubber shares it) but decoding never writes:
	 * elements are only read here.
	 */
	r = vici_walk((uint8_t *)(uintptr_t)buf, len, (size_t)off, decode_elem, &d, &bad);
	if (r < 0) {
		vici_issue(s, dump, bad, "VICI message element");
		return r;
	}
	return d.err;
}
