#!/bin/sh
# A capture written with -w, read back by Debian's sysdig: the calls with
# their processes, names and command lines, and the process list (pdig and
# its ancestors) before the first event.
PDIG=$1 P=$2
. "$(dirname "$0")/../lib/probe.sh"
PD_KPROBE=$P/kprobe
pd_need trace
command -v sysdig > /dev/null || { echo "SKIP: sysdig is not installed: it is the reader these checks are made with"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/w"
"$PDIG" -q --io -w "$tmp/c.scap" "$P/file_ops" "$tmp/w" > "$tmp/out" 2>&1
st=$?
if [ $st = 2 ] && grep -q "not available in this build" "$tmp/out"; then
	echo "SKIP: this build has no capture writer"; exit 77
fi
[ $st = 0 ] || { echo "FAIL: pdig -w exited $st: $(cat "$tmp/out")"; exit 1; }
set -- $(grep '^pid ' "$tmp/out")
PID=$2 CHILD=$4
PORT=$(sed -n 's/^port //p' "$tmp/out")
sysdig -r "$tmp/c.scap" -p "%evt.dir %evt.type %proc.name %thread.tid %proc.pid %proc.pname %proc.cmdline %evt.args" > "$tmp/s.txt" 2> "$tmp/err"
st=$?
[ $st = 0 ] || { echo "FAIL: sysdig -r exited $st: $(cat "$tmp/err")"; exit 1; }
fail=0
has() {
	if grep -Eq -- "$1" "$tmp/s.txt"; then echo "ok: $2"; else
		echo "FAIL: $2: no line matching: $1"; fail=1; fi
}
has "^> execve pdig $PID $PID [^ ]+ pdig " "the command's execve enter, still named pdig (from the process list)"
has "^< execve file_ops $PID $PID pdig file_ops $tmp/w res=0 " "execve exit: name, parent pdig, command line"
has "^< openat file_ops $PID $PID pdig file_ops $tmp/w fd=[0-9]+\(<f>$tmp/w/a.txt\) dirfd=-100\(AT_FDCWD\) name=a.txt\($tmp/w/a.txt\) flags=4358\(O_TRUNC\|O_CREAT\|O_WRONLY\|O_CLOEXEC\) mode=0640 " "openat: fd resolved to the full path, flags decoded"
has "^< write file_ops $PID .* res=10 data=hello pdig" "write data"
has "^< rename file_ops $PID .* oldpath=a.txt\($tmp/w/a.txt\) newpath=d1/b.txt\($tmp/w/d1/b.txt\)" "rename paths resolved against the cwd"
has "^< connect file_ops $PID .* tuple=127.0.0.1:[0-9]+->127.0.0.1:$PORT" "connect tuple"
# the interface list (from pdig's network namespace) says which end is local:
# the connecting end's port is fd.lport, as with a kernel capture
sysdig -r "$tmp/c.scap" -p "%fd.lport %fd.rport %fd.rip" "evt.type=connect and evt.dir=< and proc.pid=$PID" > "$tmp/ports" 2>&1
grep -Eq "^[0-9]+ $PORT 127.0.0.1$" "$tmp/ports" && ! grep -q "^$PORT " "$tmp/ports" &&
	echo "ok: connect: fd.lport the client's port, fd.rport $PORT (the interface list)" ||
	{ echo "FAIL: connect's fd.lport/fd.rport/fd.rip (want CLIENT $PORT 127.0.0.1): $(cat "$tmp/ports")"; fail=1; }
has "^< accept file_ops $PID .* fd=[0-9]+\(<4t>127.0.0.1:[0-9]+->127.0.0.1:$PORT\)" "accept: the new fd is a TCP socket with its tuple"
has "^< clone file_ops $CHILD $CHILD file_ops file_ops $tmp/w res=0 " "child's clone exit"
has "^< execve true $CHILD $CHILD file_ops true arg1 res=0 " "child's execve: name, parent, command line"
has "^> procexit true $CHILD " "child's procexit"
# the ancestors come from the process list: pdig's parent is this shell
sysdig -r "$tmp/c.scap" -p "%proc.aname[2]" "evt.type=openat and proc.pid=$PID" 2>/dev/null | sort -u > "$tmp/anc"
if [ "$(cat "$tmp/anc")" = "sh" ]; then echo "ok: pdig's parent (sh) is in the process list"; else
	echo "FAIL: grandparent of the command is '$(cat "$tmp/anc")', want sh"; fail=1; fi

# the user list: user.name resolves
me=$(id -un)
names=$(sysdig -r "$tmp/c.scap" -p "%user.name" "evt.type=openat and proc.pid=$PID" 2>/dev/null | sort -u)
[ "$names" = "$me" ] && echo "ok: user.name is $me (user list)" || { echo "FAIL: user.name '$names', want $me"; fail=1; }

# sockets inherited from pdig's ancestors, described by the process list
python3 "$(dirname "$0")/inherit_sockets.py" "$PDIG" "$tmp/s.scap" > "$tmp/s.out" 2>&1 ||
	{ echo "FAIL: inherit_sockets.py: $(cat "$tmp/s.out")"; fail=1; }
set -- $(cat "$tmp/s.out")   # fds L C U port P cport Q
sysdig -r "$tmp/s.scap" -p "%fd.num %fd.type %fd.name" "evt.type=close and evt.dir=>" > "$tmp/sc.txt" 2>&1
grep -qx "$2 ipv4 127.0.0.1:$6" "$tmp/sc.txt" && echo "ok: inherited listening socket" ||
	{ echo "FAIL: listening socket fd $2: $(cat "$tmp/sc.txt")"; fail=1; }
grep -qx "$3 ipv4 127.0.0.1:$8->127.0.0.1:$6" "$tmp/sc.txt" && echo "ok: inherited connected socket with its tuple" ||
	{ echo "FAIL: connected socket fd $3: $(cat "$tmp/sc.txt")"; fail=1; }
grep -qx "$4 unix @pdig-test-[0-9]*" "$tmp/sc.txt" && echo "ok: inherited unix socket with its name" ||
	{ echo "FAIL: unix socket fd $4: $(cat "$tmp/sc.txt")"; fail=1; }
exit $fail
