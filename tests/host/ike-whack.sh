#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# libreswan's own view through whack: a real pluto (the unpacked package, see
# tests/kernel/stack-lib.sh) in its own network and mount namespaces, started with a private
# --rundir, so its control socket is found only from its command line and through
# /proc/PID/root, and whack only beside its executable. Two connections loaded, none up (this
# kernel has no ESP). `show ike --json` must list both as libreswan's, a snapshot must replay
# the same view, the PSK must appear in no output; a whack that never answers must end as a
# dump status within the time bound (and be killed), and whack runs without capabilities and
# with no_new_privs.
#
#   [ns xd-whack-$$, private /run]  pluto --rundir /run/xd-whack  --  /run/xd-whack/pluto.ctl
set -euo pipefail
XFRMCTL=${XFRMCTL:?}
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: needs python3"; exit 77; }
command -v certutil >/dev/null || { echo "SKIP: needs certutil (libnss3-tools)"; exit 77; }
. "$(dirname "$0")/lib-ike.sh"
ike_libreswan_root
ns=xd-whack-$$
ike_begin xd-whack "$ns"

CANARY=XdCanaryPsk-7c2e91b04d
ip netns add "$ns" || { echo "SKIP: cannot create a network namespace"; exit 77; }
ip -n "$ns" link set lo up
# pluto only takes a connection whose local address is on an interface
ip -n "$ns" link add xdw0 type veth peer name xdw1 || { echo "SKIP: no veth"; exit 77; }
ip -n "$ns" link set xdw0 up
ip -n "$ns" addr add 192.0.2.1/24 dev xdw0
mkdir -p "$tmp/nss" "$tmp/ipsec.d"
certutil -N -d "sql:$tmp/nss" --empty-password >/dev/null 2>&1
cat >"$tmp/ipsec.conf" <<EOC
config setup
    logfile=$tmp/pluto.log
    plutodebug=none
conn site-b
    ikev2=insist
    left=192.0.2.1
    right=198.51.100.7
    leftid=@gw-a.example
    rightid=@gw-b.example
    leftsubnet=10.1.0.0/16
    rightsubnet=10.2.0.0/16
    authby=secret
    leftupdown=/bin/true
    auto=add
conn host
    ikev2=insist
    left=192.0.2.1
    right=198.51.100.9
    type=transport
    authby=secret
    leftupdown=/bin/true
    auto=add
EOC
echo "@gw-a.example @gw-b.example : PSK \"$CANARY\"" >"$tmp/ipsec.secrets"
chmod 600 "$tmp/ipsec.secrets"
# pluto runs addconn from its compiled-in /usr/libexec/ipsec: in its private mount namespace
# the unpacked package's libexec is bound over the host's
ip netns exec "$ns" unshare -m sh -c "mount -t tmpfs tmpfs /run && mkdir -p /run/xd-whack && \
    mount --bind $root/usr/libexec /usr/libexec && \
    exec $root/usr/libexec/ipsec/pluto --nofork --config $tmp/ipsec.conf --rundir /run/xd-whack \
    --nssdir $tmp/nss --secretsfile $tmp/ipsec.secrets --ipsecdir $tmp/ipsec.d" >"$tmp/pluto.out" 2>&1 &
