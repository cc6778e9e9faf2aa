#!/bin/bash
# Differential test: pdig-engine against Debian's sysdig 0.29.3 on the same
# captures, formats and filters, line for line.
#   diff_sysdig.sh ENGINE GEN_CAPTURE DATADIR [CORPUSDIR [PDIG]]
# Captures: the synthetic scenarios of gen_capture, and copies rewritten by
# sysdig itself (sysdig -r ours -w theirs), so that both writers are read.
# DATADIR holds formats.txt, filters.txt and known_diffs.txt (the deliberate
# differences, explained in engine/DIFFERENCES.md). CORPUSDIR, when given and
# present, adds the .scap files found there (the capture reader's samples);
# their container events are left out (DIFFERENCES.md, container-event).
# PDIG, when given, records real programs (a shell, python with sockets and
# threads) into more captures; a program that fails natively here (no IPv6,
# say) is skipped with the reason, one pdig cannot record fails the test.
#
# Every capture is read with every format. Filters: the default run takes
# each filter through the captures in a rotation, on at least 4 of them and
# until one gives output, so that every filter is compared on output and
# every capture gets a share of the filters, at a sixth of the cost;
# PDIG_DIFF_FULL=1 (ctest -L full, scripts/test.sh --full) runs every filter
# on every capture.
set -u
engine=$1 gen=$2 data=$3 corpus=${4:-} pdig=${5:-}
[ -n "$pdig" ] && pdig=$(readlink -f "$pdig")
. "$(dirname "$0")/../lib/probe.sh"
pd_need sysdig
full=0
[ "${PDIG_DIFF_FULL:-0}" = 1 ] && full=1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export TZ=UTC

captures=()
for s in files procs net misc lost paths race udp6 udp6if; do
	"$gen" "$s" "$tmp/$s.scap" || { echo "FAIL: gen_capture $s"; exit 1; }
	captures+=("$s")
	if sysdig -r "$tmp/$s.scap" -w "$tmp/sd_$s.scap" >/dev/null 2>&1; then
		captures+=("sd_$s")
	else
		echo "FAIL: sysdig could not rewrite $s.scap"
		exit 1
	fi
done

