#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# stack-libreswan.sh: libreswan's pluto is named with its version, live and from a
# snapshot, its policies carry the libreswan fingerprint; killing it yields
# stack.none_running. libreswan conflicts with strongSwan's Debian packages, so it is used
# unpacked: LIBRESWAN_ROOT=DIR, else a cache (see find_libreswan in stack-lib.sh).
#
#   ns_a: pluto (auto=route 10.1.0.0/16 <-> 10.2.0.0/16) 10.99.0.1 --veth-- 10.99.0.2 ns_b
set -u
source "$(dirname "$0")/stack-lib.sh"
stack_require_root
find_libreswan || skip "libreswan neither unpacked (LIBRESWAN_ROOT) nor downloadable (apt-get download libreswan)"
command -v certutil >/dev/null || skip "certutil (libnss3-tools) missing"
trap stack_cleanup EXIT
stack_netns
start_pluto "$NS_A" lw || { echo "FAIL: pluto did not start"; exit 1; }

# the version in the unpacked package's name is the truth to compare with
deb=$(ls "$LIBRESWAN_ROOT"/../libreswan_*.deb 2>/dev/null | head -1)
want=$(basename "${deb:-x_?}" | cut -d_ -f2 | sed 's/-.*//')

j=$(stack_json "$NS_A")
got=$(jq -r '.stack.daemons[] | select(.stack=="libreswan") | .version' <<<"$j")
[ -n "$got" ] && { [ "$want" = "?" ] || [ "$got" = "$want" ]; } &&
    pass "live: libreswan named, version $got (package: $want)" ||
    fail "live: libreswan version '$got', package '$want'; daemons $(jq -c .stack.daemons <<<"$j")"
[ "$(jq -r '.stack.daemons[0].xfrm_groups' <<<"$j")" = 3 ] &&
    pass "live: pluto's XFRM groups 0x3" || fail "live: groups $(jq .stack.daemons[0].xfrm_groups <<<"$j")"
[ "$(jq -r '.stack.policies_by_stack.libreswan // 0' <<<"$j")" -ge 1 ] &&
    pass "live: policies carry the libreswan fingerprint" ||
    fail "live: policies_by_stack $(jq -c .stack.policies_by_stack <<<"$j")"
[ "$(jq -r '.stack.policies_by_stack.strongswan // 0' <<<"$j")" = 0 ] &&
    pass "live: nothing attributed to strongSwan" || fail "live: strongSwan attribution"

ip -n "$NS_A" xfrm policy add src 10.5.0.0/24 dst 10.6.0.0/24 dir out \
    tmpl src 10.99.0.1 dst 10.99.0.3 proto esp reqid 16389 mode tunnel
j=$(stack_json "$NS_A")
[ "$(jq -r '.stack.policy_fingerprints[] | select(.priority==0 and .dir==1) | .stack' <<<"$j")" = manual ] &&
    pass "hand-made policy with a libreswan-like reqid is 'manual'" ||
    fail "hand-made policy: $(jq -c '.stack.policy_fingerprints' <<<"$j")"

ids=$(check_ids "$NS_A")
has_id "$ids" stack.none_running && fail "stack.none_running while pluto runs" ||
    pass "no stack.none_running while pluto runs"

"$XFRMCTL" --netns "$NS_A" capture -w "$WORK/lw.pcapng" >/dev/null
j=$(snap_json "$WORK/lw.pcapng")
[ "$(jq -r '.stack.daemons[0].stack + " " + .stack.daemons[0].version' <<<"$j")" = "libreswan $got" ] &&
    pass "snapshot: libreswan $got named" || fail "snapshot: $(jq -c .stack.daemons <<<"$j")"

kill -9 "$PLUTO_PID"
wait_for 5 sh -c "! kill -0 $PLUTO_PID 2>/dev/null"
ids=$(check_ids "$NS_A")
has_id "$ids" stack.none_running && pass "pluto killed: stack.none_running" ||
    fail "pluto killed: findings are '$ids'"
finish
