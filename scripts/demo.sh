#!/usr/bin/env bash
# Installs what is missing, builds, then runs the main job as a Fargate user
# would: pdig-trace in front of a small application's entrypoint, the
# default rules, alerts as they happen, then a summary (events, drops, rules
# fired, the cost against the same run without pdig). Then the same events
# read back from a capture file, by pdig-engine and by sysdig.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

pdig_install_missing
pdig_build
BIN=$PDIG_BUILD/bin
APP=$PDIG_ROOT/examples/demo-app.sh
OUT=$(mktemp -d /tmp/pdig-demo.XXXXXX)
trap 'rm -rf "$OUT"' EXIT

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
now_ns() { date +%s%N; }
# One alert a line, from pdig-trace's Falco JSON, as it comes.
show_alerts() {
	python3 -u -c '
import json, sys
for line in sys.stdin:
    sys.stdout.write(line if len(sys.argv) < 2 else "")
    a = json.loads(line)
    f = a.get("output_fields", {})
    print("  ALERT %-8s %s\n         %s (pid %s, parent %s, container %s)" % (
        a["priority"], a["rule"], f.get("proc.cmdline") or f.get("proc.name"),
        f.get("proc.pid"), f.get("proc.pname"), f.get("container.id")), flush=True)
' "$@"
}

step "1. the entrypoint under pdig-trace, as in a container on Fargate"
echo "   \$ pdig-trace -- examples/demo-app.sh"
echo "   (pdig-engine starts first with the default rules built in, then pdig runs the"
echo "   application and hands the engine its events through shared memory; alerts are"
echo "   Falco's JSON on stdout, shown here one a line as they come)"
status=0
"$BIN/pdig-trace" -- "$APP" 2> "$OUT/trace.err" | tee "$OUT/alerts.json" | show_alerts quiet ||
	status=${PIPESTATUS[0]}
echo "   the application exited with status $status under pdig-trace (it exits 3 natively)"

step "2. summary"
# the same application without pdig, for the cost (median of 3 runs each)
median() { sort -n | sed -n 2p; }
native=$(for _ in 1 2 3; do a=$(now_ns); "$APP" || true; b=$(now_ns); echo $((b - a)); done | median)
traced=$(for _ in 1 2 3; do a=$(now_ns); "$BIN/pdig-trace" -- "$APP" >/dev/null 2>&1 || true
	b=$(now_ns); echo $((b - a)); done | median)
# what pdig-trace costs around any command: the engine loading the rules,
# the drain at the end
fixed=$(for _ in 1 2 3; do a=$(now_ns); "$BIN/pdig-trace" -- true >/dev/null 2>&1 || true
	b=$(now_ns); echo $((b - a)); done | median)
read -r events drops <<<"$(sed -n 's/^pdig-engine: ring: \([0-9]*\) events read, \([0-9]*\) dropped by producers.*/\1 \2/p' "$OUT/trace.err" | tail -1)"
echo "   events seen by the engine: ${events:-?}; dropped: ${drops:-?}"
echo "   alerts: $(wc -l < "$OUT/alerts.json"), by rule:"
sed -n 's/^   \(.*\): \([0-9]*\)$/     \2  \1/p' "$OUT/trace.err"
awk -v n="$native" -v t="$traced" -v f="$fixed" 'BEGIN {
	a = t - f; if (a < 0) a = 0
	printf "   time (medians of 3 runs): %.0f ms natively, %.0f ms under pdig-trace, of which\n", n / 1e6, t / 1e6
	printf "   %.0f ms is pdig-trace around any command (the engine loading its rules, the\n", f / 1e6
	printf "   drain at the end): the application itself %.0f ms, %.1fx native (it is mostly\n", a / 1e6, a / n
	printf "   starting programs: process creation is what a tracer slows most)\n" }'
echo "   the first alert as pdig-trace wrote it (one JSON object a line, Falco's keys):"
head -n 1 "$OUT/alerts.json" | cut -c1-400 | sed 's/^/     /'
grep -v '^pdig-engine: \|^   ' "$OUT/trace.err" | sed 's/^/   /' || true

step "3. the same application with pdig alone, writing a capture file; its first events, by pdig-dump"
echo "   \$ pdig -w demo.scap -- examples/demo-app.sh"
"$BIN/pdig" -w "$OUT/demo.scap" -- "$APP" || true
"$BIN/pdig-dump" -n 12 "$OUT/demo.scap" | cut -c1-160

FMT='%evt.num %proc.name (pid %proc.pid, parent %proc.pname) %evt.type %fd.name'
FILTER='evt.type in (open, openat, openat2) and evt.dir=< and fd.name startswith /etc and fd.name != /etc/ld.so.cache'
step "4. the engine replays the capture: files opened below /etc, by which process"
echo "   \$ pdig-engine -e demo.scap -p '$FMT' '$FILTER'"
"$BIN/pdig-engine" -e "$OUT/demo.scap" -p "$FMT" "$FILTER"

if command -v sysdig >/dev/null; then
	step "5. the same question asked of sysdig 0.29.3, reading pdig's capture"
	sysdig -r "$OUT/demo.scap" -p "$FMT" "$FILTER"
fi
