# SPDX-License-Identifier: GPL-2.0-or-later
# guest-tmpfs.sh: sourced by the PID-1 scripts of the test guests (UML, qemu), whose root file
# system is this machine's /. They cover every directory the guest writes with a tmpfs so the
# host is never written — but the project tree (source, build, results) may itself live under
# one of those directories (CI may clone into /tmp). xd_guest_tmpfs keeps such paths visible
# at the same place by binding them back over the new tmpfs.
#
# usage: XD_KEEP="path ..." xd_guest_tmpfs MODE DIR...     (needs /dev mounted first)
xd_guest_tmpfs() {
    local mode=$1 d k n=0
    shift
    for d in "$@"; do
        [ -d "$d" ] || continue
        local keeps=()
        for k in ${XD_KEEP:-}; do
            case "$k/" in "$d"/*) keeps+=("$k") ;; esac
        done
        if [ ${#keeps[@]} -gt 0 ]; then
            mkdir -p "/dev/xd-keep-$n"
            mount --bind "$d" "/dev/xd-keep-$n"
        fi
        mount -t tmpfs -o mode="$mode" xdtmp "$d"
        for k in "${keeps[@]}"; do
            mkdir -p "$k"
            mount --bind "/dev/xd-keep-$n${k#"$d"}" "$k"
        done
        n=$((n + 1))
    done
}
