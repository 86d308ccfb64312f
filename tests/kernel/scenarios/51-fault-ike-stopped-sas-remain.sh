#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bed: uml
# timeout: 120
# Fault: charon on west dies (SIGKILL) while its SAs and policies stay in the kernel.
# Symptom checked: nothing listens on UDP 500/4500 in west, the SAs are still there and still
# pass traffic (until they expire - nobody will rekey them), and east's DPD/rekey cannot reach
# an IKE peer.
#
#   wsub 10.1.0.10 --- west 10.1.0.1 | 192.0.2.1 ===ESP=== 192.0.2.2 | 10.2.0.1 east --- esub 10.2.0.10
#                      charon (PSK tunnel)                          charon
#   X: west: kill -9 charon
. "$XD_SRC/tests/kernel/lib/common.sh"
. "$XD_LIB/topo.sh"
. "$XD_LIB/swan.sh"
. "$XD_LIB/faults.sh"
[ -x "$CHARON" ] || skip "$CHARON missing"
healthy_gw2gw_swan || finish
# the healthy counterpart: the finding is absent before the fault
expect_finding west '^stack\.none_running' absent
check inject-kill-charon swan_kill west
check_not symptom-nothing-on-udp-500 sh -c "ip netns exec west ss -Hulnp | grep -q ':500 '"
check symptom-sas-remain sh -c "ip -n west xfrm state | grep -q 'proto esp'"
check symptom-policies-remain sh -c "ip -n west xfrm policy | grep -q 'dir out'"
check symptom-traffic-still-flows ping_from wsub $WHOST $EHOST
check_not symptom-east-cannot-establish-a-new-ike-sa swan_initiate east gw
xctl_light west fault
expect_finding west '^stack\.none_running'
finish
