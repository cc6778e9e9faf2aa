#!/bin/sh
# Detection scenarios, live: for each rule set, each scenario of attacks/
# and benign/ runs under pdig with a pdig-engine on a private ring
# (--listen/--connect), its alerts collected as JSON and compared with what
# the scenario expects. The rule sets:
#   default     pdig's default rules (RULES_DIR)
#   falco       Falco's stable rules (FALCO_RULES_YAML)
#   incubating  Falco's stable and incubating rules, loaded together as
#               Falco users do (falco-incubating_rules.yaml, next to
#               FALCO_RULES_YAML)
#   sandbox     Falco's stable, incubating and sandbox rules
#               (falco-sandbox_rules.yaml too)
# A set whose files are missing is not run (said so).
#
# usage: run.sh PDIG ENGINE RULES_DIR FALCO_RULES_YAML [NAME...]
#
# A scenario is a sh file with
#   run()     what is traced (the entrypoint is `sh -c ". FILE; run"`, in a
#             scratch folder $W; $SCEN is the scenarios' folder)
#   setup()   optional, untraced, as root in a private mount namespace (a
#             tmpfs over /var/log and the like: the machine is not changed)
#   # needs: WORD...          root, mountns (setup() needs it), netns (the
#                             scenario, setup() and the traced run, gets
#                             a private network namespace: only a loopback
#                             interface, down until setup() brings it up),
#                             python3, pty, int80 (and the other names
#                             of test/lib/probe.sh), or a command (cc,
#                             ip, ...); else not run
#   # default: RULE = N [~ REGEX]     the alerts of pdig's default rules
#   # falco: RULE = N [~ REGEX]       the alerts of Falco's stable rules
#   # incubating: RULE = N [~ REGEX]  what Falco's incubating rules add
#   # sandbox: RULE = N [~ REGEX]     what Falco's sandbox rules add
# N alerts of RULE, each matching REGEX (extended) when given; several
# lines may name one RULE (N of each; their sum in all). Any other alert is
# a false positive. The Falco sets add up: the incubating set expects the
# falco: lines and the incubating: lines, the sandbox set all three; a
# later set's lines for a RULE replace the earlier ones (RULE = 0: none).
# No line for a set: no alert at all.
#
# Per set: TP (expected alerts raised), FN (expected, missing), FP
# (alerts no scenario expects), and the attacks detected (every expected
# alert raised) among those run; an attack no rule of the set covers
# expects nothing and is listed. Exit 1 on any difference, 77 when nothing
# could run. With SCENARIOS_KEEP=DIR the alerts stay in DIR/SET.NAME.json.
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
	netns) [ "$(id -u)" -eq 0 ] && unshare -n true 2>/dev/null ;;
	python3) [ -n "$PY" ] && [ -x "$PY" ] ;;
	pty | int80 | x32 | pidns | sysadmin | ipv6 | strace) pd_have "$1" ;;
	*) command -v "$1" >/dev/null 2>&1 ;;
	esac
}

FDIR=$(dirname "$FALCO")
INCUB=$FDIR/falco-incubating_rules.yaml SANDBOX=$FDIR/falco-sandbox_rules.yaml
sets=default
if [ ! -f "$FALCO" ]; then
	echo "skip: Falco's rule sets: $FALCO is not there"
else
	sets="default falco"
	if [ ! -f "$INCUB" ]; then
		echo "skip: Falco's incubating and sandbox sets: $INCUB is not there"
	elif [ ! -f "$SANDBOX" ]; then
		sets="$sets incubating"
		echo "skip: Falco's sandbox set: $SANDBOX is not there"
	else
		sets="$sets incubating sandbox"
	fi
fi
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
	lf=$2 lout=$3
	case $1 in
	default) set -- -r "$RULES" ;;
	falco) set -- -r "$FALCO" ;;
	incubating) set -- -r "$FALCO" -r "$INCUB" ;;
	sandbox) set -- -r "$FALCO" -r "$INCUB" -r "$SANDBOX" ;;
	esac
	sock=$T/engine.sock
	rm -f "$sock"
	"$ENGINE" "$@" --listen "$sock" --exit-with-producer --json -o rule_matching=all \
		>"$lout" 2>"$lout.err" &
	eng=$!
	i=0
	while [ ! -S "$sock" ] && [ $i -lt 200 ] && kill -0 "$eng" 2>/dev/null; do
		sleep 0.05
		i=$((i + 1))
	done
	if [ ! -S "$sock" ]; then
		echo "FAIL: the engine did not listen: $(cat "$lout.err")"
		return 1
	fi
	rm -rf "$T/w" && mkdir "$T/w"
	# setup() in a private mount namespace; the whole run in a private
	# network namespace when the scenario needs one
	ns=
	! grep -q '^setup()' "$lf" || ns="-m"
	! grep -qE '^# needs:(.* )?netns( |$)' "$lf" || ns="$ns -n"
	(cd "$T/w" && W=$T/w SOCK=$sock F=$lf ${ns:+unshare $ns} sh -c '
		. "$F"
		if command -v setup >/dev/null 2>&1; then setup || exit 3; fi
		exec "$PDIG" -q --connect "$SOCK" -- sh -c ". \"\$0\"; run" "$F"' \
		</dev/null >"$lout.out" 2>"$lout.perr")
	rc=$?
	# no other producer will come: the engine ends once the ring is read
	# (at once when pdig never started)
	kill -USR1 "$eng" 2>/dev/null
	wait "$eng"
	erc=$?
	eng=
	[ $rc -ne 3 ] || { echo "FAIL: setup failed: $(tail -3 "$lout.perr")"; return 1; }
	[ $erc -eq 0 ] || { echo "FAIL: the engine exited $erc: $(tail -3 "$lout.err")"; return 1; }
	return 0
}

