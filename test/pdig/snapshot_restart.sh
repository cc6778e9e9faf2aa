#!/bin/sh
# pdig sends its snapshot again when a new engine attaches to the ring: an
# engine killed and started again while the traced program runs still knows
# the processes and the fd made before it started (proc.name, proc.pname,
# fd.name of writes to an fd opened before the restart, from the program
# and from a child forked before it).
#   snapshot_restart.sh PDIG ENGINE PROGDIR
PDIG=$1 ENGINE=$2 P=$3
. "$(dirname "$0")/../lib/probe.sh"
PD_KPROBE=$P/kprobe
pd_need trace
tmp=$(mktemp -d)
ring=/pdig-snaprestart-$$
pids=
cleanup() {
	for p in $pids; do kill -9 "$p" 2>/dev/null; done
	rm -rf "$tmp"; rm -f /dev/shm/"${ring#/}"
}
trap cleanup EXIT
fail=0
fmt='*%proc.name|%fd.name|%proc.pname'
filter="evt.type=write and evt.dir=< and fd.name=$tmp/out.txt"
# until FILE has a line matching REGEX (10 s)
wait_line() {
	i=0
	while ! grep -Eq -- "$2" "$1" 2>/dev/null; do
		i=$((i + 1)); [ $i -gt 200 ] && return 1; sleep 0.05
	done
}
# the pid of the ring's consumer, from its header (offset 64)
consumer() { od -An -t u8 -j 64 -N 8 /dev/shm/"${ring#/}" 2>/dev/null | tr -d ' '; }

"$ENGINE" --ring="$ring" -p "$fmt" "$filter" > "$tmp/e1.out" 2> "$tmp/e1.err" &
e1=$!; pids="$e1"
i=0; until [ "$(consumer)" = "$e1" ]; do
	i=$((i + 1)); [ $i -gt 200 ] && { echo "FAIL: engine 1 never attached: $(cat "$tmp/e1.err")"; exit 1; }
	sleep 0.05
done
"$PDIG" -v --io --ring "$ring" -- "$P/longfd" "$tmp/out.txt" "$tmp/go" > "$tmp/pdig.out" 2> "$tmp/pdig.err" &
pd=$!; pids="$pids $pd"
wait_line "$tmp/e1.out" "^longfd\|$tmp/out.txt\|pdig\$" ||
	{ echo "FAIL: engine 1 never saw the first write: $(cat "$tmp/e1.out" "$tmp/e1.err" "$tmp/pdig.err")"; exit 1; }
if ! kill -0 "$pd" 2>/dev/null; then
	echo "FAIL: pdig ended early: $(cat "$tmp/pdig.err")"; exit 1
fi
echo "ok: engine 1 saw the write before the restart"
kill -9 "$e1"; wait "$e1" 2>/dev/null

"$ENGINE" --ring="$ring" --idle-exit 2000 -p "$fmt" "$filter" > "$tmp/e2.out" 2> "$tmp/e2.err" &
e2=$!; pids="$pids $e2"
i=0; until [ "$(consumer)" = "$e2" ]; do
	i=$((i + 1)); [ $i -gt 200 ] && { echo "FAIL: engine 2 never attached: $(cat "$tmp/e2.err")"; exit 1; }
	sleep 0.05
done
touch "$tmp/go"
wait "$pd"; st=$?
[ $st = 0 ] && echo "ok: the program ran to its end under pdig" ||
	{ echo "FAIL: pdig exited $st: $(cat "$tmp/pdig.err")"; fail=1; }
wait "$e2"; st=$?
[ $st = 0 ] || { echo "FAIL: engine 2 exited $st: $(cat "$tmp/e2.err")"; fail=1; }

# the writes after the restart: the parent (started before engine 2, its
# parent pdig) and the child it forked before, both on the old fd
for want in "longfd|$tmp/out.txt|pdig" "longfd|$tmp/out.txt|longfd"; do
	n=$(grep -cxF "$want" "$tmp/e2.out")
	[ "$n" = 1 ] && echo "ok: engine 2: $want" ||
		{ echo "FAIL: engine 2: '$want' $n times, want 1"; fail=1; }
done
n=$(wc -l < "$tmp/e2.out")
[ "$n" = 2 ] && echo "ok: engine 2 saw only the two writes after the restart" ||
	{ echo "FAIL: engine 2 printed $n lines, want 2:"; cat "$tmp/e2.out"; fail=1; }
grep -q 'tracer snapshot records applied' "$tmp/e2.err" && ! grep -q 'could not be applied' "$tmp/e2.err" ||
	{ echo "FAIL: engine 2 did not apply a snapshot:"; cat "$tmp/e2.err"; fail=1; }
n=$(grep -c "the process list was sent again" "$tmp/pdig.err")
[ "$n" = 1 ] && echo "ok: pdig sent the process list again once" ||
	{ echo "FAIL: pdig sent the process list again $n times, want 1:"; cat "$tmp/pdig.err"; fail=1; }
[ $fail = 0 ] || { echo "--- engine 2 stderr"; cat "$tmp/e2.err"; }
exit $fail
