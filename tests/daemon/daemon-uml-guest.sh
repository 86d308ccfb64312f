#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# PID 1 of the daemon's UML guest: mounts, modules, then daemon-uml-guest.py, then power off.
# Kernel command line variables: XDU_OUT XDU_XFRMD XDU_XFRMCTL XDU_DIR
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null || mount -t tmpfs dev /dev
[ -e /dev/null ] || mknod -m 666 /dev/null c 1 3
for d in /tmp /run /var/tmp; do mount -t tmpfs -o mode=1777 xdtmp $d; done
mount --bind /usr/lib/uml/modules /lib/modules
for m in xfrm_user esp4 af_key; do modprobe "$m" 2>/dev/null; done
ip link set lo up
/usr/bin/python3 "$XDU_DIR/daemon-uml-guest.py" >"$XDU_OUT/guest.log" 2>&1
echo done >"$XDU_OUT/finished"
sync
echo o >/proc/sysrq-trigger
poweroff -f
