#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Regenerates the Docker cases of the real-world firewall suite by running Debian 12's dockerd
# (package docker.io) in a scratch network namespace laid out like fw-diff.py's namespace B and
# saving the rule set that dockerd itself wrote. Never touches the host's own rule set: dockerd,
# its containerd and every iptables call run inside `ip netns exec`.
#
# Needs root, docker.io and busybox-static (the container image is made offline with
# `docker import` from the static busybox, as there is no image registry).
# Usage: generate.sh [CASE...]   (default: all cases; output next to this script)
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
P=xdfws$$
WORK=$(mktemp -d /tmp/xdfws-docker.XXXXXX)
DOCKER=/usr/bin/docker  # the packaged client, not whatever else is first in PATH
DPID=

cleanup() {
    if [ -n "$DPID" ] && kill -0 "$DPID" 2>/dev/null; then
        $DOCKER -H "unix://$WORK/d/docker.sock" ps -aq | xargs -r $DOCKER -H "unix://$WORK/d/docker.sock" rm -f >/dev/null 2>&1 || true
        kill "$DPID"; for _ in $(seq 50); do kill -0 "$DPID" 2>/dev/null || break; sleep 0.2; done
    fi
    DPID=
    for n in A B C; do ip netns del $P$n 2>/dev/null || true; done
    rm -rf "$WORK/d"
}
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

# dockerd inside B. `ip netns exec` mounts a fresh /sys, which hides the host's cgroup
# hierarchies that dockerd insists on: mount them again inside that private mount namespace.
# $1: iptables backend (nft or legacy: a PATH shim makes `iptables` mean iptables-legacy,
# which is how dockerd 20.10 picks its backend); the rest: dockerd options.
start_dockerd() {
    local backend=$1; shift
    local shim=
    mkdir -p "$WORK/d"
    if [ "$backend" = legacy ]; then
        shim=$WORK/d/shim; mkdir -p "$shim"
        for t in iptables ip6tables; do
            for s in "" -save -restore; do ln -s /usr/sbin/$t-legacy$s "$shim/$t$s"; done
        done
    fi
    cat > "$WORK/d/run.sh" <<EOF
#!/bin/bash
mount -t tmpfs cgroup_root /sys/fs/cgroup
for c in \$(awk '!/^#/ && \$4 == 1 { print \$1 }' /proc/cgroups); do
    mkdir -p /sys/fs/cgroup/\$c; mount -t cgroup -o \$c cgroup /sys/fs/cgroup/\$c 2>/dev/null || rmdir /sys/fs/cgroup/\$c
done
mkdir -p /sys/fs/cgroup/systemd; mount -t cgroup -o none,name=systemd cgroup /sys/fs/cgroup/systemd || true
${shim:+export PATH=$shim:\$PATH}
exec dockerd --data-root $WORK/d/root --exec-root $WORK/d/exec -H unix://$WORK/d/docker.sock \
    --pidfile $WORK/d/docker.pid --storage-driver vfs "\$@"
EOF
    chmod +x "$WORK/d/run.sh"
    ip netns exec ${P}B "$WORK/d/run.sh" "$@" > "$WORK/dockerd-$CASE.log" 2>&1 &
    DPID=$!
    for _ in $(seq 150); do
        $DOCKER -H unix://$WORK/d/docker.sock info >/dev/null 2>&1 && break
        kill -0 $DPID 2>/dev/null || { tail -5 "$WORK/dockerd-$CASE.log"; exit 1; }
        sleep 0.2
    done
    export DOCKER_HOST=unix://$WORK/d/docker.sock
    mkdir -p "$WORK/bb/bin" "$WORK/bb/www"
    cp /bin/busybox "$WORK/bb/bin/"; ln -sf busybox "$WORK/bb/bin/sh"
    echo hello > "$WORK/bb/www/index.html"
    tar -C "$WORK/bb" -cf "$WORK/bb.tar" .
    $DOCKER import "$WORK/bb.tar" xdfws/busybox:1 >/dev/null
}

# a container that serves TCP on port 80 (and listens on UDP 500/4500, like an IKE responder
# would, so that its published UDP ports are real)
run_web() { $DOCKER run -d "$@" xdfws/busybox:1 /bin/busybox httpd -f -p 80 -h /www >/dev/null; }

save() {
    local backend=$1 out=$HERE/$CASE
    rm -rf "$out"; mkdir -p "$out"
    ip netns exec ${P}B iptables-$backend-save > "$out/iptables-$backend.save"
    ip netns exec ${P}B ip6tables-$backend-save > "$out/ip6tables-$backend.save"
    # an empty save (no table ever touched) says nothing: leave the file out
    [ -s "$out/ip6tables-$backend.save" ] || rm "$out/ip6tables-$backend.save"
    : > "$out/links"
    for dev in $(ip -n ${P}B -o link show type bridge | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }'); do
        echo "$dev bridge $(ip -n ${P}B -o addr show dev "$dev" scope global | awk '{ printf "%s ", $4 }')" \
            | sed 's/ *$//' >> "$out/links"
    done
    echo "$CASE: $(grep -c '^-A' "$out"/*.save | tr '\n' ' ')"
}

case_nft_default() { start_dockerd nft; save nft; }
case_nft_published() { start_dockerd nft; run_web -p 8080:80; save nft; }
case_legacy_published() { start_dockerd legacy; run_web -p 8080:80; save legacy; }
# IPv6 on the default bridge (experimental ip6tables support of 20.10) and a published IKE
# responder: DNAT of UDP 500/4500 is what an IPsec diagnosis must see through
case_nft_ipv6_ike() {
    start_dockerd nft --ipv6 --fixed-cidr-v6 fd00:d0c::/64 --experimental --ip6tables
    run_web -p 8080:80 -p 500:500/udp -p 4500:4500/udp
    save nft
}
# hardened daemon: no inter-container traffic, no userland proxy (hairpin NAT in the kernel),
# a user-defined bridge with a port bound to the uplink address and an internal network
case_legacy_hardened() {
    start_dockerd legacy --icc=false --userland-proxy=false
    $DOCKER network create -o com.docker.network.bridge.name=br-app --subnet 172.30.0.0/24 app >/dev/null
    $DOCKER network create --internal -o com.docker.network.bridge.name=br-int --subnet 172.31.0.0/24 int >/dev/null
    run_web --network app -p 10.99.0.2:8443:80
    run_web --network int
    save legacy
}

ALL="nft-default nft-published legacy-published nft-ipv6-ike legacy-hardened"
cases=("$@"); [ ${#cases[@]} -gt 0 ] || read -ra cases <<< "$ALL"
for CASE in "${cases[@]}"; do
    topo
    "case_${CASE//-/_}"
    cleanup
    unset DOCKER_HOST
done
