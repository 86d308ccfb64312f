#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bed: uml qemu
# timeout: 120
# Fault: west masquerades everything leaving w0, including subnet traffic that should be
# tunnelled: after SNAT the packet (192.0.2.1 -> 10.2.0.10) no longer matches the policy and
# leaves in clear text. Symptom checked: ping still works (!) but west's outbound ESP counter
# stays flat: the traffic silently bypasses the VPN.
#
#   wsub 10.1.0.10 --- west 10.1.0.1 | 192.0.2.1 ===ESP=== 192.0.2.2 | 10.2.0.1 east --- esub 10.2.0.10
#                      charon (PSK tunnel)                          charon
#   X: west: MASQUERADE -o w0
. "$XD_SRC/tests/kernel/lib/common.sh"
. "$XD_LIB/topo.sh"
. "$XD_LIB/swan.sh"
. "$XD_LIB/faults.sh"
[ -x "$CHARON" ] || skip "$CHARON missing"
healthy_gw2gw_swan || finish
# the healthy counterpart: the finding is absent before the fault
expect_finding west '^fw\.(nat_before_policy|cleartext_allowed)' absent
check inject-masquerade fw_masquerade west w0
check symptom-ping-still-works ping_from wsub $WHOST $EHOST
d=$(esp_delta west $WEST $EAST ping_from wsub $WHOST $EHOST)
[ "$d" = 0 ] && pass symptom-west-esp-out-flat || fail symptom-west-esp-out-flat "$d packets"
xctl_light west fault
expect_finding west '^fw\.(nat_before_policy|cleartext_allowed)'
finish
