#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Differential test of the matches issue 22 asks to decide from the packet description:
IPv6 extension headers (nft exthdr, ip6tables frag/rt/hbh/dst/ah), IPv4 options, ct status, address types
(nft `fib daddr type local`, xt addrtype) from the namespace's addresses,
TCP flags (nft and xt, with a failing port), ICMP/ICMPv6 types (`--icmp-type`), an empty
verdict map, a CT --helper target, xt recent --set and conntrack --ctstate DNAT.

Fixed rule sets, each loaded as nft, iptables-nft/legacy or ip6tables text into namespace B
of fw-diff.py's topology; real packets on the input path; `xfrmctl fw verdict` must agree
with the kernel and must not answer "undecidable" (these are the cases the issue says are
knowable; IPv6 AH excepted: the kernel looks past it, at what the description does not give).
Exit 0 pass, 1 fail, 77 skipped (not root, no nft, no namespaces)."""
import importlib.util
import json
import os
import socket
import struct
import subprocess
import sys

here = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("fwdiff", os.path.join(here, "fw-diff.py"))
fd = importlib.util.module_from_spec(spec)
spec.loader.exec_module(fd)

A, B, A6, B6 = fd.A_ADDR, fd.B_ADDR, fd.A6, fd.B6
EMPTY6 = fd.EMPTY_FILTER
RAW_EMPTY = "*raw\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n"

NFT_HEADERS = """table inet t {
  map zones { type ifname : verdict; }
  chain in { type filter hook input priority 0; policy accept;
    exthdr frag exists drop
    rt type 0 drop
    exthdr hbh exists drop
    exthdr dst exists drop
    ip option ra exists drop
    ct status dnat drop
    iifname vmap @zones
    meta l4proto tcp tcp option maxseg exists tcp dport 9999 drop
    tcp flags & (fin|syn|rst|ack) != syn drop
    tcp dport 23 tcp flags syn drop
    icmp type echo-request drop
    icmpv6 type echo-request drop
  }
}
"""

NFT_STATUS_ACCEPT = """table inet t {
  chain in { type filter hook input priority 0; policy drop;
    ct status ! dnat meta l4proto { esp, udp } accept
    exthdr frag missing meta l4proto tcp accept
    icmp type echo-reply accept
    icmpv6 type echo-reply accept
  }
}
"""

NFT_FIB = """table inet t {
  chain in { type filter hook input priority 0; policy accept;
    fib daddr type != local drop
    fib saddr type local drop
  }
}
table ip nat {
  chain pre { type nat hook prerouting priority -100; policy accept;
    fib daddr type local meta l4proto udp udp dport 9999 dnat to 10.98.0.1
  }
}
"""

IPT_ADDRTYPE = """*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -m addrtype ! --dst-type LOCAL -j DROP
-A INPUT -m addrtype --src-type LOCAL -j DROP
COMMIT
"""

IP6T_HEADERS = """*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -m frag --fraglast -j DROP
-A INPUT -m rt --rt-type 0 -j DROP
-A INPUT -m hbh -j DROP
-A INPUT -m dst -j DROP
-A INPUT -m ah --ahspi 500 -j DROP
-A INPUT -p tcp -m tcp --dport 22 --tcp-flags FIN,SYN,RST,ACK SYN -j DROP
-A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type 128 -j DROP
COMMIT
"""

IPT_MISC = """*raw
:PREROUTING ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A PREROUTING -p tcp -m tcp --dport 21 -j CT --helper ftp
COMMIT
*filter
:INPUT DROP [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED,DNAT -j ACCEPT
-A INPUT -p tcp -m tcp --dport 22 --tcp-flags SYN,ACK ACK -j ACCEPT
-A INPUT -p tcp -m tcp --dport 23 --tcp-flags FIN,SYN,RST,ACK SYN -j ACCEPT
-A INPUT -p udp -m recent --set --name xd --rsource -j ACCEPT
-A INPUT -p icmp -m icmp --icmp-type 8 -j ACCEPT
-A INPUT -p esp -m conntrack --ctstate NEW -j DROP
-A INPUT -p ah -j ACCEPT
COMMIT
"""


def pk(proto, v6=False, **kw):
    p = {"proto": proto, "src": A6 if v6 else A, "dst": B6 if v6 else B, "ct": "new",
         "path": "input"}
    if proto in ("udp", "tcp"):
        p.update(sport=40000, dport=4500)
    elif proto in ("esp", "ah"):
        p.update(spi=0x1234)
    p.update(kw)
    return p


COMMON = [pk("esp"), pk("esp", True), pk("udp"), pk("udp", True), pk("tcp"), pk("tcp", True),
          pk("tcp", dport=22), pk("tcp", True, dport=22), pk("tcp", dport=23),
          pk("tcp", True, dport=23), pk("ah"), pk("ah", spi=500), pk("ah", True, spi=500),
          pk("ah", True, spi=501), pk("icmp", type=8), pk("icmp", type=0),
          pk("icmp6", True, type=128), pk("icmp6", True, type=129)]

CASES = [
    ("nft exthdr/ct status/tcp flags/icmp, policy accept", [("nft", NFT_HEADERS)], COMMON),
    ("nft ct status ! dnat, exthdr missing, policy drop", [("nft", NFT_STATUS_ACCEPT)], COMMON),
    ("nft fib daddr/saddr type local", [("nft", NFT_FIB)], COMMON),
    ("iptables-nft addrtype", [("iptables-nft", IPT_ADDRTYPE)],
     [p for p in COMMON if ":" not in p["src"]]),
    ("ip6tables-nft addrtype", [("ip6tables-nft", IPT_ADDRTYPE)],
     [p for p in COMMON if ":" in p["src"]]),
    ("ip6tables-nft frag/rt/hbh/dst/ah/tcp-flags/icmp6", [("ip6tables-nft", IP6T_HEADERS)],
     [p for p in COMMON if ":" in p["src"]]),
    ("ip6tables-legacy frag/rt/hbh/dst/ah/tcp-flags/icmp6", [("ip6tables-legacy", IP6T_HEADERS)],
     [p for p in COMMON if ":" in p["src"]]),
    ("iptables-nft CT helper, ctstate DNAT, tcp-flags, recent --set, icmp",
     [("iptables-nft", IPT_MISC)], [p for p in COMMON if ":" not in p["src"]]),
    ("iptables-legacy CT helper, ctstate DNAT, tcp-flags, recent --set, icmp",
     [("iptables-legacy", IPT_MISC)], [p for p in COMMON if ":" not in p["src"]]),
]

PROTO_NUM = {"esp": 50, "ah": 51, "udp": 17, "tcp": 6, "icmp": 1, "icmp6": 58}


def csum(b):
    return fd.csum(b)


def l4(p, tag):
    if p["proto"] == "icmp":
        hdr = struct.pack("!BBHHH", p["type"], 0, 0, 0x77, 1) + tag
        return hdr[:2] + struct.pack("!H", csum(hdr)) + hdr[4:]
    if p["proto"] == "icmp6":
        body = struct.pack("!BBHHH", p["type"], 0, 0, 0x77, 1) + tag
        c = csum(fd.pseudo(p, 58, len(body)) + body)
        return body[:2] + struct.pack("!H", c) + body[4:]
    return fd.l4(p, tag)


def receivers():
    recv = {}
    for fam in (socket.AF_INET, socket.AF_INET6):
        for name, num in PROTO_NUM.items():
            if (name == "icmp6") != (fam == socket.AF_INET6) and name in ("icmp", "icmp6"):
                continue
            s = socket.socket(fam, socket.SOCK_RAW, num)
            s.setblocking(False)
            recv[(fam, name)] = s
    return recv


def verdict(xfrmctl, p):
    cmd = [xfrmctl, "-j", "-n", fd.NS_B, "fw", "verdict", "--proto",
           {"icmp6": "ipv6-icmp"}.get(p["proto"], p["proto"]), "--src", p["src"], "--dst",
           p["dst"], "--ct", p["ct"], "--iif", "vB"]
    if "sport" in p:
        cmd += ["--sport", str(p["sport"]), "--dport", str(p["dport"])]
    if "spi" in p:
        cmd += ["--spi", str(p["spi"])]
    if "type" in p:
        cmd += ["--icmp-type", f"{p['type']}/0"]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode not in (0, 1):
        raise RuntimeError(f"xfrmctl failed ({r.returncode}): {r.stderr.strip()}")
    d = json.loads(r.stdout)["verdict"]
    return d["verdict"], d["reason"]


def load(kind, text):
    ns = ["ip", "netns", "exec", fd.NS_B]
    if kind == "nft":
        return fd.sh(*ns, "nft", "-f", "-", input=text, check=False)
    return fd.sh(*ns, kind + "-restore", "-w", "10", input=text, check=False)


def flush(have_legacy):
    ns = ["ip", "netns", "exec", fd.NS_B]
    fd.sh(*ns, "nft", "flush", "ruleset")
    if have_legacy:
        for tool in ("iptables-legacy-restore", "ip6tables-legacy-restore"):
            fd.sh(*ns, tool, "-w", "10", input=EMPTY6 + RAW_EMPTY, check=False)


def main():
    if os.geteuid() != 0:
        fd.skip("needs root (network namespaces, raw sockets, nft)")
    xfrmctl = os.environ.get("XFRMCTL") or (sys.argv[1] if len(sys.argv) > 1 else None)
    if not xfrmctl or not os.access(xfrmctl, os.X_OK):
        fd.skip("xfrmctl binary not given")
    if subprocess.run(["nft", "--version"], capture_output=True).returncode != 0:
        fd.skip("nft not installed")
    try:
        fd.setup()
    except Exception as e:
        fd.teardown()
        fd.skip(f"cannot build the namespaces: {e}")
    pairs = wrong = undec = skipped = allowed = 0
    try:
        fd.setns(fd.NS_B)
        recv = receivers()
        ctsock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 12)
        ctsock.bind((0, 0))
        fd.setns(fd.NS_A)
        send = fd.Sender()
        fd.setns(None)
        have_legacy = load("iptables-legacy", EMPTY6).returncode == 0
        for name, loads, pkts in CASES:
            flush(have_legacy)
            refused = [r.stderr.strip() for k, t in loads for r in [load(k, t)] if r.returncode]
            if refused:
                # a tool or module this machine lacks (ip6tables-legacy, xt_recent …)
                print(f"  skipped {name}: {refused[0][:120]}")
                skipped += 1
                continue
            fd.ct_flush(ctsock)
            fd.drain({"x": recv})
            tags = []
            for p in pkts:
                tag = os.urandom(8)
                tags.append(tag)
                send.sendto(fd.ip4(p["src"], p["dst"], PROTO_NUM[p["proto"]], l4(p, tag)),
                            (p["dst"], 0))
            got = fd.settle({"x": recv})
            for p, tag in zip(pkts, tags):
                kernel = "accept" if any(tag in g for g in got) else "drop"
                ours, why = verdict(xfrmctl, p)
                pairs += 1
                if ours == "undecidable" and p["proto"] == "ah" and ":" in p["src"]:
                    # over IPv6 the kernel walks past AH; what follows it is not described
                    allowed += 1
                elif ours == "undecidable":
                    undec += 1
                    print(f"UNDECIDABLE: {name}: {p}: {why}")
                elif ours != kernel:
                    wrong += 1
                    print(f"WRONG: {name}: kernel {kernel}, xfrmctl {ours} ({why}): {p}")
    finally:
        fd.setns(None)
        fd.teardown()
    print(f"fw-matches-diff: {pairs} pairs from {len(CASES) - skipped} rule sets "
          f"({skipped} skipped), {wrong} wrong, {undec} undecidable (and {allowed} IPv6 AH "
          f"packets undecidable by design)")
    if wrong or undec or pairs < 40:
        print("FAIL")
        return 1
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
