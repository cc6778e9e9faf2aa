#!/bin/sh
# Events of programs that make known calls, written with --raw and printed
# by pd_evdump (which validates every record): the right calls, parameters,
# tids and pids.
PDIG=$1 EVDUMP=$2 P=$3
. "$(dirname "$0")/../lib/probe.sh"
PD_KPROBE=$P/kprobe
pd_need trace
fail=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
# run NAME PROG ARGS...: traces PROG into $tmp/NAME.txt; PDIG_PID is pdig's pid
run() {
	name=$1; shift
	"$PDIG" -q --io --raw "$tmp/$name.raw" "$@" > "$tmp/$name.out" 2>&1 &
	PDIG_PID=$!
	wait $PDIG_PID
	STATUS=$?
	if ! "$EVDUMP" "$tmp/$name.raw" > "$tmp/$name.txt"; then
		echo "FAIL: $name: malformed records"; fail=1
	fi
}
has() { # file regex description
	if grep -Eq -- "$2" "$1"; then echo "ok: $3"; else
		echo "FAIL: $3: no line matching: $2"; fail=1; fi
}
count() { # file regex expected description
	n=$(grep -Ec -- "$2" "$1")
	if [ "$n" = "$3" ]; then echo "ok: $4"; else
		echo "FAIL: $4: $n lines match '$2', want $3"; fail=1; fi
}

mkdir "$tmp/w"
run ops "$P/file_ops" "$tmp/w"
T=$tmp/ops.txt
set -- $(grep '^pid ' "$tmp/ops.out")
PID=$2 CHILD=$4
PORT=$(sed -n 's/^port //p' "$tmp/ops.out")
[ -n "$PID" ] && [ -n "$CHILD" ] && [ -n "$PORT" ] || { echo "FAIL: file_ops output: $(cat "$tmp/ops.out")"; exit 1; }
has "$T" "^> execve tid=$PID filename=$P/file_ops\$" "execve enter with the filename"
has "$T" "^< execve tid=$PID res=0 exe=$P/file_ops args=$tmp/w tid=$PID pid=$PID ptid=$PDIG_PID cwd=[^ ]+ fdlimit=[0-9]+ .* comm=file_ops cgroups=.* env=.* tty=-?[0-9]+ pgid=[0-9]+ loginuid=-?[0-9]+ flags=" "execve exit: exe, args, tid, pid, ptid (pdig), comm, env"
has "$T" "^< chdir tid=$PID res=0 path=$tmp/w\$" "chdir"
has "$T" "^> openat tid=$PID dirfd=-100 name=a.txt flags=0x1106 mode=0640\$" "openat enter: PPM flags O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC, mode"
has "$T" "^< openat tid=$PID fd=[0-9]+ dirfd=-100 name=a.txt flags=0x1106 mode=0640 dev=0x[0-9a-f]+\$" "openat exit: fd and dev"
has "$T" "^< write tid=$PID res=10 data=hello.pdig\$" "write data"
has "$T" "^< openat tid=$PID fd=[0-9]+ dirfd=-100 name=a.txt flags=0x1 mode=00 " "openat O_RDONLY, no mode"
has "$T" "^< read tid=$PID res=10 data=hello.pdig\$" "read data (the bytes read)"
has "$T" "^> dup tid=$PID fd=[0-9]+\$" "dup enter"
has "$T" "^< dup tid=$PID res=[0-9]+\$" "dup exit"
has "$T" "^> fcntl tid=$PID fd=[0-9]+ cmd=0x1a\$" "fcntl F_DUPFD_CLOEXEC traced, command in the driver's code"
has "$T" "^< fcntl tid=$PID res=1[0-9]\$" "fcntl: the new fd"
if grep -q "^> fcntl tid=$PID fd=[0-9]* cmd=0x4\$" "$T"; then
	echo "FAIL: fcntl F_GETFL was traced (the filter should pass it)"; fail=1
else
	echo "ok: fcntl F_GETFL not traced"
