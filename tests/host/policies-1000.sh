#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# This machine's kernel (policies work here, ESP SAs may not): a fresh network namespace with
# 1,000 policies added by `ip -batch`; `xfrmctl --netns NS --json show policy` must list all
# of them with the selectors, directions, priorities and templates `ip xfrm policy` shows.
#
#   [ns xd-pol-$$]  1000 policies (in/out/fwd), no SAs, no traffic
set -euo pipefail
XFRMCTL=${XFRMCTL:?}
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root for network namespaces"; exit 77; }
ns=xd-pol-$$
tmp=$(mktemp -d)
trap 'ip netns del $ns 2>/dev/null || true; rm -rf "$tmp"' EXIT
ip netns add $ns || { echo "SKIP: cannot create a network namespace"; exit 77; }

python3 - > "$tmp/batch" <<'PY'
dirs = ["in", "out", "fwd"]
for i in range(1000):
    d = dirs[i % 3]
    proto = ["", " proto tcp dport 8443", " proto udp sport 500"][i % 3]
    print(f"xfrm policy add src 10.{i // 250}.{i % 250}.0/24 dst 172.16.{i % 250}.{i // 250}/32"
          f"{proto} dir {d} priority {1000 + i} "
          f"tmpl src 192.0.2.{1 + i % 200} dst 198.51.100.{1 + i % 200} proto esp reqid {i} mode tunnel")
PY
ip -n $ns -batch "$tmp/batch"

"$XFRMCTL" --netns $ns --json show policy > "$tmp/out.json"
python3 - "$tmp/out.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
assert list(doc)[0] == "meta", "meta must come first"
assert doc["meta"]["dumps"]["xfrm.policy"]["status"] == "complete", doc["meta"]["dumps"]
pols = doc["policies"]
assert len(pols) == 1000, len(pols)
dirs = ["in", "out", "fwd"]
seen = {}
for p in pols:
    seen[p["priority"]] = p
for i in range(1000):
    p = seen[1000 + i]
    assert p["dir"] == dirs[i % 3], (i, p["dir"])
    assert p["selector"]["src"] == f"10.{i // 250}.{i % 250}.0/24", p["selector"]
    assert p["selector"]["dst"] == f"172.16.{i % 250}.{i // 250}/32", p["selector"]
    if i % 3 == 1:
        assert p["selector"]["proto"] == "tcp" and p["selector"]["dport"] == 8443, p["selector"]
    if i % 3 == 2:
        assert p["selector"]["proto"] == "udp" and p["selector"]["sport"] == 500, p["selector"]
    t = p["templates"]
    assert len(t) == 1 and t[0]["reqid"] == i and t[0]["mode"] == "tunnel" and t[0]["proto"] == "esp", t
    assert t[0]["src"] == f"192.0.2.{1 + i % 200}" and t[0]["dst"] == f"198.51.100.{1 + i % 200}", t
# the policies are sorted: dir, then priority
keys = [(dirs.index(p["dir"]), p["priority"]) for p in pols]
assert keys == sorted(keys)
print("PASS: 1000 policies listed with selectors, directions, priorities and templates")
PY

# the same through a snapshot: identical apart from meta.source
"$XFRMCTL" --netns $ns capture -w "$tmp/snap.pcapng"
[ "$(stat -c %a "$tmp/snap.pcapng")" = 600 ] || { echo "FAIL: snapshot mode is not 0600"; exit 1; }
"$XFRMCTL" -r "$tmp/snap.pcapng" --json show policy > "$tmp/replay.json"
"$XFRMCTL" --netns $ns --json show policy > "$tmp/live2.json"
python3 - "$tmp/live2.json" "$tmp/replay.json" <<'PY'
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
assert a["meta"].pop("source") == "live" and b["meta"].pop("source") == "snapshot"
# captured_at differs between the two live runs; compare everything else
for d in (a, b):
    d["meta"].pop("captured_at")
assert a["meta"] == b["meta"] or a["meta"]["dumps"] == b["meta"]["dumps"], (a["meta"], b["meta"])
assert a["policies"] == b["policies"]
print("PASS: replayed snapshot lists the same policies")
PY
echo "PASS: policies-1000"
