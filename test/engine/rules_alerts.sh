#!/bin/sh
# End-to-end alerts: real programs run under pdig, their captures replayed by
# the rules mode with Falco's stable rules; each scenario must fire its rule
# exactly once, and benign activity nothing.
#
# usage: rules_alerts.sh PDIG ENGINE_RULES FALCO_RULES.yaml [MORE_RULES.yaml]
# Exits 77 when the stable rules are absent or the machine refuses what pdig
# needs (ptrace, seccomp: test/lib/probe.sh).
# A scenario whose rule pdig-engine must skip (a field it lacks) is listed
# as "not checked" with the reason, never counted as a pass.
set -u
PDIG=$(realpath "$1") ENGINE=$(realpath "$2") RULES=$3 EXTRA=${4:-}
if [ ! -f "$RULES" ]; then
	echo "SKIP: $RULES is absent (the shared rule sets sit in ../shared beside the checkout)"
	exit 77
fi
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/../lib/probe.sh"
if ! "$PDIG" -q -w "$T/probe.scap" -- true 2>"$T/probe.err"; then
	pd_need trace # what pdig needs, asked natively: exits 77 if missing
	echo "FAIL: pdig cannot trace, though ptrace and seccomp work natively here: $(cat "$T/probe.err")"
	exit 1
fi
"$ENGINE" -r "$RULES" ${EXTRA:+-r "$EXTRA"} --list-rules >"$T/rules.txt" 2>/dev/null

fail=0 pass=0 unchecked=0
# scenario NAME RULE COUNT COMMAND
scenario() {
	name=$1 rule=$2 want=$3
	shift 3
	if [ -n "$rule" ] && ! grep -q "^active .* $rule\$" "$T/rules.txt"; then
		echo "not checked: $name: rule '$rule' is not active ($(grep " $rule\$" "$T/rules.txt" | cut -c1-8 | tr -d ' '))"
		unchecked=$((unchecked + 1))
		return
	fi
	mkdir -p "$T/work"
	(cd "$T/work" && "$PDIG" -q -w "$T/$name.scap" -- sh -c "$*") >/dev/null 2>&1
	"$ENGINE" -r "$RULES" ${EXTRA:+-r "$EXTRA"} -e "$T/$name.scap" --json -o rule_matching=all \
		>"$T/$name.json" 2>"$T/$name.err"
	rc=$?
	if [ $rc -ne 0 ]; then
		echo "FAIL: $name: pdig-engine exited $rc: $(tail -3 "$T/$name.err")"
		fail=$((fail + 1))
		return
	fi
	total=$(grep -c . "$T/$name.json")
	if [ -z "$rule" ]; then
		got=$total
	else
		got=$(grep -c "\"rule\":\"$rule\"" "$T/$name.json")
	fi
	# TOTAL: alerts of all rules together, when another rule rightly fires too
	if [ "$got" -ne "$want" ] || { [ -n "$rule" ] && [ "$total" -ne "${TOTAL:-$want}" ]; }; then
		echo "FAIL: $name: want $want alert(s) of '${rule:-any rule}', got $got (of $total):"
		sed 's/^/    /' "$T/$name.json" | cut -c1-300
		fail=$((fail + 1))
	else
		echo "ok: $name: $got alert(s) ${rule:+of '$rule'}"
		pass=$((pass + 1))
	fi
}

scenario benign "" 0 'ls / >/dev/null; cat /etc/hostname >/dev/null; echo hi >f; mv f g; rm g'
scenario symlink "Create Symlink Over Sensitive Files" 1 'ln -s /etc/shadow l1; rm -f l1'
scenario hardlink "Create Hardlink Over Sensitive Files" 1 'ln /etc/shadow h1 2>/dev/null || ln /etc/hostname h1; rm -f h1'
scenario private_keys "Search Private Keys or Passwords" 1 'find /nonexistent -name id_rsa 2>/dev/null; true'
scenario bulk_remove "Remove Bulk Data from Disk" 1 'echo a >y; shred -u y'
# reading /etc/shadow and writing below /var/log need root
if pd_have root; then
	scenario read_shadow "Read sensitive file untrusted" 1 'cat /etc/shadow >/dev/null'
	scenario clear_log "Clear Log Activities" 1 'f=/var/log/pdig-rules-test.$$.log; echo x >>$f && : >$f; rm -f $f'
else
	pd_skip "read_shadow and clear_log" "their rules fire on successful opens only, which only root can make here"
fi
scenario memfd "Fileless execution via memfd_create" 1 \
	'python3 -c "import os; fd = os.memfd_create(\"x\"); os.write(fd, open(\"/bin/true\", \"rb\").read()); os.execv(\"/proc/self/fd/%d\" % fd, [\"x\"])"'
if [ -n "$EXTRA" ]; then
	# PTRACE_TRACEME also fires Falco's "PTRACE anti-debug attempt"
	TOTAL=2 scenario pdig_ptrace "pdig ptrace by a traced program" 1 \
		'python3 -c "import ctypes; ctypes.CDLL(None).ptrace(0, 0, 0, 0)"'
fi

echo "$pass passed, $fail failed, $unchecked not checked (rules pdig-engine skips)"
[ $fail -eq 0 ]
