#!/usr/bin/env python3
"""Turn pdig/syscalls.in (syscall -> events -> decoder) into C.

Usage: gen_syscall_table.py syscalls.in events.in out.h out.c unistd_64.h [ppm_sc.in]
Every event symbol is checked against shm/events.in; every syscall number
against its __NR_ constant in the kernel header (asm/unistd_64.h, from
linux-libc-dev), which is required: every other syscall it lists gets a row
of the "all" set (pdig -a), written as the generic event, and without it
those rows would silently be missing. The generic event's "ID" is the
driver's PPM_SC_* code, from the data file shm/ppm_sc.in (default: the
project's; 0 when a syscall is not in it). A sc=N in syscalls.in must agree
with that file. The output is never edited by hand: change syscalls.in and
rebuild.
"""
import os
import re
import sys

NR_MAX = 512


def fail(path, lineno, msg):
    sys.exit(f"{path}:{lineno}: {msg}")


def read_events(path):
    """Event symbol -> (number, parameter count)."""
    events, cur = {}, None
    for raw in open(path, encoding="utf-8"):
        w = raw.split()
        if not w or w[0].startswith("#"):
            continue
        if w[0] == "event":
            cur = w[4]
            events[cur] = [int(w[1]), 0]
        elif w[0] == "param" and cur is not None:
            events[cur][1] += 1
        elif w[0] in ("dynamic", "flagset"):
            cur = None
    return events


def read_unistd(path):
    if not path or not os.path.isfile(path):
        sys.exit(f"gen_syscall_table.py: no kernel syscall header at '{path}': it checks the "
                 "numbers and gives pdig -a its rows (apt-get install linux-libc-dev)")
    nrs = {}
    for line in open(path, encoding="utf-8"):
        m = re.match(r"#define __NR_(\w+)\s+(\d+)", line)
        if m:
            nrs[m.group(1)] = int(m.group(2))
    if not nrs:
        sys.exit(f"gen_syscall_table.py: {path} defines no __NR_ constant")
    return nrs


def read_ppm_sc(path):
    """NAME -> PPM_SC code from shm/ppm_sc.in (scripts/gen_ppm_sc.py made it;
    its CATEGORY column is the engine's)."""
    codes = {}
    for lineno, raw in enumerate(open(path, encoding="utf-8"), 1):
        w = raw.split("#", 1)[0].split()
        if not w:
            continue
        if len(w) != 3 or not w[1].isdigit():
            fail(path, lineno, "need NAME CODE CATEGORY")
        if w[0] in codes:
            fail(path, lineno, f"{w[0]} listed twice")
        codes[w[0]] = int(w[1])
    return codes


def ppm_sc_path(arg):
    """The data file: the one named, else the project's shm/ppm_sc.in.
    A C header in its place (build files that passed libscap's
    ppm_events_public.h) is not read: the build must not depend on libscap."""
    if arg and not arg.endswith(".h"):
        return arg
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "shm", "ppm_sc.in")
    if not os.path.exists(path):
        sys.exit(f"gen_syscall_table.py: no {path} (the generic rows' PPM_SC codes)")
    return path


# Generic rows that must not wait for an exit stop: these never return to
# the call site (or return into restored registers).
NO_EXIT = {"exit", "exit_group", "rt_sigreturn"}


def generic_rows(rows, nrs, events, codes):
    listed = {r["nr"] for r in rows}
    out = []
    for name, nr in sorted(nrs.items(), key=lambda kv: kv[1]):
        if nr in listed or nr >= NR_MAX:
            continue
        out.append(dict(name=name, nr=nr, ev_e="GENERIC_E", ev_x="GENERIC_X", dec="generic",
                        stops="enter" if name in NO_EXIT else "exit", cset="all",
                        sc=codes.get(name, 0), when_arg=-1, when_vals=[],
                        np_e=events["GENERIC_E"][1],
                        np_x=events["GENERIC_X"][1]))
    return out


