/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz-iptables.c: the legacy iptables decoder and the evaluator on arbitrary bytes. The
 * first byte picks IPv4 or IPv6; the rest is one ipt.legacy record (header + entries).
 * Replayed from tests/fuzz/corpus/fuzz-iptables/ by fuzz-main.c in normal builds.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "xfrmd/decode.h"
#include "xfrmd/fw.h"
#include "xfrmd/model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xd_snapshot *s = NULL;

	if (size < 1 || xd_snapshot_new(&s) < 0)
		return 0;
	(void)xd_decode_iptables(s, data[0] & 1 ? XD_DUMP_IP6T : XD_DUMP_IPT, data + 1, size - 1);
	if (s->fw && xd_fw_index(s->fw) == 0) {
		static struct xd_fw_result res;
		struct xd_fw_packet p = { .family = data[0] & 1 ? 10 : 2, .l4proto = 17,
					  .has_sport = true, .has_dport = true, .sport = 500,
					  .dport = 500, .ct = XD_FW_CT_NEW };
		uint8_t hooks[3];
		strcpy(p.iif, "eth0");
		for (int path = 0; path < 3; path++) {
			size_t n = xd_fw_path(path, hooks);
			(void)xd_fw_eval(s->fw, &p, hooks, n, &res);
		}
		char text[256];
		for (size_t i = 0; i < s->fw->rules.len; i++)
			(void)xd_fw_rule_text(s->fw, xd_fw_rule_at(s->fw, i), text, sizeof(text));
	}
	xd_snapshot_free(s);
	return 0;
}
