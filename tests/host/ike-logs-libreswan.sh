#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Why a tunnel does not come up, from libreswan's own log: two real plutos (the unpacked
# Debian package, as in ike-whack.sh) in two network namespaces joined by a veth, each with
# a private /run, --rundir and --config, and its logfile= at a non-default path. A initiates
# to B, a fresh pair per case:
#   wrong PSK                   -> ike.auth_failed on both sides
#   disjoint ESP proposals      -> ike.no_proposal on both sides
#   disjoint traffic selectors  -> ike.ts_unacceptable on both sides
#   B drops UDP 500/4500        -> ike.peer_unreachable on A (no rule on A: no fw.* there)
#   B expects another ID from A -> ike.id_mismatch on B (A is told AUTHENTICATION_FAILED)
#   a healthy pair              -> no failure on B; none but the Child SA's on A (below)
# and neither PSK appears in any output. This kernel has no ESP: B cannot install the Child
# SA, logs that (no finding) and answers TS_UNACCEPTABLE, which is all A can know.
#
#   [ns A, private /run] pluto 192.0.2.1 --veth-- 192.0.2.2 pluto [ns B, private /run]
set -euo pipefail
XFRMCTL=${XFRMCTL:?}
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: needs python3"; exit 77; }
command -v certutil >/dev/null || { echo "SKIP: needs certutil (libnss3-tools)"; exit 77; }
command -v nft >/dev/null || { echo "SKIP: needs nft"; exit 77; }
. "$(dirname "$0")/lib-ike.sh"
ike_libreswan_root
nsA=xd-lslog-a-$$
nsB=xd-lslog-b-$$
ike_begin xd-lslog "$nsA" "$nsB"

PSK_A=XdCanaryLsPskA-6b02d9e4a1c7f35e8d1
PSK_B=XdCanaryLsPskB-f0c94a17e2b8d63a5c9
ip netns add "$nsA" || { echo "SKIP: cannot create a network namespace"; exit 77; }
ip netns add "$nsB"
ip -n "$nsA" link set lo up
ip -n "$nsB" link set lo up
ip link add xsla$$ netns "$nsA" type veth peer name xslb$$ netns "$nsB" ||
    { echo "SKIP: cannot create a veth pair"; exit 77; }
ip -n "$nsA" addr add 192.0.2.1/24 dev xsla$$
ip -n "$nsA" link set xsla$$ up
ip -n "$nsB" addr add 192.0.2.2/24 dev xslb$$
ip -n "$nsB" link set xslb$$ up

# conf DIR CASE SIDE LEFT RIGHT LEFTID RIGHTID LEFTSUBNET RIGHTSUBNET ESP PSK
conf() {
    local d=$1
    mkdir -p "$d/nss" "$d/ipsec.d" "$d/log"
    certutil -N -d "sql:$d/nss" --empty-password >/dev/null 2>&1
    # A gives up on a silent peer after a few quick retransmits (the default takes a minute)
    cat >"$d/ipsec.conf" <<EOC
config setup
    logfile=$d/log/pluto-$3.log
    plutodebug=none
conn tun
    ikev2=insist
    left=$4
    right=$5
    leftid=$6
    rightid=$7
    leftsubnet=$8
    rightsubnet=$9
    esp=${10}
    authby=secret
    leftupdown=/bin/true
    retransmit-interval=300
    retransmit-timeout=4s
    auto=add
EOC
    printf '%s %s : PSK "%s"\n' "$6" "$7" "${11}" >"$d/ipsec.secrets"
    chmod 600 "$d/ipsec.secrets"
}
plutos=()
start_pluto() { # dir ns
    ip netns exec "$2" unshare -m sh -c "mount -t tmpfs tmpfs /run && mkdir -p /run/xd-lslog && \
        mount --bind $root/usr/libexec /usr/libexec && \
        exec $root/usr/libexec/ipsec/pluto --nofork --config $1/ipsec.conf --rundir /run/xd-lslog \
        --nssdir $1/nss --secretsfile $1/ipsec.secrets --ipsecdir $1/ipsec.d" >"$1/pluto.out" 2>&1 &
    pids+=($!)
    plutos+=($!)
}
stop_plutos() {
    local p
    for p in "${plutos[@]}"; do kill "$p" 2>/dev/null || true; done
    for _ in $(seq 1 100); do
        local alive=0
        for p in "${plutos[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
        [ $alive = 0 ] && break
        sleep 0.1
    done
    for p in "${plutos[@]}"; do kill -9 "$p" 2>/dev/null || true; done
    plutos=()
}

