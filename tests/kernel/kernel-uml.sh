#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# kernel-uml.sh: Debian's User-Mode Linux kernel, probed by xfrmctl and by hand. Inside the
# guest: `xfrmctl -j show kernel` before any module is loaded, `modprobe -n` per module
# (the by-hand answer), then modprobe esp4/ah4/ipcomp and again `show kernel`. Here: every
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
MODS="xfrm_user esp4 esp6 ah4 ah6 ipcomp ipcomp6 xfrm_interface ip_vti ip6_vti af_key xfrm_iptfs nf_tables nft_xfrm ip_tables xt_policy xt_esp udp_diag xfrm_compat"
cat >"$WORK/guest.sh" <<EOG
#!/bin/bash
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc; mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null || mount -t tmpfs dev /dev
[ -e /dev/null ] || mknod -m 666 /dev/null c 1 3
for d in /tmp /run /var/tmp; do mount -t tmpfs -o mode=1777 xdtmp \$d; done
mount --bind /usr/lib/uml/modules /lib/modules
ip link set lo up
for m in $MODS; do
    if grep -q "/\$m.ko" /lib/modules/\$(uname -r)/modules.builtin; then echo "\$m builtin"
    elif modprobe -n -q \$m 2>/dev/null; then echo "\$m loadable"
    else echo "\$m no"; fi
done >$OUT/byhand
zcat /proc/config.gz >$OUT/config 2>/dev/null
[ -e /proc/net/xfrm_stat ] && echo yes >$OUT/xfrm_stat || echo no >$OUT/xfrm_stat
$XFRMCTL -j show kernel >$OUT/k0.json 2>$OUT/k0.err
lsmod >$OUT/lsmod0
ip xfrm state add src 10.0.0.1 dst 10.0.0.2 proto esp spi 0x100 mode tunnel \
    enc 'cbc(aes)' 0x00112233445566778899aabbccddeeff auth 'hmac(sha256)' \
    0x00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff >$OUT/sa-add 2>&1 &&
    echo ok >>$OUT/sa-add || echo failed >>$OUT/sa-add
for m in esp4 ah4 ipcomp af_key; do modprobe \$m 2>/dev/null; done
$XFRMCTL -j show kernel >$OUT/k1.json 2>$OUT/k1.err
lsmod >$OUT/lsmod1
echo done >$OUT/finished
sync
echo o >/proc/sysrq-trigger; poweroff -f
EOG
chmod +x "$WORK/guest.sh"
timeout -k 5 120 "$UML" mem=512M rootfstype=hostfs rootflags=/ rw init="$WORK/guest.sh" \
    con=null con0=fd:0,fd:1 uml_dir="$WORK/umldir" </dev/null >"$WORK/console.log" 2>&1
[ -e "$OUT/finished" ] || { grep -v "^ \[<" "$WORK/console.log" | tail -40; echo "FAIL: guest did not finish"; exit 1; }

rel=$(jq -r .kernel.release "$OUT/k0.json")
echo "UML kernel $rel; by hand:" $(tr '\n' ' ' <"$OUT/byhand")
# module name -> xfrmctl capability name
cap_of() { case $1 in ipcomp) echo ipcomp4 ;; ip_vti) echo vti4 ;; ip6_vti) echo vti6 ;; *) echo "$1" ;; esac; }
while read -r mod hand; do
    cap=$(cap_of "$mod")
    st=$(jq -r --arg c "$cap" '.kernel.capabilities[$c].state // "n/a"' "$OUT/k0.json")
    case $hand:$st in
    builtin:builtin | builtin:in_use) pass "$cap: built in, xfrmctl says $st" ;;
    loadable:available | loadable:loaded | loadable:in_use) pass "$cap: loadable, xfrmctl says $st" ;;
    no:missing | no:not_installed) pass "$cap: not available, xfrmctl says $st" ;;
    *) fail "$cap: by hand '$hand', xfrmctl '$st' ($(jq -r --arg c "$cap" '.kernel.capabilities[$c].evidence' "$OUT/k0.json"))" ;;
    esac
done <"$OUT/byhand"

for m in esp4 ah4; do
    if grep -q "^$m " "$OUT/lsmod1"; then
        st=$(jq -r --arg c "$m" '.kernel.capabilities[$c].state' "$OUT/k1.json")
        # in_use is stronger still (the SA installed above proves esp4)
        case $st in loaded | in_use) pass "$m after modprobe: $st" ;; *) fail "$m after modprobe: $st" ;; esac
    fi
done
esp=$(jq -r '.kernel.capabilities.esp4.state' "$OUT/k0.json")
if grep -q '^ok' "$OUT/sa-add"; then
    case $esp in available | loaded | builtin | in_use) pass "ESP SA installs; esp4 was $esp" ;;
    *) fail "ESP SA installs but esp4 was $esp" ;; esac
else
    case $esp in missing | not_installed) pass "ESP SA refused; esp4 was $esp" ;;
    *) fail "ESP SA refused ($(head -1 "$OUT/sa-add")) but esp4 was $esp" ;; esac
fi
stat_file=$(jq -r '.kernel.capabilities.xfrm_statistics.state' "$OUT/k0.json")
[ "$(cat "$OUT/xfrm_stat")" = yes ] && want=in_use || want=missing
[ "$stat_file" = "$want" ] && pass "xfrm_statistics $stat_file (/proc/net/xfrm_stat agrees)" ||
    fail "xfrm_statistics $stat_file, /proc/net/xfrm_stat says $want"
echo "features:" $(jq -r '.kernel.features | to_entries | map(.key + "=" + .value.state) | join(" ")' "$OUT/k0.json")
finish
