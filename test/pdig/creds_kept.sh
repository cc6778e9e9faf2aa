#!/bin/sh
# pdig keeps each thread's uid and gid between its /proc reads and its stat
# and status files open (pdig/procfs.h, struct pd_proc_task). The clone
# events must still carry the credentials the kernel has at each fork:
# after setreuid and setregid, after a raw setreuid in one thread only, and
# after an execve of a set-user-ID program (progs/creds_kept.c prints them
# natively for every fork). And the files kept open stay bounded: a fork
# storm leaves pdig with few descriptors.
PDIG=$1 EVDUMP=$2 P=$3
. "$(dirname "$0")/../lib/probe.sh"
PD_KPROBE=$P/kprobe
pd_need trace
pd_need root
fail=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
# the set-user-ID copy, owned by uid 1003, where set-user-ID works
cp "$P/creds_kept" "$tmp/suid" && chown 1003:1003 "$tmp/suid" && chmod 4755 "$tmp/suid" ||
	{ echo "FAIL: cannot make the set-user-ID copy in $tmp"; exit 1; }
CREDS_SUID=$tmp/suid "$PDIG" -q --raw "$tmp/f.raw" "$P/creds_kept" > "$tmp/out" 2> "$tmp/err"
st=$?
[ $st = 0 ] || { echo "FAIL: creds_kept exit $st: $(cat "$tmp/out" "$tmp/err")"; exit 1; }
"$EVDUMP" "$tmp/f.raw" > "$tmp/f.txt" || { echo "FAIL: malformed records"; exit 1; }
grep -q "^mark suid_exec " "$tmp/out" || echo "skip: the set-user-ID execve ($tmp is mounted nosuid?)"
# every fork's two clone exits (the parent's, res = child; the child's,
# res = 0) carry the uid and gid the program printed
while read -r mark what pid uid gid; do
	[ "$mark" = mark ] || continue
	n=$(grep -E "^< clone3? tid=[0-9]+ res=$pid |^< clone3? tid=$pid res=0 " "$tmp/f.txt" |
		grep -c " uid=$uid gid=$gid ")
	if [ "$n" = 2 ]; then echo "ok: $what: uid $uid gid $gid in both clone exits"; else
		echo "FAIL: $what: $n of the 2 clone exits of $pid say uid=$uid gid=$gid"
		grep -E "^< clone3? tid=[0-9]+ res=$pid |^< clone3? tid=$pid res=0 " "$tmp/f.txt" |
			sed 's/.* \(uid=[0-9]* gid=[0-9]*\).*/  \1/'
		fail=1
	fi
done < "$tmp/out"
n=$(grep -c '^mark ' "$tmp/out")
[ "$n" -ge 7 ] || { echo "FAIL: $n forks marked, want 7 or 8"; fail=1; }
# 300 children alive at once: the stat files kept open for them are
# bounded (PD_PROC_KEPT_MAX, 256 in all); the rest are read and closed
"$PDIG" -q --raw "$tmp/s.raw" sh -c '
	i=0; while [ $i -lt 300 ]; do sleep 60 & i=$((i+1)); done
	touch "$1/ready"; while [ ! -e "$1/go" ]; do sleep 0.1; done
	kill $(jobs -p); wait' sh "$tmp" > /dev/null 2>&1 &
front=$!
i=0; while [ ! -e "$tmp/ready" ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done
tracer=$(pgrep -P $front -x pdig | head -n 1)
fds=$(ls "/proc/$tracer/fd" 2>/dev/null | wc -l)
touch "$tmp/go"
wait $front
if [ -e "$tmp/ready" ] && [ -n "$tracer" ] && [ "$fds" -ge 100 ] && [ "$fds" -le 288 ]; then
	echo "ok: pdig holds $fds descriptors with 300 children alive (kept files, bounded)"
else
	echo "FAIL: pdig's descriptors with 300 children alive: '$fds' (tracer '$tracer'), want 100-288"
	fail=1
fi
exit $fail
