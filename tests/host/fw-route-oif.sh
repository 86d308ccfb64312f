#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The output interface of the firewall questions comes from the routes (issue 22): a gateway
# with tunnel policies to a peer on a connected /24 and an output chain that drops ESP by
# `oifname`. Without a route to the peer the interface is unknown: fw.undecidable "output
# interface not given". With the connected route via veth0: a definite fw.esp_blocked naming
# veth0. With a policy-routing rule sending the peer through veth1 instead: ESP passes, no
# ESP finding. The same from a snapshot (routes and rules are recorded).
#
#   [ns xd-rto-$$]  veth0 192.0.2.1/24 --- [ns xd-rtp-$$] 192.0.2.2/24
#                   veth1 198.51.100.1/24 (table 100 for the peer when the rule is there)
set -euo pipefail
XFRMCTL=${XFRMCTL:?}
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root for network namespaces"; exit 77; }
command -v nft >/dev/null || { echo "SKIP: nft not installed"; exit 77; }
command -v jq >/dev/null || { echo "SKIP: jq not installed"; exit 77; }
ns=xd-rto-$$
peer=xd-rtp-$$
tmp=$(mktemp -d)
trap 'ip netns del $ns 2>/dev/null || true; ip netns del $peer 2>/dev/null || true; rm -rf "$tmp"' EXIT
ip netns add $ns || { echo "SKIP: cannot create a network namespace"; exit 77; }
ip netns add $peer
fails=0
pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

ip -n $ns link add veth0 type veth peer name eth0 netns $peer
ip -n $ns link add veth1 type veth peer name eth1 netns $peer
ip -n $ns addr add 192.0.2.1/24 dev veth0
ip -n $ns addr add 198.51.100.1/24 dev veth1
ip -n $peer addr add 192.0.2.2/24 dev eth0
for l in lo veth0 veth1; do ip -n $ns link set $l up; done
for l in lo eth0 eth1; do ip -n $peer link set $l up; done
# tunnel policies to the peer (no SA needed: the peer comes from the templates)
ip -n $ns xfrm policy add src 10.1.0.0/16 dst 10.2.0.0/16 dir out \
    tmpl src 192.0.2.1 dst 192.0.2.2 proto esp mode tunnel
ip -n $ns xfrm policy add src 10.2.0.0/16 dst 10.1.0.0/16 dir in \
    tmpl src 192.0.2.2 dst 192.0.2.1 proto esp mode tunnel
ip -n $ns xfrm policy add src 10.2.0.0/16 dst 10.1.0.0/16 dir fwd \
    tmpl src 192.0.2.2 dst 192.0.2.1 proto esp mode tunnel
ip netns exec $ns nft -f - <<'NFT'
table inet filter {
	chain output {
		type filter hook output priority 0; policy accept;
		oifname "veth0" meta l4proto esp drop
	}
}
NFT

# check exits 1 when it finds problems: only the document matters here
doc() { "$XFRMCTL" --netns $ns --no-daemon --json check || [ $? = 1 ]; }
# the ESP findings towards the peer: "id|summary|oif evidence"
esp_out() {
    jq -r '.findings[] | select(.id | startswith("fw.")) | select(.summary | test("^ESP"))
           | select(.subject.dir == "out")
           | .id + "|" + .summary + "|" + (.evidence.oif // "")'
}

# 1. no route to the peer: the output interface cannot be known
ip -n $ns route del 192.0.2.0/24 dev veth0
out=$(doc | esp_out)
if grep -q '^fw.undecidable|.*output interface not given' <<<"$out"; then
    pass "no route to the peer: fw.undecidable, output interface not given"
else
    fail "no route: expected fw.undecidable (output interface not given), got: $out"
fi

# 2. the connected route via veth0: the oifname rule decides
ip -n $ns route add 192.0.2.0/24 dev veth0 src 192.0.2.1
out=$(doc | esp_out)
if grep -q '^fw.esp_blocked|ESP to 192.0.2.2 dropped by .*|veth0$' <<<"$out" &&
   ! grep -q '^fw.undecidable' <<<"$out"; then
    pass "connected route via veth0: fw.esp_blocked with oif veth0"
else
    fail "connected route: expected fw.esp_blocked naming veth0, got: $out"
fi
"$XFRMCTL" --netns $ns capture -w "$tmp/snap.pcapng"
out=$({ "$XFRMCTL" -r "$tmp/snap.pcapng" --json check || [ $? = 1 ]; } | esp_out)
grep -q '^fw.esp_blocked|.*|veth0$' <<<"$out" && pass "the same from a snapshot" ||
    fail "from the snapshot: $out"
"$XFRMCTL" -r "$tmp/snap.pcapng" show routes rules > "$tmp/rr.txt"
grep -q '^  192.0.2.0/24 dev veth0 proto boot scope link src 192.0.2.1$' "$tmp/rr.txt" &&
    grep -q 'from all lookup main' "$tmp/rr.txt" && pass "show routes rules from the snapshot" ||
    { fail "show routes rules:"; cat "$tmp/rr.txt"; }

# fw verdict without --oif on the output hook takes the routed interface too
v=$("$XFRMCTL" --netns $ns --no-daemon fw verdict --proto esp --src 192.0.2.1 --dst 192.0.2.2 \
    --hook output || true)
grep -q '^verdict: drop' <<<"$v" && pass "fw verdict --hook output: drop via the routed veth0" ||
    fail "fw verdict --hook output: $v"

# 3. policy routing sends the peer through veth1: the ESP drop rule no longer applies
ip -n $ns route add 192.0.2.2/32 dev veth1 table 100
ip -n $ns rule add to 192.0.2.2/32 lookup 100 priority 100
out=$(doc | esp_out)
if [ -z "$out" ]; then
    pass "ip rule to 192.0.2.2 lookup 100 (via veth1): ESP accepted, no ESP finding"
else
    fail "policy routing via veth1: expected no ESP finding, got: $out"
fi
# a fwmark rule the probe's packet (mark 0) does not carry changes nothing
ip -n $ns rule del priority 100
ip -n $ns rule add fwmark 0x1 lookup 100 priority 100
out=$(doc | esp_out)
grep -q '^fw.esp_blocked|.*|veth0$' <<<"$out" && pass "fwmark 0x1 rule: unmarked ESP still via veth0" ||
    fail "fwmark rule: $out"

echo "$fails failed"
[ $fails = 0 ]
