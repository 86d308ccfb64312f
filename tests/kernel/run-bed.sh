#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Host side of the kernel suites (run-uml.sh and run-qemu.sh call this with the bed name).
#
#   meson test ── run-bed.sh uml ─┬─ linux.uml #1 (guest/init.sh) ─ scenarios 1, 3, 5 ...
#                                 └─ linux.uml #2 (guest/init.sh) ─ scenarios 2, 4, 6 ...
#                                     root = this machine's / over hostfs, writes on tmpfs
#   meson test ── run-bed.sh qemu ── qemu-system-x86_64 (TCG), Debian 6.1 kernel, busybox
#                                     initramfs ─ switch_root into / over 9p ─ guest/init.sh
#
# usage: run-bed.sh uml|qemu BUILDDIR [SCENARIO-GLOB...]
# Runs every tests/kernel/scenarios/*.sh whose "# bed:" line names the bed (or the given ones),
# spread over XD_<BED>_JOBS boots (UML: the CPUs, as many as memory holds; qemu: 1), each booted
# once. Every scenario's "# timeout:" (its time on a quiet machine with one CPU per boot, with
# room to spare) is multiplied by the machine's slowdown: tests/lib/slowdown.sh's factor, or
# ceil((load + boots) / CPUs) when that is more, since our own boots compete for the CPUs too.
# The guests get the factor (XD_TEST_SLOWDOWN) for the waits inside the scenarios.
# Results: BUILDDIR/tests/kernel/BED/{summary,checks,boot-N/{results,console.log,<scenario>/}}
# Exit: 0 all ran scenarios passed, 1 a failure, 77 nothing could run (reason printed).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
bed=${1:?usage: run-bed.sh uml|qemu BUILDDIR [GLOB...]}; shift
build=$(cd "${1:?usage: run-bed.sh uml|qemu BUILDDIR [GLOB...]}" && pwd); shift
cache=${XD_CACHE:-/var/cache/xfrmd-tests}
. "$here/../lib/slowdown.sh"

skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "not root (the guests need root to run)"
command -v modprobe >/dev/null || skip "modprobe missing (apt-get install kmod)"
[ -x "$build/tools/xfrmctl/xfrmctl" ] || skip "$build/tools/xfrmctl/xfrmctl not built"
command -v jq >/dev/null || skip "jq missing"
mkdir -p "$build/tests"
case $bed in
uml)
    uml=${XD_UML:-/usr/bin/linux.uml}
    [ -x "$uml" ] || skip "$uml missing (apt-get install user-mode-linux)"
    kver=$(ls /usr/lib/uml/modules 2>/dev/null | head -1)
    [ -n "$kver" ] || skip "/usr/lib/uml/modules missing (user-mode-linux package incomplete)"
    # one boot per CPU: fewer boots on a busy machine would not leave it idler (the scheduler
    # shares the CPUs out per runnable task), only make this run longer; memory caps it
    jobs=${XD_UML_JOBS:-$(awk -v n="$(nproc)" '/^MemAvailable:/ { m = int($2 / 1024 / 900); print m < 1 ? 1 : (m < n ? m : n) }' /proc/meminfo)}
    scale=${XD_UML_TIMEOUT_SCALE:-1}
    mem=${XD_UML_MEM:-640M}
    ;;
qemu)
    qemu=${XD_QEMU:-qemu-system-x86_64}
    command -v "$qemu" >/dev/null || skip "$qemu missing (apt-get install qemu-system-x86)"
    out=$("$here/prepare-qemu.sh" 2>&1 | tee "$build/tests/kernel-prepare-qemu.log" | tail -1)
    case $out in "qemu bed ready: "*) kver=${out#qemu bed ready: } ;; SKIP:*) skip "${out#SKIP: }" ;;
                 *) skip "qemu bed could not be prepared: $out" ;; esac
    jobs=${XD_QEMU_JOBS:-1}
    scale=${XD_QEMU_TIMEOUT_SCALE:-3}   # TCG is several times slower than UML
    mem=${XD_QEMU_MEM:-1536}
    ;;
*) echo "unknown bed $bed"; exit 2 ;;
esac

# optional prerequisites fetched into a cache outside the repository (libreswan)
"$here/prepare.sh" >"$build/tests/kernel-prepare.log" 2>&1 || true

res=$build/tests/kernel/$bed
rm -rf "$res"; mkdir -p "$res"

