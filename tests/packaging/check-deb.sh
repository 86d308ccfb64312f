#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# check-deb.sh SRCROOT WORKDIR: build the Debian packages (debian/) with
# `dpkg-buildpackage -us -uc -b` from a copy of the tracked files (uncommitted edits included;
# never in the source tree), then check them as a Debian maintainer would:
#   lintian without errors (warnings listed); every maintainer script passes `sh -n`; the
#   payload is tests/packaging/deb.manifest, no more, no less; /etc/xfrmd/xfrmd.conf is a
#   conffile; xfrmd depends on xfrmctl of the same version, not the other way round; no
#   setuid/setgid file; the paths the man pages and the JSON "doc" field name exist.
# Then both packages are unpacked into a scratch root (dpkg-deb -x) and the daemon's postinst
# is run there (DPKG_ROOT; systemctl and deb-systemd-* are stubs that only log): sysusers.d
# creates the xfrmd user and tmpfiles.d /run/xfrmd. The unpacked xfrmctl diagnoses a replay
# snapshot, the unpacked xfrmd accepts its shipped configuration (--check-config) and, as root
# with `unshare -n`, starts in an empty network namespace and answers a watch request on a
# temporary socket. The test suites are not run inside the build (nocheck): this build
# already ran them. Exit 77 when dpkg-buildpackage or debhelper are missing
# (apt-get install dpkg-dev debhelper).
set -uo pipefail
src=$1 work=$2
command -v dpkg-buildpackage >/dev/null && command -v dh >/dev/null ||
    { echo "SKIP: dpkg-buildpackage or debhelper not installed (apt-get install dpkg-dev debhelper)"; exit 77; }
fails=0
pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

version=$(sed -nE "s/^ *version: '([^']+)'.*/\1/p" "$src/meson.build" | head -1)
debversion=$(cd "$src" && dpkg-parsechangelog -S Version)
[ "${debversion%-*}" = "$version" ] && pass "debian/changelog $debversion is meson.build's $version" ||
    fail "debian/changelog $debversion, meson.build $version"

rm -rf "$work"; mkdir -p "$work"
tree=$work/xfrmd-$version
# the tracked files only: a copy of the directory would take build trees along (and inside
# rpmbuild's %check, which runs this suite from a tarball, there is nothing to build it from)
git -C "$src" rev-parse --git-dir >/dev/null 2>&1 ||
    { echo "SKIP: $src is not a git checkout: no tracked files to build the packages from"; exit 77; }
ref=$(git -C "$src" stash create 2>/dev/null || true)
git -C "$src" archive --format=tar --prefix="xfrmd-$version/" "${ref:-HEAD}" | tar -xf - -C "$work"
log=$work/build.log
echo "dpkg-buildpackage -us -uc -b (log: $log)"
if ! (cd "$tree" && DEB_BUILD_OPTIONS="nocheck noddebs parallel=2" dpkg-buildpackage -us -uc -b -Pnocheck) >"$log" 2>&1; then
    tail -40 "$log"; echo "FAIL: dpkg-buildpackage"; exit 1
fi
arch=$(dpkg-architecture -qDEB_HOST_ARCH)
daemon=$work/xfrmd_${debversion}_$arch.deb
cli=$work/xfrmctl_${debversion}_$arch.deb
changes=$work/xfrmd_${debversion}_$arch.changes
for d in "$daemon" "$cli"; do
    [ -f "$d" ] && pass "built $(basename "$d")" || { fail "no $(basename "$d")"; ls "$work"; exit 1; }
done

# lintian: no errors; warnings and info are listed for the maintainer to read
if command -v lintian >/dev/null; then
    lintian --allow-root --fail-on error "$changes" >"$work/lintian.txt" 2>&1
    rc=$?
    grep -E '^[WIE]: ' "$work/lintian.txt" | sed 's/^/    /'
    if [ $rc = 0 ]; then
        pass "lintian: no errors ($(grep -c '^W: ' "$work/lintian.txt") warnings)"
    else
        fail "lintian: exit $rc"; grep -vE '^[WIEN]: ' "$work/lintian.txt" | head -5
    fi
else
    echo "NOTE: lintian not installed (apt-get install lintian): packages not linted"
fi

# every maintainer script is valid shell
for d in "$daemon" "$cli"; do
    ctl=$work/control-$(basename "$d" .deb); dpkg-deb -e "$d" "$ctl"
    for s in preinst postinst prerm postrm config; do
        [ -f "$ctl/$s" ] || continue
        if err=$(sh -n "$ctl/$s" 2>&1); then pass "$(basename "$d") $s is valid shell (sh -n)"
        else fail "$(basename "$d") $s: sh -n: $err"; fi
    done
