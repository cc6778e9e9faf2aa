#!/bin/sh
# What this machine offers (test/lib/probe.sh), printed for the record, and
# the paths taken where something is missing:
# - the native probe of the 32-bit entry agrees with progs/int80 run natively;
# - PDIG_TEST_PRETEND_NO_<NAME>=1 makes the tests skip just the checks that
#   need NAME, each with a line saying what is missing and why it does not
#   matter, and go on with the rest (a test needing it throughout exits 77);
# - pdig where the 32-bit entry is refused (progs/kprobe no32, a seccomp
#   filter refusing it as ia32_emulation=0 does): the program dies the same
#   way as natively, and pdig says nothing about it.
#   probes.sh PDIG EVDUMP PROGDIR SRCDIR
PDIG=$1 EVDUMP=$2 P=$3 SRC=$4
. "$(dirname "$0")/../lib/probe.sh"
PD_KPROBE=$P/kprobe
export PDIG_RING=/pdig-test-$$
tmp=$(mktemp -d); trap 'rm -rf "$tmp" /dev/shm$PDIG_RING' EXIT
fail=0
ok() { echo "ok: $1"; }
bad() { echo "FAIL: $1"; fail=1; }

# the record: what CI had when this ran
for n in int80 x32 ptrace seccomp cpu2 pidns mountns pty strace sysadmin root ipv6 sysdig; do
	if pd_have "$n"; then echo "machine: $n: yes"; else echo "machine: $n: no: $PD_MISSING"; fi
done
echo "machine: kernel $(uname -r), $(nproc) CPU(s) usable, Yama ptrace_scope $(cat /proc/sys/kernel/yama/ptrace_scope 2>/dev/null || echo -)"
pd_need trace

# the probe agrees with a real 32-bit program (kprobe itself: a pretend
# switch set for the whole run must not count here)
"$P/int80" > /dev/null 2>&1; st=$?
if said=$("$P/kprobe" int80); then
	[ $st = 0 ] && ok "int 0x80 works here: progs/int80 runs natively" ||
		bad "kprobe says int 0x80 works, but progs/int80 exits $st natively"
else
	[ $st = 139 ] && ok "int 0x80 refused here: progs/int80 dies by SIGSEGV natively ($said)" ||
		bad "kprobe says int 0x80 is refused ($said), but progs/int80 exits $st natively"
fi

# the pretend switch
export PDIG_TEST_PRETEND_NO_INT80=1
if pd_have int80; then
	bad "PDIG_TEST_PRETEND_NO_INT80=1: pd_have int80 still says yes"
else
	case $PD_WHY in
	*"none can bypass pdig"*) ok "PDIG_TEST_PRETEND_NO_INT80=1: missing, with the reason: $PD_WHY" ;;
	*) bad "PDIG_TEST_PRETEND_NO_INT80=1: reason '$PD_WHY'" ;;
	esac
fi

# tests run with PDIG_TEST_PRETEND_NO_INT80=1
# runtest NAME WANT-STATUS SCRIPT ARGS...: output in $tmp/NAME
runtest() {
	name=$1 want=$2; shift 2
	(cd "$(dirname "$P")" && sh "$@") > "$tmp/$name" 2>&1; got=$?
	[ "$got" = "$want" ] && ok "$name: exit $got" ||
		bad "$name: exit $got, want $want: $(tr '\n' '|' < "$tmp/$name")"
}
# expect NAME REGEX DESCRIPTION / expect_not NAME REGEX DESCRIPTION
expect() { grep -Eq -- "$2" "$tmp/$1" && ok "$1: $3" || bad "$1: $3: no line matching $2"; }
expect_not() { grep -Eq -- "$2" "$tmp/$1" && bad "$1: $3: a line matches $2" || ok "$1: $3"; }
# (on a kernel that refuses int 0x80 the reason is the real one)
reason=".+: a program cannot make 32-bit calls here, so none can bypass pdig through them"

runtest compat_msg 77 "$SRC/compat_msg.sh" "$PDIG" "$EVDUMP" "$P"
expect compat_msg "^SKIP: $reason" "the whole test skipped, with the reason"

runtest eintr_retry 0 "$SRC/eintr_retry.sh" "$PDIG" "$EVDUMP" "$P"
expect eintr_retry "^skip: the int 0x80 read \(progs/int80eintr\): $reason" "the int 0x80 part skipped, with the reason"
expect eintr_retry "^ok: sigretry: event order" "the 64-bit part still checked"
expect_not eintr_retry "int80eintr: (same|event)" "no int80eintr check"

runtest events_raw 0 "$SRC/events_raw.sh" "$PDIG" "$EVDUMP" "$P"
expect events_raw "^skip: int 0x80 open and socketcall \(progs/int80\): $reason" "the int 0x80 part skipped, with the reason"
expect events_raw "^ok: 400 opens from the threads" "the rest still checked"
expect_not events_raw "^(ok|FAIL): int 0x80" "no int 0x80 check"
unset PDIG_TEST_PRETEND_NO_INT80

# other skip paths, on quick tests
PDIG_TEST_PRETEND_NO_CPU2=1 PDIG_BENCH_N=2000 runtest bench_openat 0 "$SRC/bench_openat.sh" "$PDIG" "$P"
expect bench_openat "^skip: pdig on one CPU, the command on another: .+: the measurement with pdig and the command on two CPUs" \
	"the two-CPU measurement skipped, with the reason"
expect bench_openat "^ok: no event missing" "the rest still measured"
PDIG_TEST_PRETEND_NO_PIDNS=1 runtest signals 0 "$SRC/signals.sh" "$PDIG" "$P"
expect signals "^skip: pdig as PID 1 .*: .+: what pdig does in a new pid namespace" \
	"the pid namespace part skipped, with the reason"
expect signals "^ok: SIGTERM forwarded to the command" "the rest still checked"

# pdig where the 32-bit entry is refused: the program's death, nothing more
native=$("$P/kprobe" no32 "$P/int80" 2>&1; echo "status=$?")
traced=$("$P/kprobe" no32 "$PDIG" -q -- "$P/int80" 2>&1; echo "status=$?")
# (the shell's own "Bad system call" aside, int80 prints nothing: its output
# is buffered)
case $native in
*status=159) ok "int80 with the 32-bit entry refused: killed at its first int 0x80 (SIGSYS)" ;;
*) bad "int80 with the 32-bit entry refused, natively: $(echo "$native" | tr '\n' '|')" ;;
esac
[ "$traced" = "$native" ] && ok "the same under pdig, and pdig says nothing about it" ||
	bad "under pdig: '$(echo "$traced" | tr '\n' '|')', natively '$native'"
"$P/kprobe" no32 "$PDIG" -q --raw "$tmp/no32.raw" -- "$P/int80" > /dev/null 2>&1
"$EVDUMP" "$tmp/no32.raw" > "$tmp/no32.txt" || bad "no32: malformed records"
grep -Eq "^> procexit tid=[0-9]+ status=31 ret=0 sig=31 " "$tmp/no32.txt" &&
	ok "its procexit records the death (SIGSYS)" || bad "no procexit with SIGSYS: $(tail -3 "$tmp/no32.txt")"
exit $fail
