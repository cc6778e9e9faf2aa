#!/bin/sh
# stress-ng stressors natively and under pdig: the same exit status, no
# hang, no error or warning line, and a capture that sysdig -r reads with
# stress-ng's events in it.
PDIG=$1
. "$(dirname "$0")/../lib/probe.sh"
pd_need trace
export PDIG_RING=/pdig-test-$$
command -v stress-ng > /dev/null || { echo "SKIP: stress-ng is not installed (apt-get install stress-ng)"; exit 77; }
command -v timeout > /dev/null || { echo "SKIP: timeout (coreutils) is missing"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp" /dev/shm$PDIG_RING' EXIT
cd "$tmp" || exit 1
have_sysdig=0
command -v sysdig > /dev/null && "$PDIG" -q -w "$tmp/probe.scap" true 2> /dev/null && have_sysdig=1
[ $have_sysdig = 1 ] || echo "skip: the captures read back by sysdig -r: no sysdig (or no -w) here: only the reader is missing"
fail=0
# short, quick stressors of what pdig follows: processes, threads, signals,
# pipes, sockets, waits; each for 1 s (PDIG_STRESS_SECONDS) with 2 workers
secs=${PDIG_STRESS_SECONDS:-1}
for s in fork clone vfork vforkmany pipe sem futex sigq sigrt epoll sock sigchld pthread \
	sigsegv seccomp zombie session pidfd; do
	timeout -k 5 60 stress-ng --$s 2 --timeout ${secs}s > "$tmp/native" 2>&1
	n=$?
	timeout -k 5 60 "$PDIG" -q -w "$tmp/$s.scap" -- stress-ng --$s 2 --timeout ${secs}s > "$tmp/traced" 2>&1
	t=$?
	bad=$(grep -Ei 'error|fail|warn|unexpected' "$tmp/traced" | grep -v 'failed: 0' | tr '\n' '|')
	if [ $n != $t ]; then
		echo "FAIL: --$s: status $n natively, $t under pdig (124/137: hung); output: $(tr '\n' '|' < "$tmp/traced")"
		fail=1
	elif [ -n "$bad" ]; then
		echo "FAIL: --$s: under pdig: $bad"
		fail=1
	else
		echo "ok: --$s: status $t, natively and under pdig"
	fi
	if [ $have_sysdig = 1 ]; then
		c=$(sysdig -r "$tmp/$s.scap" -p '%proc.name' 'proc.name=stress-ng' 2> "$tmp/err" | wc -l)
		if [ "$c" -gt 0 ] && ! [ -s "$tmp/err" ]; then
			echo "ok: --$s: sysdig -r reads the capture ($c stress-ng events)"
		else
			echo "FAIL: --$s: sysdig -r: $c stress-ng events; $(head -c 300 "$tmp/err")"
			fail=1
		fi
	fi
	rm -f "$tmp/$s.scap"
done
exit $fail
