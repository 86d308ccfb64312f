/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * show-filter.c: the selectors of `show sa spi 0x... reqid N src A dst B` and
 * `show policy dir in|out|fwd`, the way `ip xfrm state list` takes them. A filter narrows
 * what is listed (text and JSON alike); it never changes what is collected.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "xfrmctl.h"
#include "xfrmd/model.h"
#include "xfrmd/names.h"
#include "xfrmd/util.h"

struct xfrmctl_filter arg_filter;

static int parse_addr(const char *key, const char *v, uint16_t *ret_family, struct xd_addr *ret)
{
	memset(ret, 0, sizeof(*ret));
	if (inet_pton(AF_INET, v, ret->b) == 1)
		*ret_family = AF_INET;
	else if (inet_pton(AF_INET6, v, ret->b) == 1)
		*ret_family = AF_INET6;
	else
		return xfrmctl_usage_error("show: %s takes an IP address, not '%s'", key, v);
	return 0;
}

static int parse_u32(const char *key, const char *v, uint32_t *ret)
{
	char *end;
	unsigned long n;

	if (!v[0] || v[0] == '-')
		return xfrmctl_usage_error("show: %s takes a number, not '%s'", key, v);
	n = strtoul(v, &end, 0); /* 0x... as ip xfrm prints SPIs */
	if (*end || n > UINT32_MAX)
		return xfrmctl_usage_error("show: %s takes a number, not '%s'", key, v);
	*ret = (uint32_t)n;
	return 0;
}

int xfrmctl_filter_parse(const char *key, const char *value)
{
	struct xfrmctl_filter *f = &arg_filter;

	if (!xd_streq(key, "spi") && !xd_streq(key, "reqid") && !xd_streq(key, "src") &&
	    !xd_streq(key, "dst") && !xd_streq(key, "dir"))
		return -ENOENT; /* not a selector: a section */
	if (!value)
		return xfrmctl_usage_error("show: %s needs a value", key);
	if (xd_streq(key, "spi")) {
		f->has |= XFRMCTL_FILTER_SPI;
		return parse_u32(key, value, &f->spi);
	}
	if (xd_streq(key, "reqid")) {
		f->has |= XFRMCTL_FILTER_REQID;
		return parse_u32(key, value, &f->reqid);
	}
	if (xd_streq(key, "src")) {
		f->has |= XFRMCTL_FILTER_SRC;
		return parse_addr(key, value, &f->src_family, &f->src);
	}
	if (xd_streq(key, "dst")) {
		f->has |= XFRMCTL_FILTER_DST;
		return parse_addr(key, value, &f->dst_family, &f->dst);
	}
	if (xd_streq(key, "dir")) {
		for (uint8_t d = 0; d < 5; d++)
			if (xd_streq(value, xd_name_policy_dir(d))) {
				f->has |= XFRMCTL_FILTER_DIR;
				f->dir = d;
				return 0;
			}
		return xfrmctl_usage_error("show: dir takes in, out, fwd, socket_in or socket_out");
	}
	return -ENOENT; /* not a filter keyword */
}

bool xfrmctl_sa_wanted(const struct xd_sa *sa)
{
	const struct xfrmctl_filter *f = &arg_filter;

	if ((f->has & XFRMCTL_FILTER_SPI) && sa->spi != f->spi)
		return false;
	if ((f->has & XFRMCTL_FILTER_REQID) && sa->reqid != f->reqid)
		return false;
	if ((f->has & XFRMCTL_FILTER_SRC) &&
	    (sa->family != f->src_family || xd_addr_cmp(&sa->saddr, &f->src) != 0))
		return false;
	if ((f->has & XFRMCTL_FILTER_DST) &&
	    (sa->family != f->dst_family || xd_addr_cmp(&sa->daddr, &f->dst) != 0))
		return false;
	return true;
}

bool xfrmctl_policy_wanted(const struct xd_snapshot *s, const struct xd_policy *p)
{
	const struct xfrmctl_filter *f = &arg_filter;
	bool reqid = !(f->has & XFRMCTL_FILTER_REQID);

	if ((f->has & XFRMCTL_FILTER_DIR) && p->dir != f->dir)
		return false;
	for (uint32_t t = 0; !reqid && t < p->tmpl_count; t++)
		reqid = xd_policy_tmpl(s, p, t)->reqid == f->reqid;
	return reqid;
}

/* Keep the wanted elements of v, in order. */
static void keep(struct xd_vec *v, const struct xd_snapshot *s,
		 bool (*wanted)(const struct xd_snapshot *, const void *))
{
	size_t out = 0;

	for (size_t i = 0; i < v->len; i++) {
		void *e = xd_vec_at(v, i);
		if (!wanted(s, e))
			continue;
		if (out != i)
			memcpy(xd_vec_at(v, out), e, v->elem_size);
		out++;
	}
	v->len = out;
}

static bool sa_wanted(const struct xd_snapshot *s, const void *e)
{
	(void)s;
	return xfrmctl_sa_wanted(e);
}

static bool policy_wanted(const struct xd_snapshot *s, const void *e)
{
	return xfrmctl_policy_wanted(s, e);
}

void xfrmctl_filter_snapshot(struct xd_snapshot *s)
{
	if (!arg_filter.has)
		return;
	keep(&s->sas, s, sa_wanted);
	keep(&s->policies, s, policy_wanted);
}
