/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-decode-kernel.c: the kernel-profile decoders (sysctl, kernel config, module lists,
 * self) on hand-written records, including truncated and garbage ones, and the profile
 * computed from them: capabilities follow evidence over files over config, features follow
 * evidence over config over the release.
 */
#include <errno.h>
#include <setjmp.h>
#include <sys/socket.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "model-builder.h"
#include "xfrmd/decode.h"
#include "xfrmd/kernel.h"

static void feed(struct xd_snapshot *s, enum xd_dump d, const char *text)
{
	struct xd_record r = { .kind = XD_RECORD_FILE, .dump = d, .data = text, .len = strlen(text) };

	assert_int_equal(xd_decode_record(s, &r), 0);
}

static void test_sysctl(void **state)
{
	struct xd_snapshot *s = mb_new();

	feed(s, XD_DUMP_SYSCTL, "net.ipv4.ip_forward=1\nnet.ipv4.conf.eth0.100.rp_filter=2\n"
				"garbage line\n=novalue\nnet.core.xfrm_acq_expires=30");
	assert_true(s->kernel->sysctl_present);
	assert_string_equal(xd_kernel_sysctl(s, "net.ipv4.ip_forward"), "1");
	/* interface names with dots survive: lookups use the full name */
	assert_string_equal(xd_kernel_sysctl(s, "net.ipv4.conf.eth0.100.rp_filter"), "2");
	assert_string_equal(xd_kernel_sysctl(s, "net.core.xfrm_acq_expires"), "30");
	assert_null(xd_kernel_sysctl(s, "net.ipv4.conf.all.rp_filter"));
	assert_int_equal(s->issues.len, 2);
	xd_snapshot_free(s);
}

static void test_sysctl_nul(void **state)
{
	struct xd_snapshot *s = mb_new();
	static const char bad[] = "a=1\nb\0c=2\n";
	struct xd_record r = { .kind = XD_RECORD_FILE, .dump = XD_DUMP_SYSCTL, .data = bad,
			       .len = sizeof(bad) - 1 };

	assert_int_equal(xd_decode_record(s, &r), 0);
	assert_string_equal(xd_kernel_sysctl(s, "a"), "1");
	assert_null(xd_kernel_sysctl(s, "b"));
	assert_int_equal(s->issues.len, 1);
	xd_snapshot_free(s);
}

static void test_kconfig(void **state)
{
	struct xd_snapshot *s = mb_new();

	feed(s, XD_DUMP_KCONFIG, "# source: /proc/config.gz\n#\n# Automatically generated\n"
				 "CONFIG_XFRM=y\nCONFIG_XFRM_USER=m\n# CONFIG_INET_ESP is not set\n"
				 "CONFIG_LOCALVERSION=\"-test\"\nnonsense\n# CONFIG_ bad is not set\n"
				 "CONFIG_TRUNC");
	assert_true(s->kernel->kconfig_present);
	assert_string_equal(s->kernel->kconfig_source, "/proc/config.gz");
	assert_string_equal(xd_kernel_config(s, "CONFIG_XFRM"), "y");
	assert_string_equal(xd_kernel_config(s, "CONFIG_XFRM_USER"), "m");
	assert_string_equal(xd_kernel_config(s, "CONFIG_INET_ESP"), "n");
	assert_string_equal(xd_kernel_config(s, "CONFIG_LOCALVERSION"), "\"-test\"");
	assert_null(xd_kernel_config(s, "CONFIG_TRUNC"));
	assert_int_equal(s->issues.len, 2); /* "nonsense" and the truncated line */
	xd_snapshot_free(s);
}

static void test_modules(void **state)
{
	struct xd_snapshot *s = mb_new();

	feed(s, XD_DUMP_MODULES, "esp4 24576 2 - Live 0x0000000000000000\n"
				 "xfrm_user 53248 1 - Live 0x0\n\n");
	feed(s, XD_DUMP_MODULES_BUILTIN, "kernel/net/xfrm/xfrm_algo.ko\nkernel/net/key/af-key.ko\n");
	feed(s, XD_DUMP_MODULES_DEP, "kernel/net/ipv6/esp6.ko.xz\nkernel/net/ipv4/ah4.ko.zst\n"
				     "/\n");
	feed(s, XD_DUMP_SYS_MODULE, "ipv6\nxfrm_user\n");
	assert_int_equal(xd_kernel_kmod_src(s, "esp4"), XD_KMOD_LOADED);
	assert_int_equal(xd_kernel_kmod_src(s, "xfrm_user"), XD_KMOD_LOADED | XD_KMOD_SYSFS);
	assert_int_equal(xd_kernel_kmod_src(s, "af_key"), XD_KMOD_BUILTIN); /* '-' -> '_' */
	assert_int_equal(xd_kernel_kmod_src(s, "esp6"), XD_KMOD_INSTALLED);
	assert_int_equal(xd_kernel_kmod_src(s, "ah4"), XD_KMOD_INSTALLED);
	assert_int_equal(xd_kernel_kmod_src(s, "ah6"), 0);
	assert_int_equal(s->issues.len, 1); /* "/" has no module name */
	xd_snapshot_free(s);
}

