#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Replay suite: every committed snapshot through every reading verb, JSON validated
against docs/schema/xfrmctl.schema.json and diffed against golden files.

XD_REGENERATE=1 rewrites the golden files (review the diff before committing)."""
import json
import os
import subprocess
import sys

import jsonschema

xfrmctl, srcdir = sys.argv[1], sys.argv[2]
here = os.path.join(srcdir, "tests", "replay")
schema = json.load(open(os.path.join(srcdir, "docs", "schema", "xfrmctl.schema.json")))
validator = jsonschema.Draft202012Validator(schema)
regen = os.environ.get("XD_REGENERATE") == "1"
verbs = [["show", "all"], ["show", "sa"], ["status"], ["check"], ["peers"], ["show", "kernel"], ["show", "stack"],
         ["show", "firewall"], ["show", "certs"], ["show", "tunnels"]]
failed = passed = 0


def run(args):
    p = subprocess.run([xfrmctl] + args, capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def check(name, ok, detail=""):
    global failed, passed
    if ok:
        passed += 1
    else:
        failed += 1
        print(f"FAIL: {name} {detail}")


snaps = sorted(f for f in os.listdir(os.path.join(here, "snapshots")) if f.endswith(".pcapng"))
for snap in snaps:
    path = os.path.join(here, "snapshots", snap)
    for verb in verbs:
        tag = f"{snap[:-7]}.{'-'.join(verb)}"
        rc, out, err = run(["-r", path, "--json"] + verb)
        check(f"{tag} exit", rc in (0, 1), f"rc={rc} {err}")
        try:
            doc = json.loads(out)
        except ValueError as e:
            check(f"{tag} parses", False, str(e))
            continue
        check(f"{tag} meta first", list(doc)[0] == "meta")
        errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
        check(f"{tag} schema", not errors, "; ".join(f"{list(e.path)}: {e.message}" for e in errors[:5]))
        golden = os.path.join(here, "golden", tag + ".json")
        text = json.dumps(doc, indent=1, sort_keys=False) + "\n"
        if regen or not os.path.exists(golden):
            open(golden, "w").write(text)
        else:
            check(f"{tag} golden", open(golden).read() == text,
                  f"(differs from {golden}; XD_REGENERATE=1 to update)")
        # text output: no control bytes but newline/tab, no (null)
        rc, out, err = run(["-r", path] + verb)
        bad = [c for c in out if (ord(c) < 0x20 and c not in "\n\t") or ord(c) == 0x7f]
        check(f"{tag} text", not bad and "(null)" not in out, repr(bad[:3]))

# live output validates too, where this process may read the kernel
for verb in verbs:
    rc, out, err = run(["--json"] + verb)
    if rc == 3:
        print(f"SKIP: live {' '.join(verb)}: {err.strip()}")
        continue
    doc = json.loads(out)
    errors = list(validator.iter_errors(doc))
    check(f"live {' '.join(verb)} schema", not errors, "; ".join(e.message for e in errors[:5]))

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
