#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Files that are not what their name says must not hang or confuse xfrmctl (issue 16):
#  - a FIFO named swanctl.conf / ipsec.conf, and "include /proc/self/fd/0" on a pipe: the
#    credential collection finishes and names the file in a tool.decode_issue;
#  - `-r FIFO`, `-r DIR`: one clear line, exit 3; `check --ignore-file FIFO`: exit 2;
#  - 24 files that each "include *.conf": each is opened once (counted with strace), and a tree
#    of 300 files stops at the bound and says so.
# Needs no privileges and no kernel state: only the credential group (`show certs`) is
# collected, with the XFRMD_* path variables pointing into a temporary directory. `timeout`
# is a generous hang guard, never a speed assertion.
set -euo pipefail
XFRMCTL=${XFRMCTL:?}
tmp=$(mktemp -d)
trap 'exec 3>&- 2>/dev/null || true; rm -rf "$tmp"' EXIT
fail=0
pass() { echo "PASS: $*"; }
failed() { echo "FAIL: $*"; fail=1; }

# credential collection pointed at one swanctl.conf and one ipsec.conf
certs() { # swanctl.conf, ipsec.conf, xfrmctl args...
    local sw=$1 ip=$2; shift 2
    XFRMD_SWANCTL_DIR=$tmp/none XFRMD_SWANCTL_CONF=$sw XFRMD_IPSEC_CONF=$ip \
        XFRMD_IPSEC_D=$tmp/none XFRMD_NSS_DIRS=$tmp/none XFRMD_CERT_EXTRA= \
        timeout 60 $ns "$XFRMCTL" --no-daemon "$@"
}
# Decode issues are named in `check` findings, which collect kernel state too: as root in an
# empty network namespace; otherwise only `show certs` runs (no hang, exit 0) and the
# findings are not looked at.
if [ "$(id -u)" = 0 ] && unshare -n true 2>/dev/null; then
    ns="unshare -n" verb=check
else
    ns="" verb="show certs"
    echo "NOTE: not root: decode issues not checked, only that nothing hangs"
fi

# the summaries of tool.decode_issue findings
issues() { # json file
    [ "$verb" = check ] || return 0
    python3 -c '
import json, sys
for f in json.load(open(sys.argv[1])).get("findings", []):
    if f["id"] == "tool.decode_issue":
        print(f["summary"])' "$1"
}

expect_issue() { # what, json, pattern
    [ "$verb" = check ] || return 0
    if issues "$2" | grep -q -- "$3"; then
        pass "$1: named in a finding: $(issues "$2" | grep -- "$3" | head -1)"
    else
        failed "$1: no tool.decode_issue matching '$3': $(issues "$2" | tr '\n' ';')"
    fi
}

# --- a FIFO named swanctl.conf / ipsec.conf ---
mkfifo "$tmp/swanctl.conf" "$tmp/ipsec.conf"
rc=0
certs "$tmp/swanctl.conf" /nonexistent --json $verb >"$tmp/sw.json" || rc=$?
if [ "$rc" = 0 ]; then
    pass "FIFO swanctl.conf: xfrmctl finished"
    expect_issue "FIFO swanctl.conf" "$tmp/sw.json" "swanctl.conf: not a regular file"
else
    failed "FIFO swanctl.conf: exit $rc (124 = hung)"
fi
rc=0
certs /nonexistent "$tmp/ipsec.conf" --json $verb >"$tmp/ip.json" || rc=$?
if [ "$rc" = 0 ]; then
    pass "FIFO ipsec.conf: xfrmctl finished"
    expect_issue "FIFO ipsec.conf" "$tmp/ip.json" "ipsec.conf: not a regular file"
else
    failed "FIFO ipsec.conf: exit $rc (124 = hung)"
fi

# --- include /proc/self/fd/0 while stdin is a pipe with a writer that never writes ---
mkfifo "$tmp/stdin"
exec 3<>"$tmp/stdin" # holds a writer: opening the FIFO does not block, reading it would
printf 'connections {\n  gw {\n    local { id = gw.example }\n  }\n}\ninclude /proc/self/fd/0\n' \
    >"$tmp/inc-stdin.conf"
rc=0
certs "$tmp/inc-stdin.conf" /nonexistent --json $verb <"$tmp/stdin" >"$tmp/in.json" || rc=$?
exec 3>&-
if [ "$rc" = 0 ]; then
    pass "include /proc/self/fd/0: xfrmctl finished"
    expect_issue "include /proc/self/fd/0" "$tmp/in.json" "/proc/self/fd/0: not a regular file"
else
    failed "include /proc/self/fd/0: exit $rc (124 = hung)"
fi

