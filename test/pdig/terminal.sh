#!/bin/sh
# Ctrl-C and Ctrl-Z from a real terminal: an interactive bash in tmux runs
# pdig in the foreground; the keys go through the terminal's line
# discipline to the whole foreground process group, as a user's would.
# - Ctrl-C: a command with a SIGINT handler finishes its clean-up and exits
#   with its own status; one without dies by SIGINT (bash: 130). Natively
#   and under pdig alike.
# - Ctrl-Z: bash shows the job stopped, the command really stops, fg
#   continues it to its normal end.
PDIG=$1
. "$(dirname "$0")/../lib/probe.sh"
pd_need trace
export PDIG_RING=/pdig-test-$$
command -v tmux > /dev/null || { echo "SKIP: tmux is not installed"; exit 77; }
command -v bash > /dev/null || { echo "SKIP: bash is not installed"; exit 77; }
tmp=$(mktemp -d)
sock=pdig-test-$$
tm() { tmux -L "$sock" -f /dev/null "$@"; }
trap 'tm kill-server 2> /dev/null; rm -rf "$tmp" /dev/shm$PDIG_RING' EXIT
fail=0
ok() { echo "ok: $1"; }
bad() { echo "FAIL: $1"; fail=1; }
# wait_for FILE-or-pane-text: up to 15 s
wait_file() { i=0; while [ ! -s "$1" ] && [ $i -lt 150 ]; do sleep 0.1; i=$((i + 1)); done; }
wait_pane() {
	i=0
	while ! tm capture-pane -p -t t | grep -q "$1" && [ $i -lt 150 ]; do sleep 0.1; i=$((i + 1)); done
	tm capture-pane -p -t t | grep -q "$1"
}
type_line() { tm send-keys -t t -l "$1"; tm send-keys -t t Enter; }

tm new-session -d -s t -x 200 -y 50 "env PS1='$ ' bash --norc --noprofile -i" ||
	{ echo "SKIP: tmux cannot start a session here"; exit 77; }
wait_pane '\$' || { echo "SKIP: no shell prompt in tmux"; exit 77; }

# Ctrl-C: with and without a handler; natively, then under pdig
# (the marker a command prints, READY<n>, is typed split in two, RE''ADY<n>,
# so that the typed line itself does not match)
n=0
for pre in "" "$PDIG -q --"; do
	what=${pre:+under pdig}; what=${what:-natively}
	n=$((n + 1))
	handler="trap 'sleep 0.5; echo cleaned > $tmp/clean; exit 7' INT; echo RE''ADY$n; while :; do sleep 1; done"
	rm -f "$tmp/clean" "$tmp/st"
	type_line "clear; $pre sh -c \"$handler\"; echo status=\$? > $tmp/st"
	wait_pane READY$n || bad "$what: the command did not start"
	tm send-keys -t t C-c
	wait_file "$tmp/st"
	st=$(cat "$tmp/st" 2> /dev/null)
	[ "$st" = status=7 ] && [ "$(cat "$tmp/clean" 2> /dev/null)" = cleaned ] &&
		ok "Ctrl-C $what: the handler finished its clean-up, status 7" ||
		bad "Ctrl-C $what: '$st', clean-up: '$(cat "$tmp/clean" 2> /dev/null)'"
	rm -f "$tmp/st"
	n=$((n + 1))
	# (a job killed by SIGINT makes bash drop the rest of the line: the
	# status is asked for on a line of its own)
	type_line "clear; $pre sh -c 'echo RE\"\"ADY$n; exec sleep 30'"
	wait_pane READY$n || bad "$what: the command did not start"
	sleep 0.2
	tm send-keys -t t C-c
	type_line "echo status=\$? > $tmp/st"
	wait_file "$tmp/st"
	st=$(cat "$tmp/st" 2> /dev/null)
	[ "$st" = status=130 ] && ok "Ctrl-C $what: no handler: died by SIGINT (130)" ||
		bad "Ctrl-C $what, no handler: '$st'"
done

# Ctrl-Z, jobs, fg
for pre in "" "$PDIG -q --"; do
	what=${pre:+under pdig}; what=${what:-natively}
	rm -f "$tmp/fin" "$tmp/st" "$tmp/jobs"
	n=$((n + 1))
	type_line "clear; $pre sh -c 'echo RE\"\"ADY$n; i=0; while [ \$i -lt 20 ]; do i=\$((i+1)); sleep 0.1; done; echo finished > $tmp/fin'"
	wait_pane READY$n || bad "$what: the command did not start"
	sleep 0.3
	tm send-keys -t t C-z
	if wait_pane Stopped; then
		ok "Ctrl-Z $what: bash shows the job stopped"
	else
		bad "Ctrl-Z $what: no 'Stopped' in: $(tm capture-pane -p -t t | tr -s '\n' '|')"
	fi
	# stopped for good: the 2 s loop would have ended by now
	sleep 2.5
	[ -e "$tmp/fin" ] && bad "Ctrl-Z $what: the command went on running" ||
		ok "Ctrl-Z $what: the command is stopped"
	type_line "jobs > $tmp/jobs"
	wait_file "$tmp/jobs"
	grep -q Stopped "$tmp/jobs" && ok "Ctrl-Z $what: jobs says Stopped" ||
		bad "Ctrl-Z $what: jobs: $(cat "$tmp/jobs")"
	type_line "fg"
	type_line "echo status=\$? > $tmp/st"
	wait_file "$tmp/st"
	st=$(cat "$tmp/st" 2> /dev/null)
	[ "$st" = status=0 ] && [ "$(cat "$tmp/fin" 2> /dev/null)" = finished ] &&
		ok "fg $what: continued to its end, status 0" ||
		bad "fg $what: '$st', finished: '$(cat "$tmp/fin" 2> /dev/null)'; pane: $(tm capture-pane -p -t t | tr -s '\n' '|')"