# want SET FILE: the expectation lines of SET (RULE = N [~ REGEX]); the
# Falco sets add up, a later set's lines for a rule replacing the earlier
want() {
	case $1 in
	incubating) chain="falco incubating" ;;
	sandbox) chain="falco incubating sandbox" ;;
	*) chain=$1 ;;
	esac
	awk -v chain="$chain" '
	BEGIN { n = split(chain, c, " "); for (i = 1; i <= n; i++) rank[c[i]] = i }
	match($0, /^# [a-z]+: /) {
		s = substr($0, 3, RLENGTH - 4)
		if (!(s in rank)) next
		line = substr($0, RLENGTH + 1)
		rule = line; sub(/ = [0-9].*/, "", rule)
		if (!(rule in best) || rank[s] > best[rule]) { best[rule] = rank[s] }
		nl++; lset[nl] = rank[s]; lrule[nl] = rule; ltext[nl] = line
	}
	END { for (i = 1; i <= nl; i++) if (lset[i] == best[lrule[i]]) print ltext[i] }
	' "$2"
}

for set in $sets; do
	tp=0 fn=0 fp=0 nscen=0 natt=0 ndet=0 nben=0 nbenfp=0 nocover=
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
		[ -z "${SCENARIOS_KEEP:-}" ] || cp "$out" "$SCENARIOS_KEEP/"
		nscen=$((nscen + 1)) ran=$((ran + 1))
		bad=
		# the expected alerts
		want "$set" "$f" >"$T/want"
		: >"$T/expected_rules"
		npos=0
		while IFS= read -r line; do
			rule=$(printf '%s' "$line" | sed 's/ = [0-9]*.*//')
			want=$(printf '%s' "$line" | sed 's/.* = \([0-9]*\).*/\1/')
			re=$(printf '%s' "$line" | sed -n 's/.* = [0-9]* ~ //p')
			printf '%s\t%s\t%s\n' "$want" "$rule" "${re:-.}" >>"$T/expected_rules"
			npos=$((npos + want))
			got=$(grep -F "\"rule\":\"$rule\"" "$out" | grep -cE -- "${re:-.}")
			if [ "$got" -ge "$want" ]; then
				tp=$((tp + want))
			else
				fn=$((fn + want - got))
				bad="$bad; missing $((want - got)) of '$rule'${re:+ ~ $re}"
			fi
		done <"$T/want"
		# more of an expected rule than its lines expect, or alerts of it
		# that match none of its lines: false positives
		cut -f2 "$T/expected_rules" | sort -u >"$T/rules"
		while IFS= read -r rule; do
			want=$(awk -F '\t' -v r="$rule" '$2 == r { s += $1 } END { print s + 0 }' "$T/expected_rules")
			res=$(awk -F '\t' -v r="$rule" '$2 == r { printf "%s(%s)", sep, $3; sep = "|" }' "$T/expected_rules")
			all=$(grep -cF "\"rule\":\"$rule\"" "$out")
			other=$(grep -F "\"rule\":\"$rule\"" "$out" | grep -cvE -- "$res")
			more=$((all - want))
			[ $more -ge "$other" ] || more=$other
			[ $more -le 0 ] || { fp=$((fp + more)); bad="$bad; $more more '$rule'"; }
		done <"$T/rules"
		# alerts of rules the scenario does not expect
		sed -n 's/.*"rule":"\([^"]*\)".*/\1/p' "$out" | sort | uniq -c >"$T/got"
		while read -r cnt rule; do
			grep -qxF "$rule" "$T/rules" && continue
			fp=$((fp + cnt))
			bad="$bad; unexpected $cnt '$rule'"
		done <"$T/got"
		if [ "$kind" = attacks ]; then
			natt=$((natt + 1))
			if [ $npos -eq 0 ]; then
				nocover="$nocover $n"
			elif [ -z "$bad" ]; then
				ndet=$((ndet + 1))
			fi
		else
			nben=$((nben + 1))
			[ ! -s "$out" ] || nbenfp=$((nbenfp + 1))
		fi
		if [ -n "$bad" ]; then
			echo "FAIL: $set $kind/$n${bad}"
			sed 's/^/    /' "$out" | cut -c1-300
			fail=1
		else
			echo "ok: $set $kind/$n: $(grep -c . "$out") alert(s) as expected"
		fi
	done
	echo "SUMMARY $set: $nscen scenarios, TP $tp, FN $fn, FP $fp; attacks detected $ndet of $natt${nocover:+ (no rule in the set for:$nocover)}; benign workloads with an alert: $nbenfp of $nben"
done
if [ $ran -eq 0 ]; then
	echo "SKIP: no scenario could run here"
	exit 77
fi
exit $fail
