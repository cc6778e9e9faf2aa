#!/bin/sh
# A pdig killed with SIGKILL loses at most the last fraction of a second of
# its capture: the writer flushes what is older than 200 ms. A slow loop
# (less than the 256 KiB buffer in 1.5 s), then kill -9: the capture must hold the events of
# (most of) that time, readable up to where it was cut, and the reader must
# say how many events it read before the cut.
PDIG=$1 DUMP=$2 P=$3
. "$(dirname "$0")/../lib/probe.sh"
PD_KPROBE=$P/kprobe
pd_need ptrace
pd_need seccomp
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0
for out in "-w $tmp/k.scap" "--raw $tmp/k.raw"; do
	"$PDIG" -q $out sh -c "while :; do cat /etc/hostname > /dev/null; sleep 0.3; done" &
	PD=$!
	sleep 1.5
	kill -9 "$PD"; wait "$PD" 2>/dev/null
	f=${out#* }
	size=$(stat -c %s "$f")
	if [ "$size" -gt 1024 ]; then echo "ok: ${out%% *}: $size bytes written before the kill"; else
		echo "FAIL: ${out%% *}: $size bytes after 1.5 s of events (the buffer was never flushed)"; fail=1; fi
done
"$DUMP" "$tmp/k.scap" > "$tmp/dump.out" 2> "$tmp/dump.err"
n=$(grep -c . "$tmp/dump.out")
[ "$n" -gt 20 ] && echo "ok: $n events readable from the cut capture" ||
	{ echo "FAIL: $n events readable"; fail=1; }
if [ -s "$tmp/dump.err" ]; then
	grep -Eq "after [0-9]+ events" "$tmp/dump.err" && echo "ok: the reader says how much it read: $(cat "$tmp/dump.err")" ||
		{ echo "FAIL: the reader's message: $(cat "$tmp/dump.err")"; fail=1; }
else
	echo "ok: the capture happened to end on a whole block"
fi
exit $fail
