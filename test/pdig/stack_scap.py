#!/usr/bin/env python3
"""The extensions of a .scap capture (shm/shm_event.h): values past the
parameters events.in gives the event type, each starting with a tag byte
(1 the user stack of pdig --stack, 2 the ABI, 3 memfd_create's values; an
untagged printable first byte is an older pdig's stack).

  stack_scap.py EVENTS_IN count CAPTURE        prints "<type> <dir>" per event
                                               carrying a stack
  stack_scap.py EVENTS_IN tags CAPTURE         prints "<type> <dir> <tag>..."
                                               per event with extensions
  stack_scap.py EVENTS_IN strip CAPTURE OUT    the capture without extensions
"""
import struct
import sys

EV_BLOCKS = {0x216: 2, 0x217: 6, 0x221: 2, 0x222: 6}
LARGE = {0x221, 0x222}


def table(path):
    """event number -> (name, parameter count), from shm/events.in"""
    out, cur = {}, None
    for line in open(path):
        w = line.split()
        if not w:
            continue
        if w[0] == "event":
            cur = int(w[1])
            out[cur] = [w[3], 0]
        elif w[0] == "param" and cur is not None:
            out[cur][1] += 1
        elif w[0] in ("dynamic", "flagset", "constants"):
            cur = None
    return out


def pad(n):
    return (4 - n % 4) % 4


def blocks(data):
    i = 0
    while i < len(data):
        bt, tot = struct.unpack_from("<II", data, i)
        yield bt, data[i:i + tot]
        i += tot


def main():
    tab = table(sys.argv[1])
    mode, cap = sys.argv[2], sys.argv[3]
    data = open(cap, "rb").read()
    out = bytearray()
    for bt, blk in blocks(data):
        if bt not in EV_BLOCKS:
            out += blk
            continue
        pre = EV_BLOCKS[bt]
        ls = 4 if bt in LARGE else 2
        head, ev = blk[8:8 + pre], blk[8 + pre:]
        ts, tid, ln, ty, np = struct.unpack_from("<QQIHI", ev, 0)
        want = tab[ty][1]
        if np == want:
            out += blk
            continue
        if np < want + 1 or np > want + 4:
            sys.exit(f"event type {ty}: {np} parameters, events.in says {want}")
        fmt = "<%d%s" % (np, "I" if ls == 4 else "H")
        lens = list(struct.unpack_from(fmt, ev, 26))
        vals = ev[26 + ls * np:ln]
        ext = sum(lens[want:])
        tags, off = [], len(vals) - ext
        for l in lens[want:]:
            tags.append(vals[off] if vals[off] < 0x20 else 1)
            off += l
        if mode == "count":
            if 1 in tags:
                print(tab[ty][0], "<" if ty & 1 else ">")
            continue
        if mode == "tags":
            print(tab[ty][0], "<" if ty & 1 else ">", *tags)
            continue
        vals = vals[:len(vals) - ext]
        lens = lens[:want]
        np = want
        rec = struct.pack("<QQIHI", ts, tid, 26 + ls * np + len(vals), ty, np)
        rec += struct.pack("<%d%s" % (np, "I" if ls == 4 else "H"), *lens) + vals
        body = head + rec
        total = 8 + len(body) + pad(len(body)) + 4
        out += struct.pack("<II", bt, total) + body + b"\0" * pad(len(body))
        out += struct.pack("<I", total)
    if mode == "strip":
        open(sys.argv[4], "wb").write(out)


main()
