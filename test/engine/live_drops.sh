#!/bin/sh
# Drops are never silent: pdig fills the ring while no engine reads it; the
# engine that attaches later reports the loss, turns it into a drop event that
# fires the default "pdig syscall event drops" rule, and the counts add up:
# events read + events dropped = events pdig produced.
# usage: live_drops.sh PDIG PDIG-ENGINE RULES_DIR
PDIG=$1 ENGINE=$2 RULES=$3
ring=/pdig-drops-$$
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; rm -f "/dev/shm$ring"' EXIT
command -v dd >/dev/null || { echo "skip: dd is not installed"; exit 77; }

# 50000 one-byte reads and writes: far more events than one ring slot holds
"$PDIG" -v --io --ring "$ring" -- dd if=/dev/zero of=/dev/null bs=1 count=50000 2>"$tmp/pdig.err" ||
	{ echo "FAIL: pdig: $(cat "$tmp/pdig.err")"; exit 1; }
produced=$(sed -n 's/^pdig: [0-9]* stops, \([0-9]*\) events; dropped: \([0-9]*\) (ring full).*/\1/p' "$tmp/pdig.err")
dropped=$(sed -n 's/^pdig: [0-9]* stops, \([0-9]*\) events; dropped: \([0-9]*\) (ring full).*/\2/p' "$tmp/pdig.err")
[ -n "$produced" ] && [ "$dropped" -gt 0 ] ||
	{ echo "FAIL: expected pdig to count ring-full drops: $(cat "$tmp/pdig.err")"; exit 1; }

"$ENGINE" -r "$RULES" --ring="$ring" --idle-exit 1000 >"$tmp/alerts" 2>"$tmp/engine.err" ||
	{ echo "FAIL: engine: $(cat "$tmp/engine.err")"; exit 1; }
fail=0
grep -q "syscall event drop: $dropped events lost" "$tmp/engine.err" &&
	echo "ok: the engine reports the $dropped lost events" ||
	{ echo "FAIL: no drop report for $dropped events:"; cat "$tmp/engine.err"; fail=1; }
n=$(grep -c "Critical Syscall events were dropped" "$tmp/alerts")
[ "$n" = 1 ] && echo "ok: the drop rule fired once" ||
	{ echo "FAIL: the drop rule fired $n times:"; cat "$tmp/alerts"; fail=1; }
read=$(sed -n 's/^pdig-engine: ring: \([0-9]*\) events read, \([0-9]*\) dropped by producers.*/\1/p' "$tmp/engine.err")
rdrop=$(sed -n 's/^pdig-engine: ring: \([0-9]*\) events read, \([0-9]*\) dropped by producers.*/\2/p' "$tmp/engine.err")
if [ "$((read + rdrop))" = "$produced" ] && [ "$rdrop" = "$dropped" ]; then
	echo "ok: $read read + $rdrop dropped = $produced produced"
else
	echo "FAIL: $read read + $rdrop dropped != $produced produced ($dropped dropped by pdig)"
	fail=1
fi
exit $fail
