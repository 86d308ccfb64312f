#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Live/replay parity of every verb, and refusal of bad snapshots: `xfrmctl -r` on a truncated,
# bit-flipped, foreign or non-snapshot file prints one clear line and exits 3. Also: no
# privileges -> one clear line and exit 3, not a half-empty report.
#
#   [ns xd-snap-$$]  v0 (192.0.2.1) <-veth-> v1; a gateway's out/in policies, no fwd
set -euo pipefail
XFRMCTL=${XFRMCTL:?}
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
ns=xd-snap-$$
tmp=$(mktemp -d)
trap 'ip netns del $ns 2>/dev/null || true; rm -rf "$tmp"' EXIT
ip netns add $ns || { echo "SKIP: cannot create a network namespace"; exit 77; }
ip -n $ns link add v0 type veth peer name v1
ip -n $ns addr add 192.0.2.1/24 dev v0
ip -n $ns link set v0 up
ip -n $ns xfrm policy add src 10.1.0.0/16 dst 10.2.0.0/16 dir out priority 383615 \
    tmpl src 192.0.2.1 dst 198.51.100.7 proto esp reqid 1 mode tunnel
ip -n $ns xfrm policy add src 10.2.0.0/16 dst 10.1.0.0/16 dir in priority 383615 \
    tmpl src 198.51.100.7 dst 192.0.2.1 proto esp reqid 1 mode tunnel

"$XFRMCTL" -n $ns capture -w "$tmp/good.pcapng"
for verb in "show sa" "show policy" "show stats" "show all" "status" "check"; do
    "$XFRMCTL" -r "$tmp/good.pcapng" --json $verb > "$tmp/r.json" || [ $? = 1 ]
    "$XFRMCTL" -r "$tmp/good.pcapng" $verb > "$tmp/r.txt" || [ $? = 1 ]
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["meta"]["source"]=="snapshot"' "$tmp/r.json"
done
echo "PASS: every verb runs on a snapshot"

# the live check on this state names the missing fwd policy; replay says the same
"$XFRMCTL" -n $ns --json check > "$tmp/live.json" || [ $? = 1 ]
"$XFRMCTL" -r "$tmp/good.pcapng" --json check > "$tmp/replay.json" || [ $? = 1 ]
python3 - "$tmp/live.json" "$tmp/replay.json" <<'PY'
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
ids = sorted(f["id"] for f in a["findings"])
assert "policy.missing_fwd" in ids, ids
assert a["findings"] == b["findings"], "live and replayed findings differ"
print("PASS: live and replayed check agree:", ids)
PY

expect_refused() { # file, what
    local out rc=0
    out=$("$XFRMCTL" -r "$1" show sa 2>&1 >/dev/null) || rc=$?
    if [ "$rc" != 3 ] || [ "$(printf '%s\n' "$out" | wc -l)" != 1 ] || [ -z "$out" ]; then
        echo "FAIL: $2: exit $rc, stderr: $out"; exit 1
    fi
    echo "PASS: $2 refused: $out"
}
size=$(stat -c %s "$tmp/good.pcapng")
head -c $((size / 2)) "$tmp/good.pcapng" > "$tmp/trunc.pcapng"
expect_refused "$tmp/trunc.pcapng" "truncated snapshot"
cp "$tmp/good.pcapng" "$tmp/flip.pcapng"
printf '\xff\xff\xff\x7f' | dd of="$tmp/flip.pcapng" bs=1 seek=4 conv=notrunc status=none
expect_refused "$tmp/flip.pcapng" "bit-flipped block length"
sed 's/machine=x86_64/machine=s390xx/' "$tmp/good.pcapng" > "$tmp/foreign.pcapng"
expect_refused "$tmp/foreign.pcapng" "foreign-machine snapshot"
echo "not a snapshot" > "$tmp/text.pcapng"
expect_refused "$tmp/text.pcapng" "text file"
expect_refused "$tmp/missing.pcapng" "missing file"

# without CAP_NET_ADMIN: one clear line, exit 3
if command -v setpriv >/dev/null; then
    rc=0
    out=$(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$XFRMCTL" status 2>&1 >/dev/null) || rc=$?
    [ "$rc" = 3 ] && echo "$out" | grep -q CAP_NET_ADMIN || { echo "FAIL: unprivileged: exit $rc: $out"; exit 1; }
    echo "PASS: unprivileged run refused: $out"
fi
echo "PASS: snapshot-errors"
