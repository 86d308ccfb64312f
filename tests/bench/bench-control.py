#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Control socket under stalled readers, on this machine's kernel (root; policies only).

   tests/bench/bench-control.py XFRMD XFRMCTL [N [STALLED]]

Installs N policies in a namespace, starts xfrmd there, then: STALLED clients ask for `show`
and never read, and one more client asks for `status`. Prints the `status` latency (best and
worst of three rounds), the daemon's memory growth (PSS of the daemon and its children) while
the stalled clients wait, and the time `xfrmctl --json show policy` takes for the same model."""
import os
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "daemon"))
os.environ["XFRMD"], os.environ["XFRMCTL"] = sys.argv[1], sys.argv[2]
from xdtest import Daemon, Netns, request, sh  # noqa: E402

N = int(sys.argv[3]) if len(sys.argv) > 3 else 44000
STALLED = int(sys.argv[4]) if len(sys.argv) > 4 else 64


def pss_kib(pid):
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/smaps_rollup") as f:
                total += sum(int(line.split()[1]) for line in f if line.startswith("Pss:"))
            for t in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{t}/children") as f:
                    todo += [int(x) for x in f.read().split()]
        except OSError:
            pass
    return total


ns = Netns(f"xd-bc-{os.getpid()}")
d = None
try:
    with tempfile.NamedTemporaryFile("w", suffix=".batch") as f:
        for i in range(N):
            f.write(f"xfrm policy add src 10.{i // 250 % 250}.{i % 250}.0/24 "
                    f"dst 172.{16 + i // 62500}.{i % 250}.{i // 250 % 250}/32 "
                    f"dir {('in', 'out', 'fwd')[i % 3]} priority {100 + i} "
                    f"tmpl src 192.0.2.1 dst 198.51.100.{1 + i % 200} proto esp reqid {i} mode tunnel\n")
        f.flush()
        sh("ip", "-n", ns.name, "-batch", f.name)
    d = Daemon(ns, f"max_clients = {STALLED + 8}\nsample_interval = 600s\nrequest_timeout = 60s\n")
    while request(d.sock, {"command": "status"})["status"]["policies"]["total"] < N:
        time.sleep(0.2)
    env = dict(os.environ, XFRMD_SOCKET=d.sock)
    t = time.monotonic()
    r = subprocess.run([sys.argv[2], "--json", "show", "policy"], env=env, capture_output=True)
    print(f"xfrmctl --json show policy: {time.monotonic() - t:.2f} s, exit {r.returncode}, "
          f"{len(r.stdout) / 1e6:.1f} MB")
    lat = []
    for rnd in range(3):
        base = pss_kib(d.pid)
        stalled = []
        for _ in range(STALLED):
            c = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
            c.connect(d.sock)
            c.send(b'{"command":"show"}')
            stalled.append(c)
        t = time.monotonic()
        request(d.sock, {"command": "status"}, timeout=120)
        lat.append(time.monotonic() - t)
        time.sleep(2)
        grown = pss_kib(d.pid) - base
        for c in stalled:
            c.close()
        print(f"round {rnd + 1}: status {lat[-1] * 1000:.0f} ms with {STALLED} stalled show "
              f"clients, memory +{grown / 1024:.0f} MiB", flush=True)
        time.sleep(2)
    print(f"status latency: best {min(lat) * 1000:.0f} ms, worst {max(lat) * 1000:.0f} ms "
          f"({N} policies, {STALLED} stalled clients)")
finally:
    if d and d.proc.poll() is None:
        d.proc.kill()
    ns.close()
