#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Scale benchmark on a real kernel with ESP, not a test: N SAs and N policies (N/2 tunnels)
# are installed with `ip -batch`, then bench-guest.py measures side by side:
#   ip -s xfrm state list, ip xfrm policy list   (what a user runs)
#   dump-floor                                     (the kernel's own dump cost)
#   xfrmctl show sa --json, xfrmctl check --json   (xfrmd's CLI)
#   xfrmd: start-up resync, idle CPU, resident memory per SA
# Usage (root): tests/bench/bench-kernel.sh BUILDDIR [N ...]   (default 10000 50000 100000)
# XD_BENCH_BED=uml (default: User-Mode Linux, mem=3500M) or qemu (Debian's kernel under TCG,
# prepared by tests/kernel/prepare-qemu.sh). Prints a Markdown table; see tests/bench/README.md.
#
#   host ── guest kernel (root = this machine's / over hostfs or 9p) ── this script as init
set -uo pipefail
if [ "${XD_BENCH_GUEST:-}" != 1 ]; then
    build=$(cd "${1:?usage: bench-kernel.sh BUILDDIR [N...]}" && pwd); shift
    here=$(cd "$(dirname "$0")" && pwd)
    bed=${XD_BENCH_BED:-uml}
    cache=${XD_CACHE:-/var/cache/xfrmd-tests}
    [ "$(id -u)" = 0 ] || { echo "needs root"; exit 1; }
    [ -x /usr/bin/time ] || { echo "needs GNU time (package time)"; exit 1; }
    ninja -C "$build" tests/bench/dump-floor tools/xfrmctl/xfrmctl xfrmd/daemon/xfrmd >/dev/null
    out=$build/bench-kernel-$bed; rm -rf "$out"; mkdir -p "$out"
    sizes=$(echo "${*:-10000 50000 100000}" | tr ' ' ,) # the kernel command line splits on spaces
    vars="XD_BENCH_GUEST=1 XD_BENCH_BED=$bed XD_BUILD=$build XD_OUT=$out XD_SIZES=$sizes"
    if [ "$bed" = qemu ]; then
        kver=$(cat "$cache/qemu/current" 2>/dev/null) || { echo "run tests/kernel/prepare-qemu.sh first"; exit 1; }
        # TCG: KVM is not usable on the project's machines
        qemu-system-x86_64 -accel tcg -m 3500 -smp 1 -nographic -no-reboot \
            -kernel "$cache/qemu/root/boot/vmlinuz-$kver" -initrd "$cache/qemu/initrd-$kver.cpio.gz" \
            -virtfs local,path=/,mount_tag=hostroot,security_model=passthrough,multidevs=remap \
            -nic none -append "console=ttyS0 panic=-1 quiet XD_INIT=$here/bench-kernel.sh $vars XD_MODDIR=$cache/qemu/root/lib/modules" \
            </dev/null >"$out/console.log" 2>&1
    else
        [ -x /usr/bin/linux.uml ] || { echo "needs user-mode-linux"; exit 1; }
        # UML maps guest memory in many pieces; 100k SAs need more maps than the default
        old=$(sysctl -n vm.max_map_count); sysctl -qw vm.max_map_count=1048576
        trap 'sysctl -qw vm.max_map_count=$old' EXIT
        /usr/bin/linux.uml mem=3500M rootfstype=hostfs rootflags=/ rw con=null con0=fd:0,fd:1 \
            init="$here/bench-kernel.sh" $vars </dev/null >"$out/console.log" 2>&1
    fi
    cat "$out/table.md" 2>/dev/null || { echo "no results; see $out/console.log"; exit 1; }
    exit 0
fi

# --- inside the guest (PID 1) ---
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc; mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
. "$(dirname "$0")/../lib/guest-tmpfs.sh"
XD_KEEP="$(cd "$(dirname "$0")/../.." && pwd) $XD_BUILD $XD_OUT" xd_guest_tmpfs 1777 /tmp /run
moddir=/usr/lib/uml/modules; [ "$XD_BENCH_BED" = qemu ] && moddir=$XD_MODDIR
mkdir -p /run/mod/lib/modules /run/bin; mount --bind "$moddir" /run/mod/lib/modules
# the kernel autoloads algorithm modules through this helper (never touching the host's /lib)
printf '#!/bin/sh\nexec /sbin/modprobe -d /run/mod "$@"\n' >/run/bin/modprobe; chmod 755 /run/bin/modprobe
echo /run/bin/modprobe >/proc/sys/kernel/modprobe
modprobe -d /run/mod -a xfrm_user esp4 gcm ctr ghash-generic aes_generic seqiv 2>/dev/null
ip link set lo up
# /etc from memory, as a real machine reads it from its page cache: over 9p or hostfs every
# open of a configuration or certificate directory is a round trip to the host (about 1 ms
# under qemu), 30 ms of each `check` at any N. The same files, so the same diagnosis.
mkdir -p /run/etc && cp -a /etc/. /run/etc/ && mount --bind /run/etc /etc
b=$XD_BUILD; out=$XD_OUT
{
echo "Kernel $(uname -r) ($XD_BENCH_BED), $(date -u +%Y-%m-%d)"
echo
echo "| SAs (+ policies) | command | wall s | CPU s | peak RSS MiB | × ip | × floor |"
echo "|---:|---|---:|---:|---:|---:|---:|"
for n in ${XD_SIZES//,/ }; do
    ip xfrm state flush; ip xfrm policy flush
    # hash subnet policies (out: src /16, dst /24; fwd the other way round) as a concentrator
    # with a large SPD is set up; left inexact, 6.1 inserts each one at the end of a list of
    # all of them, which makes installing 50k policies take minutes under qemu
    ip xfrm policy set hthresh4 16 24
    python3 - "$n" >/tmp/batch <<'PY'
import sys
n = int(sys.argv[1]) // 2
key = "0x" + "00" * 20
for t in range(n):
    p = f"100.{t >> 16 & 255}.{t >> 8 & 255}.{t & 255}"
    for d, (s, dd) in enumerate((("192.0.2.1", p), (p, "192.0.2.1"))):
        print(f"xfrm state add src {s} dst {dd} proto esp spi {0x10000 + 2 * t + d} reqid {t + 1} "
              f"mode tunnel aead 'rfc4106(gcm(aes))' {key} 128")
    print(f"xfrm policy add src 10.0.0.0/16 dst 11.{t >> 8 & 255}.{t & 255}.0/24 dir out "
          f"tmpl src 192.0.2.1 dst {p} proto esp reqid {t + 1} mode tunnel")
    print(f"xfrm policy add src 11.{t >> 8 & 255}.{t & 255}.0/24 dst 10.0.0.0/16 dir fwd "
          f"tmpl src {p} dst 192.0.2.1 proto esp reqid {t + 1} mode tunnel")
PY
    t0=$(date +%s.%N)
    ip -batch /tmp/batch || echo "ip -batch failed at n=$n" >&2
    echo "n=$n: installed in $(awk "BEGIN { print $(date +%s.%N) - $t0 }") s" >&2
    got=$(ip xfrm state count | grep -o '[0-9]*' | head -1)
    [ "$got" = "$n" ] || echo "only $got of $n SAs installed" >&2
    python3 "$(dirname "$0")/bench-guest.py" "$b" "$n"
done
} >"$out/table.md" 2>"$out/guest.err"
sync
echo o >/proc/sysrq-trigger; poweroff -f
