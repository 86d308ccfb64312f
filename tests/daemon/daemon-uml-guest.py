# SPDX-License-Identifier: GPL-2.0-or-later
"""Inside the UML guest (see daemon-uml.sh): xfrmd against real ESP SAs with canary keys.
Waits poll with generous bounds scaled by the host's slowdown (XD_TEST_SLOWDOWN on the kernel
command line); latencies are printed, not judged (tests/bench/bench-daemon.py measures them)."""
import base64
import os
import subprocess
import sys
import time

sys.path.insert(0, os.environ["XDU_DIR"])
import xdtest  # noqa: E402

OUT = os.environ["XDU_OUT"]
os.environ["XFRMD"] = os.environ["XDU_XFRMD"]
results = open(os.path.join(OUT, "results"), "w")


def check(ok, what, detail=""):
    line = ("PASS: " if ok else "FAIL: ") + what + (f" ({detail})" if detail else "")
    print(line, flush=True)
    results.write(line + "\n")
    results.flush()


def ip(*args):
    return subprocess.run(["ip", *args], capture_output=True, text=True)


# canary keys: recognisable, and each 8-byte window unique
KEY_OUT = bytes.fromhex("c0ffee01deadbeef0011223344556677a1b2c3d4")
KEY_IN = bytes.fromhex("c0ffee02feedface8899aabbccddeeffa5b6c7d8")
LOCAL, PEER = "192.0.2.1", "198.51.100.7"


def sa(src, dst, spi, key):
    return ["xfrm", "state", "add", "src", src, "dst", dst, "proto", "esp", "spi", spi,
            "reqid", "1", "mode", "tunnel", "aead", "rfc4106(gcm(aes))", "0x" + key.hex(), "128"]


if ip("xfrm", "state", "list").returncode != 0:
    results.write("SKIP: no xfrm_user in this kernel\n")
    sys.exit(0)
ip("addr", "add", LOCAL + "/32", "dev", "lo")
r = ip(*sa(LOCAL, PEER, "0x1000", KEY_OUT))
if r.returncode != 0:
    results.write(f"SKIP: cannot install an ESP SA: {r.stderr.strip()}\n")
    sys.exit(0)
ip(*sa(PEER, LOCAL, "0x2000", KEY_IN))
for d, s, t in (("out", "10.1.0.0/16", "10.2.0.0/16"), ("in", "10.2.0.0/16", "10.1.0.0/16"),
                ("fwd", "10.2.0.0/16", "10.1.0.0/16")):
    a, b = (LOCAL, PEER) if d == "out" else (PEER, LOCAL)
    ip("xfrm", "policy", "add", "src", s, "dst", t, "dir", d, "tmpl", "src", a, "dst", b,
       "proto", "esp", "reqid", "1", "mode", "tunnel")

DEBOUNCE_MS, MIN_RESYNC_MS = 50, 200


# xdtest.Daemon starts xfrmd in a namespace; here the guest itself is the test bed
d = xdtest.Daemon.__new__(xdtest.Daemon)
d.dir = "/tmp/xd"
os.makedirs(d.dir, exist_ok=True)
d.sock = "/tmp/xd/run/xfrmd.sock"
d.conf = "/tmp/xd/xfrmd.conf"
with open(d.conf, "w") as f:
    f.write(f"socket = {d.sock}\ndebounce = {DEBOUNCE_MS}ms\nmin_resync_interval = {MIN_RESYNC_MS}ms\n"
            "sample_interval = 2s\ndebug = yes\nuser = daemon\n")
