#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bed: uml
# timeout: 120
# Fault: the inbound SA (west->east) is deleted on east only; west keeps sending on its
# outbound SA. Symptom checked: ping fails, west's outbound ESP grows, east has no SA to count
# on and XfrmInNoStates rises.
#
#   wsub 10.1.0.10 --- west 10.1.0.1 | 192.0.2.1 ===ESP=== 192.0.2.2 | 10.2.0.1 east --- esub 10.2.0.10
#                      charon (PSK tunnel)                          charon
#   X: east: ip xfrm state deleteall dst 192.0.2.2
. "$XD_SRC/tests/kernel/lib/common.sh"
. "$XD_LIB/topo.sh"
. "$XD_LIB/swan.sh"
. "$XD_LIB/faults.sh"
[ -x "$CHARON" ] || skip "$CHARON missing"
healthy_gw2gw_swan || finish
xctl_light east healthy
# the healthy counterpart: the finding is absent before the fault
expect_finding east '^(sa\.one_way|xfrmstat\.in_no_states)' absent
check inject-del-inbound-sa del_inbound_sa east $EAST
before=$(awk '/XfrmInNoStates/ {print $2}' <(nsx east cat /proc/net/xfrm_stat))
check_not symptom-ping-fails ping_from wsub $WHOST $EHOST
d=$(esp_delta west $WEST $EAST ping_from wsub $WHOST $EHOST)
[ "$d" -gt 0 ] && pass symptom-west-esp-out-grows "$d" || fail symptom-west-esp-out-grows "$d"
check symptom-east-no-inbound-sa sh -c "[ -z \"\$(ip -n east xfrm state list dst $EAST)\" ]"
after=$(awk '/XfrmInNoStates/ {print $2}' <(nsx east cat /proc/net/xfrm_stat))
[ "$after" -gt "$before" ] && pass symptom-XfrmInNoStates-rises "$before -> $after" ||
    fail symptom-XfrmInNoStates-rises "$before -> $after"
xctl_light east fault
xctl_light west fault
expect_finding east '^(sa\.one_way|xfrmstat\.in_no_states)'
finish
