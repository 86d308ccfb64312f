# SPDX-License-Identifier: GPL-2.0-or-later
# libreswan (pluto) per network namespace, with private config, run, NSS and ipsec.d dirs:
#
#   ip netns exec NS pluto --config $d/ipsec.conf --rundir $d/run --nssdir $d/nss
#                          --secretsfile $d/ipsec.secrets --ipsecdir $d/ipsec.d --nofork
#   conns loaded with addconn --ctlsocket $d/run/pluto.ctl; whack drives it.
#
# Debian's libreswan conflicts with strongSwan, so tests/kernel/prepare.sh unpacks it into
# $XD_CACHE/libreswan (dpkg -x); scenarios skip when it is not there.
# The updown script is set explicitly (leftupdown=/bin/true): the tests route themselves.

XD_CACHE=${XD_CACHE:-/var/cache/xfrmd-tests}
LS_EXEC=${LS_EXEC:-$XD_CACHE/libreswan/usr/libexec/ipsec}

libreswan_available() {
    [ -x "$LS_EXEC/pluto" ] && ! ldd "$LS_EXEC/pluto" 2>/dev/null | grep -q 'not found' &&
        command -v certutil >/dev/null
}
require_libreswan() {
    libreswan_available || skip "libreswan not unpacked in $XD_CACHE (tests/kernel/prepare.sh) or its libraries/certutil missing"
}

ls_dir() { echo "$XD_PRIV/ls-$1"; }

ls_conf() { # NS
    local ns=$1 d; d=$(ls_dir "$ns")
    mkdir -p "$d"/{run,nss,ipsec.d/policies} "$XD_OUT/ike"
    certutil -N -d "sql:$d/nss" --empty-password >/dev/null
    cat >"$d/ipsec.conf" <<EOC
config setup
    logfile=$XD_OUT/ike/pluto-$ns.log
    logtime=yes
    logappend=yes
    plutodebug=none
    dumpdir=$d/run
    uniqueids=yes
    ikev1-policy=drop
EOC
    : >"$d/ipsec.secrets"
    chmod 600 "$d/ipsec.secrets"
}

