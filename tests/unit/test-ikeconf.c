/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-ikeconf.c: the IKE configuration parsers (ikeconf.h). Facts out of swanctl.conf and
 * ipsec.conf; no read past the bytes given (a file ending in blanks without a newline read one
 * byte past its buffer; ASan finds it); a FIFO named swanctl.conf is refused without blocking
 * and noted; files that include each other are each opened once (counted through the I/O
 * table), and a tree over the file bound stops there with a note.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "scratch.h"
#include "xfrmd/ikeconf.h"

static char dir[] = "/tmp/xd-test-ikeconf.XXXXXX";

static void write_file(const char *name, const char *text)
{
	assert_int_equal(scratch_write(dir, name, text, strlen(text)), 0);
}

static const struct xd_ikeconf_conn *find(const struct xd_ikeconf *c, const char *name)
{
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->conns[i].name, name))
			return &c->conns[i];
	return NULL;
}

static bool has_note(const struct xd_ikeconf *c, const char *what)
{
	for (unsigned i = 0; i < c->n_notes; i++)
		if (strstr(c->notes[i].what, what))
			return true;
	return false;
}

/* the file system, with every read counted */
struct counter {
	unsigned reads;
	unsigned expands;
};

static int count_expand(void *userdata, const char *pattern,
			int (*each)(void *ctx, const char *path), void *ctx)
{
	((struct counter *)userdata)->expands++;
	return xd_ikeconf_io_fs.expand(NULL, pattern, each, ctx);
}

static int count_read(void *userdata, const char *path, size_t max, char **ret, size_t *ret_len,
		      struct xd_file_id *ret_id)
{
	((struct counter *)userdata)->reads++;
	return xd_ikeconf_io_fs.read(NULL, path, max, ret, ret_len, ret_id);
}

static void test_swanctl_facts(void **state)
{
	static const char conf[] =
		"connections {\n"
		"  base { version = 2 }\n"
		"  gw : base {\n"
		"    local-1 { certs = gw.pem, old.pem\n id = \"CN=gw, O=Ex\" }\n"
		"    remote { id = peer.example # comment\n }\n"
		"  }\n"
		"}\n"
		"secrets { ike { secret = \"topsecret\" } }\n";
	struct xd_ikeconf c = { 0 };
	const struct xd_ikeconf_conn *k;

	assert_int_equal(xd_ikeconf_swanctl_parse("/etc/swanctl/swanctl.conf", conf,
						  strlen(conf), NULL, &c),
			 0);
	k = find(&c, "gw");
	assert_non_null(k);
	assert_string_equal(k->local_cert, "gw.pem");
	assert_string_equal(k->local_id, "CN=gw, O=Ex");
	assert_string_equal(k->remote_id, "peer.example");
	assert_null(find(&c, "ike")); /* secrets are not connections */
	xd_ikeconf_done(&c);
}

/* how the daemon brings a connection up: the strongest child start_action; ipsec.conf auto= */
static void test_start_action(void **state)
{
	static const char swan[] =
		"connections {\n"
		"  gw { children {\n"
		"    a { start_action = none }\n"
		"    b { start_action = trap }\n"
		"    c { start_action = start }\n"
		"    d { start_action = trap }\n"
		"  } }\n"
		"  road { children { host { mode = transport } } }\n"
		"}\n";
	static const char ipsec[] = "conn %default\n\tauto=route\n"
				    "conn west-east\n\tleft=192.0.2.1\n\tauto=start\n"
				    "conn other\n\tleftid=@other\n";
	struct xd_ikeconf c = { 0 };
	(void)state;

	assert_int_equal(xd_ikeconf_swanctl_parse("/etc/swanctl/swanctl.conf", swan, strlen(swan),
						  NULL, &c), 0);
	assert_non_null(find(&c, "gw"));
	assert_string_equal(find(&c, "gw")->start_action, "start");
	if (find(&c, "road"))
		assert_string_equal(find(&c, "road")->start_action, "");
	xd_ikeconf_done(&c);
	memset(&c, 0, sizeof(c));
	assert_int_equal(xd_ikeconf_ipsec_parse("/etc/ipsec.conf", ipsec, strlen(ipsec), NULL, &c), 0);
	assert_string_equal(find(&c, "west-east")->start_action, "start");
	assert_string_equal(find(&c, "other")->start_action, "route"); /* from %default */
	xd_ikeconf_done(&c);
}

