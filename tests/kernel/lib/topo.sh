# SPDX-License-Identifier: GPL-2.0-or-later
# Network namespace topologies joined by veth pairs. Every namespace made here is removed by
# netns_cleanup_all (run from common.sh's EXIT trap), after killing the processes inside it.
#
# topo_host2host:            west 192.0.2.1/24, 2001:db8::1/64
#                              | w0
#                              | e0
#                            east 192.0.2.2/24, 2001:db8::2/64
#
# topo_gw2gw:   wsub 10.1.0.10 --- west 10.1.0.1 | 192.0.2.1 ==== 192.0.2.2 | 10.2.0.1 east --- esub 10.2.0.10
#                      (ws0/wl0)                  (w0)          (e0)               (el0/es0)
#
# topo_nat:     west 10.0.0.2 --- nat 10.0.0.1 | 198.51.100.1 --- east 198.51.100.2
#                    (w0/nl0)      masquerade out of nw0    (nw0/e0)
#               west's default route via nat; east knows nothing about 10.0.0.0/24.

XD_NETNS=()

ns_add() { # name
    ip netns add "$1"
    XD_NETNS+=("$1")
    ip -n "$1" link set lo up
    ip netns exec "$1" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
}
nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

netns_cleanup_all() {
    local ns pid
    for ns in "${XD_NETNS[@]}"; do
        for pid in $(ip netns pids "$ns" 2>/dev/null); do kill "$pid" 2>/dev/null; done
    done
    sleep 0.2
    for ns in "${XD_NETNS[@]}"; do
        for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null; done
        ip netns del "$ns" 2>/dev/null
    done
    XD_NETNS=()
}

veth() { # ns1 if1 ns2 if2
    ip link add "$2" netns "$1" type veth peer name "$4" netns "$3"
    ip -n "$1" link set "$2" up
    ip -n "$3" link set "$4" up
}

topo_host2host() {
    ns_add west; ns_add east
    veth west w0 east e0
    ip -n west addr add 192.0.2.1/24 dev w0
    ip -n east addr add 192.0.2.2/24 dev e0
    ip -n west addr add 2001:db8::1/64 dev w0 nodad
    ip -n east addr add 2001:db8::2/64 dev e0 nodad
    WEST=192.0.2.1 EAST=192.0.2.2 WEST6=2001:db8::1 EAST6=2001:db8::2
}

topo_gw2gw() {
    ns_add wsub; ns_add west; ns_add east; ns_add esub
    veth wsub ws0 west wl0
    veth west w0 east e0
    veth east el0 esub es0
    ip -n wsub addr add 10.1.0.10/24 dev ws0
    ip -n west addr add 10.1.0.1/24 dev wl0
    ip -n west addr add 192.0.2.1/24 dev w0
    ip -n east addr add 192.0.2.2/24 dev e0
    ip -n east addr add 10.2.0.1/24 dev el0
    ip -n esub addr add 10.2.0.10/24 dev es0
    ip -n wsub route add default via 10.1.0.1
    ip -n esub route add default via 10.2.0.1
    nsx west sysctl -qw net.ipv4.ip_forward=1
    nsx east sysctl -qw net.ipv4.ip_forward=1
    # without IPsec the gateways would route the subnets in clear; the tunnel adds these routes'
    # protection, the routes themselves point at the peer
    ip -n west route add 10.2.0.0/24 via 192.0.2.2
    ip -n east route add 10.1.0.0/24 via 192.0.2.1
    WEST=192.0.2.1 EAST=192.0.2.2 WSUB=10.1.0.0/24 ESUB=10.2.0.0/24 WHOST=10.1.0.10 EHOST=10.2.0.10
}

topo_nat() {
    ns_add west; ns_add nat; ns_add east
    veth west w0 nat nl0
    veth nat nw0 east e0
    ip -n west addr add 10.0.0.2/24 dev w0
    ip -n nat addr add 10.0.0.1/24 dev nl0
    ip -n nat addr add 198.51.100.1/24 dev nw0
    ip -n east addr add 198.51.100.2/24 dev e0
    ip -n west route add default via 10.0.0.1
    nsx nat sysctl -qw net.ipv4.ip_forward=1
    nsx nat iptables-legacy -t nat -A POSTROUTING -o nw0 -j MASQUERADE
    WEST=10.0.0.2 EAST=198.51.100.2 NATPUB=198.51.100.1
}

