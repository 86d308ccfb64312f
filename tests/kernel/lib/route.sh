# SPDX-License-Identifier: GPL-2.0-or-later
# Route-based tunnel (issue 18) helpers shared by the route scenarios (60-6x).
#
# route_fault TAG NS ID IFACE PEER: the finding ID (absent before: the scenario checked the
# healthy or repaired state) is now present in NS, its text naming IFACE and PEER, live and
# from a capture read back with -r (as at a support desk, outside NS).
route_fault() {
    local tag=$1 ns=$2 id=$3 iface=$4 peer=$5 f
    expect_finding "$ns" "^${id//./\\.}\$"
    xctl "$ns" "$ns-$tag-check.json" --json -v check >/dev/null || true
    check "$tag-names-$iface-and-$peer" jq -e --arg id "$id" --arg i "$iface" --arg p "$peer" \
        '[.findings[] | select(.id == $id) | tostring | select(contains($i) and contains($p))] | length > 0' \
        "$XD_OUT/xfrmctl/$ns-$tag-check.json.out"
    f=$XD_OUT/snapshots/route-$tag.pcapng
    mkdir -p "$XD_OUT/snapshots"; rm -f "$f"
    xctl "$ns" "$tag-capture" capture -w "$f" >/dev/null || true
    xctl - "$tag-replay.json" -r "$f" --json -v check >/dev/null || true
    check "$tag-from-snapshot" jq -e --arg id "$id" --arg i "$iface" --arg p "$peer" \
        '[.findings[] | select(.id == $id) | tostring | select(contains($i) and contains($p))] | length > 0' \
        "$XD_OUT/xfrmctl/$tag-replay.json.out"
}

# route_healthy NS TAG: one `check` in NS reports no finding above info (issue 6) and no route.*
# finding at all (one xfrmctl run for both: each costs seconds on the TCG bed)
route_healthy() {
    local ns=$1 tag=$2 errs n f=$XD_OUT/xfrmctl/$1-$2-check.json.out
    xctl "$ns" "$ns-$tag-check.json" --json check >/dev/null || true
    errs=$(jq -r '[.findings[]? | select(.severity != "info") | .id] | unique | join(",")' "$f" 2>/dev/null) ||
        errs="unparsable output"
    [ -z "$errs" ] && pass "$tag-$ns-nothing-above-info" || fail "$tag-$ns-nothing-above-info" "$errs"
    n=$(jq '[.findings[]? | select(.id | startswith("route."))] | length' "$f" 2>/dev/null) || n=unparsable
    [ "$n" = 0 ] && pass "$tag-$ns-no-route-finding" || fail "$tag-$ns-no-route-finding" "$n route.* findings"
}

# if_rx NS IFACE: packets received on IFACE in NS (the decrypted side of a tunnel interface)
if_rx() { nsx "$1" cat "/sys/class/net/$2/statistics/rx_packets" 2>/dev/null || echo 0; }

# route_gw_healthy IFACE IF_ID: on both gateways of topo_gw2gw, nothing above info and no route.*
# finding (route_healthy), `show tunnels` lists IFACE (if_id IF_ID) up with SAs both ways and a
# route, and `peers` joins the peer to IFACE; west's metrics have the interface up.
route_gw_healthy() {
    local i=$1 id=$2 ns
    for ns in west east; do
        route_healthy $ns healthy
        xctl $ns "$ns-show-tunnels.json" --json show tunnels >/dev/null || true
        check "show-tunnels-$ns-up" jq -e --arg i "$i" --argjson id "$id" '[.tunnels[] | select(.interface == $i and .if_id == $id
            and .state == "up" and .sas_in >= 1 and .sas_out >= 1 and .routes >= 1
            and (.peer | test("^192\\.0\\.2\\.")))] | length == 1' "$XD_OUT/xfrmctl/$ns-show-tunnels.json.out"
        xctl $ns "$ns-peers.json" --json peers >/dev/null || true
        check "peers-$ns-interface" jq -e --arg i "$i" '[.peers[] | select(.interface == $i and .state == "up")] | length == 1' \
            "$XD_OUT/xfrmctl/$ns-peers.json.out"
    done
    # metrics (computed from the namespace's snapshot)
    xctl west west-metrics-healthy.txt metrics >/dev/null || true
    check metrics-interface-up grep -qxF "xfrmd_tunnel_interface_up{interface=\"$i\",kind=\"xfrm\",if_id=\"$id\"} 1" \
        "$XD_OUT/xfrmctl/west-metrics-healthy.txt.out"
}

