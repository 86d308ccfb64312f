#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Regenerates the ufw cases of the real-world firewall suite (fw-realworld.py) by running the
# real ufw (Debian 12 package) inside a private network namespace with the suite's topology
# (B: uplink vB 10.99.0.2/24 fd99::2/64, LAN vC 10.98.0.2/24 fd98::2/64). ufw runs on a copy of
# its configuration (--rootdir/--datadir) without its sysctl file, so neither the host's
# firewall nor its ufw configuration is touched. The legacy cases run ufw in a private mount
# namespace where the iptables-nft binary is replaced by the legacy one (bind mount).
# Root only; not run by the test suite.   usage: generate.sh [OUTDIR]
set -euo pipefail
out=$(realpath "${1:-$(dirname "$0")}")
tmp=$(mktemp -d /root/xd-ufwgen.XXXXXX)
ns=xdgenB$$ nsa=xdgenA$$ nsc=xdgenC$$
cleanup() {
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

# $1: nft|legacy, then the commands (run in B, ufw on the private root)
in_b() {
	local be=$1; shift
	local swap=
	if [ "$be" = legacy ]; then
		swap="mount --bind /usr/sbin/xtables-legacy-multi /usr/sbin/xtables-nft-multi;"
	fi
	ip netns exec "$ns" unshare -m --propagation private sh -c "$swap $*"
}

run_case() {
	local name=$1 be=$2 setup=$3 r=$tmp/root
	topology
	rm -rf "$r"; mkdir -p "$r/etc" "$r/lib" "$r/usr/share"
	cp -a /etc/ufw "$r/etc/"; mkdir -p "$r/etc/default"; cp /etc/default/ufw "$r/etc/default/"
	cp -a /lib/ufw "$r/lib/"; cp -a /usr/share/ufw "$r/usr/share/"
	: > "$r/etc/ufw/sysctl.conf"
	sed -i "s|^IPT_SYSCTL=.*|IPT_SYSCTL=$r/etc/ufw/sysctl.conf|" "$r/etc/default/ufw"
	$setup "$r"
	local u="ufw --rootdir=$r --datadir=$r"
	in_b "$be" "$u --force enable >/dev/null; $u status verbose >&2; ${be_save[$be]}" > /dev/null
	local dir="$out/$name"; rm -rf "$dir"; mkdir -p "$dir"
	in_b "$be" "iptables-save" | grep -v '^#' > "$dir/iptables-$be.save"
	in_b "$be" "ip6tables-save" | grep -v '^#' > "$dir/ip6tables-$be.save"
	ip netns del "$ns"; ip netns del "$nsa"; ip netns del "$nsc"
}
declare -A be_save=([nft]=true [legacy]=true)

default_set() { :; }
gateway_set() {
	local r=$1 u="ufw --rootdir=$1 --datadir=$1"
	# ESP and AH are not ufw rule protocols (0.36 knows ah/esp only with addresses); the
	# documented way is before.rules (and before6.rules), next to ufw's ICMP rules
	local f c
	for f in before.rules:ufw before6.rules:ufw6; do
		c=${f#*:} f=${f%:*}
		sed -i "/^# allow dhcp client to work/i # xfrmd suite: IPsec ESP and AH\\n-A $c-before-input -p esp -j ACCEPT\\n-A $c-before-input -p ah -j ACCEPT\\n-A $c-before-forward -p esp -j ACCEPT\\n" \
			"$r/etc/ufw/$f"
	done
	sed -i 's|^DEFAULT_FORWARD_POLICY=.*|DEFAULT_FORWARD_POLICY="DROP"|' "$r/etc/default/ufw"
	ip netns exec "$ns" $u allow 500/udp >/dev/null
	ip netns exec "$ns" $u allow 4500/udp >/dev/null
	ip netns exec "$ns" $u allow in on vB to any port 22 proto tcp >/dev/null
	ip netns exec "$ns" $u route allow in on vC out on vB >/dev/null
	ip netns exec "$ns" $u route allow in on vB out on vC to any port 443 proto tcp >/dev/null
}

for be in nft legacy; do
	run_case "$be-default" "$be" default_set
	run_case "$be-gateway" "$be" gateway_set
done
echo "ufw $(dpkg-query -W -f '${Version}' ufw): cases written to $out"
