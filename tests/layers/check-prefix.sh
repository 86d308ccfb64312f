#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Every symbol a core layer exports carries the xd_ prefix (style.md: public names are xd_*),
# so nothing of ours collides with a library's or a program's names.
set -euo pipefail
build=$1
fail=0 n=0
for lib in "$build"/xfrmd/libxfrmd-*.a "$build"/xfrmd/daemon/libxfrmd-*.a; do
    while read -r _ type sym; do
        case $type in T|D|B|R|G|S|C|V|W) ;; *) continue ;; esac
        n=$((n + 1))
        case $sym in xd_*|_xd_*) ;; *) echo "FAIL: $(basename "$lib") exports $sym"; fail=1 ;; esac
    done < <(nm --defined-only --extern-only "$lib" 2>/dev/null | grep -v ':$' | grep -v '^$')
done
[ $n -gt 100 ] || { echo "FAIL: only $n symbols seen"; exit 1; }
[ $fail = 0 ] && echo "ok: $n exported symbols, all xd_"
exit $fail