def parse(path, events, nrs, codes):
    rows, seen = [], set()
    for lineno, raw in enumerate(open(path, encoding="utf-8"), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        w = line.split()
        if len(w) < 7:
            fail(path, lineno, "need NAME NR ENTER_EVENT EXIT_EVENT DECODER STOPS SET "
                 "[sc=N] [when=ARG:V,...]")
        name, nr, ev_e, ev_x, dec, stops, cset = w[:7]
        sc, when_arg, when_vals = 0, -1, []
        for extra in w[7:]:
            if extra.startswith("sc="):
                sc = int(extra[3:])
            elif extra.startswith("when="):
                arg, _, vals = extra[5:].partition(":")
                if not arg.isdigit() or int(arg) > 5 or not vals:
                    fail(path, lineno, "when=ARG:V,... needs an argument 0-5 and values")
                when_arg = int(arg)
                when_vals = [int(v, 0) for v in vals.split(",")]
                if len(when_vals) > 4:
                    fail(path, lineno, "when= takes at most 4 values")
            else:
                fail(path, lineno, f"unknown field {extra}: sc=N or when=ARG:V,...")
        if sc and name in codes and codes[name] != sc:
            fail(path, lineno, f"sc={sc}, but ppm_sc.in gives {name} the code {codes[name]}")
        if not sc and ev_e == "GENERIC_E":
            sc = codes.get(name, 0)
        nr = int(nr)
        if not 0 <= nr < NR_MAX:
            fail(path, lineno, f"syscall number {nr} out of range")
        if nr in seen:
            fail(path, lineno, f"syscall number {nr} listed twice")
        seen.add(nr)
        if nrs.get(name) != nr:
            fail(path, lineno, f"{name} is {nrs.get(name)} in the kernel headers, not {nr}")
        for ev, parity in ((ev_e, 0), (ev_x, 1)):
            if ev not in events:
                fail(path, lineno, f"no event {ev} in events.in")
            if events[ev][0] % 2 != parity:
                fail(path, lineno, f"{ev} is not an {'enter' if parity == 0 else 'exit'} event")
        if events[ev_x][0] != events[ev_e][0] + 1:
            fail(path, lineno, f"{ev_x} does not follow {ev_e}")
        if stops not in ("exit", "enter"):
            fail(path, lineno, "STOPS is exit or enter")
        if cset not in ("default", "io", "all"):
            fail(path, lineno, "SET is default, io or all")
        if not re.fullmatch(r"[a-z0-9_]+", dec):
            fail(path, lineno, f"bad decoder name {dec}")
        rows.append(dict(name=name, nr=nr, ev_e=ev_e, ev_x=ev_x, dec=dec, stops=stops,
                         cset=cset, sc=sc, when_arg=when_arg, when_vals=when_vals,
                         np_e=events[ev_e][1], np_x=events[ev_x][1]))
    return rows


def main():
    if len(sys.argv) not in (6, 7):
        sys.exit(__doc__)
    src, events_in, out_h, out_c = sys.argv[1:5]
    nrs = read_unistd(sys.argv[5])
    codes = read_ppm_sc(ppm_sc_path(sys.argv[6] if len(sys.argv) == 7 else ""))
    events = read_events(events_in)
    rows = parse(src, events, nrs, codes)
    rows += generic_rows(rows, nrs, events, codes)
    protos = {}
    for r in rows:
        if r["np_e"]:
            protos[f"pd_dec_{r['dec']}_e"] = 1
        if r["np_x"]:
            protos[f"pd_dec_{r['dec']}_x"] = 1
    with open(out_h, "w", encoding="utf-8") as h:
        h.write("/* Generated from pdig/syscalls.in by scripts/gen_syscall_table.py: do not edit. */\n")
        h.write("#ifndef PD_SYSCALL_TABLE_H\n#define PD_SYSCALL_TABLE_H\n\n#include <stdint.h>\n\n")
        h.write("#define PD_SC_DEFAULT 1u /* in the default seccomp filter */\n")
        h.write("#define PD_SC_EXIT 2u    /* needs the syscall-exit stop */\n")
        h.write("#define PD_SC_IO 4u      /* in the filter with --io (data read and written) */\n")
        h.write(f"#define PD_SYSCALL_NR_MAX {NR_MAX}\n\n")
        h.write("struct pd_call;\ntypedef void (*pd_dec_fn)(struct pd_call *c);\n\n")
        h.write("struct pd_syscall {\n\tconst char *name;\n\tuint16_t nr;\n"
                "\tuint16_t ev_enter, ev_exit; /* enum shm_event_type */\n"
                "\tuint16_t sc;                /* PPM_SC code of generic rows */\n"
                "\tuint8_t flags;              /* PD_SC_* */\n"
                "\t/* in the default filter only when argument when_arg is one of\n"
                "\t * when_vals (when_arg -1: always) */\n"
                "\tint8_t when_arg;\n\tuint8_t when_n;\n\tuint64_t when_vals[4];\n"
                "\tpd_dec_fn enter, exit;      /* NULL when the event has no parameters */\n};\n\n")
        h.write(f"#define PD_SYSCALL_COUNT {len(rows)}\n")
        h.write("extern const struct pd_syscall pd_syscall_table[PD_SYSCALL_COUNT];\n")
        h.write("/* x86_64 syscall number -> index in pd_syscall_table, or -1. */\n")
        h.write("extern const int16_t pd_syscall_by_nr[PD_SYSCALL_NR_MAX];\n\n")
        for p in protos:
            h.write(f"void {p}(struct pd_call *c);\n")
        h.write("\n#endif\n")
    with open(out_c, "w", encoding="utf-8") as c:
        c.write("/* Generated from pdig/syscalls.in by scripts/gen_syscall_table.py: do not edit. */\n")
        c.write('#include <stddef.h>\n#include "shm_event.h"\n#include "pd_syscall_table.h"\n\n')
        c.write("const struct pd_syscall pd_syscall_table[PD_SYSCALL_COUNT] = {\n")
        for r in rows:
            flags = []
            if r["cset"] == "default":
                flags.append("PD_SC_DEFAULT")
            if r["cset"] == "io":
                flags.append("PD_SC_IO")
            if r["stops"] == "exit":
                flags.append("PD_SC_EXIT")
            fe = f"pd_dec_{r['dec']}_e" if r["np_e"] else "NULL"
            fx = f"pd_dec_{r['dec']}_x" if r["np_x"] else "NULL"
            vals = ", ".join(str(v) + "u" for v in r["when_vals"]) or "0"
            c.write(f"\t{{\"{r['name']}\", {r['nr']}, SHM_EV_{r['ev_e']}, SHM_EV_{r['ev_x']}, "
                    f"{r['sc']}, {'|'.join(flags) or '0'}, {r['when_arg']}, "
                    f"{len(r['when_vals'])}, {{{vals}}}, {fe}, {fx}}},\n")
        c.write("};\n\nconst int16_t pd_syscall_by_nr[PD_SYSCALL_NR_MAX] = {\n")
        by_nr = {r["nr"]: i for i, r in enumerate(rows)}
        vals = [str(by_nr.get(n, -1)) for n in range(NR_MAX)]
        for k in range(0, NR_MAX, 16):
            c.write("\t" + ", ".join(vals[k:k + 16]) + ",\n")
        c.write("};\n")


if __name__ == "__main__":
    main()
