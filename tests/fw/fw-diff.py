#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Differential test: xfrmd's firewall evaluator against this machine's kernel.

    netns xdfwA (peer)          netns xdfwB (firewall under test)        netns xdfwC
    vA 10.99.0.1/24 ---veth--- vB 10.99.0.2   vC 10.98.0.2 ---veth--- vD 10.98.0.1/24
    raw senders + receivers     random nft (+ iptables) rule set,        raw receivers
                                raw senders + receivers, ip_forward=1

For each random but realistic rule set (several tables and base chains on all five hooks at
different and equal priorities, user chains with jump/goto/return, named/anonymous/interval/
concatenated sets, verdict maps, ct state, meta l4proto, ports, addresses, interface names,
secpath, limits, accept/drop/reject, policy drop; in about 45 % of the sets also an
iptables-legacy or iptables-nft filter table with xt matches, in a quarter a source-NAT
table, in 10 % a Docker-style published port: `fib daddr type local jump` to a DNAT), ESP,
AH, UDP and TCP packets (IPv4 and IPv6) are really sent on three paths and the kernel's
verdict is observed as delivery at a raw socket at the end of the path:
  input    A -> B      (prerouting, input; new and established)
  forward  A -> B -> C (prerouting, forward, postrouting)
  output   B -> A      (output, postrouting)
The same packet is given to `xfrmctl fw verdict` (live via --netns, or from a snapshot taken
with `capture -w` for every other rule set); the two must agree unless xfrmctl answers
"undecidable".

