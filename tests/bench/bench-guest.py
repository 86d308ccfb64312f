#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The measuring half of bench-kernel.sh, run inside the guest once N SAs and N policies are
installed: each command best of five (three for `ip -s`: wall, CPU, peak RSS of the measured
process), the ratios to what a user would run (`ip`) and to the kernel's own dump cost
(dump-floor), then xfrmd: a start-up resync, its CPU, idle CPU over 30 s, the sampling cost
and resident memory per SA.
With N = 0 only the commands run (their fixed cost), not the daemon.
Usage: bench-guest.py BUILDDIR N   (prints Markdown table rows)"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

build, n = sys.argv[1], int(sys.argv[2])
here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "daemon"))
sys.path.insert(0, here)
from xdtest import request  # noqa: E402  (the control protocol's framing)
from benchlib import localize, measure  # noqa: E402

# every measured program runs from a copy in the guest's memory, the floor and `ip` as well
(xfrmctl, xfrmd, floor_bin, ip), env = localize(
    [os.path.join(build, "tools", "xfrmctl", "xfrmctl"),
     os.path.join(build, "xfrmd", "daemon", "xfrmd"),
     os.path.join(build, "tests", "bench", "dump-floor"), shutil.which("ip")],
    tempfile.mkdtemp(prefix="xd-bench-local-"))
# the known-issues file too: uninstalled, xfrmctl reads it from the source tree over 9p/hostfs
kb = os.path.join(os.path.dirname(xfrmctl), "known-issues.json")
shutil.copy2(os.path.join(here, "..", "..", "xfrmd", "diag", "known-issues.json"), kb)
env["XFRMD_KNOWN_ISSUES"] = kb
IDLE_S = 30


def cpu_s(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def status_kib(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


rows = {}
cmds = [("ip -s xfrm state list", [ip, "-s", "xfrm", "state", "list"]),
        ("ip xfrm policy list", [ip, "xfrm", "policy", "list"]),
        ("dump-floor (SAs + policies)", [floor_bin]),
        ("xfrmctl show sa --json", [xfrmctl, "show", "sa", "--json"]),
        ("xfrmctl check --json", [xfrmctl, "check", "--json"])]
for name, cmd in cmds:
    # best of five; of three for the listing that takes minutes under qemu at 100k
    rows[name] = measure(cmd, 3 if name.startswith("ip -s") else 5, env=env)
ip_state = rows["ip -s xfrm state list"][0]
ip_both = ip_state + rows["ip xfrm policy list"][0]
floor = rows["dump-floor (SAs + policies)"][0]
baseline = {"xfrmctl show sa --json": ip_state, "xfrmctl check --json": ip_both}
for name, (wall, cpu, rss) in rows.items():
    b = f"{wall / baseline[name]:.2f}" if name in baseline else ""
    fl = f"{wall / floor:.1f}" if name.startswith("xfrmctl") else ""
    print(f"| {n:,} | `{name}` | {wall:.2f} | {cpu:.2f} | {rss:.0f} | {b} | {fl} |")
if n == 0:
    sys.exit(0)  # the fixed costs: start-up and everything but the SAD and SPD

# xfrmd: start it on this state and wait for its first model (a resync)
d = tempfile.mkdtemp(prefix="xfrmd-bench-")
sock = os.path.join(d, "xfrmd.sock")
conf = os.path.join(d, "xfrmd.conf")
with open(conf, "w") as f:
    f.write(f"socket = {sock}\ndebug = yes\n")
# the daemon's log (each resync, with its cost) lands next to the table
log = os.path.join(os.environ.get("XD_OUT", d), f"xfrmd-{n}.log")
t0 = time.monotonic()
proc = subprocess.Popen([xfrmd, "-f", conf], stderr=open(log, "w"), env=env)
st = None
while time.monotonic() - t0 < 600:
    try:
        st = request(sock, {"command": "status"})
        if st.get("daemon", {}).get("resyncs", 0) >= 1 and st["status"]["sas"]["total"] == n:
            break
    except (OSError, ValueError, KeyError):
        pass
    time.sleep(0.05)
ready = time.monotonic() - t0
with open(f"/proc/{proc.pid}/task/{proc.pid}/children") as f:
    kids = [int(k) for k in f.read().split()]
pids = [proc.pid] + kids


def daemon_status():
    try:
        return request(sock, {"command": "status"})["daemon"]
    except (OSError, ValueError, KeyError):
        return {}


# idle: CPU over IDLE_S seconds without a change; the periodic samples (full resyncs) that
# fall into the window are counted apart, at the CPU the daemon reports for a resync
cpu0 = sum(cpu_s(p) for p in pids)
samples0 = daemon_status().get("samples", 0)
time.sleep(IDLE_S)
cpu1 = sum(cpu_s(p) for p in pids)
d1 = daemon_status()
in_window = d1.get("samples", 0) - samples0
between = max(0.0, (cpu1 - cpu0) - in_window * d1.get("resync_cpu_s", 0))
every_s = d1.get("sample_interval_effective_ms", 0) / 1000
rss = status_kib(proc.pid, "VmRSS")
hwm = max(status_kib(p, "VmHWM") for p in pids)
dm = st.get("daemon", {}) if st else {}
print(f"| {n:,} | `xfrmd` start-up resync (ready in {ready:.2f} s; collector dump "
      f"{dm.get('collector_dump_s', 0):.2f} s, model {dm.get('last_process_s', 0):.2f} s) | "
      f"{dm.get('last_resync_s', 0):.2f} | {cpu0:.2f} | {hwm / 1024:.0f} | | "
      f"{dm.get('last_resync_s', 0) / floor:.1f} |")
# a sample is a resync: its cost (the start-up resync's CPU) spread over the interval in effect
sampling = f"{100 * cpu0 / every_s:.1f} % (one resync every {every_s:.0f} s)" if every_s else "?"
print(f"| {n:,} | `xfrmd` idle {IDLE_S} s: {100 * (cpu1 - cpu0) / IDLE_S:.2f} % CPU with "
      f"{in_window} sample(s), {100 * between / IDLE_S:.2f} % between samples; sampling "
      f"{sampling}; resident {rss / 1024:.0f} MiB = {rss * 1024 / n:.0f} bytes per SA "
      f"(+ policy) | | | | | |")
proc.terminate()
proc.wait(timeout=30)
sys.stdout.flush()
