#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# policy.spd_inexact on this machine's kernel: 1,200 out policies for /24 subnets with no
# templates (allow, so no other finding is about them) under the kernel's default hash
# thresholds are inexact -> the finding (info); after `ip xfrm policy set hthresh4 24 24`
# they are hashed -> gone. A small SPD (100 policies) never raises it. The same from a
# snapshot taken at the faulty moment.
#
#   [ns xd-spd-$$]  100 -> 1,200 subnet policies, thresholds default -> 24 24
set -euo pipefail
XFRMCTL=${XFRMCTL:?}
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root for network namespaces"; exit 77; }
ns=xd-spd-$$
tmp=$(mktemp -d)
trap 'ip netns del $ns 2>/dev/null || true; rm -rf "$tmp"' EXIT
ip netns add $ns || { echo "SKIP: cannot create a network namespace"; exit 77; }
fails=0
pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

batch() { # first count
    python3 - "$1" "$2" <<'PY'
import sys
first, count = int(sys.argv[1]), int(sys.argv[2])
for i in range(first, first + count):
    print(f"xfrm policy add src 10.{i // 256}.{i % 256}.0/24 dst 172.16.{i % 256}.0/24 dir out priority {1000 + i}")
PY
}
# check exits 1 when it finds problems: only the document matters here
doc() { "$XFRMCTL" --netns $ns --no-daemon --json check || [ $? = 1 ]; }
ids() { doc | jq -r '.findings[] | .id + " " + .severity'; }

batch 0 100 > "$tmp/b1"; ip -n $ns -batch "$tmp/b1"
out=$(ids)
grep -q '^policy.spd_inexact' <<<"$out" && fail "100 policies: policy.spd_inexact raised" || pass "100 policies: no policy.spd_inexact"

batch 100 1100 > "$tmp/b2"; ip -n $ns -batch "$tmp/b2"
out=$(ids)
if grep -qx 'policy.spd_inexact info' <<<"$out"; then
    pass "1,200 inexact policies: policy.spd_inexact (info)"
else
    fail "1,200 inexact policies: no policy.spd_inexact info in: $out"
fi
ev=$(doc | jq -c '.findings[] | select(.id == "policy.spd_inexact") | .evidence')
grep -q '"inexact_policies"' <<<"$ev" && grep -q 'hthresh4 24 24' <<<"$ev" &&
    pass "evidence counts them and suggests hthresh4 24 24" || fail "evidence: $ev"
"$XFRMCTL" --netns $ns capture -w "$tmp/snap.pcapng"
{ "$XFRMCTL" -r "$tmp/snap.pcapng" --json check || [ $? = 1 ]; } | jq -r '.findings[].id' | grep -qx policy.spd_inexact &&
    pass "the same from a snapshot" || fail "not from the snapshot"

ip -n $ns xfrm policy set hthresh4 24 24
out=$(ids)
grep -q '^policy.spd_inexact' <<<"$out" && fail "hthresh4 24 24: policy.spd_inexact still raised" ||
    pass "hthresh4 24 24: the policies are hashed, no policy.spd_inexact"

echo "$fails failed"
[ $fails = 0 ]
