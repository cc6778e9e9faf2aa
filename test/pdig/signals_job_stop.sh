#!/bin/sh
# A stopped job does not freeze the rest of the traced tree. The command
# starts a daemon (setsid: another session, so not in the job) that appends
# a tick to a file every 20 ms; the job is stopped (SIGSTOP, then SIGTSTP, to
# its process group): the command and the process its shell waits on show
# stopped, and the daemon's ticks keep coming, as natively; SIGCONT to the
# group, or to the command alone, runs the job again; the run ends as
# natively. The job gets a process group of its
# own in the test's session (a new session's group would be orphaned, and the
# kernel drops SIGTSTP to an orphaned group).
PDIG=$1
. "$(dirname "$0")/../lib/probe.sh"
pd_need trace
export PDIG_RING=/pdig-test-$$
py=$(command -v python3) || { echo "SKIP: python3 is missing (it starts the job in a process group of its own)"; exit 77; }
newpgrp() { exec "$py" -c 'import os, sys; os.setpgid(0, 0); os.execvp(sys.argv[1], sys.argv[1:])' "$@"; }
top=$(mktemp -d); tmp=
trap 'touch "$top"/*/stop "$top"/*/end; sleep 0.1; rm -rf "$top" /dev/shm$PDIG_RING' EXIT
fail=0
ok() { echo "ok: $1"; }
bad() { echo "FAIL: $1"; fail=1; }
wait_for() { i=0; while ! grep -q "$2" "$1" 2> /dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done; }
ticks() { wc -l < "$tmp/ticks" 2> /dev/null || echo 0; }
state() { ps -o stat= -p "$1" 2> /dev/null | cut -c1; }
# the front's state once it is no longer T, or T after 5 s (a loaded machine
# may take more than a moment to pass a SIGCONT on)
running() { i=0; while [ "$(state "$1")" = T ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done; state "$1"; }

# (both loops bounded: nothing outlives a test that was killed)
script='setsid sh -c "i=0; while [ ! -e stop ] && [ \$i -lt 3000 ]; do echo t >> ticks; sleep 0.02; i=\$((i+1)); done" &
echo ready; i=0; while [ ! -e end ] && [ $i -lt 1200 ]; do sleep 0.05; i=$((i+1)); done; echo done; exit 3'

# run WHAT PREFIX...
run() {
	what=$1; shift
	tmp=$top/$(echo "$what" | tr ' ' _)
	mkdir "$tmp"
	(cd "$tmp" && newpgrp "$@" sh -c "$script" > "$tmp/out" 2> "$tmp/err") &
	front=$!
	wait_for "$tmp/out" ready
	sleep 0.3
	pg=$(ps -o pgid= -p $front | tr -d ' ')
	[ "$pg" = "$front" ] || { bad "$what: $front is not a process group leader"; return; }
	# the job: the front process and, under pdig, the command (its child
	# named sh); natively the front is the command
	cmd=$front
	[ $# -gt 0 ] && cmd=$(pgrep -P "$front" -x sh)
	for s in STOP TSTP; do
		kill -$s "-$front"
		sleep 0.3
		fst=$(state "$front") cst=$(state "$cmd")
		t0=$(ticks); sleep 0.5; t1=$(ticks)
		# the command shows t (tracing stop) under pdig
		case "$fst$cst" in
		TT | Tt) ok "$what, SIG$s: the job is stopped ($fst $cst)" ;;
		*) bad "$what, SIG$s: the job is not stopped: front '$fst', command '$cst'" ;;
		esac
		[ $((t1 - t0)) -ge 5 ] && ok "$what, SIG$s: the daemon runs on ($((t1 - t0)) ticks in 0.5 s)" ||
			bad "$what, SIG$s: the daemon ran $((t1 - t0)) ticks in 0.5 s while the job was stopped"
		kill -CONT "-$front"
		fst=$(running "$front")
		[ "$fst" != T ] && ok "$what, SIGCONT: the job runs again" ||
			bad "$what, SIGCONT: the front process is still stopped"
	done
	# continued by a SIGCONT to the command alone: the job runs again
	kill -STOP "-$front"
	sleep 0.3
	kill -CONT "$cmd"
	fst=$(running "$front")
	[ "$fst" != T ] && ok "$what, SIGCONT to the command alone: the job runs again" ||
		bad "$what, SIGCONT to the command alone: the front process is still stopped"
	kill -CONT "-$front" # the command's children
	touch "$tmp/end"
	wait $front; st=$?
	touch "$tmp/stop"
	[ $st = 3 ] && [ "$(tr '\n' ' ' < "$tmp/out")" = "ready done " ] &&
		ok "$what: status 3, its output" ||
		bad "$what: status $st, output '$(tr '\n' ' ' < "$tmp/out")', stderr '$(tr '\n' '|' < "$tmp/err")'"
}
run natively
[ $fail = 0 ] || { echo "SKIP: natively the job does not behave as this test expects"; exit 77; }
run "under pdig" "$PDIG" -q --
exit $fail
