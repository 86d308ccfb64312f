# SPDX-License-Identifier: GPL-2.0-or-later
# Manual SAs and policies with canary keys (DESIGN.md §5). Every key comes from `canary SLOT N`
# so the post-check scanner knows it. Never pass these commands to `check`: a failing check prints
# its command line (with the key) into the log.
#
# sa_pair NS_A A NS_B B MODE SPI_AB SPI_BA ALG... : the same two SAs (A->B and B->A) in both
# namespaces; ALG is the `ip xfrm state` algorithm part, with the literal word KEY<slot>:<bytes>
# replaced by a canary key, e.g. sa_pair west $WEST east $EAST tunnel 0x100 0x101 \
#     proto esp aead 'rfc4106(gcm(aes))' KEY:gcm128:20 128

_sa_expand() { # args... -> echoes args with KEY:slot:bytes replaced
    local a out=()
    for a in "$@"; do
        if [[ $a =~ ^KEY:([^:]+):([0-9]+)$ ]]; then
            out+=("0x$(canary "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}")")
        else
            out+=("$a")
        fi
    done
    printf '%s\0' "${out[@]}"
}

# sa_add NS SRC DST SPI MODE ARGS...: one SA; ARGS as for `ip xfrm state add` after "mode"
sa_add() {
    local ns=$1 src=$2 dst=$3 spi=$4 mode=$5; shift 5
    local args; mapfile -d '' args < <(_sa_expand "$@")
    # ARGS start with "proto P"; ip wants proto before spi
    ip -n "$ns" xfrm state add src "$src" dst "$dst" "${args[0]}" "${args[1]}" spi "$spi" \
        mode "$mode" "${args[@]:2}" \
        2>"$XD_PRIV/sa-add.err" && return 0
    # keep the error out of the (scanned) log: it may echo the key
    log "sa_add $ns $src>$dst spi $spi failed: $(sed 's/0x[0-9a-fA-F]\{16,\}/0xKEY/g' "$XD_PRIV/sa-add.err")"
    return 1
}

# sa_pair_both NSA A NSB B SPI_AB SPI_BA MODE ARGS...: A->B and B->A SAs with the same
# parameters (different keys per direction: slot names get -ab/-ba) in both namespaces
sa_pair_both() {
    local na=$1 a=$2 nb=$3 b=$4 s1=$5 s2=$6 mode=$7; shift 7
    local ab=() ba=() x
    for x in "$@"; do
        if [[ $x =~ ^KEY:([^:]+):([0-9]+)$ ]]; then
            ab+=("KEY:${BASH_REMATCH[1]}-ab:${BASH_REMATCH[2]}")
            ba+=("KEY:${BASH_REMATCH[1]}-ba:${BASH_REMATCH[2]}")
        else ab+=("$x"); ba+=("$x"); fi
    done
    sa_add "$na" "$a" "$b" "$s1" "$mode" "${ab[@]}" && sa_add "$nb" "$a" "$b" "$s1" "$mode" "${ab[@]}" &&
    sa_add "$na" "$b" "$a" "$s2" "$mode" "${ba[@]}" && sa_add "$nb" "$b" "$a" "$s2" "$mode" "${ba[@]}"
}

# pol_pair NSA A NSB B MODE PROTO REQID [SELA SELB]: out/in(/fwd for tunnels) policies on both
# sides for traffic SELA<->SELB (default: the hosts) carried by SAs between A and B
pol_pair() {
    local na=$1 a=$2 nb=$3 b=$4 mode=$5 proto=$6 reqid=$7 sa=${8:-$2} sb=${9:-$4}
    local tmpl_ab="tmpl src $a dst $b proto $proto reqid $reqid mode $mode"
    local tmpl_ba="tmpl src $b dst $a proto $proto reqid $reqid mode $mode"
    ip -n "$na" xfrm policy add src "$sa" dst "$sb" dir out $tmpl_ab &&
    ip -n "$na" xfrm policy add src "$sb" dst "$sa" dir in $tmpl_ba &&
    ip -n "$nb" xfrm policy add src "$sb" dst "$sa" dir out $tmpl_ba &&
    ip -n "$nb" xfrm policy add src "$sa" dst "$sb" dir in $tmpl_ab || return 1
    if [ "$mode" = tunnel ]; then
        ip -n "$na" xfrm policy add src "$sb" dst "$sa" dir fwd $tmpl_ba &&
        ip -n "$nb" xfrm policy add src "$sa" dst "$sb" dir fwd $tmpl_ab || return 1
    fi
}

# manual_tunnel_gw2gw: ESP tunnel (AES-GCM-128, reqid 1) between the gateways of topo_gw2gw for
# 10.1.0.0/24 <-> 10.2.0.0/24
manual_tunnel_gw2gw() {
    sa_pair_both west $WEST east $EAST 0x1001 0x1002 tunnel proto esp reqid 1 \
        aead 'rfc4106(gcm(aes))' KEY:gw-gcm:20 128 &&
    pol_pair west $WEST east $EAST tunnel esp 1 $WSUB $ESUB
}

# manual_transport_h2h: ESP transport (AES-CBC + HMAC-SHA256, reqid 2) between the hosts of
# topo_host2host
manual_transport_h2h() {
    sa_pair_both west $WEST east $EAST 0x2001 0x2002 transport proto esp reqid 2 \
        enc 'cbc(aes)' KEY:h2h-enc:16 auth-trunc 'hmac(sha256)' KEY:h2h-auth:32 128 &&
    pol_pair west $WEST east $EAST transport esp 2
}