Exit 0 = at least 2,000 pairs, no wrong verdict and undecidable < 5 %; 1 = failure; 77 =
skipped (not root, no nft, no netns). Prints one summary line; XD_FWDIFF_SEED reproduces.
"""
import ctypes
import os
import random
import select
import socket
import struct
import subprocess
import sys
import tempfile
import time
import json

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "daemon"))
from xdtest import SLOW  # noqa: E402  (tests/lib/slowdown.sh: the machine's slowdown factor)

# per-process names: two runs (another worktree, a developer) must not share namespaces
NS_A, NS_B, NS_C = (f"xdfw{x}{os.getpid()}" for x in "ABC")
A_ADDR, B_ADDR = "10.99.0.1", "10.99.0.2"
C_ADDR, B2_ADDR = "10.98.0.1", "10.98.0.2"
OUT_SRC = "10.99.0.66"  # source of B's own ESP/AH: no conntrack overlap with input tests
A6, B6, C6, B26, OUT_SRC6 = "fd99::1", "fd99::2", "fd98::1", "fd98::2", "fd99::66"
# B's own packets go to a second address of A that never sends: a NATed output flow's reply
# tuple must not capture the peer's input packets (ESP/AH conntrack has no ports)
A_OUT, A6_OUT = "10.99.0.5", "fd99::5"
SRC6_POOL = ["fd99::1", "fd99::7", "fd99::1:5", "2001:db8::9", "2001:db8:1::7"]
SRC_POOL = ["10.99.0.1", "10.99.0.7", "10.99.0.130", "10.99.1.5", "192.0.2.9", "198.51.100.7",
            "172.16.5.4"]
PROTOS = {"esp": 50, "ah": 51, "udp": 17, "tcp": 6}
CLONE_NEWNET = 0x40000000
EMPTY_FILTER = "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n"

libc = ctypes.CDLL(None, use_errno=True)


def skip(msg):
    print(f"SKIP: {msg}")
    sys.exit(77)


def sh(*cmd, check=True, input=None):
    r = subprocess.run(cmd, input=input, capture_output=True, text=True)
    if check and r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}: {r.stderr.strip()}")
    return r


ORIG_NS = os.open("/proc/self/ns/net", os.O_RDONLY)


def setns(name):
    fd = os.open(f"/run/netns/{name}", os.O_RDONLY) if name else ORIG_NS
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), "setns")
    finally:
        if name:
            os.close(fd)


def mac(ns, dev):
    return sh("ip", "netns", "exec", ns, "cat", f"/sys/class/net/{dev}/address").stdout.strip()


def setup():
    """A (peer) -- B (firewall under test, forwards) -- C (host behind B)."""
    for ns in (NS_A, NS_B, NS_C):
        sh("ip", "netns", "del", ns, check=False)
        sh("ip", "netns", "add", ns)
    sh("ip", "-n", NS_A, "link", "add", "vA", "type", "veth", "peer", "name", "vB", "netns", NS_B)
    sh("ip", "-n", NS_B, "link", "add", "vC", "type", "veth", "peer", "name", "vD", "netns", NS_C)
    sh("ip", "-n", NS_A, "addr", "add", A_ADDR + "/24", "dev", "vA")
    sh("ip", "-n", NS_A, "addr", "add", A_OUT + "/24", "dev", "vA")
    sh("ip", "-n", NS_B, "addr", "add", B_ADDR + "/24", "dev", "vB")
    sh("ip", "-n", NS_B, "addr", "add", B2_ADDR + "/24", "dev", "vC")
    sh("ip", "-n", NS_C, "addr", "add", C_ADDR + "/24", "dev", "vD")
    for ns, dev in ((NS_A, "vA"), (NS_B, "vB"), (NS_B, "vC"), (NS_C, "vD")):
        sh("ip", "-n", ns, "link", "set", dev, "up")
        sh("ip", "-n", ns, "link", "set", "lo", "up")
    sh("ip", "-n", NS_B, "route", "add", "default", "via", A_ADDR)
    sh("ip", "-n", NS_A, "route", "add", "10.98.0.0/24", "via", B_ADDR)
    sh("ip", "-n", NS_C, "route", "add", "default", "via", B2_ADDR)
    sh("ip", "netns", "exec", NS_B, "sysctl", "-qw", "net.ipv4.ip_forward=1")
    for ns, devs in ((NS_A, ["vA"]), (NS_B, ["vB", "vC"]), (NS_C, ["vD"])):
        for k in ["all", "default"] + devs:
            sh("ip", "netns", "exec", ns, "sysctl", "-qw", f"net.ipv4.conf.{k}.rp_filter=0")
    sh("ip", "-n", NS_B, "neigh", "replace", C_ADDR, "lladdr", mac(NS_C, "vD"), "dev", "vC")
    # IPv6: the same topology, static neighbours, no duplicate address detection delay
    for ns, dev, addr in ((NS_A, "vA", A6), (NS_B, "vB", B6), (NS_B, "vC", B26), (NS_C, "vD", C6)):
        sh("ip", "-n", ns, "-6", "addr", "add", addr + "/64", "dev", dev, "nodad")
    sh("ip", "-n", NS_A, "-6", "addr", "add", A6_OUT + "/64", "dev", "vA", "nodad")
    sh("ip", "-n", NS_A, "-6", "route", "add", "fd98::/64", "via", B6)
    sh("ip", "-n", NS_B, "-6", "route", "add", "default", "via", A6)
    sh("ip", "-n", NS_C, "-6", "route", "add", "default", "via", B26)
    sh("ip", "netns", "exec", NS_B, "sysctl", "-qw", "net.ipv6.conf.all.forwarding=1")
    sh("ip", "-n", NS_B, "-6", "neigh", "replace", C6, "lladdr", mac(NS_C, "vD"), "dev", "vC")
    sh("ip", "-n", NS_B, "-6", "neigh", "replace", A6, "lladdr", mac(NS_A, "vA"), "dev", "vB")
    sh("ip", "-n", NS_B, "-6", "neigh", "replace", A6_OUT, "lladdr", mac(NS_A, "vA"), "dev", "vB")
    sh("ip", "-n", NS_B, "neigh", "replace", A_OUT, "lladdr", mac(NS_A, "vA"), "dev", "vB")
    sh("ip", "-n", NS_A, "-6", "neigh", "replace", B6, "lladdr", mac(NS_B, "vB"), "dev", "vA")
    # ARP for the peer once, so the first packets are not lost to neighbour resolution
    sh("ip", "-n", NS_B, "neigh", "replace", A_ADDR, "lladdr",
       open(f"/sys/class/net/vA/address").read().strip() if False else
       sh("ip", "netns", "exec", NS_A, "cat", "/sys/class/net/vA/address").stdout.strip(),
       "dev", "vB")
    sh("ip", "-n", NS_A, "neigh", "replace", B_ADDR, "lladdr",
       sh("ip", "netns", "exec", NS_B, "cat", "/sys/class/net/vB/address").stdout.strip(),
       "dev", "vA")


def teardown():
    for ns in (NS_A, NS_B, NS_C):
        sh("ip", "netns", "del", ns, check=False)


# ---------------------------------------------------------------- packets

def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data)//2}H", data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff


def v6(addr):
    return ":" in addr


def ip4(src, dst, proto, payload):
    """An IPv4 or IPv6 header (by the address family) in front of payload."""
    if v6(src):
        return struct.pack("!IHBB16s16s", 6 << 28, len(payload), proto, 64,
                           socket.inet_pton(socket.AF_INET6, src),
                           socket.inet_pton(socket.AF_INET6, dst)) + payload
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), random.randrange(65536), 0,
                      64, proto, 0, socket.inet_aton(src), socket.inet_aton(dst))
    return hdr + payload


def pseudo(p, proto, length):
    if v6(p["src"]):
        return (socket.inet_pton(socket.AF_INET6, p["src"]) +
                socket.inet_pton(socket.AF_INET6, p["dst"]) + struct.pack("!IxxxB", length, proto))
    return socket.inet_aton(p["src"]) + socket.inet_aton(p["dst"]) + struct.pack("!BBH", 0, proto,
                                                                                length)


def l4(p, tag):
    if p["proto"] == "udp":
        body = tag
        hdr = struct.pack("!HHHH", p["sport"], p["dport"], 8 + len(body), 0)
        c = csum(pseudo(p, 17, 8 + len(body)) + hdr + body) or 0xffff
        return struct.pack("!HHHH", p["sport"], p["dport"], 8 + len(body), c) + body
    if p["proto"] == "tcp":
        body = tag
        hdr = struct.pack("!HHIIBBHHH", p["sport"], p["dport"], random.randrange(1 << 32), 0,
                          5 << 4, 0x02, 65535, 0, 0)
        c = csum(pseudo(p, 6, 20 + len(body)) + hdr + body)
        return hdr[:16] + struct.pack("!H", c) + hdr[18:] + body
    if p["proto"] == "esp":
        return struct.pack("!II", p["spi"], 1) + tag + b"\0" * 8
    if p["proto"] == "ah":
        return struct.pack("!BBHII", 59, 4, 0, p["spi"], 1) + b"\0" * 12 + tag
    raise ValueError(p["proto"])


# ---------------------------------------------------------------- rule sets

class Gen:
    def __init__(self, rnd):
        self.r = rnd

    def addr_match(self):
        r = self.r
        if self.fam == "ip6" or (self.fam == "inet" and r.random() < 0.35):
            a = r.choice(SRC6_POOL)
            k = r.random()
            if k < 0.4:
                return f"ip6 saddr {a}"
            if k < 0.7:
                return f"ip6 saddr {a}/{r.choice([16, 32, 48, 64, 128])}"
            if k < 0.85:
                return f"ip6 saddr != {a}"
            return f"ip6 saddr {{ {a}, {r.choice(SRC6_POOL)} }}"
        a = r.choice(SRC_POOL)
        k = r.random()
        if k < 0.4:
            return f"ip saddr {a}"
        if k < 0.7:
            pre = r.choice([8, 16, 24, 25, 32])
            return f"ip saddr {a}/{pre}"
        if k < 0.85:
            return f"ip saddr != {a}"
        return f"ip saddr {{ {a}, {r.choice(SRC_POOL)} }}"

    def port_match(self, proto):
        r = self.r
        ports = [500, 4500, 22, 8443, r.randrange(1, 65535)]
        k = r.random()
        d = r.choice(["dport", "dport", "sport"])
        if k < 0.35:
            return f"{proto} {d} {r.choice(ports)}"
        if k < 0.55:
            return f"{proto} {d} {{ {', '.join(str(x) for x in r.sample(ports, 2))} }}"
        if k < 0.75:
            lo = r.randrange(1, 5000)
            return f"{proto} {d} {lo}-{lo + r.randrange(1, 5000)}"
        if k < 0.85:
            lo = r.randrange(1, 5000)
            return f"{proto} {d} != {lo}-{lo + r.randrange(1, 5000)}"
        return f"{proto} {d} != {r.choice(ports)}"

    def match(self, tname, sets):
        """Returns (text, protocol the match implies or None)."""
        r = self.r
        k = r.random()
        if k < 0.18:
            p = r.choice(list(PROTOS))
            return f"meta l4proto {p}", p
        if k < 0.26:
            p = r.choice(list(PROTOS))
            if self.fam == "ip6" or (self.fam == "inet" and r.random() < 0.3):
                return f"ip6 nexthdr {p}", p
            return f"ip protocol {p}", p
        if k < 0.40:
            return self.addr_match(), None
        if k < 0.55:
            p = r.choice(["udp", "tcp"])
            return self.port_match(p), p
        if k < 0.63:
            return r.choice(["ct state established,related", "ct state new",
                             "ct state established", "ct state invalid",
                             "ct state != new"]), None
        if k < 0.70 and sets and self.fam != "ip6":
            s = r.choice(sets)
            neg = "!= " if r.random() < 0.25 else ""
            if s[1] == "addr":
                return f"ip saddr {neg}@{s[0]}", None
            if s[1] == "port":
                return f"udp dport {neg}@{s[0]}", "udp"
            return f"ip saddr . udp dport {neg}@{s[0]}", "udp"
        if k < 0.76:
            return f"th dport {r.choice([500, 4500, 0, 1, 22])}", None
        if k < 0.81:
            return r.choice(['iifname "vB"', 'iifname "v*"', 'iifname "eth*"',
                             'iifname != "vB"', 'oifname "vC"', 'oifname "v*"',
                             'oifname != "vB"', 'iif "lo"', 'iif != "lo"', 'iif "vB"',
                             'oif "vC"', 'iifname "lo"', 'oif "lo"']), None
        if k < 0.86:
            return (f"meta l4proto . th dport {{ udp . 500, udp . 4500, tcp . 22, "
                    f"esp . {r.choice([0, 500])} }}"), None
        if k < 0.90:
            if self.hook in ("output", "postrouting"):  # the kernel refuses secpath there
                return 'oifname "vB"', None
            return ("meta secpath exists" if r.random() < 0.5 else "meta secpath missing"), None
        if k < 0.94:
            if self.fam == "ip6":
                return "ip6 version 6", None
            return (r.choice(["meta nfproto ipv4", "meta nfproto ipv6"]) if self.fam == "inet"
                    else "ip version 4"), None
        if k < 0.955:
            return "limit rate 100000/second", None
        return ("ip6 version 6" if self.fam == "ip6" else "ip version 4"), None

    def verdict(self, chains, in_user):
        r = self.r
        # reject exists only in input, forward and output (and chains reached from there)
        rej = "reject" if not in_user and self.hook in ("input", "forward", "output") else "drop"
        opts = ["accept", "drop", "drop", rej, "counter", "accept"]
        if chains:
            opts += ["jump", "jump", "goto"]
        if in_user:
            opts += ["return"]
        v = r.choice(opts)
        if v in ("jump", "goto"):
            return f"{v} {r.choice(chains)}"
        if v == "counter":
            return "counter"
        return v

    def vmap_rule(self, chains):
        r = self.r
        vs = ["accept", "drop"] + [f"jump {c}" for c in chains]
        if r.random() < 0.5:
            return (f"meta l4proto vmap {{ esp : {r.choice(vs)}, ah : {r.choice(vs)}, "
                    f"udp : {r.choice(vs)} }}")
        return f"udp dport vmap {{ 500 : {r.choice(vs)}, 4500 : {r.choice(vs)} }}"

    def rule(self, tname, sets, chains, in_user):
        r = self.r
        if r.random() < 0.1:
            return self.vmap_rule(chains)
        n = r.choice([0, 1, 1, 2, 2, 3])
        parts, proto, l3 = [], None, None
        for _ in range(n):
            text, p = self.match(tname, sets)
            t3 = ("ip6" if ("ip6 " in text or "ipv6" in text) else
                  "ip" if ("ip " in text or "ipv4" in text or "ip saddr" in text) else None)
            if (p and proto and p != proto) or (t3 and l3 and t3 != l3):
                continue  # nft refuses conflicting protocol dependencies
            proto = p or proto
            l3 = t3 or l3
            parts.append(text)
        if r.random() < 0.2:
            parts.append("counter")
        parts.append(self.verdict(chains, in_user))
        return " ".join(parts)

    def ruleset(self):
        r = self.r
        out = []
        hook_prios = []
        for t in range(r.choice([1, 2, 2, 3])):
            fam = r.choice(["inet", "ip", "inet", "ip6"])
            self.fam = fam
            tname = f"t{t}"
            out.append(f"table {fam} {tname} {{")
            sets = []
            for s in range(r.choice([0, 1, 2])):
                kind = r.choice(["addr", "addr_iv", "port", "concat"])
                if kind == "addr":
                    els = ", ".join(sorted(set(r.sample(SRC_POOL, 3))))
                    out.append(f"  set s{s} {{ type ipv4_addr; elements = {{ {els} }} }}")
                    sets.append((f"s{s}", "addr"))
                elif kind == "addr_iv":
                    els = ", ".join(sorted({f"{a}/{r.choice([8, 16, 24, 32])}"
                                            for a in r.sample(SRC_POOL, 2)}))
                    out.append(f"  set s{s} {{ type ipv4_addr; flags interval; auto-merge; "
                               f"elements = {{ {els} }} }}")
                    sets.append((f"s{s}", "addr"))
                elif kind == "port":
                    els = ", ".join(str(p) for p in sorted({r.choice([500, 4500, 22, 53])
                                                            for _ in range(2)}))
                    out.append(f"  set s{s} {{ type inet_service; elements = {{ {els} }} }}")
                    sets.append((f"s{s}", "port"))
                else:
                    a = r.choice(SRC_POOL)
                    out.append(f"  set s{s} {{ type ipv4_addr . inet_service; flags interval; "
                               f"elements = {{ {a}/{r.choice([16, 24, 32])} . "
                               f"{r.choice(['500', '4500', '400-600', '4000-5000'])} }} }}")
                    sets.append((f"s{s}", "concat"))
            users = [f"u{i}" for i in range(r.choice([0, 1, 2]))]
            # user chains may only jump to later user chains: no loops
            self.hook = "output"  # user chains may be reached from any hook: no secpath there
            for i, u in enumerate(users):
                out.append(f"  chain {u} {{")
                for _ in range(r.randrange(1, 4)):
                    out.append("    " + self.rule(tname, sets, users[i + 1:], True))
                out.append("  }")
            for b in range(r.choice([1, 1, 2])):
                hook = r.choice(["input", "input", "prerouting", "forward", "output",
                                 "postrouting"])
                self.hook = hook
                prio = r.choice([-150, -10, 0, 0, 0, 10])
                pol = "drop" if r.random() < 0.3 else "accept"
                out.append(f"  chain b{b} {{ type filter hook {hook} priority {prio}; "
                           f"policy {pol};")
                for _ in range(r.randrange(1, 6)):
                    out.append("    " + self.rule(tname, sets, users, False))
                out.append("  }")
            out.append("}")
        if r.random() < 0.25:
            # source NAT on the way out: nat chains see only a connection's first packet, and
            # masquerade/snat accept after rewriting
            fam = r.choice(["ip", "inet"])
            self.fam, self.hook = fam, "postrouting"
            out.append(f"table {fam} nat {{")
            out.append(f"  chain post {{ type nat hook postrouting priority "
                       f"{r.choice([100, 100, 50])}; policy {r.choice(['accept', 'accept', 'drop'])};")
            for _ in range(r.randrange(1, 4)):
                m = self.addr_match() if r.random() < 0.5 else r.choice(
                    ['oifname "vC"', 'oifname "vB"', "meta l4proto esp", "udp dport 500",
                     "meta l4proto ah", ""])
                if fam == "ip" and "ip6" in m:
                    m = ""
                v = r.choice(["masquerade", "masquerade", "accept", "drop",
                              "snat ip to 10.98.0.2" if fam == "ip" else "masquerade"])
                out.append(f"    {m} {v}".replace("     ", "    "))
            out.append("  }")
            out.append("}")
        if r.random() < 0.1:
            # a published container port as Docker writes it: "-m addrtype --dst-type LOCAL
            # -j DOCKER" is "fib daddr type local" in nft; the DNAT sends the host's port to
            # C, so the kernel forwards what the input chains would have seen
            out.append("table ip dock {")
            out.append("  chain pre { type nat hook prerouting priority -100; policy accept;")
            out.append("    fib daddr type local jump docker")
            out.append("  }")
            out.append("  chain docker {")
            out.append(f'    iifname != "docker0" tcp dport 8080 dnat to {C_ADDR}:80')
            out.append("  }")
            out.append("}")
        return "\n".join(out) + "\n"

    def ipt_match(self):
        r = self.r
        k = r.random()
        if k < 0.15:
            return f"-p {r.choice(['esp', 'ah', 'udp', 'tcp'])}"
        if k < 0.25:
            return f"-p udp -m multiport --dports {r.choice(['500,4500', '4500', '22,500', '1000:5000'])}"
        if k < 0.35:
            return f"-p udp --dport {r.choice([500, 4500, 53])}"
        if k < 0.42:
            lo = r.randrange(1, 5000)
            return f"-p tcp --dport {lo}:{lo + r.randrange(1, 5000)}"
        if k < 0.50:
            return f"-m conntrack --ctstate {r.choice(['NEW', 'ESTABLISHED', 'ESTABLISHED,RELATED', 'INVALID'])}"
        if k < 0.56:
            return f"-m state --state {r.choice(['NEW', 'ESTABLISHED,RELATED'])}"
        if k < 0.62:
            return f"-m policy --dir in --pol {r.choice(['none', 'ipsec'])}"
        if k < 0.68:
            lo = r.choice([0, 256, 500, 1 << 20])
            return f"-p esp -m esp --espspi {lo}:{lo + r.randrange(1, 1 << 16)}"
        if k < 0.72:
            return "-m comment --comment ipsec"
        if k < 0.84:
            return f"{r.choice(['', '! '])}-s {r.choice(SRC_POOL)}/{r.choice([8, 16, 24, 32])}"
        if k < 0.92:
            return r.choice(["-i vB", "-i v+", "! -i eth+", "-i eth0", "-i lo", "! -i lo"])
        a = r.choice(SRC_POOL)
        return f"-m iprange --src-range {a}-{r.choice(SRC_POOL)}"

    def iptables(self):
        """A filter table in iptables-restore syntax for iptables-legacy or iptables-nft."""
        r = self.r
        users = [f"U{i}" for i in range(r.choice([0, 1, 2]))]
        pols = ["DROP" if r.random() < 0.3 else "ACCEPT" for _ in range(3)]
        out = ["*filter", f":INPUT {pols[0]} [0:0]", f":FORWARD {pols[1]} [0:0]",
               f":OUTPUT {pols[2]} [0:0]"]
        out += [f":{u} - [0:0]" for u in users]

        def rule(chain, targets):
            ms = []
            proto = None
            for _ in range(r.choice([0, 1, 1, 2])):
                m = self.ipt_match()
                if chain != "INPUT" and ("-i " in m or "--dir in" in m):
                    continue  # iptables refuses -i and --dir in where they cannot apply
                p = m.split("-p ")[1].split()[0] if m.startswith("-p ") else None
                if p and proto:
                    continue  # one protocol per rule
                if "--ctstate" in m and any("--ctstate" in x or "--state" in x for x in ms):
                    continue
                if "--state" in m and any("--ctstate" in x or "--state" in x for x in ms):
                    continue
                key = m.replace("! ", "").split()[0:2 if m.startswith("-m") else 1]
                if any(x.replace("! ", "").split()[0:len(key)] == key for x in ms):
                    continue  # iptables allows each option once
                proto = p or proto
                ms.append(m)
            return f"-A {chain} {' '.join(ms)} -j {r.choice(targets)}".replace("  ", " ")

        for i, u in enumerate(users):
            for _ in range(r.randrange(1, 4)):
                # user chains are reached from INPUT only (-i would be refused elsewhere)
                out.append(rule("INPUT", ["ACCEPT", "DROP", "RETURN", "REJECT"]
                                + users[i + 1:]).replace("-A INPUT", f"-A {u}", 1))
        for _ in range(r.randrange(1, 6)):
            chain = r.choice(["INPUT", "INPUT", "FORWARD", "OUTPUT"])
            out.append(rule(chain, ["ACCEPT", "DROP", "REJECT", "ACCEPT"]
                            + (users if chain == "INPUT" else [])))
        out.append("COMMIT")
        return "\n".join(out) + "\n"

    def packet(self):
        r = self.r
        proto = r.choice(["esp", "esp", "ah", "udp", "udp", "tcp"])
        path = r.choice(["input", "input", "input", "forward", "output"])
        p = {"proto": proto, "src": r.choice(SRC_POOL[1:]) if r.random() < 0.7 else A_ADDR,
             "dst": B_ADDR, "ct": "new", "path": path}
        if path == "forward":
            p["dst"] = C_ADDR
        elif path == "output":
            p["src"], p["dst"] = (OUT_SRC if proto in ("esp", "ah") else B_ADDR), A_OUT
        # the same over IPv6 (AH less often: over IPv6 the kernel skips AH like an extension
        # header, so most AH answers depend on what AH carries and are undecidable)
        if r.random() < (0.1 if proto == "ah" else 0.3):
            p["src"] = {A_ADDR: A6, B_ADDR: B6, OUT_SRC: OUT_SRC6}.get(p["src"],
                                                                      r.choice(SRC6_POOL[1:]))
            p["dst"] = {B_ADDR: B6, C_ADDR: C6, A_OUT: A6_OUT}[p["dst"]]
        if proto in ("udp", "tcp"):
            p["sport"] = r.choice([500, 4500]) if r.random() < 0.2 else r.randrange(1024, 65535)
            p["dport"] = r.choice([500, 4500, 22, 8443, 53, 8080, r.randrange(1, 65535)])
        else:
            p["spi"] = r.choice([r.randrange(1, 1 << 32), 500, 4500, 0x1000 | 500,
                                 r.randrange(256, 1 << 16)])
        if path == "input" and proto in ("udp", "esp") and r.random() < 0.25:
            p["ct"] = "established"
        return p


# ---------------------------------------------------------------- the run

def receivers():
    recv = {}
    for fam in (socket.AF_INET, socket.AF_INET6):
        for name, num in PROTOS.items():
            s = socket.socket(fam, socket.SOCK_RAW, num)
            s.setblocking(False)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
            recv[(fam, name)] = s
    return recv


class Sender:
    """Raw IPv4 and IPv6 senders of one namespace; the headers are ours (IPPROTO_RAW)."""

    def __init__(self):
        self.s4 = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
        self.s6 = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_RAW)

    def sendto(self, pkt, addr):
        (self.s6 if v6(addr[0]) else self.s4).sendto(pkt, addr)


def open_sockets():
    """Raw receivers where each path ends: B (input), A (B's output), C (forwarded)."""
    setns(NS_C)
    recv = {"forward": receivers()}
    setns(NS_B)
    recv["input"] = receivers()
    b_send = Sender()
    ct = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 12)  # NETLINK_NETFILTER
    ct.bind((0, 0))
    setns(NS_A)
    a_send = Sender()
    recv["output"] = receivers()
    setns(None)
    return recv, a_send, b_send, ct


