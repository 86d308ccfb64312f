#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bed: uml
# timeout: 150
# Fault: a second IKE daemon (another charon, own config, no connection for east) already owns
# UDP 500/4500 on west when west's real charon starts: the real one cannot bind ("unable to bind
# socket") and the intruder answers east's IKE. Symptom checked: UDP 500 in west belongs to the
# intruder, the real charon logged the bind failure, east cannot establish the tunnel.
#
#   wsub --- west [intruder charon owns 500/4500; real charon unbound] ==X== east --- esub
. "$XD_SRC/tests/kernel/lib/common.sh"
. "$XD_LIB/topo.sh"
. "$XD_LIB/swan.sh"
. "$XD_LIB/faults.sh"
[ -x "$CHARON" ] || skip "$CHARON missing"
topo_gw2gw
psk=$(canary psk-second 24)
swan_conf west; swan_conf east; swan_conf intruder
swan_conn west gw local=$WEST remote=$EAST lts=$WSUB rts=$ESUB psk=$psk
swan_conn east gw local=$EAST remote=$WEST lts=$ESUB rts=$WSUB psk=$psk
check inject-intruder-first swan_start_ns_as intruder west
check real-charon-starts swan_start west
check east-charon-starts swan_start east
ipid=$(cat "$(swan_dir intruder)/pid")
check symptom-intruder-owns-udp-500 sh -c "ip netns exec west ss -Hulnp | grep ':500 ' | grep -q 'pid=$ipid,'"
check symptom-real-daemon-cannot-bind grep -q 'unable to bind socket' "$XD_OUT/ike/charon-west.log"
check_not symptom-east-cannot-establish swan_initiate east gw
check_not symptom-no-sa sh -c "ip -n west xfrm state | grep -q '^src'"
xctl_light west fault
expect_finding west '^stack\.(port_conflict|multiple)'
finish