# the plan: scenario path + timeout, dealt to the boots longest first
mapfile -t all < <(grep -l "^# bed:.*\b$bed\b" "$here"/scenarios/*.sh | sort)
if [ $# -gt 0 ]; then
    sel=()
    for s in "${all[@]}"; do for g in "$@"; do [[ $(basename "$s" .sh) == $g ]] && sel+=("$s") && break; done; done
    all=("${sel[@]}")
fi
[ ${#all[@]} -gt 0 ] || skip "no scenario selected"
[ "$jobs" -gt ${#all[@]} ] && jobs=${#all[@]}
slow=$(xd_slowdown)
busy=$(awk -v n="$(nproc)" -v j="$jobs" '{ l = $1 > $2 ? $1 : $2; f = int((l + j + n - 1) / n); print f < 1 ? 1 : f }' /proc/loadavg)
[ "$busy" -gt "$slow" ] && slow=$busy
for ((b = 0; b < jobs; b++)); do mkdir -p "$res/boot-$b"; : >"$res/boot-$b/plan"; done
# longest first (by the "# timeout:" hint) keeps the boots balanced
i=0
while read -r t s; do
    echo "$s $((t * scale * slow))" >>"$res/boot-$((i % jobs))/plan"; i=$((i + 1))
done < <(for s in "${all[@]}"; do
             t=$(sed -n 's/^# timeout: *\([0-9]*\).*/\1/p' "$s" | head -1); echo "${t:-120} $s"
         done | sort -k1,1nr -k2)

echo "testbed-$bed: kernel $kver, ${#all[@]} scenarios on $jobs boot(s), timeouts x$((scale * slow))" \
     "(load $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) CPUs)"
start=$(date +%s)
pids=()
for ((b = 0; b < jobs; b++)); do
    d=$res/boot-$b
    # the boot's bound: its scenarios' timeouts, each scenario's post-check and the boot itself
    total=0; while read -r _ t; do total=$((total + t + 10 * slow)); done <"$d/plan"
    vars="XD_RUN=$d XD_SRC=$src XD_BUILD=$build XD_BED=$bed XD_CACHE=$cache XD_TEST_SLOWDOWN=$slow"
    if [ "$bed" = uml ]; then
        mkdir -p "$d/umldir"
        timeout -k 10 $((total + 60 * slow)) "$uml" mem="$mem" rootfstype=hostfs rootflags=/ rw \
            init="$here/guest/init.sh" con=null con0=fd:0,fd:1 uml_dir="$d/umldir" $vars \
            </dev/null >"$d/console.log" 2>&1 &
    else
        # TCG only (KVM is not usable on the project's machines); the scenarios are slower here
        timeout -k 10 $((total * 2 + 120 * slow)) "$qemu" -accel tcg -m "$mem" -smp 1 -nographic -no-reboot \
            -kernel "$cache/qemu/root/boot/vmlinuz-$kver" -initrd "$cache/qemu/initrd-$kver.cpio.gz" \
            -virtfs local,path=/,mount_tag=hostroot,security_model=passthrough,multidevs=remap \
            -nic none -append "console=ttyS0 panic=-1 quiet XD_INIT=$here/guest/init.sh $vars XD_MODDIR=$cache/qemu/root/lib/modules" \
            </dev/null >"$d/console.log" 2>&1 &
    fi
    pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done
wall=$(( $(date +%s) - start ))

# collect
fail=0 npass=0 nfail=0 nskip=0
summary=$res/summary
: >"$summary"
for ((b = 0; b < jobs; b++)); do
    d=$res/boot-$b
    [ -e "$d/finished" ] || { echo "FAIL boot-$b: guest did not finish (see $d/console.log)"; fail=1; }
    # kernel splats on the console (testing.md §5 item 5)
    if grep -nE '(^|\] )(BUG:|WARNING:|Kernel panic|Oops)|assertion' "$d/console.log" >"$d/splats" 2>/dev/null; then
        echo "FAIL boot-$b: kernel console:"; sed 's/^/    /' "$d/splats" | head; fail=1
    fi
    while read -r s _; do
        n=$(basename "$s" .sh)
        line=$(grep -m1 " $n " "$d/results" 2>/dev/null) || line="FAIL $n - did not report (guest crashed or timed out)"
        echo "$line" >>"$summary"
    done <"$d/plan"
    cat "$d/checks" >>"$res/checks" 2>/dev/null
done
printf '%-6s %-40s %6s  %s\n' RESULT SCENARIO SECONDS NOTE
while read -r st n t rest; do
    printf '%-6s %-40s %6s  %s\n' "$st" "$n" "$t" "$rest"
    case $st in PASS) npass=$((npass + 1)) ;; SKIP) nskip=$((nskip + 1)) ;; *) nfail=$((nfail + 1)); fail=1 ;; esac
done < <(sort -k2 "$summary")
if grep -q '^FAIL' "$res/checks" 2>/dev/null; then
    echo "failed checks:"; grep '^FAIL' "$res/checks" | sed 's/^/    /'
fi
nskipc=$(grep -c '^SKIP' "$res/checks" 2>/dev/null); nskipc=${nskipc:-0}
echo "testbed-$bed: $((npass + nfail)) scenarios ran ($npass passed, $nfail failed), $nskip skipped; $nskipc checks skipped; wall ${wall}s"
[ "$nskipc" -gt 0 ] && grep '^SKIP' "$res/checks" | sed 's/^/    /'
[ $fail = 0 ] || exit 1
[ $npass -gt 0 ] || skip "every scenario skipped"
exit 0
