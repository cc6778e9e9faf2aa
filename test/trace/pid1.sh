#!/bin/sh
# pdig-trace as PID 1 of a container, emulated by a new pid namespace with
# its own /proc (unshare --pid --fork --mount-proc; Docker does not run
# here): alerts of the default rules on stdout as JSON lines beside the
# application's own output, SIGTERM and SIGINT passed on, orphans reaped,
# the namespace ending with the application's status, and no event lost at
# exit. Then the same exit statuses without a namespace.
# usage: pid1.sh BIN_DIR (pdig, pdig-engine, pdig-trace)
BIN=$(realpath "$1")
TRACE=$BIN/pdig-trace
. "$(dirname "$0")/lib.sh"
need_ptrace "$BIN/pdig"
need_pidns
need_python
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT

# run_ns NAME APP_SCRIPT [pdig-trace options]: pdig-trace as PID 1 running
# sh -c APP_SCRIPT in the background; $ns the unshare, $pid1 pdig-trace's pid
run_ns() {
	name=$1 app=$2
	shift 2
	unshare --pid --fork --mount-proc "$TRACE" --pdig -v "$@" -- sh -c "$app" "$T/$name" \
		>"$T/$name.out" 2>"$T/$name.err" &
	ns=$!
	pid1=
	wait_until 10 sh -c "test -n \"\$(cat /proc/$ns/task/$ns/children 2>/dev/null)\"" &&
		pid1=$(cat /proc/$ns/task/$ns/children | tr -d ' ')
}

# the application: ready, an orphan for PID 1 to reap, zombies counted,
# handlers for TERM and INT whose last act is a read of /etc/shadow
APP='
trap "echo got-term; cat /etc/shadow >/dev/null; exit 7" TERM
trap "echo got-int; exit 5" INT
trap "echo got-usr1 >\"\$0.usr1\"" USR1
sh -c "sleep 0.2 & exit 0"      # its sleep is an orphan: reparented to PID 1
echo app-started
echo $$ >"$0.pid"
sleep 1
z=0
for s in /proc/[0-9]*/stat; do
	case "$(cut -d" " -f3 "$s" 2>/dev/null)" in Z) z=$((z + 1)) ;; esac
done
echo "$z" >"$0.zombies"
while :; do sleep 0.1; done
'

run_ns term "$APP" --pdig --lossless
if [ -z "$pid1" ]; then
	bad "term: pdig-trace did not start: $(cat "$T/term.err")"
	exit 1
fi
if wait_until 20 test -s "$T/term.zombies"; then
	[ "$(cat "$T/term.zombies")" = 0 ] && ok "term: the orphan reaped by pdig-trace (no zombie)" ||
		bad "term: $(cat "$T/term.zombies") zombie(s) left in the namespace"
else
	bad "term: the application did not get going: $(cat "$T/term.err")"
fi
[ "$(cat "/proc/$pid1/comm" 2>/dev/null)" = pdig-trace ] && ok "term: pdig-trace is PID 1 of the namespace" ||
	bad "term: PID 1 is '$(cat "/proc/$pid1/comm" 2>/dev/null)'"
kill -USR1 "$pid1"
wait_until 10 test -s "$T/term.usr1" && ok "term: SIGUSR1 passed on" || bad "term: SIGUSR1 did not reach the application"
kill -TERM "$pid1"
wait $ns
rc=$?
[ $rc = 7 ] && ok "term: SIGTERM passed on, the namespace exits with the application's 7" ||
	bad "term: exit $rc, want 7: $(cat "$T/term.err")"
[ "$(alerts "$T/term.out" "$RULE_SHADOW")" = 1 ] &&
	ok "term: the read of /etc/shadow in the TERM handler, just before the exit, is alerted" ||
	bad "term: want 1 alert: $(cat "$T/term.out")"
extra=$(nonjson "$T/term.out" | tr '\n' ' ')
[ "$extra" = "app-started got-term " ] && ok "term: stdout holds JSON alerts and the application's lines" ||
	bad "term: unexpected stdout lines: '$extra'"
# shellcheck disable=SC2046 # two numbers, split on purpose
set -- $(produced "$T/term.err")
p_ev=${1:-x}
# shellcheck disable=SC2046 # two numbers, split on purpose
set -- $(engine_read "$T/term.err")
[ "${1:-y}" = "$p_ev" ] && [ "${2:-y}" = 0 ] && ok "term: all $p_ev events read, none dropped" ||
	bad "term: produced $p_ev, read ${1:-?} dropped ${2:-?}: $(cat "$T/term.err")"

run_ns int "$APP"
wait_until 20 test -s "$T/int.pid" || bad "int: the application did not start: $(cat "$T/int.err")"
kill -INT "$pid1"
wait $ns
rc=$?
[ $rc = 5 ] && ok "int: SIGINT (docker kill -s INT) reaches the application, exit 5" ||
	bad "int: exit $rc, want 5: $(cat "$T/int.err")"

# statuses: exit N; killed by a signal: 128+N as PID 1
run_ns exit3 'exit 3'
wait $ns
rc=$?
[ $rc = 3 ] && ok "exit3: the namespace exits 3" || bad "exit3: exit $rc: $(cat "$T/exit3.err")"
run_ns kill9 'kill -KILL $$'
wait $ns
rc=$?
[ $rc = 137 ] && ok "kill9: killed by SIGKILL: 137 as PID 1" || bad "kill9: exit $rc: $(cat "$T/kill9.err")"

# not PID 1: the status, and a death by signal re-raised
"$TRACE" -- sh -c 'exit 4' >/dev/null 2>"$T/plain.err"
rc=$?
[ $rc = 4 ] && ok "plain: exit 4" || bad "plain: exit $rc: $(cat "$T/plain.err")"
sig=$(python3 -c 'import subprocess, sys; print(subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode)' \
	"$TRACE" -- sh -c 'kill -TERM $$')
[ "$sig" = -15 ] && ok "plain: killed by SIGTERM: pdig-trace dies by SIGTERM too" || bad "plain: returncode $sig, want -15"
exit $fail
