#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite through ctest.
# Exits non-zero on any failure. Works from any directory, and twice in a row.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

pdig_install_missing
pdig_build
cd "$PDIG_BUILD"
ctest --output-on-failure -j"$(nproc)" --timeout 900
