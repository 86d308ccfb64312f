#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Issue 22's must-show: `xfrmctl check` on the rule sets firewalld really writes
# (tests/fw/realworld/firewalld). A gateway with vB in the external zone and the ipsec service
# gives definite fw.* answers for ESP, IKE and NAT-T from the peer (accepted: no fw.*_blocked,
# no fw.undecidable); the default zone without the service names the zone chain that drops
# them (filter_IN_public / IN_public). The input interface is the route back to the peer.
set -u
XFRMCTL=${1:?usage: fw-firewalld-check.sh XFRMCTL}
CASES=$(dirname "$0")/realworld/firewalld
NS=xdfwfd$$ NA=xdfwfa$$
fail=0
tmp=$(mktemp)

[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
command -v nft >/dev/null || { echo "SKIP: nft not installed"; exit 77; }
trap 'ip netns del $NS 2>/dev/null; ip netns del $NA 2>/dev/null; rm -f "$tmp"' EXIT

one() { # case, expectation (accept|blocked), chain
	ip netns del $NS 2>/dev/null; ip netns del $NA 2>/dev/null
	ip netns add $NS && ip netns add $NA || { echo "SKIP: no network namespaces"; exit 77; }
	ip -n $NA link add vA type veth peer name vB netns $NS
	ip -n $NA link add vD type veth peer name vC netns $NS
	ip -n $NS addr add 10.99.0.2/24 dev vB
	ip -n $NS addr add 10.98.0.2/24 dev vC
	ip -n $NS -6 addr add fd99::2/64 dev vB nodad
	ip -n $NS -6 addr add fd98::2/64 dev vC nodad
	for d in lo vB vC; do ip -n $NS link set $d up; done
	ip -n $NS route add default via 10.99.0.1
	ip -n $NS xfrm policy add src 10.98.0.0/24 dst 10.97.0.0/24 dir out \
		tmpl src 10.99.0.2 dst 10.99.0.1 proto esp reqid 1 mode tunnel
	ip -n $NS xfrm policy add src 10.97.0.0/24 dst 10.98.0.0/24 dir in \
		tmpl src 10.99.0.1 dst 10.99.0.2 proto esp reqid 1 mode tunnel
	local d=$CASES/$1
	[ -f "$d/ruleset.nft" ] && ip netns exec $NS nft -f "$d/ruleset.nft"
	[ -f "$d/iptables-nft.save" ] && ip netns exec $NS iptables-nft-restore -w 10 "$d/iptables-nft.save" 2>/dev/null
	[ -f "$d/ip6tables-nft.save" ] && ip netns exec $NS ip6tables-nft-restore -w 10 "$d/ip6tables-nft.save" 2>/dev/null
	"$XFRMCTL" -n $NS -j check >"$tmp" 2>/dev/null
	python3 - "$tmp" "$1" "$2" "$3" <<'PY' || fail=1
import json, sys
doc = json.load(open(sys.argv[1]))
case, want, chain = sys.argv[2:5]
fw = {f["id"]: f for f in doc["findings"] if f["id"].startswith("fw.")}
bad = []
if "fw.undecidable" in fw:
    bad.append(f"fw.undecidable: {fw['fw.undecidable']['summary']}")
for fid in ("fw.esp_blocked", "fw.ike_blocked", "fw.natt_blocked"):
    f = fw.get(fid)
    if want == "accept" and f:
        bad.append(f"{fid}: {f['summary']}")
    if want == "blocked":
        got = f and f["subject"].get("rule", {}).get("chain")
        if got != chain or f["evidence"].get("iif") != "vB":
            bad.append(f"{fid}: want the zone chain {chain} (iif vB), got {f and f['summary']}")
print(f"{'FAIL' if bad else 'ok'}: {case}: {want}" + "".join(f"\n  {b}" for b in bad))
sys.exit(1 if bad else 0)
PY
}

one nftables-gateway-internal accept -
one iptables-gateway-internal accept -
one nftables-gateway-trusted accept -
one nftables-default blocked filter_IN_public
one iptables-default blocked IN_public
exit $fail