done
dctl=$work/control-$(basename "$daemon" .deb)
grep -qx /etc/xfrmd/xfrmd.conf "$dctl/conffiles" 2>/dev/null && pass "/etc/xfrmd/xfrmd.conf is a conffile" ||
    fail "/etc/xfrmd/xfrmd.conf is not a conffile"
grep -q 'systemd-sysusers' "$dctl/postinst" && pass "postinst creates the users (systemd-sysusers)" || fail "no systemd-sysusers in postinst"
grep -q 'systemd-tmpfiles' "$dctl/postinst" && pass "postinst creates /run/xfrmd (systemd-tmpfiles)" || fail "no systemd-tmpfiles in postinst"
grep -q 'deb-systemd-helper.*enable.*xfrmd.service' "$dctl/postinst" && pass "postinst enables xfrmd.service" || fail "postinst does not enable xfrmd.service"
# the unit starts as User=xfrmd: the user must exist before postinst starts it
u=$(grep -n 'systemd-sysusers' "$dctl/postinst" | head -1 | cut -d: -f1)
st=$(grep -n 'deb-systemd-invoke' "$dctl/postinst" | head -1 | cut -d: -f1)
[ -n "$u" ] && [ -n "$st" ] && [ "$u" -lt "$st" ] && pass "postinst creates the users before it starts the unit" ||
    fail "postinst: systemd-sysusers (line ${u:-none}) not before deb-systemd-invoke (line ${st:-none})"
grep -q 'stop.*xfrmd.service' "$dctl/prerm" 2>/dev/null && pass "prerm stops xfrmd.service" || fail "prerm does not stop xfrmd.service"
dep_daemon=$(dpkg-deb -f "$daemon" Depends); dep_cli=$(dpkg-deb -f "$cli" Depends)
grep -q "xfrmctl (= $debversion)" <<<"$dep_daemon" && pass "xfrmd depends on xfrmctl (= $debversion)" ||
    fail "xfrmd Depends: $dep_daemon"
grep -qw xfrmd <<<"$dep_cli" && fail "xfrmctl depends on the daemon: $dep_cli" || pass "xfrmctl does not depend on the daemon"

