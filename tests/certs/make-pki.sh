#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# make-pki.sh DIR KIND: writes a swanctl-style tree (DIR/swanctl/{x509,x509ca,private},
# swanctl.conf) with a CA and a gateway certificate for tests. KIND is healthy (valid, SAN
# matching the configured id) or expired (the gateway certificate's validity ended in the
# past). Only the openssl command is used; private keys stay inside DIR.
set -euo pipefail
dir=$1 kind=${2:-healthy}
sw=$dir/swanctl
mkdir -p "$sw/x509" "$sw/x509ca" "$sw/private" "$dir/work"
cd "$dir/work"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key \
    -out "$sw/x509ca/ca.pem" -subj "/C=CH/O=xfrmd test/CN=xfrmd test CA" -days 3650 \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$sw/private/gw.key" \
    -out gw.csr -subj "/C=CH/O=xfrmd test/CN=gw.example" 2>/dev/null
printf 'subjectAltName=DNS:gw.example,IP:192.0.2.1\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth,clientAuth\n' >ext.cnf
if [ "$kind" = expired ]; then
    # a validity window wholly in the past: openssl x509 -not_before/-not_after need 3.4,
    # so sign through `openssl ca` with explicit dates
    mkdir -p ca/newcerts && : >ca/index.txt && echo 01 >ca/serial
    cat >ca.cnf <<CNF
[ca]
default_ca = c
[c]
dir = ca
database = ca/index.txt
new_certs_dir = ca/newcerts
serial = ca/serial
default_md = sha256
policy = p
copy_extensions = none
[p]
commonName = supplied
CNF
    openssl ca -batch -config ca.cnf -cert "$sw/x509ca/ca.pem" -keyfile ca.key -in gw.csr \
        -out "$sw/x509/gw.pem" -startdate 20200101000000Z -enddate 20210101000000Z \
        -extfile ext.cnf -notext -preserveDN 2>/dev/null
else
    openssl x509 -req -in gw.csr -CA "$sw/x509ca/ca.pem" -CAkey ca.key -CAserial ca.srl -CAcreateserial \
        -out "$sw/x509/gw.pem" -days 365 -extfile ext.cnf 2>/dev/null
fi
cat >"$sw/swanctl.conf" <<CONF
connections {
    gw {
        local {
            auth = pubkey
            certs = gw.pem
            id = gw.example
        }
        remote {
            auth = pubkey
            id = peer.example
        }
    }
}
secrets {
    ike-1 {
        secret = "never-recorded-canary"
    }
}
CONF
