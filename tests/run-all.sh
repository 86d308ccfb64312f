#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The whole test suite, as the README names it: a normal build and an ASan+UBSan build, every
# meson suite (unit, replay, fuzz corpus replay, docs, kernel). Ends with one summary line.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
fail=0

setup() { # dir, extra args...
    local dir=$1; shift
    if [ ! -d "$dir" ]; then
        meson setup "$dir" --werror "$@" >"/tmp/xfrmd-$dir.setup.log" 2>&1 ||
            { cat "/tmp/xfrmd-$dir.setup.log"; return 1; }
    fi
    ninja -C "$dir" >"$dir/build.log" 2>&1 || { cat "$dir/build.log"; return 1; }
}

setup build || exit 1
setup build-asan -Db_sanitize=address,undefined -Dbuildtype=debug || exit 1

run() { # dir, suites...
    local dir=$1; shift
    local args=()
    for s in "$@"; do args+=(--suite "$s"); done
    meson test -C "$dir" --print-errorlogs "${args[@]}" | tee "$dir/test-summary.log" || fail=1
}

export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export ASAN_OPTIONS=detect_leaks=1
run build-asan unit replay fuzz
run build docs packaging layers
if [ "$(id -u)" = 0 ] && [ "${XD_SKIP_KERNEL:-0}" != 1 ]; then
    run build kernel
fi

# one closing line over every suite that ran
python3 - "$root" <<'PY'
import re, sys, glob
ok = fail = skip = 0
for f in glob.glob(sys.argv[1] + "/build*/test-summary.log"):
    t = open(f).read()
    for k, pat in (("ok", r"^Ok:\s+(\d+)"), ("fail", r"^Fail:\s+(\d+)"), ("skip", r"^Skipped:\s+(\d+)")):
        for m in re.finditer(pat, t, re.M):
            v = int(m.group(1))
            if k == "ok": ok += v
            elif k == "fail": fail += v
            else: skip += v
    for m in re.finditer(r"^(?:Unexpected Pass|Timeout):\s+(\d+)", t, re.M):
        fail += int(m.group(1))
print(f"{ok} passed, {fail} failed, {skip} skipped")
PY
exit $fail