def ct_flush(ct):
    """IPCTNL_MSG_CT_DELETE without attributes flushes B's conntrack table: every rule set
    starts without connections, so "new" really is new (ESP/AH conntrack has no ports)."""
    for fam in (socket.AF_INET, socket.AF_INET6):
        msg = struct.pack("=IHHII", 20, (1 << 8) | 2, 0x1 | 0x4, 1, 0) + struct.pack("=BBH", fam,
                                                                                   0, 0)
        ct.send(msg)
        reply = ct.recv(65536)
        err = struct.unpack("=i", reply[16:20])[0] if len(reply) >= 20 else -1
        if err not in (0, -2):  # ENOENT: nothing to flush
            raise RuntimeError(f"conntrack flush failed: {err}")


def drain(recv):
    got = []
    socks = [s for per in recv.values() for s in per.values()]
    while True:
        rl, _, _ = select.select(socks, [], [], 0)
        if not rl:
            return got
        for s in rl:
            try:
                while True:
                    got.append(s.recv(65535))
            except BlockingIOError:
                pass


def settle(recv, quiet=0.03, least=0.06, most=1.0):
    """Collect deliveries until none arrived for `quiet` s (at least `least`, at most `most`),
    each times the machine's slowdown: on a busy machine a delivery can come late."""
    quiet, least, most = quiet * SLOW, least * SLOW, most * SLOW
    t0 = time.time()
    got, last = [], t0
    while True:
        time.sleep(0.01)
        new = drain(recv)
        now = time.time()
        if new:
            got += new
            last = now
        if now - t0 >= most or (now - t0 >= least and now - last >= quiet):
            return got


