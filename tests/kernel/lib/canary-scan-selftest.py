#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Self-test of canary-scan.py (no root, no kernel): a key leaked in each encoding the scanner
claims to catch must be caught (the negative control of testing.md T4), and a file without the
key must give 0 hits. usage: canary-scan-selftest.py"""
import base64
import os
import subprocess
import sys
import tempfile

here = os.path.dirname(os.path.abspath(__file__))
scan = os.path.join(here, "canary-scan.py")
key = bytes.fromhex("5d5b8bfbb65f11449190cb7639b9a9c43b217fc63661eb2b8cbac2b222b6a433")
hx = key.hex()
leaks = {
    "hex": hx.encode(),
    "HEX": hx.upper().encode(),
    "0x": b"key 0x" + hx.encode() + b" 256",
    "raw": b"\x00\x01" + key + b"\xff",
    "base64": base64.b64encode(key),
    "base64-shifted": base64.b64encode(b"\x07" + key),
    "base64-partial": base64.b64encode(key[5:]),
    "base64url": base64.urlsafe_b64encode(b"ab" + key),
    "colon-hex": ":".join(f"{b:02x}" for b in key).encode(),
    "COLON-HEX": ":".join(f"{b:02X}" for b in key).encode(),
    "8-byte-window-raw": b"zz" + key[11:19] + b"zz",
    "8-byte-window-hex": b"..." + key[20:28].hex().encode() + b"...",
    "json-array-hex-run": b'{"k":"' + key[3:15].hex().encode() + b'"}',
}
fails = 0
with tempfile.TemporaryDirectory() as d:
    kf = os.path.join(d, "keys")
    open(kf, "w").write("0x" + hx + "\n")
    for name, blob in leaks.items():
        f = os.path.join(d, name)
        open(f, "wb").write(b"prefix " + blob + b" suffix\n")
        r = subprocess.run([sys.executable, scan, kf, f], capture_output=True)
        ok = r.returncode == 1 and b"CANARY HIT" in r.stdout
        print(("PASS" if ok else "FAIL") + f": leak as {name} is caught")
        fails += not ok
        os.unlink(f)
    clean = os.path.join(d, "clean")
    open(clean, "wb").write(b"aead rfc4106(gcm(aes)) 0x" + b"00" * 20 + b" (160 bits) 128\n" + os.urandom(4096))
    r = subprocess.run([sys.executable, scan, kf, clean], capture_output=True)
    ok = r.returncode == 0
    print(("PASS" if ok else "FAIL") + ": a file without the key gives 0 hits")
    fails += not ok
    open(kf, "w").write("0x0102\n")
    r = subprocess.run([sys.executable, scan, kf, clean], capture_output=True)
    ok = r.returncode == 2
    print(("PASS" if ok else "FAIL") + ": a key under 8 bytes is refused")
    fails += not ok
sys.exit(1 if fails else 0)
