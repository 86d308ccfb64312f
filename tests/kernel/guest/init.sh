#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# PID 1 inside the test guest (UML: init=THIS; qemu: switch_root'ed to by the initramfs).
# The root file system is the host's /, so first cover every directory the guest writes with a
# tmpfs, then load the IPsec modules, run the scenarios named in $XD_RUN/plan one after another
# (each under a timeout, each followed by the post-check), write one result line per scenario to
# $XD_RUN/results and power off.
#
#   host  ── run-uml.sh / run-qemu.sh ── boots ──> guest: this script
#                                                   ├─ scenario 1 ─ post-check
#                                                   ├─ scenario 2 ─ post-check
#                                                   └─ poweroff
#
# Kernel command line variables (become our environment): XD_RUN XD_SRC XD_BUILD XD_BED, and
# XD_TEST_SLOWDOWN (the host's slowdown, tests/lib/slowdown.sh; scales the scenarios' waits).

export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/tmp LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=dumb
umask 022

say() { echo "xd-guest: $*"; }
halt() { sync; echo o >/proc/sysrq-trigger 2>/dev/null; poweroff -f; sleep 5; }

if [ "$$" = 1 ]; then
    mount -t proc proc /proc
    mount -t sysfs sys /sys
    mount -t devtmpfs dev /dev 2>/dev/null || mount -t tmpfs dev /dev
    for n in null:3 zero:5 full:7 random:8 urandom:9; do
        [ -e /dev/${n%:*} ] || mknod -m 666 /dev/${n%:*} c 1 ${n#*:}
    done
    [ -e /dev/tty ] || mknod -m 666 /dev/tty c 5 0
    ln -sf /proc/self/fd /dev/fd; ln -sf fd/0 /dev/stdin; ln -sf fd/1 /dev/stdout; ln -sf fd/2 /dev/stderr
    mkdir -p /dev/pts /dev/shm; mount -t devpts pts /dev/pts 2>/dev/null; mount -t tmpfs shm /dev/shm
    # keep the project tree reachable when it lives under a covered directory (CI may use /tmp)
    . "$(dirname "$0")/../../lib/guest-tmpfs.sh"
    XD_KEEP="$(cd "$(dirname "$0")/../../.." && pwd) ${XD_BUILD:-} ${XD_RUN:-}" \
        xd_guest_tmpfs 0755 /tmp /run /var/tmp /var/log /var/lib/strongswan /var/lib/ipsec /etc/ipsec.d
    chmod 1777 /tmp /var/tmp
    mkdir -p /run/netns /run/lock
    mount -t tmpfs cgroup /sys/fs/cgroup 2>/dev/null
    hostname xd-guest
    ip link set lo up
fi

# Modules: never write /lib/modules on the host. modprobe -d looks in DIR/lib/modules, so a tmpfs
# tree with the guest's modules bound in it plus a modprobe wrapper (used by the kernel for
# autoloading and by iptables via /proc/sys/kernel/modprobe, and by scripts via PATH) does it.
if [ "$XD_BED" = uml ]; then
    moddir=/usr/lib/uml/modules
else
    moddir=${XD_MODDIR:?}
fi
mkdir -p /run/xd-mod/lib/modules /run/xd-bin
mount --bind "$moddir" /run/xd-mod/lib/modules
printf '#!/bin/sh\nexec /sbin/modprobe -d /run/xd-mod "$@"\n' >/run/xd-bin/modprobe
chmod 755 /run/xd-bin/modprobe
echo /run/xd-bin/modprobe >/proc/sys/kernel/modprobe
export PATH=/run/xd-bin:$PATH

# libreswan (unpacked by prepare.sh into a cache) has /usr/libexec/ipsec compiled in: give the
# guest a /usr/libexec that has the host's entries plus ipsec/ from the cache (host untouched).
lsx=${XD_CACHE:-/var/cache/xfrmd-tests}/libreswan/usr/libexec/ipsec
if [ -d "$lsx" ] && [ ! -e /usr/libexec/ipsec ]; then
    mkdir -p /run/xd-libexec-orig
    mount --bind /usr/libexec /run/xd-libexec-orig
    mount -t tmpfs xd-libexec /usr/libexec
    for e in /run/xd-libexec-orig/*; do
        n=${e##*/}
        if [ -d "$e" ]; then mkdir "/usr/libexec/$n"; else touch "/usr/libexec/$n"; fi
        mount --bind "$e" "/usr/libexec/$n" 2>/dev/null
    done
    mkdir /usr/libexec/ipsec
    mount --bind "$lsx" /usr/libexec/ipsec
