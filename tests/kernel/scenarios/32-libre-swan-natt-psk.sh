#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bed: uml
# timeout: 150
# libreswan (west, behind a NAT) to strongSwan (east): IKEv2 PSK, ESP tunnel with NAT-T.
#
#   west 10.0.0.2 (w0) --- (nl0) 10.0.0.1  nat  198.51.100.1 (nw0) --- (e0) 198.51.100.2 east
#   pluto                          MASQUERADE out of nw0                  charon
. "$XD_SRC/tests/kernel/lib/common.sh"
. "$XD_LIB/topo.sh"
. "$XD_LIB/swan.sh"
. "$XD_LIB/libreswan.sh"
[ -x "$CHARON" ] || skip "$CHARON missing (apt-get install strongswan-charon)"
require_libreswan
topo_nat
ip -n east route add 10.0.0.0/24 via $NATPUB
psk=$(canary psk-libre-natt 24)
ls_conf west
ls_conn west nat local=$WEST remote=$EAST lid=@west.xd.test rid=@east.xd.test psk=$psk
swan_conf east
swan_conn east nat local=$EAST remote=%any lid=east.xd.test rid=west.xd.test lts=$EAST rts=$WEST psk=$psk
check pluto-west-start ls_start west
check charon-east-start swan_start east
check ike-initiate ls_initiate west nat
harvest_keys west east
check natt-encap-west nsx west sh -c "ip xfrm state | grep -q 'encap type espinudp sport 4500 dport 4500'"
check natt-ping ping_ok west $EAST 4
n=$(sa_packets west $WEST $EAST esp); [ "$n" -gt 0 ] && pass esp-out-west "$n" || fail esp-out-west
n=$(sa_packets east $NATPUB $EAST esp); [ "$n" -gt 0 ] && pass esp-in-east "$n" || fail esp-in-east
n=$(sa_packets east $EAST $NATPUB esp); [ "$n" -gt 0 ] && pass esp-out-east "$n" || fail esp-out-east
n=$(sa_packets west $EAST $WEST esp); [ "$n" -gt 0 ] && pass esp-in-west "$n" || fail esp-in-west
sa_oracle west west
sa_oracle east east
xctl_all west
xctl_all east
save_snapshot west libre-swan-natt-west
expect_healthy west
expect_healthy east
finish
