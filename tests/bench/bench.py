#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Scale benchmark on synthetic snapshots (not a test): xfrmctl -r FILE check --json and
show sa --json at N = 10k, 100k, 1M SAs (+ as many policies). Prints a Markdown table of
wall time, CPU time and peak RSS; run from the source tree after building:
    ninja -C build tests/bench/gen-snapshot && tests/bench/bench.py build [N ...]"""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import measure  # noqa: E402

build = sys.argv[1] if len(sys.argv) > 1 else "build"
sizes = [int(x) for x in sys.argv[2:]] or [10000, 100000, 1000000]
gen = os.path.join(build, "tests", "bench", "gen-snapshot")
xfrmctl = os.path.join(build, "tools", "xfrmctl", "xfrmctl")


rows = []
with tempfile.TemporaryDirectory() as tmp:
    for n in sizes:
        snap = os.path.join(tmp, f"{n}.pcapng")
        subprocess.run([gen, str(n), snap], check=True)
        size = os.path.getsize(snap) / 2**20
        for verb in (["check", "--json"], ["show", "sa", "--json"], ["peers", "--json"]):
            best = measure([xfrmctl, "-r", snap] + verb, 3)
            rows.append((n, size, " ".join(verb), *best))
        os.unlink(snap)

print("| SAs (+ policies) | snapshot MiB | command | wall s | CPU s | peak RSS MiB |")
print("|---:|---:|---|---:|---:|---:|")
for n, size, verb, wall, cpu, rss in rows:
    print(f"| {n:,} | {size:.0f} | `xfrmctl -r FILE {verb}` | {wall:.2f} | {cpu:.2f} | {rss:.0f} |")
by = {(n, v): w for n, _, v, w, _, _ in rows}
for v in ("check --json", "show sa --json"):
    if (10000, v) in by and (100000, v) in by:
        print(f"\n`{v}`: time(100k)/time(10k) = {by[(100000, v)] / by[(10000, v)]:.1f}", end="")
    if (100000, v) in by and (1000000, v) in by:
        print(f", time(1M)/time(100k) = {by[(1000000, v)] / by[(100000, v)]:.1f}", end="")
print()
