#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bed: uml
# timeout: 120
# strongSwan to strongSwan through a NAT router: NAT-T (ESP in UDP 4500), tunnel mode, PSK.
#
#   west 10.0.0.2 (w0) --- (nl0) 10.0.0.1  nat  198.51.100.1 (nw0) --- (e0) 198.51.100.2 east
#   charon                         MASQUERADE out of nw0                  charon
. "$XD_SRC/tests/kernel/lib/common.sh"
. "$XD_LIB/topo.sh"
. "$XD_LIB/swan.sh"
require_cmd swanctl iptables-legacy
[ -x "$CHARON" ] || skip "$CHARON missing (apt-get install strongswan-charon)"
topo_nat
# east routes the inner (tunnelled) replies towards west's private address; XFRM then
# encapsulates them to the NAT's public address
ip -n east route add 10.0.0.0/24 via $NATPUB
psk=$(canary psk-natt 24)
for ns in west east; do swan_conf $ns; done
# east sees west as 198.51.100.1 but west identifies itself by its private address
swan_conn west nat local=$WEST remote=$EAST lid=west@xd.test rid=east@xd.test psk=$psk
swan_conn east nat local=$EAST remote=%any lid=east@xd.test rid=west@xd.test lts=$EAST rts=$WEST psk=$psk
sed -i "s|remote_ts = %any|remote_ts = $WEST|" "$(swan_dir east)/swanctl.conf.conns"
check charon-west-start swan_start west
check charon-east-start swan_start east
check ike-initiate swan_initiate west nat
harvest_keys west east
check natt-encap-west nsx west sh -c "ip xfrm state | grep -q 'encap type espinudp sport 4500 dport 4500'"
check natt-encap-east nsx east sh -c "ip xfrm state | grep -q 'encap type espinudp'"
if ping_ok west $EAST 4; then pass natt-ping; else fail natt-ping; fi
n=$(sa_packets west $WEST $EAST esp); [ "$n" -gt 0 ] && pass esp-out-west "$n" || fail esp-out-west
n=$(sa_packets east $NATPUB $EAST esp); [ "$n" -gt 0 ] && pass esp-in-east "$n" || fail esp-in-east
n=$(sa_packets east $EAST $NATPUB esp); [ "$n" -gt 0 ] && pass esp-out-east "$n" || fail esp-out-east
n=$(sa_packets west $EAST $WEST esp); [ "$n" -gt 0 ] && pass esp-in-west "$n" || fail esp-in-west
sa_oracle west west
sa_oracle east east
check json-encap-port jq -e '[.sas[] | select(.encap.type == "espinudp" and .encap.dport == 4500)] | length == 2' \
    "$XD_OUT/xfrmctl/west-oracle.json.out"
xctl_all west
xctl_all east
save_snapshot west swan-natt-west
save_snapshot east swan-natt-east
expect_healthy west
expect_healthy east
finish
