#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Docs suite: every watch line xfrmd renders (watch-lines over the fuzz-kevent seeds: every
XFRM event type and nf_tables NEWGEN, plus the daemon's own lines) matches
docs/schema/xfrmd-watch.schema.json, and every event the schema names is produced."""
import glob
import json
import os
import subprocess
import sys

exe, root = sys.argv[1], sys.argv[2]
try:
    import jsonschema
except ImportError:
    print("SKIP: python3-jsonschema missing")
    sys.exit(77)
schema = json.load(open(os.path.join(root, "docs", "schema", "xfrmd-watch.schema.json")))
jsonschema.Draft202012Validator.check_schema(schema)
v = jsonschema.Draft202012Validator(schema)
seeds = sorted(glob.glob(os.path.join(root, "tests", "fuzz", "corpus", "fuzz-kevent", "seed-*")))
out = subprocess.run([exe, *seeds], capture_output=True, text=True, check=True).stdout
fails, seen = [], set()
for line in out.splitlines():
    doc = json.loads(line)
    seen.add(doc["event"])
    fails += [f"{line}: {e.message}" for e in v.iter_errors(doc)]
# the schema itself refuses the other time formats a line once had
for t in ("2026-12-07T16:40:19.448123Z", "2026-12-07T16:40:19Z", "1796661619448"):
    if v.is_valid({"event": "overrun", "time": t}):
        fails.append(f"the schema accepts the time {t!r}")
named = set()
for alt in schema["oneOf"]:
    ev = alt.get("properties", {}).get("event", {})
    named |= set(ev.get("enum", [])) | ({ev["const"]} if "const" in ev else set())
# watch.started comes from the request handler, not from a renderer
missing = named - seen - {"watch.started"}
if missing:
    fails.append(f"no rendered line for {sorted(missing)}")
if seen - named:
    fails.append(f"rendered events the schema does not name: {sorted(seen - named)}")
for f in fails:
    print("FAIL:", f)
print(f"{len(out.splitlines())} lines, {len(seen)} events checked, {len(fails)} failures")
sys.exit(1 if fails else 0)
