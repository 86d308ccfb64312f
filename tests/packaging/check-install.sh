#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# check-install.sh BUILDDIR: the staged install tree a package is made from (testing.md T16
# without rpmbuild): binaries present and not setuid/setgid, unit, sysusers.d, tmpfiles.d, man
# pages and bash completion installed; sysusers.d creates the xfrmd user without a login shell
# and the xfrmd-read group; tmpfiles.d creates /run/xfrmd 0750 xfrmd:xfrmd-read.
set -uo pipefail
build=$1
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fails=0
pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

dest=$tmp/dest
meson install -C "$build" --destdir "$dest" --no-rebuild --quiet >"$tmp/install.log" 2>&1 ||
    { cat "$tmp/install.log"; echo "FAIL: meson install"; exit 1; }
prefix=$(meson introspect "$build" --buildoptions | python3 -c \
    'import json,sys; print(next(o["value"] for o in json.load(sys.stdin) if o["name"]=="prefix"))')
( cd "$dest" && find . -type f -o -type l | sed 's|^\.||' | sort ) >"$tmp/files"
echo "staged $(wc -l <"$tmp/files") files under $prefix"

need() { # description, regex on the file list
    if grep -qE "$2" "$tmp/files"; then pass "$1"; else fail "$1 missing (regex $2)"; fi
}
need "xfrmctl binary" "/s?bin/xfrmctl$"
need "systemd unit" "/systemd/system/xfrmd\.service$"
need "sysusers.d file" "/sysusers\.d/xfrmd\.conf$"
need "tmpfiles.d file" "/tmpfiles\.d/xfrmd\.conf$"
need "bash completion" "/bash-completion/completions/xfrmctl$"
need "xfrmctl(8)" "/man8/xfrmctl\.8"
need "JSON schema" "/doc/xfrmd/schema/xfrmctl\.schema\.json$"
need "default xfrmd.conf" "/etc/xfrmd/xfrmd\.conf$"
# every documentation page a man page names by path is installed there
src=$(meson introspect "$build" --projectinfo >/dev/null 2>&1; cd "$(dirname "$0")/../.." && pwd)
for p in $(sed -nE 's|^\.Pa /usr/share/doc/xfrmd/([^ ]+).*|\1|p' "$src"/docs/man/*.[58] | sort -u); do
    need "man pages' /usr/share/doc/xfrmd/$p" "/share/doc/xfrmd/$p$"
done
# a finding's JSON "doc" (docs/findings/ID.md) resolves under the documentation directory
docpath=$("$build/tools/xfrmctl/xfrmctl" -r "$src/tests/replay/snapshots/handmade-gateway.pcapng" check --json |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["findings"][0]["doc"])')
if [ -f "$dest$prefix/share/doc/xfrmd/$docpath" ]; then
    pass "JSON doc $docpath resolves under $prefix/share/doc/xfrmd"
else
    fail "JSON doc $docpath is not under $prefix/share/doc/xfrmd"
fi
if grep -qE '/s?bin/xfrmd$' "$tmp/files"; then pass "xfrmd binary"; else echo "NOTE: no xfrmd daemon binary in this build yet"; fi

suid=$(find "$dest" -type f \( -perm -4000 -o -perm -2000 \) | sed "s|^$dest||")
if [ -z "$suid" ]; then pass "no setuid/setgid files"; else fail "setuid/setgid: $suid"; fi
for b in "$dest$prefix"/bin/* "$dest$prefix"/sbin/*; do
    [ -f "$b" ] || continue
    ww=$(find "$b" -perm -o+w); [ -z "$ww" ] || fail "$b is world-writable"
done

unit=$(find "$dest" -name xfrmd.service | head -1)
exec_path=$(sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' "$unit")
sbindir=$(meson introspect "$build" --buildoptions | python3 -c \
    'import json,os,sys; o={x["name"]: x["value"] for x in json.load(sys.stdin)}; print(os.path.join(o["prefix"], o["sbindir"]))')
if [ "$exec_path" = "$sbindir/xfrmd" ]; then
    pass "ExecStart is the installed path $exec_path"
else
    fail "ExecStart=$exec_path, the daemon installs to $sbindir/xfrmd"
fi
if [ -e "$dest$sbindir/xfrmd" ]; then
    [ -x "$dest$exec_path" ] && pass "ExecStart binary is installed and executable" || fail "ExecStart binary $exec_path not executable"
fi

# sysusers.d and tmpfiles.d applied to an empty root
if command -v systemd-sysusers >/dev/null; then
    root=$tmp/root; mkdir -p "$root/etc"
    sysusers=$(find "$dest" -path '*sysusers.d/xfrmd.conf')
    if systemd-sysusers --root="$root" "$sysusers" >"$tmp/sysusers.log" 2>&1; then
        pw=$(grep '^xfrmd:' "$root/etc/passwd")
        shell=${pw##*:}
        case $shell in
        */nologin|/bin/false) pass "sysusers: user xfrmd, shell $shell" ;;
        *) fail "sysusers: xfrmd has login shell '$shell' ($pw)" ;;
        esac
        uid=$(cut -d: -f3 <<<"$pw")
        [ -n "$uid" ] && [ "$uid" -lt 1000 ] && pass "sysusers: xfrmd is a system user (uid $uid)" || fail "sysusers: uid '$uid'"
        grep -q '^xfrmd-read:' "$root/etc/group" && pass "sysusers: group xfrmd-read" || fail "sysusers: no group xfrmd-read"
        grep -qE '^xfrmd-read:.*:(.*,)?xfrmd(,|$)' "$root/etc/group" && pass "sysusers: xfrmd is in xfrmd-read" || fail "sysusers: xfrmd not in xfrmd-read"
        if command -v systemd-tmpfiles >/dev/null; then
            tmpfiles=$(find "$dest" -path '*tmpfiles.d/xfrmd.conf')
            mkdir -p "$root/run"
            systemd-tmpfiles --root="$root" --create "$tmpfiles" >"$tmp/tmpfiles.log" 2>&1 || cat "$tmp/tmpfiles.log"
            st=$(stat -c '%a %U %G' "$root/run/xfrmd" 2>/dev/null)
            gid_read=$(grep '^xfrmd-read:' "$root/etc/group" | cut -d: -f3)
            st_num=$(stat -c '%a %u %g' "$root/run/xfrmd" 2>/dev/null)
            if [ "$st_num" = "750 $uid $gid_read" ]; then
                pass "tmpfiles: /run/xfrmd 0750 xfrmd:xfrmd-read"
            else
                fail "tmpfiles: /run/xfrmd is '$st_num' (want 750 $uid $gid_read)"
            fi
        else
            echo "NOTE: systemd-tmpfiles not installed, tmpfiles.d not applied"
        fi
    else
        fail "systemd-sysusers: $(cat "$tmp/sysusers.log")"
    fi
else
    echo "NOTE: systemd-sysusers not installed, sysusers.d not applied"
fi
echo "$fails failed"
[ "$fails" = 0 ]
