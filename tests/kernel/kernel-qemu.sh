#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# kernel-qemu.sh: Debian's linux-image-6.1 kernel under qemu (TCG), probed by xfrmctl and by
# hand like kernel-uml.sh (same guest init, same comparison). The kernel package is
# unpacked into a cache outside the repository (XDK_QEMU_CACHE, default
# /var/cache/xfrmd-tests/kstack-qemu; fetched with apt-get download when missing). A busybox
# initramfs loads virtio + 9p and switch_roots into this machine's / shared over 9p.
#
#   host ── qemu-system-x86_64 -kernel vmlinuz -initrd (busybox, 9p modules)
#             └─ 9p root = host / ── kernel-guest.sh (tmpfs over every written directory)
set -u
source "$(dirname "$0")/stack-lib.sh"
stack_require_root
QEMU=$(command -v qemu-system-x86_64) || skip "qemu-system-x86_64 missing"
BUSYBOX=$(command -v busybox) || skip "busybox missing (busybox-static)"
file -L "$BUSYBOX" | grep -q 'statically linked' || skip "busybox is not static (busybox-static)"
CACHE=${XDK_QEMU_CACHE:-/var/cache/xfrmd-tests/kstack-qemu}
if ! ls "$CACHE"/root/boot/vmlinuz-* >/dev/null 2>&1; then
    mkdir -p "$CACHE" && (cd "$CACHE" &&
        pkg=$(apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-amd64-unsigned$' | sort -V | tail -1 | cut -d' ' -f1) &&
        [ -n "$pkg" ] && apt-get download "$pkg" >/dev/null 2>&1 && dpkg -x linux-image-*.deb root) ||
        skip "no Debian 6.1 kernel in $CACHE and apt-get download failed"
fi
KVER=$(ls "$CACHE/root/lib/modules" | head -1)
[ -e "$CACHE/root/lib/modules/$KVER/modules.dep" ] || depmod -b "$CACHE/root" "$KVER"

made_libmod=0
cleanup() {
    [ "$made_libmod" = 1 ] && rmdir /lib/modules 2>/dev/null
    [ "${KEEP:-0}" = 1 ] || rm -rf "$WORK"
}
trap cleanup EXIT
if [ ! -d /lib/modules ]; then mkdir /lib/modules && made_libmod=1; fi
rm -rf "$WORK"
WORK=$(mkdir -p "$BUILD/tests" && mktemp -d "$BUILD/tests/kernel-qemu-kstack.XXXXXX")
OUT=$WORK/out
mkdir -p "$OUT" "$WORK/initrd/bin" "$WORK/initrd/mod" "$WORK/initrd/newroot" "$WORK/initrd/proc" \
    "$WORK/initrd/sys" "$WORK/initrd/dev"

# initramfs: busybox + the modules 9p over virtio needs, in dependency order
cp "$BUSYBOX" "$WORK/initrd/bin/busybox"
mods=$(for m in virtio_pci 9pnet_virtio 9p; do
           modprobe -d "$CACHE/root" -S "$KVER" --show-depends "$m" | awk '$1 == "insmod" {print $2}'
       done | awk '!seen[$0]++')
i=0
for m in $mods; do
    i=$((i + 1))
    case $m in
    *.ko.xz) xz -dc "$m" >"$WORK/initrd/mod/$(printf %02d $i).ko" ;;
    *.ko.zst) zstd -qdc "$m" >"$WORK/initrd/mod/$(printf %02d $i).ko" ;;
    *) cp "$m" "$WORK/initrd/mod/$(printf %02d $i).ko" ;;
    esac
done
cat >"$WORK/initrd/init" <<'EOI'
#!/bin/busybox sh
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sys /sys
/bin/busybox mount -t devtmpfs dev /dev
for m in /mod/*.ko; do /bin/busybox insmod "$m"; done
/bin/busybox mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 hostroot /newroot ||
    { echo "xdk: 9p mount failed"; /bin/busybox poweroff -f; }
/bin/busybox umount /proc /sys
/bin/busybox mount --move /dev /newroot/dev
exec /bin/busybox switch_root /newroot "$XDK_INIT"
EOI
chmod +x "$WORK/initrd/init"
CPIO="cpio"; command -v cpio >/dev/null || CPIO="$BUSYBOX cpio"
(cd "$WORK/initrd" && find . | $CPIO -o -H newc | gzip -1) >"$WORK/initrd.gz" ||
    { echo "FAIL: initramfs"; exit 1; }

start=$(date +%s)
timeout -k 5 $((600 * XD_SLOW)) "$QEMU" -m 1024 -nographic -no-reboot -smp 2 \
    -kernel "$CACHE/root/boot/vmlinuz-$KVER" -initrd "$WORK/initrd.gz" \
    -virtfs local,path=/,mount_tag=hostroot,security_model=passthrough,multidevs=remap \
    -append "console=ttyS0 panic=-1 quiet XDK_INIT=$(cd "$(dirname "$0")" && pwd)/kernel-guest.sh XDK_OUT=$OUT XDK_XFRMCTL=$XFRMCTL XDK_MODDIR=$CACHE/root/lib/modules XDK_BOOTDIR=$CACHE/root/boot" \
    </dev/null >"$WORK/console.log" 2>&1
echo "qemu run took $(( $(date +%s) - start )) s"
[ -e "$OUT/finished" ] || tail -40 "$WORK/console.log"
source "$(dirname "$0")/kernel-compare.sh"
compare_guest "$OUT"
finish
