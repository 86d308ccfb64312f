#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bed: uml qemu
# timeout: 120
# Issue 2's real-kernel proof (testing.md T4, T17): SAs of every algorithm kind with canary keys,
# traffic over two of them, then
#   - `xfrmctl --json show sa` equals `ip -s -d xfrm state` field for field on both sides,
#   - every xfrmctl verb (text, JSON, pretty, errors) and the capture files hold no canary,
#   - `xfrmctl -r capture --json show all` equals the live JSON except meta.source.
#
#   west 192.0.2.1, 2001:db8::1 (w0) ---- veth ---- (e0) 192.0.2.2, 2001:db8::2 east
#
#   used by traffic:   IPv4 ESP transport  AES-GCM-128 (rfc4106)        reqid 1
#                      IPv6 ESP tunnel     ChaCha20-Poly1305, ESN, replay-window 2048  reqid 2
#   installed only:    AES-GCM-256, enc cbc(aes)+auth hmac(sha256), auth-trunc hmac(sha512)/256,
#                      AH hmac(sha256), IPComp deflate, NAT-T espinudp 4500, mark/mask + if_id +
#                      output-mark, 3DES+MD5 (weak), IPv6 AH tunnel
. "$XD_SRC/tests/kernel/lib/common.sh"
. "$XD_LIB/topo.sh"
. "$XD_LIB/sa.sh"
ip xfrm state list >/dev/null 2>&1 || skip "no xfrm_user in this kernel"
topo_host2host

ok=1
# used by traffic
sa_pair_both west $WEST east $EAST 0x100 0x101 transport proto esp reqid 1 replay-window 32 \
    aead 'rfc4106(gcm(aes))' KEY:gcm128:20 128 || ok=0
pol_pair west $WEST east $EAST transport esp 1 || ok=0
sa_pair_both west $WEST6 east $EAST6 0x200 0x201 tunnel proto esp reqid 2 flag esn replay-window 2048 \
    aead 'rfc7539esp(chacha20,poly1305)' KEY:chacha:36 128 || ok=0
pol_pair west $WEST6 east $EAST6 tunnel esp 2 || ok=0
# installed only (west side), one per algorithm slot
sa_add west $WEST $EAST 0x300 tunnel proto esp reqid 3 aead 'rfc4106(gcm(aes))' KEY:gcm256:36 128 || ok=0
sa_add west $WEST $EAST 0x301 tunnel proto esp reqid 4 enc 'cbc(aes)' KEY:cbc:32 auth 'hmac(sha256)' KEY:sha256:32 || ok=0
sa_add west $WEST $EAST 0x302 transport proto esp reqid 5 enc 'cbc(aes)' KEY:cbc2:16 \
    auth-trunc 'hmac(sha512)' KEY:sha512:64 256 || ok=0
sa_add west $WEST $EAST 0x303 transport proto ah reqid 6 auth-trunc 'hmac(sha256)' KEY:ah:32 128 || ok=0
sa_add west $WEST $EAST 0x304 tunnel proto comp reqid 7 comp deflate || ok=0
sa_add west $WEST $EAST 0x305 transport proto esp reqid 8 aead 'rfc4106(gcm(aes))' KEY:natt:20 128 \
    encap espinudp 4500 4500 0.0.0.0 || ok=0
sa_add west $WEST $EAST 0x306 tunnel proto esp reqid 9 aead 'rfc4106(gcm(aes))' KEY:mark:20 128 \
    mark 0x10 mask 0xff if_id 7 output-mark 5 || ok=0
sa_add west $WEST $EAST 0x307 tunnel proto esp reqid 10 enc 'cbc(des3_ede)' KEY:3des:24 auth 'hmac(md5)' KEY:md5:16 || ok=0
sa_add west $WEST6 $EAST6 0x308 tunnel proto ah reqid 11 auth 'hmac(sha1)' KEY:ah6:20 || ok=0
[ $ok = 1 ] && pass install-sas || fail install-sas "see log"

# the scanner's positive control: the canaries really are in ip's output (kept private)
nsx west ip xfrm state >"$XD_PRIV/ip-keys.txt"
if /usr/bin/python3 "$XD_LIB/canary-scan.py" "$XD_PRIV/canaries" "$XD_PRIV/ip-keys.txt" >/dev/null 2>&1; then
    fail scanner-positive-control "the scanner did not find the keys in ip xfrm state output"
else
    pass scanner-positive-control
fi

# traffic over the v4 transport and v6 tunnel SAs; counters move on both sides
check ping-v4-esp-transport ping_ok west $EAST 5
check ping-v6-esp-tunnel-esn ping_ok west $EAST6 5
for pair in "west $WEST $EAST" "east $WEST $EAST" "west $EAST $WEST" "east $EAST $WEST" \
            "west $WEST6 $EAST6" "east $EAST6 $WEST6"; do
    set -- $pair
    n=$(sa_packets "$1" "$2" "$3" esp)
    [ "$n" -gt 0 ] && pass "esp-counter-$1-$2-$3" "$n packets" || fail "esp-counter-$1-$2-$3" "0 packets"
done

# field-for-field against ip, both sides
sa_oracle west west
sa_oracle east east
# every verb, text and JSON, errors, capture + live/replay parity
xctl_all west
xctl_all east
check json-valid-west jq -e '.sas | length == 14' "$XD_OUT/xfrmctl/west-show-sa.json.out"
check text-lists-14-sas grep -q '^14 SAs' "$XD_OUT/xfrmctl/west-show-sa.txt.out"
save_snapshot west canary-manual-sas-west
finish
