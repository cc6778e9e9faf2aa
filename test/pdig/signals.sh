#!/bin/sh
# Signals sent to pdig reach the command; as PID 1 (a container's
# entrypoint) pdig forwards them, reaps, exits with its command, and
# reports a death by signal N as 128+N.
PDIG=$1 P=$2
. "$(dirname "$0")/../lib/probe.sh"
PD_KPROBE=$P/kprobe
pd_need trace
# a ring of our own, removed at the end (the default one is the engine's)
export PDIG_RING=/pdig-test-$$
fail=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp" /dev/shm$PDIG_RING' EXIT
ok() { echo "ok: $1"; }
bad() { echo "FAIL: $1"; fail=1; }
script='trap "echo got TERM; exit 3" TERM; sleep 1 & wait'

# not PID 1: SIGTERM to pdig is forwarded, the command's handler runs
"$PDIG" -q sh -c "$script" > "$tmp/out" 2>&1 &
pd=$!
sleep 0.5
kill -TERM $pd
wait $pd; st=$?
[ $st = 3 ] && grep -q "got TERM" "$tmp/out" && ok "SIGTERM forwarded to the command" ||
	bad "SIGTERM to pdig: status $st, output: $(cat "$tmp/out")"

# job control: the command stops itself; pdig stops too, so its parent sees
# the job stopped; continuing pdig continues the command
"$PDIG" -q sh -c 'kill -STOP $$; echo resumed' > "$tmp/out" 2>&1 &
pd=$!
sleep 0.5
state=$(ps -o stat= -p $pd | cut -c1)
kill -CONT $pd
wait $pd; st=$?
[ "$state" = T ] && ok "the command stopped: pdig stopped" || bad "pdig's state was '$state' while the command was stopped"
[ $st = 0 ] && grep -q resumed "$tmp/out" && ok "SIGCONT to pdig continues the command" ||
	bad "after SIGCONT: status $st, output: $(cat "$tmp/out")"

if ! pd_have pidns; then
	pd_skip "pdig as PID 1 (forwarding, exit with the command, 128+N)"
	exit $fail
fi
# PID 1: forwarding
unshare -p -f --mount-proc "$PDIG" -q sh -c "$script" > "$tmp/out1" 2>&1 &
u=$!
sleep 0.5
pd=$(pgrep -P $u)
[ -n "$pd" ] && kill -TERM $pd
wait $u; st=$?
[ $st = 3 ] && grep -q "got TERM" "$tmp/out1" && ok "as PID 1: SIGTERM forwarded" ||
	bad "as PID 1, SIGTERM: status $st, output: $(cat "$tmp/out1")"
# PID 1: exits when the command does, though a child of it still runs
t0=$(date +%s)
unshare -p -f --mount-proc "$PDIG" -q sh -c 'sleep 10 & exit 6'; st=$?
t1=$(date +%s)
[ $st = 6 ] && [ $((t1 - t0)) -lt 5 ] && ok "as PID 1: exits with the command" ||
	bad "as PID 1: status $st after $((t1 - t0)) s"
# PID 1: death by signal as 128+N
unshare -p -f --mount-proc "$PDIG" -q "$P/die_signal" 15 > /dev/null; st=$?
[ $st = 143 ] && ok "as PID 1: death by SIGTERM is 143" || bad "as PID 1: death by SIGTERM gave $st"
exit $fail
