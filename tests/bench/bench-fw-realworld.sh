#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The firewall evaluator on the rule sets real software writes: each named case of
# tests/fw/realworld is loaded into a scratch namespace laid out like fw-diff's namespace B
# (vB 10.99.0.2/24 to the peer, vC 10.98.0.2/24 to the LAN, plus the case's `links`),
# captured with `xfrmctl capture -w`, and bench-fw sends 1,000 packets through each capture.
# A benchmark, not a test: it prints figures. As root.
#   tests/bench/bench-fw-realworld.sh BUILDDIR [SOURCE/CASE...]
set -euo pipefail
build=$(realpath "${1:?usage: $0 BUILDDIR [SOURCE/CASE...]}"); shift
cd "$(dirname "$0")/../fw/realworld"
[ $# -gt 0 ] || set -- firewalld/iptables-gateway-internal firewalld/nftables-gateway-internal \
    docker/legacy-hardened libvirt/mixed-legacy ufw/nft-gateway
tmp=$(mktemp -d)
ns=xdfwbench$$
trap 'ip netns del "$ns" 2>/dev/null; rm -rf "$tmp"' EXIT
snaps=()
for c in "$@"; do
    [ -d "$c" ] || { echo "no case $c" >&2; exit 2; }
    ip netns add "$ns"
    ip -n "$ns" link set lo up
    for i in vB:10.99.0.2/24 vC:10.98.0.2/24; do
        ip -n "$ns" link add "${i%%:*}" type veth peer name "${i%%:*}p"
        ip -n "$ns" link set "${i%%:*}" up
        ip -n "$ns" addr add "${i#*:}" dev "${i%%:*}"
    done
    if [ -f "$c/links" ]; then
        while read -r name kind addrs; do
            ip -n "$ns" link add "$name" type "$kind"
            ip -n "$ns" link set "$name" up
            for a in $addrs; do ip -n "$ns" addr add "$a" dev "$name"; done
        done <"$c/links"
    fi
    [ ! -f "$c/ruleset.nft" ] || ip netns exec "$ns" nft -f "$c/ruleset.nft"
    for f in iptables-nft ip6tables-nft iptables-legacy ip6tables-legacy; do
        [ ! -f "$c/$f.save" ] || ip netns exec "$ns" "$f-restore" <"$c/$f.save"
    done
    snap="$tmp/${c//\//-}.pcapng"
    "$build/tools/xfrmctl/xfrmctl" -n "$ns" --no-daemon capture -w "$snap" >/dev/null
    snaps+=("${snap##*/}")
    ip netns del "$ns"
done
cd "$tmp" && "$build/tests/fw/bench-fw" "${snaps[@]}"
