#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# check-certs.sh: strongSwan credential directories (as the real daemon reads them) and a libreswan
# NSS database (built with certutil/pk12util), through
# `xfrmctl check`.
#
#   make-pki.sh DIR expired|healthy --> DIR/swanctl (x509/, x509ca/, private/, swanctl.conf)
#        |                                   |
#   charon + swanctl --load-all         xfrmctl check (SWANCTL_DIR, the variable both obey)
#   (private mount+net namespace)
#
# For each set, charon must load it (and say "expired" for the expired one: proof the fixture is
# what strongSwan sees), and xfrmctl must name cert.expired for DIR/swanctl/x509/gw.pem, or
# raise no cert.* finding above info for the healthy set. No output and no snapshot may hold the
# private key or the swanctl.conf secret. Needs root (namespaces, netlink); skips (77) otherwise.
# The lead's kernel test bed points XFRMD_SWANCTL_DIR/XFRMD_NSS_DIRS at a scenario the same way.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
XFRMCTL=${XFRMCTL:-xfrmctl}
MAKE_PKI=${MAKE_PKI:-$here/make-pki.sh}
fail=0
. "$here/../lib/slowdown.sh"
slow=$(xd_slowdown)   # waits poll with bounds scaled by the machine's slowdown

[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (namespaces, netlink)"; exit 77; }
for t in openssl jq unshare; do
    command -v "$t" >/dev/null || { echo "SKIP: $t not installed"; exit 77; }
done
charon=
for c in /usr/lib/ipsec/charon /usr/libexec/ipsec/charon /usr/libexec/strongswan/charon; do
    [ -x "$c" ] && charon=$c && break
done

tmp=$(mktemp -d /tmp/xfrmd-certs.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

pass() { echo "PASS: $*"; }
failed() { echo "FAIL: $*"; fail=1; }

# charon with a private config, vici socket and /run (its pid file path is compiled in)
charon_list_certs() { # swanctl dir -> swanctl --list-certs output
    local sw=$1 conf=$tmp/strongswan.conf
    cat >"$conf" <<EOF
charon {
	load = random nonce x509 pubkey pkcs1 pkcs8 pkcs12 pem openssl kernel-netlink socket-default vici
	port = 0
	port_nat_t = 0
	plugins {
		vici {
			socket = unix://$tmp/charon.vici
		}
	}
}
swanctl {
	socket = unix://$tmp/charon.vici
}
EOF
    cat >"$tmp/charon.sh" <<EOF
mount -t tmpfs tmpfs /run
export STRONGSWAN_CONF=$conf SWANCTL_DIR=$sw
$charon >/dev/null 2>&1 &
pid=\$!
for i in \$(seq $((100 * slow))); do [ -S $tmp/charon.vici ] && break; sleep 0.1; done
swanctl --load-all >/dev/null 2>&1
swanctl --list-certs 2>&1
kill \$pid; wait \$pid 2>/dev/null
rm -f $tmp/charon.vici
EOF
    timeout $((60 * slow)) unshare -m -n --propagation private sh "$tmp/charon.sh"
}

# xfrmctl as an operator would run it, in a fresh network namespace, pointed at one tree
xfrmctl_ns() { # swanctl dir, args...
    local sw=$1; shift
    SWANCTL_DIR=$sw XFRMD_IPSEC_D=/nonexistent XFRMD_IPSEC_CONF=/nonexistent \
        XFRMD_NSS_DIRS=/nonexistent unshare -n "$XFRMCTL" "$@"
}

for kind in expired healthy; do
    d=$tmp/$kind sw=$tmp/$kind/swanctl
    "$MAKE_PKI" "$d" "$kind" || { failed "$kind: make-pki"; continue; }
    gw=$sw/x509/gw.pem

    if [ -n "$charon" ]; then
        out=$(charon_list_certs "$sw")
        if ! grep -q 'CN=gw.example' <<<"$out"; then
            failed "$kind: charon did not load $gw"
        elif [ "$kind" = expired ] && grep -q 'expired' <<<"$out"; then
            pass "$kind: charon loads $gw and reports it expired"
        elif [ "$kind" = healthy ] && ! grep -q 'expired' <<<"$out"; then
            pass "$kind: charon loads $gw as valid"
        else
            failed "$kind: charon's view of $gw unexpected: $out"
        fi
    else
        echo "NOTE: no charon binary; checking xfrmctl only"
    fi

    json=$(xfrmctl_ns "$sw" --json check); rc=$?
    if [ "$kind" = expired ]; then
        n=$(jq --arg f "$gw" '[.findings[] | select(.id == "cert.expired" and .evidence.file == $f
            and .severity == "error")] | length' <<<"$json")
        [ "$n" = 1 ] && pass "expired: cert.expired (error) names $gw" \
            || failed "expired: no cert.expired error for $gw: $(jq -c '[.findings[].id]' <<<"$json")"
        [ "$rc" = 1 ] && pass "expired: check exits 1" || failed "expired: check exit $rc"
        text=$(xfrmctl_ns "$sw" check)
        grep -q "cert.expired .*$gw" <<<"$text" && pass "expired: text output names the file" \
            || failed "expired: text output: $text"
    else
        bad=$(jq -c '[.findings[] | select((.id | startswith("cert.")) and .severity != "info") | .id]' <<<"$json")
        [ "$bad" = "[]" ] && pass "healthy: no cert.* finding above info" \
            || failed "healthy: $bad"
        n=$(jq --arg f "$gw" '[.certificates[] | select(.file == $f and .private_key_present)] | length' \
            <<<"$(xfrmctl_ns "$sw" --json show certs)")
        [ "$n" = 1 ] && pass "healthy: show certs lists $gw with its key" || failed "healthy: show certs"
    fi

    # key-free: the snapshot and every output hold neither the key nor the config's secret
    xfrmctl_ns "$sw" capture -w "$tmp/$kind.pcapng" >/dev/null 2>&1 || failed "$kind: capture"
    keyb64=$(grep -v -- '-----' "$sw/private/gw.key" | tr -d '\n' | cut -c 20-60)
    leak=0
    for f in "$tmp/$kind.pcapng" <(xfrmctl_ns "$sw" --json show certs) <(xfrmctl_ns "$sw" -v check); do
        if grep -aq -e 'never-recorded-canary' -e 'PRIVATE KEY' -e "$keyb64" "$f"; then leak=1; fi
    done
    [ $leak = 0 ] && pass "$kind: no key material or secret in snapshot and outputs" \
        || failed "$kind: key material or secret leaked"
    # replay gives the same cert findings as live
    live=$(jq -c '[.findings[] | select(.id | startswith("cert.")) | [.id, .evidence.file]]' <<<"$json")
    replay=$("$XFRMCTL" -r "$tmp/$kind.pcapng" --json check |
        jq -c '[.findings[] | select(.id | startswith("cert.")) | [.id, .evidence.file]]')
    [ "$live" = "$replay" ] && pass "$kind: replayed snapshot gives the same cert findings" \
        || failed "$kind: live $live vs replay $replay"
done
# libreswan: the same certificates in an NSS database as `ipsec import` makes it (pluto itself
# is not run here; the kernel test bed's libreswan scenario does that)
if command -v certutil >/dev/null && command -v pk12util >/dev/null; then
    for kind in expired healthy; do
        d=$tmp/$kind nss=$tmp/$kind/nss
        mkdir -p "$nss"
        openssl pkcs12 -export -in "$d/work/gw.pem" -inkey "$d/work/gw.key" -out "$d/gw.p12" \
            -passout pass: -name gw
        certutil -N -d "sql:$nss" --empty-password
        pk12util -i "$d/gw.p12" -d "sql:$nss" -W '' >/dev/null
        certutil -A -d "sql:$nss" -n ca -t CT,, -i "$d/work/ca.pem"
        printf 'config setup\n\nconn gw\n\tleftcert=gw\n\tleftid=@gw.example\n\trightid=@peer.example\n' \
            >"$d/ipsec.conf"
        json=$(SWANCTL_DIR=/nonexistent XFRMD_IPSEC_D=/nonexistent \
            XFRMD_IPSEC_CONF=$d/ipsec.conf XFRMD_NSS_DIRS=$nss unshare -n "$XFRMCTL" --json check)
        if [ "$kind" = expired ]; then
            n=$(jq --arg f "nss:$nss#gw" '[.findings[] | select(.id == "cert.expired" and
                .evidence.file == $f and .severity == "error")] | length' <<<"$json")
            [ "$n" = 1 ] && pass "libreswan expired: cert.expired (error) names nss:$nss#gw" \
                || failed "libreswan expired: $(jq -c '[.findings[] | [.id, .evidence.file]]' <<<"$json")"
        else
            bad=$(jq -c '[.findings[] | select((.id | startswith("cert.")) and .severity != "info") | .id]' <<<"$json")
            [ "$bad" = "[]" ] && pass "libreswan healthy: no cert.* finding above info" \
                || failed "libreswan healthy: $bad"
        fi
    done
else
    echo "NOTE: certutil/pk12util (libnss3-tools) missing: libreswan NSS part not run"
fi
exit $fail
