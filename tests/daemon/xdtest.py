# SPDX-License-Identifier: GPL-2.0-or-later
"""Helpers shared by the daemon's kernel tests: a network namespace, an xfrmd in it, a
control-socket client with receive timestamps, PASS/FAIL lines, and bounded waits.

Tests assert behaviour, never speed: a wait polls its condition until it holds and gives up
only after a generous bound scaled by SLOW (tests/lib/slowdown.sh: XD_TEST_SLOWDOWN, else the
load average over the CPU count). How fast something happened is printed as INFO for the
log and measured properly by tests/bench/bench-daemon.py."""
import atexit
import datetime
import json
import math
import os
import shutil
import socket
import subprocess
import struct
import sys
import tempfile
import threading
import time

FAILS = []


def slowdown():
    """The integer factor of tests/lib/slowdown.sh (keep the two in step)."""
    v = os.environ.get("XD_TEST_SLOWDOWN", "")
    if v.isdigit() and int(v) >= 1:
        return int(v)
    try:
        load = max(os.getloadavg()[:2])
    except OSError:
        return 1
    return min(20, max(1, math.ceil(load / (os.cpu_count() or 1))))


SLOW = slowdown()


def bound(secs):
    """A generous bound for a wait that normally ends far sooner: secs times SLOW."""
    return secs * SLOW


def wait_until(pred, secs, interval=0.05):
    """Poll pred() until it returns something true (returned) or bound(secs) passes (None)."""
    end = time.monotonic() + bound(secs)
    while True:
        v = pred()
        if v:
            return v
        if time.monotonic() >= end:
            return None
        time.sleep(interval)


def check(ok, what, detail=""):
    print(("PASS: " if ok else "FAIL: ") + what + (f" ({detail})" if detail else ""), flush=True)
    if not ok:
        FAILS.append(what)


def skip(why):
    print("SKIP: " + why)
    sys.exit(77)


def finish():
    print(f"{len(FAILS)} failure(s)")
    sys.exit(1 if FAILS else 0)


def sh(*args, check_rc=True, **kw):
    return subprocess.run(args, check=check_rc, capture_output=True, text=True, **kw)


class Netns:
    def __init__(self, name):
        self.name = name
        if os.geteuid() != 0:
            skip("needs root for network namespaces")
        r = subprocess.run(["ip", "netns", "add", name], capture_output=True)
        if r.returncode:
            skip("cannot create a network namespace")

    def ip(self, *args, **kw):
        return sh("ip", "-n", self.name, *args, **kw)

    def close(self):
        subprocess.run(["ip", "netns", "del", self.name], capture_output=True)


class Daemon:
    def __init__(self, ns, conf_extra="", wrap=()):
        self.dir = tempfile.mkdtemp(prefix="xfrmd-test-")
        atexit.register(shutil.rmtree, self.dir, True)
        os.chmod(self.dir, 0o755)
        self.sock = os.path.join(self.dir, "run", "xfrmd.sock")
        self.conf = os.path.join(self.dir, "xfrmd.conf")
        with open(self.conf, "w") as f:
            # started as root, xfrmd becomes `user` (default xfrmd, absent here); "daemon" is
            # not the "nobody" the tests use as an outsider (a later line in conf_extra wins)
            f.write(f"socket = {self.sock}\nuser = daemon\n" + conf_extra)
        self.log = open(os.path.join(self.dir, "log"), "w+")
        os.chmod(self.conf, 0o644)
        if wrap:  # an unprivileged daemon needs its runtime directory made for it (tmpfiles.d)
            os.makedirs(os.path.dirname(self.sock), mode=0o750)
            os.chown(os.path.dirname(self.sock), 65534, 0)
        self.proc = subprocess.Popen(["ip", "netns", "exec", ns.name, *wrap, os.environ["XFRMD"],
                                      "-f", self.conf], stderr=self.log)
        deadline = time.monotonic() + bound(30)
        while time.monotonic() < deadline and self.proc.poll() is None:
            if os.path.exists(self.sock):
                try:
                    if "meta" in request(self.sock, {"command": "status"}):
                        break
                except (OSError, ValueError):
                    pass
            time.sleep(0.05)
        else:
            raise RuntimeError("xfrmd did not become ready:\n" + self.logtext())

    @property
    def pid(self):
        return self.proc.pid

    def collector_pid(self):
        with open(f"/proc/{self.pid}/task/{self.pid}/children") as f:
            kids = f.read().split()
        return int(kids[0]) if kids else None

    def stop(self):
        self.proc.terminate()
        return self.proc.wait(timeout=bound(30))

    def logtext(self):
        self.log.flush()
        self.log.seek(0)
        return self.log.read()


