#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The SPD half of the floor comparison on this machine's own kernel (not a test): in a fresh
network namespace, N policies (N/2 out + N/2 fwd, one /24 per tunnel, no templates: the
kernel may have no ESP, and a template without its SA is a finding per policy, which would
measure the report instead of the diagnosis), then best of five of `ip xfrm policy list`,
dump-floor and `xfrmctl check --json`, each run from a copy in /tmp as in bench-guest.py.
Run as root after building:
    tests/bench/bench-spd.py build [N ...]"""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import localize, measure  # noqa: E402

build = sys.argv[1] if len(sys.argv) > 1 else "build"
sizes = [int(x) for x in sys.argv[2:]] or [10000, 100000, 1000000]
ns = f"xd-bench-spd-{os.getpid()}"
tmp = tempfile.mkdtemp(prefix="xd-bench-spd-")
(xfrmctl, floor, ip), env = localize(
    [os.path.join(build, "tools", "xfrmctl", "xfrmctl"),
     os.path.join(build, "tests", "bench", "dump-floor"), "/usr/sbin/ip"], tmp)

print(f"Kernel {os.uname().release}, {subprocess.run(['date', '-u', '+%Y-%m-%d'], capture_output=True, text=True).stdout.strip()}")
print()
print("| policies | command | wall s | CPU s | peak RSS MiB | × ip | × floor |")
print("|---:|---|---:|---:|---:|---:|---:|")
subprocess.run(["ip", "netns", "add", ns], check=True)
try:
    for n in sizes:
        subprocess.run(["ip", "-n", ns, "xfrm", "policy", "flush"], check=True)
        batch = os.path.join(tmp, "batch")
        with open(batch, "w") as f:
            for t in range(n // 2):
                net = f"{11 + (t >> 16)}.{t >> 8 & 255}.{t & 255}.0/24"
                f.write(f"xfrm policy add src 10.0.0.0/16 dst {net} dir out\n"
                        f"xfrm policy add src {net} dst 10.0.0.0/16 dir fwd\n")
        subprocess.run(["ip", "-n", ns, "-batch", batch], check=True)
        rows = {}
        for name, cmd in (("ip xfrm policy list", [ip, "xfrm", "policy", "list"]),
                          ("dump-floor (SAs + policies)", [floor]),
                          ("xfrmctl check --json", [xfrmctl, "check", "--json"])):
            rows[name] = measure(["ip", "netns", "exec", ns] + cmd, 5, env)
        base, fl = rows["ip xfrm policy list"][0], rows["dump-floor (SAs + policies)"][0]
        for name, (wall, cpu, rss) in rows.items():
            ratios = f"{wall / base:.2f} | {wall / fl:.1f}" if name.startswith("xfrmctl") else " | "
            print(f"| {n:,} | `{name}` | {wall:.3f} | {cpu:.2f} | {rss:.0f} | {ratios} |")
finally:
    subprocess.run(["ip", "netns", "del", ns])
