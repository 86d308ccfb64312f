#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""xfrmd's memory with many findings (not a test; root): N tunnels whose IKE daemon is down,
i.e. N out and N in policies with templates and no SA, in a fresh network namespace on this
machine's kernel (policies need no ESP). Each out policy is a policy.tmpl_no_sa subject and
each in policy, for a forwarded subnet without its fwd policy, a policy.missing_fwd subject.
Starts xfrmd, waits for its first diagnosis and prints a Markdown row: resident and peak
memory of the main process, the size of its `check` and `findings` replies (compact JSON),
findings raised.
    XFRMD=build/xfrmd/daemon/xfrmd tests/bench/bench-daemon-findings.py 30000 [...]"""
import json
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "daemon"))
from xdtest import Daemon, Netns, request  # noqa: E402


def status_kib(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def policies(n):
    """ip -batch lines: tunnel t protects 10.0.0.0/16 <-> 11.x.y.0/24 via 192.0.2.1 <-> 100.x.y.z"""
    lines = []
    for t in range(n):
        remote = f"11.{t >> 16 & 255}.{t >> 8 & 255}.{t & 255}"
        peer = f"100.{t >> 16 & 255}.{t >> 8 & 255}.{t & 255}"
        lines.append(f"xfrm policy add src 10.0.0.0/16 dst {remote}/32 dir out "
                     f"tmpl src 192.0.2.1 dst {peer} proto esp reqid {t + 1} mode tunnel")
        lines.append(f"xfrm policy add src {remote}/32 dst 10.0.0.0/16 dir in "
                     f"tmpl src {peer} dst 192.0.2.1 proto esp reqid {t + 1} mode tunnel")
    return "\n".join(lines) + "\n"


print("| tunnels (policies) | xfrmd RSS MiB | peak MiB | `check` reply bytes | `findings` reply bytes | findings raised |")
print("|---:|---:|---:|---:|---:|---:|")
for n in [int(x) for x in sys.argv[1:]] or [30000]:
    ns = Netns(f"xd-bf-{os.getpid()}-{n}")
    d = None
    try:
        ns.ip("link", "add", "d0", "type", "veth", "peer", "name", "d1")
        ns.ip("addr", "add", "192.0.2.1/24", "dev", "d0")
        ns.ip("link", "set", "d0", "up")
        with tempfile.NamedTemporaryFile("w", suffix=".batch") as b:
            b.write(policies(n))
            b.flush()
            ns.ip("-batch", b.name)
        d = Daemon(ns, "sample_interval = 600s\n")
        deadline = time.time() + 300
        st = {}
        while time.time() < deadline:  # the first diagnosis has run once findings are counted
            try:
                st = request(d.sock, {"command": "status"}, 120).get("daemon", {})
            except ValueError:  # busy past the timeout: ask again
                continue
            if st.get("findings_raised", 0) > 0:
                break
            time.sleep(0.2)
        time.sleep(1)
        rss, hwm = status_kib(d.pid, "VmRSS") / 1024, status_kib(d.pid, "VmHWM") / 1024
        size = {}
        for cmd in ("check", "findings"):  # the reply as compact JSON
            try:
                doc = request(d.sock, {"command": cmd}, 300)
            except ValueError:  # the daemon closed without a reply
                size[cmd] = "no reply"
                continue
            doc.pop("_rx", None)
            size[cmd] = f'{len(json.dumps(doc, separators=(",", ":"))):,}'
        size["log"] = d.logtext().strip().splitlines()[-1:]
        print(f"| {n:,} ({2 * n:,}) | {rss:.0f} | {hwm:.0f} | {size['check']} | {size['findings']} | "
              f"{st.get('findings_raised', '?')} |", flush=True)
        print("  last log line:", size["log"], file=sys.stderr)
    finally:
        if d:
            d.stop()
        ns.close()