d.log = open(os.path.join(OUT, "xfrmd.log"), "w+")
d.proc = subprocess.Popen([os.environ["XFRMD"], "-f", d.conf], stderr=d.log)
outputs = []
try:
    deadline = time.monotonic() + xdtest.bound(60)
    st = None
    while time.monotonic() < deadline:
        try:
            st = xdtest.request(d.sock, {"command": "status"})
            if "meta" in st:
                break
        except (OSError, ValueError):
            pass
        time.sleep(0.1)
    check(st is not None and "meta" in st, "xfrmd ready in the UML guest")
    col = d.collector_pid()
    check(xdtest.status_field(col, "CapEff") == "0000000000001000", "collector CapEff CAP_NET_ADMIN only",
          xdtest.status_field(col, "CapEff"))
    check(xdtest.status_field(d.pid, "CapEff") == "0000000000000000", "main CapEff 0")
    show = xdtest.request(d.sock, {"command": "show", "sections": ["sa"]})
    outputs.append(str(show))
    check(len(show.get("sas", [])) == 2, "both SAs in the daemon's model", str(len(show.get("sas", []))))

    w = xdtest.Client(d.sock, {"command": "watch"})
    w.wait_for(lambda e: e.get("event") == "watch.started")
    time.sleep(0.5)
    # SA events: six changes of a spare SA, each seen on watch (latencies printed)
    lats = []
    for i in range(3):
        for op in ("add", "delete"):
            if op == "add":
                ip(*sa(LOCAL, PEER, "0x4000", KEY_OUT))
            else:
                ip("xfrm", "state", "delete", "src", LOCAL, "dst", PEER, "proto", "esp", "spi", "0x4000")
            want = "xfrm.sa_added" if op == "add" else "xfrm.sa_deleted"
            _, e = w.wait_for(lambda x: x.get("event") == want and x.get("spi") == 0x4000)
            lats.append(xdtest.event_latency_ms(e) if e else None)
    ok_lats = sorted(x for x in lats if x is not None)
    check(len(ok_lats) == len(lats), "SA events on watch: every add and delete of a spare SA",
          f"{len(ok_lats)}/{len(lats)}; latency median {ok_lats[len(ok_lats) // 2]:.1f} ms, max {ok_lats[-1]:.1f} ms"
          if ok_lats else "none seen")
    time.sleep(0.5)  # let the resyncs of the spare SA settle before the finding checks
    t0 = time.monotonic()
    ip("xfrm", "state", "delete", "src", PEER, "dst", LOCAL, "proto", "esp", "spi", "0x2000")
    events = []

    def seen(e, want):
        events.append(e)
        return want(e)
    t_ev, ev = w.wait_for(lambda e: seen(e, lambda x: x.get("event") == "xfrm.sa_deleted"))
    lat = xdtest.event_latency_ms(ev) if ev else None
    check(t_ev is not None, "xfrm.sa_deleted of the inbound SA on watch",
          f"{lat:.1f} ms after the change; {(t_ev - t0) * 1000:.1f} ms after starting `ip`" if lat is not None else "not seen")
    check(ev is not None and ev.get("spi") == 0x2000 and ev.get("src") == PEER and ev.get("reqid") == 1,
          "the event names the SA", str({k: v for k, v in (ev or {}).items() if k != "_rx"}))
    t_f, f = w.wait_for(lambda e: seen(e, lambda x: x.get("event") == "finding.raised" and
                                        x["finding"]["id"] == "sa.one_way"))
    check(t_f is not None, "sa.one_way raised after the deletion",
          f"{(t_f - t0) * 1000:.0f} ms" if t_f else "not seen")
    t1 = time.monotonic()
    ip(*sa(PEER, LOCAL, "0x2000", KEY_IN))
    t_a, a = w.wait_for(lambda e: seen(e, lambda x: x.get("event") == "xfrm.sa_added"))
    lat = xdtest.event_latency_ms(a) if a else None
    check(t_a is not None, "xfrm.sa_added of the returning SA on watch",
          f"{lat:.1f} ms after the change; {(t_a - t1) * 1000:.1f} ms after starting `ip`" if lat is not None else "not seen")
    t_c, _ = w.wait_for(lambda e: seen(e, lambda x: x.get("event") == "finding.cleared" and
                                        x["finding"]["id"] == "sa.one_way"))
    check(t_c is not None, "sa.one_way cleared when the SA returns",
          f"{(t_c - t1) * 1000:.0f} ms" if t_c else "not seen")
    # an expiry: a short-lived SA hard-expires
    ip("xfrm", "state", "add", "src", LOCAL, "dst", PEER, "proto", "esp", "spi", "0x3000", "reqid", "9",
       "mode", "tunnel", "aead", "rfc4106(gcm(aes))", "0x" + KEY_OUT.hex(), "128",
       "limit", "time-soft", "1", "limit", "time-hard", "2")
    t_x, x = w.wait_for(lambda e: seen(e, lambda y: y.get("event") == "xfrm.sa_expired" and y.get("hard")))
    check(t_x is not None and x.get("spi") == 0x3000, "hard expiry seen on watch")
    for req in ({"command": "status"}, {"command": "show"}, {"command": "check"}, {"command": "peers"},
                {"command": "metrics"}, {"command": "findings"}):
        outputs.append(str(xdtest.request(d.sock, req)))
    w.close()
    outputs.extend(str({k: v for k, v in e.items() if k != "_rx"}) for e in events)
    check(d.stop() == 0, "clean exit")
finally:
    if d.proc.poll() is None:
        d.proc.kill()
    d.log.flush()
    d.log.seek(0)
    outputs.append(d.log.read())


# canary scan (DESIGN.md §5): hex either case, base64, raw bytes, every 8-byte window
def scan(blob):
    bad = []
    for key in (KEY_OUT, KEY_IN):
        for i in range(len(key) - 7):
            win = key[i:i + 8]
            for form in (win.hex(), win.hex().upper(), base64.b64encode(win).decode()[:10]):
                if form in blob:
                    bad.append(form)
            if win in blob.encode("latin-1", "replace"):
                bad.append(repr(win))
    return bad


# the scan itself works: `ip xfrm state` (which prints keys) trips it
check(scan(ip("xfrm", "state", "list").stdout) != [], "the canary scan finds keys in `ip xfrm state`")
bad = scan("\n".join(outputs))
check(not bad, "no canary key byte in replies, events, metrics or the log", " ".join(bad[:3]))
results.close()
