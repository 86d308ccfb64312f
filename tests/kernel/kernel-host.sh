#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# kernel-host.sh: this machine's kernel, probed by xfrmctl and by hand. Every capability's
# state must agree with the kernel config (/proc/config.gz or /boot/config-RELEASE) and
# /proc/modules; /proc/net/xfrm_stat with xfrm_statistics; an ESP SA must install exactly
# when esp4 is usable; kernel.esp_missing must appear only once a policy needs ESP.
#
#   fresh netns (no policies) -> add one ESP tunnel policy -> check again
set -u
source "$(dirname "$0")/stack-lib.sh"
stack_require_root
trap stack_cleanup EXIT
stack_netns

j=$("$XFRMCTL" --netns "$NS_A" -j show kernel)
if [ -r /proc/config.gz ]; then cfg() { zcat /proc/config.gz; }
elif [ -r "/boot/config-$(uname -r)" ]; then cfg() { cat "/boot/config-$(uname -r)"; }
else cfg() { :; }; fi
echo "kernel $(uname -r); config source: $(jq -r '.kernel.config_source // "none"' <<<"$j")"

# capability -> config option, module (as in model/kernel-profile.c, checked by hand here)
while read -r cap opt mod; do
    st=$(jq -r --arg c "$cap" '.kernel.capabilities[$c].state' <<<"$j")
    v=$(cfg | sed -n "s/^$opt=//p")
    loaded=no
    [ "$mod" != - ] && grep -q "^$mod " /proc/modules 2>/dev/null && loaded=yes
    case ${v:-n}:$loaded:$st in
    y:*:builtin | y:*:in_use | *:yes:loaded | *:yes:in_use) pass "$cap: config ${v:-n}, loaded $loaded, xfrmctl $st" ;;
    m:no:available | m:no:not_installed | m:no:in_use) pass "$cap: config m, xfrmctl $st" ;;
    n:no:missing) pass "$cap: config not set, xfrmctl missing" ;;
    *) [ -z "$(cfg | head -1)" ] && [ "$st" != missing ] && pass "$cap: no config to compare, xfrmctl $st" ||
        fail "$cap: config '${v:-n}', loaded $loaded, xfrmctl '$st'" ;;
    esac
done <<'EOC'
xfrm_user CONFIG_XFRM_USER xfrm_user
xfrm_compat CONFIG_XFRM_USER_COMPAT xfrm_compat
esp4 CONFIG_INET_ESP esp4
esp6 CONFIG_INET6_ESP esp6
ah4 CONFIG_INET_AH ah4
ah6 CONFIG_INET6_AH ah6
ipcomp4 CONFIG_INET_IPCOMP ipcomp
ipcomp6 CONFIG_INET6_IPCOMP ipcomp6
xfrm_interface CONFIG_XFRM_INTERFACE xfrm_interface
af_key CONFIG_NET_KEY af_key
nf_tables CONFIG_NF_TABLES nf_tables
nft_inet CONFIG_NF_TABLES_INET -
xt_policy CONFIG_NETFILTER_XT_MATCH_POLICY xt_policy
EOC

st=$(jq -r '.kernel.capabilities.xfrm_statistics.state' <<<"$j")
[ -e /proc/net/xfrm_stat ] && want=in_use || want=missing
[ "$st" = "$want" ] && pass "xfrm_statistics $st" || fail "xfrm_statistics $st, want $want"

esp=$(jq -r '.kernel.capabilities.esp4.state' <<<"$j")
if ip -n "$NS_B" xfrm state add src 10.99.0.2 dst 10.99.0.1 proto esp spi 0x200 mode tunnel \
    enc 'cbc(aes)' 0x00112233445566778899aabbccddeeff auth 'hmac(sha256)' \
    0x00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff 2>"$WORK/sa.err"; then
    case $esp in missing | not_installed) fail "ESP SA installs but esp4 is $esp" ;; *) pass "ESP SA installs, esp4 $esp" ;; esac
else
    case $esp in missing | not_installed) pass "ESP SA refused ($(head -1 "$WORK/sa.err")), esp4 $esp" ;;
    *) fail "ESP SA refused ($(head -1 "$WORK/sa.err")) but esp4 is $esp" ;; esac
fi

ids=$(check_ids "$NS_A")
has_id "$ids" kernel.esp_missing && fail "kernel.esp_missing with no policy needing ESP" ||
    pass "no kernel.esp_missing while nothing needs ESP"
ip -n "$NS_A" xfrm policy add src 10.1.0.0/16 dst 10.2.0.0/16 dir out \
    tmpl src 10.99.0.1 dst 10.99.0.2 proto esp reqid 1 mode tunnel
ids=$(check_ids "$NS_A")
case $esp in
missing | not_installed) has_id "$ids" kernel.esp_missing && pass "ESP policy: kernel.esp_missing" ||
    fail "ESP policy without esp4 but no kernel.esp_missing: '$ids'" ;;
*) has_id "$ids" kernel.esp_missing && fail "kernel.esp_missing although esp4 is $esp" ||
    pass "ESP policy, esp4 $esp: no kernel.esp_missing" ;;
esac
finish