fi
has "$T" "^> socketpair tid=$PID domain=0x1 type=1 proto=0\$" "socketpair enter"
has "$T" "^< socketpair tid=$PID res=0 fd1=[0-9]+ fd2=[0-9]+ source=0 peer=0\$" "socketpair: both fds"
has "$T" "^> eventfd tid=$PID initval=0 flags=0x80000\$" "eventfd2 enter"
has "$T" "^< eventfd tid=$PID res=[0-9]+\$" "eventfd2 exit"
has "$T" "^> mkdir tid=$PID mode=0x1ed\$" "mkdir enter mode"
has "$T" "^< mkdir tid=$PID res=0 path=d1\$" "mkdir exit"
has "$T" "^< rename tid=$PID res=0 oldpath=a.txt newpath=d1/b.txt\$" "rename"
has "$T" "^< symlink tid=$PID res=0 target=d1/b.txt linkpath=l1\$" "symlink"
has "$T" "^< unlink tid=$PID res=0 path=l1\$" "unlink"
has "$T" "^< unlinkat tid=$PID res=0 dirfd=-100 name=d1/b.txt flags=0\$" "unlinkat"
has "$T" "^< rmdir tid=$PID res=0 path=d1\$" "rmdir"
has "$T" "^< openat tid=$PID fd=-14 dirfd=-100 name=<NA> flags=0x1 " "bad pointer: EFAULT, empty name"
has "$T" "^> socket tid=$PID domain=0x2 type=1 proto=0\$" "socket enter"
has "$T" "^< bind tid=$PID res=0 addr=127.0.0.1:0\$" "bind address"
has "$T" "^> listen tid=$PID fd=[0-9]+ backlog=4\$" "listen"
has "$T" "^> connect tid=$PID fd=[0-9]+ addr=127.0.0.1:$PORT\$" "connect enter: address, port in host order"
has "$T" "^< connect tid=$PID res=0 tuple=127.0.0.1:[0-9]+->127.0.0.1:$PORT\$" "connect tuple: local -> peer"
has "$T" "^< accept tid=$PID fd=[0-9]+ tuple=127.0.0.1:[0-9]+->127.0.0.1:$PORT queuepct=0 " "accept tuple: peer -> local"
UDP=$(sed -n 's/^udp //p' "$tmp/ops.out")
has "$T" "^> sendmsg tid=$PID fd=[0-9]+ size=8 tuple=127.0.0.1:[0-9]+->127.0.0.1:$PORT\$" "sendmsg enter: size from the iovecs, tuple"
has "$T" "^< sendmsg tid=$PID res=8 data=msg-data\$" "sendmsg data"
has "$T" "^< recvmsg tid=$PID res=8 size=32 data=msg-data tuple=127.0.0.1:[0-9]+->127.0.0.1:$PORT\$" "recvmsg: data and tuple (peer -> local)"
has "$T" "^> sendto tid=$PID fd=[0-9]+ size=5 tuple=0.0.0.0:0->127.0.0.1:$UDP\$" "sendto: unbound UDP socket to the given address"
has "$T" "^< sendto tid=$PID res=5 data=dgram\$" "sendto data"
has "$T" "^< recvfrom tid=$PID res=5 data=dgram tuple=127.0.0.1:[0-9]+->127.0.0.1:$UDP\$" "recvfrom: source from the kernel-filled address"
has "$T" "^< clone tid=$CHILD res=0 exe=$P/file_ops args=$tmp/w tid=$CHILD pid=$CHILD ptid=$PID .* flags=0x1800000 uid=[0-9]+ gid=[0-9]+ vtid=$CHILD vpid=$CHILD\$" "child's clone exit (res 0)"
has "$T" "^< clone tid=$PID res=$CHILD exe=$P/file_ops .* tid=$PID pid=$PID " "parent's clone exit (res = child tid)"
has "$T" "^< setsid tid=$CHILD res=$CHILD\$" "setsid in the child"
has "$T" "^< execve tid=$CHILD res=0 exe=true args=arg1 tid=$CHILD pid=$CHILD ptid=$PID .* comm=true " "the child's execve"
has "$T" "^> procexit tid=$CHILD status=0 ret=0 sig=0 core=0\$" "child's procexit"
has "$T" "^> procexit tid=$PID status=0 ret=0 sig=0 core=0\$" "procexit of the command"
# every enter event of the command is followed by its own exit event
awk -v pid="$PID" '$3 == "tid=" pid && $2 != "procexit" && $2 != "clone" && $2 != "execve" {
	if ($1 == ">") { if (open != "") bad++; open = $2 } else { if ($2 != open) bad++; open = "" } }
	END { exit bad > 0 }' "$T" && echo "ok: enter/exit pairs match" || { echo "FAIL: unpaired enter/exit events"; fail=1; }

run st3 "$P/exit_code" 3
if grep -q "^> syscall " "$tmp/st3.txt"; then
	echo "FAIL: generic events without -a"; fail=1
