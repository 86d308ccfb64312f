#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bed: uml qemu
# timeout: 120
# Fault: the firewall on east drops ESP (inbound). Symptom checked: the subnets cannot reach each
# other and east's inbound ESP counter stays flat while west's outbound grows.
#
#   wsub 10.1.0.10 --- west 192.0.2.1 ===ESP=X= 192.0.2.2 east --- esub 10.2.0.10
#                      charon (PSK tunnel)                charon
#   X: INPUT on east drops ESP (iptables-legacy in UML, nftables inet in qemu)
. "$XD_SRC/tests/kernel/lib/common.sh"
. "$XD_LIB/topo.sh"
. "$XD_LIB/swan.sh"
. "$XD_LIB/faults.sh"
[ -x "$CHARON" ] || skip "$CHARON missing"
healthy_gw2gw_swan || finish
xctl_light west healthy
# the healthy counterpart: the finding is absent before the fault
expect_finding east '^fw\.esp_blocked' absent
check inject-fw-drop-esp-in fw_drop east esp in
check_not symptom-ping-fails ping_from wsub $WHOST $EHOST
d=$(esp_delta west $WEST $EAST ping_from wsub $WHOST $EHOST)
[ "$d" -gt 0 ] && pass symptom-west-esp-out-grows "$d" || fail symptom-west-esp-out-grows "$d"
d=$(esp_delta east $WEST $EAST ping_from wsub $WHOST $EHOST)
[ "$d" = 0 ] && pass symptom-east-esp-in-flat || fail symptom-east-esp-in-flat "$d packets"
xctl_light west fault
xctl_light east fault
expect_finding east '^fw\.esp_blocked'
# over time (issue 6): with traffic running, two samples 5 s apart on west show traffic
# leaving through the tunnel and nothing coming back (`check --interval 5`, as the issue asks)
# (the traffic, five requests a second whether answered or not, runs until both samples are
# taken, however long that takes on a busy host)
nsx wsub ping -q -i 0.2 -I $WHOST $EHOST >/dev/null 2>&1 &
pinger=$!
XD_CHECK_ARGS="--interval 5" expect_finding west '^traffic\.one_way$'
kill $pinger; wait $pinger 2>/dev/null
expect_finding west '^traffic\.one_way$' absent # one snapshot alone never claims it
finish
