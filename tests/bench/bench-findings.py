#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""How findings scale (not a test): a concentrator whose IKE daemon is down, N policies with
templates and no SA (`gen-snapshot --no-sa N`: N/2 out policies, each one policy.tmpl_no_sa
subject), through `check --json`, `check` and `peers --json`. Prints a Markdown table of wall
time, CPU time, peak RSS, output size and findings in the document. Run after building:
    ninja -C build tests/bench/gen-snapshot && tests/bench/bench-findings.py build [N ...]
XFRMCTL=/path/to/xfrmctl measures another xfrmctl (e.g. an older commit's) on the same files."""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import measure  # noqa: E402

build = sys.argv[1] if len(sys.argv) > 1 else "build"
sizes = [int(x) for x in sys.argv[2:]] or [10000, 60000, 100000]
gen = os.path.join(build, "tests", "bench", "gen-snapshot")
xfrmctl = os.environ.get("XFRMCTL") or os.path.join(build, "tools", "xfrmctl", "xfrmctl")

rows = []
with tempfile.TemporaryDirectory() as tmp:
    for n in sizes:
        snap = os.path.join(tmp, f"{n}.pcapng")
        subprocess.run([gen, "--no-sa", str(n), snap], check=True)
        for verb in (["check", "--json"], ["check"], ["peers", "--json"]):
            cmd = [xfrmctl, "-r", snap] + verb
            wall, cpu, rss = measure(cmd, 3)
            out = subprocess.run(cmd, capture_output=True).stdout
            found = "" if verb != ["check", "--json"] else len(json.loads(out)["findings"])
            rows.append((n, " ".join(verb), wall, cpu, rss, len(out), found))
        os.unlink(snap)

print("| policies | command | wall s | CPU s | peak RSS MiB | output bytes | findings |")
print("|---:|---|---:|---:|---:|---:|---:|")
for n, verb, wall, cpu, rss, size, found in rows:
    print(f"| {n:,} | `xfrmctl -r FILE {verb}` | {wall:.2f} | {cpu:.2f} | {rss:.0f} | {size:,} | {found} |")
