#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Support archives (docs/support-archives.md) against the snapshot of the same state.

tests/data/archives/uml-6.1-iproute2-6.1 holds real command output of one gateway (the UML
bed, iproute2 6.1; keys are the bed's canaries) and `xfrmctl capture -w` of the same moment.
  - a sos report tree built from it (state masked as sos's libreswan plugin does) gives, under
    `check`, the snapshot's sa.*/policy.*/xfrmstat.* finding ids except those that need
    inputs not imported yet (OFFLINE_BLIND, listed with why);
  - `-r ip_-s_-d_xfrm_state show sa` equals the snapshot's SAs, `-r ip_-s_-d_xfrm_policy
    show policy` its policies, field for field;
  - unmasked keys: tool.keys_in_snapshot, and no key (hex, or any 8-byte window) in any output;
  - per-input statuses: absent, and a failed command's text is error/EBADMSG + tool.dump_failed.
usage: archive-test.py XFRMCTL SOURCE_ROOT
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

XFRMCTL, ROOT = sys.argv[1], sys.argv[2]
DATA = os.path.join(ROOT, "tests", "data", "archives", "uml-6.1-iproute2-6.1")
FAMILIES = ("sa.", "policy.", "xfrmstat.")
# needs the local addresses (`ip addr` is not imported yet): which subnets are forwarded
OFFLINE_BLIND = {"policy.missing_fwd"}
failed = False


def check(cond, what):
    global failed
    print(("PASS: " if cond else "FAIL: ") + what)
    failed |= not cond


def run(*args):
    p = subprocess.run([XFRMCTL, *args], capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def ids(path):
    rc, out, err = run("-r", path, "--json", "check")
    check(rc in (0, 1), f"check -r {os.path.basename(path)} exits 0/1 (got {rc}: {err.strip()})")
    doc = json.loads(out)
    return {f["id"] for f in doc["findings"]}, doc


def keys_of(text):
    return sorted(set(re.findall(r"0x([0-9a-f]{16,})", text)))


tmp = tempfile.mkdtemp(prefix="xfrmd-archive-test-")
try:
    sos = os.path.join(tmp, "sosreport-gw-2026")
    for d in ("sos_commands/libreswan", "sos_commands/kernel", "proc/net"):
        os.makedirs(os.path.join(sos, d))
    files = {"ip_xfrm_state.sos-masked": "sos_commands/libreswan/ip_xfrm_state",
             "ip_xfrm_policy": "sos_commands/libreswan/ip_xfrm_policy",
             "xfrm_stat": "proc/net/xfrm_stat", "uname_-a": "sos_commands/kernel/uname_-a"}
    for src, dst in files.items():
        shutil.copy(os.path.join(DATA, src), os.path.join(sos, dst))

    snap_ids, _ = ids(os.path.join(DATA, "west.pcapng"))
    arch_ids, doc = ids(sos)
    want = {i for i in snap_ids if i.startswith(FAMILIES)} - OFFLINE_BLIND
    got = {i for i in arch_ids if i.startswith(FAMILIES)}
    check(want and got == want, f"sos report check names the snapshot's ids {sorted(want)} (got {sorted(got)})")
    check("tool.keys_in_snapshot" not in arch_ids, "masked keys: no tool.keys_in_snapshot")
    st = {d: v["status"] for d, v in doc["meta"]["dumps"].items()}
    check(st == {"xfrm.sa": "complete", "xfrm.policy": "complete", "file.xfrm_stat": "complete",
                 "file.uname": "complete"}, f"every input found: {st}")
    check(doc["meta"]["dumps"]["xfrm.sa"].get("input") == "sos_commands/libreswan/ip_xfrm_state",
          "meta.dumps names the input file")

    # single files, field for field against the snapshot
    for verb, f, key, sort in (("sa", "ip_-s_-d_xfrm_state", "sas", "spi"),
                               ("policy", "ip_-s_-d_xfrm_policy", "policies", "index")):
        _, a, _ = run("-r", os.path.join(DATA, "west.pcapng"), "--json", "show", verb)
        rc, b, err = run("-r", os.path.join(DATA, f), "--json", "show", verb)
        a = sorted(json.loads(a)[key], key=lambda x: x[sort])
        b = sorted(json.loads(b)[key], key=lambda x: x[sort]) if rc == 0 else None
        check(a and a == b, f"-r {f} show {verb} equals the snapshot's {len(a)} {key}")

    # every real output of every variant reads without a decode issue or unknown line
    for f in sorted(os.listdir(DATA)):
        if f.startswith(("ip_", "xfrm_stat", "uname")):
            rc, out, err = run("-r", os.path.join(DATA, f), "--json", "show", "all")
            dec = json.loads(out)["meta"]["decode"] if rc == 0 else {}
            check(rc == 0 and dec["issues"] == 0 and dec["unknown_attributes"] == 0,
                  f"-r {f}: read without issues ({dec or err.strip()})")

    # unmasked keys: dropped, flagged, never printed
    raw = os.path.join(DATA, "ip_-s_-d_xfrm_state")
    keys = keys_of(open(raw).read())
    check(len(keys) >= 10, f"positive control: {len(keys)} keys in the unmasked text")
    shutil.copy(raw, os.path.join(sos, "sos_commands/libreswan/ip_xfrm_state"))
    outs = []
    for args in (["--json", "check"], ["check", "-v"], ["--json", "show", "all"], ["show", "all"],
                 ["show", "sa"], ["--json", "show", "sa"]):
        outs.append(run("-r", sos, *args))
    outs.append(run("-r", raw, "--json", "show", "sa"))
    blob = "\n".join(o + e for _, o, e in outs).lower()
    leaks = [k for k in keys if k in blob or any(k[i:i + 16] in blob for i in range(0, len(k) - 15, 2))]
    check(not leaks, f"no key (or 8-byte window of one) in {len(outs)} outputs")
    arch_ids, doc = ids(sos)
    check("tool.keys_in_snapshot" in arch_ids and doc["meta"]["decode"].get("keys_scrubbed_on_load", 0) >= 10,
          "unmasked keys: tool.keys_in_snapshot, counted in meta.decode")

    # a failed command and a missing file are said, not guessed
    with open(os.path.join(sos, "sos_commands/libreswan/ip_xfrm_policy"), "w") as f:
        f.write("RTNETLINK answers: Operation not permitted\n")
    os.unlink(os.path.join(sos, "proc/net/xfrm_stat"))
    arch_ids, doc = ids(sos)
    d = doc["meta"]["dumps"]
    check(d["xfrm.policy"]["status"] == "error" and d["xfrm.policy"].get("errno") == 74,
          f"failed command: xfrm.policy error/EBADMSG ({d['xfrm.policy']})")
    check(d["file.xfrm_stat"]["status"] == "absent", "missing file: absent")
    check("tool.dump_failed" in arch_ids, "failed command: tool.dump_failed")
    check("sa.orphan" not in arch_ids, "no policy view: no sa.orphan guessed")

    rc, _, err = run("-r", os.path.join(tmp), "check")
    check(rc == 3 and "is a directory, but neither a sos report" in err, f"a plain directory is refused: {err.strip()}")
    # a single file says neither kernel nor time: the header says so instead of 1970
    rc, out, _ = run("-r", os.path.join(DATA, "ip_xfrm_state.sos-masked"), "show", "sa")
    first = out.splitlines()[0] if out else ""
    check(rc == 0 and "1970" not in first and "kernel unknown" in first and "time unknown" in first,
          f"text header of a lone file: {first!r}")
finally:
    shutil.rmtree(tmp)
sys.exit(1 if failed else 0)