fi

run=${XD_RUN:?}
: >"$run/results"
mods="xfrm_user xfrm_algo esp4 esp6 ah4 ah6 ipcomp ipcomp6 xfrm4_tunnel xfrm6_tunnel tunnel4 tunnel6
      veth dummy af_key ip_tables ip6_tables iptable_filter iptable_nat iptable_mangle iptable_raw
      ip6table_filter nf_nat nf_conntrack xt_esp ipt_ah xt_policy xt_multiport xt_conntrack
      xt_state xt_tcpudp xt_MASQUERADE xt_comment xt_mark xt_LOG
      gcm ccm chacha20poly1305 cbc ctr sha256_generic sha512_generic hmac cmac xcbc
      seqiv echainiv authenc authencesn aes_generic des_generic deflate lzo
      nf_tables nft_compat nft_ct nft_masq nft_nat nft_xfrm virtio_net"
for m in $mods; do modprobe -q "$m" 2>/dev/null; done
say "kernel $(uname -r), modules: $(lsmod | wc -l) loaded"
ip xfrm state list >/dev/null 2>&1 && echo "FEATURE xfrm_user yes" >>"$run/features"
[ -e /proc/net/xfrm_stat ] && echo "FEATURE xfrm_stat yes" >>"$run/features"

export XD_SRC XD_BUILD XD_BED XD_RESULTS="$run/checks" XD_TEST_SLOWDOWN=${XD_TEST_SLOWDOWN:-1}
: >"$XD_RESULTS"
postcheck=$XD_SRC/tests/kernel/lib/postcheck.sh

while read -r scen tmo; do
    [ -n "$scen" ] || continue
    name=$(basename "$scen" .sh)
    out=$run/$name
    rm -rf "$out"; mkdir -p "$out"
    export XD_SCENARIO=$name XD_OUT=$out/out XD_PRIV=/tmp/xd-priv/$name
    mkdir -p "$XD_OUT" "$XD_PRIV"
    say "start $name"
    t0=$(date +%s)
    timeout -k 5 "${tmo:-180}" bash "$scen" >"$out/log" 2>&1 </dev/null
    rc=$?
    t1=$(date +%s)
    # post-check over everything the scenario left in its output dir, plus its log
    bash "$postcheck" "$out" "$XD_PRIV/canaries" >"$out/postcheck.log" 2>&1
    prc=$?
    case $rc in
        0) st=PASS ;;
        77) st=SKIP ;;
        124|137) st=FAIL; echo "FAIL: $name: timeout after ${tmo}s" >>"$XD_RESULTS" ;;
        *) st=FAIL ;;
    esac
    if [ $prc != 0 ]; then
        st=FAIL
        sed "s/^/FAIL: $name: post-check: /" "$out/postcheck.log" | head -20 >>"$XD_RESULTS"
    else
        echo "PASS: $name: post-check" >>"$XD_RESULTS"
    fi
    reason=$(grep -m1 "^SKIP: $name: scenario" "$out/log" | sed "s/^[^(]*(\(.*\))$/\1/")
    echo "$st $name $((t1 - t0)) ${reason}" >>"$run/results"
    say "$st $name $((t1 - t0))s"
    rm -rf "$XD_PRIV"
    # nothing may survive a scenario
    ip -all netns delete 2>/dev/null
    ip xfrm state flush; ip xfrm policy flush
done <"$run/plan"

echo done >"$run/finished"
say "all scenarios done"
[ "$$" = 1 ] && halt
exit 0
