#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Regenerates the firewalld cases of the real-world firewall suite (fw-realworld.py) by running
# the real firewalld (Debian 12 package) inside a private network namespace with the suite's
# topology (B: uplink vB 10.99.0.2/24 fd99::2/64, LAN vC 10.98.0.2/24 fd98::2/64) and a private
# D-Bus system bus; the host's firewall and the host's firewalld configuration are not touched
# (--system-config points to a copy). Root only; not run by the test suite.
#   usage: generate.sh [OUTDIR]   (default: this directory)
set -euo pipefail
out=$(realpath "${1:-$(dirname "$0")}")
tmp=$(mktemp -d /tmp/xd-fwgen.XXXXXX)
ns=xdgenB$$ nsa=xdgenA$$ nsc=xdgenC$$
fwpid= buspid=
cleanup() {
	[ -n "$fwpid" ] && kill "$fwpid" 2>/dev/null && wait "$fwpid" 2>/dev/null || true
	[ -n "$buspid" ] && kill "$buspid" 2>/dev/null || true
	ip netns del "$ns" 2>/dev/null || true
	ip netns del "$nsa" 2>/dev/null || true
	ip netns del "$nsc" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

topology() {
	ip netns add "$ns"; ip netns add "$nsa"; ip netns add "$nsc"
	ip -n "$nsa" link add vA type veth peer name vB netns "$ns"
	ip -n "$ns" link add vC type veth peer name vD netns "$nsc"
	ip -n "$ns" addr add 10.99.0.2/24 dev vB
	ip -n "$ns" addr add 10.98.0.2/24 dev vC
	ip -n "$ns" -6 addr add fd99::2/64 dev vB nodad
	ip -n "$ns" -6 addr add fd98::2/64 dev vC nodad
	for d in lo vB vC; do ip -n "$ns" link set "$d" up; done
	ip -n "$ns" route add default via 10.99.0.1
}

# a bus that lets firewalld own its name and anyone (root here) call it
cat > "$tmp/bus.conf" <<CONF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=$tmp/bus</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/><allow own="*"/><allow send_destination="*"/><allow receive_sender="*"/>
  </policy>
</busconfig>
CONF
dbus-daemon --config-file="$tmp/bus.conf" --nofork --nopidfile & buspid=$!
export DBUS_SYSTEM_BUS_ADDRESS="unix:path=$tmp/bus"
for _ in $(seq 100); do [ -S "$tmp/bus" ] && break; sleep 0.1; done

fwcmd() { ip netns exec "$ns" firewall-cmd -q "$@"; }

# run one case: $1 case name, $2 backend (nftables|iptables), $3 setup function
run_case() {
	local name=$1 backend=$2 setup=$3
	topology
	rm -rf "$tmp/etc"; mkdir -p "$tmp/etc"
	cp -a /usr/lib/firewalld/. "$tmp/etc/" 2>/dev/null || true
	sed -e "s/^FirewallBackend=.*/FirewallBackend=$backend/" /etc/firewalld/firewalld.conf \
		> "$tmp/etc/firewalld.conf"
	ip netns exec "$ns" firewalld --nofork --nopid --system-config "$tmp/etc" \
		--log-target file --log-file "$tmp/fw.log" & fwpid=$!
	for _ in $(seq 300); do
		ip netns exec "$ns" firewall-cmd --state >/dev/null 2>&1 && break; sleep 0.2
	done
	$setup
	local dir="$out/$name"; rm -rf "$dir"; mkdir -p "$dir"
	if [ "$backend" = nftables ]; then
		ip netns exec "$ns" nft list ruleset > "$dir/ruleset.nft"
	else
		ip netns exec "$ns" iptables-nft-save | grep -v '^#' > "$dir/iptables-nft.save"
		ip netns exec "$ns" ip6tables-nft-save | grep -v '^#' > "$dir/ip6tables-nft.save"
		# anything firewalld made in nftables besides the iptables-nft tables
		ip netns exec "$ns" nft list tables | grep -v -E 'table (ip|ip6) (filter|nat|mangle|raw|security)$' \
			| while read -r _ fam tbl; do ip netns exec "$ns" nft list table "$fam" "$tbl"; done \
			> "$dir/ruleset.nft"
		[ -s "$dir/ruleset.nft" ] || rm -f "$dir/ruleset.nft"
	fi
	kill "$fwpid"; wait "$fwpid" 2>/dev/null || true; fwpid=
	ip netns del "$ns"; ip netns del "$nsa"; ip netns del "$nsc"
}

default_zone() {
	fwcmd --zone=public --change-interface=vB
}
gateway_internal() {
	fwcmd --zone=external --change-interface=vB
	fwcmd --zone=external --add-service=ipsec
	fwcmd --zone=internal --change-interface=vC
}
gateway_trusted() {
	fwcmd --zone=external --change-interface=vB
	fwcmd --zone=external --add-service=ipsec
	fwcmd --zone=trusted --change-interface=vC
}

for be in nftables iptables; do
	run_case "$be-default" "$be" default_zone
	run_case "$be-gateway-internal" "$be" gateway_internal
	run_case "$be-gateway-trusted" "$be" gateway_trusted
done
echo "firewalld $(dpkg-query -W -f '${Version}' firewalld): cases written to $out"