# --- traffic ---------------------------------------------------------------------------------
# ping_ok NS DST [COUNT]: true when at least one reply comes back. A guest on a busy host
# answers late, and a late answer is still one: ping waits up to XD_PING_W s after its last
# request (1 s on a quiet machine, up to 5 s; it waits that long whenever nothing answers).
XD_PING_W=$((XD_SLOW < 5 ? XD_SLOW : 5))
ping_ok() { nsx "$1" ping -q -c "${3:-3}" -i 0.2 -W "$XD_PING_W" "$2" >/dev/null 2>&1; }
# ping_from NS SRC DST: ping with a source address (gateway tests from inside subnets)
ping_from() { nsx "$1" ping -q -c 3 -i 0.2 -W "$XD_PING_W" -I "$2" "$3" >/dev/null 2>&1; }

# wait_listen NS tcp|udp PORT: until something in NS listens on PORT (instead of a fixed pause)
wait_listen() {
    local o=-Hltn; [ "$2" = udp ] && o=-Hlun
    retry 100 0.1 sh -c "ip netns exec $1 ss $o 'sport = :$3' | grep -q ."
}

# udp_stream NS DSTNS DST PORT: 200 UDP datagrams from NS to DST:PORT; true when DSTNS got them
udp_stream() {
    local f=$XD_PRIV/udp.$4
    rm -f "$f"
    nsx "$2" timeout $((60 * XD_SLOW)) socat -u "UDP4-RECV:$4" "CREATE:$f" &
    local pid=$!
    wait_listen "$2" udp "$4"
    nsx "$1" sh -c "for i in \$(seq 200); do echo xd-udp-\$i; done | socat -u -b 64 - UDP4-SENDTO:$3:$4" 2>/dev/null
    # the datagrams are sent: wait until they are written, then end the receiver
    retry 50 0.1 test -s "$f"
    kill "$pid" 2>/dev/null
    wait $pid 2>/dev/null
    [ -s "$f" ]
}

# tcp_stream NS DSTNS DST PORT: 1 MiB over TCP from NS to DST:PORT; true when all of it arrived
tcp_stream() {
    local f=$XD_PRIV/tcp.$4
    rm -f "$f"
    nsx "$2" timeout $((60 * XD_SLOW)) socat -u "TCP4-LISTEN:$4,reuseaddr" "CREATE:$f" &
    local pid=$!
    wait_listen "$2" tcp "$4"
    # sent and closed: the receiver writes the rest and exits; not sent: nothing will come
    if head -c 1048576 /dev/zero | nsx "$1" timeout $((60 * XD_SLOW)) socat -u - "TCP4:$3:$4" 2>/dev/null; then
        retry 100 0.1 sh -c "! kill -0 $pid 2>/dev/null"
    fi
    kill "$pid" 2>/dev/null
    wait $pid 2>/dev/null
    [ "$(stat -c %s "$f" 2>/dev/null)" = 1048576 ]
}

# --- counters (the oracle is `ip -s xfrm state`, independent of xfrmctl) -------------------
# sa_packets NS SRC DST [PROTO]: packets counted on the SAs SRC->DST (sum) in NS
sa_packets() {
    nsx "$1" ip -s xfrm state list src "$2" dst "$3" ${4:+proto $4} 2>/dev/null |
        awk '/lifetime current:/ { getline; n += $2 } END { print n + 0 }' 
}

# esp_flow_ok NS_A A NS_B B PING_NS PING_SRC PING_DST TAG: traffic from PING_NS passes, and the
# ESP packet counters of the SAs A->B and B->A moved on both sides (out on one, in on the other)
esp_flow_ok() {
    local na=$1 a=$2 nb=$3 b=$4 pns=$5 psrc=$6 pdst=$7 tag=$8 proto=${9:-esp}
    if nsx "$pns" ping -q -c 4 -i 0.2 -W $((2 * XD_PING_W)) ${psrc:+-I $psrc} "$pdst" >/dev/null 2>&1; then
        pass "$tag-ping"
    else
        fail "$tag-ping" "$pns -> $pdst"
    fi
    local x n
    for x in "$na $a $b" "$nb $a $b" "$na $b $a" "$nb $b $a"; do
        set -- $x
        n=$(sa_packets "$1" "$2" "$3" "$proto")
        [ "$n" -gt 0 ] && pass "$tag-$proto-counter-$1-$2-$3" "$n packets" ||
            fail "$tag-$proto-counter-$1-$2-$3" "no packets on $2->$3 in $1"
    done
}
