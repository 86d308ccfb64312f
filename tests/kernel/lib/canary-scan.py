#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Key-canary scanner (testing.md T4).

usage: canary-scan.py KEYFILE PATH...

KEYFILE holds one key per line as hex (with or without 0x). Every file under each PATH
(recursively) is read as bytes and searched for every key in these encodings:
lower/upper hex, 0x-prefixed hex, raw bytes, base64 and base64url (every 9-byte window, so any
alignment and any partial run of >= 11 bytes), colon-separated hex (lower/upper), and every
8-byte window of the key (raw and hex), so a partial or
reformatted leak is still caught. Prints one line per hit; exit status 0 = no hit, 1 = hits,
2 = usage error. Keys shorter than 8 bytes are refused (they would match by chance).
"""
import base64
import os
import sys


def patterns(key: bytes):
    """Yield (label, needle) pairs for one key."""
    hx = key.hex()
    yield "hex", hx.encode()
    yield "HEX", hx.upper().encode()
    yield "0x-hex", b"0x" + hx.encode()
    yield "raw", key
    yield "colon-hex", ":".join(hx[i:i + 2] for i in range(0, len(hx), 2)).encode()
    yield "COLON-HEX", ":".join(hx[i:i + 2] for i in range(0, len(hx), 2)).upper().encode()
    # base64: every 9-byte window encodes to 12 characters that depend on those bytes only, and
    # any base64 text holding >= 11 consecutive key bytes (whatever its alignment) contains the
    # encoding of one such window; same for the URL-safe alphabet
    for i in range(0, len(key) - 8):
        w = key[i:i + 9]
        yield f"base64@{i}", base64.b64encode(w)
        yield f"base64url@{i}", base64.urlsafe_b64encode(w)
    for i in range(0, len(key) - 7):
        w = key[i:i + 8]
        yield f"window@{i}-raw", w
        yield f"window@{i}-hex", w.hex().encode()
        yield f"window@{i}-HEX", w.hex().upper().encode()


def files(paths):
    for p in paths:
        if os.path.isfile(p):
            yield p
        elif os.path.isdir(p):
            for root, _dirs, names in os.walk(p):
                for n in sorted(names):
                    yield os.path.join(root, n)


def main(argv):
    if len(argv) < 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    keys = []
    with open(argv[1]) as f:
        for line in f:
            s = line.strip().lower()
            if s.startswith("0x"):
                s = s[2:]
            if not s:
                continue
            k = bytes.fromhex(s)
            if len(k) < 8:
                print(f"canary-scan: key of {len(k)} bytes is too short to scan for", file=sys.stderr)
                return 2
            keys.append(k)
    needles = []
    for k in keys:
        for label, n in patterns(k):
            needles.append((k.hex()[:16], label, n))
    hits = nfiles = nbytes = 0
    for path in files(argv[2:]):
        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError as e:
            print(f"canary-scan: cannot read {path}: {e}", file=sys.stderr)
            continue
        nfiles += 1
        nbytes += len(data)
        seen = set()
        for keyid, label, n in needles:
            off = data.find(n)
            if off >= 0 and (keyid, path) not in seen:
                seen.add((keyid, path))
                hits += 1
                print(f"CANARY HIT: key {keyid}... as {label} in {path} at offset {off}")
    print(f"canary-scan: {len(keys)} keys, {nfiles} files, {nbytes} bytes, {hits} hits", file=sys.stderr)
    return 1 if hits else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
