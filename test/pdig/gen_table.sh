#!/bin/sh
# scripts/gen_syscall_table.py: the real table builds; a wrong row is refused
# with its line number and the reason; so is a missing kernel header (the -a
# rows come from it: they must not silently go).
PY=$1 GEN=$2 SRC=$3 EVENTS=$4
UNISTD=/usr/include/x86_64-linux-gnu/asm/unistd_64.h
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0
"$PY" "$GEN" "$SRC" "$EVENTS" "$tmp/t.h" "$tmp/t.c" "$UNISTD" && echo "ok: syscalls.in builds" ||
	{ echo "FAIL: syscalls.in does not build"; fail=1; }
for arg in "" "$tmp/no_such_unistd.h"; do
	out=$("$PY" "$GEN" "$SRC" "$EVENTS" "$tmp/n.h" "$tmp/n.c" $arg 2>&1)
	if [ $? != 0 ] && [ ! -e "$tmp/n.c" ]; then echo "ok: refused without the kernel header (${arg:-none given})"
	else echo "FAIL: built without the kernel header (${arg:-none given}): '$out'"; fail=1; fi
done
refused() { # row expected-message description
	printf '%s\n' "$1" > "$tmp/bad.in"
	out=$("$PY" "$GEN" "$tmp/bad.in" "$EVENTS" "$tmp/b.h" "$tmp/b.c" "$UNISTD" 2>&1)
	if [ $? != 0 ] && printf '%s' "$out" | grep -q "bad.in:1: .*$2"; then echo "ok: $3"; else
		echo "FAIL: $3: got '$out'"; fail=1; fi
}
refused "open 2 NO_SUCH_E NO_SUCH_X open exit default" "no event NO_SUCH_E" "unknown event"
refused "open 2 SYSCALL_OPEN_X SYSCALL_OPEN_E open exit default" "not an enter event" "exit event as enter"
refused "open 2 SYSCALL_OPEN_E SYSCALL_CLOSE_X open exit default" "does not follow" "mismatched pair"
refused "open 2 SYSCALL_OPEN_E SYSCALL_OPEN_X open sometimes default" "STOPS is exit or enter" "bad STOPS"
refused "open 2 SYSCALL_OPEN_E SYSCALL_OPEN_X open exit" "need NAME NR" "missing column"
refused "open 3 SYSCALL_OPEN_E SYSCALL_OPEN_X open exit default" "open is 2 in the kernel headers" "wrong number"
printf 'open 2 SYSCALL_OPEN_E SYSCALL_OPEN_X open exit default\nopen 2 SYSCALL_OPEN_E SYSCALL_OPEN_X open exit default\n' > "$tmp/dup.in"
"$PY" "$GEN" "$tmp/dup.in" "$EVENTS" "$tmp/b.h" "$tmp/b.c" "$UNISTD" 2>&1 | grep -q "dup.in:2: syscall number 2 listed twice" &&
	echo "ok: duplicate number" || { echo "FAIL: duplicate number accepted"; fail=1; }
exit $fail
