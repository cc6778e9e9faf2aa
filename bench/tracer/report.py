#!/usr/bin/env python3
"""The tracer benchmark's tables, from run.sh's DIR/raw.tsv and DIR/meta.txt.

Usage: report.py DIR    prints markdown; writes DIR/plot.dat and DIR/plot.gp

Every ratio is made within one round (a mode's time per operation over the
native time per operation of the same round), then the median and min-max
over the rounds are shown. "Overhead" is ratio - 1.
"""
import csv
import os
import statistics
import sys

MODES = ["pdig", "pdig-cold", "pdig-a", "strace", "ref"]
AMODES = ["pdig-p", "pdig-p-plain", "strace-p"]
MODE_TITLE = {
    "pdig": "pdig", "pdig-cold": "pdig --keep-warm=off", "pdig-a": "pdig -a", "strace": "strace", "ref": "reftrace",
    "pdig-p": "pdig -p", "pdig-p-plain": "pdig -p --no-inject", "strace-p": "strace -p",
}
UNTRACED = {"stat", "getppid", "alloc"}  # nothing of pdig's default set in the loop
# upstream pdig's throughput relative to native on the OSBench tests
UPSTREAM = {"files": 0.245, "threads": 0.495, "spawn": 0.255, "procs": 0.285, "alloc": 1.0}
# ratios of overheads are noise where the denominator is this small
MIN_OVERHEAD = 0.05


