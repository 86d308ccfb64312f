#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Text tables against golden files at COLUMNS=80, COLUMNS=200 and piped (no COLUMNS), for
show sa, show policy, peers, check and help; at COLUMNS=80 no line of any table verb over any
replay snapshot is longer than 80 columns; piped, one record per table line (no wrapping).
--regen rewrites the golden files (review the diff)."""
import glob
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from tally import check, finish  # noqa: E402

xfrmctl, root = sys.argv[1:3]
regen = "--regen" in sys.argv
snapdir = f"{root}/tests/replay/snapshots"
golden = f"{root}/tests/replay/golden-text"
GOLDEN_SNAPS = ["handmade-gateway", "fw-ipsec-site", "kstack-two-daemons"]
VERBS = [["show", "sa"], ["show", "policy"], ["peers"], ["check"]]
WIDTHS = {"80": "80", "200": "200", "pipe": None}


def run(args, columns):
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "NO_COLOR", "XFRMCTL_COLOR")}
    env["XFRMCTL_COLOR"] = "never"
    if columns:
        env["COLUMNS"] = columns
    p = subprocess.run([xfrmctl, *args], capture_output=True, text=True, env=env)
    return p.returncode, p.stdout


def compare(name, text):
    path = f"{golden}/{name}.txt"
    if regen:
        with open(path, "w") as f:
            f.write(text)
        return
    try:
        want = open(path).read()
    except OSError:
        want = None
    check(want == text, f"{name}: differs from {path}")


for snap in GOLDEN_SNAPS:
    for verb in VERBS:
        for wname, cols in WIDTHS.items():
            rc, out = run(["-r", f"{snapdir}/{snap}.pcapng", *verb], cols)
            check(rc in (0, 1), f"{snap} {' '.join(verb)}: exit {rc}")
            compare(f"{snap}.{'-'.join(verb)}.{wname}", out)
for wname, cols in WIDTHS.items():
    compare(f"help.{wname}", run(["help"], cols)[1])

# every table at 80 columns, over every snapshot, also with -v
for snap in sorted(glob.glob(f"{snapdir}/*.pcapng")):
    for verb in VERBS + [["check", "-v"], ["show", "all"], ["status"]]:
        rc, out = run(["-r", snap, *verb], "80")
        for line in out.splitlines():
            check(len(line) <= 80, f"{os.path.basename(snap)} {' '.join(verb)}: line over 80: {line!r}")
        # piped: a table line per record (rows = count line's number for show sa)
        if verb == ["show", "sa"]:
            rc, piped = run(["-r", snap, *verb], None)
            lines = piped.splitlines()
            n = int(lines[-1].split()[0]) if lines and lines[-1].endswith(("SA", "SAs")) else None
            if n is not None:
                start = next(i for i, l in enumerate(lines) if l.startswith("SRC"))
                check(len(lines) - start - 2 == n, f"{os.path.basename(snap)} show sa piped: one line per SA")

# -o, --no-headings, --raw
snap = f"{snapdir}/handmade-gateway.pcapng"
rc, out = run(["-r", snap, "peers", "-o", "peer,state", "--no-headings"], None)
check(rc == 0 and out == "198.51.100.7 degraded\n", f"peers -o peer,state --no-headings: {out!r}")
rc, out = run(["-r", snap, "check", "--raw", "-o", "ID"], "80")
check(out.splitlines()[:2] == ["ID", "policy.missing_fwd"], f"check --raw -o ID: {out!r}")
rc, out = run(["-r", snap, "check", "--raw", "-o", "summary", "--no-headings"], "20")
check((out.splitlines() or [""])[0].startswith("in\\x20policy\\x200.0.0.0/16"), f"--raw escapes blanks, never wraps: {out!r}")
rc, out = run(["-r", snap, "show", "sa", "-o", "nosuch"], None)
check(rc == 2, "-o with an unknown column is a usage error")
rc, out = run(["-r", snap, "show", "all", "-o", "SRC"], None)
check(rc == 2, "-o with several tables is a usage error")

finish()
