#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bed: uml
# timeout: 120
# strongSwan to strongSwan, IKEv2 with X.509 certificates from a CA made in the test, ESP
# transport mode between two hosts.
#
#   west 192.0.2.1 (w0) ====ESP transport==== (e0) 192.0.2.2 east
#   cert west.xd.test                              cert east.xd.test     (CA: xfrmd test CA)
. "$XD_SRC/tests/kernel/lib/common.sh"
. "$XD_LIB/topo.sh"
. "$XD_LIB/swan.sh"
require_cmd swanctl openssl
[ -x "$CHARON" ] || skip "$CHARON missing (apt-get install strongswan-charon)"
topo_host2host
check ca-made ca_init
ca_issue west; ca_issue east
for ns in west east; do swan_conf $ns; swan_certs $ns $ns; done
swan_conn west h2h local=$WEST remote=$EAST mode=transport auth=pubkey lid=west.xd.test rid=east.xd.test cert=west.pem
swan_conn east h2h local=$EAST remote=$WEST mode=transport auth=pubkey lid=east.xd.test rid=west.xd.test cert=east.pem
check charon-west-start swan_start west
check charon-east-start swan_start east
check ike-initiate swan_initiate west h2h
harvest_keys west east
esp_flow_ok west $WEST east $EAST west "" $EAST transport
check transport-mode nsx west sh -c "ip xfrm state | grep -q 'mode transport'"
sa_oracle west west
xctl_all west
xctl_all east
save_snapshot west swan-h2h-transport-cert-west
expect_healthy west
expect_healthy east
finish
