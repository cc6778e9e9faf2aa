#!/bin/sh
# pdig-engine's options for pdig-trace:
#  --exit-with-producer: the engine ends by itself once the pdig that came
#    has gone and its ring is read; nothing is lost at exit (read + dropped =
#    produced, and the last thing the program did is alerted); it does not
#    end before a producer came.
#  SIGUSR1 (with --exit-with-producer): no producer will come: it ends once the ring is read.
#  --ready-fd: one byte once it reads; end-of-file when it cannot start.
#  -p FORMAT / -pc: Falco's extra output, in text and JSON alerts.
# usage: engine_exit.sh PDIG PDIG-ENGINE RULES_DIR
PDIG=$1 ENGINE=$2 RULES=$3
. "$(dirname "$0")/lib.sh"
need_ptrace "$PDIG"
need_python
command -v dd >/dev/null 2>&1 || skip "dd is not installed"
T=$(mktemp -d) || exit 1
trap 'kill $eng 2>/dev/null; rm -rf "$T"' EXIT
eng=

# start_engine NAME [OPTIONS]: the engine on $T/NAME.sock, ready when it returns
start_engine() {
	n=$1
	shift
	rm -f "$T/$n.ready"
	"$ENGINE" -r "$RULES" --listen "$T/$n.sock" --json --ready-fd 3 "$@" \
		3>"$T/$n.ready" >"$T/$n.out" 2>"$T/$n.err" &
	eng=$!
	wait_until 20 test -s "$T/$n.ready" || { bad "$n: the engine never said it was ready: $(cat "$T/$n.err")"; return 1; }
}

# the exit: WHO ENGINE_PID: the engine ends by itself within 20 s
ends_by_itself() {
	if wait_until 20 sh -c "! kill -0 $2 2>/dev/null"; then
		wait "$2"
		rc=$?
		[ $rc = 0 ] && ok "$1: the engine ended by itself" || bad "$1: the engine exited $rc: $(cat "$T/$1.err")"
	else
		bad "$1: the engine did not end after its producer"
		kill "$2"
	fi
}

# lossless: every event read, none dropped, the last call alerted
work='dd if=/dev/zero of=/dev/null bs=1 count=20000 2>/dev/null; cat /etc/shadow >/dev/null'
start_engine lossless --exit-with-producer && {
	"$PDIG" -v --lossless --connect "$T/lossless.sock" -- sh -c "$work" 2>"$T/lossless.pdig"
	ends_by_itself lossless $eng
	# shellcheck disable=SC2046 # two numbers, split on purpose
	set -- $(produced "$T/lossless.pdig")
	p_ev=${1:-x} p_drop=${2:-x}
	# shellcheck disable=SC2046 # two numbers, split on purpose
	set -- $(engine_read "$T/lossless.err")
	if [ "$p_drop" = 0 ] && [ "${1:-y}" = "$p_ev" ] && [ "${2:-y}" = 0 ]; then
		ok "lossless: $1 events read of $p_ev produced, none dropped"
	else
		bad "lossless: produced $p_ev (dropped $p_drop), read ${1:-?} (dropped ${2:-?})"
	fi
	[ "$(alerts "$T/lossless.out" "$RULE_SHADOW")" = 1 ] &&
		ok "lossless: the last call, right before the exit, is alerted" ||
		bad "lossless: no alert for the last call: $(cat "$T/lossless.out")"
}

# lossy (pdig's default): what was not read was counted as dropped
start_engine lossy --exit-with-producer && {
	"$PDIG" -v --connect "$T/lossy.sock" -- sh -c "$work" 2>"$T/lossy.pdig"
	ends_by_itself lossy $eng
	# shellcheck disable=SC2046 # two numbers, split on purpose
	set -- $(produced "$T/lossy.pdig")
	p_ev=${1:-x}
	# shellcheck disable=SC2046 # two numbers, split on purpose
	set -- $(engine_read "$T/lossy.err")
	if [ -n "${1:-}" ] && [ "$(($1 + $2))" = "$p_ev" ]; then
		ok "lossy: $1 read + $2 dropped = $p_ev produced"
	else
		bad "lossy: read ${1:-?} + dropped ${2:-?} != produced $p_ev"
	fi
}