def load(d):
    meta = {}
    for line in open(os.path.join(d, "meta.txt"), encoding="utf-8"):
        k, _, v = line.rstrip("\n").partition("=")
        meta[k] = v
    runs = {}  # (workload, mode, round) -> row
    order = []
    with open(os.path.join(d, "raw.tsv"), encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            runs[(row["workload"], row["mode"], int(row["round"]))] = row
            if row["workload"] not in order:
                order.append(row["workload"])
    return meta, runs, order


def num(v):
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def per_op(row):
    if not row:
        return None
    t, ops = num(row["time_ns"]), num(row["ops"]) or 1
    return t / ops if t else None


class Bench:
    def __init__(self, meta, runs):
        self.meta, self.runs = meta, runs
        self.rounds = int(meta.get("rounds", "1"))

    def ratios(self, w, mode):
        """Per round: the mode's time per op over native's."""
        out = []
        for r in range(1, self.rounds + 1):
            n, m = per_op(self.runs.get((w, "native", r))), per_op(self.runs.get((w, mode, r)))
            if n and m:
                out.append(m / n)
        return out

    def overhead_ratios(self, w, a, b):
        """Per round: a's overhead over b's. Rounds where b's overhead is
        under MIN_OVERHEAD are left out (noise over noise); None when that
        leaves less than half of the rounds, or nothing is traced."""
        if w in UNTRACED:
            return None
        out = []
        for r in range(1, self.rounds + 1):
            n = per_op(self.runs.get((w, "native", r)))
            x, y = per_op(self.runs.get((w, a, r))), per_op(self.runs.get((w, b, r)))
            if n and x and y and y / n - 1 >= MIN_OVERHEAD:
                out.append((x / n - 1) / (y / n - 1))
        return out if out and 2 * len(out) >= self.rounds else None

    def col(self, w, field, modes, agg=max):
        vals = [num(self.runs[(w, m, r)][field]) for m in modes
                for r in range(1, self.rounds + 1) if (w, m, r) in self.runs]
        vals = [v for v in vals if v is not None]
        return agg(vals) if vals else None

    def failed(self, w, mode):
        return sum(1 for r in range(1, self.rounds + 1)
                   if (w, mode, r) in self.runs and not self.runs[(w, mode, r)]["time_ns"])


def fmt_ratio(vals, suffix="x"):
    if not vals:
        return "—"
    med = statistics.median(vals)
    f = (lambda v: f"{v:.2f}") if max(abs(v) for v in vals) < 10 else (lambda v: f"{v:.1f}")
    if len(vals) == 1:
        return f"{f(med)}{suffix}"
    return f"{f(med)}{suffix} ({f(min(vals))}–{f(max(vals))})"


def fmt_time(ns):
    if ns is None:
        return "—"
    if ns >= 1e9:
        return f"{ns / 1e9:.2f} s"
    if ns >= 1e6:
        return f"{ns / 1e6:.1f} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:.1f} µs"
    return f"{ns:.0f} ns"


def fmt_mib(kb):
    return "—" if kb is None else f"{kb / 1024:.1f}"


def fmt_int(v):
    return "—" if v is None else f"{int(v):,}"


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    d = sys.argv[1]
    meta, runs, order = load(d)
    b = Bench(meta, runs)
    label = lambda w: meta.get(f"label.{w}", w).replace("|", "\\|")
    launch = [w for w in order if not w.startswith("attach-")]
    attach = [w for w in order if w.startswith("attach-")]
    p = print

    p(f"Machine: {meta.get('nproc')} vCPU ({meta.get('cpu')}), Linux {meta.get('kernel')}; "
      f"load average {meta.get('load')} (others' builds and tests ran meanwhile).  ")
    p(f"Run: `{meta.get('command')}`, {meta.get('date')}, {meta.get('duration_s')} s; "
      f"pdig {meta.get('pdig')}; {meta.get('strace')}; {meta.get('syscalls')} syscalls traced "
      "(pdig's default set, `pdig/syscalls.in`).")
    p()
    p("Time relative to native, median of the rounds (min–max); each ratio within one round. "
      "*pdig*: `pdig --connect` with `pdig-engine -r falco_rules.yaml` consuming; "
      "*strace*: `strace -f -qq --seccomp-bpf -o /dev/null -e trace=<pdig's set>`; "
      "*reftrace*: the stops alone; *--keep-warm=off*: pdig without keeping the CPUs "
      "awake while stops come (pdig/keepwarm.h). Overhead = ratio − 1; the last two columns "
      "divide pdig's overhead by strace's and by reftrace's, round by round "
      f"(rounds where the divisor's overhead is under {MIN_OVERHEAD:.0%} left out; — for the "
      "untraced loops, or when that leaves under half of the rounds). "
      "*native*: its median time, per operation where the workload counts them "
      "(iterations, files, threads, processes, programs, stress-ng bogo-ops; the "
      "workloads program times itself, the other commands are timed whole), else "
      "of the whole command.")
    p()
    p("| workload | native | pdig | pdig --keep-warm=off | pdig -a | strace | reftrace | pdig / strace overhead | pdig / reftrace overhead |")
    p("|---|---|---|---|---|---|---|---|---|")
    plot = []
    for w in launch:
        nat = [per_op(runs.get((w, "native", r))) for r in range(1, b.rounds + 1)]
        nat = [x for x in nat if x]
        unit = "/op" if meta.get(f"timing.{w}") == "self" or meta.get(f"n.{w}") else ""
        cells = [label(w), fmt_time(statistics.median(nat)) + unit if nat else "—"]
        for m in MODES:
            c = fmt_ratio(b.ratios(w, m))
            if b.failed(w, m):
                c += f" **{b.failed(w, m)} failed**"
            cells.append(c)
        for m in ("strace", "ref"):
            cells.append(fmt_ratio(b.overhead_ratios(w, "pdig", m) or []))
        p("| " + " | ".join(cells) + " |")
        row = [label(w)]
        for m in ("pdig", "strace", "ref"):
            v = b.ratios(w, m)
            row += [statistics.median(v), min(v), max(v)] if v else [1, 1, 1]
        plot.append(row)
    p()

    if attach:
        p("Attach mode: the workload waits for a file; the tracer attaches, then the file "
          "appears (time measured inside the workload, from the start signal on).")
        p()
        p("| workload | native | pdig -p | pdig -p --no-inject | strace -p | pdig -p / strace -p overhead | pdig -p --no-inject / strace -p overhead |")
        p("|---|---|---|---|---|---|---|")
        for w in attach:
            nat = [per_op(runs.get((w, "native", r))) for r in range(1, b.rounds + 1)]
            nat = [x for x in nat if x]
            cells = [label(w), fmt_time(statistics.median(nat)) + "/op" if nat else "—"]
            for m in AMODES:
                c = fmt_ratio(b.ratios(w, m))
                if b.failed(w, m):
                    c += f" **{b.failed(w, m)} failed**"
                cells.append(c)
            for m in ("pdig-p", "pdig-p-plain"):
                cells.append(fmt_ratio(b.overhead_ratios(w, m, "strace-p") or []))
            p("| " + " | ".join(cells) + " |")
        p()

    p("Memory (peak RSS, MiB, the largest over the rounds: pdig's tracer process, "
      "sampled from /proc every 10 ms; the engine's from its rusage), events and drops "
      "(the most over the rounds; pdig's ring-full count from `pdig -v`, and the "
      "engine's per-producer ring-full and lossless-timeout counts; values pdig could "
      "not read from the tracee, which the engine also reports as lost, are not drops "
      "and are listed below the goals when there are any), stops per run (pdig's `-v` count and reftrace's, "
      "counted the same way: every wait report), alerts raised by the stable rules.")
    p()
    p("| workload | pdig RSS | engine RSS | pdig -a RSS | engine RSS (-a) | events | events (-a) | drops pdig / engine | drops (-a) | stops pdig / reftrace | alerts |")
    p("|---|---|---|---|---|---|---|---|---|---|---|")
    for w in launch + attach:
        pm = ["pdig-p", "pdig-p-plain"] if w in attach else ["pdig"]
        am = [] if w in attach else ["pdig-a"]
        med = lambda f, ms: b.col(w, f, ms, statistics.median)
        drops = lambda ms: f"{fmt_int(b.col(w, 'pdig_drops', ms))} / {fmt_int(b.col(w, 'engine_drops', ms))}"
        stops = f"{fmt_int(med('stops', pm[:1]))} / " + (fmt_int(med('stops', ['ref'])) if am else "—")
        p(f"| {label(w)} | {fmt_mib(b.col(w, 'pdig_hwm_kb', pm))} | {fmt_mib(b.col(w, 'engine_rss_kb', pm))} "
          f"| {fmt_mib(b.col(w, 'pdig_hwm_kb', am)) if am else '—'} | {fmt_mib(b.col(w, 'engine_rss_kb', am)) if am else '—'} "
          f"| {fmt_int(med('events', pm))} | {fmt_int(med('events', am)) if am else '—'} "
          f"| {drops(pm)} | {drops(am) if am else '—'} | {stops} | {fmt_int(med('alerts', pm))} |")
    p()

    # The project's goals, as measured. Verdicts use the medians; a workload
    # whose rounds fall on both sides of the goal is marked "?": this run's
    # noise cannot decide it.
    p("Goals (as measured in this run; ? marks a workload whose rounds fall on both "
      "sides of the goal):")
    p()
    lines = []
    traced = [w for w in launch if w not in UNTRACED]

    def verdict(ok):
        return "**met**" if ok else "**not met**"

    def judge(vals, good, fmt):
        """[(workload, per-round values)] -> (all good, count good, text)"""
        parts, n_ok = [], 0
        for w, v in vals:
            med = statistics.median(v)
            ok = good(med)
            n_ok += ok
            spans = len(v) > 1 and good(min(v)) != good(max(v))
            parts.append(f"{label(w)} {fmt(med)}{'?' if spans else ''}")
        return n_ok == len(vals), n_ok, ", ".join(parts)

    def goal(title, vals, good, fmt, what):
        if not vals:
            return
        all_ok, n_ok, txt = judge(vals, good, fmt)
        lines.append(f"- {title}: {verdict(all_ok)} (met on {n_ok} of {len(vals)} {what}): {txt}.")

    goal("pdig's overhead within 1.25x of reftrace's (per traced syscall: both trace the same calls)",
         [(w, v) for w in traced if (v := b.overhead_ratios(w, "pdig", "ref"))],
         lambda x: x <= 1.25, lambda x: f"{x:.2f}x", "workloads with traced calls; pdig/reftrace overhead")
    goal("the same without keep-warm (`pdig --keep-warm=off`, the very stops reftrace makes)",
         [(w, v) for w in traced if (v := b.overhead_ratios(w, "pdig-cold", "ref"))],
         lambda x: x <= 1.25, lambda x: f"{x:.2f}x", "workloads with traced calls; pdig --keep-warm=off/reftrace overhead")
    goal("pdig's overhead under half of strace's",
         [(w, v) for w in traced if (v := b.overhead_ratios(w, "pdig", "strace"))],
         lambda x: x < 0.5, lambda x: f"{x:.2f}", "workloads with traced calls; pdig/strace overhead")
    osb = [(w, [1 / x for x in b.ratios(w, "pdig")]) for w in UPSTREAM if w in launch and b.ratios(w, "pdig")]
    res = []
    for w, v in osb:
        up, thr = UPSTREAM[w], statistics.median(v)
        if up >= 1.0:
            res.append(f"{label(w)} {thr:.2f} (upstream {up}: twice that is above native, "
                       f"so not reachable; {'within 5% of native' if thr >= 0.95 else 'more than 5% below native'})")
        else:
            spans = len(v) > 1 and (min(v) >= 2 * up) != (max(v) >= 2 * up)
            res.append(f"{label(w)} {thr:.3f}{'?' if spans else ''} for {2 * up:.3f} "
                       f"({verdict(thr >= 2 * up)})")
    if res:
        lines.append("- OSBench-style throughput relative to native, at least twice upstream pdig's: "
                     + "; ".join(res) + ".")
    goal("untraced syscalls within 5% of native",
         [(w, v) for w in launch if w in UNTRACED and (v := b.ratios(w, "pdig"))],
         lambda x: x <= 1.05, lambda x: f"{x:.3f}x", "workloads without traced calls; pdig/native")
    # 5. no drops with the stable rules
    res = []
    for w in launch + attach:
        pm = ["pdig-p", "pdig-p-plain"] if w in attach else ["pdig"]
        d1, d2 = b.col(w, "pdig_drops", pm), b.col(w, "engine_drops", pm)
        if d1 is None and d2 is None:
            continue
        res.append((w, max(d1 or 0, d2 or 0)))
    if res:
        bad = [f"{label(w)} {int(v):,}" for w, v in res if v]
        lines.append(f"- the engine keeps up without drops (lossy ring, stable rules): {verdict(not bad)}"
                     + (f" (drops: {', '.join(bad)})" if bad else f" (no drop on {len(res)} workloads)")
                     + "; with -a see the table.")
    unread = []
    for w in launch + attach:
        for m in ["pdig", "pdig-a", "pdig-p", "pdig-p-plain"]:
            v = b.col(w, "unreadable", [m])
            if v:
                unread.append(f"{label(w)} ({MODE_TITLE[m]}) {int(v):,}")
    if unread:
        lines.append("- values pdig could not read from the tracee (the program's bad pointers, "
                     "not drops; the engine reports them as lost events): " + ", ".join(unread) + ".")
    for line in lines:
        p(line)

    # plot data and script
    with open(os.path.join(d, "plot.dat"), "w", encoding="utf-8") as f:
        for row in plot:
            f.write('"%s" %s\n' % (row[0].replace('"', "'").replace("\\|", "|"), " ".join(f"{x:.4f}" for x in row[1:])))
    top = max([r[i] for r in plot for i in (3, 6, 9)] + [2])
    bottom = min([r[i] for r in plot for i in (2, 5, 8)] + [0.8]) * 0.9
    with open(os.path.join(d, "plot.gp"), "w", encoding="utf-8") as f:
        f.write(f"""set terminal pngcairo size 1400,720 font "sans,11"
set output "{os.path.join(d, 'tracer_overhead.png')}"
set title "Time under each tracer relative to native (rounds: {meta.get('rounds')}, median, bars min-max; {meta.get('nproc')} vCPU shared, Linux {meta.get('kernel')})"
set style data histogram
set style histogram errorbars gap 2 lw 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set logscale y
set yrange [{bottom:.2f}:{top * 1.6:.1f}]
set ylabel "time / native (log scale)"
set ytics (1, 1.5, 2, 3, 5, 10, 20, 50, 100, 200, 500)
set grid ytics
set xtics rotate by -35 scale 0 font ",10"
set bmargin 9
set key top left
set datafile separator whitespace
plot "{os.path.join(d, 'plot.dat')}" using 2:3:4:xtic(1) title "pdig + pdig-engine (stable rules)" lc rgb "#1f77b4", \\
     "" using 5:6:7 title "strace -f --seccomp-bpf (same syscalls)" lc rgb "#d62728", \\
     "" using 8:9:10 title "reftrace (the stops alone)" lc rgb "#7f7f7f"
""")


if __name__ == "__main__":
    main()