static void test_self(void **state)
{
	struct xd_snapshot *s = mb_new();

	feed(s, XD_DUMP_SELF, "bits=32\n");
	assert_int_equal(s->kernel->collector_bits, 32);
	feed(s, XD_DUMP_SELF, "bits=33\n");
	assert_int_equal(s->kernel->collector_bits, 0);
	feed(s, XD_DUMP_SELF, "b");
	assert_int_equal(s->issues.len, 2);
	xd_snapshot_free(s);
}

static void test_version_parse(void **state)
{
	unsigned a, b, c;

	assert_int_equal(xd_kernel_version_parse("6.12.13-amd64", &a, &b, &c), 0);
	assert_int_equal(a * 10000 + b * 100 + c, 61213);
	assert_int_equal(xd_kernel_version_parse("5.15.0-rc3", &a, &b, &c), 0);
	assert_int_equal(a * 10000 + b * 100 + c, 51500);
	assert_int_equal(xd_kernel_version_parse("4.19", &a, &b, &c), 0);
	assert_int_equal(c, 0);
	assert_int_equal(xd_kernel_version_parse("linux", &a, &b, &c), -EINVAL);
	assert_int_equal(xd_kernel_version_parse("", &a, &b, &c), -EINVAL);
}

/* A 6.1 kernel: ESP as module (installed), AH not set, no IPComp in the config at all. */
static struct xd_snapshot *profile_fixture(void)
{
	struct xd_snapshot *s = mb_new();

	feed(s, XD_DUMP_UNAME, "Linux\n6.1.0-test\n#1 SMP\nx86_64\n");
	feed(s, XD_DUMP_KCONFIG, "CONFIG_MODULES=y\nCONFIG_XFRM_USER=m\nCONFIG_INET_ESP=m\n"
				 "CONFIG_INET6_ESP=m\n# CONFIG_INET_AH is not set\nCONFIG_XFRM_STATISTICS=y\n"
				 "CONFIG_XFRM_USER_COMPAT=m\n");
	feed(s, XD_DUMP_MODULES, "xfrm_user 1 0 - Live 0x0\n");
	feed(s, XD_DUMP_MODULES_BUILTIN, "kernel/net/xfrm/xfrm_algo.ko\n");
	feed(s, XD_DUMP_MODULES_DEP, "kernel/net/ipv4/esp4.ko\n");
	return s;
}

static void test_profile_caps(void **state)
{
	struct xd_snapshot *s = profile_fixture();
	struct xd_kprofile p;

	s->meta.dump_status[XD_DUMP_XFRM_STAT] = XD_DUMP_ABSENT;
	xd_kprofile_compute(s, &p);
	assert_true(p.have_release);
	assert_int_equal(p.caps[XD_CAP_XFRM_USER].state, XD_CAP_IN_USE); /* dumps answered */
	assert_int_equal(p.caps[XD_CAP_ESP4].state, XD_CAP_AVAILABLE);
	assert_int_equal(p.caps[XD_CAP_ESP6].state, XD_CAP_NOT_INSTALLED); /* =m, no .ko */
	assert_int_equal(p.caps[XD_CAP_AH4].state, XD_CAP_MISSING);
	assert_int_equal(p.caps[XD_CAP_IPCOMP4].state, XD_CAP_MISSING); /* not in config */
	/* the file's absence beats the config */
	assert_int_equal(p.caps[XD_CAP_XFRM_STATISTICS].state, XD_CAP_MISSING);
	/* an installed ESP SA beats everything */
	mb_sa(s, "192.0.2.1", "192.0.2.2", 50, 0x100, 1, 1)->family = AF_INET6;
	xd_kprofile_compute(s, &p);
	assert_int_equal(p.caps[XD_CAP_ESP6].state, XD_CAP_IN_USE);
	xd_snapshot_free(s);
}

