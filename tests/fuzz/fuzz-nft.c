/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz-nft.c: the nf_tables decoder and the evaluator on arbitrary bytes. The input is split
 * into records at 0xfe 0xed markers (so one input can hold tables, chains, sets, elements and
 * rules); each record is decoded as nft.* records are, the model is indexed, and one packet
 * per hook path is evaluated. Built as a libFuzzer target with -Dfuzzing=true, otherwise
 * linked with fuzz-main.c, which replays tests/fuzz/corpus/fuzz-nft/.
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
	size_t start = 0;

	if (xd_snapshot_new(&s) < 0)
		return 0;
	for (size_t i = 0; i <= size; i++) {
		if (i + 1 < size && data[i] == 0xfe && data[i + 1] == 0xed) {
			(void)xd_decode_nft(s, XD_DUMP_NFT_RULES, data + start, i - start);
			start = i + 2;
			i++;
		} else if (i == size)
			(void)xd_decode_nft(s, XD_DUMP_NFT_RULES, data + start, size - start);
	}
	if (s->fw && xd_fw_index(s->fw) == 0) {
		static struct xd_fw_result res;
		struct xd_fw_packet p = { .family = 2, .l4proto = 50, .has_spi = true, .spi = 0x1f4,
					  .ct = XD_FW_CT_NEW };
		uint8_t hooks[3];
		for (int path = 0; path < 3; path++) {
			size_t n = xd_fw_path(path, hooks);
			(void)xd_fw_eval(s->fw, &p, hooks, n, &res);
			p.l4proto = path ? 17 : 51;
			p.has_sport = p.has_dport = true;
			p.sport = p.dport = 4500;
			strcpy(p.iif, "eth0");
		}
		char text[256];
		for (size_t i = 0; i < s->fw->rules.len; i++)
			(void)xd_fw_rule_text(s->fw, xd_fw_rule_at(s->fw, i), text, sizeof(text));
	}
	xd_snapshot_free(s);
	return 0;
}
