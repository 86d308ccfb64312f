#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The whole test suite, as the README names it: a normal build and an ASan+UBSan build, every
# meson suite (unit, replay, fuzz corpus replay, docs, kernel). Ends with one summary line.
#
# Tests assert behaviour, never speed, and the same command must pass on a 2-core machine that
# is busy with other work: every meson timeout is multiplied by the machine's slowdown
# (tests/lib/slowdown.sh: ceil(load average / CPUs), at least 1), which is also exported as
# XD_TEST_SLOWDOWN for the waits inside the tests and the kernel beds. Set XD_TEST_SLOWDOWN
# to fix the factor; speed is measured by the benchmarks in tests/bench.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
fail=0
. tests/lib/slowdown.sh
fixed_slow=${XD_TEST_SLOWDOWN:-}
first_slow=$(xd_slowdown)   # before our own builds add to the load

setup() { # dir, extra args...
    local dir=$1; shift
    if [ ! -d "$dir" ]; then
        meson setup "$dir" --werror "$@" >"/tmp/xfrmd-$dir.setup.log" 2>&1 ||
            { cat "/tmp/xfrmd-$dir.setup.log"; return 1; }
    fi
    ninja -C "$dir" >"$dir/build.log" 2>&1 || { cat "$dir/build.log"; return 1; }
}

rm -f build*/test-summary*.log   # the closing line counts this run only
setup build || exit 1
setup build-asan -Db_sanitize=address,undefined -Dbuildtype=debug || exit 1

run() { # dir, suites...
    local dir=$1 slow=$fixed_slow; shift
    local args=()
    for s in "$@"; do args+=(--suite "$s"); done
    if [ -z "$slow" ]; then  # the load now (other work comes and goes), never below the first
        slow=$(XD_TEST_SLOWDOWN='' xd_slowdown)
        [ "$slow" -lt "$first_slow" ] && slow=$first_slow
    fi
    echo "== $dir: suites $*; slowdown x$slow (load $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) CPUs)"
    XD_TEST_SLOWDOWN=$slow meson test -C "$dir" --print-errorlogs --timeout-multiplier "$slow" "${args[@]}" |
        tee "$dir/test-summary-$1.log" || fail=1   # one per run: build runs twice
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
for f in glob.glob(sys.argv[1] + "/build*/test-summary-*.log"):
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
