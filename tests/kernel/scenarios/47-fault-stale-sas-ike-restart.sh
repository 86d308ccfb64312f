#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bed: uml
# timeout: 150
# Fault: charon on west is killed (SIGKILL: its SAs stay in the kernel), restarted and the
# tunnel initiated again: west now holds the new SAs and the stale ones of the lost IKE_SA.
# Symptom checked: more than one outbound SA west->east with the same reqid; the new tunnel
# passes traffic; the stale SAs' counters stay flat; ike.kernel_sa_unknown names the stale SAs.
#
#   wsub 10.1.0.10 --- west 10.1.0.1 | 192.0.2.1 ===ESP=== 192.0.2.2 | 10.2.0.1 east --- esub 10.2.0.10
#                      charon (PSK tunnel)                          charon
#   X: west: kill -9 charon; start; initiate
. "$XD_SRC/tests/kernel/lib/common.sh"
. "$XD_LIB/topo.sh"
. "$XD_LIB/swan.sh"
. "$XD_LIB/faults.sh"
[ -x "$CHARON" ] || skip "$CHARON missing"
healthy_gw2gw_swan || finish
old=$(nsx west ip xfrm state list src $WEST dst $EAST | awk '/proto esp spi/ {print $4}')
check inject-kill-charon swan_kill west
check symptom-sas-survive-daemon sh -c "ip -n west xfrm state list src $WEST dst $EAST | grep -q 'proto esp'"
check restart-charon swan_start west
check reinitiate swan_initiate west gw
n=$(nsx west ip xfrm state list src $WEST dst $EAST | grep -c 'proto esp')
[ "$n" -ge 2 ] && pass symptom-duplicate-outbound-sas "$n SAs west->east" || fail symptom-duplicate-outbound-sas "$n"
harvest_keys west east
check new-tunnel-passes-traffic ping_from wsub $WHOST $EHOST
# the stale SA's counter is flat while traffic flows
a=$(nsx west ip -s xfrm state get src $WEST dst $EAST proto esp spi $old | awk '/lifetime current:/ {getline; print $2+0}')
ping_from wsub $WHOST $EHOST
b=$(nsx west ip -s xfrm state get src $WEST dst $EAST proto esp spi $old | awk '/lifetime current:/ {getline; print $2+0}')
[ -n "$a" ] && [ "$a" = "$b" ] && pass symptom-stale-sa-flat "spi $old" || fail symptom-stale-sa-flat "spi $old: $a -> $b"
sa_oracle west west
xctl_light west fault
save_snapshot west stale-sas-west
# sa.duplicate waits until the old SA has been unused for longer than a rekey takes (300 s by
# default, docs/findings/sa.duplicate.md); the scenario shortens that to one second
sleep 1
XD_CHECK_ARGS="--stale-after 1" expect_finding west '^sa\.duplicate$'
expect_finding west '^sa\.duplicate$' absent
# the restarted charon owns the new SAs only: the old ones are nobody's
expect_finding west '^ike\.kernel_sa_unknown$'
expect_replay_finding west '^ike\.kernel_sa_unknown$'
expect_finding west '^ike\.sa_not_in_kernel$' absent
finish
