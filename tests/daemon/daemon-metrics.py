#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The metrics endpoint and a root start (issue 16, defects 6 and 9), in a netns.

   [ns xd-m-PID]  xfrmd started as root, `user = daemon`, `socket_group = adm`
                  /metrics over HTTP: 127.0.0.1:19688, then unix:DIR/run/metrics.sock

Checks: `xfrmd -t` refuses bad metrics_listen values (ports 0 and 99999, a host name, a remote
address) with a message naming the problem; started as root the daemon runs as the configured
user, collector CAP_NET_ADMIN only, main process nothing (what the unit's User= and
AmbientCapabilities= give); trickling HTTP clients (8, then more than there are slots) do not
keep a scrape from being answered, and the control socket is served meanwhile; on the Unix
socket a user outside socket_group is refused (file mode, and SO_PEERCRED with the mode opened)
while a member and root get the exposition."""
import atexit
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from xdtest import SLOW, Daemon, Netns, bound, check, finish, request, sh, status_field  # noqa: E402

XFRMD = os.environ["XFRMD"]
PORT = 19688
NET_ADMIN = 1 << 12

# trickle N connections (one header byte every 0.5 s, for at most TRICKLE_S), then time a scrape
TRICKLE = r"""
import json, socket, sys, threading, time
port, n, trickle_s = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
conns = []
for _ in range(n):
    s = socket.socket()
    s.settimeout(2)
    s.connect(("127.0.0.1", port))  # completes in the listen backlog even when not accepted
    s.send(b"GET /metrics HTTP/1.1\r\nX-Slow: ")
    conns.append(s)
end = time.monotonic() + trickle_s
def trickle():
    while time.monotonic() < end:
        for s in conns:
            try:
                s.send(b"x")
            except OSError:
                pass
        time.sleep(0.5)
threading.Thread(target=trickle, daemon=True).start()
time.sleep(1)
res = {}
t0 = time.monotonic()
try:
    s = socket.create_connection(("127.0.0.1", port), timeout=trickle_s + 20)
    s.sendall(b"GET /metrics HTTP/1.0\r\n\r\n")
    data = b""
    while True:
        x = s.recv(65536)
        if not x:
            break
        data += x
    res["status"] = data.split(b"\r\n", 1)[0].decode(errors="replace")
    res["exposition"] = b"xfrmd_xfrm_stat_total{" in data
except OSError as e:
    res["error"] = repr(e)
res["secs"] = round(time.monotonic() - t0, 2)
print(json.dumps(res))
"""

# GET /metrics over a Unix socket; prints the status line and whether the exposition came
UNIX_GET = r"""
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(60)  # generous: only a hung endpoint takes this long
try:
    s.connect(sys.argv[1])
except OSError as e:
    print("connect", e.strerror)
    sys.exit(0)
path = sys.argv[2].encode() if len(sys.argv) > 2 else b"/metrics"
s.sendall(b"GET " + path + b" HTTP/1.0\r\n\r\n")
data = b""
while True:
    try:
        x = s.recv(65536)
    except OSError:
        break
    if not x:
        break
    data += x
print(data.split(b"\r\n", 1)[0].decode(errors="replace"),
      "exposition" if b"xfrmd_build_info{" in data else "landing" if b"/metrics" in data else "none")
