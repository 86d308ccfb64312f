# SPDX-License-Identifier: GPL-2.0-or-later
# What the IKE host tests (ike-vici.sh, ike-whack.sh, ike-logs*.sh) share: a scratch directory
# and namespaces removed at exit with the daemons they started, PASS/FAIL counting, the schema
# check and the secret scan, the unpacked libreswan, and reading `check --json` findings.
# Source it after `set -euo pipefail`.

# ike_begin PREFIX NS...: $tmp, $pids (add the daemons' pids), $fails; cleanup at exit.
ike_begin() {
    local prefix=$1
    shift
    ike_netns=("$@")
    tmp=$(mktemp -d "/tmp/$prefix.XXXXXX")
    pids=()
    fails=0
    trap ike_cleanup EXIT
}

ike_cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    sleep 0.3
    for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
    for n in "${ike_netns[@]}"; do ip netns del "$n" 2>/dev/null || true; done
    [ -n "${XD_KEEP_TMP:-}" ] || rm -rf "$tmp"
}

pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# ike_schema_check FILE WHAT: FILE validates against xfrmctl's JSON schema (when jsonschema
# is installed).
ike_schema_check() {
    local schema
    schema=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/docs/schema/xfrmctl.schema.json
    python3 -c 'import jsonschema' 2>/dev/null || return 0
    python3 - "$schema" "$1" <<'PY' && pass "$2 follows the schema" || fail "$2 against the schema"
import json, sys, jsonschema
jsonschema.validate(json.load(open(sys.argv[2])), json.load(open(sys.argv[1])))
PY
}

# ike_no_secret SECRET FILE...: the secret is in none of the files, raw, as hex, as base64 or
# by its first 8 bytes; names the file that has it.
ike_no_secret() {
    local s=$1 hex b64 leak=0 f
    shift
    hex=$(printf %s "$s" | od -An -tx1 | tr -d ' \n')
    b64=$(printf %s "$s" | base64)
    for f in "$@"; do
        if grep -aqF -e "$s" -e "$hex" -e "$b64" -e "${s:0:8}" "$f"; then leak=1; echo "leak in $f"; fi
    done
    return $leak
}

# ike_find_daemon NS COMM SOCKET: the pid of the COMM process in network namespace NS once
# SOCKET (a path inside its mount namespace) exists; fails after 10 s. Only NS's processes
# are looked at, without a fork per process: on a busy machine a walk of /proc with a `cat`
# per process takes seconds.
ike_find_daemon() {
    local pid= p c
    for _ in $(seq 1 100); do
        for p in $(ip netns pids "$1" 2>/dev/null); do
            read -r c 2>/dev/null <"/proc/$p/comm" || continue
            [ "$c" = "$2" ] && pid=$p
        done
        [ -n "$pid" ] && [ -S "/proc/$pid/root$3" ] && break
        sleep 0.1
    done
    [ -n "$pid" ] && [ -S "/proc/$pid/root$3" ] || return 1
    echo "$pid"
}

# ike_libreswan_root: $root, the unpacked libreswan package (tests/kernel/prepare.sh); the test
# is skipped (exit 77) without one or when pluto's libraries are missing.
ike_libreswan_root() {
    local c
    root=
    for c in "${LIBRESWAN_ROOT:-}" /var/cache/xfrmd-tests/libreswan /var/cache/xfrmd-tests/kstack-libreswan/root; do
        [ -n "$c" ] && [ -x "$c/usr/libexec/ipsec/pluto" ] && { root=$c; break; }
    done
    [ -n "$root" ] || { echo "SKIP: libreswan not unpacked (tests/kernel/prepare.sh)"; exit 77; }
    ldd "$root/usr/libexec/ipsec/pluto" | grep -q 'not found' && { echo "SKIP: pluto's libraries missing"; exit 77; }
    return 0
}

# ike_wait_log FILE PATTERN: a daemon's log shows a line (it logs after it answered); fails
# after 20 s.
ike_wait_log() {
    for _ in $(seq 1 200); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
    return 1
}

# ike_check NS OUT.json: `xfrmctl check --json` in network namespace NS; fails on exit codes
# other than 0 and 1 (findings).
ike_check() {
    local rc=0
    "$XFRMCTL" --no-daemon -n "$1" --json check >"$2" || rc=$?
    [ $rc -le 1 ] || { echo "xfrmctl check rc $rc"; return 1; }
}

# ike_has JSON ID [CONN]: the check output has finding ID (about connection CONN).
ike_has() {
    python3 - "$@" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
fs = [f for f in d["findings"] if f["id"] == sys.argv[2]]
if len(sys.argv) > 3:
        fs = [f for f in fs if f["evidence"].get("connection") == sys.argv[3]]
sys.exit(0 if fs else 1)
PY
}

# ike_ids JSON [PREFIX]: the ids of the check output's findings starting with PREFIX (ike.),
# sorted, on one line.
ike_ids() { python3 -c 'import json,sys; print(" ".join(sorted(f["id"] for f in json.load(open(sys.argv[1]))["findings"] if f["id"].startswith(sys.argv[2]))))' "$1" "${2:-ike.}"; }
