#!/usr/bin/env python3
"""Turn shm/events.in (the driver ABI's event table) into C.

Usage: gen_event_table.py events.in out.h out.c
The output is never edited by hand: change events.in and rebuild.
"""
import re
import sys

TYPES = ["NONE", "INT8", "INT16", "INT32", "INT64", "UINT8", "UINT16", "UINT32",
         "UINT64", "CHARBUF", "BYTEBUF", "ERRNO", "SOCKADDR", "SOCKTUPLE", "FD",
         "PID", "FDLIST", "FSPATH", "SYSCALLID", "SIGTYPE", "RELTIME", "ABSTIME",
         "PORT", "L4PROTO", "SOCKFAMILY", "BOOL", "IPV4ADDR", "DYN", "FLAGS8",
         "FLAGS16", "FLAGS32", "UID", "GID", "DOUBLE", "SIGSET", "CHARBUFARRAY",
         "CHARBUF_PAIR_ARRAY", "IPV4NET", "IPV6ADDR", "IPV6NET", "IPADDR", "IPNET",
         "MODE", "FSRELPATH"]
FORMATS = ["NA", "DEC", "HEX", "10_PADDED_DEC", "ID", "DIR", "OCT"]
CATEGORIES = {"EC_UNKNOWN", "EC_OTHER", "EC_FILE", "EC_NET", "EC_IPC", "EC_MEMORY",
              "EC_PROCESS", "EC_SLEEP", "EC_SYSTEM", "EC_SIGNAL", "EC_USER", "EC_TIME",
              "EC_PROCESSING", "EC_IO_READ", "EC_IO_WRITE", "EC_IO_OTHER", "EC_WAIT",
              "EC_SCHEDULER", "EC_INTERNAL"}
FLAGS = {"EF_NONE", "EF_CREATES_FD", "EF_DESTROYS_FD", "EF_USES_FD", "EF_READS_FROM_FD",
         "EF_WRITES_TO_FD", "EF_MODIFIES_STATE", "EF_UNUSED", "EF_WAITS",
         "EF_SKIPPARSERESET", "EF_OLD_VERSION", "EF_DROP_SIMPLE_CONS", "EF_LARGE_PAYLOAD"}
PARAM_RE = re.compile(r'param "([^"]*)" (\S+) (\S+)(?: (\S+))?$')


def fail(path, lineno, msg):
    sys.exit(f"{path}:{lineno}: {msg}")


def parse(path):
    events, dynamics, flagsets = {}, {}, {}
    cur = None  # list receiving params or flag values
    for lineno, raw in enumerate(open(path, encoding="utf-8"), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        words = line.split()
        if words[0] == "event":
            if len(words) != 7:
                fail(path, lineno, "event needs NUM DIR NAME SYMBOL CATEGORY FLAGS")
            num = int(words[1])
            if num in events:
                fail(path, lineno, f"event {num} defined twice")
            if words[2] not in ("E", "X") or (num & 1) != (words[2] == "X"):
                fail(path, lineno, "direction must be E for even numbers, X for odd")
            if words[5] not in CATEGORIES:
                fail(path, lineno, f"unknown category {words[5]}")
            for f in words[6].split("|"):
                if f not in FLAGS:
                    fail(path, lineno, f"unknown flag {f}")
            cur = []
            events[num] = dict(name=words[3], sym=words[4], cat=words[5],
                               flags=words[6], params=cur)
        elif words[0] == "dynamic":
            cur = dynamics.setdefault(words[1], [])
        elif words[0] == "flagset":
            cur = flagsets.setdefault(words[1], [])
        elif words[0] == "param":
            m = PARAM_RE.match(line)
            if not m or cur is None:
                fail(path, lineno, "bad param line")
            name, typ, fmt, info = m.groups()
            if typ not in TYPES or fmt not in FORMATS:
                fail(path, lineno, f"unknown type {typ} or format {fmt}")
            cur.append(dict(name=name, type=typ, fmt=fmt, info=info))
        else:
            if cur is None or len(words) != 2:
                fail(path, lineno, f"cannot read: {line}")
            cur.append((words[0], int(words[1], 0)))
    nmax = max(events) + 1
    for n in range(nmax):
        if n not in events:
            sys.exit(f"{path}: event {n} missing: the table must have no holes")
    return events, dynamics, flagsets, nmax


def cstr(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def param_init(p, dynamics, flagsets):
    info, ninfo, dirfd = "NULL", 0, 0
    if p["info"]:
        kind, _, arg = p["info"].partition(":")
        if kind == "flags":
            if arg not in flagsets:
                sys.exit(f"unknown flagset {arg}")
            info = f"shm_flags_{arg}"
        elif kind == "dyn":
            if arg not in dynamics:
                sys.exit(f"unknown dynamic set {arg}")
            info, ninfo = f"shm_dyn_{arg}", len(dynamics[arg])
        elif kind == "dirfd":
            dirfd = int(arg)
        else:
            sys.exit(f"unknown info {p['info']}")
    return (f"{{{cstr(p['name'])}, SHM_PT_{p['type']}, SHM_PF_{p['fmt']}, "
            f"{ninfo}, {dirfd}, {info}}}")


def main():
    src, out_h, out_c = sys.argv[1:4]
    events, dynamics, flagsets, nmax = parse(src)
    with open(out_h, "w", encoding="utf-8") as h:
        h.write("/* Generated from shm/events.in by scripts/gen_event_table.py: do not edit. */\n")
        h.write("#ifndef SHM_EVENT_TABLE_H\n#define SHM_EVENT_TABLE_H\n\n")
        h.write("enum shm_event_type {\n")
        for n in range(nmax):
            h.write(f"\tSHM_EV_{events[n]['sym']} = {n},\n")
        h.write(f"\tSHM_EVENT_MAX = {nmax}\n}};\n\n")
        maxp = max(len(e["params"]) for e in events.values())
        h.write(f"#define SHM_MAX_EVENT_PARAMS {maxp}\n\n#endif\n")
    with open(out_c, "w", encoding="utf-8") as c:
        c.write("/* Generated from shm/events.in by scripts/gen_event_table.py: do not edit. */\n")
        c.write('#include <stddef.h>\n#include "shm_event.h"\n\n')
        for name, values in flagsets.items():
            c.write(f"const struct shm_name_value shm_flags_{name}[] = {{\n")
            for vname, val in values:
                c.write(f"\t{{{cstr(vname)}, {val:#x}u}},\n")
            c.write("\t{NULL, 0}\n};\n\n")
        for name, params in dynamics.items():
            c.write(f"const struct shm_param_info shm_dyn_{name}[] = {{\n")
            for p in params:
                c.write(f"\t{param_init(p, dynamics, flagsets)},\n")
            c.write("};\n\n")
        for n in range(nmax):
            e = events[n]
            if e["params"]:
                c.write(f"static const struct shm_param_info params_{n}[] = {{\n")
                for p in e["params"]:
                    c.write(f"\t{param_init(p, dynamics, flagsets)},\n")
                c.write("};\n")
        c.write("\nconst struct shm_event_info shm_event_table[SHM_EVENT_MAX] = {\n")
        for n in range(nmax):
            e = events[n]
            flags = "|".join("SHM_" + f for f in e["flags"].split("|"))
            params = f"params_{n}" if e["params"] else "NULL"
            c.write(f"\t[{n}] = {{{cstr(e['name'])}, SHM_{e['cat']}, {flags}, "
                    f"{len(e['params'])}, {params}}},\n")
        c.write("};\n")


if __name__ == "__main__":
    main()
