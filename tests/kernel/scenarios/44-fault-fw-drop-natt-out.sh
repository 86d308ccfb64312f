#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bed: uml qemu
# timeout: 120
# Fault: behind a NAT, the initiator's firewall drops NAT-T (UDP 4500) outbound. IKE_SA_INIT on
# port 500 works, NAT is detected, IKE_AUTH moves to 4500 and is dropped. Symptom checked: the
# tunnel does not come up, east received IKE on 500 only.
#
#   west 10.0.0.2 --- nat 10.0.0.1 | 198.51.100.1 (MASQUERADE) --- 198.51.100.2 east
#   X: west OUTPUT drops udp/4500
. "$XD_SRC/tests/kernel/lib/common.sh"
. "$XD_LIB/topo.sh"
. "$XD_LIB/swan.sh"
. "$XD_LIB/faults.sh"
[ -x "$CHARON" ] || skip "$CHARON missing"
topo_nat
ip -n east route add 10.0.0.0/24 via $NATPUB
psk=$(canary psk-natt-drop 24)
swan_conf west; swan_conf east
# trap policies on west (it knows east): the kernel knows the peer before any SA
swan_conn west nat local=$WEST remote=$EAST lid=west@xd.test rid=east@xd.test psk=$psk start=trap
swan_conn east nat local=$EAST remote=%any lid=east@xd.test rid=west@xd.test lts=$EAST rts=$WEST psk=$psk
check charon-start swan_start_both
check inject-fw-drop-natt-out fw_drop west natt out
check_not symptom-initiate-fails swan_initiate west nat
check symptom-ike-sa-init-seen-on-500 grep -q 'received packet: from 198.51.100.1\[500\]' "$XD_OUT/ike/charon-east.log"
check_not symptom-nothing-on-4500 grep -q 'received packet: from 198.51.100.1\[4500\]' "$XD_OUT/ike/charon-east.log"
check_not symptom-no-sa-east sh -c "ip -n east xfrm state | grep -q '^src'"
xctl_light west fault
xctl_light east fault
expect_finding west '^fw\.natt_blocked'
finish