"""


def check_config(text):
    path = os.path.join(tmp, "check.conf")
    with open(path, "w") as f:
        f.write(text)
    return subprocess.run([XFRMD, "-t", "-f", path], capture_output=True, text=True, timeout=bound(10))


def as_nobody(groups, *cmd):
    g = ["--groups=" + groups] if groups else ["--clear-groups"]
    return subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", *g, *cmd],
                          capture_output=True, text=True, timeout=bound(30))


ns = Netns(f"xd-m-{os.getpid()}")
d = None
try:
    tmp = tempfile.mkdtemp(prefix="xfrmd-m-")
    atexit.register(shutil.rmtree, tmp, True)
    os.chmod(tmp, 0o755)  # the daemon's user makes its metrics socket below it

    # defect 9a: bad listen values are refused by the configuration check
    for value, says in (("127.0.0.1:99999", "1..65535"), (":0", "1..65535"),
                        ("127.0.0.1:0", "1..65535"), ("localhost:9687", "numeric"),
                        ("192.0.2.1:9687", "loopback"), ("unix:metrics.sock", "absolute")):
        r = check_config(f"metrics_listen = {value}\n")
        check(r.returncode != 0 and "metrics_listen" in r.stderr and says in r.stderr,
              f"xfrmd -t refuses metrics_listen = {value}", f"rc={r.returncode} {r.stderr.strip()[:120]}")
    r = check_config("metrics_listen = unix:/run/xfrmd/metrics.sock\n")
    check(r.returncode == 0, "xfrmd -t accepts metrics_listen = unix:/run/xfrmd/metrics.sock", r.stderr.strip())

    ns.ip("link", "set", "lo", "up")
    ns.ip("xfrm", "policy", "add", "src", "10.0.0.0/24", "dst", "10.1.0.0/24", "dir", "out")
    try:
        d = Daemon(ns, f"socket_group = adm\nmetrics_listen = 127.0.0.1:{PORT}\n")
    except RuntimeError as e:
        if "without libmicrohttpd" in str(e):
            print("SKIP: built without libmicrohttpd")
            sys.exit(77)
        raise

    # defect 9b: started as root, it runs as the configured user like the unit does
    col = d.collector_pid()
    for pid, who in ((d.pid, "main process"), (col, "collector")):
        check(status_field(pid, "Uid").split() == ["1"] * 4 and status_field(pid, "Gid").split() == ["4"] * 4,
              f"started as root: the {who} runs as user daemon, group adm",
              f"Uid {status_field(pid, 'Uid')} Gid {status_field(pid, 'Gid')}")
    check(int(status_field(col, "CapEff"), 16) == NET_ADMIN and int(status_field(col, "CapPrm"), 16) == NET_ADMIN
          and int(status_field(col, "CapBnd"), 16) == NET_ADMIN,
          "started as root: collector keeps CAP_NET_ADMIN only (effective, permitted, bounding)",
          f"{status_field(col, 'CapEff')} {status_field(col, 'CapPrm')} {status_field(col, 'CapBnd')}")
    check(int(status_field(d.pid, "CapEff"), 16) == 0 and int(status_field(d.pid, "CapPrm"), 16) == 0
          and int(status_field(d.pid, "CapBnd"), 16) & ~NET_ADMIN == 0,
          "started as root: main process keeps no capability",
          f"{status_field(d.pid, 'CapEff')} {status_field(d.pid, 'CapPrm')} {status_field(d.pid, 'CapBnd')}")
    st = request(d.sock, {"command": "show", "sections": ["policy"]})
    check(len(st.get("policies", [])) == 1, "and it still reads the kernel's policies")
    run_dir = os.stat(os.path.dirname(d.sock))
    check(run_dir.st_uid == 1 and run_dir.st_gid == 4, "its runtime directory belongs to daemon:adm")

    # defect 6: trickling clients must not keep a scrape from being answered. The scrape must
    # come back while they still trickle: the trickle and the bound both scale with the
    # machine's slowdown, so a busy machine stretches both and the comparison still holds
    p = subprocess.Popen(["ip", "netns", "exec", ns.name, "python3", "-c", TRICKLE, str(PORT), "8",
                          str(30 * SLOW)], stdout=subprocess.PIPE, text=True)
    res = json.loads(p.communicate(timeout=bound(90))[0])
    check(res.get("status", "").endswith(" 200 OK") and res.get("exposition") and res["secs"] < bound(20),
          "8 trickling connections: a scrape is still answered while they trickle", json.dumps(res))
    # more tricklers than the endpoint has slots: they are closed at the request deadline
    p = subprocess.Popen(["ip", "netns", "exec", ns.name, "python3", "-c", TRICKLE, str(PORT), "48",
                          str(45 * SLOW)], stdout=subprocess.PIPE, text=True)
    time.sleep(3)
    t0 = time.monotonic()
    ok = "meta" in request(d.sock, {"command": "status"})
    check(ok, "the control socket is served while HTTP slots are held", f"{time.monotonic() - t0:.2f} s")
    res = json.loads(p.communicate(timeout=bound(120))[0])
    check(res.get("status", "").endswith(" 200 OK") and res.get("exposition") and res["secs"] < bound(30),
          "48 trickling connections (more than the slots): a scrape is answered while they trickle",
          json.dumps(res))
    check(d.stop() == 0, "clean exit with the HTTP endpoint")

    # the Unix socket listener: the control socket's group rules
    d = Daemon(ns, "socket_group = adm\nmetrics_listen = unix:" + tmp + "/run-m/metrics.sock\n")
    msock = os.path.join(tmp, "run-m", "metrics.sock")
    ms = os.stat(msock)
    check(ms.st_mode & 0o777 == 0o660 and ms.st_gid == 4, "metrics socket is 0660, group adm",
          f"{oct(ms.st_mode)} gid {ms.st_gid}")
    r = sh("python3", "-c", UNIX_GET, msock)
    check(" 200 OK exposition" in r.stdout, "root gets the exposition over the Unix socket",
          r.stdout.strip())
    r = sh("python3", "-c", UNIX_GET, msock, "/")
    check(" 200 OK landing" in r.stdout, "/ is a landing page naming /metrics", r.stdout.strip())
    r = as_nobody("adm", "python3", "-c", UNIX_GET, msock)
    check(" 200 OK exposition" in r.stdout, "a member of socket_group gets it",
          (r.stdout + r.stderr).strip()[:200])
    r = as_nobody(None, "python3", "-c", UNIX_GET, msock)
    check(r.stdout.strip() == "connect Permission denied",
          "a user outside socket_group cannot connect (file mode)", (r.stdout + r.stderr).strip()[:200])
    os.chmod(os.path.dirname(msock), 0o755)
    os.chmod(msock, 0o666)
    r = as_nobody(None, "python3", "-c", UNIX_GET, msock)
    check(" 403 " in r.stdout and "exposition" not in r.stdout,
          "with the mode opened, SO_PEERCRED still refuses an outsider (403, no metrics)",
          (r.stdout + r.stderr).strip()[:200])
    check("metrics: refused pid" in d.logtext(), "the refusal is logged")
    check(d.stop() == 0 and not os.path.exists(msock),
          "clean exit removes the metrics socket")
    d = None
finally:
    if d and d.proc.poll() is None:
        d.proc.send_signal(signal.SIGKILL)
    ns.close()
finish()
