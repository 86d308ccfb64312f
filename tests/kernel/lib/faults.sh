# SPDX-License-Identifier: GPL-2.0-or-later
# Fault injectors (testing.md T20). Each is a named function that breaks one thing for real; the
# scenario that calls it must then verify the symptom (ping fails, a counter stays flat, ...).
#
#   fw_drop NS PROTO DIR      PROTO: esp | ah | ike (UDP 500) | natt (UDP 4500); DIR: in | out
#                             backend: XD_FW=legacy (iptables-legacy; UML) or nft (nftables inet;
#                             qemu); default by bed
#   fw_masquerade NS OIF      SNAT everything leaving OIF (also what should be tunnelled)
#   del_inbound_sa NS LOCAL   delete the SAs whose destination is LOCAL (inbound) in NS
#   del_fwd_policy NS         delete every fwd policy in NS
#   rp_filter_asym NS IIF PREFIX  strict rp_filter on IIF, and route PREFIX out of another
#                             interface (a dummy) so decrypted packets fail the check
# IKE-level faults (expired certificate, daemon killed with SAs left, restart leaving stale SAs,
# a second daemon on the ports) are built from swan.sh / libreswan.sh in the scenarios.

fw_backend() {
    if [ -n "${XD_FW:-}" ]; then echo "$XD_FW"
    elif [ "$XD_BED" = uml ]; then echo legacy
    else echo nft; fi
}

fw_drop() { # NS PROTO DIR
    local ns=$1 proto=$2 dir=$3 m
    case $(fw_backend) in
    legacy)
        case $proto in
            esp) m="-p esp" ;; ah) m="-p ah" ;; ike) m="-p udp --dport 500" ;; natt) m="-p udp --dport 4500" ;;
        esac
        local chain=INPUT; [ "$dir" = out ] && chain=OUTPUT
        nsx "$ns" iptables-legacy -I "$chain" $m -j DROP -m comment --comment "xd-fault-$proto-$dir"
        ;;
    nft)
        case $proto in
            esp) m="meta l4proto esp" ;; ah) m="meta l4proto ah" ;;
            ike) m="udp dport 500" ;; natt) m="udp dport 4500" ;;
        esac
        local hook=input; [ "$dir" = out ] && hook=output
        nsx "$ns" nft -f - <<EON
table inet xdfault {
    chain $hook { type filter hook $hook priority filter; policy accept;
        $m counter drop comment "xd-fault-$proto-$dir"
    }
}
EON
        ;;
    esac
}

fw_masquerade() { # NS OIF
    case $(fw_backend) in
    legacy) nsx "$1" iptables-legacy -t nat -A POSTROUTING -o "$2" -j MASQUERADE ;;
    nft) nsx "$1" nft -f - <<EON
table ip xdnat {
    chain post { type nat hook postrouting priority srcnat; policy accept;
        oifname "$2" masquerade
    }
}
EON
    ;;
    esac
}

del_inbound_sa() { nsx "$1" ip xfrm state deleteall dst "$2"; }
del_fwd_policy() { nsx "$1" ip xfrm policy deleteall dir fwd; }

rp_filter_asym() { # NS IIF PREFIX
    local ns=$1 iif=$2 prefix=$3
    nsx "$ns" ip link add xdasym type dummy
    nsx "$ns" ip link set xdasym up
    nsx "$ns" ip route replace "$prefix" dev xdasym
    nsx "$ns" sysctl -qw net.ipv4.conf.all.rp_filter=1 "net.ipv4.conf.$iif.rp_filter=1"
}

# --- the healthy baseline the fault scenarios start from -------------------------------------
# healthy_gw2gw_swan: topo_gw2gw + strongSwan PSK tunnel up + traffic checked (reqid from charon)
healthy_gw2gw_swan() {
    topo_gw2gw
    local psk; psk=$(canary "psk-$XD_SCENARIO" 24)
    swan_conf west; swan_conf east
    swan_conn west gw local=$WEST remote=$EAST lts=$WSUB rts=$ESUB psk=$psk "$@"
    swan_conn east gw local=$EAST remote=$WEST lts=$ESUB rts=$WSUB psk=$psk "$@"
    swan_start west && swan_start east || { fail baseline-ike "charon did not start"; return 1; }
    if ! swan_initiate west gw; then fail baseline-ike "tunnel did not come up"; return 1; fi
    harvest_keys west east
    if ping_from wsub $WHOST $EHOST; then pass baseline-ping; else fail baseline-ping; return 1; fi
}

# esp_delta NS SRC DST CMD...: packets on SRC->DST in NS while CMD runs (echoes the delta)
esp_delta() {
    local ns=$1 s=$2 d=$3 a b; shift 3
    a=$(sa_packets "$ns" "$s" "$d" "${XD_PROTO:-esp}")
    "$@" >/dev/null 2>&1
    b=$(sa_packets "$ns" "$s" "$d" "${XD_PROTO:-esp}")
    echo $((b - a))
}
