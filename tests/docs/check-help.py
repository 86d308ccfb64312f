#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Help per verb, and one source for help, man page and completion: every verb answers
`help VERB`, `VERB --help` and `VERB -h` (exit 0, the same text); every option a verb's help
lists is in xfrmctl(8) and offered by the generated bash completion; every long option a
verb's getopt table accepts (tools/xfrmctl/verb-*.c) is in its help, and the completion offers
no option that does not exist; help fits 80 columns."""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from tally import check, finish  # noqa: E402

xfrmctl, root, completion = sys.argv[1:4]


def run(*args):
    p = subprocess.run([xfrmctl, *args], capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


man = open(f"{root}/docs/man/xfrmctl.8").read()
comp = open(completion).read()
rc, top, _ = run("help")
check(rc == 0, "xfrmctl help exits 0")
verbs = re.findall(r"^  (\w+) ", top.split("Verbs:")[1].split("Options:")[0], re.M)
check(len(verbs) >= 8, "verbs parsed from help")
rc, _, err = run("help", "no-such-verb")
check(rc == 2 and "unknown verb" in err, "help of an unknown verb is a usage error (exit 2)")

# the common options of `xfrmctl help`
common = set(re.findall(r"(?<![\w-])(--[a-z][a-z-]+|-[a-zA-Z])\b", top.split("Options:")[1]))
for verb in verbs:
    rc, text, err = run("help", verb)
    check(rc == 0 and text.startswith(f"Usage: xfrmctl {verb}"), f"help {verb}: exit 0 and a usage line ({rc}, {err})")
    for form in (["--help"], ["-h"]):
        rc2, text2, _ = run(verb, *form)
        check(rc2 == 0 and text2 == text, f"{verb} {form[0]} prints the same as help {verb}")
    for line in (top + text).splitlines():
        check(len(line) <= 80, f"help {verb}: line over 80 columns: {line!r}")
    own = text.split(f"{verb} options:")[1].split("\nOptions:")[0] if f"{verb} options:" in text else ""
    opts = re.findall(r"^  (-\w, )?(--[a-z][a-z0-9-]*)", own, re.M)
    for short, long in opts:
        name = long[2:]
        check(re.search(r"Fl -" + re.escape(name) + r"\b", man) is not None,
              f"{verb} {long} is not in xfrmctl.8")
        block = re.search(r"\n    " + verb + r"\)\n(.*?);;", comp, re.S)
        check(block is not None and re.search(r"(?<![\w-])" + re.escape(long) + r"(?![\w-])", block.group(1)) is not None,
              f"completion of {verb} does not offer {long}")
        if short:
            check(block is not None and short[:2] in block.group(1), f"completion of {verb} lacks {short[:2]}")
    # the verb's getopt table accepts exactly what its help lists (plus the common options)
    src = ""
    for f in (f"verb-{verb}.c",):
        try:
            src = open(f"{root}/tools/xfrmctl/{f}").read()
        except OSError:
            pass
    accepted = set(re.findall(r'\{\s*"([a-z][a-z0-9-]*)",\s*(?:no|required|optional)_argument', src))
    listed = {l[2:] for _, l in opts}
    for a in sorted(accepted - listed):
        check(False, f"{verb} accepts --{a} but its help does not list it")
    for l in sorted(listed - accepted):
        check(not src, f"{verb} help lists --{l} but verb-{verb}.c does not accept it")
    # the completion offers nothing that neither the verb nor the common options know
    block = re.search(r"\n    " + verb + r"\)\n(.*?);;", comp, re.S)
    if block:
        offered = " ".join(re.findall(r'compgen -W "([^"$]*)"', block.group(1)))
        for w in re.findall(r"(?<![\w-])(--?[a-zA-Z][a-z0-9-]*)", offered):
            check(w in common or w[2:] in listed or (len(w) == 2 and any(s and s[:2] == w for s, _ in opts)),
                  f"completion of {verb} offers {w}, which does not exist")

finish()
