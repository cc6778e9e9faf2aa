#!/bin/sh
# Detection scenarios, live: for each rule set (pdig's default rules, then
# Falco's stable rules), each scenario of attacks/ and benign/ runs under
# pdig with a pdig-engine on a private ring (--listen/--connect), its
# alerts collected as JSON and compared with what the scenario expects.
#
# usage: run.sh PDIG ENGINE RULES_DIR FALCO_RULES_YAML [NAME...]
#
# A scenario is a sh file with
#   run()     what is traced (the entrypoint is `sh -c ". FILE; run"`, in a
#             scratch folder $W; $SCEN is the scenarios' folder)
#   setup()   optional, untraced, as root in a private mount namespace (a
#             tmpfs over /var/log and the like: the machine is not changed)
#   # needs: WORD...          root, mountns (setup() needs it), python3,
#                             or a command (cc, make, ...); else not run
#   # default: RULE = N [~ REGEX]   the alerts of pdig's default rules
#   # falco: RULE = N [~ REGEX]     the alerts of Falco's stable rules
# N alerts of RULE, each matching REGEX (extended) when given; any other
# alert is a false positive. No line for a set: no alert at all.
#
# Per set: TP (expected alerts raised), FN (expected, missing), FP
# (alerts no scenario expects), and the attacks detected (every expected
# alert raised) among those run; an attack no rule of the set covers
# expects nothing and is listed. Exit 1 on any difference, 77 when nothing
# could run.
set -u
if [ $# -lt 4 ]; then
	echo "usage: $0 PDIG ENGINE RULES_DIR FALCO_RULES_YAML [NAME...]" >&2
	exit 2
fi
PDIG=$(realpath "$1") ENGINE=$(realpath "$2") RULES=$(realpath "$3") FALCO=$4
shift 4
SCEN=$(cd "$(dirname "$0")" && pwd)
export SCEN PDIG
T=$(mktemp -d) || exit 1
eng=
trap '[ -n "$eng" ] && kill "$eng" 2>/dev/null; rm -rf "$T"' EXIT
. "$SCEN/../lib/probe.sh"
pd_need trace

PY=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null) || PY=
export PY
have() {
	case $1 in
	root) [ "$(id -u)" -eq 0 ] ;;
	mountns) [ "$(id -u)" -eq 0 ] && unshare -m true 2>/dev/null ;;
	python3) [ -n "$PY" ] && [ -x "$PY" ] ;;
	pty) pd_have pty ;;
	*) command -v "$1" >/dev/null 2>&1 ;;
	esac
}

