#!/bin/sh
# pdig's command line: usage errors, exit statuses, option parsing.
PDIG=$1 PROGS=$2
. "$(dirname "$0")/../lib/probe.sh"
PD_KPROBE=$PROGS/kprobe
# a ring of our own, removed at the end (the default one is the engine's)
export PDIG_RING=/pdig-test-$$
fail=0
check() { # expected-status description command...
	want=$1 what=$2; shift 2
	out=$("$@" 2>&1); got=$?
	if [ "$got" != "$want" ]; then
		echo "FAIL: $what: exit $got, want $want; output: $out"; fail=1
	else
		echo "ok: $what"
	fi
	LAST=$out
}
expect_text() { # substring description
	case $LAST in *"$1"*) echo "ok: $2";; *) echo "FAIL: $2: no '$1' in: $LAST"; fail=1;; esac
}
check 2 "no command" "$PDIG"
expect_text "no command given" "no command: says why"
expect_text "usage: pdig" "no command: prints the usage"
check 2 "unknown option" "$PDIG" --frobnicate true
expect_text "unknown option '--frobnicate'" "unknown option named"
check 2 "bad snaplen" "$PDIG" -s 12x true
check 2 "snaplen too large" "$PDIG" -s 70000 true
check 2 "missing argument" "$PDIG" -s
expect_text "needs an argument" "missing argument: says so"
check 2 "empty ring name" "$PDIG" --ring "" true
check 0 "help" "$PDIG" -h
check 0 "version" "$PDIG" --version
expect_text "pdig " "version printed"
check 2 "--ring and --connect together" "$PDIG" --ring x --connect y true
expect_text "not both" "--ring with --connect: says why"
# the rest runs commands under pdig
if ! pd_have trace; then
	pd_skip "the checks that run a command under pdig"
	exit $fail
fi
check 0 "-a accepted" "$PDIG" -q -a true
check 127 "command not found" "$PDIG" -q /nonexistent/pdig-no-such-command
expect_text "cannot run" "not found: says so"
tmp=$(mktemp -d); trap 'rm -rf "$tmp" /dev/shm$PDIG_RING' EXIT
printf 'not a program\n' > "$tmp/noexec"; chmod 644 "$tmp/noexec"
check 126 "not executable" "$PDIG" -q "$tmp/noexec"
check 5 "the command's status" "$PDIG" -q -- sh -c 'exit 5'
# another user's ring: refused with what to do (needs root and the nobody user)
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1 && command -v setpriv >/dev/null; then
	"$PDIG" -q true 2>/dev/null # makes $PDIG_RING, owned by root, mode 0600
	check 125 "someone else's ring" setpriv --reuid=nobody --regid=nogroup --clear-groups \
		"$PDIG" -q true
	expect_text "rings are private to the user who made them" "someone else's ring: says what to do"
else
	echo "not checked: someone else's ring (needs root, the nobody user and setpriv)"
fi
check 0 "options after the command are the command's" "$PDIG" -q echo -v -s 3
[ "$LAST" = "-v -s 3" ] && echo "ok: echo got its own flags" || { echo "FAIL: echo printed '$LAST'"; fail=1; }
check 0 "snaplen accepted" "$PDIG" -q -s 0 true
# the program's stderr is the program's: a late engine is no problem (what
# is lost once the ring is full is said, once), so said only with -v
rm -f "/dev/shm/${PDIG_RING#/}"
check 0 "no engine: the command still runs" "$PDIG" true
[ -z "$LAST" ] && echo "ok: no engine yet: nothing on the program's stderr" ||
	{ echo "FAIL: no engine yet: pdig wrote '$LAST' on the program's stderr"; fail=1; }
check 0 "no engine, -v" "$PDIG" -v true
expect_text "no pdig-engine reads the ring $PDIG_RING" "no engine, -v: said once, with the ring's name"
n=$(printf '%s\n' "$LAST" | grep -c "pdig-engine reads")
[ "$n" = 1 ] && echo "ok: said exactly once" || { echo "FAIL: said $n times"; fail=1; }
check 0 "-v counts the drops" "$PDIG" -q -v true
expect_text "(ring full)" "-v prints the counters"
# -v says whether 32-bit calls are possible here, as the native probe finds
native=$("$PROGS/kprobe" int80 2>&1)
case $native in
"") want="possible on this kernel, traced" ;;
*SIGSEGV*) want="refused by this kernel (ia32 emulation off): nothing to trace there" ;;
*seccomp*) want="refused here by a seccomp filter pdig runs under: nothing to trace there" ;;
*) want="unknown" ;;
esac
expect_text "pdig: 32-bit syscalls (int 0x80): $want" "-v: 32-bit syscalls $want (kprobe int80: ${native:-ok})"
check 0 "-v with the 32-bit entry refused (kprobe no32)" "$PROGS/kprobe" no32 "$PDIG" -q -v true
expect_text "pdig: 32-bit syscalls (int 0x80): refused here by a seccomp filter pdig runs under" \
	"-v: says the 32-bit entry is refused"
check 0 "no -v" "$PDIG" -q true
case $LAST in *32-bit*) echo "FAIL: the 32-bit line without -v: $LAST"; fail=1 ;; *) echo "ok: no 32-bit line without -v" ;; esac
check 125 "capture in a missing directory" "$PDIG" --raw /nonexistent/pdig/x.raw true
expect_text "cannot create /nonexistent/pdig/x.raw: No such file or directory" "says which file and why"
# ptrace refused (pdig is itself traced by strace): one clear message, 125
if pd_have strace; then
	check 125 "ptrace refused" strace -f -o /dev/null "$PDIG" true
	expect_text "add the SYS_PTRACE capability" "ptrace refused: says what to add"
	expect_text 'capabilities.add: ["SYS_PTRACE"]' "ptrace refused: the ECS setting"
else
	pd_skip "ptrace refused (pdig under strace -f)" "only this way of refusing ptrace to pdig is left out"
fi
exit $fail
