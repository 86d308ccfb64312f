#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Docs suite: `xfrmctl watch` writes one readable line per event on a terminal and the
daemon's JSON lines on a pipe; --json and --json=off force either way.

A stand-in for xfrmd listens on a temporary control socket ($XFRMD_SOCKET) and answers the
watch request with the acknowledgement and every line watch-lines renders (every event the
schema names, from the fuzz-kevent seeds, as tests/docs/check-watch-schema.py uses them), plus
a firewall.changed line whose process name carries an escape sequence; then it closes the
stream (xfrmctl exits 0). xfrmctl runs once on a pty (python's pty module) and once on a
pipe, in each mode. TZ is a POSIX rule (no zone database needed) one hour east of UTC, so
the local times are checked too."""
import glob
import json
import os
import pty
import select
import socket
import subprocess
import sys
import tempfile
import threading

xfrmctl, watch_lines, root = sys.argv[1:4]
seeds = sorted(glob.glob(os.path.join(root, "tests", "fuzz", "corpus", "fuzz-kevent", "seed-*")))
events = subprocess.run([watch_lines, *seeds], capture_output=True, text=True, check=True).stdout.splitlines()
events.append(json.dumps({"event": "firewall.changed", "time": "2026-12-07T23:59:59.999Z",
                          "pid": 7, "process": "evil\x1b[2J"}))
stream = ['{"event":"watch.started"}'] + events
tmp = tempfile.mkdtemp(prefix="xfrmctl-watch-")
sock_path = os.path.join(tmp, "xfrmd.sock")
srv = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
srv.bind(sock_path)
srv.listen(8)


def serve():
    while True:
        try:
            c, _ = srv.accept()
        except OSError:
            return
        req = json.loads(c.recv(65536).decode().strip())
        assert req == {"command": "watch"}, req
        for line in stream:
            c.send((line + "\n").encode())
        c.close()


threading.Thread(target=serve, daemon=True).start()
env = dict(os.environ, XFRMD_SOCKET=sock_path, TZ="XST-1", NO_COLOR="1")
fails = []
passes = 0


def check(ok, what, detail=""):
    global passes
    if ok:
        passes += 1
        print("PASS:", what)
    else:
        fails.append(what)
        print("FAIL:", what, detail)


def on_pty(*args):
    master, slave = pty.openpty()
    p = subprocess.Popen([xfrmctl, "watch", *args], stdin=subprocess.DEVNULL, stdout=slave,
                         stderr=subprocess.PIPE, env=env)
    os.close(slave)
    out = b""
    while True:
        r, _, _ = select.select([master], [], [], 30)
        if not r:
            break
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        out += chunk
    os.close(master)
    rc = p.wait(timeout=30)
    return rc, out.decode(errors="replace").replace("\r\n", "\n"), p.stderr.read().decode()


def on_pipe(*args):
    p = subprocess.run([xfrmctl, "watch", *args], capture_output=True, text=True, env=env, timeout=30)
    return p.returncode, p.stdout, p.stderr


def check_text(out, how):
    lines = out.splitlines()
    check(len(lines) == len(stream), f"{how}: one line per event ({len(lines)} for {len(stream)})", out[:400])
    check(not any(l.lstrip().startswith("{") for l in lines), f"{how}: no JSON line")
    check(lines[:1] and lines[0].startswith("-- watching xfrmd events ("), f"{how}: a heading for watch.started",
          lines[:1])
    check("\x1b" not in out and "evil?[2J" in out, f"{how}: control characters from the daemon never reach the terminal")
    for ev, line in zip(events, lines[1:]):
        e = json.loads(ev)
        check(line.split()[1:2] == [e["event"]], f"{how}: {e['event']} names its event second", line)
        # 16:40:19.448Z in UTC+1
        want = "00:59:59.999" if e["time"].startswith("2026-12-07T23:59") else "17:40:19.448"
        check(line.startswith(want + " "), f"{how}: {e['event']} at local time {want}", line)
    joined = "\n".join(lines)
    for want in ("xfrm.sa_added        esp 192.0.2.1 -> 198.51.100.7  spi 0xc0000001 reqid 1",
                 "xfrm.sa_expired      esp 192.0.2.1 -> 198.51.100.7  spi 0xc0000001 reqid 1, hard",
                 "xfrm.policy_added    0.0.0.0/16 -> 0.0.0.0/16 out  index 8",
                 "nat.mapping_changed  esp 0.0.0.0 -> 198.51.100.7  spi 0xc0000001 reqid 3, peer 0.0.0.0:4500 -> 0.0.0.0:0",
                 "firewall.changed     nf_tables commit by nft (pid 4242)",
                 "finding.raised       sa.one_way  error: s",
                 "finding.cleared      sa.one_way  error: s (raised 17:40:00.000)",
                 "overrun              the kernel dropped events; a full resync follows"):
        check(want in joined, f"{how}: line has '{want}'", "")


rc, out, err = on_pty()
check(rc == 0, "on a terminal: exit 0 when the daemon closes the stream", err)
check_text(out, "terminal")
rc, out, err = on_pty("--json")
check(rc == 0 and out.splitlines() == stream, "terminal with --json: the JSON lines as the daemon sent them",
      out[:300] + err)
rc, out, err = on_pipe()
check(rc == 0 and out.splitlines() == stream, "pipe: the JSON lines as the daemon sent them", out[:300] + err)
rc, out, err = on_pipe("--json=off")
check(rc == 0, "pipe with --json=off: exit 0", err)
check_text(out, "pipe with --json=off")
srv.close()
os.unlink(sock_path)
os.rmdir(tmp)
print(f"{passes} passed, {len(fails)} failed")
sys.exit(1 if fails else 0)
