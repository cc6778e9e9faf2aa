#!/bin/sh
# pdig -p: attaching to processes that are already running.
#  - a process blocked in read() with a thread and a child made before the
#    attach (--tree): each is traced, the read goes on and gets its data,
#    the process's exit status is pdig's;
#  - a shell blocked in wait4: it goes on and is traced;
#  - --no-inject, then SIGINT: pdig detaches, the process runs on untraced;
#  - a "container" (a new pid namespace) attached at its PID 1 from a
#    process that joins that namespace;
#  - refusals: no such process, pdig itself, a process already traced, no
#    CAP_SYS_PTRACE for another user's process, usage errors.
PDIG=$1 EVDUMP=$2 P=$3 ENGINE=$4
. "$(dirname "$0")/../lib/probe.sh"
PD_KPROBE=$P/kprobe
pd_need trace
pd_need seccomp
fail=0
tmp=$(mktemp -d)
cleanup() { [ -n "$KEEP" ] && kill "$KEEP" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
KEEP=
ok() { echo "ok: $1"; }
bad() { echo "FAIL: $1"; fail=1; }
has() { # file regex description
	if grep -Eq -- "$2" "$1"; then ok "$3"; else bad "$3: no line matching: $2"; fi
}
# waitfile FILE [TENTHS]: until FILE exists (default 10 s)
waitfile() {
	i=0
	while [ ! -e "$1" ]; do
		i=$((i + 1)); [ "$i" -gt "${2:-100}" ] && return 1
		sleep 0.1
	done
}
# attached FILE: until pdig's stderr in FILE says it attached
attached() {
	i=0
	while ! grep -q "attached to" "$1" 2>/dev/null; do
		i=$((i + 1)); [ "$i" -gt 100 ] && return 1
		sleep 0.1
	done
}

# 1. blocked in read, a thread and a child from before the attach
for mode in inject no-inject; do
	d=$tmp/$mode; mkdir "$d"; mkfifo "$d/in"
	extra=; [ $mode = no-inject ] && extra=--no-inject
	"$P/attach_target" "$d" < "$d/in" > "$d/out" 2>&1 &
	TGT=$!
	exec 3> "$d/in"   # the writer: the target's read blocks until we write
	waitfile "$d/ready" || bad "$mode: the target did not start"
	sleep 0.2          # into read()
	"$PDIG" -v --io --tree $extra --raw "$d/ev.raw" -p "$TGT" 2> "$d/pdig.err" &
	PD=$!
	attached "$d/pdig.err" || bad "$mode: pdig did not attach: $(cat "$d/pdig.err")"
	sleep 0.3
	sc=$(sed -n 's/^Seccomp:[[:space:]]*//p' "/proc/$TGT/status")
	want=2; [ $mode = no-inject ] && want=0
	[ "$sc" = $want ] && ok "$mode: seccomp mode $sc in the process" || bad "$mode: seccomp mode $sc, want $want"
	touch "$d/go"
	echo hello >&3
	exec 3>&-
	wait "$PD"; st=$?
	wait "$TGT"; tst=$?
	[ "$st" = 7 ] && ok "$mode: pdig exits with the process's status (7)" ||
		bad "$mode: pdig exited $st, want 7 (the target: $tst): $(cat "$d/pdig.err")"
	[ "$tst" = 7 ] && ok "$mode: the process itself ends as natively (7)" ||
		bad "$mode: the target exited $tst"
	grep -qx "read: hello" "$d/out" && ok "$mode: the read blocked at the attach returns its data" ||
		bad "$mode: the target's output: $(cat "$d/out")"
	"$EVDUMP" "$d/ev.raw" > "$d/ev.txt" || bad "$mode: malformed records"
	has "$d/ev.txt" "^< read tid=$TGT res=6 data=hello" "$mode: the read restarted after the attach is seen with its data"
	has "$d/ev.txt" "^< openat tid=$TGT fd=[0-9]+ .*name=$d/main-opened" "$mode: the main thread's open"
	has "$d/ev.txt" "^< openat tid=[0-9]+ fd=[0-9]+ .*name=$d/thread-opened" "$mode: the open of a thread made before the attach"
	has "$d/ev.txt" "^< openat tid=[0-9]+ fd=[0-9]+ .*name=$d/child-opened" "$mode: the open of a child made before the attach (--tree)"
	grep -Eq "^< openat tid=$TGT .*name=$d/thread-opened" "$d/ev.txt" &&
		bad "$mode: the thread's open is reported by the main thread"
	has "$d/ev.txt" "^> procexit tid=$TGT .*status=1792" "$mode: the process's procexit with its status"
	if [ $mode = inject ]; then
		has "$d/pdig.err" "seccomp filter installed in process [0-9]+ .*pdig stays until it ends" "inject: the filter went in, pdig says it stays"
	else
		grep -q "seccomp filter installed" "$d/pdig.err" && bad "no-inject: a filter was installed"
	fi
done

# 1b. state from before the attach: an fd opened then is named, the
# parent of a process is known (the snapshot read from /proc)
d=$tmp/state; mkdir "$d"
echo secret > "$d/early.txt"
sh -c "exec 5< $d/early.txt; while [ ! -e $d/go ]; do sleep 0.05; done; cat <&5 > /dev/null" &
TGT=$!
sleep 0.2
"$PDIG" --io -w "$d/ev.scap" -p "$TGT" 2> "$d/pdig.err" &
PD=$!
attached "$d/pdig.err" || bad "state: pdig did not attach"
sleep 0.2; touch "$d/go"; wait "$PD"
want="cat sh $d/early.txt"
if [ -x "$ENGINE" ]; then
	got=$("$ENGINE" -e "$d/ev.scap" -p "%proc.name %proc.pname %fd.name" "evt.type=read and evt.dir=< and proc.name=cat and fd.num=0" | head -1)
	[ "$got" = "$want" ] && ok "state: pdig-engine names an fd opened before the attach, and the parent" ||
		bad "state: pdig-engine says '$got', want '$want'"
fi
if pd_have sysdig; then
	got=$(sysdig -r "$d/ev.scap" -p "%proc.name %proc.pname %fd.name" "evt.type=read and evt.dir=< and proc.name=cat and fd.num=0" 2>/dev/null | head -1)
	[ "$got" = "$want" ] && ok "state: sysdig reads the same from the capture" ||
		bad "state: sysdig says '$got', want '$want'"
else
	pd_skip "the state check through sysdig"
fi

# 2. a shell blocked in wait4 (its child runs on, untraced: no --tree)
d=$tmp/wait4; mkdir "$d"
sh -c "sleep 1; cat /etc/hostname > /dev/null; echo done > $d/out; exit 3" &
TGT=$!
sleep 0.3
"$PDIG" --raw "$d/ev.raw" -p "$TGT" 2> "$d/pdig.err"; st=$?
[ "$st" = 3 ] && ok "wait4: pdig exits with the shell's status (3)" || bad "wait4: pdig exited $st: $(cat "$d/pdig.err")"
wait "$TGT"; [ $? = 3 ] && ok "wait4: the shell ends as natively" || bad "wait4: the shell's status"
grep -qx done "$d/out" && ok "wait4: the shell went on after its wait" || bad "wait4: no output"
"$EVDUMP" "$d/ev.raw" > "$d/ev.txt" || bad "wait4: malformed records"
has "$d/ev.txt" "^< execve tid=[0-9]+ res=0 exe=cat args=/etc/hostname" "wait4: the shell's next child is traced (execve cat)"

# 2b. a process without CAP_SYS_ADMIN: NO_NEW_PRIVS goes in first, as in
# launch mode (the kernel wants it for a filter)
if pd_have root && command -v setpriv > /dev/null; then
	d=$tmp/nnp; mkdir "$d"
	setpriv --reuid=65534 --regid=65534 --clear-groups sh -c "while :; do cat /etc/hostname > /dev/null; sleep 0.05; done" &
	TGT=$!
	sleep 0.2
	"$PDIG" -p "$TGT" -w "$d/ev.scap" 2> "$d/pdig.err" &
	PD=$!
	attached "$d/pdig.err" || bad "nnp: pdig did not attach: $(cat "$d/pdig.err")"
	sleep 0.5
	nnp=$(sed -n 's/^NoNewPrivs:[[:space:]]*//p' "/proc/$TGT/status")
	sc=$(sed -n 's/^Seccomp:[[:space:]]*//p' "/proc/$TGT/status")
	[ "$nnp" = 1 ] && [ "$sc" = 2 ] && ok "nnp: NO_NEW_PRIVS then the filter in a process without CAP_SYS_ADMIN" ||
		bad "nnp: NoNewPrivs $nnp Seccomp $sc: $(cat "$d/pdig.err")"
	kill "$TGT"; wait "$PD"; st=$?
	[ "$st" = 143 ] && ok "nnp: pdig ends with the process killed by SIGTERM (143)" || bad "nnp: pdig exited $st"
	wait "$TGT" 2>/dev/null
else
	pd_skip "a target without CAP_SYS_ADMIN (needs root and setpriv)"
fi

# 2c. a process whose filter cannot go in (a thread has a seccomp filter of
# its own, so TSYNC is refused): a warning, then traced without a filter
d=$tmp/own; mkdir "$d"
"$P/attach_ownfilter" "$d" &
TGT=$!
waitfile "$d/ready" || bad "own filter: the target did not start"
"$PDIG" --raw "$d/ev.raw" -p "$TGT" 2> "$d/pdig.err" &
PD=$!
attached "$d/pdig.err" || bad "own filter: pdig did not attach"
sleep 0.3; touch "$d/go"
wait "$PD"; st=$?
[ "$st" = 9 ] && ok "own filter: status kept (9)" || bad "own filter: pdig exited $st: $(cat "$d/pdig.err")"
# (from the thread with the filter of its own, TSYNC succeeds: the others
# have none, which counts as an ancestor of its filter; the order of the
# first stops decides)
if grep -Eq "warning: cannot install the seccomp filter in process $TGT .*filter of its own.*traced without" "$d/pdig.err"; then
	ok "own filter: refused, the fallback is said"
elif grep -q "seccomp filter installed in process $TGT" "$d/pdig.err"; then
	ok "own filter: installed through the thread that had one"
else
	bad "own filter: neither installed nor a warning: $(cat "$d/pdig.err")"
fi
"$EVDUMP" "$d/ev.raw" > "$d/ev.txt" || bad "own filter: malformed records"
has "$d/ev.txt" "^< openat tid=$TGT fd=[0-9]+ .*name=$d/opened" "own filter: its open is seen"
wait "$TGT" 2>/dev/null

# 3. --no-inject, then SIGINT: detached, the process runs on untraced
d=$tmp/detach; mkdir "$d"
sh -c "i=0; while :; do i=\$((i+1)); echo \$i > $d/count.tmp; mv $d/count.tmp $d/count; sleep 0.05; done" &
TGT=$!; KEEP=$TGT
sleep 0.2
"$PDIG" --no-inject --raw "$d/ev.raw" -p "$TGT" 2> "$d/pdig.err" &
PD=$!
attached "$d/pdig.err" || bad "detach: pdig did not attach"
sleep 0.5
kill -INT "$PD"
wait "$PD"; st=$?
[ "$st" = 0 ] && ok "detach: pdig exits 0 after SIGINT" || bad "detach: pdig exited $st: $(cat "$d/pdig.err")"
has "$d/pdig.err" "detaching from" "detach: pdig says it detaches"
tracer=$(sed -n 's/^TracerPid:[[:space:]]*//p' "/proc/$TGT/status")
[ "$tracer" = 0 ] && ok "detach: the process has no tracer" || bad "detach: TracerPid $tracer"
c1=$(cat "$d/count"); sleep 0.5; c2=$(cat "$d/count")
[ "$c2" -gt "$c1" ] && ok "detach: the process runs on ($c1 -> $c2)" || bad "detach: stalled at $c1 -> $c2"
grep -q "Bad system call\|Function not implemented" "$d/count" 2>/dev/null && bad "detach: ENOSYS in the process"
"$EVDUMP" "$d/ev.raw" > "$d/ev.txt" || bad "detach: malformed records"
has "$d/ev.txt" "^< rename|^< renameat2? tid=" "detach: the process's calls were traced while attached"
kill "$TGT"; wait "$TGT" 2>/dev/null; KEEP=

# 4. a container: a new pid namespace whose PID 1 is the application (a
# shell loop that spawns children, and a multithreaded program), attached
# from a process that joins the namespace
if pd_have pidns; then
	d=$tmp/ns; mkdir "$d"; mkfifo "$d/in"
	unshare --pid --fork --mount-proc sh -c "
		$P/attach_target $d < $d/in > $d/out 2>&1 &
		echo \$\$ > $d/pid1
		n=0; while [ ! -e $d/go ]; do n=\$((n+1)); sleep 0.05; done
		cat /etc/hostname > /dev/null
		wait \$!; echo target \$? >> $d/out
		exit 5" &
	NS=$!
	exec 3> "$d/in"
	waitfile "$d/ready" || bad "ns: the application did not start"
	# the namespace's PID 1 as the host sees it: unshare's child
	HOSTPID=$(cat "/proc/$NS/task/$NS/children" 2>/dev/null | awk '{print $1}')
	[ -n "$HOSTPID" ] || HOSTPID=$(pgrep -P "$NS" | head -1)
	nsenter -t "$HOSTPID" -p -m "$PDIG" --io --raw "$d/ev.raw" -p 1 2> "$d/pdig.err" &
	PD=$!
	attached "$d/pdig.err" || bad "ns: pdig did not attach: $(cat "$d/pdig.err")"
	sleep 0.3
	touch "$d/go"; echo hello >&3; exec 3>&-
	wait "$PD"; st=$?
	wait "$NS"; nst=$?
	# pdig inside the namespace ends with it: the kernel kills every
	# process of a pid namespace whose PID 1 exits (pdig flushed its
	# events at PID 1's exit stop)
	[ "$st" = 5 ] || [ "$st" = 137 ] && ok "ns: pdig ends with PID 1 (status $st)" || bad "ns: pdig exited $st: $(cat "$d/pdig.err")"
	[ "$nst" = 5 ] && ok "ns: the namespace ends with the application's status" || bad "ns: status $nst"
	grep -qx "target 7" "$d/out" && ok "ns: the application's child ended as natively" || bad "ns: output $(cat "$d/out")"
	"$EVDUMP" "$d/ev.raw" > "$d/ev.txt" || bad "ns: malformed records"
	has "$d/ev.txt" "^< execve tid=[0-9]+ res=0 exe=cat args=/etc/hostname" "ns: PID 1's new child is traced"
	has "$d/ev.txt" "^< openat tid=[0-9]+ fd=[0-9]+ .*name=$d/thread-opened" "ns: a thread of a process that existed before the attach (PID 1's tree)"
	has "$d/ev.txt" "^< openat tid=[0-9]+ fd=[0-9]+ .*name=$d/child-opened" "ns: a grandchild of PID 1 from before the attach"
	has "$d/ev.txt" "^< read tid=[0-9]+ res=6 data=hello" "ns: the read blocked at the attach"
else
	pd_skip "attaching to PID 1 of a new pid namespace"
fi

# 5. refusals
msg() { # description expected-status regex command...
	desc=$1 want=$2 re=$3; shift 3
	"$@" > "$tmp/r.out" 2> "$tmp/r.err"; st=$?
	if [ "$st" = "$want" ] && grep -Eq -- "$re" "$tmp/r.err"; then ok "$desc"; else
		bad "$desc: status $st (want $want), said: $(cat "$tmp/r.err")"; fi
}
msg "no such process" 125 "there is no process 999999" "$PDIG" -p 999999
msg "pdig itself" 125 "is pdig itself" sh -c "exec \"$PDIG\" -p \$\$"
if [ -x "$ENGINE" ]; then
	"$ENGINE" --ring=/pdig-attach-test-$$ --idle-exit 3000 > /dev/null 2>&1 &
	EN=$!; sleep 0.3
	msg "its engine" 125 "is pdig-engine: pdig does not trace itself, its engine" "$PDIG" -p "$EN"
	kill "$EN" 2>/dev/null; wait "$EN" 2>/dev/null; rm -f /dev/shm/pdig-attach-test-$$
fi
msg "bad -p" 2 "bad -p 'x1'" "$PDIG" -p x1
msg "-p with a command" 2 "give a command or -p PID, not both" "$PDIG" -p 1 true
msg "--tree without -p" 2 "--tree goes with -p" "$PDIG" --tree true
if pd_have strace; then
	strace -o /dev/null sleep 3 &
	ST=$!; sleep 0.5
	SL=$(pgrep -P "$ST" sleep | head -1)
	msg "already traced" 125 "already traced by process $ST \\(strace\\)" "$PDIG" -p "$SL"
	kill "$ST" 2>/dev/null; wait "$ST" 2>/dev/null
else
	pd_skip "a process already traced by strace"
fi
if pd_have root && command -v setpriv > /dev/null; then
	setpriv --reuid=65534 --regid=65534 --clear-groups sleep 3 &
	NB=$!; sleep 0.2
	msg "no CAP_SYS_PTRACE" 125 "add the SYS_PTRACE capability" \
		setpriv --bounding-set=-sys_ptrace --inh-caps=-sys_ptrace "$PDIG" -p "$NB"
	kill "$NB"; wait "$NB" 2>/dev/null
else
	pd_skip "attaching without CAP_SYS_PTRACE (needs root and setpriv)"
fi
exit $fail
