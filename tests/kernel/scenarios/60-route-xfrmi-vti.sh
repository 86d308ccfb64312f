#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bed: qemu
# timeout: 300
# Issue 18: route-based tunnels without an IKE daemon. An xfrm interface (if_id 42) and a VTI
# (west ikey 10/okey 11, east the reverse) with manual SAs and policies carrying that if_id or
# those marks: healthy (traffic flows both ways, no route.* finding, no finding above info,
# `show tunnels` lists both up); then each fault injected and reverted: interface down, route
# removed or pointed elsewhere, if_id changed on one side, VTI key changed, disable_policy
# cleared, the firewall dropping on the tunnel interface. Each finding is absent before, present after, names the interface and the
# peer, live and from a snapshot (capture -w, then -r).
#
#   west 192.0.2.1, .11 (w0) ---- veth ---- (e0) 192.0.2.2, .12 east
#   ipsec0 (xfrm, if_id 42) 10.42.0.1  ==ESP 192.0.2.1<->.2==  10.42.0.2 ipsec0
#   vti0 (ikey/okey)        10.43.0.1  ==ESP 192.0.2.11<->.12== 10.43.0.2 vti0
. "$XD_SRC/tests/kernel/lib/common.sh"
. "$XD_LIB/topo.sh"
. "$XD_LIB/sa.sh"
. "$XD_LIB/route.sh"
ip xfrm state list >/dev/null 2>&1 || skip "no xfrm_user in this kernel"
modprobe -q xfrm_interface 2>/dev/null
modprobe -q ip_vti 2>/dev/null
topo_host2host
ip -n west link add ipsec0 type xfrm dev w0 if_id 42 2>/dev/null || skip "no xfrm interfaces in this kernel"
ip -n west link add vti0 type vti local 192.0.2.11 remote 192.0.2.12 ikey 10 okey 11 2>/dev/null ||
    skip "no vti in this kernel"
ip -n west addr add 192.0.2.11/24 dev w0
ip -n east addr add 192.0.2.12/24 dev e0
ip -n east link add ipsec0 type xfrm dev e0 if_id 42
ip -n east link add vti0 type vti local 192.0.2.12 remote 192.0.2.11 ikey 11 okey 10
for ns in west east; do
    nsx $ns sysctl -qw net.ipv4.conf.vti0.disable_policy=1
    ip -n $ns link set ipsec0 up
    ip -n $ns link set vti0 up
done
ip -n west addr add 10.42.0.1/32 dev ipsec0
ip -n east addr add 10.42.0.2/32 dev ipsec0
ip -n west route add 10.42.0.2/32 dev ipsec0 src 10.42.0.1
ip -n east route add 10.42.0.1/32 dev ipsec0 src 10.42.0.2
ip -n west addr add 10.43.0.1/32 dev vti0
ip -n east addr add 10.43.0.2/32 dev vti0
ip -n west route add 10.43.0.2/32 dev vti0 src 10.43.0.1
ip -n east route add 10.43.0.1/32 dev vti0 src 10.43.0.2

ok=1
# xfrm interface: SAs and policies with if_id 42
sa_pair_both west $WEST east $EAST 0x4201 0x4202 tunnel proto esp reqid 42 if_id 42 replay-window 32 \
    aead 'rfc4106(gcm(aes))' KEY:xfrmi:20 128 || ok=0