# route_gw_faults TAG IFACE IF_ID: on topo_gw2gw with an IKE daemon's route-based tunnel through
# the xfrm interface IFACE (if_id IF_ID) on both gateways, the subnets routed into it and the
# tunnel healthy (checked by the caller): each fault injected, its symptom checked, its finding
# present naming IFACE and the peer (route_fault), then repaired: traffic flows again and no
# route.* finding is left. Check and file names carry TAG.
route_gw_faults() {
    local t=$1 i=$2 id=$3 nid=$(($3 + 1)) a b m=$XD_OUT/xfrmctl/west-$1-metrics-if-down.txt.out
    # 1. the interface down (the kernel also drops the routes through it)
    ip -n west link set "$i" down
    check_not "$t-if-down-symptom-ping-fails" ping_from wsub $WHOST $EHOST
    route_fault "$t-if-down" west route.if_down "$i" $EAST
    xctl west "west-$t-metrics-if-down.txt" metrics >/dev/null || true
    check "$t-metrics-interface-down" grep -qxF "xfrmd_tunnel_interface_up{interface=\"$i\",kind=\"xfrm\",if_id=\"$id\"} 0" "$m"
    ip -n west link set "$i" up
    ip -n west route replace $ESUB dev "$i"
    check "$t-if-down-repaired-ping" ping_from wsub $WHOST $EHOST
    route_healthy west "$t-if-down-repaired"

    # 2a. the route to the remote subnet removed: west has nowhere to send it
    ip -n west route del $ESUB dev "$i"
    check_not "$t-no-route-symptom-ping-fails" ping_from wsub $WHOST $EHOST
    route_fault "$t-no-route" west route.not_via_tunnel "$i" $EAST
    # 2b. pointed at the peer in clear: the if_id policies never see it, it leaves unencrypted
    ip -n west route add $ESUB via $EAST dev w0
    a=$(sa_packets west $WEST $EAST esp)
    ping_from wsub $WHOST $EHOST
    b=$(sa_packets west $WEST $EAST esp)
    [ "$a" = "$b" ] && pass "$t-route-clear-symptom-no-esp-out" "ESP out stays at $a packets" ||
        fail "$t-route-clear-symptom-no-esp-out" "ESP out $a -> $b"
    route_fault "$t-route-clear" west route.not_via_tunnel "$i" $EAST
    check "$t-route-clear-names-w0" jq -e '[.findings[] | select(.id == "route.not_via_tunnel") | tostring
        | select(contains("w0"))] | length > 0' "$XD_OUT/xfrmctl/west-$t-route-clear-check.json.out"
    ip -n west route replace $ESUB dev "$i"
    check "$t-route-repaired-ping" ping_from wsub $WHOST $EHOST
    route_healthy west "$t-route-repaired"

    # 3. the interface's if_id changed: the IKE daemon's SAs and policies (IF_ID) lose it
    if ! ip -n west link set "$i" type xfrm dev w0 if_id $nid 2>>"$XD_OUT/checks.log"; then
        # a kernel that cannot change it in place: recreate it
        ip -n west link del "$i"
        ip -n west link add "$i" type xfrm dev w0 if_id $nid
        ip -n west link set "$i" up
        ip -n west route replace $ESUB dev "$i"
    fi
    check "$t-if-id-changed" sh -c "ip -n west -d link show $i | grep -q 'if_id $(printf 0x%x $nid)'"
    check_not "$t-if-id-symptom-ping-fails" ping_from wsub $WHOST $EHOST
    route_fault "$t-if-id" west route.if_id_mismatch "$i" $EAST
    if ! ip -n west link set "$i" type xfrm dev w0 if_id $id 2>>"$XD_OUT/checks.log"; then
        ip -n west link del "$i"
        ip -n west link add "$i" type xfrm dev w0 if_id $id
        ip -n west link set "$i" up
    fi
    ip -n west route replace $ESUB dev "$i"
    check "$t-if-id-repaired-ping" ping_from wsub $WHOST $EHOST
    route_healthy west "$t-if-id-repaired"

    # 4. east's firewall drops what the gateway forwards from the tunnel interface
    nsx east nft -f - <<EON
table inet xdroute {
    chain forward { type filter hook forward priority filter; policy accept;
        iifname "$i" counter drop comment "xd-fault-tunnel-iface"
    }
}
EON
    check_not "$t-fw-symptom-ping-fails" ping_from wsub $WHOST $EHOST
    route_fault "$t-fw-iface" east route.fw_tunnel_iface "$i" $WEST
    nsx east nft delete table inet xdroute
    check "$t-fw-repaired-ping" ping_from wsub $WHOST $EHOST
    route_healthy east "$t-fw-repaired"
}
