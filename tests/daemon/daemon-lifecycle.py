#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""xfrmd's service-manager protocol and client isolation (testing.md T10, T11), in a netns.

   stub NOTIFY_SOCKET (AF_UNIX datagram) <── xfrmd ──> watchers: one normal, one never reads

Checks: READY=1 after the first model; WATCHDOG=1 pings at half of WATCHDOG_USEC from the loop,
none while stopped (SIGSTOP), again after SIGCONT; SIGHUP gives RELOADING=1 + MONOTONIC_USEC then
READY=1, applies the new configuration and keeps clients connected; a watcher that never reads
is cut off at its queue limit with a final error line while the normal watcher gets every
event; SIGTERM sends STOPPING=1."""
import atexit
import os
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from xdtest import Client, Daemon, Netns, check, finish, request, sh  # noqa: E402


class Notify:
    def __init__(self):
        self.path = tempfile.mktemp(prefix="xfrmd-notify-")
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.s.bind(self.path)
        os.chmod(self.path, 0o666)  # xfrmd started as root sends as its configured user
        self.msgs = []  # (monotonic time, text)

    def drain(self, secs):
        end = time.monotonic() + secs
        while True:
            left = end - time.monotonic()
            if left <= 0:
                return
            self.s.settimeout(left)
            try:
                self.msgs.append((time.monotonic(), self.s.recv(4096).decode()))
            except socket.timeout:
                return

    def wait(self, pred, secs):
        end = time.monotonic() + secs
        while time.monotonic() < end:
            for t, m in self.msgs:
                if pred(m):
                    return t, m
            self.drain(min(0.1, max(0.0, end - time.monotonic())))
        return None, None


ns = Netns(f"xd-l-{os.getpid()}")
n = Notify()
d = None
WD_USEC = 400000
try:
    os.environ["NOTIFY_SOCKET"] = n.path
    os.environ["WATCHDOG_USEC"] = str(WD_USEC)
    d = Daemon(ns, "sample_interval = 5s\nclient_queue_bytes = 1048576\ndebounce = 100ms\n"
                   "request_timeout = 500ms\n")
    del os.environ["NOTIFY_SOCKET"], os.environ["WATCHDOG_USEC"]
    t, _ = n.wait(lambda m: "READY=1" in m, 5)
    check(t is not None, "READY=1 sent")
    n.msgs.clear()
    n.drain(2.0)
    pings = [t for t, m in n.msgs if m == "WATCHDOG=1"]
    gaps = [b - a for a, b in zip(pings, pings[1:])]
    check(len(pings) >= 6 and max(gaps) <= WD_USEC / 1e6 / 2 + 0.1,
          "watchdog pings at half of WATCHDOG_USEC", f"{len(pings)} pings, max gap {max(gaps or [0]):.3f} s")
    os.kill(d.pid, signal.SIGSTOP)
    n.msgs.clear()
    n.drain(1.0)
    check(not any(m == "WATCHDOG=1" for _, m in n.msgs), "no ping while the loop is stopped")
    os.kill(d.pid, signal.SIGCONT)
    t, _ = n.wait(lambda m: m == "WATCHDOG=1", 1)
    check(t is not None, "pings resume after SIGCONT")

    # a client that never sends is dropped after request_timeout; an oversized request gets
    # an error; neither disturbs a request served meanwhile
    idle = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    idle.connect(d.sock)
    big = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    big.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)
    big.connect(d.sock)
    big.send(b'{"command":"status","pad":"' + b"x" * 70000 + b'"}')
    big.settimeout(5)
    reply = big.recv(65536)
    check(b'"EMSGSIZE"' in reply, "a request over 64 KiB is refused with EMSGSIZE", reply[:80].decode())
    check("meta" in request(d.sock, {"command": "status"}), "other clients are served meanwhile")
    idle.settimeout(3)
    t0 = time.monotonic()
    try:
        gone = idle.recv(100) == b""
    except (socket.timeout, ConnectionResetError):
        gone = False
    check(gone and time.monotonic() - t0 < 1.5, "a silent client is disconnected after request_timeout",
          f"{time.monotonic() - t0:.2f} s")
    idle.close()
    big.close()

    # reload under watch: new settings apply, the watcher stays
    good = Client(d.sock, {"command": "watch"})
    check(good.wait_for(lambda e: e.get("event") == "watch.started", 2)[0] is not None, "watcher connected")
    with open(d.conf, "a") as f:
        f.write("sample_interval = 3s\n")
    ok = True
    for _ in range(10):
        n.msgs.clear()
        os.kill(d.pid, signal.SIGHUP)
        t1, m1 = n.wait(lambda m: m.startswith("RELOADING=1"), 2)
        t2, _ = n.wait(lambda m: m == "READY=1", 2)
        ok &= t1 is not None and "MONOTONIC_USEC=" in m1 and t2 is not None and t2 >= t1
    check(ok, "10 x SIGHUP: RELOADING=1 + MONOTONIC_USEC, then READY=1")
    st = request(d.sock, {"command": "status"})["daemon"]
    check(st["sample_interval_ms"] == 3000, "reload applied the new sample_interval", str(st["sample_interval_ms"]))

    # a watcher that never reads (small buffers) vs. the normal one, under 12000 events
    slow = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    slow.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    slow.connect(d.sock)
    slow.send(b'{"command":"watch"}')
    tmp = tempfile.mkdtemp(prefix="xfrmd-lc-")
    atexit.register(shutil.rmtree, tmp, True)
    N = 12000
    with open(os.path.join(tmp, "batch"), "w") as f:
        for i in range(N):
            f.write(f"xfrm policy add src 10.{i // 250 % 250}.{i % 250}.{i // 62500} dst 172.16.0.0/16 dir out priority {i}\n")
    counts = {"added": 0, "error": 0}

    def reader():  # reads all along, as a well-behaved client does (counting, not parsing)
        buf = good.buf
        good.s.settimeout(15)
        try:
            while counts["added"] < N:
                x = good.s.recv(65536)
                if not x:
                    return
                buf += x
                lines = buf.split(b"\n")
                buf = lines.pop()
                counts["added"] += sum(b'"xfrm.policy_added"' in ln for ln in lines)
                counts["error"] += sum(ln.startswith(b'{"error"') for ln in lines)
        except socket.timeout:
            return
    th = threading.Thread(target=reader)
    th.start()
    sh("ip", "-n", ns.name, "-batch", os.path.join(tmp, "batch"))
    th.join()
    got = counts["added"]
    check(got == N and counts["error"] == 0, "the normal watcher got every event", f"{got}/{N}")
    slow.settimeout(5)
    data = b""
    try:
        while True:
            x = slow.recv(65536)
            if not x:
                break
            data += x
    except socket.timeout:
        pass
    lines = data.decode(errors="replace").strip().split("\n")
    check('"ENOBUFS"' in lines[-1] and len(lines) < N, "the non-reader was cut off with a final error line",
          f"{len(lines)} lines, last: {lines[-1][:80]}")
    st = request(d.sock, {"command": "status"})["daemon"]
    check(st["clients_cut_off"] == 1, "exactly one client cut off", str(st["clients_cut_off"]))
    good.close()
    n.msgs.clear()
    d.proc.terminate()
    check(d.proc.wait(timeout=5) == 0, "SIGTERM: exit 0")
    n.drain(0.2)
    check(any(m.startswith("STOPPING=1") for _, m in n.msgs), "STOPPING=1 sent")

    # the optional HTTP endpoint (libmicrohttpd): GET /metrics on the namespace's loopback
    ns.ip("link", "set", "lo", "up")
    try:
        d = Daemon(ns, "metrics_listen = 127.0.0.1:19687\n")
    except RuntimeError as e:
        if "without libmicrohttpd" in str(e):
            print("SKIP: built without libmicrohttpd, /metrics over HTTP not tested")
            d = None
        else:
            raise
    if d:
        probe = ("import urllib.request,urllib.error\n"
                 "r=urllib.request.urlopen('http://127.0.0.1:19687/metrics',timeout=5)\n"
                 "print(r.status,r.headers['Content-Type']);print(r.read().decode())\n"
                 "try:\n  urllib.request.urlopen('http://127.0.0.1:19687/other',timeout=5)\n"
                 "except urllib.error.HTTPError as e:\n  print('other',e.code)\n")
        r = sh("ip", "netns", "exec", ns.name, "python3", "-c", probe, check_rc=False)
        check(r.stdout.startswith("200 text/plain; version=0.0.4") and
              "xfrmd_xfrm_stat_total{counter=" in r.stdout and "other 404" in r.stdout,
              "GET /metrics over HTTP on loopback", r.stdout[:60] + r.stderr[-200:])
        d.proc.terminate()
        check(d.proc.wait(timeout=5) == 0, "clean exit with the HTTP endpoint")
finally:
    if d and d.proc.poll() is None:
        os.kill(d.pid, signal.SIGCONT)
        d.proc.kill()
    ns.close()
    os.unlink(n.path)
finish()