def status_field(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return line.split(":", 1)[1].strip()
    return None


class Client:
    """A control-socket connection that yields (receive time, parsed line)."""

    def __init__(self, path, req):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.s.connect(path)
        self.s.send(json.dumps(req).encode())
        self.buf = b""

    def lines(self, timeout):
        end = time.monotonic() + timeout
        while True:
            while b"\n" in self.buf:
                line, self.buf = self.buf.split(b"\n", 1)
                doc = json.loads(line)
                if isinstance(doc, dict):
                    doc["_rx"] = rx  # wall clock at receipt, to compare with the event's time
                yield time.monotonic(), doc
            left = end - time.monotonic()
            if left <= 0:
                return
            self.s.settimeout(left)
            try:
                d = self.s.recv(65536)
            except socket.timeout:
                return
            if not d:
                return
            rx = time.time()
            self.buf += d

    def wait_for(self, pred, timeout=30):
        """The first line for which pred holds, within bound(timeout); (None, None) if none."""
        for t, doc in self.lines(bound(timeout)):
            if pred(doc):
                return t, doc
        return None, None

    def close(self):
        self.s.close()


def request(path, req, timeout=30):
    c = Client(path, req)
    for _, doc in c.lines(bound(timeout)):
        c.close()
        return doc
    c.close()
    raise ValueError("no reply")


def event_wall(ev):
    """The event's time (RFC 3339 UTC, milliseconds: docs/schema/xfrmd-watch.schema.json) as
    epoch seconds."""
    t = datetime.datetime.strptime(ev["time"], "%Y-%m-%dT%H:%M:%S.%fZ")
    return t.replace(tzinfo=datetime.timezone.utc).timestamp()


def event_latency_ms(ev):
    """Kernel event -> client: the collector stamps each event when the kernel delivers it
    (the kernel multicasts while it makes the change), the client stamps its receipt."""
    return (ev["_rx"] - event_wall(ev)) * 1000


SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)  # Linux asm-generic; Python 3.11 lacks the name


class Notify:
    """A stand-in for the service manager's notification socket. Like systemd it reads all the
    time: the kernel queues at most net.unix.max_dgram_qlen (10) datagrams for an unread
    socket and xfrmd sends without blocking, so a reader that pauses loses messages (the
    watchdog pings would crowd out STOPPING=1). Each message keeps the kernel's receive
    timestamp (SO_TIMESTAMPNS, taken as the daemon sends), which the test's own scheduling
    cannot distort."""

    def __init__(self):
        self.path = tempfile.mktemp(prefix="xfrmd-notify-")
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.s.bind(self.path)
        os.chmod(self.path, 0o666)  # xfrmd started as root sends as its configured user
        self.s.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
        self.s.settimeout(0.2)
        self.msgs = []  # (kernel timestamp, wall clock, text)
        self.lock = threading.Lock()
        self.stopping = False
        self.th = threading.Thread(target=self._read, daemon=True)
        self.th.start()

    def _read(self):
        while not self.stopping:
            try:
                data, anc, _, _ = self.s.recvmsg(4096, 64)
            except socket.timeout:
                continue
            except OSError:
                return
            ts = time.time()
            for level, kind, val in anc:
                if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS:
                    sec, nsec = struct.unpack("qq", val[:16])
                    ts = sec + nsec / 1e9
            with self.lock:
                self.msgs.append((ts, data.decode()))

    def since(self, t0, pred=lambda m: True):
        """Messages stamped at or after wall-clock time t0 that pred accepts, oldest first."""
        with self.lock:
            return [(t, m) for t, m in self.msgs if t >= t0 and pred(m)]

    def wait(self, t0, pred, secs=30):
        """The first message since t0 that pred accepts, within bound(secs); (None, None)."""
        got = wait_until(lambda: self.since(t0, pred), secs)
        return got[0] if got else (None, None)

    def close(self):
        self.stopping = True
        self.th.join()
        self.s.close()
        os.unlink(self.path)


def proc_state(pid):
    with open(f"/proc/{pid}/stat") as f:
        return f.read().rsplit(")", 1)[1].split()[0]
