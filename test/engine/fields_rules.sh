#!/bin/sh
# The fields Falco's stable rules need, end to end: the stable set loads with
# no rule skipped for a missing field, and real programs under pdig fire the
# rules that depend on the fields added for them (fd.nameraw, the enter
# event's parameters on ptrace's exit, proc.is_exe_from_memfd), each once.
#
# usage: fields_rules.sh PDIG ENGINE_RULES FALCO_RULES.yaml
# Exits 77 when the stable rules are absent or the machine refuses what pdig
# needs (ptrace, seccomp: test/lib/probe.sh).
set -u
PDIG=$(realpath "$1") ENGINE=$(realpath "$2") RULES=$3
if [ ! -f "$RULES" ]; then
	echo "SKIP: $RULES is absent (the shared rule sets sit in ../shared beside the checkout)"
	exit 77
fi
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT
fail=0 pass=0

# 1. every rule loads: a field pdig-engine lacks would skip its rule
"$ENGINE" -V "$RULES" >"$T/validate.txt" 2>&1
if grep -q 'is not supported by pdig-engine' "$T/validate.txt"; then
	echo "FAIL: rules skipped for fields pdig-engine lacks:"
	grep 'is not supported by pdig-engine' "$T/validate.txt" | sed 's/^/    /'
	fail=$((fail + 1))
else
	echo "ok: $(basename "$RULES"): no rule skipped for a missing field"
	pass=$((pass + 1))
fi

. "$(dirname "$0")/../lib/probe.sh"
if ! "$PDIG" -q -w "$T/probe.scap" -- true 2>"$T/probe.err"; then
	if ! pd_have trace; then
		echo "SKIP: $PD_WHY"
		[ $fail -eq 0 ] && exit 77
		exit 1
	fi
	echo "FAIL: pdig cannot trace, though ptrace and seccomp work natively here: $(cat "$T/probe.err")"
	exit 1
fi

# 2. programs whose alerts need the new fields
# scenario NAME RULE COUNT COMMAND
scenario() {
	name=$1 rule=$2 want=$3
	shift 3
	mkdir -p "$T/work/a/b"
	(cd "$T/work/a/b" && "$PDIG" -q -w "$T/$name.scap" -- sh -c "$*") >/dev/null 2>&1
	"$ENGINE" -r "$RULES" -e "$T/$name.scap" --json -o rule_matching=all \
		>"$T/$name.json" 2>"$T/$name.err"
	rc=$?
	if [ $rc -ne 0 ]; then
		echo "FAIL: $name: pdig-engine exited $rc: $(tail -3 "$T/$name.err")"
		fail=$((fail + 1))
		return
	fi
	got=$(grep -c "\"rule\":\"$rule\"" "$T/$name.json")
	if [ "$got" -eq "$want" ]; then
		echo "ok: $name: $got alert(s) of '$rule'"
		pass=$((pass + 1))
	else
		echo "FAIL: $name: want $want alert(s) of '$rule', got $got; all alerts:"
		sed 's/.*"rule":"\([^"]*\)".*/    \1/' "$T/$name.json"
		fail=$((fail + 1))
	fi
}

# fd.nameraw keeps the "../" the program wrote; exec so that the parent is
# not a shell (the rule leaves shells' children out)
scenario traversal "Directory traversal monitored file read" 1 \
	'exec python3 -c "open(\"../../../../../../../../etc/passwd\").read()"'
# ptrace's request is a parameter of the enter event only: exit-only
# evaluation needs it from there
scenario ptrace_attach "PTRACE attached to process" 1 \
	'python3 -c "import ctypes; ctypes.CDLL(None).ptrace(16, 1, 0, 0)"'
scenario ptrace_traceme "PTRACE anti-debug attempt" 1 \
	'python3 -c "import ctypes; ctypes.CDLL(None).ptrace(0, 0, 0, 0)"'
# fexecve of a memfd: the executable is not on disk
scenario memfd "Fileless execution via memfd_create" 1 \
	'python3 -c "import os; fd = os.memfd_create(\"x\"); os.write(fd, open(\"/bin/true\", \"rb\").read()); os.execv(\"/proc/self/fd/%d\" % fd, [\"x\"])"'
# and the same program run from its file is not
scenario not_memfd "Fileless execution via memfd_create" 0 \
	'python3 -c "import os; os.execv(\"/bin/true\", [\"x\"])"'

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
