#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# stack-multiple.sh: strongSwan and libreswan in one network namespace yield stack.multiple
# (charon on UDP 10500/14500 so both can bind), and a non-IKE program holding UDP 500
# yields stack.port_conflict.
set -u
source "$(dirname "$0")/stack-lib.sh"
stack_require_root
[ -x /usr/lib/ipsec/charon ] || skip "strongSwan charon not installed"
find_libreswan || skip "libreswan neither unpacked (LIBRESWAN_ROOT) nor downloadable (apt-get download libreswan)"
command -v python3 >/dev/null || skip "python3 missing"
trap stack_cleanup EXIT
stack_netns

start_charon "$NS_A" sw 10500 14500 || { echo "FAIL: charon did not start"; exit 1; }
start_pluto "$NS_A" lw || { echo "FAIL: pluto did not start"; exit 1; }
ids=$(check_ids "$NS_A")
has_id "$ids" stack.multiple && pass "charon + pluto: stack.multiple" ||
    fail "charon + pluto: findings '$ids'"
j=$(stack_json "$NS_A")
[ "$(jq -r '[.stack.daemons[].stack] | sort | join(",")' <<<"$j")" = libreswan,strongswan ] &&
    pass "both daemons named" || fail "daemons: $(jq -c .stack.daemons <<<"$j")"

# a plain UDP listener on 500 in a fresh namespace: not an IKE daemon
ip netns exec "$NS_B" python3 -c 'import socket,time; s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.bind(("0.0.0.0",500)); time.sleep(600)' &   # killed by stack_cleanup
PIDS+=($!)
wait_for 5 sh -c "ip netns exec $NS_B ss -Hlun 'sport = :500' | grep -q 500"
ids=$(check_ids "$NS_B")
has_id "$ids" stack.port_conflict && pass "python on UDP 500: stack.port_conflict" ||
    fail "python on UDP 500: findings '$ids'"
finish