fi
"$PDIG" -q -a --raw "$tmp/all.raw" "$P/exit_code" 3; st=$?
[ $st = 3 ] && echo "ok: -a: the command's status" || { echo "FAIL: -a: status $st"; fail=1; }
"$EVDUMP" "$tmp/all.raw" > "$tmp/all.txt" || fail=1
has "$tmp/all.txt" "^> syscall tid=[0-9]+ ID=[0-9]+ nativeID=158\$" "-a: arch_prctl as a generic enter event"
has "$tmp/all.txt" "^> mmap tid=[0-9]+ addr=0 length=[0-9]+ prot=0x3 flags=0xa fd=-1 offset=0\$" "-a: mmap with PPM prot and flags (MAP_PRIVATE|MAP_ANONYMOUS)"
has "$tmp/all.txt" "^< brk tid=[0-9]+ res=0x[0-9a-f]+ vm_size=[1-9][0-9]* vm_rss=[1-9][0-9]* vm_swap=[0-9]+\$" "-a: brk with the memory figures"
has "$tmp/all.txt" "^< syscall tid=[0-9]+ ID=[0-9]+\$" "-a: generic exit events"
has "$tmp/all.txt" "^> syscall tid=[0-9]+ ID=[0-9]+ nativeID=231\$" "-a: exit_group"
has "$tmp/all.txt" "^> procexit tid=[0-9]+ status=768 ret=3 " "-a: procexit still there"
has "$tmp/st3.txt" "^> procexit tid=[0-9]+ status=768 ret=3 sig=0 core=0\$" "procexit: real exit status 3"
run sig "$P/die_signal" 15
has "$tmp/sig.txt" "^> procexit tid=[0-9]+ status=15 ret=0 sig=15 core=0\$" "procexit: death by SIGTERM"

# the 32-bit entry, where the kernel offers it
if pd_have int80; then
	run i80 "$P/int80"
	has "$tmp/i80.txt" "^< open tid=[0-9]+ fd=[0-9]+ name=/etc/hostname flags=0x1 " "int 0x80 open is captured"
	has "$tmp/i80.txt" "^> socket tid=[0-9]+ domain=0x2 type=1 proto=0\$" "int 0x80 socketcall(SYS_SOCKET) is decoded"
	has "$tmp/i80.txt" "^< socket tid=[0-9]+ fd=[0-9]+\$" "int 0x80 socketcall: its result"
else
	pd_skip "int 0x80 open and socketcall (progs/int80)"
fi

run thr "$P/threads"
R=$(sed -n '/^> execve /{s/^> execve tid=\([0-9]*\) .*/\1/p;q;}' "$tmp/thr.txt")
n=0
for f in $(sed -n "s/^< clone3\{0,1\} tid=[0-9]* res=0 .* pid=$R .* flags=\(0x[0-9a-f]*\) .*/\1/p" "$tmp/thr.txt"); do
	[ $((f & 0x2000)) != 0 ] && n=$((n + 1))   # PPM_CL_CLONE_THREAD
done
[ "$n" = 8 ] && echo "ok: 8 thread clone exits with the process's pid and CLONE_THREAD" ||
	{ echo "FAIL: $n thread clone exits with CLONE_THREAD, want 8"; fail=1; }
count "$tmp/thr.txt" "^< openat tid=[0-9]+ fd=[0-9]+ dirfd=-100 name=/etc/hostname " 400 "400 opens from the threads"
count "$tmp/thr.txt" "^> procexit " 9 "a procexit per thread"

run fk "$P/forks"
has "$tmp/fk.txt" "^< vfork tid=[0-9]+ res=0 .*flags=0x8008000 " "vfork child's exit event, CLONE_VM|CLONE_VFORK"
has "$tmp/fk.txt" "^< clone3 tid=[0-9]+ res=0 " "clone3 child's exit event"
has "$tmp/fk.txt" "^< clone3 tid=[0-9]+ res=[1-9][0-9]* " "clone3 parent's exit event"
has "$tmp/fk.txt" "^> procexit tid=[0-9]+ status=3328 ret=13 " "clone3 child's exit status"

run et "$P/exec_thread"
R=$(sed -n '/^> execve /{s/^> execve tid=\([0-9]*\) .*/\1/p;q;}' "$tmp/et.txt")
has "$tmp/et.txt" "^> execve tid=[0-9]+ filename=/bin/echo\$" "execve from the thread"
if grep -Eq "^> execve tid=$R filename=/bin/echo" "$tmp/et.txt"; then
	echo "FAIL: the exec was made by the leader, not by a thread"; fail=1
fi
has "$tmp/et.txt" "^< execve tid=$R res=0 exe=echo args=exec.from.a.thread.ok tid=$R pid=$R " "its exit event carries the leader's tid"
# the exec kills the old leader and the two other threads: a procexit each
# (status 0), before the execve's exit event; none for the exec'ing thread
E=$(sed -n 's/^> execve tid=\([0-9]*\) filename=\/bin\/echo$/\1/p' "$tmp/et.txt")
want=$( { echo "$R"; sed -n "s/^< clone3\{0,1\} tid=\([0-9]*\) res=0 .* pid=$R .*/\1/p" "$tmp/et.txt" |
	grep -vx "$E"; } | sort -n | tr '\n' ' ')
