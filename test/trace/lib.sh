# Helpers for test/trace/*.sh (sourced). Each test prints "ok: ..." or
# "FAIL: ..." per check, and exits 77 with "SKIP: reason" when this machine
# lacks what it needs.
# shellcheck shell=sh

# shellcheck disable=SC2034 # fail and RULE_SHADOW are for the sourcing script
fail=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }
skip() { echo "SKIP: $*"; exit 77; }

# need_ptrace PDIG: pdig can trace here (CAP_SYS_PTRACE, seccomp, Linux >= 5.3)
need_ptrace() {
	_e=$("$1" -q -w /dev/null -- true 2>&1) || skip "pdig cannot trace on this machine: $_e"
}

# need_pidns: a new pid namespace with its own /proc (root, util-linux's unshare)
need_pidns() {
	command -v unshare >/dev/null 2>&1 || skip "unshare (util-linux) is not installed"
	unshare --pid --fork --mount-proc true 2>/dev/null ||
		skip "cannot create a pid namespace (unshare --pid --fork --mount-proc needs root)"
}

need_python() {
	command -v python3 >/dev/null 2>&1 || skip "python3 is not installed"
}

# wait_until SECONDS COMMAND...: polls every 50 ms; 0 once COMMAND succeeds
wait_until() {
	_n=$(($1 * 20))
	shift
	while [ "$_n" -gt 0 ]; do
		"$@" && return 0
		sleep 0.05
		_n=$((_n - 1))
	done
	return 1
}

# alerts FILE [RULE]: the number of JSON alerts (of RULE) in FILE; lines that
# are not JSON objects count as a failure of the caller's check (-1)
alerts() {
	python3 - "$@" <<'PY'
import json, sys
n = 0
for line in open(sys.argv[1]):
    if not line.strip():
        continue
    try:
        a = json.loads(line)
    except ValueError:
        continue
    if len(sys.argv) < 3 or a.get("rule") == sys.argv[2]:
        n += 1
print(n)
PY
}

# field FILE RULE FIELD: output_fields[FIELD] of the first alert of RULE
# ("null" when missing, "none" when no such alert)
field() {
	python3 - "$@" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    try:
        a = json.loads(line)
    except ValueError:
        continue
    if a.get("rule") == sys.argv[2]:
        v = a.get("output_fields", {}).get(sys.argv[3])
        print("null" if v is None else v)
        sys.exit(0)
print("none")
PY
}

# nonjson FILE: lines of FILE that are not JSON objects (the app's own output
# shares stdout with the alerts)
nonjson() {
	python3 - "$1" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    try:
        if isinstance(json.loads(line), dict):
            continue
    except ValueError:
        pass
    sys.stdout.write(line)
PY
}

# produced FILE: "EVENTS DROPPED" from pdig -v's counters line in FILE
produced() {
	sed -n 's/^pdig: [0-9]* stops, \([0-9]*\) events; dropped: \([0-9]*\) (ring full).*/\1 \2/p' "$1"
}

# engine_read FILE: "READ DROPPED" from the engine's ring report in FILE
engine_read() {
	sed -n 's/^pdig-engine: ring: \([0-9]*\) events read, \([0-9]*\) dropped by producers.*/\1 \2/p' "$1"
}

# shellcheck disable=SC2034
RULE_SHADOW="pdig sensitive file read by untrusted program"
