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

# the plugin convention on every replay snapshot: a status line with perfdata (value;warn;crit;min),
# then one line per finding at warning or above (the long output), the exit code = the state
for s in "$root"/tests/replay/snapshots/*.pcapng; do
    out=$("$xfrmctl" -r "$s" check --nagios); rc=$?
    lines=$(printf '%s\n' "$out" | wc -l)
    word=$(head -1 <<<"$out" | sed -nE 's/^IPSEC (OK|WARNING|CRITICAL|UNKNOWN) - .*/\1/p')
    want=$(case $word in OK) echo 0;; WARNING) echo 1;; CRITICAL) echo 2;; UNKNOWN) echo 3;; *) echo x;; esac)
    n_we=$("$xfrmctl" -r "$s" --json check | jq '[.findings[] | select(.severity != "info")] | length')
    if [ "$lines" = $((1 + n_we)) ] && [ "$rc" = "$want" ] &&
        head -1 <<<"$out" | grep -qE '\| errors=[0-9]+;;0;0 warnings=[0-9]+;0;;0 info=[0-9]+;;;0'; then
        pass "nagios $(basename "$s"): $word, exit $rc, perfdata, $n_we long-output lines"
    else
        fail "nagios $(basename "$s"): rc=$rc lines=$lines (want $((1 + n_we))): $out"
    fi
done
# a usage error is UNKNOWN with a status line, not exit 2 (CRITICAL)
out=$("$xfrmctl" check --nagios --no-such-option 2>/dev/null); rc=$?
[ "$rc" = 3 ] && grep -q '^IPSEC UNKNOWN' <<<"$out" && pass "nagios: usage error is UNKNOWN, exit 3" || fail "nagios usage error: rc=$rc '$out'"
# acknowledging: --ignore ID[:PEER] and --ignore-file leave a finding out of state and exit code
snap=$root/tests/replay/snapshots/handmade-gateway.pcapng
ids=$("$xfrmctl" -r "$snap" --json check | jq -r '[.findings[] | select(.severity == "error") | .id] | unique | .[]')
ign=(); for i in $ids; do ign+=(--ignore "$i"); done
out=$("$xfrmctl" -r "$snap" check --nagios "${ign[@]}"); rc=$?
[ -n "$ids" ] && [ "$rc" != 2 ] && grep -q 'acknowledged' <<<"$out" && pass "nagios: --ignore acknowledges every error ($(echo $ids))" || fail "nagios --ignore: rc=$rc '$out'"
ackf=$(mktemp); printf '# accepted\n%s\n' $ids >"$ackf"
"$xfrmctl" -r "$snap" check --ignore-file "$ackf" >/dev/null; rc=$?
[ "$rc" = 0 ] && pass "check --ignore-file: exit 0 once every error is acknowledged" || fail "check --ignore-file: rc=$rc"
rm -f "$ackf"
peer=$("$xfrmctl" -r "$snap" --json peers | jq -r '.peers[0].peer')
one=$("$xfrmctl" -r "$snap" --json check --peer "$peer" | jq '[.findings[] | select(.subject.peer != "'"$peer"'")] | length')
all=$("$xfrmctl" -r "$snap" --json check --peer "$peer" | jq '.findings | length')
[ -n "$peer" ] && [ "$one" = 0 ] && [ "$all" -gt 0 ] && pass "check --peer $peer: only that peer's $all findings" || fail "check --peer: $one others, $all total"
fw=$("$xfrmctl" -r "$snap" --json check --id 'policy.*' | jq '[.findings[] | select(.id | startswith("policy.") | not)] | length')
[ "$fw" = 0 ] && pass "check --id 'policy.*': only policy findings" || fail "check --id: $fw others"
rows=$("$xfrmctl" -r "$snap" --json peers "$peer" | jq '[.peers[] | select(.peer != "'"$peer"'")] | length')
n=$("$xfrmctl" -r "$snap" --json peers "$peer" | jq '.peers | length')
[ "$rows" = 0 ] && [ "$n" = 1 ] && pass "peers $peer: that peer's row only" || fail "peers $peer: $n rows, $rows others"
"$xfrmctl" -r "$snap" check --peer not-an-address >/dev/null 2>&1; rc=$?
[ "$rc" = 2 ] && pass "check --peer with a bad address: usage error" || fail "check --peer bad: rc=$rc"
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
