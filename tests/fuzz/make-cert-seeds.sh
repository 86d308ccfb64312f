#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# make-cert-seeds.sh OUTDIR: writes fuzz-cert seeds from freshly generated test PKIs
# (tests/certs/make-pki.sh). Seeds hold certificates, CRL-less stores and public keys only:
# private keys are reduced to their public half exactly as the collector does. Run by hand
# after changing the record format; the outputs are committed.
set -euo pipefail
out=$1 here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"
rec() { # path role format file...
    local path=$1 role=$2 fmt=$3; shift 3
    printf 'path=%s\nstack=strongswan\nrole=%s\nsource=dir\nformat=%s\n\n' "$path" "$role" "$fmt"
    cat "$@"
}
sep() { printf '\n%%%%\n'; }
conn() { printf 'Cstack=strongswan\nname=gw\nfile=/etc/swanctl/swanctl.conf\nlocal_id=%s\nremote_id=peer.example\nlocal_cert=/etc/swanctl/x509/gw.pem\nremote_cert=\n\n' "$1"; }
for kind in healthy expired weak noca wrongkey; do
    d=$tmp/$kind
    "$here/../certs/make-pki.sh" "$d" "$kind"
    sw=$d/swanctl
    openssl pkey -in "$d/work/gw.key" -pubout -outform DER -out "$d/gw.spki"
    [ -s "$sw/private/gw.key" ] && openssl pkey -in "$sw/private/gw.key" -pubout -outform DER -out "$d/store.spki" || cp "$d/gw.spki" "$d/store.spki"
    {
        rec /etc/swanctl/x509/gw.pem cert pem "$sw/x509/gw.pem"; sep
        if [ -s "$sw/x509ca/ca.pem" ]; then rec /etc/swanctl/x509ca/ca.pem ca pem "$sw/x509ca/ca.pem"; sep; fi
        rec /etc/swanctl/private/gw.key key spki "$d/store.spki"; sep
        conn gw.example
    } >"$out/store-$kind"
done
d=$tmp/healthy
openssl x509 -in "$d/swanctl/x509/gw.pem" -outform DER -out "$d/gw.der"
rec /etc/swanctl/x509/gw.der cert der "$d/gw.der" >"$out/cert-der"
{ rec /etc/swanctl/x509/gw.pem cert pem "$d/swanctl/x509/gw.pem"; sep; conn "C=CH, O=xfrmd test, CN=gw.example"; } >"$out/conn-dn"
{ rec /etc/swanctl/x509/gw.pem cert pem "$d/swanctl/x509/gw.pem"; sep; conn "192.0.2.1"; } >"$out/conn-ip"
cat "$d/swanctl/x509ca/ca.pem" "$d/swanctl/x509/gw.pem" >"$d/bundle.pem"
rec /etc/swanctl/x509ca/bundle.pem ca pem "$d/bundle.pem" >"$out/bundle"
printf 'path=/etc/swanctl/private/enc.key\nstack=strongswan\nrole=key\nsource=dir\nformat=auto\nerror=encrypted (passphrase not read)\n\n' >"$out/key-encrypted"
printf 'path=nss:/var/lib/ipsec/nss#gw\nstack=libreswan\nrole=cert\nsource=nss\nformat=der\nnss_id=63f48063\n\n' >"$out/nss-header"
cat "$d/gw.der" >>"$out/nss-header"
