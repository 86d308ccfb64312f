# SPDX-License-Identifier: GPL-2.0-or-later
# stack-lib.sh: helpers for the IKE-stack scenarios (sourced, not run). Each daemon runs in
# its own network namespace and its own mount namespace with a private tmpfs on /run, so
# its pid file and control socket never touch the host's. Everything is torn down by
# stack_cleanup, which the scenarios install as an EXIT trap.
#
#   ns_a (10.99.0.1) ---- veth ---- ns_b (10.99.0.2)

# the build directory is the first argument (meson passes it), else ./build
BUILD=$(cd "${1:-$(dirname "${BASH_SOURCE[0]}")/../../build}" && pwd)
XFRMCTL=${XFRMCTL:-$BUILD/tools/xfrmctl/xfrmctl}
# libreswan conflicts with strongSwan's Debian packages: it is used unpacked (dpkg -x) from a
# cache outside the repository; find_libreswan fetches it there when it is missing
LIBRESWAN_ROOT=${LIBRESWAN_ROOT:-}
find_libreswan() {
    local c
    for c in "$LIBRESWAN_ROOT" /var/cache/xfrmd-tests/libreswan /var/cache/xfrmd-tests/kstack-libreswan/root; do
        [ -n "$c" ] && [ -x "$c/usr/libexec/ipsec/pluto" ] && { LIBRESWAN_ROOT=$c; return 0; }
    done
    c=/var/cache/xfrmd-tests/kstack-libreswan
    mkdir -p "$c" && (cd "$c" && apt-get download libreswan >/dev/null 2>&1 &&
        dpkg -x libreswan_*.deb root) && [ -x "$c/root/usr/libexec/ipsec/pluto" ] &&
        { LIBRESWAN_ROOT=$c/root; return 0; }
    return 1
}
# waits poll their condition with bounds scaled by the machine's slowdown (tests/lib/slowdown.sh)
. "$(dirname "${BASH_SOURCE[0]}")/../lib/slowdown.sh"
XD_SLOW=$(xd_slowdown)
NS_A=xdk-a-$$
NS_B=xdk-b-$$
WORK=$(mktemp -d /tmp/xd-stack.XXXXXX)
PIDS=()
fails=0

pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
skip() { echo "SKIP: $*"; exit 77; }

stack_require_root() {
    [ "$(id -u)" = 0 ] || skip "needs root (network namespaces, daemons)"
    command -v jq >/dev/null || skip "needs jq"
    [ -x "$XFRMCTL" ] || skip "xfrmctl not built at $XFRMCTL"
}

stack_cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
    sleep 0.3
    for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
    ip netns del "$NS_A" 2>/dev/null
    ip netns del "$NS_B" 2>/dev/null
    rm -rf "$WORK"
}

stack_netns() {
    ip netns add "$NS_A" && ip netns add "$NS_B" || skip "cannot create network namespaces"
    ip link add xdk-va type veth peer name xdk-vb || skip "no veth"
    ip link set xdk-va netns "$NS_A"
    ip link set xdk-vb netns "$NS_B"
    ip -n "$NS_A" addr add 10.99.0.1/24 dev xdk-va
    ip -n "$NS_B" addr add 10.99.0.2/24 dev xdk-vb
    for n in "$NS_A" "$NS_B"; do ip -n "$n" link set lo up; done
    ip -n "$NS_A" link set xdk-va up
    ip -n "$NS_B" link set xdk-vb up
}

# pid of the first process named $1 in netns $2
pid_in_ns() {
    local comm=$1 ns=$2 want
    want=$(readlink "/run/netns/$ns" 2>/dev/null || stat -L -c 'net:[%i]' "/run/netns/$ns")
    for d in /proc/[0-9]*; do
        [ "$(cat "$d/comm" 2>/dev/null)" = "$comm" ] || continue
        [ "$(readlink "$d/ns/net" 2>/dev/null)" = "$want" ] && { echo "${d#/proc/}"; return 0; }
    done
    return 1
}

# true once the process named $1 in netns $2 has the socket $3 (a path in its mount
# namespace); looked up on every call, as the daemon may not have exec'd yet
ns_socket_ready() {
    local pid
    pid=$(pid_in_ns "$1" "$2") && test -S "/proc/$pid/root$3"
}

