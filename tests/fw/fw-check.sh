#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Kernel scenario: the firewall drops ESP one way, `xfrmctl check` names fw.esp_blocked with
# the peer, the direction and the rule's handle; with the rule removed it does not. Then a
# namespace with no rule set at all and an in policy without an out policy:
# fw.cleartext_allowed.
#
#   10.1.0.0/16 -- [gw 192.0.2.1, netns xdfwchk] ==== ESP tunnel ==== [peer 198.51.100.7] -- 10.2.0.0/16
#
# The tunnel is described by XFRM policies with ESP templates (and SAs where the kernel has
# ESP; this machine's kernel has none, the check works from the templates alone).
set -u
XFRMCTL=${1:?usage: fw-check.sh XFRMCTL}
NS=xdfwchk$$
PEER=198.51.100.7
GW=192.0.2.1
fail=0

[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
command -v nft >/dev/null || { echo "SKIP: nft not installed"; exit 77; }
ip netns add $NS 2>/dev/null || { echo "SKIP: cannot create a network namespace"; exit 77; }
trap 'ip netns del $NS 2>/dev/null' EXIT

ip -n $NS link add gw0 type veth peer name gw1
ip -n $NS addr add $GW/24 dev gw0
ip -n $NS addr add 10.1.0.1/16 dev gw0
ip -n $NS link set gw0 up
ip -n $NS link set gw1 up
ip -n $NS xfrm policy add src 10.1.0.0/16 dst 10.2.0.0/16 dir out \
    tmpl src $GW dst $PEER proto esp reqid 1 mode tunnel
ip -n $NS xfrm policy add src 10.2.0.0/16 dst 10.1.0.0/16 dir in \
    tmpl src $PEER dst $GW proto esp reqid 1 mode tunnel
ip -n $NS xfrm policy add src 10.2.0.0/16 dst 10.1.0.0/16 dir fwd \
    tmpl src $PEER dst $GW proto esp reqid 1 mode tunnel
# SAs where the kernel can hold them (fixed test keys, never real ones)
ip -n $NS xfrm state add src $GW dst $PEER proto esp spi 0xc0000001 reqid 1 mode tunnel \
    aead 'rfc4106(gcm(aes))' 0x0102030405060708090a0b0c0d0e0f1011121314 128 2>/dev/null &&
ip -n $NS xfrm state add src $PEER dst $GW proto esp spi 0xc0000002 reqid 1 mode tunnel \
    aead 'rfc4106(gcm(aes))' 0x1112131415161718191a1b1c1d1e1f2021222324 128 2>/dev/null ||
    echo "note: this kernel has no ESP states; the tunnel is described by its policies"

ip netns exec $NS nft -f - <<'NFT'
table inet filter {
	chain input {
		type filter hook input priority 0; policy accept;
		ip saddr 198.51.100.7 meta l4proto esp counter drop
	}
}
NFT
HANDLE=$(ip netns exec $NS nft -a list chain inet filter input | sed -n 's/.*esp.*# handle \([0-9]*\).*/\1/p')

check() { # expect: present|absent
	"$XFRMCTL" -n $NS -j check >"$tmp" 2>/dev/null
	python3 - "$tmp" "$1" "$HANDLE" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
hits = [f for f in doc["findings"] if f["id"] == "fw.esp_blocked"]
want, handle = sys.argv[2], int(sys.argv[3])
if want == "absent":
    sys.exit(0 if not hits else 1)
ok = [f for f in hits
      if f["subject"].get("peer") == "198.51.100.7" and f["subject"].get("dir") == "in"
      and f["subject"].get("rule", {}).get("handle") == handle
      and f["subject"].get("rule", {}).get("chain") == "input"]
outbound = [f for f in hits if f["subject"].get("dir") == "out"]
sys.exit(0 if ok and not outbound else 1)
PY
}
tmp=$(mktemp)
if check present; then
	echo "PASS: fw.esp_blocked names peer $PEER, direction in, rule inet filter input handle $HANDLE"
else
	echo "FAIL: fw.esp_blocked with peer, direction and handle $HANDLE not found"; cat "$tmp"; fail=1
fi
ip netns exec $NS nft delete rule inet filter input handle "$HANDLE"
if check absent; then
	echo "PASS: with the rule removed, no fw.esp_blocked"
else
	echo "FAIL: fw.esp_blocked still reported without the rule"; cat "$tmp"; fail=1
fi

# No rule set at all accepts everything: an in policy without an out policy means the
# replies to the protected subnet leave in clear, and `check` must say so.
NS2=xdfwclr$$
trap 'ip netns del $NS 2>/dev/null; ip netns del $NS2 2>/dev/null' EXIT
ip netns add $NS2
ip -n $NS2 link add gw0 type veth peer name gw1
ip -n $NS2 addr add $GW/24 dev gw0
ip -n $NS2 addr add 10.1.0.1/16 dev gw0
ip -n $NS2 link set gw0 up
ip -n $NS2 link set gw1 up
ip -n $NS2 xfrm policy add src 10.2.0.0/16 dst 10.1.0.0/16 dir in \
    tmpl src $PEER dst $GW proto esp reqid 1 mode tunnel
if [ -n "$(ip netns exec $NS2 nft list ruleset 2>/dev/null)" ]; then
	echo "FAIL: a new namespace has nft rules"; fail=1
fi
"$XFRMCTL" -n $NS2 -j check >"$tmp" 2>/dev/null
if python3 - "$tmp" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
hits = [f for f in doc["findings"] if f["id"] == "fw.cleartext_allowed"]
sys.exit(0 if hits else 1)
PY
then
	echo "PASS: no rule set and no out policy: fw.cleartext_allowed"
else
	echo "FAIL: no fw.cleartext_allowed without any rule set"; cat "$tmp"; fail=1
fi
rm -f "$tmp"
exit $fail
