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
# threads) into more captures; if it cannot, those are skipped with a note.
set -u
engine=$1 gen=$2 data=$3 corpus=${4:-} pdig=${5:-}
[ -n "$pdig" ] && pdig=$(readlink -f "$pdig")
if ! command -v sysdig >/dev/null 2>&1; then
	echo "SKIP: sysdig is not installed (apt-get install sysdig): nothing to compare with"
	exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export TZ=UTC

captures=()
for s in files procs net misc lost paths race udp6; do
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

if [ -n "$pdig" ] && [ -x "$pdig" ]; then
	i=0
	while IFS= read -r cmd; do
		case "$cmd" in ''|'#'*) continue ;; esac
		i=$((i + 1))
		if (cd "$tmp" && timeout 60 "$pdig" -q -w "$tmp/real$i.scap" -- sh -c "$cmd") \
			>/dev/null 2>"$tmp/pdig.err"; then
			extra+=("real$i")
		else
			echo "note: pdig could not record program $i, skipped: $(head -c 300 "$tmp/pdig.err")"
		fi
	done < "$data/programs.txt"
fi

declare -A known
while IFS=$'\t' read -r cap what why; do
	case "$cap" in ''|'#'*) continue ;; esac
	known["$cap"$'\t'"$what"]=$why
done < "$data/known_diffs.txt"

pairs=0 same=0 lines=0 nonempty=0 fail=0 knownhit=0
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

for cap in "${captures[@]}"; do
	while IFS= read -r fmt; do
		case "$fmt" in ''|'#'*) continue ;; esac
		compare "$cap" "$fmt" "$fmt"
	done < "$data/formats.txt"
	while IFS= read -r flt; do
		case "$flt" in ''|'#'*) continue ;; esac
		compare "$cap" "*%evt.num %proc.name %evt.type %fd.name" "$flt" "$flt"
	done < "$data/filters.txt"
done
for cap in "${extra[@]}"; do
	while IFS= read -r fmt; do
		case "$fmt" in ''|'#'*) continue ;; esac
		compare "$cap" "$fmt" "$fmt" "evt.type != container"
	done < "$data/formats.txt"
	while IFS= read -r flt; do
		case "$flt" in ''|'#'*) continue ;; esac
		compare "$cap" "*%evt.num %proc.name %evt.type %fd.name" "$flt" \
			"($flt) and evt.type != container"
	done < "$data/filters.txt"
done

echo "differential test: $pairs capture/format/filter runs, $same identical ($lines lines," \
     "$nonempty runs with output), $knownhit known differences, $fail unexpected"
# an empty comparison proves nothing
if [ "$nonempty" -lt $((pairs / 2)) ]; then
	echo "FAIL: too few runs produced output ($nonempty of $pairs)"
	exit 1
fi
[ "$fail" -eq 0 ]
