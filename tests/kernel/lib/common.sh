# SPDX-License-Identifier: GPL-2.0-or-later
# Common helpers for kernel scenarios. Sourced by every scenario (bash) running inside a guest
# (UML or qemu) as root. The guest init exports:
#   XD_SRC      source tree            XD_BUILD  meson build tree (xfrmctl lives there)
#   XD_OUT      this scenario's output dir (scanned by the post-check; in the build tree)
#   XD_PRIV     this scenario's private dir (guest tmpfs; keys, configs; never scanned)
#   XD_RESULTS  file that collects "PASS|FAIL|SKIP: scenario: check" lines
#   XD_BED      uml | qemu
#   XD_TEST_SLOWDOWN  the host's slowdown (tests/lib/slowdown.sh): every wait below polls its
#               condition and gives up only after its quiet-machine bound times this factor
# A scenario reports each check with pass/fail/skip, ends with `finish`, and exits
# 0 (all checks passed), 1 (a check failed) or 77 (skipped, with a reason).

set -u
XD_SCENARIO=${XD_SCENARIO:-$(basename "$0" .sh)}
XD_OUT=${XD_OUT:-/tmp/xd-out/$XD_SCENARIO}
XD_PRIV=${XD_PRIV:-/tmp/xd-priv/$XD_SCENARIO}
XD_RESULTS=${XD_RESULTS:-/dev/stdout}
XD_BED=${XD_BED:-unknown}
XD_SLOW=${XD_TEST_SLOWDOWN:-1}
XFRMCTL=${XFRMCTL:-$XD_BUILD/tools/xfrmctl/xfrmctl}
XD_LIB=$XD_SRC/tests/kernel/lib
mkdir -p "$XD_OUT" "$XD_PRIV"
: >"$XD_PRIV/canaries"
_xd_failed=0
_xd_checks=0
_xd_cleanups=()

_xd_line() { # status, check, [detail]
    local line="$1: $XD_SCENARIO: $2${3:+ ($3)}"
    echo "$line"
    echo "$line" >>"$XD_RESULTS"
}
pass() { _xd_checks=$((_xd_checks + 1)); _xd_line PASS "$1" "${2:-}"; }
fail() { _xd_checks=$((_xd_checks + 1)); _xd_failed=1; _xd_line FAIL "$1" "${2:-}"; }
# check NAME CMD...: PASS if CMD succeeds, FAIL otherwise
check() { local n=$1; shift; if "$@" >>"$XD_OUT/checks.log" 2>&1; then pass "$n"; else fail "$n" "$*"; fi; }
# check_not NAME CMD...: PASS if CMD fails
check_not() { local n=$1; shift; if "$@" >>"$XD_OUT/checks.log" 2>&1; then fail "$n" "unexpectedly succeeded: $*"; else pass "$n"; fi; }
# skip REASON: the whole scenario is skipped (a skip is never a pass)
skip() { _xd_line SKIP "scenario" "$1"; exit 77; }
# require_cmd CMD...: skip when a program is missing
require_cmd() { local c; for c in "$@"; do command -v "$c" >/dev/null 2>&1 || skip "$c not installed"; done; }
log() { echo "# $*" >&2; }

