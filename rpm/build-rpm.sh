#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# build-rpm.sh [--suse] [--no-check]: build the source and binary RPMs from rpm/xfrmd.spec on
# this (Debian) machine with rpmbuild, then check what they contain (testing.md T16):
# binaries present, unit/sysusers.d/tmpfiles.d present, no setuid/setgid file, the CLI
# package standalone, scriptlets present. Standalone: the lead wires it into .ci/run.
#   --suse      build the openSUSE/SLES branch of the spec (suse_version defined)
#   --no-check  skip %check (the test suites) inside rpmbuild
#   --no-build  check the RPMs of the previous build again (after editing this script)
# Dependency checks are off (--nodeps): BuildRequires name Fedora/SUSE packages, not Debian's.
# Distribution macros Debian's rpm lacks come from rpm/macros.compat. The tarball is the
# working tree's tracked files (uncommitted edits included). Output: build-rpm/{SRPMS,RPMS}.
# Exit 77 when rpmbuild is not installed (Debian: apt-get install rpm).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
suse=0 check=1 build=1
for a in "$@"; do
    case $a in
    --suse) suse=1 ;;
    --no-check) check=0 ;;
    --no-build) build=0 check=0 ;;
    *) echo "usage: $0 [--suse] [--no-check] [--no-build]" >&2; exit 2 ;;
    esac
done
command -v rpmbuild >/dev/null || { echo "SKIP: rpmbuild not installed (apt-get install rpm)"; exit 77; }

version=$(sed -nE "s/^ *version: '([^']+)'.*/\1/p" meson.build | head -1)
spec_version=$(sed -nE 's/^Version:[[:space:]]+//p' rpm/xfrmd.spec)
[ "$version" = "$spec_version" ] || { echo "FAIL: meson.build version $version != spec Version $spec_version"; exit 1; }

top=$root/build-rpm${suse:+}
[ $suse = 1 ] && top=$root/build-rpm-suse
if [ $build = 1 ]; then
rm -rf "$top"; mkdir -p "$top"/{SOURCES,SPECS,BUILD,RPMS,SRPMS,BUILDROOT}

# source tarball from the tracked files of the working tree
ref=$(git stash create 2>/dev/null || true)
git archive --format=tar --prefix="xfrmd-$version/" "${ref:-HEAD}" | xz -T0 >"$top/SOURCES/xfrmd-$version.tar.xz"
cp xfrmd/daemon/xfrmd.sysusers "$top/SOURCES/xfrmd.sysusers"
cp rpm/xfrmd.spec "$top/SPECS/"

args=(--define "_topdir $top" --nodeps)
# only where the distribution macros are missing (Debian); never shadow real ones
if [ -z "$(rpm --eval '%{?meson_build}')" ]; then
    args+=(--load "$root/rpm/macros.compat")
fi
[ $suse = 1 ] && args+=(--define "suse_version 1600")
[ $check = 0 ] && args+=(--without check)

log=$top/rpmbuild.log
echo "rpmbuild -ba ${args[*]} (log: $log)"
if ! rpmbuild -ba "${args[@]}" "$top/SPECS/xfrmd.spec" >"$log" 2>&1; then
    tail -60 "$log"; echo "FAIL: rpmbuild"; exit 1
fi
fi
log=$top/rpmbuild.log
grep -E '^(warning|Warning):' "$log" | sort -u || true

fails=0
pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
listing() { # rpm: "mode user group path" per file (rpm -qlv truncates long group names)
    rpm -qp --qf '[%{FILEMODES:perms} %{FILEUSERNAME} %{FILEGROUPNAME} %{FILENAMES}\n]' "$1"
}

