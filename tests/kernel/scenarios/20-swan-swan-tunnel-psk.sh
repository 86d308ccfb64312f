#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bed: uml
# timeout: 120
# strongSwan to strongSwan, IKEv2 PSK, ESP tunnel between two gateways for their subnets.
#
#   wsub 10.1.0.10 --- west 10.1.0.1 | 192.0.2.1 ===ESP=== 192.0.2.2 | 10.2.0.1 east --- esub 10.2.0.10
#                      charon (private conf)                 charon (private conf)
. "$XD_SRC/tests/kernel/lib/common.sh"
. "$XD_LIB/topo.sh"
. "$XD_LIB/swan.sh"
require_cmd swanctl openssl
[ -x "$CHARON" ] || skip "$CHARON missing (apt-get install strongswan-charon)"
topo_gw2gw
psk=$(canary psk-swan 24)   # the PSK is a secret too: the scanner looks for it
for ns in west east; do swan_conf $ns; done
swan_conn west gw local=$WEST remote=$EAST lts=$WSUB rts=$ESUB psk=$psk
swan_conn east gw local=$EAST remote=$WEST lts=$ESUB rts=$WSUB psk=$psk
check charon-west-start swan_start west
check charon-east-start swan_start east
check ike-initiate swan_initiate west gw
harvest_keys west east
esp_flow_ok west $WEST east $EAST wsub "" $EHOST tunnel
a=$(sa_packets west $WEST $EAST esp)
check udp-stream-through-tunnel udp_stream wsub esub $EHOST 5001
check tcp-stream-1MiB-through-tunnel tcp_stream wsub esub $EHOST 5002
b=$(sa_packets west $WEST $EAST esp)
[ $((b - a)) -gt 200 ] && pass streams-went-through-esp "$((b - a)) packets" || fail streams-went-through-esp "$((b - a)) packets"
check fwd-policy-on-east nsx east sh -c "ip xfrm policy list dir fwd | grep -q 'src 10.1.0.0/24'"
sa_oracle west west
sa_oracle east east
xctl_all west
xctl_all east
save_snapshot west swan-gw2gw-psk-west
save_snapshot east swan-gw2gw-psk-east
expect_healthy west
expect_healthy east
finish
