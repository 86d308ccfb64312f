#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Regenerates the libvirt cases of the real-world firewall suite by running Debian 12's libvirtd
# (package libvirt-daemon, network driver only) in a scratch network namespace laid out like
# fw-diff.py's namespace B, starting virtual networks with virsh and saving the rule set that
# libvirtd itself wrote. Never touches the host's rule set or the host's libvirt state: libvirtd
# runs inside `ip netns exec` with its config, state and runtime directories bind-mounted from a
# scratch directory in that command's private mount namespace.
#
# Needs root, libvirt-daemon, libvirt-clients, libvirt-daemon-config-network, dnsmasq-base.
# Usage: generate.sh [CASE...]   (default: all cases; output next to this script)
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
P=xdfwl$$
WORK=$(mktemp -d /tmp/xdfws-libvirt.XXXXXX)

cleanup() { for n in A B C; do ip netns del $P$n 2>/dev/null || true; done; }
trap 'cleanup; rm -rf "$WORK"' EXIT

# the namespaces of fw-diff.py: A (peer) -- vB [B] vC -- C (LAN host)
topo() {
    for n in A B C; do ip netns add $P$n; done
    ip -n ${P}A link add vA type veth peer name vB netns ${P}B
    ip -n ${P}B link add vC type veth peer name vD netns ${P}C
    ip -n ${P}A addr add 10.99.0.1/24 dev vA; ip -n ${P}A addr add fd99::1/64 dev vA nodad
    ip -n ${P}B addr add 10.99.0.2/24 dev vB; ip -n ${P}B addr add fd99::2/64 dev vB nodad
    ip -n ${P}B addr add 10.98.0.2/24 dev vC; ip -n ${P}B addr add fd98::2/64 dev vC nodad
    ip -n ${P}C addr add 10.98.0.1/24 dev vD; ip -n ${P}C addr add fd98::1/64 dev vD nodad
    for x in A:vA B:vB B:vC C:vD; do
        ip -n $P${x%%:*} link set lo up; ip -n $P${x%%:*} link set "${x#*:}" up
    done
}

# The script that runs inside B: private libvirt directories, only the network driver (the qemu
# driver needs the libvirt-qemu user of libvirt-daemon-system and is not wanted here), libvirtd
# 9.0 runs /usr/sbin/iptables by absolute path, so the legacy backend comes from a private copy
# of /etc/alternatives whose iptables links point at the legacy binaries.
cat > "$WORK/inside.sh" <<'EOF'
#!/bin/bash
set -euo pipefail
W=$1 backend=$2 out=$3; shift 3
mkdir -p $W/etc $W/run $W/lib $W/cache $W/log $W/drv $W/alt
cp -a /etc/libvirt/. $W/etc/
rm -f $W/etc/qemu/networks/*.xml $W/etc/qemu/networks/autostart/*.xml  # no preinstalled network
for m in etc:/etc/libvirt run:/run/libvirt lib:/var/lib/libvirt cache:/var/cache/libvirt log:/var/log/libvirt; do
    mkdir -p ${m#*:}; mount --bind $W/${m%%:*} ${m#*:}
done
D=/usr/lib/x86_64-linux-gnu/libvirt/connection-driver
cp $D/libvirt_driver_network.so $W/drv/; mount --bind $W/drv $D
if [ "$backend" = legacy ]; then
    cp -a /etc/alternatives/. $W/alt/
    for t in iptables ip6tables; do for s in "" -save -restore; do
        ln -sfn /usr/sbin/$t-legacy$s $W/alt/$t$s
    done; done
    mount --bind $W/alt /etc/alternatives
fi
libvirtd > $W/libvirtd.log 2>&1 &
LPID=$!
V="virsh -q -c network:///system"
for _ in $(seq 100); do $V net-list --all >/dev/null 2>&1 && break; sleep 0.2; done
for xml in "$@"; do $V net-define "$xml" >/dev/null; $V net-start "$(sed -n 's:.*<name>\(.*\)</name>.*:\1:p' "$xml")" >/dev/null; done
$V net-list --all
for t in iptables ip6tables; do $t-$backend-save > $out/$t-$backend.save; done
: > $out/links
for dev in $(ip -o link show type bridge | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }'); do
    echo "$dev bridge $(ip -o addr show dev "$dev" scope global | awk '{ printf "%s ", $4 }')" \
        | sed 's/ *$//' >> $out/links
done
kill $LPID
for _ in $(seq 50); do kill -0 $LPID 2>/dev/null || break; sleep 0.2; done
# libvirtd leaves dnsmasq running for its networks: end the ones it started (pid files)
for f in $W/run/network/*.pid; do [ -f "$f" ] && kill $(cat "$f") 2>/dev/null || true; done
EOF
chmod +x "$WORK/inside.sh"

net() { # NAME XML-BODY: a network definition file
    printf '<network>\n  <name>%s</name>\n%s\n</network>\n' "$1" "$2" > "$WORK/$1.xml"
    echo "$WORK/$1.xml"
}

DEFAULT=/usr/share/libvirt/networks/default.xml  # as shipped by libvirt-daemon-config-network
NAT6=$(net nat6 "  <forward mode='nat'/>
  <bridge name='virbr1'/>
  <ip address='192.168.100.1' netmask='255.255.255.0'>
    <dhcp><range start='192.168.100.2' end='192.168.100.254'/></dhcp>
  </ip>
  <ip family='ipv6' address='fd00:100::1' prefix='64'/>")
ROUTED=$(net routed "  <forward mode='route' dev='vB'/>
  <bridge name='virbr2'/>
  <ip address='192.168.123.1' netmask='255.255.255.0'/>
  <ip family='ipv6' address='fd00:123::1' prefix='64'/>")
ISOLATED=$(net isolated "  <bridge name='virbr3'/>
  <ip address='192.168.124.1' netmask='255.255.255.0'/>")

run() { # CASE BACKEND XML...
    local c=$1 b=$2; shift 2
    topo
    rm -rf "${HERE:?}/$c"; mkdir -p "$HERE/$c"
    ip netns exec ${P}B "$WORK/inside.sh" "$WORK/state-$c" "$b" "$HERE/$c" "$@"
    for f in "$HERE/$c"/*.save; do  # an untouched family says nothing: leave it out
        grep -q '^:' "$f" || rm "$f"
    done
    echo "$c: $(cat "$HERE/$c"/*.save | grep -c '^-A') rules"
    cleanup
}

case_nat_default() { run nat-default nft "$DEFAULT"; }
case_nat_default_legacy() { run nat-default-legacy legacy "$DEFAULT"; }
case_nat_ipv6() { run nat-ipv6 nft "$NAT6"; }
case_routed() { run routed nft "$ROUTED"; }
case_isolated() { run isolated nft "$ISOLATED"; }
case_mixed_legacy() { run mixed-legacy legacy "$DEFAULT" "$ROUTED" "$ISOLATED"; }

ALL="nat-default nat-default-legacy nat-ipv6 routed isolated mixed-legacy"
cases=("$@"); [ ${#cases[@]} -gt 0 ] || read -ra cases <<< "$ALL"
for CASE in "${cases[@]}"; do "case_${CASE//-/_}"; done