# --- -r on a FIFO and on a directory ---
expect_refused() { # path, what, message
    local out rc=0
    out=$(timeout 60 "$XFRMCTL" -r "$1" show sa 2>&1 >/dev/null) || rc=$?
    if [ "$rc" = 3 ] && [ "$(printf '%s\n' "$out" | wc -l)" = 1 ] &&
        printf '%s' "$out" | grep -q -- "$3"; then
        pass "$2 refused: $out"
    else
        failed "$2: exit $rc (124 = hung), stderr: $out"
    fi
}
mkfifo "$tmp/snap.pcapng"
expect_refused "$tmp/snap.pcapng" "-r FIFO" "not a regular file"
mkdir "$tmp/snapdir"
expect_refused "$tmp/snapdir" "-r DIR" "is a directory"

# --- check --ignore-file FIFO: a usage error, not a hang ---
snap=$(ls "$(dirname "$0")"/../replay/snapshots/*.pcapng | head -1)
rc=0
out=$(timeout 60 "$XFRMCTL" -r "$snap" check --ignore-file "$tmp/snap.pcapng" 2>&1 >/dev/null) || rc=$?
if [ "$rc" = 2 ] && printf '%s' "$out" | grep -q "not a regular file"; then
    pass "--ignore-file FIFO refused: $out"
else
    failed "--ignore-file FIFO: exit $rc (124 = hung), stderr: $out"
fi

# --- include fan-out: every file includes every file ---
fanout() { # dir, n
    mkdir -p "$1/conf.d"
    printf 'include conf.d/*.conf\n' >"$1/swanctl.conf"
    for i in $(seq -w 1 "$2"); do
        printf 'connections {\n  c%s {\n    local { id = c%s.example }\n  }\n}\ninclude *.conf\n' \
            "$i" "$i" >"$1/conf.d/$i.conf"
    done
}
fanout "$tmp/f24" 24
if command -v strace >/dev/null; then
    rc=0
    XFRMD_SWANCTL_DIR=$tmp/none XFRMD_SWANCTL_CONF=$tmp/f24/swanctl.conf \
        XFRMD_IPSEC_CONF=/nonexistent XFRMD_IPSEC_D=$tmp/none XFRMD_NSS_DIRS=$tmp/none \
        ASAN_OPTIONS=detect_leaks=0 timeout 300 strace -f -qq -e trace=open,openat -o "$tmp/strace.log" \
        "$XFRMCTL" --no-daemon --json show certs >"$tmp/f24.json" || rc=$?
    opens=$(grep -c 'f24/conf.d/[0-9]*\.conf"' "$tmp/strace.log" || true)
    if [ "$rc" = 0 ] && [ "$opens" = 24 ]; then
        pass "fan-out: 24 mutually including files opened 24 times"
    else
        failed "fan-out: exit $rc, $opens opens of the 24 included files (want 24)"
    fi
else
    echo "SKIP: strace not installed (open count of the fan-out)"
    certs "$tmp/f24/swanctl.conf" /nonexistent --json show certs >"$tmp/f24.json"
fi
n=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["ike_connections"]))' \
    "$tmp/f24.json" 2>/dev/null || echo "?")
if [ "$n" = 24 ]; then
    pass "fan-out: all 24 connections read"
else
    failed "fan-out: $n connections (want 24)"
fi
certs "$tmp/f24/swanctl.conf" /nonexistent --json $verb >"$tmp/f24c.json" || [ $? = 1 ]
[ -z "$(issues "$tmp/f24c.json")" ] || failed "fan-out: unexpected issue: $(issues "$tmp/f24c.json")"

# bounds reached are said, not silent: 100 files named by one include (over 64 matches) ...
fanout "$tmp/f100" 100
rc=0
certs "$tmp/f100/swanctl.conf" /nonexistent --json $verb >"$tmp/f100.json" || rc=$?
[ "$rc" = 0 ] || failed "100 files in one include: exit $rc"
expect_issue "100 files in one include" "$tmp/f100.json" "more than 64 files"
# ... and 5 directories of 60 files (over 256 files in one tree)
mkdir -p "$tmp/f300"
: >"$tmp/f300/swanctl.conf"
for d in 1 2 3 4 5; do
    fanout "$tmp/f300/d$d" 60
    echo "include d$d/conf.d/*.conf" >>"$tmp/f300/swanctl.conf"
done
rc=0
certs "$tmp/f300/swanctl.conf" /nonexistent --json $verb >"$tmp/f300.json" || rc=$?
[ "$rc" = 0 ] || failed "300-file tree: exit $rc"
expect_issue "300-file tree" "$tmp/f300.json" "more than 256 configuration files"

[ "$fail" = 0 ] && echo "PASS: special-files"
exit "$fail"
