#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bed: uml qemu
# timeout: 120
# Fault: a responder (east) whose input chain drops IKE (UDP 500). Neither side starts or traps
# the connection, so east has no SA and no policy: only its configured connection names the
# peer. Checked: fw.ike_blocked on east from the configured connection (live and from a
# snapshot), absent before the rule; no fw.* finding on west (no rule there touches IKE).
#
#   west 192.0.2.1 ==IKE 500=X==> 192.0.2.2 east     X: east INPUT drops udp/500
. "$XD_SRC/tests/kernel/lib/common.sh"
. "$XD_LIB/topo.sh"
. "$XD_LIB/swan.sh"
. "$XD_LIB/faults.sh"
[ -x "$CHARON" ] || skip "$CHARON missing"
topo_gw2gw
psk=$(canary psk-ike-responder 24)
swan_conf west; swan_conf east
swan_conn west gw local=$WEST remote=$EAST lts=$WSUB rts=$ESUB psk=$psk start=none
swan_conn east gw local=$EAST remote=$WEST lts=$ESUB rts=$WSUB psk=$psk start=none
check charon-start swan_start_both
# charon's per-socket bypass policies aside, east has no policy (and no SA)
check no-policy-on-east sh -c "! ip -n east xfrm policy list | grep -qE 'dir (in|out|fwd)'"
check no-sa-on-east sh -c "! ip -n east xfrm state | grep -q '^src'"
expect_finding east '^fw\.ike_blocked$' absent
check inject-fw-drop-ike-in fw_drop east ike in
xctl_light east fault
expect_finding east '^fw\.ike_blocked$'
expect_replay_finding east '^fw\.ike_blocked$'
expect_finding west '^fw\.' absent
finish
