#!/bin/bash
# Bad input never crashes pdig-engine: threads never seen, empty values,
# truncated and corrupted captures (run under ASan+UBSan), bad filters and
# formats (one clear message with the column).
#   robust.sh ENGINE GEN_CAPTURE
set -u
engine=$1 gen=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
check() { # description, condition result
	if [ "$2" -ne 0 ]; then
		echo "FAIL: $1"
		fail=$((fail + 1))
	fi
}

# a thread never seen: the tid and its fds are real, the rest is not available
"$gen" unknown "$tmp/unknown.scap" || exit 1
out=$("$engine" -e "$tmp/unknown.scap" -p '*%evt.num %thread.tid %proc.name %proc.pid %user.name %fd.name')
echo "$out" | grep -qx '2 4242 <NA> <NA> <NA> /etc/motd'; check "unknown thread: open exit" $?
echo "$out" | grep -qx '3 4242 <NA> <NA> <NA> /etc/motd'; check "unknown thread keeps its fds" $?
echo "$out" | grep -qx '5 9999 <NA> <NA> <NA> <NA>'; check "unknown thread: procexit" $?
# without '*', lines with a missing field are not printed at all
n=$("$engine" -e "$tmp/unknown.scap" -p '%evt.num %proc.name' | wc -l)
[ "$n" -eq 2 ]; check "lines with <NA> are skipped without '*' (got $n)" $?

# empty values render as such, and no fd is made up for a nameless open
"$gen" empty "$tmp/empty.scap" || exit 1
out=$("$engine" -e "$tmp/empty.scap" -p '*%evt.num %evt.type %fd.num %fd.name')
[ "$(echo "$out" | wc -l)" -eq 4 ]; check "empty values: all events shown" $?

# damaged captures: a clear error, never a crash
"$gen" files "$tmp/files.scap" || exit 1
size=$(stat -c %s "$tmp/files.scap")
for cut in 10 100 700 1500 2500 $((size - 3)); do
	head -c "$cut" "$tmp/files.scap" >"$tmp/cut.scap"
	"$engine" -e "$tmp/cut.scap" -p '*%evt.num %fd.name' >/dev/null 2>"$tmp/err"
	rc=$?
	[ "$rc" -lt 2 ]; check "truncated at $cut: exit $rc ($(head -c 200 "$tmp/err"))" $?
done
for seed in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16; do
	cp "$tmp/files.scap" "$tmp/bad.scap"
	# overwrite a few bytes past the section header
	off=$(( (seed * 7919) % (size - 200) + 100 ))
	printf '\xff\x7f\x00\x13' | dd of="$tmp/bad.scap" bs=1 seek="$off" conv=notrunc 2>/dev/null
	"$engine" -e "$tmp/bad.scap" -p '*%evt.num %evt.args %fd.name' >/dev/null 2>"$tmp/err"
	rc=$?
	[ "$rc" -lt 2 ]; check "corrupted at $off: exit $rc ($(head -c 200 "$tmp/err"))" $?
done
"$engine" -e "$tmp/none.scap" >/dev/null 2>"$tmp/err"
[ $? -eq 1 ] && grep -q "cannot read" "$tmp/err"; check "missing file: clear error" $?

# bad filters and formats: one message pointing at the column
"$engine" -e "$tmp/files.scap" 'evt.type = open and proc.nme = x' >/dev/null 2>"$tmp/err"
[ $? -eq 1 ] && grep -q "filter:1:21: unknown field 'proc.nme'" "$tmp/err" && grep -q '^                      \^' "$tmp/err"
check "bad filter message: $(cat "$tmp/err")" $?
"$engine" -e "$tmp/files.scap" 'evt.type = (open' >/dev/null 2>"$tmp/err"
[ $? -eq 1 ] && grep -q "filter:1:" "$tmp/err"; check "bad filter syntax: $(cat "$tmp/err")" $?
"$engine" -e "$tmp/files.scap" -p '%proc.nam' >/dev/null 2>"$tmp/err"
[ $? -eq 1 ] && grep -q "format:1: invalid formatting token" "$tmp/err"; check "bad format: $(cat "$tmp/err")" $?

"$engine" --list | grep -q '^fd.name .*(Type: CHARBUF)'; check "--list shows fields with types" $?

[ "$fail" -eq 0 ] && echo "robustness: all checks passed"
[ "$fail" -eq 0 ]
