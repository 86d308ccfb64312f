/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-nl-socket.c: the netlink transport against this machine's kernel (sock_diag needs no
 * privilege). A dump that fails says so in NLMSG_DONE's payload: sock_diag on a kernel
 * without udp_diag ends its UDP dump that way. Asked for a protocol no inet_diag handler
 * serves (254, reserved for experiments), every kernel answers the same way, so this is the
 * "no udp_diag" path without unloading anything.
 */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "xfrmd/nl.h"
#include "xfrmd/recbuf.h"

static int dump(uint8_t proto)
{
	char buf[512] __attribute__((aligned(8)));
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct inet_diag_req_v2 *req;
	struct xd_nl_result res;
	struct xd_nl *nl = NULL;
	int r;

	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req = mnl_nlmsg_put_extra_header(nlh, sizeof(*req));
	req->sdiag_family = AF_INET;
	req->sdiag_protocol = proto;
	req->idiag_states = ~0u;
	r = xd_nl_open(NETLINK_SOCK_DIAG, &nl);
	if (r < 0)
		return r;
	r = xd_nl_request(nl, nlh, XD_DUMP_SOCKDIAG_UDP, NULL, &res);
	xd_nl_close(nl);
	return r;
}

static void test_dump_error_in_done(void **state)
{
	int r = dump(IPPROTO_TCP);

	if (r == -EPROTONOSUPPORT || r == -EAFNOSUPPORT || r == -EPERM)
		skip(); /* no sock_diag here at all */
	assert_int_equal(r, 0);
	/* before: taken for an empty, complete dump (and "no UDP socket bound") */
	assert_int_equal(dump(254), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dump_error_in_done),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
