#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Docs suite: every registered finding id has docs/findings/<id>.md and every page has an id;
every verb of the verb table is in xfrmctl(8); the man pages render without warnings
(mandoc -Tlint, when installed); the README keeps its two set-up commands and .ci/run runs
the README's test command; every source file starts with an SPDX line; the metrics port and
IPAddressAllow= agree between the man pages, docs/monitoring.md and the unit."""
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from tally import check, finish  # noqa: E402

xfrmctl, root = sys.argv[1], sys.argv[2]


ids = [l.split()[0] for l in subprocess.run([xfrmctl, "explain"], capture_output=True, text=True, check=True).stdout.splitlines()]
pages = {f[:-3] for f in os.listdir(os.path.join(root, "docs", "findings")) if f.endswith(".md")}
for i in ids:
    check(i in pages, f"finding id {i} has no docs/findings/{i}.md")
for p in sorted(pages - set(ids)):
    check(False, f"docs/findings/{p}.md documents no registered id")
for i in ids:
    text = open(os.path.join(root, "docs", "findings", i + ".md")).read() if i in pages else ""
    for section in ("## What it means", "## How to confirm by hand", "## How to fix"):
        check(section in text, f"docs/findings/{i}.md lacks '{section}'")

# verbs: from `xfrmctl help`
help_text = subprocess.run([xfrmctl, "help"], capture_output=True, text=True, check=True).stdout
verbs = re.findall(r"^  (\w+) ", help_text.split("Verbs:")[1].split("Options:")[0], re.M)
check(len(verbs) >= 5, "verb table parsed from help")
man = open(os.path.join(root, "docs", "man", "xfrmctl.8")).read()
for v in verbs:
    check(re.search(r"^\.It Cm " + v + r"\b", man, re.M) is not None, f"verb {v} missing from xfrmctl.8")

if shutil.which("mandoc"):
    for page in ("xfrmctl.8", "xfrm-snapshot.5", "xfrmd.8", "xfrmd.conf.5"):
        p = subprocess.run(["mandoc", "-Tlint", "-Wwarning", os.path.join(root, "docs", "man", page)],
                           capture_output=True, text=True)
        check(p.returncode == 0, f"mandoc -Tlint {page}: {p.stdout}{p.stderr}")
else:
    print("SKIP: mandoc not installed, man pages not linted")

readme = open(os.path.join(root, "README.md")).read()
blocks = re.findall(r"```sh\n(.*?)```", readme, re.S)
cmds = [l for l in blocks[0].splitlines() if l and not l.startswith("#")] if blocks else []
check(len(cmds) == 2, "README starts with exactly two set-up commands")
ci = open(os.path.join(root, ".ci", "run")).read()
if len(cmds) == 2:
    check(cmds[1].strip() in ci, f"README's test command '{cmds[1]}' is what .ci/run runs")

# SPDX line on every source file
for top in ("xfrmd", "tools", "include", "tests", "docs", "rpm", ".ci"):
    for dirpath, _, files in os.walk(os.path.join(root, top)):
        if "corpus" in dirpath or "golden" in dirpath or "snapshots" in dirpath:
            continue
        for f in files:
            if not re.search(r"\.(c|h|sh|py|build|8|5|in|spec|yml|yaml|cfg|sysusers|tmpfiles|icinga2)$", f) and f != "run":
                continue
            head = open(os.path.join(dirpath, f), errors="replace").read(300)
            check("SPDX-License-Identifier: GPL-2.0-or-later" in head, f"{os.path.join(dirpath, f)} has no SPDX line")

# the metrics listener: one port, and one meaning of IPAddressAllow= (loopback only), in the
# man pages, the monitoring guide and the unit's comments (issue 16)
ports, allows = set(), set()
for rel in ("docs/man/xfrmd.conf.5", "docs/man/xfrmd.8", "docs/monitoring.md", "xfrmd/daemon/xfrmd.service.in"):
    text = open(os.path.join(root, rel)).read()
    p = set(re.findall(r"(?:127\.0\.0\.1|\[::1\]|\.net|192\.0\.2\.\d+):(\d+)", text))
    a = set(re.findall(r"IPAddressAllow=(?: Ns Li )?([A-Za-z0-9][^\s,`]*)", text))
    check(bool(p), f"{rel} names the metrics port")
    check(bool(a), f"{rel} says what IPAddressAllow= the loopback listener needs")
    ports |= p
    allows |= a
check(len(ports) == 1, f"one metrics port across the docs and the unit, not {sorted(ports)}")
check(allows == {"localhost"}, f"IPAddressAllow= is localhost everywhere, not {sorted(allows)}")

# the known-issues page lists exactly the entries of the shipped file (tools/kb-doc.py)
kbdoc = subprocess.run([sys.executable, os.path.join(root, "tools", "kb-doc.py"), "--check", root],
                       capture_output=True, text=True)
check(kbdoc.returncode == 0, "docs/known-issues.md entry table is stale: run tools/kb-doc.py")

finish()