static void test_ipsec_facts(void **state)
{
	static const char conf[] = "config setup\n\tuniqueids=no\n"
				   "conn %default\n\tleftcert=gw\n\trightid=%fromcert\n"
				   "conn a\n\tleftid=@a\n\trightcert=peer-a\n"
				   "conn b\n\tleftcert=gw-b";
	struct xd_ikeconf c = { 0 };
	const struct xd_ikeconf_conn *k;

	assert_int_equal(xd_ikeconf_ipsec_parse("/etc/ipsec.conf", conf, strlen(conf), NULL, &c),
			 0);
	assert_int_equal(c.n, 2);
	k = find(&c, "a");
	assert_non_null(k);
	assert_string_equal(k->local_cert, "gw");
	assert_string_equal(k->local_id, "@a");
	assert_string_equal(k->remote_cert, "peer-a");
	assert_string_equal(k->remote_id, "%fromcert");
	assert_string_equal(find(&c, "b")->local_cert, "gw-b"); /* last line without newline */
	xd_ikeconf_done(&c);
}

/* A swanctl.conf that ends in blanks without a newline. */
static void test_blank_tail(void **state)
{
	static const char text[] = "connections {\n  gw {\n    local { id = gw }\n  }\n}\n \t ";
	struct xd_ikeconf c = { 0 };
	char p[512], *big;
	size_t n = XD_IKECONF_MAX_FILE_BYTES, head;
	/* exactly the bytes, no terminator: ASan reports any read past them */
	char *exact = malloc(sizeof(text) - 1);
	FILE *f;

	assert_non_null(exact);
	memcpy(exact, text, sizeof(text) - 1);
	assert_int_equal(xd_ikeconf_swanctl_parse("swanctl.conf", exact, sizeof(text) - 1, NULL,
						  &c),
			 0);
	assert_non_null(find(&c, "gw"));
	xd_ikeconf_done(&c);
	free(exact);
	assert_int_equal(xd_ikeconf_swanctl_parse("swanctl.conf", " ", 1, NULL, &c), 0);
	xd_ikeconf_done(&c);

	/* the file as found in the field: 1 MiB exactly (the read bound), blanks at the end */
	big = malloc(n);
	assert_non_null(big);
	head = strlen(text) - 3;
	memcpy(big, text, head);
	memset(big + head, ' ', n - head);
	snprintf(p, sizeof(p), "%s/big.conf", dir);
	f = fopen(p, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(big, 1, n, f), n);
	fclose(f);
	free(big);
	assert_int_equal(xd_ikeconf_swanctl(p, NULL, &c), 0);
	assert_non_null(find(&c, "gw"));
	assert_int_equal(c.n_notes, 0);
	xd_ikeconf_done(&c);
}

static void test_fifo(void **state)
{
	struct xd_ikeconf c = { 0 };
	char p[512], inc[600];

	snprintf(p, sizeof(p), "%s/fifo.conf", dir);
	assert_int_equal(mkfifo(p, 0600), 0);
	alarm(60); /* the old reader blocked in open() here */
	assert_int_equal(xd_ikeconf_swanctl(p, NULL, &c), -EINVAL);
	assert_true(has_note(&c, "not a regular file"));
	xd_ikeconf_done(&c);
	assert_int_equal(xd_ikeconf_ipsec(p, NULL, &c), -EINVAL);
	assert_true(has_note(&c, "not a regular file"));
	xd_ikeconf_done(&c);
	/* included: the rest of the file is still read */
	snprintf(inc, sizeof(inc), "connections { a { local { id = a } } }\ninclude %s\n", p);
	write_file("inc-fifo.conf", inc);
	snprintf(p, sizeof(p), "%s/inc-fifo.conf", dir);
	assert_int_equal(xd_ikeconf_swanctl(p, NULL, &c), 0);
	alarm(0);
	assert_non_null(find(&c, "a"));
	assert_true(has_note(&c, "not a regular file"));
	xd_ikeconf_done(&c);
	/* a missing top file is no note: that stack is just not configured */
	snprintf(p, sizeof(p), "%s/missing.conf", dir);
	assert_int_equal(xd_ikeconf_swanctl(p, NULL, &c), -ENOENT);
	assert_int_equal(c.n_notes, 0);
	xd_ikeconf_done(&c);
}

/* n files in sub/, each a connection that includes every file of sub/ */
static void fanout(const char *sub, unsigned n)
{
	char name[600], text[600];

	snprintf(name, sizeof(name), "%s/%s", dir, sub);
	mkdir(name, 0700);
	for (unsigned i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "%s/%03u.conf", sub, i);
		snprintf(text, sizeof(text),
			 "connections {\n c%s%u {\n  local { id = c%u }\n }\n}\ninclude *.conf\n", sub,
			 i, i);
		write_file(name, text);
	}
}

