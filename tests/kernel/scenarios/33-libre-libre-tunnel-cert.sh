#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bed: uml
# timeout: 150
# libreswan to libreswan, IKEv2 with X.509 certificates (NSS), ESP tunnel between gateways.
#
#   wsub 10.1.0.10 --- west 10.1.0.1 | 192.0.2.1 ===ESP=== 192.0.2.2 | 10.2.0.1 east --- esub 10.2.0.10
#                      pluto, cert west.xd.test            pluto, cert east.xd.test
. "$XD_SRC/tests/kernel/lib/common.sh"
. "$XD_LIB/topo.sh"
. "$XD_LIB/swan.sh"
. "$XD_LIB/libreswan.sh"
require_libreswan
require_cmd openssl pk12util
topo_gw2gw
check ca-made ca_init
ca_issue west; ca_issue east
for ns in west east; do ls_conf $ns; check nss-import-$ns ls_certs $ns $ns; done
ls_conn west gw local=$WEST remote=$EAST lts=$WSUB rts=$ESUB auth=pubkey lid=@west.xd.test rid=@east.xd.test cert=west
ls_conn east gw local=$EAST remote=$WEST lts=$ESUB rts=$WSUB auth=pubkey lid=@east.xd.test rid=@west.xd.test cert=east
check pluto-west-start ls_start west
check pluto-east-start ls_start east
check ike-initiate ls_initiate west gw
harvest_keys west east
ls_save_whack west west; ls_save_whack east east
esp_flow_ok west $WEST east $EAST wsub "" $EHOST tunnel
sa_oracle west west
sa_oracle east east
xctl_all west
xctl_all east
ls_check_show_ike west gw; ls_check_show_ike east gw
save_snapshot west libre-gw2gw-cert-west
expect_healthy west
expect_healthy east
finish
