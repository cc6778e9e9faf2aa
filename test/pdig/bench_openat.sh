#!/bin/sh
# 100k openat+close natively and under pdig, side by side in one run: prints
# ratios (never absolute times: the machine is shared). Also where the stops
# land: tracer and tracee pinned to one CPU, or to two. Fails if an event
# is missing (4 per iteration: openat and close, enter and exit).
PDIG=$1 P=$2
# a ring of our own, removed at the end (the default one is the engine's)
export PDIG_RING=/pdig-test-$$
trap 'rm -f /dev/shm$PDIG_RING' EXIT
N=${PDIG_BENCH_N:-100000}
for t in taskset bc; do
	command -v $t > /dev/null || { echo "SKIP: $t is not installed"; exit 77; }
done
now() { date +%s%N; }
t0=$(now); "$P/openat_loop" "$N" || exit 1; t1=$(now)
native=$((t1 - t0))
t0=$(now); "$PDIG" -q -v "$P/openat_loop" "$N" 2> "${TMPDIR:-/tmp}/pdig-bench.$$" || exit 1; t1=$(now)
traced=$((t1 - t0))
stats=$(cat "${TMPDIR:-/tmp}/pdig-bench.$$"); rm -f "${TMPDIR:-/tmp}/pdig-bench.$$"
t0=$(now); taskset -c 0 "$PDIG" -q "$P/openat_loop" "$N" || exit 1; t1=$(now)
same=$((t1 - t0))
t0=$(now); taskset -c 0 "$PDIG" -q taskset -c 1 "$P/openat_loop" "$N" || exit 1; t1=$(now)
split=$((t1 - t0))
t0=$(now); taskset -c 0 "$P/openat_loop" "$N" || exit 1; t1=$(now)
native0=$((t1 - t0))
echo "openat+close x $N:"
echo "  pdig / native, unpinned:              $(echo "scale=1; $traced / $native" | bc)"
echo "  pdig / native, both on CPU 0:         $(echo "scale=1; $same / $native0" | bc)"
echo "  pdig / native, pdig CPU 0, cmd CPU 1: $(echo "scale=1; $split / $native0" | bc)"
echo "  per stop (2 per call, 2 calls per iteration), unpinned: $(echo "scale=2; ($traced - $native) / (4 * $N) / 1000" | bc) us"
echo "  $stats"
events=$(printf '%s\n' "$stats" | sed -n 's/.* stops, \([0-9]*\) events.*/\1/p')
[ -n "$events" ] && [ "$events" -ge $((4 * N)) ] || { echo "FAIL: $events events, want at least $((4 * N))"; exit 1; }
echo "ok: no event missing"
