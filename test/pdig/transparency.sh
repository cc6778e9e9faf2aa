#!/bin/sh
# Each program of the catalog, natively and under pdig: the same output
# and the same exit status (a shell reports a death by signal N as 128+N).
PDIG=$1 P=$2 SRC=$3
. "$(dirname "$0")/../lib/probe.sh"
PD_KPROBE=$P/kprobe
pd_need trace
# a ring of our own, removed at the end (the default one is the engine's)
export PDIG_RING=/pdig-test-$$
trap 'rm -f /dev/shm$PDIG_RING' EXIT
command -v timeout > /dev/null || { echo "SKIP: timeout (coreutils) is missing"; exit 77; }
fail=0
# with the 32-bit entry refused, int80 dies by SIGSEGV at its first call,
# natively and under pdig alike: still compared
pd_have int80 || echo "note: $PD_MISSING: progs/int80 must die the same way under pdig as natively"
# pdig sets NO_NEW_PRIVS only without CAP_SYS_ADMIN (the kernel wants it then)
nnp_native=$(grep NoNewPrivs /proc/self/status)
if pd_have sysadmin; then
	nnp_want=$nnp_native
else
	nnp_want=$(printf 'NoNewPrivs:\t1')
	echo "note: $PD_MISSING: $PD_MATTERS"
fi
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
	# with CAP_SYS_ADMIN no NO_NEW_PRIVS (setuid programs work); without, set
	traced=$(timeout -k 5 120 "$PDIG" -q $FLAGS -- grep NoNewPrivs /proc/self/status 2>&1)
	if [ "$traced" = "$nnp_want" ]; then
		echo "ok: $FLAGS NO_NEW_PRIVS under pdig: '$traced' (natively '$nnp_native')"
	else
		echo "FAIL: $FLAGS NO_NEW_PRIVS under pdig: '$traced', want '$nnp_want'"; fail=1
	fi
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
*)
	yama=$(cat /proc/sys/kernel/yama/ptrace_scope 2>/dev/null || echo "no Yama")
	echo "skip: ptracer natively: a program may not ptrace its own children here (Yama ptrace_scope: $yama; $(echo "$native" | tr '\n' '|')): only the native reference is missing, pdig's EPERM is still checked" ;;
esac
traced=$(timeout -k 5 120 "$PDIG" -q -- "$P/ptracer" 2>&1; echo "status=$?")
case $traced in
*"traceme: EPERM"*"attach: EPERM"*"status=0") echo "ok: ptracer under pdig: EPERM" ;;
*) echo "FAIL: ptracer under pdig: $traced"; fail=1 ;;
esac
if pd_have strace; then
	stra=$(timeout -k 5 120 strace -f -o /dev/null -- "$P/ptracer" 2>&1; echo "status=$?")
	if [ "$stra" = "$traced" ]; then
		echo "ok: ptracer: the same under pdig as under strace -f"
	else
		echo "FAIL: ptracer: strace -f: $(printf '%s' "$stra" | tr '\n' '|')"
		echo "  pdig: $(printf '%s' "$traced" | tr '\n' '|')"
		fail=1
	fi
else
	pd_skip "ptracer against strace -f"
fi
exit $fail
