#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# xfrmd with real ESP SAs: Debian's User-Mode Linux kernel (this machine's kernel has no ESP).
#
#   host ── linux.uml (root = host / over hostfs, writes on tmpfs) ── daemon-uml-guest.sh
#           guest: 192.0.2.1 (lo) ==ESP tunnel, reqid 1, canary keys== 198.51.100.7
#
# The guest (daemon-uml-guest.py) starts xfrmd, deletes the inbound SA with `ip xfrm state
# delete`, and checks: xfrm.sa_deleted on watch, sa.one_way raised and cleared when the SA
# returns (waits poll with bounds scaled by tests/lib/slowdown.sh), SA events scrubbed (no canary
# key byte in any reply, event, metric or log). Results come back as PASS/FAIL lines.
set -u
XFRMD=${XFRMD:?}
UML=${XD_UML:-/usr/bin/linux.uml}
skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root"
[ -x "$UML" ] || skip "$UML missing (apt-get install user-mode-linux)"
[ -d /usr/lib/uml/modules ] || skip "/usr/lib/uml/modules missing"
command -v modprobe >/dev/null || skip "modprobe missing (kmod)"
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/slowdown.sh"
slow=$(xd_slowdown)   # the guest cannot see the host's load: it gets the factor from us
build=$(cd "$(dirname "$XFRMD")/../.." && pwd)
made_libmod=0
[ -d /lib/modules ] || { mkdir /lib/modules && made_libmod=1; }
# the guest covers /tmp with a tmpfs: results go under the build directory
work=$(mkdir -p "$build/tests" && mktemp -d "$build/tests/daemon-uml.XXXXXX")
trap '[ $made_libmod = 1 ] && rmdir /lib/modules 2>/dev/null; [ "${KEEP:-0}" = 1 ] || rm -rf "$work"' EXIT
mkdir -p "$work/out" "$work/umldir"
timeout -k 5 $((240 * slow)) "$UML" mem=512M rootfstype=hostfs rootflags=/ rw \
    init="$here/daemon-uml-guest.sh" con=null con0=fd:0,fd:1 uml_dir="$work/umldir" \
    XDU_OUT="$work/out" XDU_XFRMD="$XFRMD" XDU_XFRMCTL="${XFRMCTL:-}" XDU_DIR="$here" XD_TEST_SLOWDOWN="$slow" \
    </dev/null >"$work/console.log" 2>&1
if [ ! -e "$work/out/finished" ]; then
    grep -v '^ \[<' "$work/console.log" | tail -40
    echo "FAIL: the guest did not finish"
    exit 1
fi
cat "$work/out/results"
grep -q '^SKIP' "$work/out/results" && exit 77
grep -q '^FAIL' "$work/out/results" && { tail -20 "$work/out/xfrmd.log"; exit 1; }
grep -q '^PASS' "$work/out/results" || exit 1
exit 0
