#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bed: qemu
# timeout: 150
# Issue 18: libreswan's route-based tunnel. pluto on both gateways with ipsec-interface=7
# creates the xfrm interface ipsec7 (if_id 7) itself and negotiates SAs and policies carrying
# that if_id; the subnets are routed into ipsec7 (by the test: the updown script is off).
# Healthy: traffic flows through the interfaces, nothing above info, no route.* finding; then
# the same faults as 61 (route_gw_faults): interface down, route removed and pointed at the
# clear path, if_id changed on the interface, the firewall dropping on the interface, each
# present naming ipsec7 and the peer, live and from a snapshot, and absent after the repair.
#
#   wsub 10.1.0.10 -- west 10.1.0.1 | 192.0.2.1 ===ESP (if_id 7)=== 192.0.2.2 | 10.2.0.1 east -- esub 10.2.0.10
#                     pluto, ipsec7 (made by pluto)          pluto, ipsec7 (made by pluto)
. "$XD_SRC/tests/kernel/lib/common.sh"
. "$XD_LIB/topo.sh"
. "$XD_LIB/libreswan.sh"
. "$XD_LIB/route.sh"
require_libreswan
require_cmd nft jq
ip xfrm state list >/dev/null 2>&1 || skip "no xfrm_user in this kernel"
modprobe -q xfrm_interface 2>/dev/null
ip link add xd-probe type xfrm if_id 99 2>/dev/null || skip "no xfrm interfaces in this kernel"
ip link del xd-probe
topo_gw2gw
psk=$(canary psk-libre-xfrmi 24)
for ns in west east; do ls_conf $ns; done
ls_conn west gw local=$WEST remote=$EAST lts=$WSUB rts=$ESUB psk=$psk iface=7
ls_conn east gw local=$EAST remote=$WEST lts=$ESUB rts=$WSUB psk=$psk iface=7
check pluto-west-start ls_start west
check pluto-east-start ls_start east
check ike-initiate ls_initiate west gw
harvest_keys west east
ls_save_whack west west; ls_save_whack east east
for ns in west east; do
    check "pluto-made-ipsec7-$ns" sh -c "ip -n $ns -d link show ipsec7 | grep -q 'if_id 0x7'"
    ip -n $ns link set ipsec7 up
done
check sa-carries-if-id-7 sh -c "ip -n west xfrm state | grep -q 'if_id 0x7'"
check policy-carries-if-id-7 sh -c "ip -n east xfrm policy | grep -q 'if_id 0x7'"
ip -n west route replace $ESUB dev ipsec7
ip -n east route replace $WSUB dev ipsec7

rx0=$(if_rx east ipsec7)
check healthy-ping-subnets ping_from wsub $WHOST $EHOST
n=$(sa_packets east $WEST $EAST esp); [ "$n" -gt 0 ] && pass healthy-esp-in-east "$n packets" || fail healthy-esp-in-east "0 packets"
rx1=$(if_rx east ipsec7)
[ "$rx1" -gt "$rx0" ] && pass healthy-through-ipsec7-east "$((rx1 - rx0)) packets" ||
    fail healthy-through-ipsec7-east "rx_packets $rx0 -> $rx1"
route_gw_healthy ipsec7 7
xctl_light west healthy
save_snapshot west route-libre-xfrmi-west

route_gw_faults libre ipsec7 7
finish
