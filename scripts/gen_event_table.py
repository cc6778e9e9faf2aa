#!/usr/bin/env python3
"""Turn shm/events.in (the driver ABI's event table) into C.

Usage: gen_event_table.py events.in out.h out.c
The output is never edited by hand: change events.in and rebuild.
The header names what C code needs from the table: event types, the flag
sets' values under the driver's names (SHM_PPM_O_RDONLY), the index of each
event's parameters (SHM_P_OPENAT_2_X_FD) and which events share a layout.
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
# Parameters found at one index in every event that has them, so that code
# reading any of those events can say which it means (checked below).
COMMON_PARAMS = {"res": "SHM_P_RES"}


def fail(path, lineno, msg):
    sys.exit(f"{path}:{lineno}: {msg}")


def parse(path):
    events, dynamics, flagsets, constants = {}, {}, {}, {}
    cur = None  # list receiving params or flag values
    prefix = None  # the driver's prefix of the current set's C names
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
        elif words[0] in ("flagset", "constants"):
            if len(words) != 3:
                fail(path, lineno, f"{words[0]} needs NAME PREFIX (the driver's, e.g. PPM_O_)")
            sets = flagsets if words[0] == "flagset" else constants
            if words[1] in sets:
                fail(path, lineno, f"{words[0]} {words[1]} defined twice")
            cur, prefix = sets.setdefault(words[1], []), words[2]
        elif words[0] == "param":
            m = PARAM_RE.match(line)
            if not m or cur is None:
                fail(path, lineno, "bad param line")
            name, typ, fmt, info = m.groups()
            if typ not in TYPES or fmt not in FORMATS:
                fail(path, lineno, f"unknown type {typ} or format {fmt}")
            cur.append(dict(name=name, type=typ, fmt=fmt, info=info))
        else:
            if cur is None or prefix is None or len(words) not in (2, 3):
                fail(path, lineno, f"cannot read: {line}")
            cname = (words[2] if len(words) == 3 else prefix) + words[0]
            cur.append((words[0], int(words[1], 0), cname))
        if words[0] in ("event", "dynamic"):
            prefix = None
    nmax = max(events) + 1
    for n in range(nmax):
        if n not in events:
            sys.exit(f"{path}: event {n} missing: the table must have no holes")
    return events, dynamics, flagsets, constants, nmax


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


def short_sym(sym):
    """The event symbol in parameter names: OPENAT_2_X for SYSCALL_OPENAT_2_X."""
    return re.sub(r"^(SYSCALL|SOCKET)_", "", sym)


def c_name(name):
    """A parameter's name as part of a C identifier ("plugin ID": PLUGIN_ID)."""
    return re.sub(r"[^A-Za-z0-9]+", "_", name).upper()


def check_unique(names, what):
    seen = set()
    for n in names:
        if n in seen:
            sys.exit(f"events.in: two {what} would be named {n}")
        seen.add(n)


def c_value(val):
    return f"({val})" if val < 0 else f"{val:#x}u"


def write_constants(h, flagsets, constants):
    check_unique([c for vals in list(flagsets.values()) + list(constants.values())
                  for _, _, c in vals], "constants")
    h.write("/* The flag sets' values (and a few other driver values) under the\n"
            " * driver's names with SHM_ before them (ppm_events_public.h). */\n")
    for kind, sets in (("flag set", flagsets), ("constants", constants)):
        for name, values in sets.items():
            h.write(f"/* {kind} {name} */\n")
            for _, val, cname in values:
                h.write(f"#define SHM_{cname} {c_value(val)}\n")
    h.write("\n/* X(driver name) for every flag set value: the test against\n"
            " * libscap compares each SHM_ constant with the driver's. */\n")
    h.write("#define SHM_PPM_FLAG_NAMES(X)")
    for values in flagsets.values():
        for _, _, cname in values:
            h.write(f" \\\n\tX({cname})")
    h.write("\n\n")


def write_param_indexes(h, events, nmax):
    check_unique([short_sym(events[n]["sym"]) for n in range(nmax)], "events")
    h.write("/* Where each parameter is: shm_evt_s64(e, SHM_P_EXECVE_19_X_PID, -1). */\n")
    h.write("enum shm_param_index {\n")
    for n in range(nmax):
        e = events[n]
        pnames = [f"SHM_P_{short_sym(e['sym'])}_{c_name(p['name'])}" for p in e["params"]]
        check_unique(pnames, f"parameters of {e['sym']}")
        for i, pn in enumerate(pnames):
            h.write(f"\t{pn} = {i},\n")
    for pname, cname in COMMON_PARAMS.items():
        where = {i for e in events.values() for i, p in enumerate(e["params"])
                 if p["name"] == pname}
        if len(where) != 1:
            sys.exit(f"events.in: parameter {pname} is at indexes {sorted(where)}: "
                     f"{cname} needs one")
        h.write(f"\t{cname} = {where.pop()}, /* {pname}, in every event that has it */\n")
    # libsinsp takes an fd-using enter event's fd from its first parameter
    for n in range(0, nmax, 2):
        e = events[n]
        if "EF_USES_FD" in e["flags"].split("|") and (
                not e["params"] or e["params"][0]["type"] != "FD"):
            sys.exit(f"events.in: {e['sym']} uses an fd but its first parameter is no FD")
    h.write("\tSHM_P_USES_FD = 0, /* the fd of every enter event flagged SHM_EF_USES_FD */\n")
    h.write("};\n\n")
    # the number of the first event with these parameters: code that reads
    # several events with one's SHM_P_ names asserts their layouts are equal
    h.write("/* Equal for events with the same parameters (names, types, in order). */\n")
    h.write("enum shm_event_layout {\n")
    first = {}
    for n in range(nmax):
        e = events[n]
        key = tuple((p["name"], p["type"]) for p in e["params"])
        first.setdefault(key, n)
        h.write(f"\tSHM_LAYOUT_{short_sym(e['sym'])} = {first[key]},\n")
    h.write("};\n\n")


def main():
    src, out_h, out_c = sys.argv[1:4]
    events, dynamics, flagsets, constants, nmax = parse(src)
    with open(out_h, "w", encoding="utf-8") as h:
        h.write("/* Generated from shm/events.in by scripts/gen_event_table.py: do not edit. */\n")
        h.write("#ifndef SHM_EVENT_TABLE_H\n#define SHM_EVENT_TABLE_H\n\n")
        h.write("enum shm_event_type {\n")
        for n in range(nmax):
            h.write(f"\tSHM_EV_{events[n]['sym']} = {n},\n")
        h.write(f"\tSHM_EVENT_MAX = {nmax}\n}};\n\n")
        maxp = max(len(e["params"]) for e in events.values())
        h.write(f"#define SHM_MAX_EVENT_PARAMS {maxp}\n\n")
        write_constants(h, flagsets, constants)
        write_param_indexes(h, events, nmax)
        h.write("#endif\n")
    with open(out_c, "w", encoding="utf-8") as c:
        c.write("/* Generated from shm/events.in by scripts/gen_event_table.py: do not edit. */\n")
        c.write('#include <stddef.h>\n#include "shm_event.h"\n\n')
        for name, values in flagsets.items():
            c.write(f"const struct shm_name_value shm_flags_{name}[] = {{\n")
            for vname, val, _ in values:
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
