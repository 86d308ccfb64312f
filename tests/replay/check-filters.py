#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""show sa spi/reqid/src/dst and show policy dir/reqid, in text and JSON, over a replay
snapshot: only the selected objects are listed; a selector without its section, or with a
bad value, is a usage error (exit 2)."""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from tally import check, finish  # noqa: E402

xfrmctl, root = sys.argv[1:3]
snap = f"{root}/tests/replay/snapshots/kernel-fault-stale-sas.pcapng"


def run(*args):
    p = subprocess.run([xfrmctl, "-r", snap, *args], capture_output=True, text=True,
                       env={"XFRMCTL_COLOR": "never", "PATH": "/usr/bin:/bin"})
    return p.returncode, p.stdout


def sas(*sel):
    rc, out = run("show", "sa", *sel, "--json")
    check(rc == 0, f"show sa {' '.join(sel)} --json: exit {rc}")
    d = json.loads(out)
    check(d["sa_dump"]["sa_count"] == len(d["sas"]), "sa_dump.sa_count counts the listed SAs")
    return d["sas"]


every = sas()
check(len(every) == 4, f"4 SAs without a selector ({len(every)})")
one = sas("spi", "0xc0e361bc")
check([s["spi"] for s in one] == [0xc0e361bc], f"spi 0xc0e361bc: {one}")
check(sas("spi", str(0xc0e361bc)) == one, "a decimal SPI selects the same SA")
by_src = sas("src", "192.0.2.2")
check(len(by_src) == 2 and all(s["src"] == "192.0.2.2" for s in by_src), f"src 192.0.2.2: {by_src}")
by_dst = sas("dst", "192.0.2.2", "reqid", "1")
check(len(by_dst) == 2 and all(s["dst"] == "192.0.2.2" for s in by_dst), f"dst + reqid: {by_dst}")
check(sas("reqid", "7") == [], "reqid 7 selects nothing")
rc, out = run("show", "sa", "spi", "0xc0e361bc")
rows = [l for l in out.splitlines() if l.startswith("192.")]
check(rc == 0 and len(rows) == 1 and "0xc0e361bc" in rows[0] and out.endswith("1 SA\n"), f"text: {out!r}")

rc, out = run("show", "policy", "dir", "fwd", "--json")
pols = json.loads(out)["policies"]
check(rc == 0 and [p["dir"] for p in pols] == ["fwd"], f"policy dir fwd: {pols}")
rc, out = run("show", "policy", "dir", "in")
check(rc == 0 and out.endswith("1 policy\n") and "\nin " in out, f"text dir in: {out!r}")
rc, out = run("show", "policy", "reqid", "1", "--json")
check(len(json.loads(out)["policies"]) == 3, "policy reqid 1: the three template policies")

for bad in (["show", "policy", "spi", "1"], ["show", "sa", "dir", "in"], ["show", "sa", "spi", "zz"],
            ["show", "sa", "src", "nope"], ["show", "policy", "dir", "sideways"], ["show", "sa", "spi"],
            ["show", "spi", "1"]):
    rc, _ = run(*bad)
    check(rc == 2, f"{' '.join(bad)}: usage error (exit {rc})")

finish()