xpol() { # NS DIR SRC DST TSRC TDST EXTRA...
    local ns=$1 dir=$2 s=$3 d=$4 ts=$5 td=$6; shift 6
    ip -n "$ns" xfrm policy add src "$s" dst "$d" dir "$dir" "$@" \
        tmpl src "$ts" dst "$td" proto esp reqid "$reqid" mode tunnel
}
reqid=42
xpol west out 10.42.0.1/32 10.42.0.2/32 $WEST $EAST if_id 42 || ok=0
xpol west in 10.42.0.2/32 10.42.0.1/32 $EAST $WEST if_id 42 || ok=0
xpol east out 10.42.0.2/32 10.42.0.1/32 $EAST $WEST if_id 42 || ok=0
xpol east in 10.42.0.1/32 10.42.0.2/32 $WEST $EAST if_id 42 || ok=0
# VTI: west->east carries mark 11 (west's okey, east's ikey), east->west mark 10
VW=192.0.2.11 VE=192.0.2.12
reqid=43
sa_add west $VW $VE 0x4301 tunnel proto esp reqid 43 replay-window 32 mark 11 aead 'rfc4106(gcm(aes))' KEY:vti-ab:20 128 || ok=0
sa_add east $VW $VE 0x4301 tunnel proto esp reqid 43 replay-window 32 mark 11 aead 'rfc4106(gcm(aes))' KEY:vti-ab:20 128 || ok=0
sa_add west $VE $VW 0x4302 tunnel proto esp reqid 43 replay-window 32 mark 10 aead 'rfc4106(gcm(aes))' KEY:vti-ba:20 128 || ok=0
sa_add east $VE $VW 0x4302 tunnel proto esp reqid 43 replay-window 32 mark 10 aead 'rfc4106(gcm(aes))' KEY:vti-ba:20 128 || ok=0
xpol west out 10.43.0.1/32 10.43.0.2/32 $VW $VE mark 11 || ok=0
xpol west in 10.43.0.2/32 10.43.0.1/32 $VE $VW mark 10 || ok=0
xpol east out 10.43.0.2/32 10.43.0.1/32 $VE $VW mark 10 || ok=0
xpol east in 10.43.0.1/32 10.43.0.2/32 $VW $VE mark 11 || ok=0
[ $ok = 1 ] && pass install-route-based || fail install-route-based "see log"

check healthy-ping-xfrmi ping_ok west 10.42.0.2 5
check healthy-ping-vti ping_ok west 10.43.0.2 5
n=$(sa_packets east $WEST $EAST esp); [ "$n" -gt 0 ] && pass healthy-xfrmi-esp-in "$n" || fail healthy-xfrmi-esp-in "0 packets"
n=$(sa_packets east $VW $VE esp); [ "$n" -gt 0 ] && pass healthy-vti-esp-in "$n" || fail healthy-vti-esp-in "0 packets"

# show tunnels: both interfaces, up, one SA each way, the peer named
for ns in west east; do
    xctl $ns "$ns-show-tunnels.json" --json show tunnels >/dev/null || true
    xctl $ns "$ns-show-tunnels.txt" show tunnels >/dev/null || true
    check "show-tunnels-$ns" jq -e '[.tunnels[] | select(.state == "up" and .sas_in == 1 and .sas_out == 1
        and .policies == 2 and .routes == 1 and (.peer | test("^192\\.0\\.2\\.")))] | length == 2' \
        "$XD_OUT/xfrmctl/$ns-show-tunnels.json.out"
done
check show-tunnels-west-text grep -qE '^ipsec0 +xfrm +if_id 42 +192\.0\.2\.2 +1/1 +2 +1 +up' \
    "$XD_OUT/xfrmctl/west-show-tunnels.txt.out"
check show-tunnels-west-vti-text grep -qE '^vti0 +vti +key 10/11 +192\.0\.2\.12 +1/1 +2 +1 +up' \
    "$XD_OUT/xfrmctl/west-show-tunnels.txt.out"
# healthy: no finding above info, except the stack's (no IKE daemon runs: the SAs are manual)
for ns in west east; do
    xctl $ns "$ns-check-healthy.json" --json check >/dev/null || true
    errs=$(jq -r '[.findings[]? | select(.severity != "info" and (.id | startswith("stack.") | not))
        | .id] | unique | join(",")' "$XD_OUT/xfrmctl/$ns-check-healthy.json.out" 2>/dev/null) ||
        errs="unparsable output"
    [ -z "$errs" ] && pass "healthy-$ns-nothing-above-info" || fail "healthy-$ns-nothing-above-info" "$errs"