srpm=$(ls "$top"/SRPMS/*.src.rpm)
pass "source RPM $(basename "$srpm")"
daemon=$(ls "$top"/RPMS/*/xfrmd-"$version"-*.rpm | grep -v debug)
cli=$(ls "$top"/RPMS/*/xfrmctl-"$version"-*.rpm | grep -v debug)
pass "binary RPMs $(basename "$daemon") $(basename "$cli")"

for r in "$daemon" "$cli"; do
    echo "--- $(basename "$r")"
    listing "$r" | sed 's/^/    /'
done

has() { # rpm, path, what
    local l
    l=$(listing "$1" | awk '{print $4}')   # no grep -q in a pipe: SIGPIPE + pipefail
    if grep -qx -- "$2" <<<"$l"; then pass "$3: $2"; else fail "$3 missing: $2"; fi
}
has "$cli" /usr/sbin/xfrmctl "CLI binary"
has "$cli" /usr/share/bash-completion/completions/xfrmctl "bash completion"
has "$cli" /usr/share/doc/xfrmd/schema/xfrmctl.schema.json "JSON schema"
has "$cli" /usr/share/xfrmd/findings/sa.one_way.md "findings pages for explain"
has "$cli" /usr/share/doc/xfrmd/monitoring/xfrmd.rules.yml "Prometheus rules"
has "$daemon" /usr/lib/systemd/system/xfrmd.service "systemd unit"
has "$daemon" /usr/lib/sysusers.d/xfrmd.conf "sysusers.d"
has "$daemon" /usr/lib/tmpfiles.d/xfrmd.conf "tmpfiles.d"
daemon_files=$(listing "$daemon" | awk '{print $4}')
cli_files=$(listing "$cli" | awk '{print $4}')
if grep -qx /usr/sbin/xfrmd <<<"$daemon_files"; then
    pass "daemon binary: /usr/sbin/xfrmd"
else
    echo "NOTE: no /usr/sbin/xfrmd in the daemon package: the daemon is not on this branch yet"
fi
if grep -q '^/usr/lib/systemd\|^/usr/lib/sysusers' <<<"$cli_files"; then fail "the CLI package carries daemon files"; else pass "CLI package is standalone"; fi
reqs_cli=$(rpm -qp --requires "$cli"); reqs_daemon=$(rpm -qp --requires "$daemon")
grep -q '^xfrmd' <<<"$reqs_cli" && fail "xfrmctl requires the daemon" || pass "xfrmctl does not require the daemon"
grep -q "^xfrmctl(.*) = $version\|^xfrmctl = $version" <<<"$reqs_daemon" && pass "xfrmd requires xfrmctl = $version" || fail "xfrmd does not require xfrmctl"

for r in "$daemon" "$cli"; do
    s=$(listing "$r" | awk '$1 ~ /^-..[sS]|^-.....[sS]/ {print $4}')
    if [ -z "$s" ]; then pass "$(basename "$r"): no setuid/setgid files"; else fail "$(basename "$r"): setuid/setgid: $s"; fi
done
ghost=$(listing "$daemon" | awk '$4 == "/run/xfrmd" {print $1, $2, $3}')
[ "$ghost" = "drwxr-x--- xfrmd xfrmd-read" ] && pass "/run/xfrmd 0750 xfrmd:xfrmd-read" || fail "/run/xfrmd is '$ghost'"

scripts=$(rpm -qp --scripts "$daemon")
grep -q 'systemd-sysusers' <<<"$scripts" && pass "pre: creates the users with systemd-sysusers" || fail "no sysusers in the scriptlets"
grep -q 'preset xfrmd.service' <<<"$scripts" && pass "post: systemctl preset xfrmd.service" || fail "no preset scriptlet"
grep -q 'disable --now xfrmd.service' <<<"$scripts" && pass "preun: disable --now" || fail "no preun scriptlet"
grep -q 'try-restart xfrmd.service' <<<"$scripts" && pass "postun: try-restart" || fail "no postun scriptlet"
grep -q 'u xfrmd ' <<<"$scripts" && pass "the pre scriptlet has the sysusers.d lines" || fail "sysusers lines missing from pre"

# every scriptlet must be valid shell: a heredoc that never closes makes %pre a syntax error
# and dnf aborts the install, while every grep above still passes
for tag in PREIN POSTIN PREUN POSTUN PRETRANS POSTTRANS; do
    body=$(rpm -qp --qf "%{$tag}" "$daemon")
    [ "$body" = "(none)" ] && continue
    if err=$(sh -n <<<"$body" 2>&1); then
        pass "scriptlet $tag is valid shell (sh -n)"
    else
        fail "scriptlet $tag: sh -n: $err"
    fi
done

# the payload is what rpm/xfrmd.manifest expects ("PACKAGE PATH [suse]"), no more, no less:
# a file that goes missing or appears unplanned shows up here, not on a customer's gateway
# The findings pages are expected from docs/findings/ (a new finding needs no manifest line).
want=$( { awk -v suse=$suse '!/^#/ && NF >= 2 && ($3 == "" || ($3 == "suse" && suse == 1)) {print $1, $2}' \
    rpm/xfrmd.manifest; for f in docs/findings/*.md; do echo "xfrmctl /usr/share/xfrmd/findings/${f##*/}"; done; } | sort)
