#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Prepare the qemu bed in a cache outside the repository (XD_CACHE, default
# /var/cache/xfrmd-tests): Debian's newest linux-image-6.1.0-*-amd64 fetched with `apt-get download`
# and unpacked with `dpkg -x`, `depmod -b` on it, and a busybox-static initramfs that loads the
# virtio and 9p modules and switch_roots into this machine's / shared over 9p.
#
#   $XD_CACHE/qemu/root/boot/vmlinuz-VER, root/lib/modules/VER   (the kernel package)
#   $XD_CACHE/qemu/initrd-VER.cpio.gz                            (busybox + 9p/virtio modules)
#   $XD_CACHE/qemu/current                                       (VER)
# Prints the reason and exits 77 when something is missing. XD_QEMU_KPKG pins the package name.
set -euo pipefail
cache=${XD_CACHE:-/var/cache/xfrmd-tests}/qemu
mkdir -p "$cache"
cd "$cache"
skip() { echo "SKIP: $*"; exit 77; }
command -v busybox >/dev/null || [ -x /bin/busybox ] || skip "busybox-static not installed"
command -v depmod >/dev/null || skip "kmod (depmod) not installed"

pkg=${XD_QEMU_KPKG:-}
if [ -z "$pkg" ]; then
    if [ -s current ] && [ -d "root/lib/modules/$(cat current)" ]; then
        pkg=linux-image-$(cat current)
    else
        pkg=$(apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-amd64$' | awk '{print $1}' | sort -V | tail -1)
    fi
fi
[ -n "$pkg" ] || skip "no linux-image-6.1.0-*-amd64 package known to apt (apt-get update?)"
ver=${pkg#linux-image-}

if [ ! -f "root/boot/vmlinuz-$ver" ]; then
    rm -f linux-image-*.deb
    apt-get download "$pkg" >/dev/null 2>&1 || skip "apt-get download $pkg failed"
    rm -rf root
    dpkg -x linux-image-*.deb root
    rm -f linux-image-*.deb
fi
[ -f "root/lib/modules/$ver/modules.dep" ] && [ "root/lib/modules/$ver/modules.dep" -nt "root/boot/vmlinuz-$ver" ] ||
    depmod -b "$cache/root" "$ver"

initrd=$cache/initrd-$ver.cpio.gz
if [ ! -s "$initrd" ]; then
    w=$(mktemp -d)
    trap 'rm -rf "$w"' EXIT
    mkdir -p "$w"/{bin,dev,proc,sys,newroot,mods}
    cp "$(command -v busybox || echo /bin/busybox)" "$w/bin/busybox"
    for a in sh mount mkdir insmod switch_root cat echo sleep poweroff; do ln -s busybox "$w/bin/$a"; done
    # modules for virtio-pci and 9p, in load order
    modprobe -d "$cache/root" -S "$ver" -a --show-depends virtio_pci 9pnet_virtio 9p 2>/dev/null |
        awk '$1 == "insmod" {print $2}' | awk '!seen[$0]++' >"$w/order.full"
    : >"$w/mods/order"
    while read -r m; do
        cp "$m" "$w/mods/"
        basename "$m" >>"$w/mods/order"
    done <"$w/order.full"
    cat >"$w/init" <<'EOI'
#!/bin/sh
# initramfs: load virtio + 9p, mount this machine's / (9p tag hostroot), switch_root into XD_INIT
mount -t proc proc /proc
mount -t devtmpfs dev /dev
for m in $(cat /mods/order); do insmod /mods/$m 2>/dev/null; done
if ! mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144,access=any hostroot /newroot; then
    echo "xd-initramfs: cannot mount hostroot over 9p"; echo o >/proc/sysrq-trigger; sleep 5
fi
umount /proc /dev 2>/dev/null
exec switch_root /newroot "${XD_INIT:-/sbin/init}"
EOI
    chmod 755 "$w/init"
    (cd "$w" && find . -path ./order.full -prune -o -print | cpio -o -H newc 2>/dev/null | gzip -1) >"$initrd.tmp"
    mv "$initrd.tmp" "$initrd"
fi
echo "$ver" >current
echo "qemu bed ready: $ver"