# run CASE [esp_b] [subnet_b] [rightid_b] [psk_b] [drop]: a fresh pair, A initiates; the
# checks' output in $tmp/CASE-{a,b}.json
run() {
    local c=$1 espb=${2:-aes128-sha2} tsb=${3:-10.1.0.0/16} ridb=${4:-@gw-a.example} pskb=${5:-$PSK_A}
    conf "$tmp/$c/a" "$c" a 192.0.2.1 192.0.2.2 @gw-a.example @gw-b.example 10.1.0.0/16 10.2.0.0/16 aes128-sha2 "$PSK_A"
    conf "$tmp/$c/b" "$c" b 192.0.2.2 192.0.2.1 @gw-b.example "$ridb" 10.2.0.0/16 "$tsb" "$espb" "$pskb"
    [ "$ridb" = @gw-a.example ] || printf '@gw-b.example @gw-a.example : PSK "%s"\n' "$pskb" >>"$tmp/$c/b/ipsec.secrets"
    start_pluto "$tmp/$c/a" "$nsA"
    start_pluto "$tmp/$c/b" "$nsB"
    local pa pb
    pa=$(ike_find_daemon "$nsA" pluto /run/xd-lslog/pluto.ctl) || { cat "$tmp/$c/a/pluto.out"; echo "FAIL: pluto A did not start"; exit 1; }
    pb=$(ike_find_daemon "$nsB" pluto /run/xd-lslog/pluto.ctl) || { cat "$tmp/$c/b/pluto.out"; echo "FAIL: pluto B did not start"; exit 1; }
    plutos+=("$pa" "$pb")
    pids+=("$pa" "$pb")
    # pluto loads the auto=add connections itself; initiate once they are there
    ike_wait_log "$tmp/$c/a/log/pluto-a.log" "added IKEv2 connection" || fail "$c: A did not load its connection"
    ike_wait_log "$tmp/$c/b/log/pluto-b.log" "added IKEv2 connection" || fail "$c: B did not load its connection"
    if [ "${6:-}" = drop ]; then
        ip netns exec "$nsB" nft -f - <<'EON'
table inet xdpath {
    chain in {
        type filter hook input priority 0;
        udp dport { 500, 4500 } drop
    }
}
EON
    fi
    nsenter -t "$pa" -m -n timeout 20 "$root/usr/libexec/ipsec/whack" --ctlsocket /run/xd-lslog/pluto.ctl \
        --name tun --initiate >"$tmp/$c/init.out" 2>&1 || true
}

# both_sides CASE ID WHAT: check A and B into $tmp/CASE-{a,b}.json; finding ID about the
# connection on both sides.
both_sides() {
    ike_check "$nsA" "$tmp/$1-a.json" && ike_check "$nsB" "$tmp/$1-b.json"
    if ike_has "$tmp/$1-a.json" "$2" tun && ike_has "$tmp/$1-b.json" "$2" tun; then
        pass "$3: $2 on both sides"
    else
        fail "$3: A [$(ike_ids "$tmp/$1-a.json")] B [$(ike_ids "$tmp/$1-b.json")]"
    fi
}

# --- wrong PSK
run psk aes128-sha2 10.1.0.0/16 @gw-a.example "$PSK_B"
ike_wait_log "$tmp/psk/b/log/pluto-b.log" "authentication failed" || fail "psk: B did not log the failure"
both_sides psk ike.auth_failed "wrong PSK"
python3 - "$tmp/psk-a.json" <<'PY' && pass "evidence quotes pluto with time, connection and peer" || fail "evidence of ike.auth_failed"
import json, sys
d = json.load(open(sys.argv[1]))
ev = [f for f in d["findings"] if f["id"] == "ike.auth_failed"][0]["evidence"]
assert "AUTHENTICATION_FAILED" in ev["daemon_says"], ev
assert ev["connection"] == "tun" and ev["peer"] == "192.0.2.2", ev
assert ev["time_s"] > 0 and ev["log"].endswith("/psk/a/log/pluto-a.log"), ev
PY
ike_schema_check "$tmp/psk-a.json" "check --json with libreswan's ike.auth_failed"
stop_plutos

