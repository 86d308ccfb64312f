#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bed: uml
# timeout: 120
# Fault: two CHILD_SAs between the same two gateways (two connections, one reqid each); on
# east only the inbound SA of the second child is deleted. The first child still has an
# inbound SA between the same addresses, so the lost direction can only be found by its reqid:
# sa.one_way must name it. Symptoms checked: east has no inbound SA under that reqid, the
# other child's inbound SA remains, and traffic over the first child still flows.
#
#   wsub 10.1.0.10 --- west 10.1.0.1 | 192.0.2.1 ===ESP x2=== 192.0.2.2 | 10.2.0.1 east --- esub 10.2.0.10
#   children: gw  (10.1.0.0/24 <-> 10.2.0.0/24)
#             gw2 (10.11.0.0/24 <-> 10.12.0.0/24, no traffic; its own IKE_SA)
#   X: east: ip xfrm state deleteall src 192.0.2.1 dst 192.0.2.2 reqid <gw2's>
. "$XD_SRC/tests/kernel/lib/common.sh"
. "$XD_LIB/topo.sh"
. "$XD_LIB/swan.sh"
. "$XD_LIB/faults.sh"
[ -x "$CHARON" ] || skip "$CHARON missing"
topo_gw2gw
psk=$(canary "psk-$XD_SCENARIO" 24)
swan_conf west; swan_conf east
swan_conn west gw local=$WEST remote=$EAST lts=$WSUB rts=$ESUB psk=$psk
swan_conn east gw local=$EAST remote=$WEST lts=$ESUB rts=$WSUB psk=$psk
# own IKE identities, so charon negotiates gw2 in an IKE_SA of its own (an equal peer config
# would reuse gw's IKE_SA, and east would then look for gw2's selectors in gw)
swan_conn west gw2 local=$WEST remote=$EAST lid=west-gw2 rid=east-gw2 \
    lts=10.11.0.0/24 rts=10.12.0.0/24 psk=$psk
swan_conn east gw2 local=$EAST remote=$WEST lid=east-gw2 rid=west-gw2 \
    lts=10.12.0.0/24 rts=10.11.0.0/24 psk=$psk
swan_start west && swan_start east || { fail baseline-ike "charon did not start"; finish; }
swan_initiate west gw && swan_initiate west gw2 || { fail baseline-ike "a child did not come up"; finish; }
harvest_keys west east
ping_from wsub $WHOST $EHOST && pass baseline-ping || { fail baseline-ping; finish; }
n=$(nsx east ip xfrm state list src $WEST dst $EAST | grep -c '^src')
[ "$n" = 2 ] && pass baseline-two-inbound-sas || fail baseline-two-inbound-sas "$n"
xctl_light east healthy
# the healthy counterpart: the finding is absent before the fault
expect_finding east '^sa\.one_way' absent
reqid=$(nsx east ip xfrm policy list dir in src 10.11.0.0/24 dst 10.12.0.0/24 |
        awk '{for (i = 1; i < NF; i++) if ($i == "reqid") { print $(i + 1); exit }}')
[ -n "$reqid" ] && pass baseline-gw2-reqid "$reqid" || { fail baseline-gw2-reqid; finish; }
check inject-del-one-inbound-sa nsx east ip xfrm state deleteall src $WEST dst $EAST reqid "$reqid"
check symptom-no-inbound-sa-for-reqid sh -c "[ -z \"\$(ip -n east xfrm state list src $WEST dst $EAST reqid $reqid)\" ]"
check symptom-other-inbound-sa-remains sh -c "[ -n \"\$(ip -n east xfrm state list src $WEST dst $EAST)\" ]"
check symptom-first-child-still-works ping_from wsub $WHOST $EHOST
xctl_light east fault
expect_finding east '^sa\.one_way'
# and it is this child's SA that is named
out=$XD_OUT/xfrmctl/east-check-finding-sa.one_way-present-east.json.out
m=$(jq --arg r "reqid $reqid" '[.findings[] | select(.id == "sa.one_way" and (.summary | contains($r)))] | length' "$out" 2>/dev/null)
[ "${m:-0}" -ge 1 ] && pass finding-names-reqid "$reqid" || fail finding-names-reqid "$reqid not in $out"
finish
