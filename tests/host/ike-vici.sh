#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The IKE daemon's own view over VICI: a real charon in its own network and mount namespaces,
# with its VICI socket at a private path named only in a file its own strongswan.conf includes
# (found through STRONGSWAN_CONF in its environment, the include, and /proc/PID/root), two
# connections loaded and none up
# (this kernel has no ESP). `show ike --json` must list both, a snapshot must replay the same
# view, the PSK of swanctl.conf must appear in no output, and a daemon that accepts but never
# answers must end as a dump status within the time bound, not a hang.
#
#   [ns xd-vici-$$, private /run]  charon  --  /run/xd-vici/vici.sock
set -euo pipefail
XFRMCTL=${XFRMCTL:?}
CHARON=/usr/lib/ipsec/charon
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
[ -x "$CHARON" ] && command -v swanctl >/dev/null || { echo "SKIP: needs strongSwan's charon and swanctl"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: needs python3"; exit 77; }
. "$(dirname "$0")/lib-ike.sh"
ns=xd-vici-$$
ike_begin xd-vici "$ns"

CANARY=XdCanaryPsk-5e1f0a7c93
ip netns add "$ns" || { echo "SKIP: cannot create a network namespace"; exit 77; }
ip -n "$ns" link set lo up
mkdir -p "$tmp/swanctl"
# never the resolve plugin: it would write the shared /etc/resolv.conf
cat >"$tmp/strongswan.conf" <<EOC
charon {
    load_modular = no
    load = random nonce aes sha1 sha2 hmac pem pkcs1 x509 revocation constraints pubkey openssl kernel-netlink socket-default vici updown
    install_routes = no
    plugins {
        # as Debian ships it: the plugins' settings in included files
        include strongswan.d/charon/*.conf
    }
    filelog {
        log { path = $tmp/charon.log
              default = 1 }
    }
}
EOC
mkdir -p "$tmp/strongswan.d/charon"
printf 'vici {\n    load = yes\n    socket = unix:///run/xd-vici/vici.sock\n}\n' >"$tmp/strongswan.d/charon/vici.conf"
cat >"$tmp/swanctl/swanctl.conf" <<EOC
connections {
    site-b {
        local_addrs = 192.0.2.1
        remote_addrs = 198.51.100.7
        local { auth = psk
                id = gw-a.example }
        remote { auth = psk
                 id = gw-b.example }
        children {
            lan {
                local_ts = 10.1.0.0/16
                remote_ts = 10.2.0.0/16, 10.3.0.0/16
            }
        }
    }
    road {
        remote_addrs = %any
        local { auth = psk }
        remote { auth = psk }
        children {
            host { mode = transport }
        }
    }
}
secrets { ike-1 { secret = "$CANARY" } }
EOC
ip netns exec "$ns" unshare -m sh -c "mount -t tmpfs tmpfs /run && mkdir -p /run/xd-vici && \
    STRONGSWAN_CONF=$tmp/strongswan.conf exec $CHARON" >"$tmp/charon.out" 2>&1 &
pids+=($!)
cpid=$(ike_find_daemon "$ns" charon /run/xd-vici/vici.sock) ||
    { tail -20 "$tmp/charon.log" "$tmp/charon.out" 2>/dev/null; echo "FAIL: charon did not start"; exit 1; }
pids+=("$cpid")
nsenter -t "$cpid" -m -n env STRONGSWAN_CONF="$tmp/strongswan.conf" SWANCTL_DIR="$tmp/swanctl" \
    swanctl --load-all --uri unix:///run/xd-vici/vici.sock >"$tmp/swanctl.out" 2>&1 ||
    { cat "$tmp/swanctl.out"; echo "FAIL: swanctl --load-all"; exit 1; }

"$XFRMCTL" --no-daemon -n "$ns" --json show ike >"$tmp/live.json"
"$XFRMCTL" --no-daemon -n "$ns" show ike >"$tmp/live.txt"
"$XFRMCTL" --no-daemon -n "$ns" capture -w "$tmp/snap.pcapng" >/dev/null
"$XFRMCTL" -r "$tmp/snap.pcapng" --json show ike >"$tmp/replay.json"
"$XFRMCTL" -r "$tmp/snap.pcapng" show ike >"$tmp/replay.txt"

if python3 - "$tmp/live.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for k in ("ike.vici_conns", "ike.vici_sas"):
    assert d["meta"]["dumps"][k]["status"] == "complete", d["meta"]["dumps"].get(k)
conns = {c["name"]: c for c in d["ike"]["connections"]}
assert sorted(conns) == ["road", "site-b"], conns
c = conns["site-b"]
assert c["local_addrs"] == ["192.0.2.1"] and c["remote_addrs"] == ["198.51.100.7"], c
assert c["local_id"] == "gw-a.example" and c["remote_id"] == "gw-b.example", c
ch = c["children"][0]
assert ch["name"] == "lan" and ch["mode"] == "TUNNEL", ch
assert ch["local_ts"] == ["10.1.0.0/16"] and ch["remote_ts"] == ["10.2.0.0/16", "10.3.0.0/16"], ch
assert conns["road"]["children"][0]["mode"] == "TRANSPORT", conns["road"]
assert d["ike"]["ike_sas"] == [], d["ike"]["ike_sas"]
assert d["meta"]["decode"]["issues"] == 0, d["meta"]["decode"]
PY
then pass "show ike --json lists both connections from the private VICI socket, no IKE SA"
else fail "show ike --json"; fi

grep -q "connection site-b" "$tmp/live.txt" && grep -q "child lan  TUNNEL  10.1.0.0/16 === 10.2.0.0/16,10.3.0.0/16" "$tmp/live.txt" &&
    pass "show ike text names the connections and children" || { cat "$tmp/live.txt"; fail "show ike text"; }

if python3 - "$tmp/live.json" "$tmp/replay.json" <<'PY'
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
assert a["ike"] == b["ike"], (a["ike"], b["ike"])
assert b["meta"]["dumps"]["ike.vici_conns"]["status"] == "complete"
PY
then pass "a snapshot replays the same IKE view"
else fail "replay of the IKE view differs"; fi

ike_schema_check "$tmp/live.json" "show ike --json"

# the secret must appear nowhere: raw, hex, base64
ike_no_secret "$CANARY" "$tmp"/live.json "$tmp"/live.txt "$tmp"/replay.json "$tmp"/replay.txt \
    "$tmp"/snap.pcapng && pass "the PSK appears in no output or snapshot" || fail "the PSK leaked"

# A daemon that accepts but never answers: bounded, reported as a dump status
python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); s.bind(sys.argv[1]); s.listen(4)
c = s.accept()
time.sleep(60)' "$tmp/mute.sock" &
pids+=($!)
for _ in $(seq 1 50); do [ -S "$tmp/mute.sock" ] && break; sleep 0.1; done
start=$(date +%s)
rc=0
XFRMD_VICI_SOCKET=$tmp/mute.sock timeout 30 "$XFRMCTL" --no-daemon --json show ike >"$tmp/mute.json" || rc=$?
took=$(( $(date +%s) - start ))
if [ $rc = 0 ] && python3 - "$tmp/mute.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
st = d["meta"]["dumps"]["ike.vici_conns"]
assert st["status"] == "error", st
assert d["ike"]["connections"] == [], d["ike"]
PY
then pass "a mute VICI socket ends as an error status (rc $rc, ${took}s), not a hang"
else fail "mute VICI socket: rc $rc after ${took}s"; cat "$tmp/mute.json"; fi

XFRMD_VICI_SOCKET=$tmp/nonexistent.sock "$XFRMCTL" --no-daemon --json show ike >"$tmp/none.json" &&
    [ "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["meta"]["dumps"]["ike.vici_sas"]["status"])' "$tmp/none.json")" = error ] &&
    pass "a missing VICI socket is an error status" || fail "missing VICI socket"

exit $((fails > 0))
