#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# kernel-uml.sh: Debian's User-Mode Linux kernel, probed by xfrmctl and by hand
# (kernel-guest.sh is the guest's init; kernel-compare.sh compares). Every
# capability xfrmctl calls usable must be loadable (or built in) and vice versa, loaded
# modules must show as loaded, and an ESP SA must install exactly when esp4 is usable.
#
#   host ── linux.uml (root = host / over hostfs, writes on tmpfs) ── guest script
#
# The guest binds /usr/lib/uml/modules onto /lib/modules (DESIGN.md §9); if the host has no
# /lib/modules directory it is created for the run and removed afterwards.
set -u
source "$(dirname "$0")/stack-lib.sh"
stack_require_root
UML=${XD_UML:-/usr/bin/linux.uml}
[ -x "$UML" ] || skip "$UML missing (apt-get install user-mode-linux)"
[ -d /usr/lib/uml/modules ] || skip "/usr/lib/uml/modules missing"
command -v modprobe >/dev/null || skip "modprobe missing (kmod)"
made_libmod=0
cleanup() {
    [ "$made_libmod" = 1 ] && rmdir /lib/modules 2>/dev/null
    [ "${KEEP:-0}" = 1 ] || rm -rf "$WORK"
}
trap cleanup EXIT
KEEP=${KEEP:-0}
if [ ! -d /lib/modules ]; then mkdir /lib/modules && made_libmod=1; fi

# the guest covers /tmp with a tmpfs: results go under the build directory instead
rm -rf "$WORK"
WORK=$(mkdir -p "$BUILD/tests" && mktemp -d "$BUILD/tests/kernel-uml-kstack.XXXXXX")
OUT=$WORK/out
mkdir -p "$OUT" "$WORK/umldir"
timeout -k 5 $((120 * XD_SLOW)) "$UML" mem=512M rootfstype=hostfs rootflags=/ rw \
    init="$(cd "$(dirname "$0")" && pwd)/kernel-guest.sh" con=null con0=fd:0,fd:1 \
    uml_dir="$WORK/umldir" XDK_OUT="$OUT" XDK_XFRMCTL="$XFRMCTL" XDK_MODDIR=/usr/lib/uml/modules \
    </dev/null >"$WORK/console.log" 2>&1
[ -e "$OUT/finished" ] || { grep -v "^ \[<" "$WORK/console.log" | tail -40; }
source "$(dirname "$0")/kernel-compare.sh"
compare_guest "$OUT"
finish
