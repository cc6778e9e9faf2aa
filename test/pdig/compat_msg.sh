#!/bin/sh
# 32-bit sendmsg/recvmsg (int 0x80: socketcall and the direct number) must
# give the same events as the same 64-bit calls: size, data and tuple from
# the compat msghdr and iovecs. progs/int80msg makes each call both ways on
# the same sockets, 64-bit first.
PDIG=$1 EVDUMP=$2 P=$3
. "$(dirname "$0")/../lib/probe.sh"
PD_KPROBE=$P/kprobe
# every check here goes through the 32-bit entry
pd_need int80
pd_need trace
fail=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
out=$("$P/int80msg" 2>&1)
[ "$out" = ok ] || { echo "FAIL: int80msg natively, though int 0x80 works here: $out"; exit 1; }
traced=$("$PDIG" -q --io --raw "$tmp/r.raw" "$P/int80msg" 2>&1)
[ "$traced" = ok ] && echo "ok: int80msg under pdig" || { echo "FAIL: under pdig: $traced"; fail=1; }
"$EVDUMP" "$tmp/r.raw" > "$tmp/r.txt" || { echo "FAIL: malformed records"; exit 1; }
grep -E "^[<>] (sendmsg|recvmsg) " "$tmp/r.txt" > "$tmp/msg.txt"
n=$(wc -l < "$tmp/msg.txt")
[ "$n" = 16 ] || { echo "FAIL: $n sendmsg/recvmsg events, want 16"; cat "$tmp/r.txt"; exit 1; }
head -8 "$tmp/msg.txt" > "$tmp/64.txt"
tail -8 "$tmp/msg.txt" > "$tmp/32.txt"
has() { # regex description
	if grep -Eq -- "$1" "$tmp/64.txt"; then echo "ok: 64-bit: $2"; else
		echo "FAIL: 64-bit: $2: no line matching: $1"; fail=1; fi
}
# the 64-bit reference holds real values (so equal halves mean something)
has "^> sendmsg tid=[0-9]+ fd=[0-9]+ size=11 " "sendmsg size from the iovecs"
has "^< sendmsg tid=[0-9]+ res=11 data=hello.world\$" "sendmsg data across two iovecs"
has "^< recvmsg tid=[0-9]+ res=11 size=32 data=hello.world " "recvmsg size and data"
has "^> sendmsg tid=[0-9]+ fd=[0-9]+ size=11 tuple=127.0.0.1:[0-9]+->127.0.0.1:[0-9]+\$" "UDP sendmsg tuple to msg_name"
has "^< recvmsg tid=[0-9]+ res=11 size=32 data=hello.world tuple=127.0.0.1:[0-9]+->127.0.0.1:[0-9]+\$" "UDP recvmsg tuple"
if grep "^< socketpair " "$tmp/r.txt" | tail -1 | grep -Eq "^< socketpair tid=[0-9]+ res=0 fd1=[0-9]+ fd2=[0-9]+ " &&
   grep -Eq "^> socketpair tid=[0-9]+ domain=0x1 type=1 proto=0\$" "$tmp/r.txt"; then
	echo "ok: 32-bit socketpair (its own number) with both fds"
else
	echo "FAIL: no 32-bit socketpair event (SOCK_STREAM)"; fail=1
fi
if cmp -s "$tmp/64.txt" "$tmp/32.txt"; then
	echo "ok: the int 0x80 calls give the same events as the 64-bit ones"
else
	echo "FAIL: 32-bit events differ from the 64-bit ones:"; diff "$tmp/64.txt" "$tmp/32.txt"; fail=1
fi
exit $fail
