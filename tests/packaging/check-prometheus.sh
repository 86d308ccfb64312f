#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# check-prometheus.sh SRCROOT [XFRMCTL]: docs/monitoring/xfrmd.rules.yml passes `promtool check rules`
# and its unit tests (`promtool test rules`: every alert fires on its symptom and not on the
# healthy counterpart); every query of the Grafana dashboard parses as PromQL and names only
# documented metrics; and, once xfrmctl has the `metrics` verb (daemon branch), its exposition
# for every replay snapshot passes `promtool check metrics` and carries the metric names and
# labels the rules and the dashboard query (the contract in docs/monitoring.md).
# Skips (77) when promtool is not installed (Debian: package prometheus).
set -uo pipefail
root=$1 xfrmctl=${2:-}
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
# the exporter side of the contract
if [ -n "$xfrmctl" ] && "$xfrmctl" help | grep -q '^  metrics '; then
    for snap in "$root"/tests/replay/snapshots/*.pcapng; do
        name=$(basename "$snap")
        "$xfrmctl" -r "$snap" metrics >"$tmp/metrics" 2>"$tmp/metrics.err" || { fail "$name: xfrmctl metrics: $(cat "$tmp/metrics.err")"; continue; }
        if out=$(promtool check metrics <"$tmp/metrics" 2>&1); then pass "$name: promtool check metrics"; else fail "$name: promtool check metrics: $out"; fi
        { "$xfrmctl" -r "$snap" --json check >"$tmp/check.json" 2>/dev/null || true; }
        nfind=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["findings"]))' "$tmp/check.json" 2>/dev/null || echo 0)
        python3 - "$tmp/metrics" "$name" "$nfind" <<'PY' || fails=$((fails + 1))
import re, sys
want = {  # metric: (labels the rules/dashboard use, allowed values per label)
    "xfrmd_findings": ({"id", "severity"}, {"severity": {"error", "warning", "info"}}),
    "xfrmd_peer_up": ({"peer", "local", "state"}, {"state": {"up", "degraded", "down", "unknown"}}),
    "xfrmd_tunnel_bytes_total": ({"peer", "reqid", "direction"}, {"direction": {"in", "out"}}),
    "xfrmd_tunnel_interface_up": ({"interface", "kind"}, {"kind": {"xfrm", "vti", "vti6"}}),
    "xfrmd_xfrm_stat_total": ({"counter"}, {}),
}
seen, bad = set(), 0
for line in open(sys.argv[1]):
    m = re.match(r"(\w+)\{(.*)\} ", line)
    if not m or m.group(1) not in want:
        continue
    metric = m.group(1)
    labels = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', m.group(2)))
    seen.add(metric)
    need, allowed = want[metric]
    if not need <= labels.keys():
        print(f"FAIL: {sys.argv[2]}: {metric} lacks labels {sorted(need - labels.keys())}: {line.strip()}"); bad += 1
    for k, vals in allowed.items():
        if k in labels and labels[k] not in vals:
            print(f"FAIL: {sys.argv[2]}: {metric} {k}={labels[k]!r} not one of {sorted(vals)}"); bad += 1
# a host without SAs and policies has no peer, so no xfrmd_peer_up series
has_ipsec = any(re.match(r'xfrmd_(sas|policies)\{.*\} [1-9]', l) for l in open(sys.argv[1]))
# a healthy snapshot has no finding, so no xfrmd_findings series
required = ("xfrmd_xfrm_stat_total",) + (("xfrmd_findings",) if int(sys.argv[3]) else ())
for metric in required + (("xfrmd_peer_up",) if has_ipsec else ()):
    if metric not in seen:
        print(f"FAIL: {sys.argv[2]}: no {metric} samples"); bad += 1
if not bad:
    print(f"PASS: {sys.argv[2]}: metric names and labels match the rules ({', '.join(sorted(seen))})")
sys.exit(1 if bad else 0)
PY
    done
else
    echo "NOTE: xfrmctl has no metrics verb on this branch; exporter contract not checked"
fi
echo "$fails failed"
[ "$fails" = 0 ]
