#!/bin/sh
# Compares shm_format's %evt.args and %evt.arg.NAME renderings with the real
# sysdig's on a capture holding every event type sysdig prints without
# state (test/shm/format_corpus.c writes the capture and our renderings).
# usage: format_sysdig_test.sh FORMAT_CORPUS [ROUNDS]
corpus=$1
rounds=${2:-25}
. "$(dirname "$0")/../lib/probe.sh"
pd_need sysdig
dir=$(mktemp -d) || exit 1
trap 'rm -rf "$dir"' EXIT
# parameter names found in many events, of many types
names="ID fd res flags name data mode uid gid sig tuple addr pid fds sigmask dirfd val interval cmd resource"
byname="*%evt.rawtime"
for n in $names; do
	byname="$byname %evt.arg.$n"
done
"$corpus" "$dir/corpus.scap" "$dir/expected.txt" "$rounds" "$dir/expected_byname.txt" $names || {
	echo "FAIL: format_corpus could not write the capture"
	exit 1
}
# ABSTIME values are rendered in local time by both sides: pin the zone.
if ! TZ=UTC sysdig -r "$dir/corpus.scap" -p "%evt.rawtime %evt.args" >"$dir/sysdig.txt" 2>"$dir/sysdig.err"; then
	echo "FAIL: sysdig could not read the capture:"
	cat "$dir/sysdig.err"
	exit 1
fi
expected=$(wc -l <"$dir/expected.txt")
got=$(wc -l <"$dir/sysdig.txt")
if [ "$expected" -lt 1000 ]; then
	echo "FAIL: only $expected events in the corpus"
	exit 1
fi
if ! diff "$dir/expected.txt" "$dir/sysdig.txt" >"$dir/diff.txt"; then
	echo "FAIL: shm_format (<) and sysdig (>) differ ($expected events written, sysdig printed $got):"
	head -40 "$dir/diff.txt"
	exit 1
fi
if ! TZ=UTC sysdig -r "$dir/corpus.scap" -p "$byname" >"$dir/sysdig_byname.txt" 2>"$dir/sysdig.err"; then
	echo "FAIL: sysdig could not read the capture:"
	cat "$dir/sysdig.err"
	exit 1
fi
if ! diff "$dir/expected_byname.txt" "$dir/sysdig_byname.txt" >"$dir/diff.txt"; then
	echo "FAIL: shm_fmt_arg (<) and sysdig's %evt.arg.NAME (>) differ for: $names"
	head -40 "$dir/diff.txt"
	exit 1
fi
# uncut buffers: as "sysdig -v" and Falco print them
"$corpus" -v "$dir/corpus_v.scap" "$dir/expected_v.txt" "$rounds" || {
	echo "FAIL: format_corpus -v could not write the capture"
	exit 1
}
if ! TZ=UTC sysdig -v -r "$dir/corpus_v.scap" -p "%evt.rawtime %evt.args" >"$dir/sysdig_v.txt" 2>"$dir/sysdig.err"; then
	echo "FAIL: sysdig -v could not read the capture:"
	cat "$dir/sysdig.err"
	exit 1
fi
if ! diff "$dir/expected_v.txt" "$dir/sysdig_v.txt" >"$dir/diff.txt"; then
	echo "FAIL: shm_format without a buffer cut (<) and sysdig -v (>) differ:"
	head -40 "$dir/diff.txt"
	exit 1
fi
echo "PASS: $expected events rendered exactly as sysdig renders them (%evt.args and %evt.arg.NAME, with and without -v)"
