#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Scale benchmark on a real kernel with ESP (User-Mode Linux), not a test: N SAs and N
# policies (N/2 tunnels) are installed with `ip -batch`, then measured side by side:
#   ip -s xfrm state list, ip xfrm policy list   (what a user runs)
#   dump-floor                                     (the kernel's own dump cost)
#   xfrmctl show sa --json, xfrmctl check --json   (xfrmd)
# Usage (root): tests/bench/bench-kernel.sh BUILDDIR [N ...]   (default 10000 50000 100000)
# Prints a Markdown table; see tests/bench/README.md.
#
#   host ── linux.uml (mem=3500M, root = this machine's / over hostfs) ── this script as init
set -uo pipefail
if [ "${XD_BENCH_GUEST:-}" != 1 ]; then
    build=$(cd "${1:?usage: bench-kernel.sh BUILDDIR [N...]}" && pwd); shift
    here=$(cd "$(dirname "$0")" && pwd)
    [ "$(id -u)" = 0 ] || { echo "needs root"; exit 1; }
    [ -x /usr/bin/linux.uml ] || { echo "needs user-mode-linux"; exit 1; }
    ninja -C "$build" tests/bench/dump-floor tools/xfrmctl/xfrmctl >/dev/null
    out=$build/bench-kernel; rm -rf "$out"; mkdir -p "$out"
    # UML maps guest memory in many pieces; 100k SAs need more maps than the default
    old=$(sysctl -n vm.max_map_count); sysctl -qw vm.max_map_count=1048576
    trap 'sysctl -qw vm.max_map_count=$old' EXIT
    /usr/bin/linux.uml mem=3500M rootfstype=hostfs rootflags=/ rw con=null con0=fd:0,fd:1 \
        init="$here/bench-kernel.sh" XD_BENCH_GUEST=1 XD_BUILD="$build" XD_OUT="$out" \
        XD_SIZES="$(echo "${*:-10000 50000 100000}" | tr ' ' ,)" </dev/null >"$out/console.log" 2>&1
    cat "$out/table.md" 2>/dev/null || { echo "no results; see $out/console.log"; exit 1; }
    exit 0
fi

# --- inside the guest (PID 1) ---
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc; mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
. "$(dirname "$0")/../lib/guest-tmpfs.sh"
XD_KEEP="$(cd "$(dirname "$0")/../.." && pwd) $XD_BUILD $XD_OUT" xd_guest_tmpfs 1777 /tmp /run
mkdir -p /run/mod/lib/modules /run/bin; mount --bind /usr/lib/uml/modules /run/mod/lib/modules
# the kernel autoloads algorithm modules through this helper (never touching the host's /lib)
printf '#!/bin/sh\nexec /sbin/modprobe -d /run/mod "$@"\n' >/run/bin/modprobe; chmod 755 /run/bin/modprobe
echo /run/bin/modprobe >/proc/sys/kernel/modprobe
modprobe -d /run/mod -a xfrm_user esp4 gcm ctr ghash-generic aes_generic seqiv 2>/dev/null
ip link set lo up
b=$XD_BUILD; out=$XD_OUT
{
echo "| SAs (+ policies) | command | wall s | peak RSS MiB |"
echo "|---:|---|---:|---:|"
for n in ${XD_SIZES//,/ }; do # commas: the kernel command line splits on spaces
    ip xfrm state flush; ip xfrm policy flush
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
    ip -batch /tmp/batch || echo "ip -batch failed at n=$n" >&2
    got=$(ip xfrm state count | grep -o '[0-9]*' | head -1)
    [ "$got" = "$n" ] || echo "only $got of $n SAs installed" >&2
    for cmd in "ip -s xfrm state list" "ip xfrm policy list" "$b/tests/bench/dump-floor" \
               "$b/tools/xfrmctl/xfrmctl show sa --json" "$b/tools/xfrmctl/xfrmctl check --json"; do
        python3 - "$n" $cmd <<'PY'
import os, sys, time
n, cmd = sys.argv[1], sys.argv[2:]
best = None
for _ in range(3):
    t0 = time.monotonic()
    pid = os.fork()
    if pid == 0:
        fd = os.open(os.devnull, os.O_WRONLY); os.dup2(fd, 1)
        os.execvp(cmd[0], cmd)
    _, st, ru = os.wait4(pid, 0)
    w = time.monotonic() - t0
    if best is None or w < best[0]:
        best = (w, ru.ru_maxrss / 1024)
name = " ".join([os.path.basename(cmd[0])] + cmd[1:])
print(f"| {int(n):,} | `{name}` | {best[0]:.2f} | {best[1]:.0f} |")
PY
    done
done
} >"$out/table.md" 2>"$out/guest.err"
sync
echo o >/proc/sysrq-trigger; poweroff -f
