# SPDX-License-Identifier: GPL-2.0-or-later
# kernel-compare.sh: the host side's comparison of one guest's results (sourced by
# kernel-uml.sh and kernel-qemu.sh after stack-lib.sh). compare_guest OUT
compare_guest() {
    local OUT=$1 cap st mod hand esp want stat_file
    [ -e "$OUT/finished" ] || { echo "FAIL: guest did not finish"; fails=$((fails + 1)); return; }
    # /lib/modules is a mount point on the shared host root: another run may remove it
    [ -e "$OUT/bind-failed" ] && { echo "FAIL: $(cat "$OUT/bind-failed")"; fails=$((fails + 1)); return; }
    echo "kernel $(jq -r .kernel.release "$OUT/k0.json"); config source:" \
        "$(jq -r '.kernel.config_source // "none"' "$OUT/k0.json"); by hand:" $(tr '\n' ' ' <"$OUT/byhand")
    while read -r mod hand; do
        case $mod in ipcomp) cap=ipcomp4 ;; ip_vti) cap=vti4 ;; ip6_vti) cap=vti6 ;; *) cap=$mod ;; esac
        st=$(jq -r --arg c "$cap" '.kernel.capabilities[$c].state // "n/a"' "$OUT/k0.json")
        case $hand:$st in
        builtin:builtin | builtin:in_use) pass "$cap: built in, xfrmctl says $st" ;;
        loadable:available | loadable:loaded | loadable:in_use) pass "$cap: loadable, xfrmctl says $st" ;;
        no:missing | no:not_installed) pass "$cap: not available, xfrmctl says $st" ;;
        *) fail "$cap: by hand '$hand', xfrmctl '$st' ($(jq -r --arg c "$cap" '.kernel.capabilities[$c].evidence' "$OUT/k0.json"))" ;;
        esac
    done <"$OUT/byhand"
    for m in esp4 ah4; do
        grep -q "^$m " "$OUT/lsmod1" || continue
        st=$(jq -r --arg c "$m" '.kernel.capabilities[$c].state' "$OUT/k1.json")
        # in_use is stronger still (the SA installed in the guest proves esp4)
        case $st in loaded | in_use) pass "$m after modprobe: $st" ;; *) fail "$m after modprobe: $st" ;; esac
    done
    # without loadable modules, a modular xfrm_user is missing: a finding, not a failure
    if grep -q '^xfrm_user loadable' "$OUT/byhand"; then
        jq -e '[.findings[].id] | index("kernel.xfrm_user_missing")' "$OUT/nomod-check.json" >/dev/null &&
            pass "before modules could load: kernel.xfrm_user_missing" ||
            fail "before modules could load: no kernel.xfrm_user_missing ($(head -c 300 "$OUT/nomod-check.err"))"
    fi
    esp=$(jq -r '.kernel.capabilities.esp4.state' "$OUT/k0.json")
    if grep -q '^ok' "$OUT/sa-add"; then
        case $esp in available | loaded | builtin | in_use) pass "ESP SA installs; esp4 was $esp" ;;
        *) fail "ESP SA installs but esp4 was $esp" ;; esac
    else
        case $esp in missing | not_installed) pass "ESP SA refused; esp4 was $esp" ;;
        *) fail "ESP SA refused ($(head -1 "$OUT/sa-add")) but esp4 was $esp" ;; esac
    fi
    stat_file=$(jq -r '.kernel.capabilities.xfrm_statistics.state' "$OUT/k0.json")
    [ "$(cat "$OUT/xfrm_stat")" = yes ] && want=in_use || want=missing
    [ "$stat_file" = "$want" ] && pass "xfrm_statistics $stat_file (/proc/net/xfrm_stat agrees)" ||
        fail "xfrm_statistics $stat_file, /proc/net/xfrm_stat says $want"
    # a configuration, when there is one, must agree with every config-backed capability
    if [ -s "$OUT/config" ]; then
        for pair in xfrm_interface:CONFIG_XFRM_INTERFACE xfrm_compat:CONFIG_XFRM_USER_COMPAT \
                    esp6:CONFIG_INET6_ESP xfrm_iptfs:CONFIG_XFRM_IPTFS; do
            cap=${pair%%:*}
            v=$(sed -n "s/^${pair#*:}=//p" "$OUT/config")
            st=$(jq -r --arg c "$cap" '.kernel.capabilities[$c].state' "$OUT/k0.json")
            case ${v:-n}:$st in
            y:builtin | y:in_use | m:available | m:loaded | m:in_use | m:not_installed | n:missing)
                pass "$cap: config ${v:-n}, xfrmctl $st" ;;
            *) fail "$cap: config ${v:-n}, xfrmctl $st" ;;
            esac
        done
    fi
    echo "features:" $(jq -r '.kernel.features | to_entries | map(.key + "=" + .value.state) | join(" ")' "$OUT/k0.json")
}
