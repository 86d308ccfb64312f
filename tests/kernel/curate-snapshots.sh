#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Copy the curated kernel-scenario captures from the last kernel-suite run into
# tests/replay/snapshots/ as kernel-<scenario>-<netns>.pcapng (keys are zeroed by xfrmctl; the
# post-check already scanned each file for the scenario's keys). Then run
# `meson test --suite replay` once to create the goldens and review them before committing.
#
#   build/tests/kernel/uml/boot-*/<scenario>/out/snapshots/<name>.pcapng
#        └─> tests/replay/snapshots/kernel-<scenario>-<name>.pcapng
#
# usage: curate-snapshots.sh BUILDDIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dst=$here/../replay/snapshots
build=${1:?usage: curate-snapshots.sh BUILDDIR}
# scenario:capture-name pairs (see the README in tests/replay/snapshots)
list="10-canary-manual-sas:canary-manual-sas-west
20-swan-swan-tunnel-psk:swan-gw2gw-psk-east
22-swan-swan-natt:swan-natt-east
30-libre-libre-transport-psk:libre-h2h-transport-west
31-swan-libre-tunnel-cert:swan-libre-gw2gw-cert-east
40-fault-fw-drop-esp-in:east-fault
43-fault-fw-drop-ike-in:east-fault
46-fault-fwd-policy-deleted:east-fault
47-fault-stale-sas-ike-restart:stale-sas-west
50-fault-masquerade-bypass:west-fault"
for pair in $list; do
    scen=${pair%%:*} name=${pair#*:}
    src=$(ls "$build"/tests/kernel/uml/boot-*/"$scen"/out/snapshots/"$name".pcapng 2>/dev/null | head -1)
    if [ -z "$src" ]; then echo "missing: $scen $name"; continue; fi
    grep -q "^PASS $scen " "$build"/tests/kernel/uml/summary || { echo "not copied, scenario did not pass: $scen"; continue; }
    install -m 0644 "$src" "$dst/kernel-${scen#[0-9][0-9]-}-${name}.pcapng"
    echo "copied $scen/$name ($(stat -c %s "$src") bytes)"
done
