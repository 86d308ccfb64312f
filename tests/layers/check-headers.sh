#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Every public header compiles on its own (it includes what it uses), as C17 with the
# project's warnings.
set -euo pipefail
src=$1 build=$2
cc=${CC:-cc}
fail=0
for h in "$src"/include/xfrmd/*.h; do
    name=xfrmd/$(basename "$h")
    if ! echo "#include \"$name\"" | "$cc" -std=gnu17 -D_GNU_SOURCE -Wall -Wextra -Werror \
        -Wno-unused-parameter -Wstrict-prototypes -I"$src/include" -I"$build" -fsyntax-only -x c - 2>"$build/header.err"; then
        echo "FAIL: $name does not compile alone:"; cat "$build/header.err"; fail=1
    fi
done
[ $fail = 0 ] && echo "ok: $(ls "$src"/include/xfrmd/*.h | wc -l) headers compile alone"
exit $fail
