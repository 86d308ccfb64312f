#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""xfrmd and a real charon: the daemon's IKE view equals xfrmctl's own.

   [ns xd-i-PID, private /run]  charon  --  TMP/vici.sock (named by XFRMD_VICI_SOCKET)
                                xfrmd (collector: user daemon, CAP_NET_ADMIN only)

charon loads a connection that starts at once towards an unreachable peer (this kernel has no
ESP: no SA comes up), so `check` has ike.conn_down. Checks: with charon's socket root-only,
the daemon says tool.permission_denied for the VICI dumps and no ike.unreachable_control; with
the socket's group given to the daemon, the daemon's `check` has the same ike.* ids as
`xfrmctl --no-daemon --json check` and `show ike` through the daemon lists the connection; a
mute IKE daemon gives ike.unreachable_control from both. A failure in charon's log is counted
once in xfrmd_ike_failures_total. Event-triggered resyncs between
samples keep the IKE view (the sample interval is an hour: only the first resync asks)."""
import grp
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from xdtest import Daemon, Netns, check, finish, request, skip, wait_until  # noqa: E402

CHARON = "/usr/lib/ipsec/charon"
if not os.access(CHARON, os.X_OK) or not shutil.which("swanctl"):
    skip("needs strongSwan's charon and swanctl")
ns = Netns(f"xd-i-{os.getpid()}")
tmp = tempfile.mkdtemp(prefix="xd-ike-")
os.chmod(tmp, 0o755)
vici = os.path.join(tmp, "vici.sock")
charon = None
daemons = []


def ike_ids(doc):
    return sorted(f["id"] for f in doc.get("findings", []) if f["id"].startswith("ike."))


def finding(doc, fid):
    return [f for f in doc.get("findings", []) if f["id"] == fid]


try:
    ns.ip("link", "set", "lo", "up")
    os.makedirs(os.path.join(tmp, "swanctl"))
    os.makedirs(os.path.join(tmp, "strongswan.d"))
    with open(os.path.join(tmp, "strongswan.conf"), "w") as f:
        # never the resolve plugin: it would write the shared /etc/resolv.conf
        f.write("charon {\n  load_modular = no\n"
                "  load = random nonce aes sha1 sha2 hmac pem pkcs1 x509 revocation constraints "
                "pubkey openssl kernel-netlink socket-default vici updown\n"
                "  install_routes = no\n"
                f"  plugins {{\n    vici {{\n      socket = unix://{vici}\n    }}\n  }}\n"
                f"  filelog {{\n    log {{\n      path = {tmp}/charon.log\n      default = 1\n    }}\n  }}\n}}\n")
    with open(os.path.join(tmp, "swanctl", "swanctl.conf"), "w") as f:
        f.write("connections {\n  site-b {\n    local_addrs = 192.0.2.1\n"
                "    remote_addrs = 198.51.100.7\n"
                "    local { auth = psk\n id = gw-a.example }\n"
                "    remote { auth = psk\n id = gw-b.example }\n"
                "    children {\n      lan {\n        local_ts = 10.1.0.0/16\n"
                "        remote_ts = 10.2.0.0/16\n        start_action = start\n      }\n    }\n"
                "  }\n}\nsecrets { ike-1 { secret = \"XdTestPsk-2c9e\" } }\n")
    # a private /run: charon's pid file and default sockets stay out of the host's
    charon = subprocess.Popen(
        ["ip", "netns", "exec", ns.name, "unshare", "-m", "sh", "-c",
         f"mount -t tmpfs tmpfs /run && exec {CHARON}"],
        env=dict(os.environ, STRONGSWAN_CONF=os.path.join(tmp, "strongswan.conf")),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if wait_until(lambda: os.path.exists(vici), 30, 0.1) is None:
        raise RuntimeError("charon did not create its VICI socket")
    r = subprocess.run(["swanctl", "--load-all", "--uri", f"unix://{vici}", "--file",
                        os.path.join(tmp, "swanctl", "swanctl.conf")],
                       capture_output=True, text=True,
                       env=dict(os.environ, SWANCTL_DIR=os.path.join(tmp, "swanctl")))
    check(r.returncode == 0, "swanctl loaded the connection", (r.stdout + r.stderr)[-300:])
    os.environ["XFRMD_VICI_SOCKET"] = vici  # the daemon and xfrmctl both use it

    # charon's socket as strongSwan makes it (root:root 0770): the unprivileged collector may
    # not open it. That is the tool's access, not an IKE daemon that does not answer.
    st = os.stat(vici)
    check(st.st_uid == 0 and st.st_mode & 0o007 == 0, "charon's VICI socket is root-only",
          oct(st.st_mode))
    d = Daemon(ns, "socket_group = adm\nsample_interval = 3600s\ndebounce = 50ms\nmin_resync_interval = 200ms\n")
    daemons.append(d)
    doc = request(d.sock, {"command": "check"})
    denied = [f for f in finding(doc, "tool.permission_denied") if "ike.vici" in json.dumps(f)]
    check(denied and not finding(doc, "ike.unreachable_control"),
          "socket not open to the daemon's user: tool.permission_denied, no ike.unreachable_control",
          str(ike_ids(doc)) + " " + str([f["summary"] for f in finding(doc, "tool.permission_denied")]))
    d.stop()

    # the operator's fix: the socket's group is one of the daemon's groups (here its
    # socket_group, which xfrmd takes as its primary group)
    os.chown(vici, -1, grp.getgrnam("adm").gr_gid)
    d = Daemon(ns, "socket_group = adm\nsample_interval = 3600s\ndebounce = 50ms\nmin_resync_interval = 200ms\n")
    daemons.append(d)

    def direct_check():
        r = subprocess.run(["ip", "netns", "exec", ns.name, os.environ["XFRMCTL"], "--no-daemon",
                            "--json", "check"], capture_output=True, text=True)
        return json.loads(r.stdout or "{}")

    def kernel_changes(d):
        """Event-triggered resyncs between samples (the sample interval is an hour): True
        once the daemon has published one after these changes."""
        before = request(d.sock, {"command": "status"})["daemon"]["resyncs"]
        for _ in range(3):
            ns.ip("xfrm", "policy", "add", "src", "10.9.0.0/24", "dst", "10.8.0.0/24", "dir", "out")
            ns.ip("xfrm", "policy", "del", "src", "10.9.0.0/24", "dst", "10.8.0.0/24", "dir", "out")
            time.sleep(0.3)
        return wait_until(lambda: request(d.sock, {"command": "status"})["daemon"]["resyncs"] > before,
                          30, 0.1) is not None
    ids_direct = ike_ids(direct_check())
    ids_daemon = ike_ids(request(d.sock, {"command": "check"}))
    check(ids_daemon == ids_direct, "the daemon's check has the same ike.* findings as xfrmctl's own",
          f"daemon {ids_daemon}, xfrmctl {ids_direct}")
    # the resyncs between samples carry the sample's IKE view; then a group member is
    # served text rendered from the daemon's records (root collects itself)
    check(kernel_changes(d), "kernel changes trigger resyncs")
    os.chmod(d.dir, 0o755)
    env = {k: v for k, v in os.environ.items() if k != "XFRMD_VICI_SOCKET"}
    env["XFRMD_SOCKET"] = d.sock
    r = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--groups=adm",
                        os.environ["XFRMCTL"], "show", "ike"], capture_output=True, text=True,
                       env=env)
    check(r.returncode == 0 and r.stdout.startswith("daemon state") and
          "connection site-b" in r.stdout,
          "show ike through the daemon lists charon's connection", (r.stdout + r.stderr)[:300])
    st = request(d.sock, {"command": "status"})
    check(st["meta"]["dumps"].get("ike.vici_conns", {}).get("status") == "complete",
          "the daemon's view has charon's listing", str(st["meta"]["dumps"].get("ike.vici_conns")))

    d.stop()
    charon.terminate()
    charon.wait(timeout=30)
    charon = None

    # an IKE daemon that accepts and never answers: ike.unreachable_control, from both. It
    # runs as the daemon's user and group: the unprivileged collector sees only processes
    # of its own uid and gid in /proc (another's namespace link needs ptrace access)
    os.mkdir(os.path.join(tmp, "mute"))
    os.chown(os.path.join(tmp, "mute"), 1, grp.getgrnam("adm").gr_gid)
    mute = os.path.join(tmp, "mute", "vici.sock")
    # its strongswan.conf names a file logger holding a failure: the daemon reads it (the
    # process is visible to the unprivileged collector) and counts it in
    # xfrmd_ike_failures_total, once across resyncs
    mlog = os.path.join(tmp, "mute", "charon.log")
    with open(os.path.join(tmp, "mute", "strongswan.conf"), "w") as f:
        f.write(f"charon {{\n  filelog {{\n    m {{\n      path = {mlog}\n    }}\n  }}\n}}\n")
    with open(mlog, "w") as f:
        f.write("15[IKE] <site-b|1> received AUTHENTICATION_FAILED notify error\n")
    os.chmod(os.path.join(tmp, "mute", "strongswan.conf"), 0o644)
    os.chmod(mlog, 0o644)
    charon = subprocess.Popen(
        ["ip", "netns", "exec", ns.name, "setpriv", "--reuid=daemon", "--regid=adm",
         "--clear-groups", "python3", "-c",
         "import ctypes, socket, sys, time\n"
         "ctypes.CDLL(None).prctl(15, b'charon', 0, 0, 0)\n"
         "s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); s.bind(sys.argv[1]); s.listen(8)\n"
         "import os; os.chmod(sys.argv[1], 0o777)\n"
         "c = []\n"
         "while True: c.append(s.accept())\n", mute],
        env=dict(os.environ, STRONGSWAN_CONF=os.path.join(tmp, "mute", "strongswan.conf")))
    wait_until(lambda: os.path.exists(mute), 30, 0.1)
    os.environ["XFRMD_VICI_SOCKET"] = mute
    d = Daemon(ns, "socket_group = adm\nsample_interval = 3600s\ndebounce = 50ms\n"
                   "min_resync_interval = 200ms\n")
    daemons.append(d)
    ids_direct = ike_ids(direct_check())
    doc = request(d.sock, {"command": "check"})
    ids_daemon = ike_ids(doc)
    check("ike.unreachable_control" in ids_direct,
          "xfrmctl --no-daemon: ike.unreachable_control for a mute daemon", str(ids_direct))
    check(ids_daemon == ids_direct, "and the daemon's check has the same ike.* findings",
          f"daemon {ids_daemon}, xfrmctl {ids_direct}")
    ok = kernel_changes(d)
    ids_daemon = ike_ids(request(d.sock, {"command": "check"}))
    check(ok and ids_daemon == ids_direct,
          "after event-triggered resyncs (no new sample) the daemon keeps those findings",
          f"daemon {ids_daemon}")
    metrics = request(d.sock, {"command": "metrics"}).get("metrics", "")
    counts = {l.split("}")[0].split('"')[1]: l.split()[-1] for l in metrics.splitlines()
              if l.startswith("xfrmd_ike_failures_total{")}
    check(counts.get("auth_failed") == "1" and counts.get("peer_unreachable") == "0" and
          "# TYPE xfrmd_ike_failures_total counter" in metrics,
          "xfrmd_ike_failures_total counts the logged failure once, across resyncs", str(counts))
finally:
    for d in daemons:
        if d.proc.poll() is None:
            d.proc.kill()
    if charon:
        # ip netns exec, unshare and sh all exec: this pid is charon's own
        charon.terminate()
        try:
            charon.wait(timeout=10)
        except subprocess.TimeoutExpired:
            charon.kill()
    ns.close()
    shutil.rmtree(tmp, True)
finish()
