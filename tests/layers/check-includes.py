#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Each core layer includes only the public headers of its own layer and the layers below
(xfrmd/meson.build draws the same graph; the link check there catches calls, this catches
includes). diag/, fw/ and render/ include no kernel or netlink header (DESIGN.md §3)."""
import pathlib
import re
import sys

src = pathlib.Path(sys.argv[1])

# Which layer each public header belongs to.
HEADER_LAYER = {
    'arena.h': 'model', 'cert.h': 'model', 'dumps.h': 'model', 'fw-model.h': 'model',
    'kernel.h': 'model', 'kevent.h': 'model', 'keysort.h': 'model', 'model.h': 'model',
    'names.h': 'model', 'recbuf.h': 'model', 'stack.h': 'model', 'util.h': 'model', 'file.h': 'model', 'ike.h': 'model', 'route.h': 'model',
    'decode.h': 'decode', 'ipt-record.h': 'decode',
    'nl.h': 'nl', 'collect.h': 'collect', 'ikeconf.h': 'collect', 'capture.h': 'capture', 'fw.h': 'fw',
    'diag.h': 'diag', 'analysis.h': 'diag', 'finding.h': 'diag', 'kb.h': 'diag', 'peers.h': 'diag', 'tunnels.h': 'diag', 'rtunnel.h': 'diag',
    'render.h': 'render', 'table.h': 'render',
}
# The layers each layer may use (its own included), as in xfrmd/meson.build.
BELOW = {
    'model': set(), 'decode': {'model'}, 'nl': {'decode', 'model'},
    'collect': {'nl', 'decode', 'model'}, 'capture': {'decode', 'model'}, 'fw': {'model'},
    'diag': {'fw', 'decode', 'model'}, 'render': {'diag', 'fw', 'decode', 'model'},
}
NO_KERNEL_HEADERS = {'diag', 'fw', 'render'}

fail = 0
headers = {p.name for p in (src / 'include' / 'xfrmd').glob('*.h')}
for h in sorted(headers - HEADER_LAYER.keys()):
    print(f'FAIL: include/xfrmd/{h} has no layer in tests/layers/check-includes.py')
    fail = 1
checked = 0
for layer, below in BELOW.items():
    allowed = below | {layer}
    for f in sorted((src / 'xfrmd' / layer).glob('*.[ch]')):
        text = f.read_text()
        checked += 1
        for m in re.finditer(r'^#\s*include\s+"xfrmd/([^"]+)"', text, re.M):
            owner = HEADER_LAYER.get(m.group(1))
            if owner and owner not in allowed:
                print(f'FAIL: {f.relative_to(src)} ({layer}) includes xfrmd/{m.group(1)} ({owner})')
                fail = 1
        if layer in NO_KERNEL_HEADERS:
            for m in re.finditer(r'^#\s*include\s+<((?:linux|libmnl)/[^>]+)>', text, re.M):
                print(f'FAIL: {f.relative_to(src)} ({layer}) includes <{m.group(1)}>')
                fail = 1
        for m in re.finditer(r'^#\s*include\s+"\.\./', text, re.M):
            print(f'FAIL: {f.relative_to(src)} reaches into another folder with "../"')
            fail = 1
if not fail:
    print(f'ok: {checked} files of {len(BELOW)} layers include only their own and lower layers')
sys.exit(fail)