# teardown, run in reverse order from the EXIT trap
on_exit() { _xd_cleanups+=("$*"); }
_xd_teardown() {
    local i rc=$?
    for ((i = ${#_xd_cleanups[@]} - 1; i >= 0; i--)); do eval "${_xd_cleanups[i]}" >/dev/null 2>&1 || true; done
    netns_cleanup_all
    exit $rc
}
trap _xd_teardown EXIT

finish() {
    if [ "$_xd_checks" = 0 ]; then fail "no-checks" "the scenario ran no check"; fi
    [ "$_xd_failed" = 0 ] && exit 0
    exit 1
}

# retry N SLEEP CMD...: run CMD until it succeeds, at most N times XD_SLOW
retry() { local n=$(($1 * XD_SLOW)) s=$2 i; shift 2; for ((i = 0; i < n; i++)); do "$@" && return 0; sleep "$s"; done; return 1; }

# --- xfrmctl ---------------------------------------------------------------------------------
# xctl NS TAG ARGS...: run xfrmctl in netns NS (or "-" for the guest's init netns), keep stdout
# and stderr in $XD_OUT/xfrmctl/TAG.{out,err} (scanned by the post-check); prints stdout.
xctl() {
    local ns=$1 tag=$2; shift 2
    local d=$XD_OUT/xfrmctl rc=0
    mkdir -p "$d"
    # point xfrmctl's credential discovery at the private IKE daemon dirs of this namespace
    local -x XFRMD_SWANCTL_DIR=${XFRMD_SWANCTL_DIR:-} XFRMD_NSS_DIRS=${XFRMD_NSS_DIRS:-} \
        XFRMD_IPSEC_CONF=${XFRMD_IPSEC_CONF:-}
    [ -d "$XD_PRIV/swan-$ns" ] && XFRMD_SWANCTL_DIR=$XD_PRIV/swan-$ns
    if [ -d "$XD_PRIV/ls-$ns" ]; then
        XFRMD_NSS_DIRS=$XD_PRIV/ls-$ns/nss XFRMD_IPSEC_CONF=$XD_PRIV/ls-$ns/ipsec.conf
    fi
    [ -n "$XFRMD_SWANCTL_DIR" ] || unset XFRMD_SWANCTL_DIR
    [ -n "$XFRMD_NSS_DIRS" ] || unset XFRMD_NSS_DIRS
    [ -n "$XFRMD_IPSEC_CONF" ] || unset XFRMD_IPSEC_CONF
    if [ "$ns" = - ]; then
        "$XFRMCTL" "$@" >"$d/$tag.out" 2>"$d/$tag.err" || rc=$?
    else
        "$XFRMCTL" -n "$ns" "$@" >"$d/$tag.out" 2>"$d/$tag.err" || rc=$?
    fi
    echo "$rc" >"$d/$tag.rc"
    cat "$d/$tag.out"
    return $rc
}

# xctl_all NS: every verb in text and JSON (the canary scan runs over all of it) plus a capture
# and the live/replay parity check (T17). Reports checks.
xctl_all() {
    local ns=$1 v f
    local verbs=(status "show sa" "show policy" "show stats" "show all" version help)
    if xfrmctl_has_check; then
        verbs+=(check "show firewall" peers explain "explain sa.one_way"
                "fw verdict --proto esp --src 192.0.2.2 --dst 192.0.2.1")
    fi
    for v in "${verbs[@]}"; do
        f=${v// /-}; f=${f:0:40}
        xctl "$ns" "$ns-$f.txt" $v >/dev/null || true
        xctl "$ns" "$ns-$f.json" --json $v >/dev/null || true
        xctl "$ns" "$ns-$f.pretty" --json=pretty $v >/dev/null || true
    done
    xctl "$ns" "$ns-verbose" -v show all >/dev/null || true
    # error paths
    xctl "$ns" "$ns-badverb" bogus-verb >/dev/null || true
    xctl "$ns" "$ns-badread" -r /nonexistent/file show all >/dev/null || true
    capture "$ns" "$ns"
}

# capture NS NAME: xfrmctl capture -w into $XD_OUT/snapshots/NAME.pcapng, then check live/replay
# parity (T17): `xfrmctl -r FILE --json show all` equals the live JSON except meta.source (and
# the capture time). Live JSON is taken just before and just after the capture; a counter or
# use time may move between two dumps, so the replay must equal one of the two.
capture() {
    local ns=$1 name=$2 d=$XD_OUT/snapshots
    mkdir -p "$d"
    local f=$d/$name.pcapng
    rm -f "$f"
    xctl "$ns" "$name-live1.json" --json show all >/dev/null || true
    if ! xctl "$ns" "$name-capture" capture -w "$f" >/dev/null; then
        fail "capture-$name" "xfrmctl capture -w failed"
        return 1
    fi
    xctl "$ns" "$name-live2.json" --json show all >/dev/null || true
    local mode; mode=$(stat -c %a "$f")
    [ "$mode" = 600 ] && pass "capture-$name-mode-0600" || fail "capture-$name-mode-0600" "mode $mode"
    xctl - "$name-replay.json" -r "$f" --json show all >/dev/null || true
    local norm='del(.meta.source, .meta.captured_at)' x=$XD_OUT/xfrmctl
    jq -S "$norm" "$x/$name-replay.json.out" >"$XD_PRIV/replay.norm" 2>&1
    local i
    for i in 1 2; do
        jq -S "$norm" "$x/$name-live$i.json.out" >"$XD_PRIV/live.norm" 2>&1
        if diff "$XD_PRIV/live.norm" "$XD_PRIV/replay.norm" >"$XD_OUT/parity-$name.diff" 2>&1 &&
           [ -s "$XD_PRIV/replay.norm" ]; then
            pass "live-replay-parity-$name"
            return 0
        fi
    done
    fail "live-replay-parity-$name" "see $(basename "$XD_OUT")/parity-$name.diff"
}

# save_snapshot NS NAME: keep a capture for tests/replay/snapshots (no checks)
save_snapshot() {
    mkdir -p "$XD_OUT/snapshots"
    xctl "$1" "$2-snapshot" capture -w "$XD_OUT/snapshots/$2.pcapng" >/dev/null || true
}

# --- canaries --------------------------------------------------------------------------------
# canary SLOT BYTES: a fixed, recognisable, high-entropy key of BYTES bytes (hex, no 0x), recorded
# in $XD_PRIV/canaries for the scanner. Same slot, same key, in every run.
canary() {
    local slot=$1 n=$2 hex="" i=0
    while [ ${#hex} -lt $((n * 2)) ]; do
        hex+=$(printf 'xfrmd-canary-%s-%d' "$slot" $i | sha256sum | cut -c1-64)
        i=$((i + 1))
    done
    hex=${hex:0:$((n * 2))}
    echo "$hex" >>"$XD_PRIV/canaries"
    echo "$hex"
}

# canary_privkey KEYFILE: the private parts of an RSA key (private exponent, primes, CRT values)
# become canaries: xfrmctl reads the daemons' key files for their public half only
canary_privkey() {
    openssl rsa -in "$1" -noout -text 2>/dev/null | awk '
        /^(privateExponent|prime1|prime2|exponent1|exponent2|coefficient):/ { if (h) print h; h = ""; on = 1; next }
        /^[a-zA-Z]/ { if (h) print h; h = ""; on = 0; next }
        on { gsub(/[ :]/, ""); h = h $0 }
        END { if (h) print h }' | sed 's/^00//' >>"$XD_PRIV/canaries"
}

# harvest_keys NS...: add every key the kernel holds in these namespaces (negotiated by IKE
# daemons) to the canary list, so the scan also covers real keys.
harvest_keys() {
    local ns
    for ns in "$@"; do
        ip netns exec "$ns" ip xfrm state 2>/dev/null |
            awk '$1 ~ /^(aead|enc|auth|auth-trunc)$/ { for (i = 2; i <= NF; i++) if ($i ~ /^0x[0-9a-fA-F]+$/ && length($i) >= 10) print substr($i, 3) }' \
            >>"$XD_PRIV/canaries"
    done
    sort -u -o "$XD_PRIV/canaries" "$XD_PRIV/canaries"
}

# sa_oracle NS TAG: `xfrmctl --json show sa` equals `ip -s -d xfrm state` field for field (no
# traffic may run between the two dumps). The ip output (with keys) stays in $XD_PRIV.
sa_oracle() {
    local ns=$1 tag=$2
    nsx "$ns" ip -s -d xfrm state >"$XD_PRIV/$tag.ip" 2>&1
    # a redacted copy for people reading the results
    sed -E 's/0x[0-9a-fA-F]{16,}/0x<key>/g' "$XD_PRIV/$tag.ip" >"$XD_OUT/ip-xfrm-state-$tag.redacted.txt"
    xctl "$ns" "$tag-oracle.json" --json show sa >/dev/null
    if /usr/bin/python3 "$XD_LIB/sa-oracle.py" "$XD_PRIV/$tag.ip" "$XD_OUT/xfrmctl/$tag-oracle.json.out" \
        >"$XD_OUT/oracle-$tag.txt" 2>&1; then
        pass "ip-xfrm-equals-xfrmctl-$tag" "$(tail -1 "$XD_OUT/oracle-$tag.txt")"
    else
        fail "ip-xfrm-equals-xfrmctl-$tag" "$(head -3 "$XD_OUT/oracle-$tag.txt" | tr '\n' ';')"
    fi
}

# xctl_light NS TAG: status + show all (text, JSON) + capture with parity: enough for the canary
# scan and for a later `check` on the snapshot; cheaper than xctl_all
xctl_light() {
    local ns=$1 tag=$2
    xctl "$ns" "$ns-$tag-status.txt" status >/dev/null || true
    xctl "$ns" "$ns-$tag-all.txt" show all >/dev/null || true
    xctl "$ns" "$ns-$tag-all.json" --json show all >/dev/null || true
    if xfrmctl_has_check; then
        xctl "$ns" "$ns-$tag-firewall.txt" show firewall >/dev/null || true
        xctl "$ns" "$ns-$tag-check.json" --json check >/dev/null || true
    fi
    capture "$ns" "$ns-$tag"
}

# expect_finding NS ID-REGEX [absent]: `xfrmctl --json check` in NS reports (or, with "absent",
# does not report) a finding whose id matches the regex. When xfrmctl has no check verb, or no
# finding id documented in docs/findings/ matches the regex yet, the check is recorded as SKIP
# with the reason (never as a pass).
xfrmctl_has_check() { "$XFRMCTL" help 2>&1 | grep -qE '^\s+check\b'; }
expect_finding() {
    local ns=$1 re=$2 want tag
    want=${3:-present}
    tag="finding-${re//[^a-z0-9_.]/}-$want-$ns"
    if ! xfrmctl_has_check; then
        _xd_line SKIP "$tag" "xfrmctl has no check verb yet"
        return 0
    fi
    if ! ls "$XD_SRC/docs/findings/" 2>/dev/null | sed 's/\.md$//' | grep -qE "$re"; then
        _xd_line SKIP "$tag" "no finding matching $re is implemented yet"
        return 0
    fi
    # XD_CHECK_ARGS: extra check options, e.g. shorter time thresholds (--stale-after 1)
    xctl "$ns" "$ns-check-$tag.json" --json check ${XD_CHECK_ARGS:-} >/dev/null || true
    local n
    n=$(jq --arg re "$re" '[.findings[]? | select(.id | test($re))] | length' \
        "$XD_OUT/xfrmctl/$ns-check-$tag.json.out" 2>/dev/null || echo -1)
    if [ "$want" = present ]; then
        [ "$n" -gt 0 ] && pass "$tag" || fail "$tag" "no finding matching $re"
    else
        [ "$n" = 0 ] && pass "$tag" || fail "$tag" "$n findings matching $re"
    fi
}

# expect_replay_finding NS ID-REGEX [absent]: capture NS now, then `xfrmctl -r SNAPSHOT --json
# check` (outside NS, as at a support desk) reports (or not) a finding whose id matches: the
# snapshot carries everything the live check used (the IKE daemon's view included).
expect_replay_finding() {
    local ns=$1 re=$2 want=${3:-present} tag f n
    tag="replay-finding-${re//[^a-z0-9_.]/}-$want-$ns"
    xfrmctl_has_check || { _xd_line SKIP "$tag" "xfrmctl has no check verb yet"; return 0; }
    f=$XD_OUT/snapshots/$tag.pcapng
    mkdir -p "$XD_OUT/snapshots"; rm -f "$f"
    if ! xctl "$ns" "$tag-capture" capture -w "$f" >/dev/null; then
        fail "$tag" "xfrmctl capture -w failed"
        return 0
    fi
    xctl - "$tag.json" -r "$f" --json check >/dev/null || true
    n=$(jq --arg re "$re" '[.findings[]? | select(.id | test($re))] | length' \
        "$XD_OUT/xfrmctl/$tag.json.out" 2>/dev/null || echo -1)
    if [ "$want" = present ]; then
        [ "$n" -gt 0 ] && pass "$tag" || fail "$tag" "no finding matching $re in the replay"
    else
        [ "$n" = 0 ] && pass "$tag" || fail "$tag" "$n findings matching $re in the replay"
    fi
}

# expect_healthy NS: the healthy counterpart (T20): `xfrmctl --json check` reports no finding of
# severity error in NS (warnings and infos are listed in the output but allowed)
expect_healthy() {
    local ns=$1
    xfrmctl_has_check || { _xd_line SKIP "healthy-$ns" "xfrmctl has no check verb yet"; return 0; }
    xctl "$ns" "$ns-check-healthy.json" --json check >/dev/null || true
    local errs
    # a healthy tunnel has no finding above info (issue 6: no error or warning)
    errs=$(jq -r '[.findings[]? | select(.severity != "info") | .id] | unique | join(",")' \
        "$XD_OUT/xfrmctl/$ns-check-healthy.json.out" 2>/dev/null) || errs="unparsable output"
    [ -z "$errs" ] && pass "healthy-$ns-no-error-or-warning-findings" ||
        fail "healthy-$ns-no-error-or-warning-findings" "$errs"
}
