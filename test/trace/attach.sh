#!/bin/sh
# pdig-trace in a sidecar: a pid namespace (ECS pidMode "task", Kubernetes
# shareProcessNamespace) whose PID 1 is a pause process, the application
# in it, and pdig-trace entered into it (nsenter) attaching by name (-n) or
# by pid (-p). Alerts come out; --no-inject detaches on SIGTERM and leaves
# the application running untraced; with the filter injected, pdig-trace
# ends when the application does; the engine reads everything first.
# usage: attach.sh BIN_DIR
BIN=$(realpath "$1")
TRACE=$BIN/pdig-trace
. "$(dirname "$0")/lib.sh"
need_ptrace "$BIN/pdig"
need_pidns
need_python
command -v nsenter >/dev/null 2>&1 || skip "nsenter (util-linux) is not installed"
"$BIN/pdig" --help 2>/dev/null | grep -q -- "--pid PID" || skip "this pdig has no -p (attach)"
T=$(mktemp -d) || exit 1
ns=
pause=
trap '[ -n "$pause" ] && kill -KILL $pause 2>/dev/null; rm -rf "$T"' EXIT

# the application: its own name, a read of /etc/shadow per trigger file,
# ends when told
cp "$(command -v dash || command -v sh)" "$T/myapp"
APP='while :; do
	if [ -e "$0.trigger" ]; then rm -f "$0.trigger"; cat /etc/shadow >/dev/null; fi
	if [ -e "$0.stop" ]; then exit 0; fi
	sleep 0.1
done'

# start_pod: the namespace with a pause process as PID 1 and the app
start_pod() {
	rm -f "$T/app.stop"
	unshare --pid --fork --mount-proc sh -c '"$0" -c "$1" "$2" & exec sleep 600' \
		"$T/myapp" "$APP" "$T/app" 2>>"$T/pod.err" &
	ns=$!
	pause=
	wait_until 10 sh -c "test -n \"\$(cat /proc/$ns/task/$ns/children 2>/dev/null)\"" &&
		pause=$(cat /proc/$ns/task/$ns/children | tr -d ' ')
	app=
	wait_until 10 sh -c "test -n \"\$(cat /proc/$pause/task/$pause/children 2>/dev/null)\"" &&
		app=$(cat /proc/$pause/task/$pause/children | tr -d ' ')
	[ -n "$app" ] || { bad "the pod did not start"; exit 1; }
}
# the pause process killed: the kernel ends the whole namespace
stop_pod() {
	kill -KILL "$pause" 2>/dev/null
	wait $ns 2>/dev/null
	ns=
}
traced() { [ "$(sed -n 's/^TracerPid:[[:space:]]*//p' "/proc/$app/status")" != 0 ]; }
untraced() { [ "$(sed -n 's/^TracerPid:[[:space:]]*//p' "/proc/$app/status")" = 0 ]; }

# sidecar NAME OPTIONS...: pdig-trace entered into the pod; $side its pid
sidecar() {
	n=$1
	shift
	nsenter -t "$pause" -p -m "$TRACE" --pdig -v "$@" >"$T/$n.out" 2>"$T/$n.err" &
	enter=$!
	side=
	wait_until 10 sh -c "test -n \"\$(cat /proc/$enter/task/$enter/children 2>/dev/null)\"" &&
		side=$(cat /proc/$enter/task/$enter/children | tr -d ' ')
}

check_counts() {
	# shellcheck disable=SC2046 # two numbers, split on purpose
	set -- $(produced "$T/$1.err")
	p_ev=${1:-x}
	# shellcheck disable=SC2046 # two numbers, split on purpose
	set -- $(engine_read "$T/$n.err")
	[ "${1:-y}" = "$p_ev" ] && [ "${2:-y}" = 0 ] && ok "$n: all $p_ev events read, none dropped" ||
		bad "$n: produced $p_ev, read ${1:-?} dropped ${2:-?}: $(cat "$T/$n.err")"
}

# -n NAME --no-inject: SIGTERM detaches, the application runs on
start_pod
sidecar byname -n myapp --wait 10 --no-inject
if wait_until 20 traced; then
	ok "byname: the application found by name and traced"
	touch "$T/app.trigger"
	wait_until 20 sh -c "[ \"\$(grep -c shadow '$T/byname.out')\" -ge 1 ]" &&
		ok "byname: its read of /etc/shadow alerted while it runs" || bad "byname: no alert: $(cat "$T/byname.out")"
	kill -TERM "$side"
	if wait_until 20 sh -c "! kill -0 $enter 2>/dev/null"; then
		wait $enter
		rc=$?
		[ $rc = 0 ] || [ $rc = 143 ] && ok "byname: SIGTERM ended the sidecar (exit $rc)" ||
			bad "byname: exit $rc: $(cat "$T/byname.err")"
	else
		bad "byname: the sidecar did not end on SIGTERM"
	fi
	kill -0 "$app" 2>/dev/null && untraced && ok "byname: the application runs on, untraced" ||
		bad "byname: the application is gone or still traced"
	[ "$(alerts "$T/byname.out" "$RULE_SHADOW")" = 1 ] && ok "byname: one alert" ||
		bad "byname: alerts: $(cat "$T/byname.out")"
	check_counts byname
else
	bad "byname: never traced: $(cat "$T/byname.err")"
fi
stop_pod

# -p PID with the filter injected: pdig-trace ends with the application
start_pod
inner=$(sed -n 's/^NSpid:.*[[:space:]]\([0-9]*\)$/\1/p' "/proc/$app/status")
sidecar bypid -p "$inner"
if wait_until 20 traced; then
	ok "bypid: attached to pid $inner of the pod"
	touch "$T/app.trigger"
	sleep 0.5
	touch "$T/app.stop"
	if wait_until 20 sh -c "! kill -0 $enter 2>/dev/null"; then
		wait $enter
		ok "bypid: pdig-trace ended with the application (exit $?)"
	else
		bad "bypid: pdig-trace still runs after the application ended"
	fi
	[ "$(alerts "$T/bypid.out" "$RULE_SHADOW")" = 1 ] && ok "bypid: the alert of its last moments" ||
		bad "bypid: alerts: $(cat "$T/bypid.out" "$T/bypid.err")"
	check_counts bypid
else
	bad "bypid: never traced: $(cat "$T/bypid.err")"
fi
stop_pod

# nothing of that name: 125 after --wait, nothing attached
"$TRACE" -n no-such-program --wait 1 >/dev/null 2>"$T/none.err"
rc=$?
[ $rc = 125 ] && grep -q "no process named no-such-program after 1 s" "$T/none.err" &&
	ok "no process of that name: 125 after --wait" || bad "none: exit $rc, $(cat "$T/none.err")"
exit $fail