static void test_profile_features(void **state)
{
	struct xd_snapshot *s = profile_fixture();
	struct xd_kprofile p;

	xd_kprofile_compute(s, &p);
	/* 6.1 by release only: never "present"/"absent" without evidence */
	assert_int_equal(p.feats[XD_FEAT_IF_ID].state, XD_FEAT_EXPECTED);
	assert_int_equal(p.feats[XD_FEAT_SA_DIR].state, XD_FEAT_NOT_EXPECTED);
	assert_int_equal(p.feats[XD_FEAT_PCPU_SA].state, XD_FEAT_NOT_EXPECTED);
	/* config rules out IP-TFS (not in the config at all) */
	assert_int_equal(p.feats[XD_FEAT_IPTFS].state, XD_FEAT_ABSENT);
	/* a backport: an SA with SA_DIR on a "6.1" kernel is present, whatever the release says */
	mb_sa(s, "192.0.2.1", "192.0.2.2", 50, 0x100, 1, 1)->has |= XD_SA_HAS_DIR | XD_SA_HAS_PCPU;
	mb_counter(s, "XfrmOutStateDirError", 0);
	xd_kprofile_compute(s, &p);
	assert_int_equal(p.feats[XD_FEAT_SA_DIR].state, XD_FEAT_PRESENT);
	assert_int_equal(p.feats[XD_FEAT_PCPU_SA].state, XD_FEAT_PRESENT);
	xd_snapshot_free(s);

	/* 6.12.13 has per-CPU SAs (stable backport), 6.12.12 not, 6.13.0 yes */
	s = mb_new();
	feed(s, XD_DUMP_UNAME, "Linux\n6.12.13\n#1\nx86_64\n");
	xd_kprofile_compute(s, &p);
	assert_int_equal(p.feats[XD_FEAT_PCPU_SA].state, XD_FEAT_EXPECTED);
	xd_snapshot_free(s);
	s = mb_new();
	feed(s, XD_DUMP_UNAME, "Linux\n6.12.12\n#1\nx86_64\n");
	xd_kprofile_compute(s, &p);
	assert_int_equal(p.feats[XD_FEAT_PCPU_SA].state, XD_FEAT_NOT_EXPECTED);
	xd_snapshot_free(s);
	/* Debian 12: "6.12.0-9-amd64" with the stable level only in the build string */
	s = mb_new();
	feed(s, XD_DUMP_UNAME, "Linux\n6.12.0-9-amd64\n#1 SMP PREEMPT_DYNAMIC Debian 6.12.13-1 (2025-02-10)\nx86_64\n");
	xd_kprofile_compute(s, &p);
	assert_int_equal(p.patch, 13);
	assert_true(p.patch_from_build);
	assert_int_equal(p.feats[XD_FEAT_PCPU_SA].state, XD_FEAT_EXPECTED);
	xd_snapshot_free(s);
	/* xfrm_stat without the DirError counters disproves SA direction on any release */
	s = mb_new();
	feed(s, XD_DUMP_UNAME, "Linux\n6.18.0\n#1\nx86_64\n");
	mb_counter(s, "XfrmInNoStates", 0);
	xd_kprofile_compute(s, &p);
	assert_int_equal(p.feats[XD_FEAT_SA_DIR].state, XD_FEAT_ABSENT);
	xd_snapshot_free(s);
}

static void test_compat_risk(void **state)
{
	struct xd_snapshot *s = profile_fixture();
	struct xd_kprofile p;

	xd_kprofile_compute(s, &p);
	assert_false(p.compat_task_risk);
	feed(s, XD_DUMP_SELF, "bits=32\n");
	xd_kprofile_compute(s, &p);
	assert_true(p.compat_task_risk);
	/* =m in the config but no .ko in modules.dep */
	assert_int_equal(p.caps[XD_CAP_XFRM_COMPAT].state, XD_CAP_NOT_INSTALLED);
	assert_true(xd_machine_is_64bit("aarch64"));
	assert_false(xd_machine_is_64bit("armv7l"));
	xd_snapshot_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sysctl),
		cmocka_unit_test(test_sysctl_nul),
		cmocka_unit_test(test_kconfig),
		cmocka_unit_test(test_modules),
		cmocka_unit_test(test_self),
		cmocka_unit_test(test_version_parse),
		cmocka_unit_test(test_profile_caps),
		cmocka_unit_test(test_profile_features),
		cmocka_unit_test(test_compat_risk),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
