#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# kernel-guest.sh: PID 1 of the kernel-profile guests (UML: init=THIS; qemu: switch_root'ed
# to by the initramfs). The root file system is the host's /: every directory written is a
# tmpfs first. Probes the kernel twice with xfrmctl (before and after loading ESP/AH/IPComp)
# and by hand (modules.builtin, modprobe -n, an ESP SA install), writes everything to
# $XDK_OUT for the host side (kernel-uml.sh / kernel-qemu.sh) to compare, and powers off.
#
# Kernel command line variables: XDK_OUT XDK_XFRMCTL XDK_MODDIR [XDK_BOOTDIR]
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null || mount -t tmpfs dev /dev
[ -e /dev/null ] || mknod -m 666 /dev/null c 1 3
# keep the project tree reachable when it lives under a covered directory (CI may use /tmp)
. "$(dirname "$0")/../lib/guest-tmpfs.sh"
XD_KEEP="$(cd "$(dirname "$0")/../.." && pwd) $XDK_OUT" xd_guest_tmpfs 1777 /tmp /run /var/tmp
# before any module can load (nothing bound on /lib/modules yet): a kernel whose xfrm_user
# is a module cannot autoload it, which is the kernel.xfrm_user_missing case
"$XDK_XFRMCTL" -j check >"$XDK_OUT/nomod-check.json" 2>"$XDK_OUT/nomod-check.err"
# /lib/modules exists for the run (the host side makes sure); /boot is bound only if given
mount --bind "$XDK_MODDIR" /lib/modules || echo "cannot bind $XDK_MODDIR onto /lib/modules" >"$XDK_OUT/bind-failed"
[ -n "${XDK_BOOTDIR:-}" ] && mount --bind "$XDK_BOOTDIR" /boot
ip link set lo up
OUT=$XDK_OUT
X=$XDK_XFRMCTL
rel=$(uname -r)
for m in xfrm_user esp4 esp6 ah4 ah6 ipcomp ipcomp6 xfrm_interface ip_vti ip6_vti af_key \
         xfrm_iptfs nf_tables nft_xfrm ip_tables xt_policy xt_esp udp_diag xfrm_compat; do
    if grep -q "/$m.ko" "/lib/modules/$rel/modules.builtin"; then echo "$m builtin"
    elif modprobe -n -q "$m" 2>/dev/null; then echo "$m loadable"
    else echo "$m no"; fi
done >"$OUT/byhand"
cfg=/boot/config-$rel
{ zcat /proc/config.gz 2>/dev/null || cat "$cfg" 2>/dev/null; } >"$OUT/config"
[ -e /proc/net/xfrm_stat ] && echo yes >"$OUT/xfrm_stat" || echo no >"$OUT/xfrm_stat"
"$X" -j show kernel >"$OUT/k0.json" 2>"$OUT/k0.err"
lsmod >"$OUT/lsmod0" 2>/dev/null
if ip xfrm state add src 10.0.0.1 dst 10.0.0.2 proto esp spi 0x100 mode tunnel \
    enc 'cbc(aes)' 0x00112233445566778899aabbccddeeff auth 'hmac(sha256)' \
    0x00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff >"$OUT/sa-add" 2>&1; then
    echo ok >>"$OUT/sa-add"
else
    echo failed >>"$OUT/sa-add"
fi
for m in esp4 ah4 ipcomp af_key; do modprobe "$m" 2>/dev/null; done
"$X" -j show kernel >"$OUT/k1.json" 2>"$OUT/k1.err"
lsmod >"$OUT/lsmod1" 2>/dev/null
echo done >"$OUT/finished"
sync
echo o >/proc/sysrq-trigger
poweroff -f
