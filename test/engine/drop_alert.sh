#!/bin/sh
# Falco's "syscall event drop" internal alert from the ring's drop counters
# (syscall_event_drops): with the default actions (log, alert) one alert
# through the outputs with the number dropped and a line on stderr; ignore
# does neither; a threshold of 1 is never passed; exit ends the engine with
# a failure status.
# usage: drop_alert.sh PDIG PDIG-ENGINE
PDIG=$1 ENGINE=$2
[ -x "$PDIG" ] || { echo "FAIL: no pdig at '$PDIG' (it is built with pdig-engine)"; exit 1; }
. "$(dirname "$0")/../lib/probe.sh"
pd_need trace
command -v dd >/dev/null || { echo "SKIP: dd is not installed"; exit 77; }
ring=/pdig-dropalert-$$
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"; rm -f "/dev/shm$ring"' EXIT
fail=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }
printf -- '- rule: never\n  desc: d\n  condition: evt.type = open and fd.name = /nonexistent/x\n  output: x\n  priority: ERROR\n' >"$T/r.yaml"

# produce: pdig writes far more than a ring slot holds before any engine reads
produce() {
	"$PDIG" -v --io --ring "$ring" -- dd if=/dev/zero of=/dev/null bs=1 count=50000 2>"$T/pdig.err" ||
		{ echo "FAIL: pdig: $(cat "$T/pdig.err")"; exit 1; }
	dropped=$(sed -n 's/^pdig: [0-9]* stops, [0-9]* events; dropped: \([0-9]*\) (ring full).*/\1/p' "$T/pdig.err")
	[ "${dropped:-0}" -gt 0 ] || { echo "FAIL: pdig dropped nothing: $(cat "$T/pdig.err")"; exit 1; }
}
engine() { "$ENGINE" -r "$T/r.yaml" --ring="$ring" --idle-exit 1000 --json "$@"; }
internal() { grep -c '"rule":"Falco internal: syscall event drop"' "$1"; }

produce
engine >"$T/a.out" 2>"$T/a.err"; rc=$?
n=$(python3 - "$T/a.out" <<'P'
import json, sys
for l in open(sys.argv[1]):
    a = json.loads(l)
    if a['rule'] == 'Falco internal: syscall event drop':
        assert a['priority'] == 'Debug' and a['source'] == 'internal', a
        print(a['output_fields']['n_drops'])
P
)
[ $rc = 0 ] && [ "$(internal "$T/a.out")" = 1 ] && [ "$n" = "$dropped" ] &&
	grep -q "pdig-engine: Falco internal: syscall event drop. $dropped system calls dropped" "$T/a.err" &&
	ok "default actions: one internal alert with n_drops=$dropped, and the log line" ||
	bad "default: exit $rc, n_drops '$n' of $dropped: $(cat "$T/a.out" "$T/a.err")"

produce
engine -o 'syscall_event_drops.actions=[ignore]' >"$T/i.out" 2>"$T/i.err"
[ "$(internal "$T/i.out")" = 0 ] && ! grep -q "Falco internal" "$T/i.err" &&
	ok "actions: [ignore]: no alert, no log" || bad "ignore: $(cat "$T/i.out" "$T/i.err")"

produce
engine -o syscall_event_drops.threshold=1 >"$T/t.out" 2>"$T/t.err"
[ "$(internal "$T/t.out")" = 0 ] && ! grep -q "Falco internal" "$T/t.err" &&
	ok "threshold 1: never passed" || bad "threshold: $(cat "$T/t.out" "$T/t.err")"

produce
engine -o 'syscall_event_drops.actions=[exit]' >"$T/x.out" 2>"$T/x.err"; rc=$?
[ $rc = 1 ] && grep -q "syscall_event_drops.actions has exit: ending" "$T/x.err" &&
	ok "actions: [exit]: the engine ends, exit 1" || bad "exit: $rc $(cat "$T/x.err")"
exit $fail
