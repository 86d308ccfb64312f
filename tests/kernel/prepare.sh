#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Fetch optional test-bed prerequisites that cannot be installed next to strongSwan into a
# cache outside the repository (XD_CACHE, default /var/cache/xfrmd-tests):
#   libreswan   Debian's libreswan conflicts with strongswan-charon, so it is downloaded with
#               `apt-get download` and unpacked with `dpkg -x`; its libraries are installed.
# Safe to run repeatedly; never fails the suite (scenarios skip when something is missing).
set -u
cache=${XD_CACHE:-/var/cache/xfrmd-tests}
mkdir -p "$cache"
cd "$cache" || exit 1

if [ ! -x "$cache/libreswan/usr/libexec/ipsec/pluto" ]; then
    rm -rf libreswan libreswan_*.deb
    apt-get download libreswan && dpkg -x libreswan_*.deb libreswan || echo "libreswan: download failed"
fi
if [ -x "$cache/libreswan/usr/libexec/ipsec/pluto" ] &&
   ldd "$cache/libreswan/usr/libexec/ipsec/pluto" | grep -q 'not found'; then
    # its run-time libraries (all coexist with strongSwan)
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        libnss3-tools libcurl3-nss libevent-core-2.1-7 libevent-pthreads-2.1-7 libldns3 \
        libunbound8 libcap-ng0 libaudit1 dns-root-data >/dev/null
fi
exit 0
