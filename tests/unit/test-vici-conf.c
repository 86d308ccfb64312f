/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-vici-conf.c: finding charon's VICI socket in the strongswan.conf it reads
 * (xd_vici_conf_socket). Debian's strongswan.conf sets nothing itself: it includes
 * strongswan.d/<name>.conf and, inside charon.plugins, strongswan.d/charon/<plugin>.conf (globs), where vici.conf
 * may set the socket; those includes were not followed (the default path was asked instead).
 * The test beds' own strongswan.conf opens and closes the vici section on one line
 * ("vici { socket = ... }"), which was skipped: charon's socket was not found there either.
 * Also: a root prefix (a daemon's /proc/PID/root), charon-systemd falling back to charon's
 * section, and includes that include each other end at the bound.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "scratch.h"
#include "xfrmd/collect.h"

static char dir[] = "/tmp/xd-test-vici-conf.XXXXXX";

static void write_file(const char *name, const char *text)
{
	assert_int_equal(scratch_write(dir, name, text, strlen(text)), 0);
}

/* The layout of Debian's strongswan-charon and strongswan-libcharon packages. */
static void debian_layout(const char *vici_conf)
{
	char p[512];

	snprintf(p, sizeof(p), "%s/etc/strongswan.d/charon", dir);
	assert_int_equal(mkdir(p, 0700) == 0 || errno == EEXIST, 1);
	write_file("etc/strongswan.conf",
		   "# strongswan.conf - strongSwan configuration file\n"
		   "charon {\n"
		   "\tload_modular = yes\n"
		   "\tplugins {\n"
		   "\t\tinclude strongswan.d/charon/*.conf\n"
		   "\t}\n"
		   "}\n"
		   "include strongswan.d/*.conf\n");
	write_file("etc/strongswan.d/charon.conf", "charon {\n\tport = 500\n}\n");
	write_file("etc/strongswan.d/charon/aes.conf", "aes {\n\tload = yes\n}\n");
	write_file("etc/strongswan.d/charon/vici.conf", vici_conf);
}

static void included_socket(void **state)
{
	char sock[512] = "";
	(void)state;

	debian_layout("vici {\n\tload = yes\n\t# socket = unix://${piddir}/charon.vici\n"
		      "\tsocket = unix:///run/custom/vici.sock\n}\n");
	assert_int_equal(xd_vici_conf_socket(dir, "/etc/strongswan.conf", "charon", sock,
					     sizeof(sock)), 1);
	assert_string_equal(sock, "/run/custom/vici.sock");
	/* charon-systemd reads charon's section when it has none of its own */
	sock[0] = '\0';
	assert_int_equal(xd_vici_conf_socket(dir, "/etc/strongswan.conf", "charon-systemd", sock,
					     sizeof(sock)), 1);
	assert_string_equal(sock, "/run/custom/vici.sock");
}

static void absolute_include_and_default(void **state)
{
	char sock[512] = "unchanged";
	(void)state;

	/* the packaged vici.conf leaves the socket commented out: the default applies */
	debian_layout("vici {\n\tload = yes\n}\n");
	assert_int_equal(xd_vici_conf_socket(dir, "/etc/strongswan.conf", "charon", sock,
					     sizeof(sock)), 0);
	assert_string_equal(sock, "unchanged");
	/* an absolute include is read under the root too; the later setting wins */
	write_file("etc/private.conf", "charon.plugins.vici.socket = unix:///run/a.sock\n"
				       "include \"/etc/more.conf\"\n");
	write_file("etc/more.conf", "charon { plugins { } }\ncharon {\n plugins {\n  vici {\n"
				    "   socket = unix:///run/b.sock\n  }\n }\n}\n");
	assert_int_equal(xd_vici_conf_socket(dir, "/etc/private.conf", "charon", sock,
					     sizeof(sock)), 1);
	assert_string_equal(sock, "/run/b.sock");
}

/* the test beds' strongswan.conf: the vici section opens and closes on one line */
static void one_line_section(void **state)
{
	char sock[512] = "";
	(void)state;

	write_file("etc/bed.conf", "charon {\n    load = random nonce vici\n    filelog {\n"
				   "        xd {\n            path = /tmp/x.log\n        }\n    }\n"
				   "    plugins {\n        vici { socket = unix:///tmp/priv/charon.vici }\n"
				   "    }\n}\nswanctl {\n    load = pem\n}\n");
	assert_int_equal(xd_vici_conf_socket(dir, "/etc/bed.conf", "charon", sock, sizeof(sock)), 1);
	assert_string_equal(sock, "/tmp/priv/charon.vici");
	/* a setting after the closing brace is outside the section again */
	write_file("etc/bed2.conf", "charon { plugins { vici { load = yes } } }\n"
				    "socket = unix:///wrong\n");
	assert_int_equal(xd_vici_conf_socket(dir, "/etc/bed2.conf", "charon", sock, sizeof(sock)), 0);
}

static void include_loop_bounded(void **state)
{
	char sock[512] = "";
	(void)state;

	write_file("etc/loop-a.conf", "include loop-b.conf\ncharon {\n plugins {\n  vici {\n"
				      "   socket = unix:///run/loop.sock\n  }\n }\n}\n");
	write_file("etc/loop-b.conf", "include loop-a.conf\n");
	assert_int_equal(xd_vici_conf_socket(dir, "/etc/loop-a.conf", "charon", sock, sizeof(sock)), 1);
	assert_string_equal(sock, "/run/loop.sock");
	assert_int_equal(xd_vici_conf_socket(dir, "/etc/absent.conf", "charon", sock, sizeof(sock)),
			 -ENOENT);
}

static int setup(void **state)
{
	char p[512];
	(void)state;

	if (scratch_make(dir) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/etc", dir);
	mkdir(p, 0700);
	snprintf(p, sizeof(p), "%s/etc/strongswan.d", dir);
	mkdir(p, 0700);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	return scratch_remove(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(included_socket),
		cmocka_unit_test(absolute_include_and_default),
		cmocka_unit_test(one_line_section),
		cmocka_unit_test(include_loop_bounded),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
