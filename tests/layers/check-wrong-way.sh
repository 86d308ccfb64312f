#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The layers are enforced by the build: a lower layer that calls into a higher one must not
# link. Configure a scratch build with the probe (probe-wrong-way.c calls the renderer) in a
# low layer and expect its layer check to fail on exactly that call; the same check target
# without the probe links in the real build (it is built by default).
set -euo pipefail
src=$1 build=$2
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
fail=0
for layer in model diag; do
    [ -f "$build/xfrmd/liblayer-check-$layer.so" ] ||
        { echo "FAIL: $build/xfrmd/liblayer-check-$layer.so was not built"; exit 1; }
    dir=$scratch/$layer
    meson setup "$dir" "$src" -Dlayer-probe="$layer" -Dtests=disabled >"$scratch/setup.log" 2>&1 ||
        { cat "$scratch/setup.log"; exit 1; }
    if ninja -C "$dir" "xfrmd/liblayer-check-$layer.so" >"$scratch/build.log" 2>&1; then
        echo "FAIL: layer $layer linked a call into render"; fail=1
    elif grep -q "undefined reference to \`xd_render_text'" "$scratch/build.log"; then
        echo "ok: layer $layer refuses a call into render"
    else
        echo "FAIL: layer $layer failed to build for another reason:"; cat "$scratch/build.log"; fail=1
    fi
done
exit $fail
