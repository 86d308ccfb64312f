#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""ENOBUFS storm on this machine's kernel (testing.md T7, policy variant).

   [ns xd-e-PID]  xfrmd with a 4 KiB event receive buffer
                  rounds of `ip -batch`: thousands of policy adds, updates and deletes

The tiny buffer overflows at once; the daemon must count the overrun, resync at a bounded
rate, keep reading, and end with a model equal to `ip xfrm policy`; one more change after the
storm must still appear on watch (it never stopped reading). How fast (quiescence to exact
model, event latency after the storm) is measured by tests/bench/bench-daemon.py."""
import atexit
import os
import re
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from xdtest import SLOW, Client, Daemon, Netns, check, finish, request, sh, wait_until  # noqa: E402

ROUNDS, N = 5, 4000
ns = Netns(f"xd-e-{os.getpid()}")
d = None


def kernel_policies():
    out = ns.ip("xfrm", "policy", "list").stdout
    pols = set()
    for m in re.finditer(r"^src (\S+) dst (\S+)\s*\n\s*dir (\S+) priority (\d+)", out, re.M):
        pols.add((m.group(1), m.group(2), m.group(3), int(m.group(4))))
    return pols


def daemon_policies():
    doc = request(d.sock, {"command": "show", "sections": ["policy"]})
    return {(p["selector"]["src"], p["selector"]["dst"], p["dir"], p.get("priority", 0))
            for p in doc.get("policies", [])}


try:
    d = Daemon(ns, "event_rcvbuf = 4096\ndebounce = 50ms\nmin_resync_interval = 500ms\n"
                   "sample_interval = 60s\n")
    tmp = tempfile.mkdtemp(prefix="xfrmd-storm-")
    atexit.register(shutil.rmtree, tmp, True)
    t_start = time.monotonic()
    for rnd in range(ROUNDS):
        with open(os.path.join(tmp, "batch"), "w") as f:
            for i in range(N):
                f.write(f"xfrm policy add src 10.{rnd}.{i // 250}.{i % 250}/32 dst 172.16.{i % 250}.{i // 250}/32 "
                        f"dir {('in', 'out', 'fwd')[i % 3]} priority {100 + i} "
                        f"tmpl src 192.0.2.1 dst 198.51.100.{1 + i % 200} proto esp reqid {i} mode tunnel\n")
            for i in range(0, N, 3):  # update a third
                f.write(f"xfrm policy update src 10.{rnd}.{i // 250}.{i % 250}/32 dst 172.16.{i % 250}.{i // 250}/32 "
                        f"dir {('in', 'out', 'fwd')[i % 3]} priority {5000 + i} "
                        f"tmpl src 192.0.2.1 dst 198.51.100.{1 + i % 200} proto esp reqid {i} mode tunnel\n")
            for i in range(1, N, 2):  # delete half
                f.write(f"xfrm policy delete src 10.{rnd}.{i // 250}.{i % 250}/32 dst 172.16.{i % 250}.{i // 250}/32 "
                        f"dir {('in', 'out', 'fwd')[i % 3]}\n")
        sh("ip", "-n", ns.name, "-batch", os.path.join(tmp, "batch"))
    storm_s = time.monotonic() - t_start
    storm_end = time.time()
    # quiescence: the debounced, rate-limited resync after the last event makes the model exact.
    # Poll the cheap status; compare the (large) model only after each new resync, so the
    # test's own reads do not hold resyncs back. How soon is a speed figure (testing.md G4),
    # measured by tests/bench/bench-daemon.py; here the model must get there.
    want = kernel_policies()
    state = {"seen": 0, "got": set(), "tries": 0, "at": None}

    def exact():
        at = request(d.sock, {"command": "status"})["daemon"]["last_resync_at_ms"]
        if at / 1000 > storm_end and at != state["seen"]:
            state["seen"] = at
            state["got"] = daemon_policies()
            state["tries"] += 1
            if state["got"] == want:
                state["at"] = at / 1000  # exact since the resync that published this model
                return True
        return False
    try:
        wait_until(exact, 120, 0.05)
    except ValueError as e:  # the daemon closed the connection before the end of a reply
        check(False, "`show policy` answered in full", str(e))
    got = state["got"]
    print(f"INFO: {state['tries']} model comparisons until equal; exact "
          + (f"{state['at'] - storm_end:.2f} s after the storm" if state["at"] else "never"), flush=True)
    check(len(want) > 5000, "the storm left many policies", str(len(want)))
    check(got == want, "daemon model equals `ip xfrm policy` after the storm",
          f"{len(got)} vs {len(want)}")
    st = request(d.sock, {"command": "status"})["daemon"]
    check(st["overruns"] > 0, "overruns counted", str(st["overruns"]))
    check(st["resyncs"] > 1, "resyncs counted", str(st["resyncs"]))
    # bounded rate: at most one resync per min_resync_interval (+1 initial, +1 slack); a slower
    # machine only makes the bound looser
    elapsed = time.monotonic() - t_start
    check(st["resyncs"] <= elapsed / 0.5 + 3, "resync rate bounded by min_resync_interval",
          f"{st['resyncs']} resyncs in {elapsed:.1f} s (storm {storm_s:.1f} s)")
    print(f"INFO: storm {ROUNDS}x{N + N // 3 + N // 2} changes in {storm_s:.1f} s, "
          f"overruns {st['overruns']}, resyncs {st['resyncs']}, last resync {st['last_resync_s']:.3f} s (decode+diagnosis {st['last_process_s']:.3f} s), "
          f"collector dump {st['collector_dump_s']:.3f} s, slowdown x{SLOW}", flush=True)
    # never stopped reading: one more change still arrives on watch
    w = Client(d.sock, {"command": "watch"})
    check(w.wait_for(lambda e: e.get("event") == "watch.started")[0] is not None, "watch after the storm")
    t0 = time.monotonic()
    ns.ip("xfrm", "policy", "add", "src", "10.99.0.0/24", "dst", "10.98.0.0/24", "dir", "out")
    t, _ = w.wait_for(lambda e: e.get("event") == "xfrm.policy_added" and e.get("src") == "10.99.0.0/24")
    check(t is not None, "an event after the storm appears on watch",
          f"after {(t - t0) * 1000:.1f} ms" if t else "not seen")
    w.close()
    check(d.stop() == 0, "clean exit after the storm")
finally:
    if d and d.proc.poll() is None:
        d.proc.kill()
    ns.close()
finish()
