#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Event latency end to end (not a test): from starting the command that changes the kernel
to the line read from a `xfrmctl watch` client's stdout, median and worst of RUNS, on this
machine's kernel in a network namespace (policy events; this kernel has no ESP, so SA events
need a kernel bed). As root, after building:

    tests/bench/bench-events.py build [--policies 0,20000] [--runs 20] [--baseline DIR]

Each size is measured in two states: `idle` (the daemon has nothing in flight) and `resync`
(the command runs while the resync triggered by the previous change is being dumped, decoded
and checked: a spare policy is added, and deleted debounce + 30 ms after its event). The
column `ip ran` is the command's own run time (process start, netlink request, exit): the
kernel announces the change during it. `xfrmd read -> line` is the part after the daemon read
the event from the kernel (the line's time to the client's receipt). --baseline DIR measures another pair of binaries (DIR/xfrmd,
DIR/xfrmctl) the same way, e.g. an older build, for comparison."""
import argparse
import json
import os
import queue
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "daemon"))
import xdtest  # noqa: E402

DEBOUNCE_MS = 100  # the default
SPARE = ["src", "10.9.0.0/24", "dst", "10.8.0.0/24", "dir", "out"]


def measure(xfrmd, xfrmctl, n, runs, label):
    os.environ["XFRMD"] = xfrmd
    ns = xdtest.Netns(f"xd-bench-{os.getpid()}")
    d = watch = None
    rows = []
    try:
        ns.ip("link", "set", "lo", "up")
        if n:
            with tempfile.NamedTemporaryFile("w", suffix=".batch", delete=False) as f:
                for i in range(n):
                    f.write(f"xfrm policy add src 10.{100 + i // 65536}.{(i // 256) % 256}.{i % 256}/32 "
                            "dst 172.16.0.0/16 dir out\n")
            xdtest.sh("ip", "-n", ns.name, "-batch", f.name)
            os.unlink(f.name)
        d = xdtest.Daemon(ns, f"debounce = {DEBOUNCE_MS}ms\nsample_interval = 600s\n")
        watch = subprocess.Popen([xfrmctl, "watch"], stdout=subprocess.PIPE, text=True,
                                 env=dict(os.environ, XFRMD_SOCKET=d.sock))
        lines = queue.Queue()

        def reader():
            for line in watch.stdout:
                lines.put((time.monotonic(), time.time(), json.loads(line)))
        threading.Thread(target=reader, daemon=True).start()

        def wait_for(event, timeout=30):
            end = time.monotonic() + timeout
            while time.monotonic() < end:
                try:
                    t, wall, e = lines.get(timeout=end - time.monotonic())
                except queue.Empty:
                    break
                if e.get("event") == event and e.get("src") == "10.9.0.0/24":
                    return t, wall, e
            raise RuntimeError(f"{event} not seen on watch")

        wait_for_started = time.monotonic() + 10
        while time.monotonic() < wait_for_started:
            if lines.get(timeout=10)[2].get("event") == "watch.started":
                break
        for mode in ("idle", "resync"):
            e2e, inside, ipran = [], [], []
            for _ in range(runs):
                ns.ip("xfrm", "policy", "add", *SPARE)
                wait_for("xfrm.policy_added")
                if mode == "idle":
                    # let the resync the add scheduled finish (a few of its duration)
                    time.sleep(max(1.0, DEBOUNCE_MS / 1000 + 4 * last_resync_s(d)))
                else:
                    time.sleep(DEBOUNCE_MS / 1000 + 0.03)
                t0 = time.monotonic()
                ns.ip("xfrm", "policy", "del", *SPARE)
                ipran.append((time.monotonic() - t0) * 1000)
                t1, wall, e = wait_for("xfrm.policy_deleted")
                e2e.append((t1 - t0) * 1000)
                inside.append((wall - xdtest.event_wall(e)) * 1000)
                time.sleep(max(0.3, 2 * last_resync_s(d)))  # settle before the next round
            rows.append((label, n, mode, statistics.median(e2e), max(e2e), statistics.median(ipran),
                         statistics.median(inside), max(inside)))
            print(f"# {label} {n} {mode}: " + " ".join(f"{x:.1f}" for x in sorted(e2e)), file=sys.stderr)
    finally:
        if watch:
            watch.kill()
        if d:
            d.proc.kill()
        ns.close()
    return rows


def last_resync_s(d):
    try:
        st = xdtest.request(d.sock, {"command": "status"})
        return float(st["daemon"].get("last_resync_s", 0.1))
    except (OSError, ValueError, KeyError, TypeError):
        return 0.5


ap = argparse.ArgumentParser()
ap.add_argument("build")
ap.add_argument("--policies", default="0,20000")
ap.add_argument("--runs", type=int, default=20)
ap.add_argument("--baseline")
a = ap.parse_args()
pairs = [("this build", os.path.join(a.build, "xfrmd", "daemon", "xfrmd"),
          os.path.join(a.build, "tools", "xfrmctl", "xfrmctl"))]
if a.baseline:
    pairs.append(("baseline", os.path.join(a.baseline, "xfrmd"), os.path.join(a.baseline, "xfrmctl")))
rows = []
for n in [int(x) for x in a.policies.split(",")]:
    for label, xfrmd, xfrmctl in pairs:
        rows += measure(os.path.abspath(xfrmd), os.path.abspath(xfrmctl), n, a.runs, label)
print(f"| binaries | policies | state | command -> watch line, median ms | worst ms | "
      f"`ip` ran, median ms | xfrmd read -> line, median ms | worst ms |")
print("|---|---:|---|---:|---:|---:|---:|---:|")
for label, n, mode, med, worst, ipmed, imed, iworst in rows:
    print(f"| {label} | {n:,} | {mode} | {med:.1f} | {worst:.1f} | {ipmed:.1f} | {imed:.1f} | {iworst:.1f} |")
