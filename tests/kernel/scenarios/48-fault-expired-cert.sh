#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bed: uml
# timeout: 120
# Fault: west authenticates with a certificate that expired yesterday (issued by the test CA).
# Symptom checked: IKE_AUTH fails (east rejects the certificate), no CHILD_SA on either side.
#
#   wsub 10.1.0.10 --- west 10.1.0.1 | 192.0.2.1 ===ESP=== 192.0.2.2 | 10.2.0.1 east --- esub 10.2.0.10
#                      charon (PSK tunnel)                          charon
#   X: west's cert: notAfter = yesterday
. "$XD_SRC/tests/kernel/lib/common.sh"
. "$XD_LIB/topo.sh"
. "$XD_LIB/swan.sh"
. "$XD_LIB/faults.sh"
[ -x "$CHARON" ] || skip "$CHARON missing"
topo_gw2gw
check ca-made ca_init
ca_issue west expired; ca_issue east
check cert-is-expired sh -c "! openssl x509 -checkend 0 -noout -in '$XD_PRIV/ca/west.pem'"
for ns in west east; do swan_conf $ns; swan_certs $ns $ns; done
mkdir -p "$XD_OUT/certs"; cp "$XD_PRIV/ca/west.pem" "$XD_PRIV/ca/east.pem" "$XD_PRIV/ca/ca.pem" "$XD_OUT/certs/"
swan_conn west gw local=$WEST remote=$EAST lts=$WSUB rts=$ESUB auth=pubkey lid=west.xd.test rid=east.xd.test cert=west.pem sendcert=always
swan_conn east gw local=$EAST remote=$WEST lts=$ESUB rts=$WSUB auth=pubkey lid=east.xd.test rid=west.xd.test cert=east.pem sendcert=always
check charon-start swan_start_both
check_not symptom-initiate-fails swan_initiate west gw
check symptom-east-rejects-cert grep -qiE 'expired|not valid|constraint check failed|no trusted' "$XD_OUT/ike/charon-east.log"
check_not symptom-no-child-sa sh -c "ip -n west xfrm state | grep -q '^src'"
check_not symptom-ping-fails-through-tunnel sh -c "ip -n west xfrm policy | grep -q 'dir out'"
xctl_light west fault
xctl_light east fault
expect_finding west '^cert\.expired'
finish
