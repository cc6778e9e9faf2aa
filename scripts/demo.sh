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

RING=/pdig-demo-$$
step "1. live: pdig traces a sample application (examples/demo-app.sh); pdig-engine,"
echo "   a separate process, reads its events from shared memory and applies the"
echo "   default rules (rules/): the alerts below are printed as they happen"
"$BIN/pdig-engine" -r "$PDIG_ROOT/rules" --ring="$RING" --idle-exit 1500 &
engine=$!
for _ in $(seq 50); do [ -e "/dev/shm$RING" ] && break; sleep 0.1; done
status=0
"$BIN/pdig" -v --ring "$RING" -w "$OUT/demo.scap" -- "$PDIG_ROOT/examples/demo-app.sh" || status=$?
wait "$engine" || true
echo "the application exited with status $status under pdig (it exits 3 natively)"

step "2. the same events were also written to a capture file; the first ones, by pdig-dump"
"$BIN/pdig-dump" -n 12 "$OUT/demo.scap" | cut -c1-160

FMT='%evt.num %proc.name (pid %proc.pid, parent %proc.pname) %evt.type %fd.name'
FILTER='evt.type in (open, openat, openat2) and evt.dir=< and fd.name startswith /etc'
step "3. the engine replays the capture: files opened below /etc, by which process"
"$BIN/pdig-engine" -e "$OUT/demo.scap" -p "$FMT" "$FILTER"

if command -v sysdig >/dev/null; then
  step "4. the same question asked of sysdig 0.29.3, reading pdig's capture"
  sysdig -r "$OUT/demo.scap" -p "$FMT" "$FILTER"
fi
