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
  - per-input statuses: absent, and a failed command's text is error/EBADMSG + tool.dump_failed;
  - packed: the same tree as .tar.xz/.tar.gz/.tar.bz2/.tar reads the same (and leaves nothing);
  - firewall text (tests/data/archives/netns-nft1.0.6-iptables1.8.9, real `nft -a list
    ruleset` and `iptables-save` output): as root, loaded in a private namespace, `show fw`
    equals a live capture of the same rules in a namespace; without the privilege, every
    firewall input says so (denied + reason), never absent.
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
FWDATA = os.path.join(ROOT, "tests", "data", "archives", "netns-nft1.0.6-iptables1.8.9")
FW_DUMPS = ("nft.gen", "nft.tables", "nft.chains", "nft.sets", "nft.setelems", "nft.rules",
            "nft.flowtables", "file.ip_tables_names", "ipt.legacy4", "file.ip6_tables_names",
            "ipt.legacy6")
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
    want_st = {"xfrm.sa": "complete", "xfrm.policy": "complete", "file.xfrm_stat": "complete",
               "file.uname": "complete", "file.sysctl": "absent", "rtnl.link": "absent",
               "rtnl.addr": "absent", "rtnl.route": "absent", **{d: "absent" for d in FW_DUMPS}}
    check(st == want_st, f"every input found, the firewall's said missing: {st}")

    # packed as sos does (one top directory), in every compression: the same answer
    for flag, ext in (("J", "tar.xz"), ("z", "tar.gz"), ("j", "tar.bz2"), ("", "tar")):
        packed = os.path.join(tmp, "sosreport-gw-2026." + ext)
        subprocess.run(["tar", "-c" + flag + "f", packed, "-C", tmp, "sosreport-gw-2026"], check=True)
        before = set(os.listdir(tempfile.gettempdir()))
        p_ids, p_doc = ids(packed)
        left = {n for n in set(os.listdir(tempfile.gettempdir())) - before if n.startswith("xfrmctl-archive-")}
        p_st = {d: v["status"] for d, v in p_doc["meta"]["dumps"].items()}
        check(p_ids == arch_ids and p_st == st and not left,
              f"-r {ext}: same ids and statuses as the directory, nothing left behind "
              f"({sorted(p_ids ^ arch_ids)} {dict(set(p_st.items()) ^ set(st.items()))} {left or ''})")
        os.unlink(packed)
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

    # firewall text: loaded in a private namespace, or said to need the privilege
    for src, dst in files.items():
        shutil.copy(os.path.join(DATA, src), os.path.join(sos, dst))
    os.makedirs(os.path.join(sos, "sos_commands/firewall_tables"))
    os.makedirs(os.path.join(sos, "sos_commands/networking"))
    shutil.copy(os.path.join(FWDATA, "nft_-a_list_ruleset"), os.path.join(sos, "sos_commands/firewall_tables"))
    for f in ("iptables-save", "ip6tables-save"):
        shutil.copy(os.path.join(FWDATA, f), os.path.join(sos, "sos_commands/networking"))
    shutil.copy(os.path.join(FWDATA, "sysctl_-a"), os.path.join(sos, "sos_commands/kernel"))
    for f in ("ip_-d_address", "ip_route_show_table_all"):
        shutil.copy(os.path.join(FWDATA, f), os.path.join(sos, "sos_commands/networking"))
    packed = os.path.join(tmp, "sosreport-gw-2026.tar.xz")
    subprocess.run(["tar", "-cJf", packed, "-C", tmp, "sosreport-gw-2026"], check=True)
    os.chmod(tmp, 0o755)  # for the unprivileged run below
    os.chmod(packed, 0o644)
    root = os.geteuid() == 0 and shutil.which("nft") and shutil.which("unshare") and \
        subprocess.run(["unshare", "-n", "true"]).returncode == 0
    unpriv = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] if root else []
    p = subprocess.run([*unpriv, XFRMCTL, "-r", packed, "--json", "check"], capture_output=True, text=True)
    d = json.loads(p.stdout)["meta"]["dumps"] if p.returncode in (0, 1) else {}
    reason = "unparseable: needs privileges to load into a private namespace"
    check(d and all(d[x]["status"] == "denied" for x in FW_DUMPS if x != "nft.gen" or x in d)
          and d["nft.rules"].get("reason") == reason and d["ipt.legacy4"].get("reason") == reason
          and d["nft.rules"].get("input") == "sos_commands/firewall_tables/nft_-a_list_ruleset"
          and d["file.sysctl"] == {"status": "complete", "input": "sos_commands/kernel/sysctl_-a"}
          and d["rtnl.addr"] == {"status": "complete", "input": "sos_commands/networking/ip_-d_address"}
          and d["rtnl.link"] == {"status": "complete"}
          and d["rtnl.route"] == {"status": "complete", "input": "sos_commands/networking/ip_route_show_table_all"},
          f"unprivileged: firewall inputs denied with the reason ({d.get('nft.rules')})")
    if root:
        fw_ids, doc = ids(packed)
        d = doc["meta"]["dumps"]
        check(all(d[x]["status"] == "complete" for x in FW_DUMPS) and "reason" not in d["nft.rules"],
              "as root: every firewall dump complete")
        want_fw = {"fw.esp_blocked", "fw.nat_before_policy"}
        check(want_fw <= fw_ids, f"as root: firewall findings {sorted(want_fw)} (got {sorted(i for i in fw_ids if i.startswith('fw.'))})")
        # the same rules loaded live in a namespace: the same firewall, rule for rule
        live = os.path.join(tmp, "live.pcapng")
        ipt = open(os.path.join(FWDATA, "iptables-save")).read()
        ip6t = open(os.path.join(FWDATA, "ip6tables-save")).read()
        script = (f"nft -f '{FWDATA}/nftables.conf' && iptables-legacy-restore <<'E'\n{ipt}E\n"
                  f"ip6tables-legacy-restore <<'E'\n{ip6t}E\n"
                  f"'{XFRMCTL}' --no-daemon capture -w '{live}'")
        lp = subprocess.run(["unshare", "-n", "sh", "-c", script], capture_output=True, text=True)
        if lp.returncode == 0:
            def fw(path):
                f = json.loads(run("-r", path, "--json", "show", "fw")[1])["firewall"]
                key = lambda r: json.dumps(r, sort_keys=True)
                return (sorted(f["base_chains"], key=key), sorted(f["ipsec_rules"], key=key),
                        {k: sorted(str(v).split(",")) for k, v in f["backends"].items()})
            a, b = fw(live), fw(packed)
            check(a == b, f"show fw from the archive equals a live capture of the same rules "
                          f"({len(a[0])} base chains, {len(a[1])} rules)")
        else:
            check(False, f"live capture in a namespace: {lp.stderr.strip()}")
        # links, addresses and routes: the namespace the data came from, made again
        script = ("ip link set lo up && ip link add veth0 type veth peer name veth1 && "
                  "ip addr add 192.0.2.1/24 dev veth0 && ip -6 addr add 2001:db8::1/64 dev veth0 nodad && "
                  "ip link set veth0 up && ip link set veth1 up && "
                  "ip route add 198.51.100.0/24 via 192.0.2.254 dev veth0 onlink && "
                  f"'{XFRMCTL}' --no-daemon capture -w '{live}.rt'")
        lp = subprocess.run(["unshare", "-n", "sh", "-c", script], capture_output=True, text=True)
        if lp.returncode == 0:
            def routes(path):
                doc = json.loads(run("-r", path, "--json", "show", "routes")[1])
                return sorted(json.dumps(r, sort_keys=True) for r in doc["routes"])
            a, b = routes(live + ".rt"), routes(packed)
            check(a and a == b, f"show routes from ip -d address + ip route equals a live capture ({len(a)} routes)")
        else:
            check(False, f"live capture in a namespace: {lp.stderr.strip()}")
    else:
        print("SKIP: loading firewall text needs root, nft and unshare -n")
    os.unlink(packed)

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
