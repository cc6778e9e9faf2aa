#!/bin/sh
# One pdig run writes both the udig ring (read live by Debian's sysdig -u) and
# pdig's own ring (read live by pdig-engine): both readers must see the same
# events, in the same order, with the same results.
# usage: udig_vs_engine.sh PDIG PDIG-ENGINE
PDIG=$1 ENGINE=$2
. "$(dirname "$0")/../lib/probe.sh"
pd_need trace
command -v sysdig >/dev/null 2>&1 || { echo "skip: sysdig is not installed (apt-get install sysdig)"; exit 77; }
command -v unshare >/dev/null 2>&1 || { echo "skip: unshare (util-linux) is not installed"; exit 77; }
# The udig names are global: a private mount namespace with its own /dev/shm.
if [ -z "${PDIG_PRIVATE_SHM:-}" ]; then
	unshare -m true 2>/dev/null || { echo "skip: cannot create a mount namespace (unshare -m needs root)"; exit 77; }
	exec env PDIG_PRIVATE_SHM=1 unshare -m --propagation private \
		sh -c 'mount -t tmpfs -o mode=1777 tmpfs /dev/shm && exec sh "$0" "$@"' "$0" "$@"
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
FMT='%evt.dir %evt.type %thread.tid %evt.res'

timeout 60 sysdig -u -p "$FMT" > "$tmp/sysdig.txt" 2> "$tmp/sysdig.err" &
sd=$!
n=0 # pdig writes udig only while a reader is attached: wait for sysdig
while "$PDIG" --udig true 2>&1 | grep -q "no udig reader"; do
	n=$((n + 1)); [ $n -ge 80 ] && { echo "FAIL: sysdig -u did not attach: $(cat "$tmp/sysdig.err")"; exit 1; }
	sleep 0.25
done
"$ENGINE" --ring=/udig-vs-engine -p "$FMT" --idle-exit 2000 > "$tmp/engine.txt" 2> "$tmp/engine.err" &
en=$!
for _ in $(seq 100); do [ -e /dev/shm/udig-vs-engine ] && break; sleep 0.05; done
"$PDIG" -q --io --udig --ring /udig-vs-engine -- sh -c \
	'cat /etc/hostname >/dev/null; ls / >/dev/null; (cd /tmp && ls -d . nonexistent) 2>/dev/null; exit 0' ||
	{ echo "FAIL: pdig failed"; exit 1; }
wait $en || { echo "FAIL: engine: $(cat "$tmp/engine.err")"; exit 1; }
sleep 1
kill -INT $sd; wait $sd

# sysdig also saw the probe runs above (udig only); keep the threads the engine saw
awk '{print $3}' "$tmp/engine.txt" | sort -u > "$tmp/tids"
awk 'NR == FNR { t[$1]; next } ($3 in t)' "$tmp/tids" "$tmp/sysdig.txt" > "$tmp/sysdig.ours"
n=$(wc -l < "$tmp/engine.txt")
if [ "$n" -lt 100 ]; then
	echo "FAIL: the engine saw only $n events"; cat "$tmp/engine.err"; exit 1
fi
if diff "$tmp/sysdig.ours" "$tmp/engine.txt" > "$tmp/diff"; then
	echo "ok: sysdig -u and pdig-engine saw the same $n events"
else
	echo "FAIL: sysdig -u (<) and pdig-engine (>) differ:"; head -40 "$tmp/diff"; exit 1
fi
