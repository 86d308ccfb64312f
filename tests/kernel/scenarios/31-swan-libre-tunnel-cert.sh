#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bed: uml
# timeout: 150
# strongSwan (west) to libreswan (east), IKEv2 with X.509 certificates, ESP tunnel between two
# gateways for their subnets; strongSwan sends its certificate always (libreswan does not ask).
#
#   wsub 10.1.0.10 --- west 10.1.0.1 | 192.0.2.1 ===ESP=== 192.0.2.2 | 10.2.0.1 east --- esub 10.2.0.10
#                      charon, cert west.xd.test           pluto, cert east.xd.test (NSS)
. "$XD_SRC/tests/kernel/lib/common.sh"
. "$XD_LIB/topo.sh"
. "$XD_LIB/swan.sh"
. "$XD_LIB/libreswan.sh"
require_cmd swanctl openssl
[ -x "$CHARON" ] || skip "$CHARON missing (apt-get install strongswan-charon)"
require_libreswan
topo_gw2gw
check ca-made ca_init
ca_issue west; ca_issue east
swan_conf west; swan_certs west west
ls_conf east; check nss-import ls_certs east east
swan_conn west gw local=$WEST remote=$EAST lts=$WSUB rts=$ESUB auth=pubkey lid=west.xd.test \
    rid=east.xd.test cert=west.pem sendcert=always
ls_conn east gw local=$EAST remote=$WEST lts=$ESUB rts=$WSUB auth=pubkey lid=@east.xd.test \
    rid=@west.xd.test cert=east
check pluto-east-start ls_start east
check charon-west-start swan_start west
check ike-initiate swan_initiate west gw
harvest_keys west east
esp_flow_ok west $WEST east $EAST wsub "" $EHOST tunnel
check fwd-policy-on-east nsx east sh -c "ip xfrm policy list dir fwd | grep -q 'src 10.1.0.0/24'"
sa_oracle west west
sa_oracle east east
xctl_all west
xctl_all east
save_snapshot east swan-libre-gw2gw-cert-east
expect_healthy west
expect_healthy east
finish
