#!/bin/sh
# What the last ctest run left out on this machine, and why: the tests that
# skipped as a whole (exit 77, "SKIP: ..."), and the checks skipped inside
# tests that ran (lines "skip: ...", "skipped: ...", "not checked: ...").
#   test/lib/skips.sh [BUILD_DIR]      (default: build)
# Reads BUILD_DIR/Testing/Temporary/LastTest.log, which keeps every test's
# output (ctest --output-on-failure prints only the failures').
log=${1:-build}/Testing/Temporary/LastTest.log
[ -r "$log" ] || { echo "skips.sh: no $log (run ctest first)" >&2; exit 2; }
awk '
/^[0-9]+\/[0-9]+ Testing: / { test = $3; next }
/^Output:$/ { out = 1; next }
/^<end of output>$/ { out = 0; next }
out && /^(SKIP|skip|skipped|not checked): / {
	if (!(test in seen)) { order[n++] = test; seen[test] = 1 }
	lines[test] = lines[test] "    " $0 "\n"
}
END {
	if (n == 0) { print "Nothing was skipped: every check ran."; exit }
	print "Left out on this machine (" n " test(s); the rest of each test ran unless it says SKIP):"
	for (i = 0; i < n; i++) printf "  %s\n%s", order[i], lines[order[i]]
}' "$log"
