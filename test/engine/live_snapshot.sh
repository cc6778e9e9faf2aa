#!/bin/bash
# The tracer's initial snapshot reaches the live engine through the ring:
# under `pdig --ring`, the traced root's parent, its inherited stdout, its
# cwd and its user are what the capture replay (`pdig -w`) of the same
# command shows, and what they really are.
#   live_snapshot.sh ENGINE PDIG
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
ring=/pdig-live-snapshot-$$
trap 'rm -rf "$tmp"; rm -f /dev/shm/"${ring#/}"' EXIT
echo data >"$tmp/rel.txt"
fmt='*%proc.name|%proc.pname|%evt.type|%fd.name|%user.name|%proc.cwd'
# the root's write to its inherited stdout, and a child's open of a path
# relative to the cwd it inherited from the root
filter='evt.dir=< and ((proc.name=sh and evt.type=write) or (proc.name=cat and evt.type in (open, openat) and fd.name contains rel.txt))'
cmd='echo snapshot-test; cat rel.txt >/dev/null'

"$engine" --ring="$ring" --idle-exit 3000 -p "$fmt" "$filter" >"$tmp/live" 2>"$tmp/live.err" &
engine_pid=$!
for _ in 1 2 3 4 5 6 7 8 9 10; do
	[ -e /dev/shm/"${ring#/}" ] && break
	sleep 0.1
done
if ! (cd "$tmp" && "$pdig" -q --io --ring "$ring" -- sh -c "$cmd" >"$tmp/stdout.txt"); then
	echo "FAIL: pdig could not trace, though ptrace and seccomp work natively here"
	kill "$engine_pid" 2>/dev/null
	exit 1
fi
wait "$engine_pid"
rc=$?
(cd "$tmp" && "$pdig" -q --io -w "$tmp/c.scap" -- sh -c "$cmd" >"$tmp/stdout.txt") ||
	{ echo "FAIL: pdig -w failed"; exit 1; }
"$engine" -e "$tmp/c.scap" -p "$fmt" "$filter" >"$tmp/replay" 2>"$tmp/replay.err" ||
	{ echo "FAIL: replay failed: $(cat "$tmp/replay.err")"; exit 1; }

# an engine that attaches after pdig has finished: the snapshot waited in
# the ring ahead of the events
ring2=/pdig-live-snapshot-late-$$
trap 'rm -rf "$tmp"; rm -f /dev/shm/"${ring#/}" /dev/shm/"${ring2#/}"' EXIT
(cd "$tmp" && "$pdig" -q --io --ring "$ring2" -- sh -c "$cmd" >"$tmp/stdout.txt") ||
	{ echo "FAIL: pdig --ring with no engine failed"; exit 1; }
"$engine" --ring="$ring2" --idle-exit 1000 -p "$fmt" "$filter" >"$tmp/late" 2>"$tmp/late.err"
rc2=$?

fail=0
[ "$rc2" -eq 0 ] || { echo "FAIL: the late pdig-engine exited $rc2: $(cat "$tmp/late.err")"; fail=1; }
diff "$tmp/late" "$tmp/replay" >"$tmp/diff2" ||
	{ echo "FAIL: an engine attached late sees another state:"; cat "$tmp/diff2"; fail=1; }
[ "$rc" -eq 0 ] || { echo "FAIL: pdig-engine exited $rc: $(cat "$tmp/live.err")"; fail=1; }
me=$(id -un)
want_write="sh|pdig|write|$tmp/stdout.txt|$me|$tmp/"
want_open="cat|sh|openat|$tmp/rel.txt|$me|$tmp/"
for src in live replay; do
	grep -qxF "$want_write" "$tmp/$src" ||
		{ echo "FAIL ($src): no '$want_write' (root's parent, inherited stdout, user, cwd):"
		  cat "$tmp/$src"; fail=1; }
	grep -qxF "$want_open" "$tmp/$src" ||
		{ echo "FAIL ($src): no '$want_open' (relative open under the root's cwd):"
		  cat "$tmp/$src"; fail=1; }
done
if ! diff "$tmp/live" "$tmp/replay" >"$tmp/diff"; then
	echo "FAIL: live and replay differ:"
	cat "$tmp/diff"
	fail=1
fi
grep -q 'tracer snapshot records applied' "$tmp/live.err" && ! grep -q 'could not be applied' "$tmp/live.err" ||
	{ echo "FAIL: the engine did not report the snapshot as applied:"; cat "$tmp/live.err"; fail=1; }
grep -q ' 0 damaged records skipped' "$tmp/live.err" ||
	{ echo "FAIL: damaged records in the ring:"; cat "$tmp/live.err"; fail=1; }
[ "$fail" -eq 0 ] && echo "live snapshot: $(wc -l <"$tmp/live") lines, same as the replay; $(grep -o '[0-9]* tracer snapshot records applied' "$tmp/live.err")"
exit "$fail"