# build ids change with every build, man pages are compressed on some distributions
got=$( { listing "$daemon" | awk '{print "xfrmd", $4}'; listing "$cli" | awk '{print "xfrmctl", $4}'; } |
    grep -v ' /usr/lib/\.build-id' | sed -E 's/(\/man[0-9]\/[^ ]+)\.(gz|xz|zst|bz2)$/\1/' | sort)
if [ "$want" = "$got" ]; then
    pass "payload matches rpm/xfrmd.manifest ($(wc -l <<<"$got") paths)"
else
    fail "payload differs from rpm/xfrmd.manifest (- expected, + packaged):"
    diff <(echo "$want") <(echo "$got") | grep '^[<>]' | sed 's/^</    -/; s/^>/    +/' || true
fi
cfg=$(rpm -qp --configfiles "$daemon")
grep -qx /etc/xfrmd/xfrmd.conf <<<"$cfg" && pass "/etc/xfrmd/xfrmd.conf is a config file" ||
    fail "/etc/xfrmd/xfrmd.conf is not %config"
noreplace=$(rpm -qp --qf '[%{FILEFLAGS:fflags} %{FILENAMES}\n]' "$daemon" | awk '$2 == "/etc/xfrmd/xfrmd.conf" {print $1}')
[[ $noreplace == *n* ]] && pass "xfrmd.conf is %config(noreplace)" || fail "xfrmd.conf flags '$noreplace', not noreplace"
for r in "$daemon" "$cli"; do
    long=$(rpm -qp --qf '%{DESCRIPTION}' "$r" | awk 'length($0) > 79')
    [ -z "$long" ] && pass "$(basename "$r"): %description lines within 79 columns" ||
        fail "$(basename "$r"): %description lines over 79 columns: $long"
done

# rpmlint, when installed (Debian: apt-get install rpmlint): no errors in the spec or packages
if command -v rpmlint >/dev/null; then
    if out=$(rpmlint -r "$root/rpm/rpmlintrc" "$root/rpm/xfrmd.spec" "$daemon" "$cli" "$srpm" 2>&1); then
        pass "rpmlint: $(tail -1 <<<"$out")"
    else
        grep -E ': E: ' <<<"$out" | sed 's/^/    /'
        fail "rpmlint: $(tail -1 <<<"$out")"
    fi
else
    echo "NOTE: rpmlint not installed (apt-get install rpmlint): packages not linted"
fi

# the packaged CLI runs: unpack it and diagnose a replay snapshot
unpack=$top/unpack; rm -rf "$unpack"; mkdir -p "$unpack"
rpm2archive - <"$cli" | tar -xzf - -C "$unpack"   # rpm2archive: no cpio needed
if out=$("$unpack/usr/sbin/xfrmctl" version) && [ "$out" = "xfrmctl $version" ]; then
    pass "packaged xfrmctl runs: $out"
else
    fail "packaged xfrmctl version: '$out'"
fi
snap=$(ls tests/replay/snapshots/*.pcapng | head -1)
rc=0; "$unpack/usr/sbin/xfrmctl" -r "$snap" check --nagios >"$top/nagios.out" || rc=$?
[ "$rc" -le 2 ] && grep -q '^IPSEC ' "$top/nagios.out" && pass "packaged xfrmctl diagnoses $(basename "$snap"): $(cut -c1-40 "$top/nagios.out")..." ||
    fail "packaged xfrmctl check -r: exit $rc: $(cat "$top/nagios.out")"

if [ $check = 1 ]; then
    summary=$(grep -E '^(Ok|Fail|Skipped|Timeout):' "$log" | tr -s ' ' | tr '\n' ' ')
    pass "%check ran the suites: $summary"
fi
echo "$fails failed"
[ "$fails" = 0 ]
