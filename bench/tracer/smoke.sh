#!/usr/bin/env bash
# ctest bench.tracer_quick: the reference tracer traces correctly (the
# command's output and status unchanged, stops where pdig's set says), and a
# tiny run of run.sh gives a complete table. Asserts no time.
# Arguments: run.sh's (--pdig ... --out DIR).
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
for c in strace stress-ng; do
	command -v $c > /dev/null || { echo "SKIP: $c is not installed (the benchmark compares against it)"; exit 77; }
done
args=("$@") REF='' WL='' OUT='' RULES=''
while [ $# -gt 0 ]; do
	case $1 in
	--reftrace) REF=$2 ;;
	--workloads) WL=$2 ;;
	--out) OUT=$2 ;;
	--rules) RULES=$2 ;;
	esac
	shift
done
if [ -z "$REF" ] || [ -z "$WL" ] || [ -z "$OUT" ]; then
	echo "usage: $0 RUN.SH-OPTIONS" >&2
	exit 2
fi
[ -r "$RULES" ] || { echo "SKIP: no rules file '$RULES' (Falco's stable rules, in ../shared)"; exit 77; }
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT
fails=0
check() { # description, then a test
	local what=$1
	shift
	if "$@"; then echo "ok: $what"; else echo "FAIL: $what"; fails=$((fails + 1)); fi
}

# output, status, death by signal: as natively
cmd='echo out; ls -la /etc | sort | head -20; echo err >&2; exit 7'
sh -c "$cmd" > "$T/n.out" 2> "$T/n.err"
nrc=$?
"$REF" sh -c "$cmd" > "$T/r.out" 2> "$T/r.err"
rrc=$?
check "same stdout, stderr and status (7) as natively" \
	test "$nrc/$(cat "$T/n.out" "$T/n.err" | md5sum)" = "$rrc/$(cat "$T/r.out" "$T/r.err" | md5sum)" -a $rrc = 7
"$REF" sh -c 'kill -USR1 $$' 2> /dev/null
check "death by SIGUSR1 re-raised (138)" test $? = 138
"$REF" "$WL" threads 20 > /dev/null && "$REF" "$WL" spawn 5 > /dev/null
check "threads and posix_spawn followed" test $? = 0

stops() { sed -n "s/.* \\([0-9]*\\) $1 stops.*/\\1/p" "$2"; }
# every openat and close stops twice; getppid is outside the set; -a takes it
"$REF" -v "$WL" openat 1000 > /dev/null 2> "$T/o"
s=$(stops seccomp "$T/o") e=$(stops exit "$T/o")
# (start-up calls aside: an exec's exit stop is not taken, as in pdig)
check "openat+close x1000: >= 2000 seccomp stops ($s), an exit stop each ($e)" \
	test "${s:-0}" -ge 2000 -a "${e:-0}" -ge 2000 -a $((${s:-0} - ${e:-0})) -le 10
"$REF" -v "$WL" getppid 1000 > /dev/null 2> "$T/g"
s=$(stops seccomp "$T/g")
check "getppid x1000 untraced: few seccomp stops ($s)" test "${s:-9999}" -lt 100
"$REF" -v -a "$WL" getppid 1000 > /dev/null 2> "$T/a"
s=$(stops seccomp "$T/a")
check "getppid x1000 with -a: >= 1000 seccomp stops ($s)" test "${s:-0}" -ge 1000
# fcntl stops for F_DUPFD only (the when= condition of syscalls.in)
py='import fcntl, os
for _ in range(1000): X'
"$REF" -v python3 -c "${py/X/os.close(fcntl.fcntl(0, fcntl.F_DUPFD, 0))}" 2> "$T/d"
"$REF" -v python3 -c "${py/X/fcntl.fcntl(0, fcntl.F_GETFL)}" 2> "$T/f"
d=$(( $(stops seccomp "$T/d") - $(stops seccomp "$T/f") ))
check "fcntl: F_DUPFD stops, F_GETFL does not (difference $d, want 2000: fcntl + close)" \
	test $d -ge 1990 -a $d -le 2010

# a tiny run of every workload in every mode: a complete table
"$HERE/run.sh" "${args[@]}" --tiny > "$T/table" 2> "$T/run.err"
rc=$?
[ $rc = 0 ] || cat "$T/run.err"
check "run.sh --tiny succeeded" test $rc = 0
n=$("$HERE/run.sh" --list | wc -l)
rows=$(grep -c '^| ' "$OUT/results.md" 2> /dev/null)
# main table: header + workloads; attach table; memory table
check "every run recorded a time" test "$(awk -F'\t' 'NR > 1 && $5 == ""' "$OUT/raw.tsv" | wc -l)" = 0
na=$("$HERE/run.sh" --list | grep -c '^attach-')
want=$(((n - na) * 6 + na * 4)) # modes: native pdig pdig-cold pdig-a strace ref; attach: 4
check "runs: $(($(wc -l < "$OUT/raw.tsv") - 1)), want $want" test "$(wc -l < "$OUT/raw.tsv")" = $((want + 1))
check "results.md has every workload in its tables ($rows rows)" test "${rows:-0}" -ge $((n * 2 + 3))
check "no failed run in the table" test "$(grep -c 'failed' "$OUT/results.md")" = 0
check "goals listed" grep -q '^- pdig.s overhead under half of strace' "$OUT/results.md"
cat "$OUT/results.md"
[ $fails = 0 ] || { echo "$fails check(s) failed"; exit 1; }
echo "bench.tracer_quick: all checks passed"
