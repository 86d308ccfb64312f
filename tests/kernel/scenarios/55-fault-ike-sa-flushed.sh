#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bed: uml
# timeout: 150
# Fault: `ip xfrm state flush` on west while charon believes its CHILD_SA installed. Checked:
# before, a healthy tunnel raises none of the daemon/kernel correlations (and charon's VICI
# socket, set on one line of its private strongswan.conf, is found: no ike.unreachable_control);
# after, ike.sa_not_in_kernel on west, live and from a snapshot (`capture -w`, `-r ... check`).
#
#   wsub --- west 192.0.2.1 ===ESP=== 192.0.2.2 east --- esub
#            charon (INSTALLED)           charon
#   X: west: ip xfrm state flush
. "$XD_SRC/tests/kernel/lib/common.sh"
. "$XD_LIB/topo.sh"
. "$XD_LIB/swan.sh"
. "$XD_LIB/faults.sh"
[ -x "$CHARON" ] || skip "$CHARON missing"
healthy_gw2gw_swan || finish
for ns in west east; do
    expect_finding $ns '^ike\.(sa_not_in_kernel|kernel_sa_unknown|conn_down|unreachable_control)$' absent
    expect_finding $ns '^fw\.ike_blocked$' absent
done
vici_read() { xctl west vici-read.json --json show ike | jq -e '.meta.dumps["ike.vici_sas"].status == "complete"'; }
charon_installed() { swanctl_ns west --list-sas | grep -q INSTALLED; }
check daemon-view-read vici_read
check inject-state-flush nsx west ip xfrm state flush
check symptom-charon-still-installed charon_installed
xctl_light west fault
expect_finding west '^ike\.sa_not_in_kernel$'
expect_replay_finding west '^ike\.sa_not_in_kernel$'
# east still has both SAs and its charon agrees
expect_finding east '^ike\.(sa_not_in_kernel|kernel_sa_unknown)$' absent
finish
