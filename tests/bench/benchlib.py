# SPDX-License-Identifier: GPL-2.0-or-later
"""Shared by the benchmark scripts: time one command the way the README tables report it."""
import subprocess
import tempfile
import time


def measure(cmd, runs=3):
    """Best of `runs` by wall time: (wall s, CPU s, peak RSS MiB), stdout discarded, exit
    status 0 or 1 (check's "problems found"). GNU time reports the peak RSS: a child forked
    from Python would carry Python's own peak."""
    best = None
    with tempfile.NamedTemporaryFile("r") as rep:
        for _ in range(runs):
            t0 = time.monotonic()
            p = subprocess.run(["/usr/bin/time", "-q", "-f", "%U %S %M", "-o", rep.name] + cmd,
                               stdout=subprocess.DEVNULL)
            wall = time.monotonic() - t0
            if p.returncode not in (0, 1):
                raise SystemExit(f"{cmd} failed: exit {p.returncode}")
            u, s, kib = open(rep.name).read().split()[-3:]
            r = (wall, float(u) + float(s), int(kib) / 1024)
            if best is None or r[0] < best[0]:
                best = r
    return best
