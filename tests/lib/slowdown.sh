# SPDX-License-Identifier: GPL-2.0-or-later
# slowdown.sh: how much slower than a quiet machine this one is right now, as an integer
# factor >= 1. Tests assert behaviour, never speed: every wait polls its condition, and its
# bound (and every timeout that guards a whole run) is a generous base figure times this
# factor, so a 2-core machine that is also doing other work passes the same suite.
#
#   XD_TEST_SLOWDOWN set (tests/run-all.sh exports it): that value
#   otherwise: ceil(max(1-min, 5-min load average) / CPUs), at least 1, at most 20
#
# Inside a UML or qemu guest the guest's own load says nothing about the host's: the beds pass
# the host's factor on the kernel command line. usage: . slowdown.sh; xd_slowdown
xd_slowdown() {
    local v=${XD_TEST_SLOWDOWN:-}
    if [ -n "$v" ] && [ "$v" -ge 1 ] 2>/dev/null; then
        echo "$v"
        return
    fi
    awk -v n="$(nproc 2>/dev/null || echo 1)" '{
        l = $1 > $2 ? $1 : $2; f = int((l + n - 1) / n); if (f < 1) f = 1; if (f > 20) f = 20
        print f }' /proc/loadavg 2>/dev/null || echo 1
}
