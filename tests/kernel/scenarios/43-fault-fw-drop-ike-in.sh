#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bed: uml qemu
# timeout: 120
# Fault: the firewall on east drops IKE (UDP 500) inbound. Symptom checked: west cannot bring the
# tunnel up (no SA on either side), the subnets stay unprotected/unreachable through the tunnel.
#
#   wsub --- west 192.0.2.1 ==IKE 500=X==> 192.0.2.2 east --- esub     X: INPUT drops udp/500
. "$XD_SRC/tests/kernel/lib/common.sh"
. "$XD_LIB/topo.sh"
. "$XD_LIB/swan.sh"
. "$XD_LIB/faults.sh"
[ -x "$CHARON" ] || skip "$CHARON missing"
topo_gw2gw
psk=$(canary psk-ike-drop 24)
swan_conf west; swan_conf east
# trap policies on both sides (start_action=trap): the kernel knows the peers before any SA
swan_conn west gw local=$WEST remote=$EAST lts=$WSUB rts=$ESUB psk=$psk start=trap
swan_conn east gw local=$EAST remote=$WEST lts=$ESUB rts=$WSUB psk=$psk start=trap
check charon-start swan_start_both
check inject-fw-drop-ike-in fw_drop east ike in
check_not symptom-initiate-fails swan_initiate west gw
check_not symptom-ping-fails ping_from wsub $WHOST $EHOST
check_not symptom-no-keyed-sa-west sh -c "ip -n west xfrm state | grep -qE '^\s(aead|enc)'"
check_not symptom-no-sa-east sh -c "ip -n east xfrm state | grep -q '^src'"
check symptom-east-never-saw-ike sh -c "! grep -q 'received packet' '$XD_OUT/ike/charon-east.log'"
xctl_light west fault
xctl_light east fault
expect_finding east '^fw\.ike_blocked'
finish