# the payload is tests/packaging/deb.manifest ("PACKAGE PATH"; files and symlinks, not
# directories); the findings pages come from docs/findings/ (a new finding needs no line)
listing() { dpkg-deb -c "$1" | awk -v p="$2" '$1 !~ /^d/ { sub(/^\./, "", $6); print p, $6 }'; }
want=$( { awk '!/^#/ && NF >= 2 {print $1, $2}' "$src/tests/packaging/deb.manifest"
          for f in "$src"/docs/findings/*.md; do echo "xfrmctl /usr/share/xfrmd/findings/${f##*/}"; done; } | sort)
got=$( { listing "$daemon" xfrmd; listing "$cli" xfrmctl; } | sort)
if [ "$want" = "$got" ]; then
    pass "payload matches tests/packaging/deb.manifest ($(wc -l <<<"$got") files)"
else
    fail "payload differs from tests/packaging/deb.manifest (- expected, + packaged):"
    diff <(echo "$want") <(echo "$got") | grep '^[<>]' | sed 's/^</    -/; s/^>/    +/'
fi
suid=$( { dpkg-deb -c "$daemon"; dpkg-deb -c "$cli"; } | awk '$1 ~ /^-..[sS]|^-.....[sS]/ {print $6}')
[ -z "$suid" ] && pass "no setuid/setgid files" || fail "setuid/setgid: $suid"

# unpack into a scratch root
root=$work/root; mkdir -p "$root"
dpkg-deb -x "$cli" "$root" && dpkg-deb -x "$daemon" "$root"
for p in $(sed -nE 's|^\.Pa (/usr/share/doc/xfrmd/[^ ]+).*|\1|p' "$src"/docs/man/*.[58] | sort -u); do
    [ -e "$root$p" ] && pass "man pages' $p is installed uncompressed" || fail "man pages name $p: not installed"
done
snap=$src/tests/replay/snapshots/handmade-gateway.pcapng
doc=$("$root/usr/sbin/xfrmctl" -r "$snap" check --json |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["findings"][0]["doc"])')
[ -f "$root/usr/share/doc/xfrmd/$doc" ] && pass "JSON doc $doc resolves under /usr/share/doc/xfrmd" ||
    fail "JSON doc '$doc' is not under /usr/share/doc/xfrmd"
out=$("$root/usr/sbin/xfrmctl" version)
[ "$out" = "xfrmctl $version" ] && pass "unpacked xfrmctl runs: $out" || fail "unpacked xfrmctl version: '$out'"
rc=0; "$root/usr/sbin/xfrmctl" -r "$snap" check --nagios >"$work/nagios.out" || rc=$?
[ "$rc" -le 2 ] && grep -q '^IPSEC ' "$work/nagios.out" && pass "unpacked xfrmctl diagnoses $(basename "$snap")" ||
    fail "unpacked xfrmctl check -r: exit $rc: $(cat "$work/nagios.out")"
out=$("$root/usr/sbin/xfrmd" --check-config -f "$root/etc/xfrmd/xfrmd.conf" 2>&1) &&
    pass "unpacked xfrmd accepts the shipped /etc/xfrmd/xfrmd.conf (xfrmd -t)" || fail "xfrmd -t: $out"

# the daemon's postinst in the scratch root; the stubs keep it off this machine's systemd
stubs=$work/stubs; mkdir -p "$stubs"
for c in systemctl deb-systemd-helper deb-systemd-invoke; do
    printf '#!/bin/sh\necho "%s $*" >>"%s"\n' "$c" "$work/stub.log" >"$stubs/$c"; chmod +x "$stubs/$c"
done
if command -v systemd-sysusers >/dev/null; then
    if out=$(DPKG_ROOT=$root DPKG_MAINTSCRIPT_PACKAGE=xfrmd PATH=$stubs:$PATH sh "$dctl/postinst" configure 2>&1); then
        pass "postinst configure ran in the scratch root"
    else
        fail "postinst configure: $out"
    fi
    pw=$(grep '^xfrmd:' "$root/etc/passwd" 2>/dev/null)
    [ -n "$pw" ] && pass "postinst: user xfrmd ($pw)" || fail "postinst created no xfrmd user"
    grep -q '^xfrmd-read:' "$root/etc/group" 2>/dev/null && pass "postinst: group xfrmd-read" || fail "no xfrmd-read group"
    mode=$(stat -c %a "$root/run/xfrmd" 2>/dev/null)
    [ "$mode" = 750 ] && pass "postinst: /run/xfrmd mode 0750" || fail "postinst: /run/xfrmd mode '$mode'"
    grep -q 'deb-systemd-helper enable xfrmd.service' "$work/stub.log" 2>/dev/null &&
        pass "postinst: deb-systemd-helper enable xfrmd.service" || fail "postinst did not enable the unit"
    # and the way out: remove, then purge (the unit's enablement state is dropped)
    for step in "prerm remove" "postrm remove" "postrm purge"; do
        set -- $step
        if out=$(DPKG_ROOT=$root DPKG_MAINTSCRIPT_PACKAGE=xfrmd PATH=$stubs:$PATH sh "$dctl/$1" "$2" 2>&1); then
            pass "$step ran in the scratch root"
        else
            fail "$step: $out"
        fi
    done
    if [ -x /usr/bin/deb-systemd-helper ]; then
        grep -q 'deb-systemd-helper purge xfrmd.service' "$work/stub.log" &&
            pass "postrm purge: deb-systemd-helper purge xfrmd.service" || fail "postrm purge did not purge the unit's state"
    fi
else
    echo "NOTE: no systemd-sysusers: the postinst is not run"
fi

# a real start: root, an empty network namespace, a temporary socket
if [ "$(id -u)" = 0 ] && unshare -n true 2>/dev/null && getent passwd daemon >/dev/null; then
    run=$work/run; mkdir -p "$run"; chmod 755 "$work" "$run"
    printf 'socket = %s/sock/xfrmd.sock\nuser = daemon\nsample_interval = 300s\n' "$run" >"$run/xfrmd.conf"
    unshare -n "$root/usr/sbin/xfrmd" -f "$run/xfrmd.conf" 2>"$run/xfrmd.log" &
    pid=$!
    got=
    for _ in $(seq 300); do # up to 30 s; a started daemon answers within a second
        if [ -S "$run/sock/xfrmd.sock" ]; then
            got=$(XFRMD_SOCKET=$run/sock/xfrmd.sock timeout 10 "$root/usr/sbin/xfrmctl" status --json 2>/dev/null |
                python3 -c 'import json,sys; m=json.load(sys.stdin)["meta"]; print(m["source"], m["tool"])' 2>/dev/null)
            [ -n "$got" ] && break
        fi
        kill -0 $pid 2>/dev/null || break
        sleep 0.1
    done
    [[ $got == daemon* ]] && pass "unpacked xfrmd started and answers status on its socket ($got)" ||
        fail "unpacked xfrmd did not answer: $(tail -5 "$run/xfrmd.log")"
    kill -TERM $pid 2>/dev/null; wait $pid; rc=$?
    [ $rc = 0 ] && pass "xfrmd stopped cleanly on SIGTERM" || fail "xfrmd exit $rc on SIGTERM: $(tail -3 "$run/xfrmd.log")"
else
    echo "NOTE: not root or no unshare -n: the daemon is not started"
fi

echo "$fails failed"
[ "$fails" = 0 ]
