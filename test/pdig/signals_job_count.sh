#!/bin/sh
# A signal reaches the command as many times under pdig as natively.
# pdig and the command share a process group, so a signal sent to the whole
# job (kill -TERM -PGID: a shell's `kill %1`, its SIGHUP to its jobs, fg/bg's
# SIGCONT) reaches both; pdig must not pass its own copy on as well. A
# signal sent to pdig alone (docker stop, kill PID) must still reach the
# command, once. progs/sigcount counts what its handlers see.
PDIG=$1 P=$2
. "$(dirname "$0")/../lib/probe.sh"
PD_KPROBE=$P/kprobe
pd_need trace
export PDIG_RING=/pdig-test-$$
command -v setsid > /dev/null || { echo "SKIP: setsid (util-linux) is missing"; exit 77; }
tmp=$(mktemp -d); trap 'touch "$tmp/fin"; rm -rf "$tmp" /dev/shm$PDIG_RING' EXIT
fail=0
ok() { echo "ok: $1"; }
bad() { echo "FAIL: $1"; fail=1; }
wait_for() { i=0; while ! grep -q "$2" "$1" 2> /dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done; }

# run PREFIX...: the job in a process group of its own (setsid), the group
# each sent TERM, HUP, USR1 and CONT twice, the job's first process once;
# prints the counts the command saw
run() {
	rm -f "$tmp/fin" "$tmp/out"
	setsid "$@" "$P/sigcount" "$tmp/fin" > "$tmp/out" 2> "$tmp/err" &
	front=$!
	wait_for "$tmp/out" ready
	pg=$(ps -o pgid= -p $front | tr -d ' ')
	if [ "$pg" != "$front" ]; then
		echo "FAIL: setsid did not make $front a group leader (pgid '$pg')" >&2
		kill -KILL "$front" 2> /dev/null
		return
	fi
	# apart, so that no two copies merge while pending
	for s in TERM HUP USR1 CONT; do
		kill -$s "-$pg"; sleep 0.3
		kill -$s "$front"; sleep 0.3
		kill -$s "-$pg"; sleep 0.3
	done
	touch "$tmp/fin"
	wait $front; st=$?
	echo "$(grep -v ready "$tmp/out") status=$st"
}
native=$(run)
want="TERM=3 HUP=3 USR1=3 CONT=3 status=0"
[ "$native" = "$want" ] || { echo "SKIP: natively the counts are '$native', not '$want': signals are not delivered as this test expects here"; exit 77; }
ok "natively: $native"
traced=$(run "$PDIG" -q --)
[ "$traced" = "$native" ] && ok "under pdig: $traced" ||
	bad "under pdig: '$traced', natively '$native'; stderr: $(tr '\n' '|' < "$tmp/err")"
exit $fail
