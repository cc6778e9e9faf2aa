#!/bin/sh
# Each program of the catalog, natively and under pdig: the same output
# and the same exit status (a shell reports a death by signal N as 128+N).
PDIG=$1 P=$2 SRC=$3
# a ring of our own, removed at the end (the default one is the engine's)
export PDIG_RING=/pdig-test-$$
trap 'rm -f /dev/shm$PDIG_RING' EXIT
command -v timeout > /dev/null || { echo "SKIP: timeout (coreutils) is missing"; exit 77; }
fail=0
run_case() {
	native=$("$@" 2>&1; echo "status=$?")
	# shellcheck disable=SC2086
	traced=$(timeout -k 5 120 "$PDIG" -q $FLAGS -- "$@" 2>&1; echo "status=$?")
	if [ "$native" = "$traced" ]; then
		echo "ok: $FLAGS $*"
	else
		echo "FAIL: $FLAGS $*"
		echo "  native: $(printf '%s' "$native" | tr '\n' '|')"
		echo "  pdig:   $(printf '%s' "$traced" | tr '\n' '|')"
		fail=1
	fi
}
cases() {
	run_case "$P/exit_code" 0
	run_case "$P/exit_code" 3
	run_case "$P/exit_code" 255
	run_case "$P/die_signal" 15
	run_case "$P/die_signal" 9
	run_case "$P/die_signal" 11
	run_case "$P/die_signal" 6
	run_case "$P/threads"
	run_case "$P/forks"
	run_case "$P/exec_thread"
	run_case "$P/stopcont"
	run_case "$P/sigread"
	run_case "$P/own_seccomp"
	run_case "$P/fork_storm"
	run_case "$P/untraced"
	run_case "$P/int80"
	run_case "$P/ignored_sig"
	run_case "$P/stopread"
	run_case "$P/leader_exit"
	run_case "$P/chaos"
	run_case "$P/fork_wide"
	if command -v python3 > /dev/null; then
		for m in threads subprocess sockets; do
			run_case python3 "$SRC/py_workload.py" $m 3
		done
	else
		echo "skipped: python3 workloads (no python3)"
	fi
	# pdig runs as root with CAP_SYS_ADMIN here: no NO_NEW_PRIVS (setuid programs work)
	run_case grep NoNewPrivs /proc/self/status
	run_case sh -c 'echo a | cat; (exit 4)'
	run_case sh -c 'sleep 0.1 & wait; echo done'
}
# the default set, then every syscall (-a: generic events, more stops)
FLAGS='' cases
FLAGS=-a cases

# A program that itself uses ptrace: natively its PTRACE_TRACEME and
# PTRACE_ATTACH work; under a tracer of the whole tree a task has its tracer
# already (one per task), so both fail with EPERM, under pdig exactly as
# under strace -f.
native=$("$P/ptracer" 2>&1; echo "status=$?")
case $native in
*"traceme: ok"*"attach: ok"*) echo "ok: ptracer natively: ptrace works" ;;
*) echo "FAIL: ptracer natively: $native"; fail=1 ;;
esac
traced=$(timeout -k 5 120 "$PDIG" -q -- "$P/ptracer" 2>&1; echo "status=$?")
case $traced in
*"traceme: EPERM"*"attach: EPERM"*"status=0") echo "ok: ptracer under pdig: EPERM" ;;
*) echo "FAIL: ptracer under pdig: $traced"; fail=1 ;;
esac
if command -v strace > /dev/null; then
	stra=$(timeout -k 5 120 strace -f -o /dev/null -- "$P/ptracer" 2>&1; echo "status=$?")
	if [ "$stra" = "$traced" ]; then
		echo "ok: ptracer: the same under pdig as under strace -f"
	else
		echo "FAIL: ptracer: strace -f: $(printf '%s' "$stra" | tr '\n' '|')"
		echo "  pdig: $(printf '%s' "$traced" | tr '\n' '|')"
		fail=1
	fi
else
	echo "skipped: ptracer against strace -f (no strace)"
fi
exit $fail
