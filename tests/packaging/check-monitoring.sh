#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# check-monitoring.sh SRCROOT XFRMCTL COMPLETION: the monitoring integration that needs no
# extra tools: the Grafana dashboard is valid JSON with the fleet matrix; the Nagios/NRPE/Icinga
# definitions call `xfrmctl check --nagios`, whose output follows the plugin convention (one
# line, perfdata, exit code = state) on the replay snapshots; the generated bash completion
# knows every verb of `xfrmctl help` and completes verbs, keywords, options and finding ids.
set -uo pipefail
root=$1 xfrmctl=$2 completion=$3
mon=$root/docs/monitoring
fails=0
pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# Grafana
if python3 - "$mon/grafana-xfrmd-fleet.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
types = {p["type"] for p in d["panels"]}
assert d["uid"] and d["title"], "uid/title"
assert {"table", "status-history", "timeseries"} <= types, types
assert any("xfrmd_peer_up" in t["expr"] for p in d["panels"] if p["type"] == "table" for t in p["targets"]), "matrix"
ids = [p["id"] for p in d["panels"]]
assert len(ids) == len(set(ids)), "duplicate panel ids"
PY
then pass "grafana dashboard: valid JSON, fleet matrix, status history, time series"; else fail "grafana dashboard"; fi

# Nagios / Icinga definitions name the real command
for f in nagios/xfrmd.cfg nagios/nrpe-xfrmd.cfg nagios/xfrmd.conf.icinga2; do
    if grep -q 'xfrmctl.*check.*--nagios\|"check", "--nagios"' "$mon/$f"; then pass "$f runs xfrmctl check --nagios"; else fail "$f does not run xfrmctl check --nagios"; fi
done

# the plugin convention on every replay snapshot
for s in "$root"/tests/replay/snapshots/*.pcapng; do
    out=$("$xfrmctl" -r "$s" check --nagios); rc=$?
    lines=$(printf '%s\n' "$out" | wc -l)
    word=$(sed -nE 's/^IPSEC (OK|WARNING|CRITICAL|UNKNOWN) - .*/\1/p' <<<"$out")
    want=$(case $word in OK) echo 0;; WARNING) echo 1;; CRITICAL) echo 2;; UNKNOWN) echo 3;; *) echo x;; esac)
    if [ "$lines" = 1 ] && [ "$rc" = "$want" ] && grep -qE '\| errors=[0-9]+ warnings=[0-9]+' <<<"$out"; then
        pass "nagios $(basename "$s"): $word, exit $rc, perfdata"
    else
        fail "nagios $(basename "$s"): rc=$rc lines=$lines: $out"
    fi
done
out=$("$xfrmctl" -r /nonexistent check --nagios 2>/dev/null); rc=$?
[ "$rc" = 3 ] && grep -q '^IPSEC UNKNOWN' <<<"$out" && pass "nagios: unreadable snapshot is UNKNOWN, exit 3" || fail "nagios unreadable snapshot: rc=$rc '$out'"

# bash completion
if bash -n "$completion"; then pass "completion: bash syntax"; else fail "completion: bash syntax"; fi
verbs=$("$xfrmctl" help | sed -n '/^Verbs:/,/^Options:/p' | sed -nE 's/^  ([a-z]+) .*/\1/p')
complete_words() { # words... (the last is the one being completed)
    ( PATH=$(dirname "$xfrmctl"):$PATH
      complete() { :; }; compopt() { :; }
      . "$completion"
      COMP_WORDS=(xfrmctl "$@"); COMP_CWORD=$#
      _xfrmctl; printf '%s\n' "${COMPREPLY[@]}" )
}
all=$(complete_words "")
for v in $verbs; do
    grep -qx "$v" <<<"$all" && pass "completion: verb $v" || fail "completion: verb $v not offered"
done
expect() { # expected-word, words...
    local want=$1; shift
    if complete_words "$@" | grep -qx -- "$want"; then pass "completion: '$*' offers $want"; else fail "completion: '$*' does not offer $want"; fi
}
expect show sh
expect policy show po
expect policy -j show p
expect --nagios check --na
expect --fail-on check --fa
expect error check --fail-on e
expect sa.one_way explain sa.one
expect --json --js
echo "$fails failed"
[ "$fails" = 0 ]
