#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# check-prometheus.sh SRCROOT: docs/monitoring/xfrmd.rules.yml passes `promtool check rules`
# and its unit tests (`promtool test rules`: every alert fires on its symptom and not on the
# healthy counterpart); every query of the Grafana dashboard parses as PromQL and names only
# documented metrics. Skips (77) when promtool is not installed (Debian: package prometheus).
set -uo pipefail
root=$1
mon=$root/docs/monitoring
command -v promtool >/dev/null || { echo "SKIP: promtool not installed (apt-get install prometheus)"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fails=0
pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

if out=$(promtool check rules "$mon/xfrmd.rules.yml" 2>&1); then pass "promtool check rules: $(grep -o '[0-9]* rules found' <<<"$out")"; else fail "promtool check rules: $out"; fi
if out=$(cd "$mon" && promtool test rules xfrmd.rules.test.yml 2>&1); then pass "promtool test rules"; else fail "promtool test rules: $out"; fi

# dashboard queries as recording rules: promtool parses each expression
python3 - "$mon/grafana-xfrmd-fleet.json" "$tmp/dash.rules.yml" "$mon/../monitoring.md" <<'PY' || fails=$((fails + 1))
import json, re, sys
dash = json.load(open(sys.argv[1]))
doc = open(sys.argv[3]).read()
exprs = [t["expr"] for p in dash["panels"] for t in p.get("targets", [])]
known = set(re.findall(r"`(xfrmd_[a-z_]+)", doc)) | {"up"}
bad = 0
for e in exprs:
    for m in re.findall(r"\b(xfrmd_[a-z_]+)", e):
        if m not in known:
            print(f"FAIL: dashboard uses {m}, not documented in docs/monitoring.md"); bad += 1
with open(sys.argv[2], "w") as f:
    f.write("groups:\n  - name: dashboard\n    rules:\n")
    for i, e in enumerate(exprs):
        e = e.replace("$instance", ".*")
        f.write(f"      - record: dashboard:q{i}\n        expr: {json.dumps(e)}\n")
print(f"PASS: {len(exprs)} dashboard queries extracted, metric names documented" if not bad else "")
sys.exit(1 if bad else 0)
PY
if out=$(promtool check rules "$tmp/dash.rules.yml" 2>&1); then pass "dashboard queries parse as PromQL"; else fail "dashboard PromQL: $out"; fi
echo "$fails failed"
[ "$fails" = 0 ]
