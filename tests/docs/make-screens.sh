#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# make-screens.sh XFRMCTL SRCROOT [--check]: terminal screenshots, as text, of what an
# operator sees at 80x24: `status`, `check`, `peers` and `show sa` of the replay snapshot
# tests/replay/snapshots/handmade-gateway.pcapng, each run in a detached tmux session of
# 80x24 (a real terminal: xfrmctl sees a tty and its width) and captured with
# `tmux capture-pane -p` (the visible screen, attributes dropped) into docs/screens/NAME.txt.
# --check writes them to a temporary directory and diffs against docs/screens/ instead (the
# docs suite): a change of the output shows up as a diff to regenerate and review with
#   tests/docs/make-screens.sh build/tools/xfrmctl/xfrmctl .
# Exit 77 when tmux is not installed (apt-get install tmux).
set -euo pipefail
command -v tmux >/dev/null || { echo "SKIP: tmux not installed (apt-get install tmux)"; exit 77; }
xfrmctl=$(realpath "$1") root=$(realpath "$2") mode=${3:-write}
snapdir=$root/tests/replay/snapshots snap=handmade-gateway.pcapng
tmp=$(mktemp -d)
# a tmux server of our own (its socket in tmp), never the user's
tm() { tmux -S "$tmp/tmux.sock" -f /dev/null "$@"; }
trap 'tm kill-server 2>/dev/null || true; rm -rf "$tmp"' EXIT
out=$root/docs/screens
[ "$mode" = --check ] && out=$tmp/screens
mkdir -p "$out"

# NAME and the verb; the prompt line shows the command as an operator would type it
screens=("status:status" "check:check" "peers:peers" "show-sa:show sa")
for s in "${screens[@]}"; do
    name=${s%%:*} verb=${s#*:}
    cat >"$tmp/$name.sh" <<EOF
cd '$snapdir'
printf '\$ xfrmctl -r $snap $verb\n'
'$xfrmctl' -r '$snap' $verb
printf '\$ '
: >'$tmp/$name.done'
exec sleep 600
EOF
    # a fixed environment: the output must not depend on the caller's locale, zone or colours
    tm new-session -d -s "$name" -x 80 -y 24 \
        "env -i PATH=/usr/bin:/bin HOME=$tmp TERM=tmux-256color LANG=C.UTF-8 TZ=UTC sh $tmp/$name.sh"
    for _ in $(seq 300); do [ -e "$tmp/$name.done" ] && break; sleep 0.1; done
    [ -e "$tmp/$name.done" ] || { echo "FAIL: $name did not finish in the tmux pane"; exit 1; }
    tm capture-pane -p -t "$name" >"$out/$name.txt"
    tm kill-session -t "$name"
done

if [ "$mode" = --check ]; then
    fails=0
    for s in "${screens[@]}"; do
        name=${s%%:*}
        long=$(awk 'length($0) > 80' "$out/$name.txt")
        [ -z "$long" ] || { echo "FAIL: $name: lines over 80 columns"; fails=$((fails + 1)); }
        if diff -u "$root/docs/screens/$name.txt" "$out/$name.txt"; then
            echo "PASS: docs/screens/$name.txt is current"
        else
            echo "FAIL: docs/screens/$name.txt differs from the output (regenerate: $0 XFRMCTL SRCROOT)"
            fails=$((fails + 1))
        fi
    done
    echo "$((${#screens[@]} - fails)) passed, $fails failed"
    [ "$fails" = 0 ]
else
    echo "wrote $(printf '%s.txt ' "${screens[@]%%:*}")to $out"
fi