wait_for() { # seconds (times XD_SLOW), command...
    local t=$1; shift
    for _ in $(seq $((t * XD_SLOW * 10))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
    return 1
}

# start_charon NS TAG [port natt_port]: charon with a trap connection 10.1/16 <-> 10.2/16
start_charon() {
    local ns=$1 tag=$2 port=${3:-500} natt=${4:-4500} dir=$WORK/$2
    mkdir -p "$dir/swanctl"
    cat >"$dir/strongswan.conf" <<EOC
charon {
    load_modular = no
    load = random nonce aes sha1 sha2 hmac pem pkcs1 x509 revocation constraints pubkey openssl kernel-netlink socket-default vici updown
    port = $port
    port_nat_t = $natt
    install_routes = no
    filelog {
        log { path = $dir/charon.log
              default = 1 }
    }
}
EOC
    cat >"$dir/swanctl/swanctl.conf" <<EOC
connections {
    gw {
        local_addrs = 10.99.0.1
        remote_addrs = 10.99.0.2
        local { auth = psk }
        remote { auth = psk }
        children {
            net {
                local_ts = 10.1.0.0/16
                remote_ts = 10.2.0.0/16
                start_action = trap
            }
        }
    }
}
secrets { ike-1 { secret = "not-a-real-secret" } }
EOC
    ip netns exec "$ns" unshare -m sh -c "mount -t tmpfs tmpfs /run && \
        STRONGSWAN_CONF=$dir/strongswan.conf exec /usr/lib/ipsec/charon" \
        >"$dir/charon.out" 2>&1 &
    PIDS+=($!)
    wait_for 10 ns_socket_ready charon "$ns" /run/charon.vici ||
        { cat "$dir/charon.log" "$dir/charon.out" 2>/dev/null | tail -20; return 1; }
    CHARON_PID=$(pid_in_ns charon "$ns")
    PIDS+=("$CHARON_PID")
    nsenter -t "$CHARON_PID" -m -n env STRONGSWAN_CONF="$dir/strongswan.conf" \
        SWANCTL_DIR="$dir/swanctl" swanctl --load-all >"$dir/swanctl.out" 2>&1 ||
        { cat "$dir/swanctl.out"; return 1; }
}

# start_pluto NS TAG: libreswan pluto with a routed (trap) connection 10.1/16 <-> 10.2/16
start_pluto() {
    local ns=$1 tag=$2 dir=$WORK/$2 root=$LIBRESWAN_ROOT
    [ -x "$root/usr/libexec/ipsec/pluto" ] || return 77
    mkdir -p "$dir/nss" "$dir/run" "$dir/ipsec.d"
    certutil -N -d "sql:$dir/nss" --empty-password >/dev/null 2>&1 || return 1
    cat >"$dir/ipsec.conf" <<EOC
config setup
    logfile=$dir/pluto.log
    plutodebug=none
conn gw
    left=10.99.0.1
    right=10.99.0.2
    leftsubnet=10.1.0.0/16
    rightsubnet=10.2.0.0/16
    authby=secret
    auto=route
    leftupdown=/bin/true
EOC
    echo '10.99.0.1 10.99.0.2 : PSK "not-a-real-secret"' >"$dir/ipsec.secrets"
    # pluto runs addconn and _updown from its compiled-in /usr/libexec/ipsec: in the private
    # mount namespace the unpacked package's libexec is bound over the host's
    ip netns exec "$ns" unshare -m sh -c "mount -t tmpfs tmpfs /run && mkdir -p /run/pluto && \
        mount --bind $root/usr/libexec /usr/libexec && \
        exec $root/usr/libexec/ipsec/pluto --nofork --config $dir/ipsec.conf \
        --rundir /run/pluto --nssdir $dir/nss --secretsfile $dir/ipsec.secrets \
        --ipsecdir $dir/ipsec.d --logfile $dir/pluto.log" >"$dir/pluto.out" 2>&1 &
    PIDS+=($!)
    wait_for 10 ns_socket_ready pluto "$ns" /run/pluto/pluto.ctl ||
        { tail -20 "$dir/pluto.log" "$dir/pluto.out" 2>/dev/null; return 1; }
    PLUTO_PID=$(pid_in_ns pluto "$ns")
    PIDS+=("$PLUTO_PID")
    local whack="$root/usr/libexec/ipsec/whack"
    nsenter -t "$PLUTO_PID" -m -n "$whack" --ctlsocket /run/pluto/pluto.ctl --listen \
        >"$dir/whack.out" 2>&1
    nsenter -t "$PLUTO_PID" -m -n "$root/usr/libexec/ipsec/addconn" --ctlsocket \
        /run/pluto/pluto.ctl --config "$dir/ipsec.conf" gw >>"$dir/whack.out" 2>&1
    nsenter -t "$PLUTO_PID" -m -n "$whack" --ctlsocket /run/pluto/pluto.ctl --route --name gw \
        >>"$dir/whack.out" 2>&1
    wait_for 5 sh -c "ip -n $ns xfrm policy | grep -q 10.2.0.0/16"
}

# `xfrmctl -j show stack` of a netns or a snapshot file
stack_json() { "$XFRMCTL" --netns "$1" -j show stack; }
snap_json() { "$XFRMCTL" -r "$1" -j show stack; }
# finding ids of `xfrmctl check` (netns) as one line
check_ids() { "$XFRMCTL" --netns "$1" -j check 2>/dev/null | jq -r '[.findings[].id] | join(" ")'; }
has_id() { case " $1 " in *" $2 "*) return 0 ;; esac; return 1; }

finish() {
    if [ "$fails" -gt 0 ]; then echo "$fails check(s) failed"; exit 1; fi
    exit 0
}
