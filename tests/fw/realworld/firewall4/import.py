#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Imports OpenWrt firewall4's own test expectations as real-world rule set cases.

firewall4 (fw4) is not packaged in Debian; its test suite (tests/*/* in its repository) renders
the nft rule set that fw4 prints for a given UCI configuration and compares it with an expected
text. That expected text is fw4's generated output; this script takes each complete one
(`table inet fw4 ...`), adapts it to fw-diff.py's namespace B and writes
<case>/ruleset.nft next to itself. Every adaptation is mechanical and listed in SOURCES.md;
the lines dropped per case go to adaptations.txt.

Usage (as root, needs nft and `ip netns`): import.py FIREWALL4_CHECKOUT
"""
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

# the mock's wan and lan devices and subnets become namespace B's uplink and LAN
# (the mock's addresses: lan 192.168.26.1 on br-lan, wan 10.11.12.194 and 2001:db8:54:321::2 on
# pppoe-wan; its LAN server 192.168.26.100 becomes host C)
RENAME = [('"pppoe-wan"', '"vB"'), ('"br-lan"', '"vC"')]
READDR = [("192.168.26.0/24", "10.98.0.0/24"), ("fd63:e2f:f706::/60", "fd98::/60"),
          ("10.11.12.0/24", "10.99.0.0/24"), ("2001:db8:54:321::/64", "fd99::/64"),
          ("192.168.26.1", "10.98.0.2"), ("192.168.26.100", "10.98.0.1"),
          ("10.11.12.194", "10.99.0.2"), ("10.11.12.13", "10.99.0.13"),
          ("2001:db8:54:321::2", "fd99::2")]
# conntrack helpers whose kernel module this kernel cannot provide (rtsp is out of tree; pptp
# is not built/loadable here; "test" is a made-up helper type of one test)
NO_HELPER = ["pptp", "rtsp", "test"]
# the include tests need the include files that the test itself supplies: they are left out
SKIP = {"06_includes/01_nft_includes", "06_includes/04_disabled_include",
        "06_includes/05_automatic_includes"}


def git(repo, *args):
    return subprocess.run(["git", "-C", repo, *args], check=True, capture_output=True,
                          text=True).stdout


def adapt(text, dropped):
    for a, b in RENAME:
        text = text.replace(a, b)
    for a, b in READDR:  # whole addresses only: 192.168.26.1 is not 192.168.26.100
        tail = r"(?![0-9a-f:])" if ":" in a else r"(?![0-9.])"
        text = re.sub(r"(?<![0-9a-f.:])" + re.escape(a) + tail, b, text)
    # this kernel has no flow table support (nf_flow_table): a flow table and the rule that
    # offloads to it change no verdict of a first packet, so both go
    m = re.search(r"\n\t#\n\t# Flowtable\n\t#\n\n\tflowtable ft \{.*?\n\t\}\n", text, re.S)
    if m:
        dropped.append("flowtable ft { ... } (and its `flow offload @ft` rule)")
        text = text[:m.start()] + "\n" + text[m.end():]
    out = []
    skip_block = False
    for line in text.split("\n"):
        s = line.strip()
        if skip_block:
            if s == "}":
                skip_block = False
            continue
        if s == "flow add @ft" or "flow offload @ft" in s:
            continue
        mh = re.match(r'ct helper (\S+) \{$', s)
        if mh and any(f'type "{h}"' in text.split(s, 1)[1].split("}", 1)[0] for h in NO_HELPER):
            dropped.append(f"ct helper {mh.group(1)} {{ ... }}")
            skip_block = True
            continue
        if any(f'ct helper set "{h}"' in s for h in NO_HELPER):
            dropped.append(s)
            continue
        # fw4's own includes of /etc/nftables.d: nothing of the host goes into a case
        if s == 'include "/etc/nftables.d/*.nft"':
            dropped.append(s)
            continue
        out.append(line)
    return "\n".join(out)


def try_load(ns, text):
    subprocess.run(["ip", "netns", "exec", ns, "nft", "flush", "ruleset"], check=True)
    r = subprocess.run(["ip", "netns", "exec", ns, "nft", "-f", "-"], input=text,
                       capture_output=True, text=True)
    return r.returncode, r.stderr


def main():
    repo = sys.argv[1]
    head = git(repo, "rev-parse", "HEAD").strip()
    ns = f"xdfwsfw4{os.getpid()}"
    subprocess.run(["ip", "netns", "add", ns], check=True)
    report = [f"# firewall4 {head}: lines dropped per case (see SOURCES.md)", ""]
    try:
        for dev, peer in (("vB", "pB"), ("vC", "pC")):
            subprocess.run(["ip", "-n", ns, "link", "add", dev, "type", "veth", "peer", "name",
                            peer], check=True)
        for path in git(repo, "ls-tree", "-r", "--name-only", "HEAD", "tests/").split():
            rel = path[len("tests/"):]
            if rel.startswith(("lib/", "mocks/")) or rel in SKIP:
                continue
            body = git(repo, "show", f"{head}:{path}")
            for i, sec in enumerate(re.findall(r"-- Expect stdout --\n(.*?)-- End --", body,
                                               re.S)):
                if "table inet fw4" not in sec:
                    continue
                case = rel.replace("/", "-").replace("_", "-") + ("" if i == 0 else f"-{i + 1}")
                dropped = []
                text = adapt(sec, dropped)
                # a rule that nft 1.0.6 refuses (fw4 prints port mappings on redirects
                # without a protocol in two tests): drop that rule line, report it
                for _ in range(20):
                    rc, err = try_load(ns, text)
                    if rc == 0:
                        break
                    bad = {int(n) for n in re.findall(r"^/dev/stdin:(\d+):", err, re.M)}
                    lines = text.split("\n")
                    if not bad or any(not lines[n - 1].strip() or lines[n - 1].strip()
                                      .endswith(("{", "}")) for n in bad):
                        raise SystemExit(f"{case}: cannot load:\n{err}")
                    dropped += [lines[n - 1].strip() for n in sorted(bad)]
                    text = "\n".join(ln for n, ln in enumerate(lines, 1) if n not in bad)
                else:
                    raise SystemExit(f"{case}: still not loading")
                d = os.path.join(HERE, case)
                os.makedirs(d, exist_ok=True)
                with open(os.path.join(d, "ruleset.nft"), "w") as f:
                    f.write(text)
                report.append(f"## {case} (tests/{rel})")
                report += [f"- {x}" for x in dropped] or ["- (none)"]
                report.append("")
                print(f"{case}: {sum(1 for ln in text.split(chr(10)) if ln.strip())} lines,"
                      f" {len(dropped)} dropped")
    finally:
        subprocess.run(["ip", "netns", "del", ns])
    with open(os.path.join(HERE, "adaptations.txt"), "w") as f:
        f.write("\n".join(report))


if __name__ == "__main__":
    main()
