#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bed: uml
# timeout: 120
# Fault: the fwd policy is deleted on the east gateway. Decrypted packets for esub then have
# no fwd policy matching their secpath and are dropped (XfrmInNoPols / XfrmFwdHdrError rise... the
# kernel counts them as XfrmInNoPols with a default-block-less fwd? it counts XfrmFwdHdrError or
# XfrmInTmplMismatch depending on version). Symptom checked: ping fails, east's inbound ESP
# counter grows (it decrypts) while its outbound stays flat (esub never answers).
#
#   wsub 10.1.0.10 --- west 10.1.0.1 | 192.0.2.1 ===ESP=== 192.0.2.2 | 10.2.0.1 east --- esub 10.2.0.10
#                      charon (PSK tunnel)                          charon
#   X: east: ip xfrm policy deleteall dir fwd
. "$XD_SRC/tests/kernel/lib/common.sh"
. "$XD_LIB/topo.sh"
. "$XD_LIB/swan.sh"
. "$XD_LIB/faults.sh"
[ -x "$CHARON" ] || skip "$CHARON missing"
healthy_gw2gw_swan || finish
xctl_light east healthy
nsx east cat /proc/net/xfrm_stat >"$XD_OUT/xfrm_stat-east-before.txt"
# the healthy counterpart: the finding is absent before the fault
expect_finding east '^(policy\.missing_fwd|xfrmstat\.in_no_pols)' absent
check inject-del-fwd-policy del_fwd_policy east
check_not symptom-ping-fails ping_from wsub $WHOST $EHOST
d=$(esp_delta east $WEST $EAST ping_from wsub $WHOST $EHOST)
[ "$d" -gt 0 ] && pass symptom-east-esp-in-grows "$d" || fail symptom-east-esp-in-grows "$d"
d=$(esp_delta east $EAST $WEST ping_from wsub $WHOST $EHOST)
[ "$d" = 0 ] && pass symptom-east-esp-out-flat || fail symptom-east-esp-out-flat "$d"
nsx east cat /proc/net/xfrm_stat >"$XD_OUT/xfrm_stat-east-after.txt"
check symptom-an-xfrm-error-rises sh -c "! diff -q '$XD_OUT/xfrm_stat-east-before.txt' '$XD_OUT/xfrm_stat-east-after.txt'"
xctl_light east fault
expect_finding east '^(policy\.missing_fwd|xfrmstat\.in_no_pols)'
finish
