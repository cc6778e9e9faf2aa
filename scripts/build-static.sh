#!/usr/bin/env bash
# Fully static pdig, pdig-engine and pdig-trace, for images whose libc is
# unknown (Alpine, distroless, scratch): every library from its static
# archive (libseccomp, libyaml, zlib, libre2, libstdc++, glibc), no
# dynamic loader needed. Copy the three into the image, side by side; the
# default rules are built into pdig-trace (trace/README.md).
#
# usage: scripts/build-static.sh [BUILD_DIR]   (default: build-static)
# The programs land in BUILD_DIR/bin. Debian's -dev packages of
# scripts/setup.sh ship the static archives.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=${1:-$ROOT/build-static}
cmake -S "$ROOT" -B "$OUT" -DPDIG_STATIC=ON -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$OUT" -j"$(nproc)" --target pdig pdig-engine pdig-trace
cp "$ROOT/trace/pdig-inject" "$OUT/bin/"
echo "static programs in $OUT/bin: pdig pdig-engine pdig-trace (and the pdig-inject script)"
