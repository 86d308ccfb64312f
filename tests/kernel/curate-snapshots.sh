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
# scenario:capture-name:file-name (see the README in tests/replay/snapshots). A capture is
# copied when its scenario's post-check passed (no canary, no sanitizer report), even if an
# xfrmctl check of the scenario failed: such captures are the regression inputs for that bug.
list="10-canary-manual-sas:canary-manual-sas-west:kernel-canary-all-algorithms
20-swan-swan-tunnel-psk:swan-gw2gw-psk-east:kernel-swan-gw2gw-psk
22-swan-swan-natt:swan-natt-east:kernel-swan-natt-responder
30-libre-libre-transport-psk:libre-h2h-transport-west:kernel-libre-transport-psk
31-swan-libre-tunnel-cert:swan-libre-gw2gw-cert-east:kernel-libre-responder-no-esn
40-fault-fw-drop-esp-in:east-fault:kernel-fault-esp-dropped-in
43-fault-fw-drop-ike-in:east-fault:kernel-fault-ike-dropped-in
46-fault-fwd-policy-deleted:east-fault:kernel-fault-fwd-policy-deleted
47-fault-stale-sas-ike-restart:stale-sas-west:kernel-fault-stale-sas
50-fault-masquerade-bypass:west-fault:kernel-fault-masquerade-bypass"
for entry in $list; do
    IFS=: read -r scen name file <<<"$entry"
    src=$(ls "$build"/tests/kernel/uml/boot-*/"$scen"/out/snapshots/"$name".pcapng 2>/dev/null | head -1)
    if [ -z "$src" ]; then echo "missing: $scen $name"; continue; fi
    grep -q "^PASS: $scen: post-check" "$build"/tests/kernel/uml/checks ||
        { echo "not copied, post-check did not pass: $scen"; continue; }
    install -m 0644 "$src" "$dst/$file.pcapng"
    echo "copied $scen/$name -> $file.pcapng ($(stat -c %s "$src") bytes)"
done