extra=()
if [ -n "$corpus" ] && [ -d "$corpus" ]; then
	for f in "$corpus"/*.scap; do
		[ -f "$f" ] || continue
		n="corpus_$(basename "$f" .scap)"
		cp "$f" "$tmp/$n.scap"
		extra+=("$n")
	done
fi

recfail=0
if [ -z "$pdig" ] || [ ! -x "$pdig" ]; then
	echo "skip: the real programs: pdig is not built: only the generated and sample captures are compared"
elif ! pd_have trace; then
	pd_skip "the real programs recorded by pdig" "only the generated and sample captures are compared"
else
	i=0
	mkdir "$tmp/native"
	while IFS= read -r cmd; do
		case "$cmd" in ''|'#'*) continue ;; esac
		i=$((i + 1))
		# what the machine lacks (IPv6 on loopback, ...) shows natively
		if ! (cd "$tmp/native" && timeout 60 sh -c "$cmd") >/dev/null 2>"$tmp/native.err"; then
			echo "skip: program $i: it fails natively here ($(head -c 300 "$tmp/native.err" | tr '\n' ' ')): nothing to record"
			continue
		fi
		# --container-id '': sysdig keeps a static container's threads on the
		# host (DIFFERENCES.md, container-tree), so the recordings stay there
		if (cd "$tmp" && timeout 60 "$pdig" -q --io --container-id '' -w "$tmp/real$i.scap" -- sh -c "$cmd") \
			>/dev/null 2>"$tmp/pdig.err"; then
			extra+=("real$i")
		else
			echo "FAIL: pdig could not record program $i, which runs natively: $(head -c 300 "$tmp/pdig.err")"
			recfail=$((recfail + 1))
		fi
	done < "$data/programs.txt"
fi

declare -A known
while IFS=$'\t' read -r cap what why; do
	case "$cap" in ''|'#'*) continue ;; esac
	known["$cap"$'\t'"$what"]=$why
done < "$data/known_diffs.txt"

pairs=0 same=0 lines=0 nonempty=0 fail=$recfail knownhit=0
compare() { # capture, format, label, filter...
	local cap=$1 fmt=$2 label=$3
	shift 3
	sysdig -r "$tmp/$cap.scap" -p "$fmt" "$@" >"$tmp/s.out" 2>&1
	"$engine" -e "$tmp/$cap.scap" -p "$fmt" "$@" >"$tmp/p.out" 2>&1
	pairs=$((pairs + 1))
	local key="$cap"$'\t'"$label"
	if cmp -s "$tmp/s.out" "$tmp/p.out"; then
		if [ -n "${known[$key]+x}" ]; then
			echo "FAIL: [$cap] $label: listed in known_diffs.txt (${known[$key]}) but now agrees: remove it"
			fail=$((fail + 1))
			return
		fi
		same=$((same + 1))
		local n
		n=$(wc -l <"$tmp/s.out")
		lines=$((lines + n))
		[ "$n" -gt 0 ] && nonempty=$((nonempty + 1))
	elif [ -n "${known[$key]+x}" ]; then
		knownhit=$((knownhit + 1))
	else
		echo "FAIL: [$cap] $label differs (< sysdig, > pdig-engine):"
		diff "$tmp/s.out" "$tmp/p.out" | head -10
		fail=$((fail + 1))
	fi
}

all=("${captures[@]}" "${extra[@]}")
nall=${#all[@]}
# extra captures: their container events are left out
is_extra() { [ "$1" -ge ${#captures[@]} ]; }
for ((c = 0; c < nall; c++)); do
	cap=${all[$c]}
	while IFS= read -r fmt; do
		case "$fmt" in ''|'#'*) continue ;; esac
		if is_extra $c; then compare "$cap" "$fmt" "$fmt" "evt.type != container"
		else compare "$cap" "$fmt" "$fmt"; fi
	done < "$data/formats.txt"
done
# filter_on C FILTER: sets out to the lines sysdig printed
filter_on() {
	if is_extra "$1"; then
		compare "${all[$1]}" "*%evt.num %proc.name %evt.type %fd.name" "$2" "($2) and evt.type != container"
	else
		compare "${all[$1]}" "*%evt.num %proc.name %evt.type %fd.name" "$2" "$2"
	fi
	out=$(wc -l <"$tmp/s.out")
}
# the default run: filter j goes through the captures (j + k) * step mod
# nall, k = 0, 1, ... (step prime to nall: every capture in turn), for at
# least min_runs captures and until one gives output
step=7
gcd() { local a=$1 b=$2 t; while [ "$b" -gt 0 ]; do t=$((a % b)); a=$b; b=$t; done; echo "$a"; }
while [ "$(gcd $step "$nall")" != 1 ]; do step=$((step + 2)); done
min_runs=4 filters=0 filter_runs=0 silent=0
while IFS= read -r flt; do
	case "$flt" in ''|'#'*) continue ;; esac
	filters=$((filters + 1))
	got=0
	for ((k = 0; k < nall; k++)); do
		if [ "$full" = 1 ]; then c=$k; else c=$((((filters + k) * step) % nall)); fi
		filter_on $c "$flt"
		filter_runs=$((filter_runs + 1))
		[ "$out" -gt 0 ] && got=1
		[ "$full" = 1 ] || { [ $k -ge $((min_runs - 1)) ] && [ $got = 1 ] && break; }
	done
	[ $got = 1 ] || { silent=$((silent + 1)); echo "note: no output on any capture: $flt"; }
done < "$data/filters.txt"

mode="every filter on every capture"
[ "$full" = 1 ] || mode="each filter on $min_runs+ captures, until one gives output; PDIG_DIFF_FULL=1: all"
echo "differential test: $nall captures, each with every format; $filters filters, $filter_runs runs ($mode)"
echo "differential test: $pairs capture/format/filter runs, $same identical ($lines lines," \
     "$nonempty runs with output), $knownhit known differences, $fail unexpected"
# (a filter that matches only in recordings of the real programs may find
# nothing in some of them, which vary from run to run: a note, not a failure)
[ "$silent" = 0 ] || echo "note: $silent filter(s) gave no output on any capture (listed above): compared on empty output only"
# an empty comparison proves nothing
if [ "$nonempty" -lt $((pairs / 2)) ]; then
	echo "FAIL: too few runs produced output ($nonempty of $pairs)"
	exit 1
fi
[ "$fail" -eq 0 ]
