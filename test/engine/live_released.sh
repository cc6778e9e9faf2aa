#!/bin/bash
# The counters of a producer whose private ring the engine has let go (pdig
# --connect: released once pdig is gone and everything is read, about a
# second later) are still in the engine's report, and its totals keep them.
# And pdig does not wake the engine per event: a futex wake-up costs a
# context switch on the CPU the tracer and the traced program share.
#   live_released.sh ENGINE PDIG
set -u
engine=$1 pdig=$2
. "$(dirname "$0")/../lib/probe.sh"
pd_need trace
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sock=$tmp/engine.sock
# idle 2.5 s: the region, read to the end, is let go at the engine's next
# look for finished regions (every second while idle)
"$engine" --listen "$sock" --idle-exit 2500 'evt.type = nothing' >"$tmp/out" 2>"$tmp/err" &
engine_pid=$!
for _ in $(seq 50); do [ -S "$sock" ] && break; sleep 0.1; done
fail=0
"$pdig" -v --connect "$sock" -- sh -c 'i=0; while [ $i -lt 150 ]; do cat /etc/hostname; i=$((i+1)); done >/dev/null' \
	2>"$tmp/pdig.err" || { echo "FAIL: pdig: $(cat "$tmp/pdig.err")"; fail=1; }
wait "$engine_pid" || { echo "FAIL: pdig-engine exited $?: $(cat "$tmp/err")"; fail=1; }
events=$(sed -n 's/^pdig: [0-9]* stops, \([0-9]*\) events.*/\1/p' "$tmp/pdig.err")
released=$(sed -n 's/^pdig-engine: producer gone (ring released): \([0-9]*\) events, dropped 0 (ring full) 0 (wait gave up) 0 (memory unreadable)$/\1/p' "$tmp/err")
if [ -n "$events" ] && [ "$events" -gt 0 ] && [ "$released" = "$events" ]; then
	echo "ok: the released ring's producer is reported: $released events, as pdig says"
else
	echo "FAIL: pdig wrote '$events' events; the report of the released ring says '$released':"
	cat "$tmp/err"; fail=1
fi
read_total=$(sed -n 's/^pdig-engine: ring: \([0-9]*\) events read, 0 dropped by producers.*/\1/p' "$tmp/err")
[ "$read_total" = "$events" ] && echo "ok: the totals keep it ($read_total events read, 0 dropped)" ||
	{ echo "FAIL: totals: '$read_total' events read, want $events with 0 dropped: $(grep 'ring:' "$tmp/err")"; fail=1; }
wakeups=$(sed -n 's/^pdig: ring: \([0-9]*\) wake-ups of a sleeping engine.*/\1/p' "$tmp/pdig.err")
if [ -n "$wakeups" ] && [ -n "$events" ] && [ $((wakeups * 100)) -lt "$events" ]; then
	echo "ok: $wakeups wake-ups of the engine for $events events"
else
	echo "FAIL: '$wakeups' wake-ups of the engine for '$events' events (want under 1 per 100)"
	grep '^pdig:' "$tmp/pdig.err"; fail=1
fi
exit $fail
