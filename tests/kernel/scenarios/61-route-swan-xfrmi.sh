#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bed: qemu
# timeout: 150
# Issue 18: a route-based tunnel driven by a real IKE daemon. strongSwan on both gateways
# negotiates a child with if_id_in/if_id_out 42; an xfrm interface ipsec0 (if_id 42) on each
# gateway carries the subnets' traffic, routed into it. Healthy: traffic flows through the
# interfaces (ESP and interface counters move), nothing above info, no route.* finding. Then
# each fault injected and repaired in turn, the finding absent before, present after naming the
# interface and the peer (live and from a snapshot), absent again after the repair: interface
# down (route.if_down), route to the remote subnet removed and pointed at the clear path
# (route.not_via_tunnel), if_id changed on the interface (route.if_id_mismatch), the
# gateway's firewall dropping forwarded traffic from the interface (route.fw_tunnel_iface).
#
#   wsub 10.1.0.10 -- west 10.1.0.1 | 192.0.2.1 ===ESP (if_id 42)=== 192.0.2.2 | 10.2.0.1 east -- esub 10.2.0.10
#                     charon, ipsec0 (xfrm if_id 42, dev w0)  charon, ipsec0 (xfrm if_id 42, dev e0)
#                     10.2.0.0/24 dev ipsec0                   10.1.0.0/24 dev ipsec0
. "$XD_SRC/tests/kernel/lib/common.sh"
. "$XD_LIB/topo.sh"
. "$XD_LIB/swan.sh"
. "$XD_LIB/route.sh"
[ -x "$CHARON" ] || skip "$CHARON missing (apt-get install strongswan-charon)"
require_cmd swanctl nft jq
ip xfrm state list >/dev/null 2>&1 || skip "no xfrm_user in this kernel"
modprobe -q xfrm_interface 2>/dev/null
topo_gw2gw
ip -n west link add ipsec0 type xfrm dev w0 if_id 42 2>/dev/null || skip "no xfrm interfaces in this kernel"
ip -n east link add ipsec0 type xfrm dev e0 if_id 42
ip -n west link set ipsec0 up
ip -n east link set ipsec0 up
# the subnets go into the interfaces instead of to the peer in clear (topo_gw2gw's routes)
ip -n west route replace $ESUB dev ipsec0
ip -n east route replace $WSUB dev ipsec0
psk=$(canary psk-swan-xfrmi 24)
swan_conf west; swan_conf east
swan_conn west gw local=$WEST remote=$EAST lts=$WSUB rts=$ESUB psk=$psk if_id=42
swan_conn east gw local=$EAST remote=$WEST lts=$ESUB rts=$WSUB psk=$psk if_id=42
check charon-start swan_start_both
check ike-initiate swan_initiate west gw
harvest_keys west east
check sa-carries-if-id-42 sh -c "ip -n west xfrm state | grep -q 'if_id 0x2a'"
check policy-carries-if-id-42 sh -c "ip -n east xfrm policy | grep -q 'if_id 0x2a'"

# healthy: the subnets reach each other through ESP and through both interfaces
rx0=$(if_rx east ipsec0)
check healthy-ping-subnets ping_from wsub $WHOST $EHOST
n=$(sa_packets east $WEST $EAST esp); [ "$n" -gt 0 ] && pass healthy-esp-in-east "$n packets" || fail healthy-esp-in-east "0 packets"
rx1=$(if_rx east ipsec0)
[ "$rx1" -gt "$rx0" ] && pass healthy-through-ipsec0-east "$((rx1 - rx0)) packets" ||
    fail healthy-through-ipsec0-east "rx_packets $rx0 -> $rx1"
[ "$(if_rx west ipsec0)" -gt 0 ] && pass healthy-through-ipsec0-west || fail healthy-through-ipsec0-west "no rx_packets"
route_gw_healthy ipsec0 42
# the peer joined to the interface in the metrics
check metrics-peer-interface grep -qE '^xfrmd_peer_up\{peer="192\.0\.2\.2",.*interface="ipsec0"\} 1$' \
    "$XD_OUT/xfrmctl/west-metrics-healthy.txt.out"
xctl_light west healthy
save_snapshot west route-swan-xfrmi-west
save_snapshot east route-swan-xfrmi-east

route_gw_faults swan ipsec0 42
finish
