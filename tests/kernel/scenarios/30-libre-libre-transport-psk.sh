#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bed: uml
# timeout: 120
# libreswan to libreswan, IKEv2 PSK, ESP transport mode between two hosts.
#
#   west 192.0.2.1 (w0) ====ESP transport==== (e0) 192.0.2.2 east
#   pluto (private config/run/NSS)              pluto (private config/run/NSS)
. "$XD_SRC/tests/kernel/lib/common.sh"
. "$XD_LIB/topo.sh"
. "$XD_LIB/libreswan.sh"
require_libreswan
topo_host2host
psk=$(canary psk-libre 24)
for ns in west east; do ls_conf $ns; done
ls_conn west h2h local=$WEST remote=$EAST mode=transport psk=$psk
ls_conn east h2h local=$EAST remote=$WEST mode=transport psk=$psk
check pluto-west-start ls_start west
check pluto-east-start ls_start east
check ike-initiate ls_initiate west h2h
harvest_keys west east
ls_save_whack west west; ls_save_whack east east
esp_flow_ok west $WEST east $EAST west "" $EAST transport
sa_oracle west west
sa_oracle east east
xctl_all west
xctl_all east
ls_check_show_ike west h2h; ls_check_show_ike east h2h
save_snapshot west libre-h2h-transport-west
expect_healthy west
expect_healthy east
finish
