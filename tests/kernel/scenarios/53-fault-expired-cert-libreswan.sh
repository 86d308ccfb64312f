#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bed: uml
# timeout: 150
# Fault: libreswan on west authenticates with a certificate (in its NSS database) that expired
# yesterday. Symptom checked: IKE_AUTH fails, no CHILD_SA on either side. Then xfrmctl, pointed
# at west's NSS database, names cert.expired for the certificate with nickname west.
#
#   wsub 10.1.0.10 --- west 10.1.0.1 | 192.0.2.1 ==X== 192.0.2.2 | 10.2.0.1 east --- esub 10.2.0.10
#                      pluto, cert west (expired)         pluto, cert east
. "$XD_SRC/tests/kernel/lib/common.sh"
. "$XD_LIB/topo.sh"
. "$XD_LIB/swan.sh"
. "$XD_LIB/libreswan.sh"
require_libreswan
require_cmd openssl pk12util
topo_gw2gw
check ca-made ca_init
ca_issue west expired; ca_issue east
check cert-is-expired sh -c "! openssl x509 -checkend 0 -noout -in '$XD_PRIV/ca/west.pem'"
for ns in west east; do ls_conf $ns; check nss-import-$ns ls_certs $ns $ns; done
ls_conn west gw local=$WEST remote=$EAST lts=$WSUB rts=$ESUB auth=pubkey lid=@west.xd.test rid=@east.xd.test cert=west
ls_conn east gw local=$EAST remote=$WEST lts=$ESUB rts=$WSUB auth=pubkey lid=@east.xd.test rid=@west.xd.test cert=east
check pluto-west-start ls_start west
check pluto-east-start ls_start east
check_not symptom-initiate-fails ls_initiate west gw
check_not symptom-no-child-sa sh -c "ip -n west xfrm state | grep -q '^src'"
check_not symptom-no-child-sa-east sh -c "ip -n east xfrm state | grep -q '^src'"
xctl_light west fault
xctl_light east fault
expect_finding west '^cert\.expired$'
expect_finding east '^cert\.expired$' absent
finish
