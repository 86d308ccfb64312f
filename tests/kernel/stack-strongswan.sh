#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# stack-strongswan.sh: strongSwan is named with its version, live and from a snapshot; a
# policy added by hand is not attributed to it; killing charon yields stack.none_running.
#
#   ns_a: charon (trap 10.1.0.0/16 <-> 10.2.0.0/16) 10.99.0.1 --veth-- 10.99.0.2 ns_b
set -u
source "$(dirname "$0")/stack-lib.sh"
stack_require_root
[ -x /usr/lib/ipsec/charon ] || skip "strongSwan charon not installed"
trap stack_cleanup EXIT
stack_netns
start_charon "$NS_A" sw || { echo "FAIL: charon did not start"; exit 1; }

# the version as the package manager knows it, upstream part only ("5.9.8-5+deb12u6" -> 5.9.8)
want=$(dpkg-query -W -f='${Version}' strongswan-charon 2>/dev/null | sed 's/-.*//; s/^[0-9]*://')

j=$(stack_json "$NS_A")
got=$(jq -r '.stack.daemons[] | select(.stack=="strongswan") | .version' <<<"$j")
[ -n "$got" ] && { [ -z "$want" ] || [ "$got" = "$want" ]; } &&
    pass "live: strongSwan named, version $got (package: ${want:-?})" ||
    fail "live: strongSwan version '$got', package '$want'"
[ "$(jq -r '.stack.daemons | length' <<<"$j")" = 1 ] && pass "live: exactly one daemon" ||
    fail "live: daemons: $(jq -c .stack.daemons <<<"$j")"
[ "$(jq -r '.stack.daemons[0].xfrm_groups' <<<"$j")" = 195 ] &&
    pass "live: charon's XFRM groups 0xc3" || fail "live: groups $(jq .stack.daemons[0].xfrm_groups <<<"$j")"
[ "$(jq -r '.stack.policies_by_stack.strongswan // 0' <<<"$j")" -ge 3 ] &&
    pass "live: trap policies carry the strongSwan fingerprint" ||
    fail "live: policies_by_stack $(jq -c .stack.policies_by_stack <<<"$j")"

# a policy typed by hand: priority 0, reqid as typed
ip -n "$NS_A" xfrm policy add src 10.5.0.0/24 dst 10.6.0.0/24 dir out \
    tmpl src 10.99.0.1 dst 10.99.0.3 proto esp reqid 7 mode tunnel
j=$(stack_json "$NS_A")
[ "$(jq -r '.stack.policy_fingerprints[] | select(.priority==0 and .dir==1) | .stack' <<<"$j")" = manual ] &&
    pass "hand-made policy is 'manual', not strongSwan" ||
    fail "hand-made policy: $(jq -c '.stack.policy_fingerprints' <<<"$j")"

ids=$(check_ids "$NS_A")
has_id "$ids" stack.none_running && fail "stack.none_running while charon runs" ||
    pass "no stack.none_running while charon runs"
has_id "$ids" stack.multiple && fail "stack.multiple with one daemon" || pass "no stack.multiple"
has_id "$ids" stack.foreign_policies && fail "stack.foreign_policies for own policies" ||
    pass "no stack.foreign_policies"

"$XFRMCTL" --netns "$NS_A" capture -w "$WORK/sw.pcapng" >/dev/null
j=$(snap_json "$WORK/sw.pcapng")
[ "$(jq -r '.stack.daemons[0].stack + " " + .stack.daemons[0].version' <<<"$j")" = "strongswan $got" ] &&
    pass "snapshot: strongSwan $got named" || fail "snapshot: $(jq -c .stack.daemons <<<"$j")"
[ "$(jq -r '.meta.source' <<<"$j")" = snapshot ] || fail "snapshot: meta.source"

# SIGKILL leaves the policies behind (SIGTERM would remove them)
kill -9 "$CHARON_PID"
wait_for 5 sh -c "! kill -0 $CHARON_PID 2>/dev/null"
ids=$(check_ids "$NS_A")
has_id "$ids" stack.none_running && pass "charon killed: stack.none_running" ||
    fail "charon killed: findings are '$ids'"
finish
