#!/bin/sh
# pdig as a container entrypoint prefix.
# - Not PID 1: pdig ends with the command, as the container would, and what
#   the command left running (a daemon) is killed, as the runtime kills the
#   rest of the container when its entrypoint exits; --wait-all keeps the
#   strace -f behaviour (wait for every traced process).
# - PID 1 of a new pid namespace: SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1
#   and SIGUSR2 forwarded to the command, orphans reaped, the command's exit
#   status, 128+N for a death by signal N.
PDIG=$1 P=$2
. "$(dirname "$0")/../lib/probe.sh"
PD_KPROBE=$P/kprobe
pd_need trace
export PDIG_RING=/pdig-test-$$
command -v timeout > /dev/null || { echo "SKIP: timeout (coreutils) is missing"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp" /dev/shm$PDIG_RING' EXIT
fail=0
ok() { echo "ok: $1"; }
bad() { echo "FAIL: $1"; fail=1; }
# a unique sleep, to find it again: is the daemon still there?
daemon_alive() { pgrep -f "^sleep $1\$" > /dev/null; }

# the command ends, its daemon is still running: pdig returns at once with
# the command's status and the daemon is gone
t0=$(date +%s)
out=$(timeout -k 5 60 "$PDIG" -q -w "$tmp/d.scap" sh -c 'sleep 29.71 & sleep 0.5; echo started; exit 4' 2>&1); st=$?
t1=$(date +%s)
[ $st = 4 ] && [ "$out" = started ] && [ $((t1 - t0)) -lt 10 ] &&
	ok "returns with the command (status 4) though a daemon it started runs" ||
	bad "daemon left by the command: status $st after $((t1 - t0)) s, output '$out'"
sleep 0.2
daemon_alive 29.71 && { bad "the daemon survived pdig"; pkill -f '^sleep 29.71$'; } ||
	ok "the daemon was killed, as a container runtime kills it"
if ! command -v sysdig > /dev/null; then
	echo "skip: the daemon's procexit read back by sysdig: sysdig is not installed: only the reader is missing"
elif [ -s "$tmp/d.scap" ]; then
	e=$(sysdig -r "$tmp/d.scap" -p '%proc.name %evt.arg.sig' 'evt.type=procexit and proc.name=sleep')
	case $e in
	*"sleep SIGKILL"*) ok "the daemon's procexit is recorded (SIGKILL)" ;;
	*) bad "the daemon's procexit: '$e'" ;;
	esac
fi
# a daemon in a session of its own (setsid, as daemons do) goes as well
out=$(timeout -k 5 60 "$PDIG" -q sh -c '(setsid sleep 29.72 &); exit 0' 2>&1); st=$?
sleep 0.2
if daemon_alive 29.72; then
	bad "a setsid daemon survived pdig"; pkill -f '^sleep 29.72$'
else
	[ $st = 0 ] && ok "a setsid daemon is killed too" || bad "setsid daemon: status $st, '$out'"
fi
# --wait-all: as strace -f, stays until the last traced process has ended
t0=$(date +%s)
timeout -k 5 60 "$PDIG" -q --wait-all sh -c 'sleep 2 & exit 5'; st=$?
t1=$(date +%s)
[ $st = 5 ] && [ $((t1 - t0)) -ge 2 ] && ok "--wait-all waits for the daemon, status 5" ||
	bad "--wait-all: status $st after $((t1 - t0)) s"
# threads outliving the leader are not 'left running': the process goes on
# (timeout's own warnings, e.g. when another test holds the signal queue,
# are not the program's output)
r=$( { timeout -k 5 60 "$PDIG" -q "$P/leader_exit" 2>&1; echo "status=$?"; } |
	grep -v '^timeout: warning: ')
n=$("$P/leader_exit" 2>&1; echo "status=$?")
[ "$r" = "$n" ] && ok "threads of a leader that exited first run to their end" ||
	bad "leader_exit: native '$n', pdig '$r'"

if ! pd_have pidns; then
	pd_skip "pdig as PID 1 (signals forwarded, orphans reaped, statuses)"
	exit $fail
fi
# PID 1: every forwarded signal reaches the command, whose handler runs.
# (env --default-signal: a background job of a script starts with SIGINT
# and SIGQUIT ignored, and a shell cannot trap what it was started ignoring;
# a container's PID 1 starts with them at their default.)
dflt=
env --default-signal=INT true 2> /dev/null && dflt="env --default-signal=INT,QUIT"
for s in TERM INT HUP QUIT USR1 USR2; do
	rm -f "$tmp/out1"
	if [ -z "$dflt" ] && { [ $s = INT ] || [ $s = QUIT ]; }; then
		echo "skip: SIG$s as PID 1: env --default-signal is missing (coreutils < 8.31): a test's background shell cannot trap it otherwise"; continue
	fi
	$dflt unshare -p -f --mount-proc "$PDIG" -q sh -c \
		"trap 'echo got $s; exit 3' $s; echo ready; sleep 20 & wait" > "$tmp/out1" 2>&1 &
	u=$!
	i=0
	while ! grep -q ready "$tmp/out1" 2> /dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	pd=$(pgrep -P $u)
	[ -n "$pd" ] && kill -$s "$pd"
	wait $u; st=$?
	[ $st = 3 ] && grep -q "got $s" "$tmp/out1" && ok "as PID 1: SIG$s forwarded" ||
		bad "as PID 1, SIG$s: status $st, output: $(tr '\n' '|' < "$tmp/out1")"
done
# PID 1: an orphan (its parent gone, it is pdig's now) is reaped: no zombie
z=$(timeout -k 5 60 unshare -p -f --mount-proc "$PDIG" -q sh -c \
	'(sleep 0.2 &); sleep 1; ps -eo stat=,comm=' 2>&1)
case $z in
*sleep*) bad "as PID 1: the orphan was not reaped: $(echo "$z" | tr '\n' '|')" ;;
*pdig*) ok "as PID 1: orphans reaped" ;;
*) bad "as PID 1: ps showed: $(echo "$z" | tr '\n' '|')" ;;
esac
# PID 1: statuses, and 128+N for deaths by signal (PID 1 cannot die by one)
for c in "0 $P/exit_code 0" "7 $P/exit_code 7" "137 $P/die_signal 9" "143 $P/die_signal 15" \
	"134 $P/die_signal 6"; do
	want=${c%% *}
	# shellcheck disable=SC2086
	timeout -k 5 60 unshare -p -f --mount-proc "$PDIG" -q ${c#* } > /dev/null 2>&1; st=$?
	[ $st = "$want" ] && ok "as PID 1: ${c#* } gives $want" || bad "as PID 1: ${c#* } gave $st, want $want"
done
exit $fail
