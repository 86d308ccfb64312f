/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bench-fw.c: evaluator benchmark (meson `benchmark`, not a test): 1,000 packets (ESP, AH,
 * IKE, NAT-T, TCP) through a 10,000-rule set shaped like a large site firewall: per-host
 * address+port accepts, a few user chains reached by jumps, a named interval set and a
 * verdict map, then the IPsec rules at the very end and policy drop, so most packets walk the
 * whole chain. Prints the time per packet and rules evaluated.
 *
 * With snapshot files as arguments (`capture -w` of a real rule set, e.g. one of
 * tests/fw/realworld loaded into a namespace), the same 1,000 packets go through each
 * snapshot's firewall instead, on the input, forward and output paths.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "fw-builder.h"
#include "xfrmd/capture.h"
#include "xfrmd/decode.h"
#include "xfrmd/fw.h"
#include "xfrmd/model.h"

#define RULES 10000
#define PACKETS 1000
#define INET XD_NFPROTO_INET

static double clk(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double now(void)
{
	return clk(CLOCK_MONOTONIC);
}

/* CPU time: on a shared machine wall time says more about the neighbours than about us */
static double cpu(void)
{
	return clk(CLOCK_PROCESS_CPUTIME_ID);
}

static char set_names[RULES][16];

/* flat: all rules in the base chain; anon: each rule looks its port up in its own anonymous
 * set, as `tcp dport { a, b }` compiles (10,000 sets: name resolution must not be per packet) */
/* A packet generator: fills *p (zeroed) and its path for packet i from the random x. */
typedef int (*make_packet_fn)(uint32_t x, int i, struct xd_fw_packet *p);

static const uint8_t protos[] = { 50, 51, 17, 17, 6 }; /* ESP, AH, UDP (IKE, NAT-T), TCP */

/* PACKETS packets through fw, timed; prints the figures. 0, or 1 if an evaluation failed. */
static int measure(const struct xd_fw *fw, uint32_t x, make_packet_fn make)
{
	static struct xd_fw_result res;
	unsigned acc = 0, drop = 0, und = 0;
	uint64_t steps = 0;
	double t0 = now(), c0 = cpu(), t1, c1;

	for (int i = 0; i < PACKETS; i++) {
		struct xd_fw_packet p = { 0 };
		uint8_t hooks[3];
		size_t n;

		x = x * 1103515245u + 12345u;
		n = xd_fw_path(make(x, i, &p), hooks);
		if (xd_fw_eval(fw, &p, hooks, n, &res) < 0)
			return 1;
		steps += res.steps;
		acc += res.verdict == XD_FW_ACCEPT;
		drop += res.verdict == XD_FW_DROP;
		und += res.verdict == XD_FW_UNDECIDABLE;
	}
	t1 = now();
	c1 = cpu();
	printf("%d packets: %.1f ms wall, %.1f ms CPU, %.1f us CPU/packet, %.0f rules/packet on "
	       "average (accept %u, drop %u, undecidable %u)\n",
	       PACKETS, (t1 - t0) * 1e3, (c1 - c0) * 1e3, (c1 - c0) * 1e6 / PACKETS,
	       (double)steps / PACKETS, acc, drop, und);
	return 0;
}

/* The generated site: new packets on the input path from 10.x and 203.0.x sources. */
static int site_packet(uint32_t x, int i, struct xd_fw_packet *p)
{
	(void)i;
	p->family = 2;
	p->ct = XD_FW_CT_NEW;
	p->l4proto = protos[x % 5];
	p->src[0] = (x >> 8) % 3 == 0 ? 203 : 10;
	p->src[1] = (uint8_t)((x >> 12) % 200);
	p->src[2] = (uint8_t)(x >> 16);
	p->src[3] = 1;
	p->dst[0] = 10, p->dst[3] = 2;
	p->has_sport = p->has_dport = true;
	p->sport = 4500;
	p->dport = p->l4proto == 6 ? (uint16_t)(1000 + (x >> 4) % 6000) : (x & 1) ? 500 : 4500;
	p->has_spi = true;
	p->spi = x;
	strcpy(p->iif, "eth0");
	return XD_FW_PATH_INPUT;
}

/* fw-diff's topology (peer 10.99.0.1 on vB, LAN 10.98.0.0/24 on vC): new and established,
 * a third each on the input, forward and output paths. */
static int topology_packet(uint32_t x, int i, struct xd_fw_packet *p)
{
	static const int paths[] = { XD_FW_PATH_INPUT, XD_FW_PATH_FORWARD, XD_FW_PATH_OUTPUT };
	static const uint8_t peer[4] = { 10, 99, 0, 1 }, self[4] = { 10, 99, 0, 2 },
			     lan[4] = { 10, 98, 0, 1 };
	int kind = paths[i % 3];

	p->family = 2;
	p->l4proto = protos[x % 5];
	p->ct = (x >> 3) & 1 ? XD_FW_CT_NEW : XD_FW_CT_ESTABLISHED;
	memcpy(p->src, kind == XD_FW_PATH_OUTPUT ? self : peer, 4);
	memcpy(p->dst, kind == XD_FW_PATH_INPUT ? self : kind == XD_FW_PATH_OUTPUT ? peer : lan, 4);
	p->has_sport = p->has_dport = true;
	p->sport = 4500;
	p->dport = p->l4proto == 6 ? (uint16_t)(22 + (x >> 4) % 3 * 29) : (x & 1) ? 500 : 4500;
	p->has_spi = true;
	p->spi = x;
	if (kind != XD_FW_PATH_OUTPUT)
		strcpy(p->iif, "vB");
	if (kind != XD_FW_PATH_INPUT)
		strcpy(p->oif, kind == XD_FW_PATH_OUTPUT ? "vB" : "vC");
	return kind;
}

static int run(bool flat, bool anon)
{
	static const char *const users[] = { "u0", "u1", "u2", "u3" };
	struct xd_fw *fw = fwb_new();
	double t0, t1;
	int r;

	fwb_chain(fw, INET, "filter", "input", XD_HOOK_INPUT, 0, XD_NF_DROP);
	fwb_chain(fw, XD_NFPROTO_IPV4, "raw", "pre", XD_HOOK_PREROUTING, -300, XD_NF_ACCEPT);
	for (int u = 0; u < 4; u++)
		fwb_chain(fw, INET, "filter", users[u], -1, 0, 0);
	fwb_set(fw, INET, "filter", "blocked", 0x4, 4);
	for (int i = 0; i < 200; i++) {
		uint8_t s[4] = { 203, 0, (uint8_t)i, 0 }, e[4] = { 203, 0, (uint8_t)i, 128 };
		fwb_elem(fw, INET, "filter", "blocked", s, 4, 0);
		fwb_elem(fw, INET, "filter", "blocked", e, 4, 1);
	}
	uint64_t h = 1;
	fwb_rule(fw, INET, "filter", "input", h++); /* ip saddr @blocked drop */
	fwb_payload(fw, 1, 12, 4, 1);
	fwb_lookup(fw, "blocked", 1, UINT32_MAX, 0);
	fwb_verdict(fw, XD_NF_DROP, NULL);
	for (int i = 0; i < RULES - 8; i++) {
		const char *chain = flat || i % 50 == 0 ? "input" : users[i % 4];
		uint8_t a[4] = { 10, (uint8_t)(i >> 8), (uint8_t)i, 1 };
		if (!flat && i % 50 == 0) {
			/* ip saddr 10.K.0.0/16 jump uK: one jump per source block */
			uint8_t net[2] = { 10, (uint8_t)(i / 50) };
			fwb_rule(fw, INET, "filter", "input", h++);
			fwb_payload(fw, 1, 12, 2, 1);
			fwb_cmp(fw, 1, 0, net, 2);
			fwb_verdict(fw, XD_NFT_JUMP, users[(i / 50) % 4]);
			continue;
		}
		fwb_rule(fw, INET, "filter", chain, h++);
		fwb_meta(fw, 16, 1);
		fwb_cmp_u8(fw, 1, 6);
		fwb_payload(fw, 1, 12, 4, 1);
		fwb_cmp(fw, 1, 0, a, 4);
		fwb_payload(fw, 2, 2, 2, 1);
		if (anon) {
			uint16_t port = (uint16_t)(1000 + i % 5000);
			uint8_t k1[2] = { (uint8_t)(port >> 8), (uint8_t)port }, k2[2] = { 0, 22 };
			snprintf(set_names[i], sizeof(set_names[i]), "__set%d", i);
			fwb_lookup(fw, set_names[i], 1, UINT32_MAX, 0);
			fwb_set(fw, INET, "filter", set_names[i], 0x3, 2);
			fwb_elem(fw, INET, "filter", set_names[i], k1, 2, 0);
			fwb_elem(fw, INET, "filter", set_names[i], k2, 2, 0);
		} else
			fwb_cmp_be16(fw, 1, (uint16_t)(1000 + i % 5000));
		fwb_simple(fw, XD_FWX_COUNTER);
		fwb_verdict(fw, XD_NF_ACCEPT, NULL);
	}
	/* the IPsec rules, last */
	fwb_rule(fw, INET, "filter", "input", h++);
	fwb_meta(fw, 16, 1);
	fwb_cmp_u8(fw, 1, 50);
	fwb_verdict(fw, XD_NF_ACCEPT, NULL);
	fwb_rule(fw, INET, "filter", "input", h++);
	fwb_meta(fw, 16, 1);
	fwb_cmp_u8(fw, 1, 17);
	fwb_payload(fw, 2, 2, 2, 1);
	fwb_cmp_be16(fw, 1, 500);
	fwb_verdict(fw, XD_NF_ACCEPT, NULL);
	t0 = now();
	fwb_finish(fw);
	t1 = now();
	printf("%s: rules: %zu, expressions: %zu, sets: %zu, index built in %.2f ms\n",
	       anon ? "flat chain, one anonymous set per rule"
	       : flat ? "flat chain (every packet walks all rules)"
		      : "site firewall (jumps per /16)",
	       fw->rules.len, fw->exprs.len, fw->sets.len, (t1 - t0) * 1e3);

	r = measure(fw, 12345, site_packet);
	fwb_free(fw);
	return r;
}

/* The same packets through a snapshot's firewall (a capture of a real rule set). */
static int run_snapshot(const char *path)
{
	struct xd_snapshot *s = NULL;
	struct xd_record_sink sink;
	double t0, t1;
	char err[256];
	int r;

	if (xd_snapshot_new(&s) < 0)
		return 1;
	xd_decode_sink_init(&sink, s);
	if (xd_capture_read(path, &s->meta, &sink, err, sizeof(err)) < 0 || !s->fw) {
		fprintf(stderr, "%s: %s\n", path, s->fw ? err : "no firewall in the snapshot");
		xd_snapshot_free(s);
		return 1;
	}
	xd_snapshot_sort(s);
	t0 = now();
	if (xd_fw_index(s->fw) < 0) {
		xd_snapshot_free(s);
		return 1;
	}
	t1 = now();
	printf("%s: rules: %zu, index built in %.2f ms\n", path, s->fw->rules.len, (t1 - t0) * 1e3);
	r = measure(s->fw, 1, topology_packet);
	xd_snapshot_free(s);
	return r;
}

int main(int argc, char **argv)
{
	if (argc > 1) {
		int r = 0;
		for (int i = 1; i < argc; i++)
			r |= run_snapshot(argv[i]);
		return r;
	}
	return run(false, false) || run(true, false) || run(true, true);
}
