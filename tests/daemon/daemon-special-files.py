#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""xfrmd becomes ready although its credential collection meets a FIFO named swanctl.conf, a
FIFO named ipsec.conf and an include of a pipe (issue 16): the collector used to block in
open() forever, so the first model, and READY, never came. Then `xfrmctl check` in the same
namespace finishes and names the FIFO swanctl.conf in a tool.decode_issue. In a netns, root
only."""
import os
import shutil
import signal
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from xdtest import Daemon, Netns, check, finish, sh  # noqa: E402

# A daemon that never becomes ready makes Daemon() raise before it hands out its process: keep
# every process it starts in its own group, so a hung daemon and its collector can be ended.
started = []


class GroupPopen(subprocess.Popen):
    def __init__(self, *a, **kw):
        kw["start_new_session"] = True
        super().__init__(*a, **kw)
        started.append(self)


subprocess.Popen = GroupPopen

ns = Netns(f"xd-sf-{os.getpid()}")
tmp = tempfile.mkdtemp(prefix="xfrmd-special-")
d = None
try:
    os.chmod(tmp, 0o755)
    sw, ip = os.path.join(tmp, "swanctl.conf"), os.path.join(tmp, "ipsec.conf")
    os.mkfifo(sw)
    os.mkfifo(ip)
    os.environ.update({"XFRMD_SWANCTL_DIR": tmp, "XFRMD_SWANCTL_CONF": sw,
                       "XFRMD_IPSEC_CONF": ip, "XFRMD_IPSEC_D": os.path.join(tmp, "none"),
                       "XFRMD_NSS_DIRS": os.path.join(tmp, "none")})
    try:
        d = Daemon(ns)  # raises when no status answer comes within its bound
        check(True, "xfrmd answers status with FIFOs as swanctl.conf and ipsec.conf")
    except RuntimeError as e:
        check(False, "xfrmd answers status with FIFOs as swanctl.conf and ipsec.conf", str(e)[:300])
    if d:
        env = dict(os.environ, XFRMD_SOCKET=d.sock)
        r = sh("timeout", "60", "ip", "netns", "exec", ns.name, os.environ["XFRMCTL"], "--json",
               "check", check_rc=False, env=env)
        check(r.returncode in (0, 1), "xfrmctl check finishes", f"rc={r.returncode} {r.stderr[:200]}")
        check("swanctl.conf: not a regular file" in r.stdout,
              "the FIFO swanctl.conf is named in a finding")
finally:
    if d:
        d.stop()
    for p in started:
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    ns.close()
    shutil.rmtree(tmp, ignore_errors=True)
finish()
