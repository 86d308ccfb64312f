# SPDX-License-Identifier: GPL-2.0-or-later
"""Shared by the benchmark scripts: time one command the way the README tables report it."""
import os
import shutil
import subprocess
import tempfile
import time


def measure(cmd, runs=3, env=None):
    """Best of `runs` by wall time: (wall s, CPU s, peak RSS MiB), stdout discarded, exit
    status 0 or 1 (check's "problems found"). GNU time reports the peak RSS: a child forked
    from Python would carry Python's own peak."""
    best = None
    with tempfile.NamedTemporaryFile("r") as rep:
        for _ in range(runs):
            t0 = time.monotonic()
            p = subprocess.run(["/usr/bin/time", "-q", "-f", "%U %S %M", "-o", rep.name] + cmd,
                               stdout=subprocess.DEVNULL, env=env)
            wall = time.monotonic() - t0
            if p.returncode not in (0, 1):
                raise SystemExit(f"{cmd} failed: exit {p.returncode}")
            u, s, kib = open(rep.name).read().split()[-3:]
            r = (wall, float(u) + float(s), int(kib) / 1024)
            if best is None or r[0] < best[0]:
                best = r
    return best


def localize(programs, into):
    """Copy programs and the shared libraries they load into the directory `into` (in the
    guest's memory): returns their new paths and an environment that loads those libraries.
    The test beds share this machine's / without a page cache (9p, hostfs), so a program run
    from there pages its code in from the host at every start (0.1 s under qemu, more than the
    dump floor itself); a real machine runs them from its page cache."""
    binary, lib = os.path.join(into, "bin"), os.path.join(into, "lib")
    os.makedirs(binary, exist_ok=True)
    os.makedirs(lib, exist_ok=True)
    out = []
    for prog in programs:
        dst = os.path.join(binary, os.path.basename(prog))
        shutil.copy2(prog, dst)
        out.append(dst)
        ldd = subprocess.run(["ldd", prog], capture_output=True, text=True).stdout
        for line in ldd.splitlines():
            parts = line.split("=>")
            if len(parts) == 2 and parts[1].split() and parts[1].split()[0].startswith("/"):
                so = parts[1].split()[0]
                if not os.path.exists(os.path.join(lib, os.path.basename(so))):
                    shutil.copy2(so, lib)
    env = dict(os.environ, LD_LIBRARY_PATH=lib)
    return out, env
