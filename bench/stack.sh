#!/bin/sh
# pdig --stack: what an unwound event costs. Side by side in one run, ratios
# only (never absolute times: the machine is shared):
#   - N opens for writing from main -> do_open (each unwound with --stack):
#     pdig --stack / pdig, and the extra time per unwound event relative to
#     one traced open without it;
#   - N read-only opens (openat_loop: no stack wanted): pdig --stack / pdig,
#     which should stay near 1.
# usage: stack.sh PDIG PROGDIR [N]   (PROGDIR: build's test/pdig/progs)
PDIG=$1 P=$2 N=${3:-${PDIG_BENCH_N:-2000}}
command -v bc > /dev/null || { echo "SKIP: bc is not installed (it computes the ratios)"; exit 77; }
"$PDIG" -v -q true 2>&1 | grep -q "stack: not in this build" &&
	{ echo "SKIP: this pdig has no --stack (built without libunwind)"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
now() { date +%s%N; }
run() { t0=$(now); "$@" > /dev/null 2> "$tmp/err" || { echo "FAIL: $*: $(cat "$tmp/err")"; exit 1; }; t1=$(now); echo $((t1 - t0)); }
native=$(run "$P/stack_nofp" "$tmp" 9 loop "$N")
plain=$(run "$PDIG" -q "$P/stack_nofp" "$tmp" 9 loop "$N")
stacked=$(run "$PDIG" -q -v --stack "$P/stack_nofp" "$tmp" 9 loop "$N")
grep -q "stack: $((N + 1)) stacks unwound" "$tmp/err" ||
	{ echo "FAIL: not every open was unwound: $(grep -- --stack "$tmp/err")"; exit 1; }
ro_plain=$(run "$PDIG" -q "$P/openat_loop" "$N")
ro_stacked=$(run "$PDIG" -q --stack "$P/openat_loop" "$N")
r() { echo "scale=2; ($1) / ($2)" | bc; }
echo "opens for writing, $N, unwound: pdig --stack / pdig = $(r "$stacked" "$plain")" \
     "(pdig / native = $(r "$plain" "$native"))"
echo "one unwound event costs $(r "$stacked - $plain" "$plain - $native") times what" \
     "pdig adds to a traced open without --stack"
echo "read-only opens, $N, none unwound: pdig --stack / pdig = $(r "$ro_stacked" "$ro_plain")"
