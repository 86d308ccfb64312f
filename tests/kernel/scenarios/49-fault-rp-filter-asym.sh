#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bed: uml
# timeout: 120
# Fault: east has strict rp_filter on its outside interface and (asymmetric routing) its route
# back to west's outer address leaves through another interface, so the ESP packets from
# 192.0.2.1 arriving on e0 fail the reverse-path check before they are decrypted. (Decrypted
# packets themselves are exempt: fib_validate_source() ignores rp_filter for skbs with a secpath.)
# Symptom checked: ping fails, east's inbound ESP counter stays flat, IPReversePathFilter rises.
#
#   wsub 10.1.0.10 --- west 10.1.0.1 | 192.0.2.1 ===ESP=X= 192.0.2.2 | 10.2.0.1 east --- esub 10.2.0.10
#   X: east: rp_filter=1 on e0; route to 192.0.2.1/32 via dummy xdasym
. "$XD_SRC/tests/kernel/lib/common.sh"
. "$XD_LIB/topo.sh"
. "$XD_LIB/swan.sh"
. "$XD_LIB/faults.sh"
[ -x "$CHARON" ] || skip "$CHARON missing"
healthy_gw2gw_swan || finish
rpf() { nsx east awk '/^TcpExt:/ { if (!h) { for (i = 1; i <= NF; i++) if ($i == "IPReversePathFilter") c = i; h = 1 } else print $c }' /proc/net/netstat; }
before=$(rpf)
# the healthy counterpart: the finding is absent before the fault
expect_finding east '^sysctl\.rp_filter' absent
check inject-rp-filter-asym rp_filter_asym east e0 $WEST/32
check_not symptom-ping-fails ping_from wsub $WHOST $EHOST
d=$(esp_delta east $WEST $EAST ping_from wsub $WHOST $EHOST)
[ "$d" = 0 ] && pass symptom-east-esp-in-flat || fail symptom-east-esp-in-flat "$d"
after=$(rpf)
[ "$after" -gt "$before" ] && pass symptom-IPReversePathFilter-rises "$before -> $after" ||
    fail symptom-IPReversePathFilter-rises "$before -> $after"
xctl_light east fault
expect_finding east '^sysctl\.rp_filter'
finish
