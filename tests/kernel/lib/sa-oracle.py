#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Compare `xfrmctl --json show sa` with `ip -s -d xfrm state` field for field.

usage: sa-oracle.py IP_S_XFRM_STATE.txt XFRMCTL.json

The ip output contains keys: this script reads it but never prints a key (only key-free
fields are ever compared or shown). Compared per SA (matched on src, dst, proto, spi): reqid,
mode, family, selector src/dst, algorithm names, key bits, ICV/truncation bits, encap type and
ports and original address, replay window, ESN, flags, mark, if_id, byte and packet counters.
Exit 0 when every SA matches and both sides list the same SAs; 1 with one line per mismatch.
"""
import json
import re
import sys

PROTO = {"4": "ipip", "41": "ipv6", "50": "esp", "51": "ah", "108": "comp"}


def parse_ip(text):
    sas = []
    cur = None
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        m = re.match(r"^src (\S+) dst (\S+)$", line)
        if m:
            cur = {"src": m[1], "dst": m[2], "algorithms": {}, "flags": set()}
            sas.append(cur)
            continue
        if cur is None:
            continue
        w = line.split()
        if not w:
            continue
        if w[0] == "proto":
            cur["proto"] = PROTO.get(w[1], w[1])
            cur["spi"] = int(w[3].split("(")[0], 16)
            cur["reqid"] = int(w[5].split("(")[0])
            cur["mode"] = w[7]
        elif w[0] == "replay-window" and "failed" in w:
            pass  # the "stats:" line: replay-window failures, not the window
        elif w[0] == "replay-window":
            cur["replay_window"] = int(w[1])
            if "flag" in w:
                for f in w[w.index("flag") + 1:]:
                    if not f.startswith("("):
                        cur["flags"].add(f.replace("-", "_"))
        elif w[0] in ("aead", "enc", "auth", "auth-trunc"):
            kind = {"auth-trunc": "auth"}.get(w[0], w[0])
            a = {"name": w[1]}
            m = re.search(r"\((\d+) bits\)\s*(\d+)?", line)
            if m:
                a["key_bits"] = int(m[1])
                if m[2] is not None:
                    a["icv_bits" if kind == "aead" else "trunc_bits"] = int(m[2])
            cur["algorithms"][kind] = a
        elif w[0] == "comp":
            cur["algorithms"]["comp"] = {"name": w[1]}
        elif w[0] == "encap":
            cur["encap"] = {"type": w[2], "sport": int(w[4]), "dport": int(w[6]), "oa": w[8]}
        elif w[0] == "mark":
            v, _, mask = w[1].partition("/")
            cur["mark"] = {"value": int(v, 16), "mask": int(mask, 16) if mask else 0xffffffff}
        elif w[0] == "if_id":
            cur["if_id"] = int(w[1], 16)
        elif w[0] == "anti-replay" and w[1] == "esn":
            cur["esn_context"] = True
        elif "replay_window" in line and line.strip().startswith("replay_window"):
            cur["replay_window"] = int(re.search(r"replay_window (\d+)", line)[1])
        elif w[0] == "sel":
            cur["sel_src"] = w[2]
            cur["sel_dst"] = w[4]
        elif line.strip().startswith("expire add:") or line.strip().startswith("expire use:"):
            m = re.search(r"expire (add|use): soft (\d+)\(sec\), hard (\d+)\(sec\)", line)
            cur[f"soft_{m[1]}_expires_s"] = int(m[2])
            cur[f"hard_{m[1]}_expires_s"] = int(m[3])
        elif line.strip() == "lifetime current:":
            m = re.match(r"\s*(\d+)\(bytes\), (\d+)\(packets\)", lines[i])
            cur["bytes"], cur["packets"] = int(m[1]), int(m[2])
    return sas


def norm_prefix(p):
    return p if "/" in p else p + ("/128" if ":" in p else "/32")


def compare(ipsas, xsas):
    out = []
    key = lambda s: (s["src"], s["dst"], s["proto"], s["spi"])
    xi = {key(s): s for s in xsas}
    ii = {key(s): s for s in ipsas}
    for k in ii.keys() - xi.keys():
        out.append(f"SA {k} in ip but not in xfrmctl")
    for k in xi.keys() - ii.keys():
        out.append(f"SA {k} in xfrmctl but not in ip")
    for k in sorted(ii.keys() & xi.keys(), key=str):
        a, x = ii[k], xi[k]
        def cmp(field, iv, xv):
            if iv != xv:
                out.append(f"SA {k}: {field}: ip {iv!r} xfrmctl {xv!r}")
        cmp("reqid", a["reqid"], x.get("reqid"))
        cmp("mode", a["mode"], x.get("mode"))
        cmp("family", "inet6" if ":" in a["dst"] else "inet", x.get("family"))
        sel = x.get("selector", {})
        # ip omits an all-zero selector (family 0)
        anyp = "::/0" if ":" in a["dst"] else "0.0.0.0/0"
        if "sel_src" not in a:
            # ip omits an all-zero selector; xfrmctl keeps it as family unspec
            cmp("selector.family", "unspec", sel.get("family"))
        else:
            cmp("selector.src", norm_prefix(a.get("sel_src", anyp)), norm_prefix(sel.get("src", "")))
            cmp("selector.dst", norm_prefix(a.get("sel_dst", anyp)), norm_prefix(sel.get("dst", "")))
        cfg = x.get("lifetime", {}).get("config", {})
        for f in ("soft_add_expires_s", "hard_add_expires_s", "soft_use_expires_s", "hard_use_expires_s"):
            if f in a:
                cmp(f"lifetime.config.{f}", a[f], cfg.get(f))
        xalg = x.get("algorithms", {})
        cmp("algorithm kinds", sorted(a["algorithms"]), sorted(xalg))
        for kind, alg in a["algorithms"].items():
            xa = xalg.get(kind, {})
            for f, v in alg.items():
                cmp(f"{kind}.{f}", v, xa.get(f))
            if kind == "comp":
                cmp("comp.key_bits", 0, xa.get("key_bits", 0))
            for f in xa:
                if f not in alg and not (kind == "comp" and f == "key_bits"):
                    out.append(f"SA {k}: {kind}.{f} only in xfrmctl")
        cmp("encap", a.get("encap"), x.get("encap"))
        rep = x.get("replay", {})
        cmp("replay.window", a.get("replay_window", 0), rep.get("window"))
        cmp("replay.esn", "esn" in a["flags"], rep.get("esn"))
        cmp("flags", sorted(a["flags"]), sorted(x.get("flags", [])))
        if "mark" in a or "mark" in x:
            xm = x.get("mark") or {}
            cmp("mark", a.get("mark"), {"value": xm.get("value"), "mask": xm.get("mask")} if xm else None)
        cmp("if_id", a.get("if_id", 0), x.get("if_id", 0))
        cur = x.get("lifetime", {}).get("current", {})
        cmp("bytes", a["bytes"], cur.get("bytes"))
        cmp("packets", a["packets"], cur.get("packets"))
    return out


def main(argv):
    if len(argv) != 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    ipsas = parse_ip(open(argv[1]).read())
    xsas = json.load(open(argv[2]))["sas"]
    problems = compare(ipsas, xsas)
    for p in problems:
        print(p)
    print(f"sa-oracle: {len(ipsas)} SAs from ip, {len(xsas)} from xfrmctl, {len(problems)} mismatches",
          file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
