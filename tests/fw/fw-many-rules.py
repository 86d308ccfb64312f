#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Kernel scenario (issue 16): an ordinary but long nft rule set does not crash the evaluator.

   [ns xdfwmany-PID]  gw0 192.0.2.1, ESP tunnel policies 10.1.0.0/16 <-> 10.2.0.0/16 to peer
                      198.51.100.7; inet filter input: 100,000 x `counter`, then
                      `ip saddr 198.51.100.7 meta l4proto esp counter drop`

The evaluator once recursed per matching non-terminal rule: `xfrmctl check` died of SIGSEGV
and the daemon's main process at its first resync. Checks: `xfrmctl -n NS check`, the same
from a captured snapshot (`-r`), and xfrmd in the namespace (started before the rules are
loaded, so the load makes it resync) all name fw.esp_blocked with the drop rule's handle and
keep running.

XD_FW_MANY_RULES sets the number of counter rules (default 100000). Root only; skips with 77.
"""
import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "daemon"))
from xdtest import Daemon, Netns, check, finish, request, sh, skip  # noqa: E402

PEER, GW = "198.51.100.7", "192.0.2.1"
N = int(os.environ.get("XD_FW_MANY_RULES", "100000"))
xfrmctl = os.environ.get("XFRMCTL") or (sys.argv[1] if len(sys.argv) > 1 else None)
if not xfrmctl or "XFRMD" not in os.environ:
    skip("XFRMCTL and XFRMD not given")
if subprocess.run(["nft", "--version"], capture_output=True).returncode != 0:
    skip("nft not installed")


def esp_blocked(doc, handle):
    """fw.esp_blocked for the peer, inbound, naming the drop rule."""
    return [f for f in doc.get("findings", []) if f["id"] == "fw.esp_blocked"
            and f["subject"].get("peer") == PEER and f["subject"].get("dir") == "in"
            and f["subject"].get("rule", {}).get("handle") == handle]


def run_check(*source):
    r = subprocess.run([xfrmctl, *source, "-j", "check"], capture_output=True, text=True)
    try:
        doc = json.loads(r.stdout)
    except ValueError:
        doc = {}
    # 0 or 1 (problems found); a signal shows as a negative return code
    return r.returncode, doc


ns = Netns(f"xdfwmany{os.getpid()}")
d = None
tmp = tempfile.mkdtemp(prefix="xd-fwmany-")
try:
    ns.ip("link", "set", "lo", "up")
    ns.ip("link", "add", "gw0", "type", "veth", "peer", "name", "gw1")
    ns.ip("addr", "add", f"{GW}/24", "dev", "gw0")
    ns.ip("link", "set", "gw0", "up")
    ns.ip("link", "set", "gw1", "up")
    ns.ip("xfrm", "policy", "add", "src", "10.1.0.0/16", "dst", "10.2.0.0/16", "dir", "out",
          "tmpl", "src", GW, "dst", PEER, "proto", "esp", "reqid", "1", "mode", "tunnel")
    ns.ip("xfrm", "policy", "add", "src", "10.2.0.0/16", "dst", "10.1.0.0/16", "dir", "in",
          "tmpl", "src", PEER, "dst", GW, "proto", "esp", "reqid", "1", "mode", "tunnel")
    # xfrmd first, with no rules yet (ready quickly); loading the rules is the change that
    # makes it resync over the long chain
    d = Daemon(ns, "debounce = 50ms\nmin_resync_interval = 200ms\n")
    rules = os.path.join(tmp, "rules.nft")
    with open(rules, "w") as f:
        f.write("table inet filter {\n\tchain input {\n"
                "\t\ttype filter hook input priority 0; policy accept;\n")
        f.write("\t\tcounter\n" * N)
        f.write(f"\t\tip saddr {PEER} meta l4proto esp counter drop\n\t}}\n}}\n")
    r = sh("ip", "netns", "exec", ns.name, "nft", "-f", rules, check_rc=False)
    if r.returncode:
        skip(f"nft cannot load the rule set here: {r.stderr.strip()[:200]}")
    listing = sh("ip", "netns", "exec", ns.name, "nft", "-a", "list", "chain", "inet", "filter",
                 "input").stdout
    handle = int([ln for ln in listing.splitlines() if "esp" in ln][0].rsplit("# handle ", 1)[1])

    rc, doc = run_check("-n", ns.name)
    check(rc in (0, 1), f"xfrmctl -n NS check with {N} counter rules exits normally", f"exit {rc}")
    check(bool(esp_blocked(doc, handle)), "it names fw.esp_blocked, rule handle %d" % handle)

    snap = os.path.join(tmp, "many.pcapng")
    sh(xfrmctl, "-n", ns.name, "capture", "-w", snap)
    rc, doc = run_check("-r", snap)
    check(rc in (0, 1), "xfrmctl -r SNAPSHOT check exits normally", f"exit {rc}")
    check(bool(esp_blocked(doc, handle)), "the snapshot gives the same finding")

    # the daemon resyncs after the load (nf_tables NEWGEN) and evaluates the long chain
    deadline = time.monotonic() + 150
    found = False
    while time.monotonic() < deadline and d.proc.poll() is None and not found:
        try:
            doc = request(d.sock, {"command": "check"}, timeout=60)
            found = bool(esp_blocked(doc, handle))
        except (OSError, ValueError):
            pass
        if not found:
            time.sleep(0.5)
    check(found and d.proc.poll() is None,
          "xfrmd resyncs over the rule set, names fw.esp_blocked and keeps running",
          f"daemon exit {d.proc.returncode}" if d.proc.poll() is not None else "")
finally:
    if d is not None and d.proc.poll() is None:
        d.stop()
    ns.close()
    subprocess.run(["rm", "-rf", tmp])
finish()
