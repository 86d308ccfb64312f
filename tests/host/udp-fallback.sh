#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# UDP sockets on a kernel without udp_diag: sock_diag cannot list them, so the collector reads
# /proc/net/udp{,6} as `ss` does. XFRMD_TEST_NO_UDP_DIAG=1 makes the collector take that
# path on this kernel (no module is unloaded). A NAT-T listener on 0.0.0.0:4500 and
# [::]:4500 must be seen, with its owner, both ways, and a snapshot must replay the same.
#
#   [ns xd-udp-$$]  python3 holding UDP 4500 (IPv4 and IPv6-only sockets)
set -euo pipefail
XFRMCTL=${XFRMCTL:?}
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: needs python3"; exit 77; }
ns=xd-udp-$$
tmp=$(mktemp -d)
holder=
trap '[ -n "$holder" ] && kill "$holder" 2>/dev/null; ip netns del $ns 2>/dev/null || true; rm -rf "$tmp"' EXIT
ip netns add $ns || { echo "SKIP: cannot create a network namespace"; exit 77; }
ip -n $ns link set lo up
ip netns exec $ns python3 -c '
import socket, time
a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); a.bind(("0.0.0.0", 4500))
b = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
b.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1); b.bind(("::", 4500))
time.sleep(600)' &
holder=$!
# wait until both sockets exist (":1194" is 4500 in hex)
for _ in $(seq 1 200); do
    n=$(ip netns exec $ns cat /proc/net/udp /proc/net/udp6 | grep -c ':1194 ' || true)
    [ "$n" = 2 ] && break
    sleep 0.1
done
[ "$n" = 2 ] || { echo "FAIL: the test's UDP sockets never appeared"; exit 1; }

check() { # $1: json file, $2: "fallback" or "sock_diag"
    python3 - "$1" "$2" "$holder" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); mode = sys.argv[2]; pid = int(sys.argv[3])
dumps = d["meta"]["dumps"]
if mode == "fallback":
    assert dumps["sockdiag.udp"]["status"] == "absent", dumps["sockdiag.udp"]
    assert dumps["file.udp"]["status"] == "complete", dumps.get("file.udp")
else:
    assert dumps["sockdiag.udp"]["status"] == "complete", dumps["sockdiag.udp"]
    assert "file.udp" not in dumps, dumps["file.udp"]
socks = sorted((s["family"], s["address"], s["port"], s["pid"]) for s in d["stack"]["ike_sockets"])
want = [("inet", "0.0.0.0", 4500, pid), ("inet6", "::", 4500, pid)]
assert socks == want, (socks, want)
assert d["stack"]["evidence"]["sockets"] is True
assert d["meta"]["decode"]["issues"] == 0, d["meta"]["decode"]
PY
}

XFRMD_TEST_NO_UDP_DIAG=1 "$XFRMCTL" --no-daemon -n $ns --json show stack > "$tmp/fallback.json"
check "$tmp/fallback.json" fallback
echo "PASS: without udp_diag, /proc/net/udp{,6} show both NAT-T sockets and their owner"

"$XFRMCTL" --no-daemon -n $ns --json show stack > "$tmp/diag.json"
check "$tmp/diag.json" sock_diag
echo "PASS: with sock_diag the same sockets, and /proc/net/udp is not read"

XFRMD_TEST_NO_UDP_DIAG=1 "$XFRMCTL" --no-daemon -n $ns capture -w "$tmp/s.pcapng"
"$XFRMCTL" -r "$tmp/s.pcapng" --json show stack > "$tmp/replay.json"
check "$tmp/replay.json" fallback
echo "PASS: a snapshot taken without udp_diag replays the same sockets"
