#!/bin/bash
# Live: pdig writes the ring, pdig-engine reads it (state, filter, output).
#   live_ring.sh ENGINE PDIG
set -u
engine=$1 pdig=${2:-}
# pdig is built with the engine: its absence is a broken build, not a skip
if [ -z "$pdig" ] || [ ! -x "$pdig" ]; then
	echo "FAIL: no pdig at '$pdig' (it is built with pdig-engine)"
	exit 1
fi
. "$(dirname "$0")/../lib/probe.sh"
pd_need trace
tmp=$(mktemp -d)
ring=/pdig-engine-live-$$
trap 'rm -rf "$tmp"; rm -f /dev/shm/"${ring#/}"' EXIT
"$engine" --ring="$ring" --idle-exit 3000 -p '%proc.name %proc.pname %evt.type %fd.name %user.name' \
	'evt.type in (open, openat) and evt.dir = < and fd.name in (/etc/hostname, /etc/passwd)' \
	>"$tmp/out" 2>"$tmp/err" &
engine_pid=$!
# the engine creates the ring; give it a moment
for _ in 1 2 3 4 5 6 7 8 9 10; do
	[ -e /dev/shm/"${ring#/}" ] && break
	sleep 0.1
done
if ! "$pdig" -q --ring "$ring" -- sh -c 'cat /etc/hostname >/dev/null; cat /etc/passwd >/dev/null'; then
	echo "FAIL: pdig could not trace, though ptrace and seccomp work natively here"
	kill "$engine_pid" 2>/dev/null
	exit 1
fi
wait "$engine_pid"
rc=$?
fail=0
[ "$rc" -eq 0 ] || { echo "FAIL: pdig-engine exited $rc: $(cat "$tmp/err")"; fail=1; }
me=$(id -un)
grep -qx "cat sh openat /etc/hostname $me\|cat sh open /etc/hostname $me" "$tmp/out" ||
	{ echo "FAIL: no open of /etc/hostname by cat under sh:"; cat "$tmp/out"; fail=1; }
grep -qx "cat sh openat /etc/passwd $me\|cat sh open /etc/passwd $me" "$tmp/out" ||
	{ echo "FAIL: no open of /etc/passwd by cat under sh:"; cat "$tmp/out"; fail=1; }
grep -q ' 0 dropped by producers' "$tmp/err" ||
	{ echo "FAIL: the counters are missing or show drops:"; cat "$tmp/err"; fail=1; }
[ "$fail" -eq 0 ] && echo "live ring: $(wc -l <"$tmp/out") matching events, counters: $(head -1 "$tmp/err")"
exit "$fail"