got=$(sed -n "/^< execve tid=$R res=0 exe=echo /q;s/^> procexit tid=\([0-9]*\) status=0 ret=0 sig=0 core=0\$/\1/p" \
	"$tmp/et.txt" | sort -n | tr '\n' ' ')
[ -n "$E" ] && [ "$(echo $want | wc -w)" = 3 ] && [ "$got" = "$want" ] &&
	echo "ok: exec from a thread: procexit (status 0) of the old leader and the 2 threads killed, before the execve exit" ||
	{ echo "FAIL: exec from a thread: procexits before the execve exit: '$got', want '$want'"; fail=1; }
count "$tmp/et.txt" "^> procexit " 4 "exec from a thread: those 3 and echo's"

# restarts: a call the kernel restarts is one call, not two
run sr "$P/sigread"
R=$(sed -n '/^> execve /{s/^> execve tid=\([0-9]*\) .*/\1/p;q;}' "$tmp/sr.txt")
count "$tmp/sr.txt" "^> read tid=$R fd=[0-9]+ size=16\$" 2 "sigread: two reads made"
count "$tmp/sr.txt" "^< read tid=$R res=-4 " 1 "sigread: the one without SA_RESTART ends in EINTR"
count "$tmp/sr.txt" "^< read tid=$R res=4 data=late\$" 1 "sigread: the SA_RESTART one is restarted, reported once"
run sp "$P/stopread"
C=$(sed -n 's/^< clone tid=\([0-9]*\) res=0 .*/\1/p' "$tmp/sp.txt")
count "$tmp/sp.txt" "^> read tid=$C fd=[0-9]+ size=1\$" 1 "stopread: one read through SIGSTOP/SIGCONT"
count "$tmp/sp.txt" "^< read tid=$C res=1 data=x\$" 1 "stopread: its one result"

run le "$P/leader_exit"
R=$(sed -n '/^> execve /{s/^> execve tid=\([0-9]*\) .*/\1/p;q;}' "$tmp/le.txt")
count "$tmp/le.txt" "^> procexit tid=[0-9]+ status=2304 ret=9 sig=0 core=0\$" 6 "leader exits first: each of the 5 threads ends with the group's status 9, and so does the leader"
count "$tmp/le.txt" "^> procexit " 6 "leader exits first: a procexit for the leader and every thread"
# no exit stop: the leader's end is reported once the whole group is gone
# (loop.c, on_wait), with the process's status, what its parent's wait gets
[ "$(grep '^> procexit ' "$tmp/le.txt" | tail -1 | cut -d' ' -f3)" = "tid=$R" ] &&
	echo "ok: leader exits first: its procexit comes last" ||
	{ echo "FAIL: leader exits first: the last procexit is not the leader's ($R)"; fail=1; }

# CLONE_UNTRACED: the child stays traced, its calls work and are seen; the
# event shows the flags the program asked for
run un "$P/untraced"
C=$(sed -n 's/^< clone tid=\([0-9]*\) res=0 .*/\1/p' "$tmp/un.txt")
has "$tmp/un.txt" "^< openat tid=$C fd=[0-9]+ dirfd=-100 name=/etc/hostname " "CLONE_UNTRACED child: its open is traced"
f=$(sed -n "s/^< clone tid=$C res=0 .* flags=\(0x[0-9a-f]*\) .*/\1/p" "$tmp/un.txt")
[ -n "$f" ] && [ $((f & 0x4000)) != 0 ] && echo "ok: CLONE_UNTRACED child: flags as asked" ||
	{ echo "FAIL: CLONE_UNTRACED missing from the child's flags ($f)"; fail=1; }
# a program's own filter: its TRACE result fails the call with ENOSYS, and
# the call is still recorded
run os "$P/own_seccomp"
has "$tmp/os.txt" "^< mkdir tid=[0-9]+ res=-38 path=/nonexistent-pdig-dir/x\$" "own filter's TRACE: recorded, ENOSYS as natively"

# PID namespaces: pids as pdig sees them, and as the program sees its own
if pd_have pidns; then
	run ns unshare -p -f sh -c 'echo $$'
	has "$tmp/ns.txt" "^< clone tid=[0-9]+ res=0 .* vtid=1 vpid=1\$" "in a new pid namespace: vtid/vpid 1, tid as pdig sees it"
else
	pd_skip "vtid/vpid in a new pid namespace"
fi
exit $fail