done
expect_finding west '^route\.' absent
expect_finding east '^route\.' absent
capture west route-healthy-west
xctl - route-healthy-replay.json -r "$XD_OUT/snapshots/route-healthy-west.pcapng" --json check >/dev/null || true
check replay-healthy-no-route-finding jq -e '[.findings[] | select(.id | startswith("route."))] | length == 0' \
    "$XD_OUT/xfrmctl/route-healthy-replay.json.out"
save_snapshot west route-based-west

# 1. the xfrm interface down
ip -n west link set ipsec0 down
check_not down-symptom-ping-fails ping_ok west 10.42.0.2 2
route_fault if-down west route.if_down ipsec0 $EAST
ip -n west link set ipsec0 up
ip -n west route replace 10.42.0.2/32 dev ipsec0 src 10.42.0.1
expect_finding west '^route\.' absent

# 1b. the route into the tunnel removed, then pointed elsewhere (a dummy interface)
ip -n west route del 10.42.0.2/32 dev ipsec0
check_not no-route-symptom-ping-fails ping_ok west 10.42.0.2 2
route_fault no-route west route.not_via_tunnel ipsec0 $EAST
ip -n west link add xd-else type dummy
ip -n west link set xd-else up
ip -n west route add 10.42.0.2/32 dev xd-else
route_fault route-elsewhere west route.not_via_tunnel ipsec0 $EAST
check route-elsewhere-names-dummy jq -e '[.findings[] | select(.id == "route.not_via_tunnel") | tostring
    | select(contains("xd-else"))] | length > 0' "$XD_OUT/xfrmctl/west-route-elsewhere-check.json.out"
ip -n west link del xd-else
ip -n west route replace 10.42.0.2/32 dev ipsec0 src 10.42.0.1
check route-restored-ping ping_ok west 10.42.0.2 3
expect_finding west '^route\.' absent

# 2. if_id changed on one side: west's inbound SA now carries if_id 43
ip -n west xfrm state delete src $EAST dst $WEST proto esp spi 0x4202
sa_add west $EAST $WEST 0x4202 tunnel proto esp reqid 42 if_id 43 replay-window 32 aead 'rfc4106(gcm(aes))' KEY:xfrmi-ba:20 128
check_not if-id-symptom-ping-fails ping_ok west 10.42.0.2 2
route_fault if-id west route.if_id_mismatch ipsec0 $EAST
ip -n west xfrm state delete src $EAST dst $WEST proto esp spi 0x4202
sa_add west $EAST $WEST 0x4202 tunnel proto esp reqid 42 if_id 42 replay-window 32 aead 'rfc4106(gcm(aes))' KEY:xfrmi-ba:20 128
check if-id-restored-ping ping_ok west 10.42.0.2 3
expect_finding west '^route\.' absent

# 3. the VTI's key changed: west's ikey no longer matches the inbound SA's mark 10
ip -n west link set vti0 type vti ikey 12 okey 11
check_not vti-key-symptom-ping-fails ping_ok west 10.43.0.2 2
route_fault vti-key west route.mark_mismatch vti0 $VE
ip -n west link set vti0 type vti ikey 10 okey 11
expect_finding west '^route\.' absent

# 4. disable_policy cleared on the VTI
nsx west sysctl -qw net.ipv4.conf.vti0.disable_policy=0
route_fault vti-sysctl west route.vti_sysctl vti0 $VE
nsx west sysctl -qw net.ipv4.conf.vti0.disable_policy=1
expect_finding west '^route\.' absent

# 5. the firewall drops what arrives on the xfrm interface
nsx east nft -f - <<'EON'
table inet xdroute {
    chain input { type filter hook input priority filter; policy accept;
        iifname "ipsec0" counter drop comment "xd-fault-tunnel-iface"
    }
}
EON
check_not fw-symptom-ping-fails ping_ok west 10.42.0.2 2
route_fault fw-iface east route.fw_tunnel_iface ipsec0 $WEST
nsx east nft delete table inet xdroute
expect_finding east '^route\.' absent
check fw-restored-ping ping_ok west 10.42.0.2 3
finish