# --- disjoint ESP proposals
run prop aes_gcm256-null
ike_wait_log "$tmp/prop/b/log/pluto-b.log" "no local proposal matches" || fail "prop: B did not refuse"
both_sides prop ike.no_proposal "disjoint ESP proposals"
stop_plutos

# --- disjoint traffic selectors: B protects 10.9.0.0/16, not A's 10.1.0.0/16
run ts aes128-sha2 10.9.0.0/16
ike_wait_log "$tmp/ts/b/log/pluto-b.log" "compatible Traffic Selectors" || fail "ts: B did not refuse"
ike_wait_log "$tmp/ts/a/log/pluto-a.log" "TS_UNACCEPTABLE" || fail "ts: A was not told"
both_sides ts ike.ts_unacceptable "disjoint traffic selectors"
stop_plutos

# --- B drops IKE, A has no rule: A gives up on its peer
run unreach "" "" "" "" drop
ike_wait_log "$tmp/unreach/a/log/pluto-a.log" "No response" || fail "unreach: A did not give up"
ike_check "$nsA" "$tmp/unreach-a.json"
if ike_has "$tmp/unreach-a.json" ike.peer_unreachable tun && [ -z "$(ike_ids "$tmp/unreach-a.json" fw.)" ]; then
    pass "a path dropping IKE: ike.peer_unreachable on A, no fw.* finding there"
else
    fail "path dropping IKE: A [$(ike_ids "$tmp/unreach-a.json") $(ike_ids "$tmp/unreach-a.json" fw.)]"
fi
stop_plutos
ip netns exec "$nsB" nft delete table inet xdpath

# --- B expects another ID from A
run id aes128-sha2 10.1.0.0/16 @other.example
ike_wait_log "$tmp/id/b/log/pluto-b.log" "mismatched" || fail "id: B did not refuse the ID"
ike_check "$nsA" "$tmp/id-a.json" && ike_check "$nsB" "$tmp/id-b.json"
if ike_has "$tmp/id-b.json" ike.id_mismatch tun && ! ike_has "$tmp/id-b.json" ike.auth_failed &&
   ike_has "$tmp/id-a.json" ike.auth_failed tun; then
    pass "an ID B does not expect: ike.id_mismatch on B, A told AUTHENTICATION_FAILED"
else
    fail "ID mismatch: A [$(ike_ids "$tmp/id-a.json")] B [$(ike_ids "$tmp/id-b.json")]"
fi
stop_plutos

# --- healthy: the IKE SA comes up; only B's kernel (no ESP) stops the Child SA
run ok
ike_wait_log "$tmp/ok/b/log/pluto-b.log" "established IKE SA" || fail "ok: the IKE SA did not come up"
ike_wait_log "$tmp/ok/a/log/pluto-a.log" "established IKE SA" || true
ike_check "$nsA" "$tmp/ok-a.json" && ike_check "$nsB" "$tmp/ok-b.json"
a_ok=$(ike_ids "$tmp/ok-a.json" | tr ' ' '\n' | grep -vx -e ike.conn_down -e ike.ts_unacceptable || true)
b_ok=$(ike_ids "$tmp/ok-b.json" | tr ' ' '\n' | grep -vx ike.conn_down || true)
if [ -z "$a_ok$b_ok" ]; then
    pass "a healthy pair: no failure from the logs on B, none but the Child SA's on A"
else
    fail "healthy: A [$(ike_ids "$tmp/ok-a.json")] B [$(ike_ids "$tmp/ok-b.json")]"
fi
stop_plutos

leak=0
for psk in "$PSK_A" "$PSK_B"; do
    ike_no_secret "$psk" "$tmp"/*.json || leak=1
done
[ $leak = 0 ] && pass "no PSK in any output" || fail "a PSK leaked"

exit $((fails > 0))
