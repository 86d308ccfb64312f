#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""xfrmd on this machine's kernel (policies only, no ESP needed).

   [ns xd-d-PID]  xfrmd (main: no capabilities; collector: CAP_NET_ADMIN)
                  out/in policies 10.0.0.0/24 <-> 10.1.0.0/24 via 192.0.2.1 <-> 192.0.2.2

Checks: capabilities and no_new_privs of both processes; no ACQUIRE/AEVENTS membership; a
deleted policy appears on `watch` and raises policy.missing_partner, re-adding it clears the
finding; a client outside the allowed group is refused with an explicit error and no state;
SIGTERM exits 0 and removes the socket. Every wait polls with a generous bound (xdtest.SLOW);
how fast (event latency, time to a finding, to exit) is measured by
tests/bench/bench-daemon.py."""
import atexit
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from xdtest import (Client, Daemon, Netns, bound, check, event_latency_ms, finish, request, sh,  # noqa: E402
                    skip, status_field, wait_until)

DEBOUNCE_MS, MIN_RESYNC_MS = 50, 200
ns = Netns(f"xd-d-{os.getpid()}")
d = None
try:
    ns.ip("link", "set", "lo", "up")
    pols = {
        "out": "src 10.0.0.0/24 dst 10.1.0.0/24 dir out tmpl src 192.0.2.1 dst 192.0.2.2 proto esp reqid 7 mode tunnel",
        "in": "src 10.1.0.0/24 dst 10.0.0.0/24 dir in tmpl src 192.0.2.2 dst 192.0.2.1 proto esp reqid 7 mode tunnel",
    }
    for p in pols.values():
        ns.ip("xfrm", "policy", "add", *p.split())
    # a known issue that applies to every kernel: the daemon must load the same base as
    # xfrmctl, so that `check` answers the same whether the daemon serves it or not
    kbdir = tempfile.mkdtemp(prefix="xd-kb-")
    atexit.register(shutil.rmtree, kbdir, True)
    os.chmod(kbdir, 0o755)
    kbfile = os.path.join(kbdir, "known-issues.json")
    with open(kbfile, "w") as f:
        json.dump({"format": "xfrmd-known-issues/1", "issues": [{
            "id": "test-every-kernel", "title": "a test entry for every kernel",
            "detail": "test", "remedy": "none", "severity": "info",
            "sources": ["tests/daemon/daemon-netns.py"],
            "applies_to": {"kernel": {"min": "2.6"}}}]}, f)
    os.chmod(kbfile, 0o644)
    os.environ["XFRMD_KNOWN_ISSUES"] = kbfile
    # 'adm' stands for xfrmd-read: any existing group works for the membership checks
    d = Daemon(ns, f"socket_group = adm\ndebounce = {DEBOUNCE_MS}ms\n"
                   f"min_resync_interval = {MIN_RESYNC_MS}ms\nsample_interval = 2s\n")
    # the daemon's collector holds CAP_NET_ADMIN only: files that only root reads (private
    # keys' directories) are reported as unreadable by it, and not by xfrmctl run as root
    def kernel_ids(doc):
        return sorted(f["id"] for f in doc.get("findings", [])
                      if not f["id"].startswith("cert.") and f["id"] != "tool.permission_denied")
    ids_daemon = kernel_ids(request(d.sock, {"command": "check"}))
    r = subprocess.run(["ip", "netns", "exec", ns.name, os.environ["XFRMCTL"], "--no-daemon",
                        "-j", "check"], capture_output=True, text=True)
    ids_direct = kernel_ids(json.loads(r.stdout or "{}"))
    check("kernel.known_issue" in ids_daemon and ids_daemon == ids_direct,
          "the daemon's check has the same findings as xfrmctl's own, known issues included",
          f"daemon {ids_daemon}, xfrmctl {ids_direct}")
    col = d.collector_pid()
    check(col is not None, "collector process exists")
    check(status_field(col, "CapEff") == "0000000000001000", "collector CapEff is CAP_NET_ADMIN only",
          status_field(col, "CapEff"))
    check(status_field(d.pid, "CapEff") == "0000000000000000", "main process CapEff is 0",
          status_field(d.pid, "CapEff"))
    check(status_field(d.pid, "CapPrm") == "0000000000000000", "main process CapPrm is 0")
    check(status_field(d.pid, "NoNewPrivs") == "1" and status_field(col, "NoNewPrivs") == "1",
          "NoNewPrivs set in both processes")
    # non-dumpable: its /proc files belong to root, not to the user it runs as
    check(os.stat(f"/proc/{d.pid}/status").st_uid == 0 and
          sh("cat", f"/proc/{d.pid}/status").returncode == 0, "main process runs (non-dumpable)")

    # netlink memberships of every socket of both processes (this netns's /proc/net/netlink)
    inodes = set()
    for pid in (d.pid, col):
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                t = os.readlink(f"/proc/{pid}/fd/{fd}")
            except OSError:
                continue
            if t.startswith("socket:["):
                inodes.add(t[8:-1])
    rows = sh("ip", "netns", "exec", ns.name, "cat", "/proc/net/netlink").stdout.splitlines()[1:]
    xfrm_groups = [int(r.split()[3], 16) for r in rows if r.split()[1] == "6" and r.split()[-1] in inodes]
    check(len(xfrm_groups) >= 1, "the collector has an XFRM event socket", str(len(xfrm_groups)))
    check(all(g & 0x11 == 0 for g in xfrm_groups), "no ACQUIRE (0x1) or AEVENTS (0x10) membership",
          " ".join(hex(g) for g in xfrm_groups))
    check(any(g & 0x8 for g in xfrm_groups), "POLICY group joined")

    # handle hygiene: every descriptor close-on-exec; the main process holds no netlink socket
    cloexec = True
    for pid in (d.pid, col):
        for fd in os.listdir(f"/proc/{pid}/fd"):
            if int(fd) <= 2:
                continue
            with open(f"/proc/{pid}/fdinfo/{fd}") as f:
                flags = int(f.read().split("flags:")[1].split()[0], 8)
            cloexec &= bool(flags & 0o2000000)
    check(cloexec, "every descriptor of both processes is O_CLOEXEC")
    main_inodes = set()
    for fd in os.listdir(f"/proc/{d.pid}/fd"):
        try:
            t = os.readlink(f"/proc/{d.pid}/fd/{fd}")
        except OSError:
            continue
        if t.startswith("socket:["):
            main_inodes.add(t[8:-1])
    check(not any(r.split()[-1] in main_inodes for r in rows), "the main process holds no netlink socket")

    # watch: a deleted policy as an event, then the finding it causes
    w = Client(d.sock, {"command": "watch"})
    t, _ = w.wait_for(lambda e: e.get("event") == "watch.started")
    check(t is not None, "watch subscription acknowledged")
    time.sleep(0.3)
    # ten changes of a spare policy, each seen on watch (the latency is printed, not judged)
    lats = []
    for i in range(5):
        for op in ("add", "del"):
            ns.ip("xfrm", "policy", op, "src", "10.9.0.0/24", "dst", "10.8.0.0/24", "dir", "out")
            _, e = w.wait_for(lambda x: x.get("event") == ("xfrm.policy_added" if op == "add" else "xfrm.policy_deleted")
                              and x.get("src") == "10.9.0.0/24")
            lats.append(event_latency_ms(e) if e else None)
    seen = sorted(x for x in lats if x is not None)
    check(len(seen) == len(lats), "policy events on watch: every add and delete of a spare policy",
          f"{len(seen)}/{len(lats)}; latency median {seen[len(seen) // 2]:.1f} ms, max {seen[-1]:.1f} ms"
          if seen else "none seen")
    # firewall changes arrive as nf_tables NEWGEN events, naming the committing process
    r = sh("ip", "netns", "exec", ns.name, "nft", "add", "table", "inet", "xdtest", check_rc=False)
    if r.returncode == 0:
        _, e = w.wait_for(lambda x: x.get("event") == "firewall.changed")
        check(e is not None and e.get("process") == "nft",
              "nf_tables commit on watch as firewall.changed (process nft)",
              f"{event_latency_ms(e):.1f} ms" if e else "not seen")
    else:
        print("SKIP: nft cannot add a table here, firewall events not tested")
    t0 = time.monotonic()
    ns.ip("xfrm", "policy", "del", "src", "10.1.0.0/24", "dst", "10.0.0.0/24", "dir", "in")
    t_ip = time.monotonic() - t0
    t_ev, ev = w.wait_for(lambda e: e.get("event") == "xfrm.policy_deleted")
    lat = event_latency_ms(ev) if ev else None
    check(t_ev is not None, "the deleted partner policy appears on watch",
          f"{lat:.1f} ms after the change; {(t_ev - t0) * 1000:.1f} ms after starting `ip`, which ran {t_ip * 1000:.1f} ms"
          if lat is not None else "not seen")
    check(ev is not None and ev.get("dir") == "in" and ev.get("src") == "10.1.0.0/24",
          "event names the policy", str({k: v for k, v in (ev or {}).items() if k != "_rx"}))
    t_f, f = w.wait_for(lambda e: e.get("event") == "finding.raised" and
                        e["finding"]["id"] == "policy.missing_partner")
    check(t_f is not None, "policy.missing_partner raised after the deletion",
          f"{(t_f - t0) * 1000:.0f} ms" if t_f else "not seen")
    t1 = time.monotonic()
    ns.ip("xfrm", "policy", "add", *pols["in"].split())
    t_c, _ = w.wait_for(lambda e: e.get("event") == "finding.cleared" and
                        e["finding"]["id"] == "policy.missing_partner")
    check(t_c is not None, "policy.missing_partner cleared after re-adding",
          f"{(t_c - t1) * 1000:.0f} ms" if t_c else "not seen")
    w.close()

    # xfrmd must not change what it observes: with policies, traffic and no key manager the
    # kernel drops (XfrmOutNoStates rises) and creates no larval SA (testing.md T5)
    ns.ip("link", "add", "v0", "type", "veth", "peer", "name", "v1")
    ns.ip("link", "set", "v0", "up")
    ns.ip("link", "set", "v1", "up")
    ns.ip("addr", "add", "10.0.0.1/24", "dev", "v0")
    ns.ip("route", "add", "10.1.0.0/24", "dev", "v0")

    def out_no_states():
        txt = sh("ip", "netns", "exec", ns.name, "cat", "/proc/net/xfrm_stat").stdout
        return int(txt.split("XfrmOutNoStates")[1].split()[0])
    before = out_no_states()
    sh("ip", "netns", "exec", ns.name, "ping", "-c", "2", "-i", "0.2", "-W", "1", "10.1.0.1", check_rc=False)
    check(out_no_states() > before and "spi" not in ns.ip("xfrm", "state").stdout,
          "with xfrmd running and no key manager: no larval SA, XfrmOutNoStates rises",
          f"{before} -> {out_no_states()}")
    # a key manager (here `ip xfrm monitor acquire`) makes the kernel create a larval SA: the
    # next sample reports it as xfrm.sa_acquire
    w = Client(d.sock, {"command": "watch"})
    w.wait_for(lambda e: e.get("event") == "watch.started")
    km = subprocess.Popen(["ip", "-n", ns.name, "xfrm", "monitor", "acquire"], stdout=subprocess.DEVNULL)

    def acquire_listener():  # an XFRM socket in the namespace has joined ACQUIRE (group 0x1)
        rows = sh("ip", "netns", "exec", ns.name, "cat", "/proc/net/netlink").stdout.splitlines()[1:]
        return any(r.split()[1] == "6" and int(r.split()[3], 16) & 0x1 for r in rows)
    check(wait_until(acquire_listener, 30, 0.1) is not None, "the stand-in key manager listens for ACQUIRE")
    sh("ip", "netns", "exec", ns.name, "ping", "-c", "1", "-W", "1", "10.1.0.1", check_rc=False)
    km.terminate()
    km.wait()
    t_a, a = w.wait_for(lambda e: e.get("event") == "xfrm.sa_acquire")
    check(a is not None and a.get("dst") == "192.0.2.2" and a.get("reqid") == 7,
          "larval SA reported as xfrm.sa_acquire at a following sample", str(a))
    w.close()

    # answers are the xfrmctl documents
    st = request(d.sock, {"command": "status"})
    check(st["meta"]["source"] == "daemon" and st["daemon"]["resyncs"] >= 2,
          "status comes from the daemon with its counters")
    sp = request(d.sock, {"command": "show", "sections": ["policy"]})
    check(len(sp.get("policies", [])) == 2, "show policy lists the 2 policies", str(len(sp.get("policies", []))))
    env = dict(os.environ, XFRMD_SOCKET=d.sock)
    r = subprocess.run([os.environ["XFRMCTL"], "-j", "show", "policy"], env=env,
                       capture_output=True, text=True)
    check(r.returncode == 0 and '"source":"daemon"' in r.stdout.replace(" ", ""),
          "xfrmctl -j show policy is answered by the daemon")
    try:
        import jsonschema
        schema = json.load(open(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                             "../../docs/schema/xfrmctl.schema.json")))
        errs = []
        for req in ({"command": "status"}, {"command": "show"}, {"command": "check"},
                    {"command": "peers"}):
            errs += [f"{req['command']}: {e.message}" for e in
                     jsonschema.Draft202012Validator(schema).iter_errors(request(d.sock, req))]
        check(not errs, "status/show/check/peers replies match the xfrmctl schema", "; ".join(errs[:3]))
    except ImportError:
        print("SKIP: python3-jsonschema missing, replies not validated")
    bad = request(d.sock, {"command": "status", "x": [[[[[[1]]]]]]})
    check("error" in bad, "malformed request answered with an error", str(bad))

    # access control: a uid outside the group, with the file permissions opened on purpose,
    # still gets an explicit refusal and no state
    os.chmod(os.path.dirname(d.sock), 0o755)
    os.chmod(d.sock, 0o666)
    probe = ("import socket,sys\ns=socket.socket(socket.AF_UNIX,socket.SOCK_SEQPACKET)\n"
             f"s.connect('{d.sock}')\ntry:\n  s.send(b'{{\"command\":\"show\"}}')\nexcept OSError:\n  pass\n"
             "d=b''\nwhile True:\n  try:\n    x=s.recv(65536)\n  except OSError:\n    break\n  if not x: break\n  d+=x\nsys.stdout.write(d.decode())\n")
    r = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                        "python3", "-c", probe], capture_output=True, text=True, timeout=bound(30))
    check('"EACCES"' in r.stdout and '"meta"' not in r.stdout and "sas" not in r.stdout,
          "client outside the allowed group refused with no state",
          (r.stdout.strip() + r.stderr.strip())[:300])
    r = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--groups=adm",
                        "python3", "-c", probe], capture_output=True, text=True, timeout=bound(30))
    check('"meta"' in r.stdout, "client in the allowed group served")
    os.chmod(d.sock, 0o660)
    os.chmod(os.path.dirname(d.sock), 0o750)
    r = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                        "python3", "-c", probe], capture_output=True, text=True, timeout=bound(30))
    check(r.returncode != 0 and "Permission denied" in r.stderr,
          "with the shipped permissions the socket itself refuses others (EACCES)")
    # a group member who may not collect gets xfrmctl's text from the daemon's records
    os.chmod(d.dir, 0o755)
    r = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--groups=adm",
                        os.environ["XFRMCTL"], "show", "policy"], env=env,
                       capture_output=True, text=True, timeout=bound(30))
    check(r.returncode == 0 and r.stdout.startswith("daemon state") and "2 policies" in r.stdout,
          "xfrmctl show policy as a group member: text from the daemon's records",
          (r.stdout + r.stderr)[:120])

    # SIGTERM: exit 0, socket removed, collector gone (how soon: bench-daemon.py, goal G7)
    t0 = time.monotonic()
    d.proc.terminate()
    try:
        rc = d.proc.wait(timeout=bound(30))
    except subprocess.TimeoutExpired:
        rc = None
    dt = time.monotonic() - t0
    check(rc == 0, "SIGTERM: exit 0", f"rc={rc} after {dt * 1000:.0f} ms")
    check(not os.path.exists(d.sock), "control socket removed")
    check(wait_until(lambda: not os.path.exists(f"/proc/{col}"), 30) is not None, "collector exited")
    # without CAP_NET_ADMIN: fail fast, and say why
    nb = tempfile.mkdtemp(prefix="xfrmd-nobody-")
    atexit.register(shutil.rmtree, nb, True)
    os.chmod(nb, 0o777)
    with open(os.path.join(nb, "c.conf"), "w") as f:
        f.write(f"socket = {nb}/xfrmd.sock\n")
    t0 = time.monotonic()
    r = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all",
                        os.environ["XFRMD"], "-f", os.path.join(nb, "c.conf")],
                       capture_output=True, text=True, timeout=bound(30))
    check(r.returncode == 1 and "CAP_NET_ADMIN" in r.stderr,
          "as nobody without CAP_NET_ADMIN: exit 1 (no retrying), naming the capability",
          f"rc={r.returncode} {time.monotonic() - t0:.2f} s")
    # as the unit starts it: an unprivileged user with ambient CAP_NET_ADMIN, no_new_privs
    u = Daemon(ns, "socket_group = adm\n",
               wrap=("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                     "--inh-caps=-all,+net_admin", "--ambient-caps=-all,+net_admin",
                     "--bounding-set=-all,+net_admin", "--no-new-privs"))
    # the Daemon helper's temporary directory must be reachable by that user
    ucol = u.collector_pid()
    check(status_field(ucol, "CapEff") == "0000000000001000" and
          status_field(u.pid, "CapEff") == "0000000000000000" and
          status_field(u.pid, "CapPrm") == "0000000000000000",
          "as user nobody with ambient CAP_NET_ADMIN: collector CAP_NET_ADMIN, main nothing",
          f"{status_field(ucol, 'CapEff')} / {status_field(u.pid, 'CapEff')}")
    st = request(u.sock, {"command": "show", "sections": ["policy"]})
    check(len(st.get("policies", [])) == 2, "and it reads the policies")
    check(u.stop() == 0 and not os.path.exists(u.sock), "and stops cleanly, removing its socket")
    log = d.logtext()
    check(all(line.startswith("<") for line in log.splitlines()), "every log line has a <N> prefix")
finally:
    if d and d.proc.poll() is None:
        d.proc.kill()
    ns.close()
finish()
