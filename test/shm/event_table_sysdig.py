#!/usr/bin/env python3
"""Holds shm/events.in against sysdig's own event list (`sysdig -L`).

sysdig -L prints every event that is not internal, unused or an old version,
as '> name(TYPE param, ...)' for enter and '< ...' for exit, in table order.
We print the same from events.in and require the two to be identical. The
copy in ../shared/reference is checked too when it is there.
Exit 77 (skip) when neither sysdig nor the reference copy is available.
"""
import difflib
import os
import re
import shutil
import subprocess
import sys

SYSDIG_TYPE_NAMES = {"DYN": "DYNAMIC"}


def expected(events_in):
    lines, cur = [], None
    for raw in open(events_in, encoding="utf-8"):
        w = raw.split()
        if not w or w[0].startswith("#"):
            continue
        if w[0] == "event":
            cur = dict(dir=w[2], name=w[3], cat=w[5], flags=w[6].split("|"), params=[])
            lines.append(cur)
        elif w[0] == "param" and cur is not None:
            m = re.match(r'param "([^"]*)" (\S+)', raw.strip())
            cur["params"].append(f"{SYSDIG_TYPE_NAMES.get(m.group(2), m.group(2))} {m.group(1)}")
        elif w[0] in ("dynamic", "flagset"):
            cur = None
    out = []
    for e in lines:
        if e["cat"] == "EC_INTERNAL" or "EF_UNUSED" in e["flags"] or "EF_OLD_VERSION" in e["flags"]:
            continue
        out.append(("> " if e["dir"] == "E" else "< ") + e["name"] + "(" + ", ".join(e["params"]) + ")")
    return out


def compare(ours, theirs, what):
    if ours == theirs:
        print(f"ok: {len(ours)} events identical to {what}")
        return True
    print(f"FAIL: events.in differs from {what}:")
    for line in difflib.unified_diff(ours, theirs, "events.in", what, lineterm="", n=0):
        print(line)
    return False


def main():
    events_in = sys.argv[1]
    ours = expected(events_in)
    checked, ok = 0, True
    if shutil.which("sysdig"):
        version = subprocess.run(["sysdig", "--version"], capture_output=True,
                                 text=True).stdout.strip()
        if version == "sysdig version 0.29.3":
            real = subprocess.run(["sysdig", "-L"], capture_output=True, text=True,
                                  check=True).stdout
            ok &= compare(ours, real.splitlines(), "sysdig -L")
            checked += 1
        else:
            print(f"skip: sysdig -L: {version or 'sysdig of unknown version'} is installed, "
                  "not 0.29.3 (Debian 12's), whose event table ours follows")
    ref = os.path.join(os.path.dirname(events_in), "..", "..", "shared", "reference",
                       "sysdig-0.29.3-events.txt")
    if os.path.exists(ref):
        ok &= compare(ours, open(ref, encoding="utf-8").read().splitlines(), ref)
        checked += 1
    if not checked:
        print("SKIP: neither sysdig (apt-get install sysdig) nor ../shared/reference is available")
        sys.exit(77)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
