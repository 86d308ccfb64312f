#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# What the IKE view costs `check`: a real charon in a network namespace with N connections
# loaded over VICI (none up: their peers do not exist), and the time of
#   swanctl --list-conns                 (what a user runs; VICI and its text rendering)
#   xfrmctl --no-daemon --json show ike  (our VICI client, decoder and JSON)
#   xfrmctl --no-daemon --json check     (everything, the IKE checks included)
# best of seven each (wall, and CPU: the machine may be shared), for each N given (0 first: the cost of a charon with no connection).
# Not a test: it measures. As root, with strongSwan's charon and swanctl installed:
#   tests/bench/bench-ike.sh build 0 1000
set -euo pipefail
build=${1:?usage: bench-ike.sh BUILD_DIR N...}
shift
XFRMCTL=$(cd "$build" && pwd)/tools/xfrmctl/xfrmctl
CHARON=/usr/lib/ipsec/charon
[ "$(id -u)" = 0 ] || { echo "needs root"; exit 1; }
[ -x "$CHARON" ] && command -v swanctl >/dev/null || { echo "needs charon and swanctl"; exit 1; }
ns=xd-bike-$$
tmp=$(mktemp -d /tmp/xd-bike.XXXXXX)
cpid=
cleanup() {
    [ -n "$cpid" ] && kill "$cpid" 2>/dev/null
    ip netns del "$ns" 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT
ip netns add "$ns"
ip -n "$ns" link set lo up
ip -n "$ns" link add xdb0 type veth peer name xdb1
ip -n "$ns" link set xdb0 up
ip -n "$ns" addr add 192.0.2.1/24 dev xdb0
cat >"$tmp/strongswan.conf" <<EOC
charon {
    load_modular = no
    load = random nonce aes sha1 sha2 hmac pem pkcs1 x509 revocation constraints pubkey openssl kernel-netlink socket-default vici updown
    install_routes = no
    plugins { vici { socket = unix://$tmp/vici.sock } }
}
EOC
ip netns exec "$ns" unshare -m sh -c "mount -t tmpfs tmpfs /run && STRONGSWAN_CONF=$tmp/strongswan.conf exec $CHARON" \
    >"$tmp/charon.out" 2>&1 &
cpid=$!
for _ in $(seq 1 100); do [ -S "$tmp/vici.sock" ] && break; sleep 0.1; done
export XFRMD_VICI_SOCKET=$tmp/vici.sock
best() { # best wall and CPU (user + system) seconds of seven runs of a command
    python3 - "$@" <<'PY'
import resource, subprocess, sys, time
bw = bc = None
for _ in range(7):
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.monotonic()
    subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    w = time.monotonic() - t
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    c = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    bw = w if bw is None or w < bw else bw
    bc = c if bc is None or c < bc else bc
print(f"{bw:.3f} | {bc:.3f}")
PY
}
echo "| connections | command | best wall s (of 7) | best CPU s (of 7) |"
echo "|---:|---|---:|---:|"
for n in "$@"; do
    python3 - "$n" >"$tmp/swanctl.conf" <<'PY'
import sys
n = int(sys.argv[1])
print("connections {")
for i in range(n):
    print(f" c{i} {{ local_addrs = 192.0.2.1\n  remote_addrs = 198.51.{i // 250}.{i % 250 + 1}\n"
          f"  local {{ auth = psk\n id = gw-a.example }}\n  remote {{ auth = psk\n id = peer{i}.example }}\n"
          f"  children {{ net {{ local_ts = 10.1.0.0/16\n remote_ts = 10.{100 + i // 250}.{i % 250}.0/24\n"
          f"   esp_proposals = aes128gcm16 }} }} }}")
print("}")
PY
    # replace the loaded set with this one (--load-conns unloads what the file no longer has)
    SWANCTL_DIR=$tmp swanctl --load-conns --file "$tmp/swanctl.conf" --uri "unix://$tmp/vici.sock" >/dev/null 2>&1
    got=$(swanctl --list-conns --uri "unix://$tmp/vici.sock" | grep -c "IKEv" || true)
    [ "$got" = "$n" ] || { echo "loaded $got connections, not $n"; exit 1; }
    echo "| $n | \`swanctl --list-conns\` | $(best swanctl --list-conns --uri "unix://$tmp/vici.sock") |"
    echo "| $n | \`xfrmctl --json show ike\` | $(best ip netns exec "$ns" "$XFRMCTL" --no-daemon --json show ike) |"
    echo "| $n | \`xfrmctl --json check\` | $(best ip netns exec "$ns" "$XFRMCTL" --no-daemon --json check) |"
    # XD_BENCH_PROFILE=DIR: a perf profile of check at each size, for finding the cost
    if [ -n "${XD_BENCH_PROFILE:-}" ] && command -v perf >/dev/null; then
        ip netns exec "$ns" perf record -q -g -o "$XD_BENCH_PROFILE/check-$n.perf" \
            "$XFRMCTL" --no-daemon --json check >/dev/null 2>&1 || true
    fi
done
