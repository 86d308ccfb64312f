#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Post-check after every kernel scenario (testing.md §5). usage: postcheck.sh SCENARIO_DIR KEYFILE
# SCENARIO_DIR holds the scenario's log and out/ (xfrmctl outputs, captures, daemon logs).
# Prints one line per problem; exit 0 when clean.
dir=$1 keys=$2
bad=0
problem() { echo "$*"; bad=1; }
lib=$(dirname "$0")

# 1. no key canary (fixed canaries and negotiated keys harvested by the scenario) anywhere
if [ -s "$keys" ]; then
    /usr/bin/python3 "$lib/canary-scan.py" "$keys" "$dir/out" "$dir/log" >"$dir/canary-scan.log" 2>&1
    case $? in
        0) ;;
        1) problem "canary found: $(grep -c 'CANARY HIT' "$dir/canary-scan.log") hit(s), see canary-scan.log" ;;
        *) problem "canary scanner failed: $(tail -1 "$dir/canary-scan.log")" ;;
    esac
else
    echo "no keys installed in this scenario: canary scan not needed" >"$dir/canary-scan.log"
fi

# xfrmctl output and daemon logs (not the scenario's own trace: it echoes commands)
targets=()
for d in "$dir/out/xfrmctl" "$dir/out/logs"; do [ -d "$d" ] && targets+=("$d"); done
if [ ${#targets[@]} -gt 0 ]; then
    # 2. sanitizer reports, 3. "(null)"
    hits=$(grep -rlE 'AddressSanitizer|runtime error:|LeakSanitizer|ERROR SUMMARY: [1-9]|\(null\)' "${targets[@]}" 2>/dev/null)
    [ -n "$hits" ] && problem "sanitizer report or (null) in: $(echo $hits | sed "s|$dir/||g")"
    # 4. control characters (other than \t \n \r) in text outputs and logs; captures are binary
    hits=$(find "${targets[@]}" -type f ! -name '*.pcapng' -print0 |
           xargs -0 -r grep -lP '[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]' 2>/dev/null)
    [ -n "$hits" ] && problem "control characters in: $(echo $hits | sed "s|$dir/||g")"
fi
# 6. core files
cores=$(find "$dir/out" -name 'core*' -type f 2>/dev/null)
[ -n "$cores" ] && problem "core files: $cores"
# 5. kernel splats are checked on the console by the host-side runner (one console per boot)
exit $bad
