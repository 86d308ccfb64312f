# SPDX-License-Identifier: GPL-2.0-or-later
# strongSwan (charon + swanctl) per network namespace, with private configuration and runtime:
#
#   ip netns exec NS  unshare -m  [tmpfs on /run: charon's pid file path is compiled in]
#       charon  STRONGSWAN_CONF=$XD_PRIV/swan-NS/strongswan.conf
#               vici socket $XD_PRIV/swan-NS/charon.vici, log $XD_OUT/ike/charon-NS.log
#   swanctl     SWANCTL_DIR=$XD_PRIV/swan-NS (swanctl.conf, x509ca/, x509/, private/)
#
# The `resolve` plugin is never loaded (it would write the shared /etc/resolv.conf); plugins are
# named explicitly with `load =`, so /etc/strongswan.d is not read.
#
# usage:
#   swan_conf NS          write strongswan.conf (call once per NS; PORT/NATT_PORT overridable)
#   swan_conn NS NAME KEY=VALUE...  append a connection (see swan_conn below)
#   swan_start NS         start charon, load config; swan_initiate NS CHILD; swan_stop NS

CHARON=${CHARON:-/usr/lib/ipsec/charon}
SWAN_PLUGINS="random nonce openssl kdf pem pkcs1 pkcs8 x509 revocation constraints pubkey kernel-netlink socket-default vici"

swan_dir() { echo "$XD_PRIV/swan-$1"; }