def xfrmctl_verdict(xfrmctl, p, source):
    ifs = {"input": ["--iif", "vB"], "forward": ["--iif", "vB", "--oif", "vC"],
           "output": ["--oif", "vB"]}[p["path"]]
    cmd = [xfrmctl, "-j"] + source + ["fw", "verdict", "--proto", p["proto"], "--src", p["src"],
                                      "--dst", p["dst"], "--ct", p["ct"]] + ifs
    if "sport" in p:
        cmd += ["--sport", str(p["sport"]), "--dport", str(p["dport"])]
    if "spi" in p:
        cmd += ["--spi", str(p["spi"])]
    r = subprocess.run(cmd, capture_output=True, text=True)
    # exit 0: accept; 1: drop or undecidable (the document says which); else a failure
    if r.returncode not in (0, 1):
        raise RuntimeError(f"xfrmctl failed ({r.returncode}): {r.stderr.strip()}")
    d = json.loads(r.stdout)
    want = 0 if d["verdict"]["verdict"] == "accept" else 1
    if r.returncode != want:
        raise RuntimeError(f"xfrmctl fw verdict exited {r.returncode} for {d['verdict']['verdict']}")
    return d["verdict"]["verdict"], d["verdict"]["reason"]


def main():
    if os.geteuid() != 0:
        skip("needs root (network namespaces, raw sockets, nft)")
    xfrmctl = os.environ.get("XFRMCTL") or (sys.argv[1] if len(sys.argv) > 1 else None)
    if not xfrmctl or not os.access(xfrmctl, os.X_OK):
        skip("xfrmctl binary not given")
    if subprocess.run(["nft", "--version"], capture_output=True).returncode != 0:
        skip("nft not installed")
    n_rulesets = int(os.environ.get("XD_FWDIFF_RULESETS", "130"))
    per = int(os.environ.get("XD_FWDIFF_PACKETS", "20"))
    seed = int(os.environ.get("XD_FWDIFF_SEED", str(int(time.time()))))
    rnd = random.Random(seed)
    gen = Gen(rnd)
    # other test suites on the same machine add and delete namespaces too; `ip netns add`
    # remounts /run/netns and can race with them: try a few times before giving up
    for attempt in range(4):
        try:
            setup()
            break
        except Exception as e:
            teardown()
            if attempt == 3:
                skip(f"cannot build the namespaces: {e}")
            time.sleep(0.5 * (attempt + 1))
    recv, a_send, b_send, ct = open_sockets()
    have_legacy = sh("ip", "netns", "exec", NS_B, "iptables-legacy-restore", "-w", "10", input=EMPTY_FILTER,
                     check=False).returncode == 0
    ipt_sets = {"iptables-legacy": 0, "iptables-nft": 0}
    pairs = wrong = undec = bad_rulesets = accepted = 0
    by_path = {"input": 0, "forward": 0, "output": 0, "ipv6": 0}
    resent = dnat_probes = 0
    reasons = {}
    t0 = time.time()
    tmpdir = tempfile.mkdtemp(prefix="xd-fwdiff-")
    try:
        for i in range(n_rulesets):
            rs = gen.ruleset()
            sh("ip", "netns", "exec", NS_B, "nft", "flush", "ruleset")
            if have_legacy:
                sh("ip", "netns", "exec", NS_B, "iptables-legacy-restore", "-w", "10", input=EMPTY_FILTER)
            r = sh("ip", "netns", "exec", NS_B, "nft", "-f", "-", input=rs, check=False)
            if r.returncode == 0 and rnd.random() < 0.45:
                # iptables rules too: legacy (ip_tables) or iptables-nft (xt compat in nft)
                backend = rnd.choice([b for b in ("iptables-legacy", "iptables-nft")
                                      if b != "iptables-legacy" or have_legacy])
                ipt = gen.iptables()
                r = sh("ip", "netns", "exec", NS_B, backend + "-restore", "-w", "10", input=ipt,
                       check=False)  # -w: the xtables lock is machine-wide
                rs += f"# {backend}-restore:\n{ipt}"
                ipt_sets[backend] += 1
            if r.returncode != 0:
                bad_rulesets += 1
                if bad_rulesets <= 3:
                    print(f"generator produced a rule set that was refused:\n{rs}\n{r.stderr}")
                continue
            # evaluate from a snapshot for every other rule set: proves the replay path too
            source = ["-n", NS_B]
            if i % 2:
                snap = os.path.join(tmpdir, f"rs{i}.pcapng")
                sh(xfrmctl, "-n", NS_B, "capture", "-w", snap)
                source = ["-r", snap]
            pkts = [gen.packet() for _ in range(per)]
            if "table ip dock" in rs:
                # new TCP to the host's published port: the packet the DNAT forwards
                for p in pkts[:2]:
                    p.update(proto="tcp", path="input", src=rnd.choice(SRC_POOL), dst=B_ADDR,
                             ct="new", sport=rnd.randrange(1024, 65535), dport=8080)
                    p.pop("spi", None)
                dnat_probes += 2
            if "type nat hook" in rs:
                # the setup packet of an "established" test could be rewritten by NAT,
                # so the peer's packet would not be its reply: only new flows here
                for p in pkts:
                    p["ct"] = "new"
            # ESP/AH are tracked by addresses only: one conntrack entry per source, so
            # every ESP packet from one source must expect the same state
            first = {}
            for p in pkts:
                if p["proto"] in ("esp", "ah"):
                    p["ct"] = first.setdefault((p["proto"], p["src"]), p["ct"])
            ct_flush(ct)
            tags = []
            for p in pkts:
                tag = os.urandom(8)
                tags.append(tag)
                if p["ct"] == "established":
                    # the firewall host speaks first: the peer's packet is then a reply
                    rp = dict(p, src=p["dst"], dst=p["src"])
                    if "sport" in p:
                        rp["sport"], rp["dport"] = p["dport"], p["sport"]
                    try:
                        b_send.sendto(ip4(rp["src"], rp["dst"], PROTOS[p["proto"]],
                                          l4(rp, b"x" * 8)), (rp["dst"], 0))
                    except PermissionError:
                        # B's own output/postrouting dropped it: no connection was
                        # confirmed, so the peer's packet will be new after all
                        for q in pkts:
                            if q is p or (p["proto"] in ("esp", "ah") and q["proto"] == p["proto"]
                                          and q["src"] == p["src"] and q["path"] == "input"):
                                q["ct"] = "new"
            time.sleep(0.01)
            drain(recv)
            for p, tag in zip(pkts, tags):
                snd = b_send if p["path"] == "output" else a_send
                try:
                    snd.sendto(ip4(p["src"], p["dst"], PROTOS[p["proto"]], l4(p, tag)),
                               (p["dst"], 0))
                except PermissionError:
                    pass  # dropped by B's output/postrouting: seen as not delivered
            got = settle(recv)
            for p, tag in zip(pkts, tags):
                kernel = "accept" if any(tag in g for g in got) else "drop"
                ours, why = xfrmctl_verdict(xfrmctl, p, source)
                if ours in ("accept", "drop") and ours != kernel and p["ct"] == "new":
                    # on a loaded machine a packet can be late: send it once more (a new
                    # packet of the same flow) before calling the answer wrong
                    tag2 = os.urandom(8)
                    snd = b_send if p["path"] == "output" else a_send
                    try:
                        snd.sendto(ip4(p["src"], p["dst"], PROTOS[p["proto"]], l4(p, tag2)),
                                   (p["dst"], 0))
                    except PermissionError:
                        pass
                    again = settle(recv)
                    if ("accept" if any(tag2 in g for g in again) else "drop") == ours:
                        resent += 1
                        kernel = ours
                pairs += 1
                by_path[p["path"]] += 1
                by_path["ipv6"] += v6(p["src"])
                accepted += kernel == "accept"
                if ours == "undecidable":
                    undec += 1
                    reasons[why] = reasons.get(why, 0) + 1
                elif ours != kernel:
                    wrong += 1
                    if wrong <= 5:
                        print(f"WRONG: kernel {kernel}, xfrmctl {ours} ({why})\n"
                              f"  packet {p}\n  rule set (seed {seed}, #{i}):\n{rs}")
    finally:
        teardown()
    dt = time.time() - t0
    pct = 100.0 * undec / pairs if pairs else 100.0
    for why, n in sorted(reasons.items(), key=lambda x: -x[1])[:8]:
        print(f"  undecidable x{n}: {why}")
    print(f"fw-diff: seed {seed}: {pairs} pairs from {n_rulesets - bad_rulesets} rule sets, "
          f"{wrong} wrong, {undec} undecidable ({pct:.1f}%), kernel accepted {accepted}, "
          f"{bad_rulesets} rule sets refused, with iptables-legacy {ipt_sets['iptables-legacy']}, "
          f"with iptables-nft {ipt_sets['iptables-nft']}; paths input {by_path['input']}, "
          f"forward {by_path['forward']}, output {by_path['output']} (IPv6 {by_path['ipv6']}); "
          f"{resent} late packets resent; {dnat_probes} to a DNAT-published port; "
          f"{dt:.1f}s")
    if wrong or pairs < 2000 or pct >= 5.0:
        print("FAIL")
        return 1
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
