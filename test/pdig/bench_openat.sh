#!/bin/sh
# 100k openat+close natively and under pdig, side by side in one run: prints
# ratios (never absolute times: the machine is shared). Also where the stops
# land: tracer and tracee pinned to one CPU, or to two. Fails if an event
# is missing (4 per iteration: openat and close, enter and exit).
PDIG=$1 P=$2
. "$(dirname "$0")/../lib/probe.sh"
PD_KPROBE=$P/kprobe
pd_need trace
# a ring of our own, removed at the end (the default one is the engine's)
export PDIG_RING=/pdig-test-$$
trap 'rm -f /dev/shm$PDIG_RING' EXIT
N=${PDIG_BENCH_N:-100000}
command -v bc > /dev/null || { echo "SKIP: bc is not installed (it computes the ratios)"; exit 77; }
# pinned runs: on the first CPU this process may use, and on the first two
pin=0
if pd_have cpu2; then
	pin=2
else
	[ -n "$PD_CPU_A" ] && taskset -c "$PD_CPU_A" true 2> /dev/null && pin=1
	pd_skip "pdig on one CPU, the command on another"
	[ $pin = 1 ] || pd_skip "pdig and the command pinned to one CPU" "pinning only shows where stops land"
fi
now() { date +%s%N; }
t0=$(now); "$P/openat_loop" "$N" || exit 1; t1=$(now)
native=$((t1 - t0))
t0=$(now); "$PDIG" -q -v "$P/openat_loop" "$N" 2> "${TMPDIR:-/tmp}/pdig-bench.$$" || exit 1; t1=$(now)
traced=$((t1 - t0))
stats=$(cat "${TMPDIR:-/tmp}/pdig-bench.$$"); rm -f "${TMPDIR:-/tmp}/pdig-bench.$$"
A=$PD_CPU_A B=$PD_CPU_B
if [ $pin -ge 1 ]; then
	t0=$(now); taskset -c "$A" "$PDIG" -q "$P/openat_loop" "$N" || exit 1; t1=$(now)
	same=$((t1 - t0))
	t0=$(now); taskset -c "$A" "$P/openat_loop" "$N" || exit 1; t1=$(now)
	native0=$((t1 - t0))
fi
if [ $pin = 2 ]; then
	t0=$(now); taskset -c "$A" "$PDIG" -q taskset -c "$B" "$P/openat_loop" "$N" || exit 1; t1=$(now)
	split=$((t1 - t0))
fi
echo "openat+close x $N:"
echo "  pdig / native, unpinned:              $(echo "scale=1; $traced / $native" | bc)"
[ $pin -ge 1 ] &&
	echo "  pdig / native, both on CPU $A:         $(echo "scale=1; $same / $native0" | bc)"
[ $pin = 2 ] &&
	echo "  pdig / native, pdig CPU $A, cmd CPU $B: $(echo "scale=1; $split / $native0" | bc)"
echo "  per stop (2 per call, 2 calls per iteration), unpinned: $(echo "scale=2; ($traced - $native) / (4 * $N) / 1000" | bc) us"
echo "$stats" | sed 's/^/  /'
events=$(printf '%s\n' "$stats" | sed -n 's/.* stops, \([0-9]*\) events.*/\1/p')
[ -n "$events" ] && [ "$events" -ge $((4 * N)) ] || { echo "FAIL: $events events, want at least $((4 * N))"; exit 1; }
echo "ok: no event missing"