pids+=($!)
want=$(stat -L -c "net:[%i]" "/run/netns/$ns")
ppid=
for _ in $(seq 1 100); do
    for d in /proc/[0-9]*; do
        [ "$(cat "$d/comm" 2>/dev/null)" = pluto ] || continue
        [ "$(readlink "$d/ns/net" 2>/dev/null)" = "$want" ] && ppid=${d#/proc/}
    done
    [ -n "$ppid" ] && [ -S "/proc/$ppid/root/run/xd-whack/pluto.ctl" ] && break
    sleep 0.1
done
[ -n "$ppid" ] && [ -S "/proc/$ppid/root/run/xd-whack/pluto.ctl" ] ||
    { tail -20 "$tmp/pluto.log" "$tmp/pluto.out" 2>/dev/null; echo "FAIL: pluto did not start"; exit 1; }
pids+=("$ppid")
[ ! -e /run/xd-whack/pluto.ctl ] || { echo "FAIL: the socket is visible outside pluto's mount namespace"; exit 1; }
nsenter -t "$ppid" -m -n "$root/usr/libexec/ipsec/addconn" --ctlsocket /run/xd-whack/pluto.ctl \
    --config "$tmp/ipsec.conf" --autoall >"$tmp/addconn.out" 2>&1 ||
    { cat "$tmp/addconn.out"; echo "FAIL: addconn"; exit 1; }

"$XFRMCTL" --no-daemon -n "$ns" --json show ike >"$tmp/live.json"
"$XFRMCTL" --no-daemon -n "$ns" show ike >"$tmp/live.txt"
"$XFRMCTL" --no-daemon -n "$ns" capture -w "$tmp/snap.pcapng" >/dev/null
"$XFRMCTL" -r "$tmp/snap.pcapng" --json show ike >"$tmp/replay.json"
"$XFRMCTL" -r "$tmp/snap.pcapng" show ike >"$tmp/replay.txt"

if python3 - "$tmp/live.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for k in ("ike.whack_status", "ike.whack_traffic"):
    assert d["meta"]["dumps"][k]["status"] == "complete", d["meta"]["dumps"].get(k)
conns = {c["name"]: c for c in d["ike"]["connections"]}
assert sorted(conns) == ["host", "site-b"], conns
c = conns["site-b"]
assert c["stack"] == "libreswan" and c["version"] == "IKEv2", c
assert c["local_addrs"] == ["192.0.2.1"] and c["remote_addrs"] == ["198.51.100.7"], c
assert c["local_id"] == "@gw-a.example" and c["remote_id"] == "@gw-b.example", c
ch = c["children"][0]
assert ch["mode"] == "TUNNEL", ch
assert ch["local_ts"] == ["10.1.0.0/16"] and ch["remote_ts"] == ["10.2.0.0/16"], ch
h = conns["host"]["children"][0]
assert h["mode"] == "TRANSPORT" and h["remote_ts"] == ["198.51.100.9/32"], h
assert d["ike"]["ike_sas"] == [], d["ike"]["ike_sas"]
PY
then pass "show ike --json lists both libreswan connections from the socket in pluto's --rundir"
else fail "show ike --json"; cat "$tmp/live.json"; fi

grep -q "connection site-b  libreswan IKEv2  192.0.2.1 -> 198.51.100.7" "$tmp/live.txt" &&
    pass "show ike text names the libreswan connection" || { cat "$tmp/live.txt"; fail "show ike text"; }

if python3 - "$tmp/live.json" "$tmp/replay.json" <<'PY'
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
assert a["ike"] == b["ike"], (a["ike"], b["ike"])
assert b["meta"]["dumps"]["ike.whack_status"]["status"] == "complete"
PY
then pass "a snapshot replays the same IKE view"
else fail "replay of the IKE view differs"; fi

ike_schema_check "$tmp/live.json" "show ike --json"

ike_no_secret "$CANARY" "$tmp"/live.json "$tmp"/live.txt "$tmp"/replay.json "$tmp"/replay.txt \
    "$tmp"/snap.pcapng && pass "the PSK appears in no output or snapshot" || fail "the PSK leaked"

# A whack that never answers: bounded, killed, reported as a dump status. It also records the
# privileges it was given.
python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); s.bind(sys.argv[1]); s.listen(4)
time.sleep(60)' "$tmp/mute.sock" &
pids+=($!)
# python may take seconds to start on a busy machine
for _ in $(seq 1 300); do [ -S "$tmp/mute.sock" ] && break; sleep 0.1; done
[ -S "$tmp/mute.sock" ] || { echo "FAIL: the mute socket did not appear"; exit 1; }
cat >"$tmp/fake-whack" <<EOS
#!/bin/sh
grep -E '^(CapEff|NoNewPrivs):' /proc/self/status >"$tmp/priv.txt"
exec sleep 747
EOS
chmod 755 "$tmp/fake-whack"
start=$(date +%s)
rc=0
XFRMD_WHACK_SOCKET=$tmp/mute.sock XFRMD_WHACK=$tmp/fake-whack timeout 30 \
    "$XFRMCTL" --no-daemon --json show ike >"$tmp/mute.json" || rc=$?
took=$(( $(date +%s) - start ))
if [ $rc = 0 ] && python3 - "$tmp/mute.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
st = d["meta"]["dumps"]["ike.whack_status"]
assert st["status"] == "error" and st["errno"] == 110, st  # ETIMEDOUT
assert d["ike"]["connections"] == [], d["ike"]
PY
then pass "a whack that never answers ends as an error status (rc $rc, ${took}s), not a hang"
else fail "mute whack: rc $rc after ${took}s"; cat "$tmp/mute.json"; fi
sleep 0.2
if pgrep -f "sleep 747" >/dev/null; then fail "the timed-out whack was left running"; else pass "the timed-out whack was killed"; fi
grep -q "^CapEff:[[:space:]]*0000000000000000" "$tmp/priv.txt" && grep -q "^NoNewPrivs:[[:space:]]*1" "$tmp/priv.txt" &&
    pass "whack runs with no capabilities and no_new_privs" || { cat "$tmp/priv.txt"; fail "whack's privileges"; }

XFRMD_WHACK_SOCKET=$tmp/nonexistent.ctl "$XFRMCTL" --no-daemon --json show ike >"$tmp/none.json" &&
    [ "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["meta"]["dumps"]["ike.whack_status"]["status"])' "$tmp/none.json")" = error ] &&
    pass "a missing pluto socket is an error status" || fail "missing pluto socket"

exit $((fails > 0))
