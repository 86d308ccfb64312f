#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Kernel events go out before the resync they trigger (issue 16, defect 8), on this machine's
kernel in a network namespace with a policy database large enough that a resync takes a
while (20k policies).

A lone out policy with a template is added: its event schedules a resync that raises
policy.missing_partner. While that resync is in flight (dumped by the collector, then decoded
and checked by the main process) a bulk policy is deleted. Its xfrm.policy_deleted line must
reach a watcher before the finding.raised line of the in-flight resync: events are facts and
go out as the kernel reports them, findings are the reconciliation. Every line must match
docs/schema/xfrmd-watch.schema.json. Only arrival and order are asserted, never a latency
(the figures are printed; tests/bench/bench-events.py measures)."""
import json
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from xdtest import Client, Daemon, Netns, check, event_wall, finish, sh  # noqa: E402

N = int(os.environ.get("XD_EVENTS_POLICIES", "20000"))
DEBOUNCE_MS = 50
ns = Netns(f"xd-ev-{os.getpid()}")
d = None
try:
    ns.ip("link", "set", "lo", "up")
    # N plain policies (no template: no finding of their own), one batch
    with tempfile.NamedTemporaryFile("w", suffix=".batch", delete=False) as f:
        for i in range(N):
            f.write(f"xfrm policy add src 10.{100 + i // 65536}.{(i // 256) % 256}.{i % 256}/32 "
                    f"dst 172.16.0.0/16 dir out\n")
        batch = f.name
    r = sh("ip", "-n", ns.name, "-batch", batch, check_rc=False)
    os.unlink(batch)
    check(r.returncode == 0, f"{N} policies installed", r.stderr.strip()[:200])
    d = Daemon(ns, f"debounce = {DEBOUNCE_MS}ms\nmin_resync_interval = 100ms\nsample_interval = 300s\n"
                   "debug = yes\n")
    w = Client(d.sock, {"command": "watch"})
    t, _ = w.wait_for(lambda e: e.get("event") == "watch.started", 5)
    check(t is not None, "watch subscription acknowledged")
    lines = []

    def seen(e, pred):
        lines.append(e)
        return pred(e)

    time.sleep(1.0)  # nothing in flight
    lone = "src 10.250.0.0/24 dst 10.251.0.0/24 dir out tmpl src 192.0.2.1 dst 192.0.2.2 proto esp reqid 9 mode tunnel"
    ns.ip("xfrm", "policy", "add", *lone.split())
    t_add, _ = w.wait_for(lambda e: seen(e, lambda x: x.get("event") == "xfrm.policy_added" and
                                         x.get("src") == "10.250.0.0/24"), 5)
    check(t_add is not None, "the lone policy's event on watch")
    # the resync it scheduled starts DEBOUNCE_MS after the event; delete while it runs
    time.sleep(DEBOUNCE_MS / 1000 + 0.03)
    t0, w0 = time.monotonic(), time.time()
    ns.ip("xfrm", "policy", "del", "src", "10.100.0.7/32", "dst", "172.16.0.0/16", "dir", "out")
    t_ip = time.monotonic() - t0
    order = []
    deadline = time.monotonic() + 60
    for t_rx, e in w.lines(60):
        lines.append(e)
        if e.get("event") == "xfrm.policy_deleted" and e.get("src") == "10.100.0.7/32":
            order.append(("deleted", t_rx))
            stamped = (event_wall(e) - w0) * 1000
        if e.get("event") == "finding.raised" and e["finding"]["id"] == "policy.missing_partner":
            order.append(("finding", t_rx))
        if {o[0] for o in order} == {"deleted", "finding"} or time.monotonic() > deadline:
            break
    kinds = [o[0] for o in order]
    check("deleted" in kinds, "the deletion during the resync reaches the watcher")
    check("finding" in kinds, "the resync raises policy.missing_partner for the lone policy")
    lat = {k: (t - t0) * 1000 for k, t in order}
    check(kinds[:1] == ["deleted"], "the kernel event goes out before the findings of the resync in flight",
          " then ".join(f"{k} at {lat[k]:.0f} ms" for k in kinds) +
          (f"; `ip` ran {t_ip * 1000:.0f} ms, xfrmd read the event at {stamped:.0f} ms" if "deleted" in kinds else ""))
    resyncs = [l for l in d.logtext().splitlines() if "resync " in l and " policies, " in l]
    print("daemon:", resyncs[-2:] if resyncs else "no resync logged")
    try:
        import jsonschema
        schema = json.load(open(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                             "../../docs/schema/xfrmd-watch.schema.json")))
        v = jsonschema.Draft202012Validator(schema)
        errs = [f"{e.get('event')}: {x.message}" for e in lines
                for x in v.iter_errors({k: y for k, y in e.items() if k != "_rx"})]
        check(not errs, f"all {len(lines)} watch lines match the watch schema", "; ".join(errs[:3]))
    except ImportError:
        print("SKIP: python3-jsonschema missing, lines not validated")
    w.close()
    check(d.stop() == 0, "clean exit")
    d = None
finally:
    if d:
        d.proc.kill()
    ns.close()
finish()
