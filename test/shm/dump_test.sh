#!/bin/sh
# pdig-dump: exact output on a known capture, then every error a user can
# meet (bad usage, missing file, not a capture, a file cut short).
# usage: dump_test.sh PDIG_DUMP DUMP_SAMPLE EXPECTED
dump=$1
sample=$2
expected=$3
dir=$(mktemp -d) || exit 1
trap 'rm -rf "$dir"' EXIT
fails=0
fail() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}

# expect STATUS PATTERN [ARGS...]: pdig-dump exits with STATUS and its
# stderr matches the extended regex PATTERN.
expect() {
	want=$1
	pattern=$2
	shift 2
	"$dump" "$@" >"$dir/out" 2>"$dir/err"
	got=$?
	[ "$got" = "$want" ] || fail "pdig-dump $*: exit $got, wanted $want; stderr: $(cat "$dir/err")"
	grep -Eq -- "$pattern" "$dir/err" || fail "pdig-dump $*: stderr lacks /$pattern/: $(cat "$dir/err")"
}

"$sample" "$dir/s.scap" || { echo "FAIL: dump_sample could not write the capture"; exit 1; }

"$dump" --meta "$dir/s.scap" >"$dir/meta.txt" 2>"$dir/err" || fail "pdig-dump --meta: exit $?: $(cat "$dir/err")"
[ -s "$dir/err" ] && fail "pdig-dump --meta wrote to stderr: $(cat "$dir/err")"
diff -u "$expected" "$dir/meta.txt" || fail "pdig-dump --meta output differs from $expected"

# the same capture after a trip through sysdig (read, then written by
# libscap) must dump the same: our reader on sysdig's own output
if command -v sysdig >/dev/null 2>&1; then
	if sysdig -r "$dir/s.scap" -w "$dir/sysdig.scap" >/dev/null 2>"$dir/err"; then
		"$dump" --meta "$dir/sysdig.scap" >"$dir/meta2.txt" 2>"$dir/err" ||
			fail "pdig-dump on sysdig's copy: exit $?: $(cat "$dir/err")"
		diff -u "$expected" "$dir/meta2.txt" || fail "pdig-dump differs on sysdig's copy of the capture"
	else
		fail "sysdig could not copy the capture: $(cat "$dir/err")"
	fi
else
	echo "note: sysdig not installed, skipping the check on a sysdig-written capture"
fi

# -n: the first N events, no metadata
"$dump" -n 2 "$dir/s.scap" >"$dir/two.txt" || fail "pdig-dump -n 2: exit $?"
grep '^[0-9]' "$expected" | head -n 2 | diff -u - "$dir/two.txt" || fail "pdig-dump -n 2 output"
"$dump" -n 0 "$dir/s.scap" >"$dir/none.txt" || fail "pdig-dump -n 0: exit $?"
[ -s "$dir/none.txt" ] && fail "pdig-dump -n 0 printed events"

# bad usage: exit 2 with the usage text
expect 2 'no capture file given' 
expect 2 'usage: pdig-dump' -n
expect 2 '-n needs a number' -n ten "$dir/s.scap"
expect 2 '-n needs a number' -n -3 "$dir/s.scap"
expect 2 'unknown option --bogus' --bogus "$dir/s.scap"
expect 2 'give one capture file' "$dir/s.scap" "$dir/s.scap"
"$dump" --help >"$dir/out" 2>&1 || fail "pdig-dump --help: exit $?"
grep -q 'usage: pdig-dump' "$dir/out" || fail "pdig-dump --help prints no usage"

# files that are not captures, or not whole
expect 1 "$dir/missing.scap" "$dir/missing.scap"
[ -s "$dir/out" ] && fail "pdig-dump on a missing file printed events"
: >"$dir/empty.scap"
expect 1 'empty\.scap: .*offset 0' "$dir/empty.scap"
printf 'this is not a capture file, just some text that goes on a while\n' >"$dir/text.scap"
expect 1 'text\.scap: .*offset 0' "$dir/text.scap"
size=$(wc -c <"$dir/s.scap")
head -c $((size - 10)) "$dir/s.scap" >"$dir/cut.scap"
expect 1 'cut\.scap: .*offset [1-9][0-9]*' "$dir/cut.scap"
# what came before the cut is still printed
events=$(grep -c '^[0-9]' "$expected")
grep '^[0-9]' "$expected" | head -n $((events - 1)) | diff -u - "$dir/out" ||
	fail "pdig-dump on a cut file lost the events before the cut"

# damage in the middle of the file: the last block's closing length
cp "$dir/s.scap" "$dir/bad.scap"
printf '\377\377\377\377' | dd of="$dir/bad.scap" bs=1 seek=$((size - 4)) conv=notrunc 2>/dev/null
expect 1 'bad\.scap: offset [1-9][0-9]*: .*(after [0-9]+ events)' "$dir/bad.scap"
grep '^[0-9]' "$expected" | head -n $((events - 1)) | diff -u - "$dir/out" ||
	fail "pdig-dump on a damaged file lost the events before the damage"

if [ "$fails" -ne 0 ]; then
	echo "$fails check(s) failed"
	exit 1
fi
echo "PASS: pdig-dump output and error handling"