swan_conf() {
    local ns=$1 d; d=$(swan_dir "$ns")
    mkdir -p "$d"/{x509,x509ca,private} "$XD_OUT/ike"
    chmod 700 "$d/private"
    cat >"$d/strongswan.conf" <<EOC
charon {
    load = $SWAN_PLUGINS
    port = ${SWAN_PORT:-500}
    port_nat_t = ${SWAN_NATT_PORT:-4500}
    install_routes = no
    retransmit_tries = 3
    # about 7 s of retransmissions on a quiet machine; a busy host's guest answers later
    retransmit_timeout = $XD_SLOW.0
    retransmit_base = 1.4
    filelog {
        xd {
            path = $XD_OUT/ike/charon-$ns.log
            time_format = %H:%M:%S
            default = 1
            ike_name = yes
            flush_line = yes
        }
    }
    syslog {
        daemon { default = -1 }
        auth { default = -1 }
    }
    plugins {
        vici { socket = unix://$d/charon.vici }
    }
}
swanctl {
    load = pem pkcs1 pkcs8 x509 openssl
}
EOC
    : >"$d/swanctl.conf.conns"
    : >"$d/swanctl.conf.secrets"
}

# swan_conn NS NAME key=value...: one IKEv2 connection with one child NAME.
#   local= remote= (addresses)   auth=psk|pubkey   lid= rid= (IKE identities)
#   psk=STRING   cert=FILE (local cert, in x509/)   key=FILE (in private/)
#   mode=tunnel|transport   lts= rts= (traffic selectors, default: the addresses)
#   encap=yes (force UDP encapsulation)   proposals= esp=   start=none|trap|start
#   sendcert=always   rekey=  (child rekey_time)   remote_port=
#   if_id=N (route-based: the child's SAs and policies carry if_id N both ways, for an xfrm
#   interface with that if_id)
swan_conn() {
    local ns=$1 name=$2; shift 2
    local d; d=$(swan_dir "$ns")
    local -A o=([auth]=psk [mode]=tunnel [proposals]=aes128gcm16-prfsha256-ecp256 [esp]=aes128gcm16
                [start]=none [encap]=no [sendcert]=ifasked [rekey]=1h [remote_port]=500)
    local kv
    for kv in "$@"; do o[${kv%%=*}]=${kv#*=}; done
    local lid=${o[lid]:-${o[local]}} rid=${o[rid]:-${o[remote]}}
    cat >>"$d/swanctl.conf.conns" <<EOC
    $name {
        version = 2
        local_addrs = ${o[local]}
        remote_addrs = ${o[remote]}
        remote_port = ${o[remote_port]}
        proposals = ${o[proposals]}
        encap = ${o[encap]}
        mobike = no
        send_cert = ${o[sendcert]}
        rekey_time = 4h
        local {
            auth = ${o[auth]}
            id = $lid
            ${o[cert]:+certs = ${o[cert]}}
        }
        remote {
            auth = ${o[auth]}
            id = $rid
        }
        children {
            $name {
                mode = ${o[mode]}
                local_ts = ${o[lts]:-${o[local]}}
                remote_ts = ${o[rts]:-${o[remote]}}
                esp_proposals = ${o[esp]}
                start_action = ${o[start]}
                rekey_time = ${o[rekey]}
                dpd_action = clear
                ${o[if_id]:+if_id_in = ${o[if_id]}}
                ${o[if_id]:+if_id_out = ${o[if_id]}}
            }
        }
    }
EOC
    if [ "${o[auth]}" = psk ]; then
        cat >>"$d/swanctl.conf.secrets" <<EOC
    ike-$name {
        id-1 = $lid
        id-2 = $rid
        secret = "${o[psk]}"
    }
EOC
    fi
}

swan_write() {
    local d; d=$(swan_dir "$1")
    { echo "connections {"; cat "$d/swanctl.conf.conns"; echo "}";
      echo "secrets {"; cat "$d/swanctl.conf.secrets"; echo "}"; } >"$d/swanctl.conf"
}

swanctl_ns() { # NS ARGS...
    local ns=$1 d; shift; d=$(swan_dir "$ns")
    STRONGSWAN_CONF=$d/strongswan.conf SWANCTL_DIR=$d \
        nsx "$ns" swanctl "$1" --uri "unix://$d/charon.vici" "${@:2}"
}

swan_start() {
    local ns=$1 d; d=$(swan_dir "$ns")
    swan_write "$ns"
    STRONGSWAN_CONF=$d/strongswan.conf nsx "$ns" unshare -m --propagation private \
        sh -c "mount -t tmpfs xd-run /run && echo \$\$ >$d/pid && exec $CHARON" \
        >>"$XD_OUT/ike/charon-$ns.stdout" 2>&1 &
    retry 50 0.2 test -S "$d/charon.vici" || { log "charon in $ns did not start"; return 1; }
    swanctl_ns "$ns" --load-all --file "$d/swanctl.conf" >>"$XD_OUT/ike/swanctl-$ns.log" 2>&1
}

swan_start_both() { swan_start west && swan_start east; }

swan_initiate() { # NS CHILD
    swanctl_ns "$1" --initiate --child "$2" --timeout $((20 * XD_SLOW)) >>"$XD_OUT/ike/swanctl-$1.log" 2>&1
}

swan_stop() { # NS: stop charon (SAs it installed are removed by charon on a clean stop)
    local d; d=$(swan_dir "$1")
    [ -f "$d/pid" ] && kill "$(cat "$d/pid")" 2>/dev/null
    local p; p=$(cat "$d/pid" 2>/dev/null) && retry 30 0.2 sh -c "! kill -0 $p 2>/dev/null"
    rm -f "$d/charon.vici"
}

# swan_kill NS: SIGKILL charon: the kernel keeps its SAs and policies (IKE daemon gone, SAs remain)
swan_kill() {
    local d p; d=$(swan_dir "$1")
    p=$(cat "$d/pid") || return 1
    kill -9 "$p" || return 1
    retry 20 0.1 sh -c "! kill -0 $p 2>/dev/null"
    rm -f "$d/charon.vici"
}

# --- a tiny CA (openssl), for both IKE daemons ------------------------------------------------
# ca_init: CA key + cert in $XD_PRIV/ca; ca_issue NAME [DAYS_FROM DAYS_TO]: RSA-2048 key + cert (RSA: libreswan and strongSwan agree on it)
# for NAME.xd.test with SAN DNS:NAME.xd.test; an expired cert with ca_issue NAME expired.
ca_init() {
    local d=$XD_PRIV/ca
    mkdir -p "$d"
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 \
        -subj "/O=xfrmd tests/CN=xfrmd test CA" -keyout "$d/ca.key" -out "$d/ca.pem" \
        -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
}
ca_issue() {
    local name=$1 when=${2:-valid} d=$XD_PRIV/ca
    openssl req -new -newkey rsa:2048 -nodes \
        -subj "/O=xfrmd tests/CN=$name.xd.test" -keyout "$d/$name.key" -out "$d/$name.csr" 2>/dev/null
    printf 'subjectAltName=DNS:%s.xd.test\nextendedKeyUsage=serverAuth,clientAuth\nkeyUsage=digitalSignature\n' \
        "$name" >"$d/$name.ext"
    local dates=(-days 365)
    if [ "$when" = expired ]; then
        # not_before 10 days ago, not_after yesterday (openssl x509 -not_before needs 3.4; use ca)
        mkdir -p "$d/db"; : >"$d/db/index"; echo 01 >"$d/db/serial"
        cat >"$d/ca.cnf" <<EOC
[ ca ]
default_ca = xd
[ xd ]
database = $d/db/index
serial = $d/db/serial
new_certs_dir = $d/db
default_md = sha256
policy = p
unique_subject = no
[ p ]
organizationName = supplied
commonName = supplied
EOC
        openssl ca -batch -config "$d/ca.cnf" -cert "$d/ca.pem" -keyfile "$d/ca.key" -in "$d/$name.csr" \
            -out "$d/$name.pem" -startdate "$(date -u -d '-10 days' +%Y%m%d%H%M%SZ)" \
            -enddate "$(date -u -d '-1 day' +%Y%m%d%H%M%SZ)" -extfile "$d/$name.ext" -notext 2>/dev/null
        return
    fi
    openssl x509 -req -in "$d/$name.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial \
        "${dates[@]}" -extfile "$d/$name.ext" -out "$d/$name.pem" 2>/dev/null
}
# swan_certs NS NAME: install CA + NAME's cert and key into the strongSwan dir of NS
swan_certs() {
    local d; d=$(swan_dir "$1")
    cp "$XD_PRIV/ca/ca.pem" "$d/x509ca/"
    cp "$XD_PRIV/ca/$2.pem" "$d/x509/"
    cp "$XD_PRIV/ca/$2.key" "$d/private/"
    canary_privkey "$XD_PRIV/ca/$2.key"
    # the cert files also go to the scanned output: xfrmctl's cert checks will read them
}

# swan_start_ns_as CONFNAME NS: start a charon with the config dir of CONFNAME inside NS (a second
# daemon in a namespace that already has one)
swan_start_ns_as() {
    local conf=$1 ns=$2 d; d=$(swan_dir "$conf")
    swan_write "$conf"
    STRONGSWAN_CONF=$d/strongswan.conf nsx "$ns" unshare -m --propagation private \
        sh -c "mount -t tmpfs xd-run /run && echo \$\$ >$d/pid && exec $CHARON" \
        >>"$XD_OUT/ike/charon-$conf.stdout" 2>&1 &
    retry 50 0.2 test -S "$d/charon.vici"
}
