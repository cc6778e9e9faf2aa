#!/usr/bin/env bash
# Installs what is missing, builds, then runs the main job: pdig traces a small
# sample application, the engine reads what it saw, and shows the alerts.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

pdig_install_missing
pdig_build
BIN=$PDIG_BUILD/bin
OUT=$(mktemp -d /tmp/pdig-demo.XXXXXX)
trap 'rm -rf "$OUT"' EXIT

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "1. pdig traces a sample application (examples/demo-app.sh) into a capture file"
status=0
"$BIN/pdig" -v -w "$OUT/demo.scap" -- "$PDIG_ROOT/examples/demo-app.sh" || status=$?
echo "the application exited with status $status under pdig (it exits 3 natively)"

step "2. the first events, as pdig-dump prints them"
"$BIN/pdig-dump" -n 12 "$OUT/demo.scap" | cut -c1-160

FMT='%evt.num %proc.name (pid %proc.pid, parent %proc.pname) %evt.type %fd.name'
step "3. the engine rebuilds process and fd state: files opened below /etc"
"$BIN/pdig-engine" -e "$OUT/demo.scap" -p "$FMT" \
  "evt.type in (open, openat, openat2) and evt.dir=< and fd.name startswith /etc"

if command -v sysdig >/dev/null; then
  step "4. the same question asked of sysdig 0.29.3, reading pdig's capture"
  sysdig -r "$OUT/demo.scap" -p "$FMT" \
    "evt.type in (open, openat, openat2) and evt.dir=< and fd.name startswith /etc"
fi

step "5. Falco rules on the same events: alerts"
"$BIN/pdig-engine" -r "$PDIG_ROOT/rules" -e "$OUT/demo.scap"