sets="default falco"
[ -f "$FALCO" ] || { echo "skip: Falco's rules: $FALCO is not there"; sets=default; }
files=
for d in attacks benign; do
	for f in "$SCEN/$d"/*.sh; do
		n=$(basename "$f" .sh)
		if [ $# -gt 0 ]; then
			case " $* " in *" $n "*) ;; *) continue ;; esac
		fi
		files="$files $f"
	done
done

fail=0 ran=0 notrun=0

# live SET FILE OUT: the scenario under pdig, the engine's JSON alerts in OUT
live() {
	rules=$RULES
	[ "$1" = falco ] && rules=$FALCO
	sock=$T/engine.sock
	rm -f "$sock"
	"$ENGINE" -r "$rules" --listen "$sock" --exit-with-producer --json -o rule_matching=all \
		>"$3" 2>"$3.err" &
	eng=$!
	i=0
	while [ ! -S "$sock" ] && [ $i -lt 200 ] && kill -0 "$eng" 2>/dev/null; do
		sleep 0.05
		i=$((i + 1))
	done
	if [ ! -S "$sock" ]; then
		echo "FAIL: the engine did not listen: $(cat "$3.err")"
		return 1
	fi
	rm -rf "$T/w" && mkdir "$T/w"
	ns=
	! grep -q '^setup()' "$2" || ns="unshare -m"
	(cd "$T/w" && W=$T/w SOCK=$sock F=$2 $ns sh -c '
		. "$F"
		if command -v setup >/dev/null 2>&1; then setup || exit 3; fi
		exec "$PDIG" -q --connect "$SOCK" -- sh -c ". \"\$0\"; run" "$F"' \
		</dev/null >"$3.out" 2>"$3.perr")
	rc=$?
	# no other producer will come: the engine ends once the ring is read
	# (at once when pdig never started)
	kill -USR1 "$eng" 2>/dev/null
	wait "$eng"
	erc=$?
	eng=
	[ $rc -ne 3 ] || { echo "FAIL: setup failed: $(tail -3 "$3.perr")"; return 1; }
	[ $erc -eq 0 ] || { echo "FAIL: the engine exited $erc: $(tail -3 "$3.err")"; return 1; }
	return 0
}

for set in $sets; do
	tp=0 fn=0 fp=0 nscen=0 natt=0 ndet=0 nocover=
	for f in $files; do
		n=$(basename "$f" .sh) kind=$(basename "$(dirname "$f")")
		miss=
		for w in $(sed -n 's/^# needs: //p' "$f"); do
			have "$w" || miss="$miss $w"
		done
		if [ -n "$miss" ]; then
			echo "not run: $set $kind/$n: needs$miss"
			notrun=$((notrun + 1))
			continue
		fi
		out=$T/$set.$n.json
		live "$set" "$f" "$out" || { fail=1; continue; }
		nscen=$((nscen + 1)) ran=$((ran + 1))
		bad=
		# the expected alerts
		sed -n "s/^# $set: //p" "$f" >"$T/want"
		: >"$T/expected_rules"
		while IFS= read -r line; do
			rule=$(printf '%s' "$line" | sed 's/ = [0-9]*.*//')
			want=$(printf '%s' "$line" | sed 's/.* = \([0-9]*\).*/\1/')
			re=$(printf '%s' "$line" | sed -n 's/.* = [0-9]* ~ //p')
			echo "$rule" >>"$T/expected_rules"
			got=$(grep -F "\"rule\":\"$rule\"" "$out" | grep -cE -- "${re:-.}")
			if [ "$got" -ge "$want" ]; then
				tp=$((tp + want))
			else
				fn=$((fn + want - got))
				bad="$bad; missing $((want - got)) of '$rule'${re:+ ~ $re}"
			fi
			# more of an expected rule than expected: false positives
			all=$(grep -cF "\"rule\":\"$rule\"" "$out")
			[ "$all" -le "$want" ] || { fp=$((fp + all - want)); bad="$bad; $((all - want)) more '$rule'"; }
		done <"$T/want"
		# alerts of rules the scenario does not expect
		sed -n 's/.*"rule":"\([^"]*\)".*/\1/p' "$out" | sort | uniq -c >"$T/got"
		while read -r cnt rule; do
			grep -qxF "$rule" "$T/expected_rules" && continue
			fp=$((fp + cnt))
			bad="$bad; unexpected $cnt '$rule'"
		done <"$T/got"
		if [ "$kind" = attacks ]; then
			natt=$((natt + 1))
			if [ ! -s "$T/want" ]; then
				nocover="$nocover $n"
			elif [ -z "$bad" ]; then
				ndet=$((ndet + 1))
			fi
		fi
		if [ -n "$bad" ]; then
			echo "FAIL: $set $kind/$n${bad}"
			sed 's/^/    /' "$out" | cut -c1-300
			fail=1
		else
			echo "ok: $set $kind/$n: $(grep -c . "$out") alert(s) as expected"
		fi
	done
	echo "SUMMARY $set: $nscen scenarios, TP $tp, FN $fn, FP $fp; attacks detected $ndet of $natt${nocover:+ (no rule in the set for:$nocover)}"
done
if [ $ran -eq 0 ]; then
	echo "SKIP: no scenario could run here"
	exit 77
fi
exit $fail