static void test_fanout(void **state)
{
	struct counter cnt = { 0 };
	const struct xd_ikeconf_io io = { .expand = count_expand, .read = count_read,
					  .userdata = &cnt };
	struct xd_ikeconf c = { 0 };
	char p[512];

	/* 24 files that each include all 24: the report had 360,648 opens */
	fanout("f24", 24);
	write_file("f24.conf", "include f24/*.conf\n");
	snprintf(p, sizeof(p), "%s/f24.conf", dir);
	assert_int_equal(xd_ikeconf_swanctl(p, &io, &c), 0);
	assert_int_equal(cnt.reads, 25); /* the top file and each included file once */
	assert_int_equal(c.files, 25);
	assert_int_equal(c.n, 24);
	assert_int_equal(c.n_notes, 0);
	xd_ikeconf_done(&c);

	/* the same file under two names (a symlink) is opened twice but parsed once */
	static const char one[] = "include f24/000.conf\n";
	static const char both[] = "include f24/000.conf\ninclude alias.conf\n";
	char target[600], link[600];
	uint64_t bytes_one;
	unsigned reads_one;

	snprintf(target, sizeof(target), "%s/f24/000.conf", dir);
	snprintf(link, sizeof(link), "%s/alias.conf", dir);
	assert_int_equal(symlink(target, link), 0);
	write_file("one.conf", one);
	snprintf(p, sizeof(p), "%s/one.conf", dir);
	cnt = (struct counter){ 0 };
	assert_int_equal(xd_ikeconf_swanctl(p, &io, &c), 0);
	bytes_one = c.bytes - (sizeof(one) - 1);
	reads_one = cnt.reads;
	xd_ikeconf_done(&c);
	write_file("both.conf", both);
	snprintf(p, sizeof(p), "%s/both.conf", dir);
	cnt = (struct counter){ 0 };
	assert_int_equal(xd_ikeconf_swanctl(p, &io, &c), 0);
	assert_int_equal(c.bytes - (sizeof(both) - 1), bytes_one);
	assert_int_equal(cnt.reads, reads_one + 1);
	assert_int_equal(c.n, 24);
	xd_ikeconf_done(&c);

	/* 5 directories of 60: over the file bound, which is reached and noted, not exceeded */
	char top[4096] = "";
	for (unsigned d = 0; d < 5; d++) {
		char sub[16], line[64];
		snprintf(sub, sizeof(sub), "d%u", d);
		fanout(sub, 60);
		snprintf(line, sizeof(line), "include d%u/*.conf\n", d);
		strcat(top, line);
	}
	write_file("f300.conf", top);
	snprintf(p, sizeof(p), "%s/f300.conf", dir);
	cnt = (struct counter){ 0 };
	assert_int_equal(xd_ikeconf_swanctl(p, &io, &c), 0);
	assert_int_equal(cnt.reads, XD_IKECONF_MAX_FILES);
	assert_true(has_note(&c, "more than 256 configuration files"));
	xd_ikeconf_done(&c);

	/* one include naming 100 files: 64 are read, and that is noted */
	fanout("f100", 100);
	write_file("f100.conf", "include f100/*.conf\n");
	snprintf(p, sizeof(p), "%s/f100.conf", dir);
	cnt = (struct counter){ 0 };
	assert_int_equal(xd_ikeconf_swanctl(p, &io, &c), 0);
	assert_int_equal(cnt.reads, 1 + XD_IKECONF_MAX_MATCHES);
	assert_true(has_note(&c, "more than 64 files"));
	xd_ikeconf_done(&c);
}

/* include chains deeper than the bound: noted only when a file stays unread */
static void test_depth(void **state)
{
	struct xd_ikeconf c = { 0 };
	char p[512];

	write_file("chain0.conf", "include chain1.conf\n");
	write_file("chain1.conf", "include chain2.conf\n");
	write_file("chain2.conf", "include chain3.conf\n");
	write_file("chain3.conf", "include chain4.conf\n");
	write_file("chain4.conf", "include chain5.conf\n");
	write_file("chain5.conf", "connections { deep { local { id = deep } } }\n");
	snprintf(p, sizeof(p), "%s/chain0.conf", dir);
	assert_int_equal(xd_ikeconf_swanctl(p, NULL, &c), 0);
	assert_null(find(&c, "deep"));
	assert_true(has_note(&c, "nested deeper than 4"));
	xd_ikeconf_done(&c);
	snprintf(p, sizeof(p), "%s/chain1.conf", dir);
	assert_int_equal(xd_ikeconf_swanctl(p, NULL, &c), 0);
	assert_non_null(find(&c, "deep"));
	assert_int_equal(c.n_notes, 0);
	xd_ikeconf_done(&c);
}

static int setup(void **state)
{
	return scratch_make(dir);
}

static int teardown(void **state)
{
	return scratch_remove(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_swanctl_facts), cmocka_unit_test(test_ipsec_facts),
		cmocka_unit_test(test_start_action),
		cmocka_unit_test(test_blank_tail),    cmocka_unit_test(test_fifo),
		cmocka_unit_test(test_fanout),	      cmocka_unit_test(test_depth),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