# ls_conn NS NAME key=value...: same keys as swan_conn (local remote lid rid auth=psk|pubkey psk
# cert=NICK mode lts rts encap=yes start=add|start; iface=N: route-based, ipsec-interface=N, pluto
# creates the xfrm interface ipsecN with if_id N and its SAs and policies carry that if_id)
ls_conn() {
    local ns=$1 name=$2; shift 2
    local d; d=$(ls_dir "$ns")
    local -A o=([auth]=psk [mode]=tunnel [encap]=auto [start]=add)
    local kv
    for kv in "$@"; do o[${kv%%=*}]=${kv#*=}; done
    local lid=${o[lid]:-${o[local]}} rid=${o[rid]:-${o[remote]}}
    {
        echo "conn $name"
        echo "    ikev2=insist"
        echo "    left=${o[local]}"
        echo "    right=${o[remote]}"
        echo "    leftid=$lid"
        echo "    rightid=$rid"
        echo "    type=${o[mode]}"
        [ -n "${o[lts]:-}" ] && echo "    leftsubnet=${o[lts]}"
        [ -n "${o[rts]:-}" ] && echo "    rightsubnet=${o[rts]}"
        if [ "${o[auth]}" = psk ]; then
            echo "    authby=secret"
        else
            echo "    authby=rsasig"
            echo "    leftcert=${o[cert]}"
            echo "    leftsendcert=always"
            echo "    rightca=%same"
        fi
        echo "    encapsulation=${o[encap]}"
        echo "    ike=aes_gcm128-sha2_256;dh19"
        echo "    esp=aes_gcm128"
        [ -n "${o[iface]:-}" ] && echo "    ipsec-interface=${o[iface]}"
        echo "    leftupdown=/bin/true"
        echo "    auto=${o[start]}"
    } >>"$d/ipsec.conf"
    if [ "${o[auth]}" = psk ]; then
        echo "$lid $rid : PSK \"${o[psk]}\"" >>"$d/ipsec.secrets"
    fi
}

# ls_certs NS NAME: CA (trusted) + NAME's cert and key into the NSS db of NS (nickname NAME)
ls_certs() {
    local d; d=$(ls_dir "$1")
    certutil -A -d "sql:$d/nss" -n xdca -t "CT,," -a -i "$XD_PRIV/ca/ca.pem" >/dev/null
    openssl pkcs12 -export -passout pass: -name "$2" -in "$XD_PRIV/ca/$2.pem" -inkey "$XD_PRIV/ca/$2.key" \
        -certfile "$XD_PRIV/ca/ca.pem" -out "$d/$2.p12" 2>/dev/null
    pk12util -i "$d/$2.p12" -d "sql:$d/nss" -W "" >/dev/null &&
    canary_privkey "$XD_PRIV/ca/$2.key"
}

ls_whack() { local ns=$1 d; shift; d=$(ls_dir "$ns"); nsx "$ns" "$LS_EXEC/whack" --ctlsocket "$d/run/pluto.ctl" "$@"; }

ls_start() { # NS
    local ns=$1 d; d=$(ls_dir "$ns")
    nsx "$ns" sh -c "echo \$\$ >$d/pid && exec $LS_EXEC/pluto --config $d/ipsec.conf --rundir $d/run \
        --nssdir $d/nss --secretsfile $d/ipsec.secrets --ipsecdir $d/ipsec.d --nofork" \
        >>"$XD_OUT/ike/pluto-$ns.stdout" 2>&1 &
    retry 50 0.2 test -S "$d/run/pluto.ctl" || { log "pluto in $ns did not start"; return 1; }
    nsx "$ns" "$LS_EXEC/addconn" --config "$d/ipsec.conf" --ctlsocket "$d/run/pluto.ctl" --autoall \
        >>"$XD_OUT/ike/addconn-$ns.log" 2>&1
    ls_whack "$ns" --listen >>"$XD_OUT/ike/whack-$ns.log" 2>&1
    ls_whack "$ns" --rereadsecrets >>"$XD_OUT/ike/whack-$ns.log" 2>&1
}

ls_initiate() { # NS NAME
    local d; d=$(ls_dir "$1")
    timeout $((30 * XD_SLOW)) ip netns exec "$1" "$LS_EXEC/whack" --ctlsocket "$d/run/pluto.ctl" --name "$2" --initiate \
        >>"$XD_OUT/ike/whack-$1.log" 2>&1
    nsx "$1" ip xfrm state | grep -q '^src'
}

ls_stop() { # NS
    local d; d=$(ls_dir "$1")
    ls_whack "$1" --shutdown >/dev/null 2>&1
    local p; p=$(cat "$d/pid" 2>/dev/null) && retry 30 0.2 sh -c "! kill -0 $p 2>/dev/null"
    kill "$(cat "$d/pid")" 2>/dev/null
}
ls_kill() { # NS: SIGKILL pluto and wait until it is gone
    local d p; d=$(ls_dir "$1"); p=$(cat "$d/pid") || return 1
    kill -9 "$p" 2>/dev/null
    retry 30 0.1 sh -c "! kill -0 $p 2>/dev/null"
}

# ls_save_whack NS TAG: pluto's own view as whack prints it (--status, --trafficstatus,
# --showstates) into $XD_OUT/ike/whack-TAG-*.txt: the decoder's corpus, scanned for canaries
ls_save_whack() {
    local ns=$1 tag=$2 what
    for what in status trafficstatus showstates; do
        ls_whack "$ns" --"$what" >"$XD_OUT/ike/whack-$tag-$what.txt" 2>&1 || true
    done
}

# ls_check_show_ike NS CONN: `xfrmctl --json show ike` lists CONN as libreswan's with an
# established IKE SA whose CHILD_SA SPIs are exactly the ESP SPIs `ip xfrm state` holds, and a
# snapshot replays the same IKE view. pluto runs with a private --rundir (ls_start), so its
# control socket can only be found from its own command line. Reports checks.
ls_check_show_ike() {
    local ns=$1 conn=$2 j want got live rep snap=$XD_PRIV/ike-$1.pcapng
    j=$(xctl "$ns" "$ns-show-ike.json" --json show ike) || true
    xctl "$ns" "$ns-show-ike.txt" show ike >/dev/null || true
    if jq -e --arg c "$conn" '.ike.connections[] | select(.name == $c and .stack == "libreswan")' \
        <<<"$j" >/dev/null 2>&1; then
        pass "show-ike-conn-$ns"
    else
        fail "show-ike-conn-$ns" "$(jq -c '.ike.connections, .meta.dumps["ike.whack_status"]' <<<"$j" 2>&1 | head -c 400)"
    fi
    if jq -e --arg c "$conn" '.ike.ike_sas[] | select(.name == $c and .stack == "libreswan" and
        .state == "ESTABLISHED" and (.child_sas | length) >= 1)' <<<"$j" >/dev/null 2>&1; then
        pass "show-ike-sa-$ns"
    else
        fail "show-ike-sa-$ns" "$(jq -c '.ike.ike_sas' <<<"$j" 2>&1 | head -c 400)"
    fi
    want=$(nsx "$ns" ip xfrm state | awk '$1 == "proto" && $2 == "esp" { print $4 }' | sort -u | xargs)
    got=$(jq -r --arg c "$conn" '.ike.ike_sas[] | select(.name == $c) | .child_sas[] |
        (.spi_in, .spi_out) // empty' <<<"$j" 2>/dev/null | xargs -r printf '0x%08x\n' | sort -u | xargs)
    if [ -n "$want" ] && [ "$want" = "$got" ]; then
        pass "show-ike-spis-equal-ip-xfrm-$ns" "$got"
    else
        fail "show-ike-spis-equal-ip-xfrm-$ns" "ip xfrm: '$want', show ike: '$got'"
    fi
    # direction: spi_in is the SA whose destination is this side's IKE address
    local lh in_want in_got
    lh=$(jq -r --arg c "$conn" '[.ike.ike_sas[] | select(.name == $c)][0].local_host // empty' <<<"$j" 2>/dev/null)
    in_want=$(nsx "$ns" ip xfrm state | awk -v d="$lh" '$1 == "src" { dst = $4 }
        $1 == "proto" && $2 == "esp" && dst == d { print $4 }' | sort -u | xargs)
    in_got=$(jq -r --arg c "$conn" '.ike.ike_sas[] | select(.name == $c) | .child_sas[] | .spi_in // empty' \
        <<<"$j" 2>/dev/null | xargs -r printf '0x%08x\n' | sort -u | xargs)
    if [ -n "$in_want" ] && [ "$in_want" = "$in_got" ]; then
        pass "show-ike-spi-in-is-inbound-$ns" "$in_got"
    else
        fail "show-ike-spi-in-is-inbound-$ns" "ip xfrm (dst $lh): '$in_want', spi_in: '$in_got'"
    fi
    rm -f "$snap"
    xctl "$ns" "$ns-ike-capture" capture -w "$snap" >/dev/null || true
    live=$(jq -S .ike <<<"$j" 2>/dev/null)
    rep=$(xctl - "$ns-ike-replay.json" -r "$snap" --json show ike | jq -S .ike 2>/dev/null)
    if [ -n "$live" ] && [ "$live" = "$rep" ]; then
        pass "show-ike-replay-$ns"
    else
        fail "show-ike-replay-$ns" "replayed IKE view differs from the live one"
    fi
}
