# SPDX-License-Identifier: GPL-2.0-or-later
"""The pass/fail count of a check script: check(ok, what) for every assertion (a failure is
recorded, the script goes on), finish() at the end prints the failures and the count and
exits 1 when anything failed."""
import sys

fails, passes = [], 0


def check(ok, what):
    global passes
    if ok:
        passes += 1
    else:
        fails.append(what)


def finish():
    for f in fails:
        print("FAIL:", f)
    print(f"{passes} passed, {len(fails)} failed")
    sys.exit(1 if fails else 0)
