#!/bin/sh
# The static programs (cmake -DPDIG_STATIC=ON, as scripts/build-static.sh
# does) built into OUT_DIR, for trace.static_chroot and trace.inject: every
# library from its static archive, no dynamic section in any of the three.
# usage: static_build.sh SOURCE_DIR OUT_DIR
SRC=$1 OUT=$2
. "$(dirname "$0")/lib.sh"
CC=${CC:-cc}
for lib in c stdc++ seccomp yaml z re2; do
	[ "$($CC -print-file-name=lib$lib.a)" != "lib$lib.a" ] ||
		skip "lib$lib.a is not installed: no static build here (Debian: the -dev packages of scripts/setup.sh ship it)"
done
mkdir -p "$OUT"
if ! { cmake -S "$SRC" -B "$OUT" -DPDIG_STATIC=ON -DCMAKE_BUILD_TYPE=Release &&
	cmake --build "$OUT" -j2 --target pdig pdig-engine pdig-trace; } >"$OUT/build.log" 2>&1; then
	tail -30 "$OUT/build.log"
	bad "the static build failed (log: $OUT/build.log)"
	exit 1
fi
ok "built: $(cd "$OUT/bin" && ls pdig pdig-engine pdig-trace | tr '\n' ' ')"
if grep -q "statically linked applications requires at runtime" "$OUT/build.log"; then
	bad "a library needs glibc's shared parts at run time: $(grep -A1 "requires at runtime" "$OUT/build.log")"
else
	ok "no library that needs glibc's shared objects at run time (NSS, dlopen)"
fi
for b in pdig pdig-engine pdig-trace; do
	if command -v readelf >/dev/null 2>&1; then
		if readelf -l "$OUT/bin/$b" | grep -q INTERP || readelf -d "$OUT/bin/$b" | grep -q NEEDED; then
			bad "$b is not fully static: $(readelf -d "$OUT/bin/$b" | grep NEEDED)"
		else
			ok "$b: no interpreter, no shared library"
		fi
	fi
done
exit $fail
