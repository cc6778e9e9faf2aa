#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite through ctest.
# Exits non-zero on any failure. Works from any directory, and twice in a row.
#   scripts/test.sh          the default run: every test but those labelled
#                            "full" (longer variants of the same checks)
#   scripts/test.sh --full   every test (test/README.md)
# Ends with what was left out on this machine and why (test/lib/skips.sh).
set -euo pipefail
labels=(-LE full)
case ${1:-} in
--full) labels=() ;;
"") ;;
*) echo "usage: $0 [--full]" >&2; exit 2 ;;
esac
. "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

pdig_install_missing
pdig_build

# The libFuzzer targets (capture reader, rules loader and condition parser),
# built with clang, each run for a few seconds over its corpus.
if command -v clang >/dev/null; then
  FUZZ_BUILD=$PDIG_ROOT/build-fuzz
  CC=clang cmake -S "$PDIG_ROOT" -B "$FUZZ_BUILD" -DPDIG_FUZZ=ON \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build "$FUZZ_BUILD" -j"$(nproc)" --target fuzz_scap_reader fuzz_rules
  (cd "$FUZZ_BUILD" && ctest --output-on-failure -R '^fuzz\.')
else
  echo "pdig: clang is missing: the fuzz targets are not run (apt-get install clang libclang-rt-14-dev)"
fi

cd "$PDIG_BUILD"
rc=0
ctest --output-on-failure -j"$(nproc)" --timeout 900 ${labels[@]+"${labels[@]}"} || rc=$?
sh "$PDIG_ROOT/test/lib/skips.sh" "$PDIG_BUILD" || true
exit $rc