done

# Ctrl-Z to a command that ignores SIGTSTP: nothing stops, natively; pdig,
# also in the foreground process group, must not stop either (the command
# decides)
for pre in "" "$PDIG -q --"; do
	what=${pre:+under pdig}; what=${what:-natively}
	rm -f "$tmp/fin" "$tmp/st"
	n=$((n + 1))
	type_line "clear; $pre sh -c 'trap \"\" TSTP; echo RE\"\"ADY$n; i=0; while [ \$i -lt 20 ]; do i=\$((i+1)); sleep 0.1; done; echo finished > $tmp/fin'; echo status=\$? > $tmp/st"
	wait_pane READY$n || bad "$what: the command did not start"
	sleep 0.3
	tm send-keys -t t C-z
	wait_file "$tmp/st"
	st=$(cat "$tmp/st" 2> /dev/null)
	if [ "$st" = status=0 ] && [ "$(cat "$tmp/fin" 2> /dev/null)" = finished ]; then
		ok "Ctrl-Z $what, SIGTSTP ignored by the command: it ran to its end"
	else
		bad "Ctrl-Z $what, SIGTSTP ignored: '$st'; pane: $(tm capture-pane -p -t t | tr -s '\n' '|')"
		type_line "fg" # not to leave it stopped
		wait_file "$tmp/st"
	fi
done

# a background job reading the terminal stops (SIGTTIN), fg gives it the
# terminal and it reads what is typed
for pre in "" "$PDIG -q --"; do
	what=${pre:+under pdig}; what=${what:-natively}
	rm -f "$tmp/cat" "$tmp/st" "$tmp/jobs"
	type_line "clear; $pre cat > $tmp/cat &"
	sleep 1
	type_line "jobs > $tmp/jobs"
	wait_file "$tmp/jobs"
	grep -q "Stopped" "$tmp/jobs" &&
		ok "background read $what: the job stopped (SIGTTIN)" ||
		bad "background read $what: jobs: $(cat "$tmp/jobs")"
	type_line "fg"
	sleep 0.5
	type_line "typed text"
	tm send-keys -t t C-d
	type_line "echo status=\$? > $tmp/st"
	wait_file "$tmp/st"
	[ "$(cat "$tmp/st" 2> /dev/null)" = status=0 ] && [ "$(cat "$tmp/cat" 2> /dev/null)" = "typed text" ] &&
		ok "fg $what: the job read the terminal, status 0" ||
		bad "fg $what after SIGTTIN: '$(cat "$tmp/st" 2> /dev/null)', read: '$(cat "$tmp/cat" 2> /dev/null)'"
done

# Ctrl-Z to a command with a SIGTSTP handler (as editors have): the handler
# runs, then stops the command with the default action; fg continues it
py=$(command -v python3)
for pre in "" "$PDIG -q --"; do
	[ -n "$py" ] || { echo "skipped: SIGTSTP handler (no python3)"; break; }
	what=${pre:+under pdig}; what=${what:-natively}
	rm -f "$tmp/fin" "$tmp/st" "$tmp/h"
	n=$((n + 1))
	type_line "clear; $pre $py $(dirname "$0")/tstp_handler.py $tmp RE ADY$n"
	wait_pane READY$n || bad "$what: the command did not start"
	sleep 0.3
	tm send-keys -t t C-z
	wait_pane Stopped && [ "$(cat "$tmp/h" 2> /dev/null)" = saved ] &&
		ok "Ctrl-Z $what, SIGTSTP handler: it ran, then the job stopped" ||
		bad "Ctrl-Z $what, SIGTSTP handler: '$(cat "$tmp/h" 2> /dev/null)'; pane: $(tm capture-pane -p -t t | tr -s '\n' '|')"
	type_line "fg"
	type_line "echo status=\$? > $tmp/st"
	wait_file "$tmp/st"
	[ "$(cat "$tmp/st" 2> /dev/null)" = status=0 ] && [ "$(tr '\n' ' ' 2> /dev/null < "$tmp/h")" = "saved back " ] &&
		[ -e "$tmp/fin" ] && ok "fg $what: the handler went on, the command finished" ||
		bad "fg $what after a SIGTSTP handler: '$(cat "$tmp/st" 2> /dev/null)', handler: '$(tr '\n' ' ' 2> /dev/null < "$tmp/h")'"
done
exit $fail
