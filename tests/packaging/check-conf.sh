#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# check-conf.sh SRCROOT XFRMD: the shipped /etc/xfrmd/xfrmd.conf (xfrmd/daemon/xfrmd.conf) is
# accepted by `xfrmd --check-config` as shipped and with every setting uncommented (its values are valid),
# and names every key xfrmd.conf(5) documents.
set -euo pipefail
root=$1 xfrmd=$2
conf=$root/xfrmd/daemon/xfrmd.conf
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fails=0
"$xfrmd" --check-config -f "$conf" >/dev/null || { echo "FAIL: xfrmd --check-config rejects the shipped xfrmd.conf"; fails=$((fails + 1)); }
sed -E 's/^#([a-z_]+ = )/\1/' "$conf" >"$tmp/all.conf"
n=$(grep -cE '^[a-z_]+ = ' "$tmp/all.conf")
if out=$("$xfrmd" --check-config -f "$tmp/all.conf" 2>&1); then
    echo "PASS: $n settings uncommented are valid"
else
    echo "FAIL: uncommented xfrmd.conf: $out"; fails=$((fails + 1))
fi
for key in $(sed -nE 's/^\.It Cm ([a-z_]+) No = .*/\1/p' "$root/docs/man/xfrmd.conf.5"); do
    grep -qE "^#$key = " "$conf" || { echo "FAIL: xfrmd.conf lacks $key (xfrmd.conf(5))"; fails=$((fails + 1)); }
done
echo "$fails failed"
[ "$fails" = 0 ]
