#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bed: uml
# timeout: 90
# Fault: the firewall on east drops AH (IP protocol 51) inbound. Manual AH transport SAs with
# canary keys. Symptom checked: ping fails, east's inbound AH counter stays flat.
#
#   west 192.0.2.1 (w0) ====AH transport=X= (e0) 192.0.2.2 east     X: INPUT drops AH
. "$XD_SRC/tests/kernel/lib/common.sh"
. "$XD_LIB/topo.sh"
. "$XD_LIB/sa.sh"
. "$XD_LIB/faults.sh"
topo_host2host
sa_pair_both west $WEST east $EAST 0x5001 0x5002 transport proto ah reqid 5 \
    auth-trunc 'hmac(sha256)' KEY:ah-fault:32 128 && pass install-ah-sas || fail install-ah-sas
pol_pair west $WEST east $EAST transport ah 5 && pass install-ah-policies || fail install-ah-policies
XD_PROTO=ah esp_flow_ok west $WEST east $EAST west "" $EAST baseline ah
check inject-fw-drop-ah-in fw_drop east ah in
check_not symptom-ping-fails ping_ok west $EAST
d=$(XD_PROTO=ah esp_delta east $WEST $EAST ping_ok west $EAST)
[ "$d" = 0 ] && pass symptom-east-ah-in-flat || fail symptom-east-ah-in-flat "$d packets"
d=$(XD_PROTO=ah esp_delta west $WEST $EAST ping_ok west $EAST)
[ "$d" -gt 0 ] && pass symptom-west-ah-out-grows "$d" || fail symptom-west-ah-out-grows "$d"
sa_oracle west west
xctl_light west fault
xctl_light east fault
expect_finding east '^fw\.ah_blocked'
finish
