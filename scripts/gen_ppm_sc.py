#!/usr/bin/env python3
"""The driver's syscall codes (PPM_SC_*) as pdig's data file pdig/ppm_sc.in.

Usage: gen_ppm_sc.py HEADER [OUT]          write the data file (stdout if no OUT)
       gen_ppm_sc.py --check HEADER DATA   differences between the two; exit 1 if any

HEADER is libscap's driver/ppm_events_public.h (enum ppm_syscall_code). The
data file is generated once and committed, so building pdig never needs
libscap; --check tells whether an installed libscap still agrees with it.
"""
import re
import sys

PREAMBLE = """\
# The driver's syscall codes: the "ID" of the generic event (PPM_SC_* of
# libscap's driver/ppm_events_public.h, 2022), one "NAME CODE" a line, NAME
# the lowercased constant without PPM_SC_ (mostly the syscall's name).
# Generated once by scripts/gen_ppm_sc.py from that header and kept as data:
# the build reads this file only. Codes are part of the event format: never
# renumber.
"""


def read_header(path):
    """NAME -> code from enum ppm_syscall_code (UNKNOWN and MAX left out)."""
    codes, inside = {}, False
    for line in open(path, encoding="utf-8"):
        if re.match(r"\s*enum\s+ppm_syscall_code\b", line):
            inside = True
            continue
        if not inside:
            continue
        if line.strip().startswith("}"):
            break
        m = re.match(r"\s*PPM_SC_(\w+)\s*=\s*(\d+)", line)
        if m and m.group(1) not in ("UNKNOWN", "MAX"):
            codes[m.group(1).lower()] = int(m.group(2))
    if not codes:
        sys.exit(f"{path}: no enum ppm_syscall_code with PPM_SC_* values")
    return codes


def read_data(path):
    codes = {}
    for lineno, raw in enumerate(open(path, encoding="utf-8"), 1):
        line = raw.split("#", 1)[0].split()
        if not line:
            continue
        if len(line) != 2 or not line[1].isdigit():
            sys.exit(f"{path}:{lineno}: need NAME CODE")
        if line[0] in codes:
            sys.exit(f"{path}:{lineno}: {line[0]} listed twice")
        codes[line[0]] = int(line[1])
    return codes


def main():
    args = sys.argv[1:]
    if len(args) == 3 and args[0] == "--check":
        hdr, data = read_header(args[1]), read_data(args[2])
        diff = 0
        for name in sorted(set(hdr) | set(data), key=lambda n: hdr.get(n, data.get(n))):
            if hdr.get(name) != data.get(name):
                print(f"{name}: header {hdr.get(name, '-')}, data file {data.get(name, '-')}")
                diff = 1
        sys.exit(diff)
    if len(args) not in (1, 2):
        sys.exit(__doc__)
    codes = read_header(args[0])
    text = PREAMBLE + "".join(f"{n} {c}\n" for n, c in sorted(codes.items(), key=lambda kv: kv[1]))
    if len(args) == 2:
        with open(args[1], "w", encoding="utf-8") as f:
            f.write(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
