#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bed: uml qemu
# timeout: 60
# Smoke test of the bed itself: the guest has XFRM with ESP, veth and netns, and xfrmctl runs.
#
#   west 192.0.2.1 (w0) ---- veth ---- (e0) 192.0.2.2 east
. "$XD_SRC/tests/kernel/lib/common.sh"
. "$XD_LIB/topo.sh"
ip xfrm state list >/dev/null 2>&1 || skip "no xfrm_user in this kernel"
topo_host2host
check ping-clear ping_ok west $EAST
k=$(canary smoke 20)
check esp-sa-add nsx west ip xfrm state add src $WEST dst $EAST proto esp spi 0x1000 \
    aead 'rfc4106(gcm(aes))' 0x$k 128
check xfrmctl-runs xctl west smoke-status status
xctl west smoke-json --json=pretty show sa >/dev/null
check xfrmctl-sees-sa jq -e '.sas | length == 1' "$XD_OUT/xfrmctl/smoke-json.out"
finish