# no producer yet: it waits for one
start_engine waits --exit-with-producer && {
	sleep 1.5
	if kill -0 $eng 2>/dev/null; then
		ok "waits: no exit before a producer came"
	else
		bad "waits: the engine ended with no producer: $(cat "$T/waits.err")"
	fi
	"$PDIG" -q --connect "$T/waits.sock" -- cat /etc/shadow >/dev/null
	ends_by_itself waits $eng
	[ "$(alerts "$T/waits.out" "$RULE_SHADOW")" = 1 ] && ok "waits: the late producer's alert" ||
		bad "waits: no alert: $(cat "$T/waits.out" "$T/waits.err")"
}

# SIGUSR1: none will come
start_engine usr1 --exit-with-producer && {
	kill -USR1 $eng
	ends_by_itself usr1 $eng
}
# SIGUSR1 after a producer that has gone: its events are read first
start_engine usr1b --exit-with-producer && {
	"$PDIG" -q --connect "$T/usr1b.sock" -- cat /etc/shadow >/dev/null
	kill -USR1 $eng
	ends_by_itself usr1b $eng
	[ "$(alerts "$T/usr1b.out" "$RULE_SHADOW")" = 1 ] && ok "usr1b: the alert read before the end" ||
		bad "usr1b: no alert: $(cat "$T/usr1b.out" "$T/usr1b.err")"
}

# --ready-fd: end-of-file when the rules do not load
printf -- '- rule: broken\n  condition: evt.type = \n' >"$T/bad.yaml"
"$ENGINE" -r "$T/bad.yaml" --listen "$T/bad.sock" --ready-fd 3 3>"$T/bad.ready" >/dev/null 2>"$T/bad.err"
rc=$?
if [ $rc != 0 ] && [ ! -s "$T/bad.ready" ] && grep -q "could not be loaded" "$T/bad.err"; then
	ok "ready-fd: nothing written when the rules do not load (exit $rc)"
else
	bad "ready-fd: bad rules: exit $rc, ready '$(cat "$T/bad.ready")', $(cat "$T/bad.err")"
fi
"$ENGINE" -r "$RULES" --listen "$T/x.sock" --ready-fd 77 >/dev/null 2>"$T/fd.err"
[ $? = 2 ] && grep -q "ready-fd wants an open file descriptor" "$T/fd.err" &&
	ok "ready-fd: a closed descriptor is a usage error" || bad "ready-fd 77: $(cat "$T/fd.err")"

# -p: the extra output in text and JSON alerts; -pc replaces %container.info
# (--container-id '': on the host, as the -pc line below expects)
"$PDIG" -q -w "$T/cap.scap" --container-id '' -- cat /etc/shadow >/dev/null
"$ENGINE" -r "$RULES" -e "$T/cap.scap" -p 'extra=%proc.name' >"$T/p.txt" 2>/dev/null
grep -q "Sensitive file opened.* extra=cat\$" "$T/p.txt" && ok "-p: appended to the text alert" ||
	bad "-p: $(cat "$T/p.txt")"
"$ENGINE" -r "$RULES" -e "$T/cap.scap" -p 'extra=%proc.exe' --json >"$T/p.json" 2>/dev/null
[ "$(field "$T/p.json" "$RULE_SHADOW" proc.exe)" = cat ] && ok "-p: its fields in the JSON output_fields" ||
	bad "-p --json: $(cat "$T/p.json")"
cat >"$T/ci.yaml" <<'Y'
- rule: open shadow
  desc: test
  condition: evt.type in (open, openat) and fd.name = /etc/shadow
  output: shadow by %proc.name (%container.info) end
  priority: WARNING
Y
"$ENGINE" -r "$T/ci.yaml" -e "$T/cap.scap" -pc >"$T/pc.txt" 2>"$T/pc.err"
grep -q "shadow by cat (container=host (id=host)) end\$" "$T/pc.txt" &&
	ok "-pc: in place of %container.info" || bad "-pc: $(cat "$T/pc.txt" "$T/pc.err")"
"$ENGINE" -r "$RULES" -e "$T/cap.scap" -p '%nosuch.field' >/dev/null 2>"$T/pbad.err"
[ $? != 0 ] && grep -q "nosuch.field" "$T/pbad.err" && ok "-p: a bad field is an error" ||
	bad "-p bad field: $(cat "$T/pbad.err")"
exit $fail
