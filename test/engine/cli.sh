#!/bin/sh
# pdig-engine's one command line: one meaning per flag, a bad flag is one
# line and a pointer to --help, -r takes only rules, -n/-p/--json work in
# rules and dump mode, -L, -V, --list, --version, -M, --stats-interval and
# the metrics snapshot alert.
# usage: cli.sh PDIG-ENGINE GEN_CAPTURE
ENGINE=$1 GEN=$2
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT
fail=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }
"$GEN" files "$T/f.scap" || { echo "FAIL: gen_capture"; exit 1; }
cat >"$T/r.yaml" <<'Y'
- rule: etc open
  desc: an open below /etc
  condition: evt.type in (open, openat) and fd.name startswith /etc
  output: etc file %fd.name opened by %proc.name
  priority: WARNING
Y

# usage errors: exit 2, one line, the pointer to --help
usage_error() {
	what=$1 want=$2
	shift 2
	"$ENGINE" "$@" >"$T/u.out" 2>"$T/u.err"
	rc=$?
	if [ $rc = 2 ] && [ "$(wc -l <"$T/u.err")" = 1 ] && grep -q -- "$want" "$T/u.err" &&
		grep -q -- "--help" "$T/u.err" && [ ! -s "$T/u.out" ]; then
		ok "$what: '$(cat "$T/u.err")'"
	else
		bad "$what: exit $rc: $(cat "$T/u.err" "$T/u.out")"
	fi
}
usage_error "an unknown flag" "unknown option '-x'" -x -e "$T/f.scap"
usage_error "an unknown long flag" "unknown option '--nope'" --nope
usage_error "a flag without its value" "-e wants a value" -r "$T/r.yaml" -e
usage_error "-r with a capture" "-r $T/f.scap: not a rules file or folder" -r "$T/f.scap" -p '%proc.name'
cp "$T/r.yaml" "$T/myrules"
usage_error "-r with a file that is not .yaml" "-r $T/myrules: not a rules file or folder" -r "$T/myrules" -e "$T/f.scap"
usage_error "-r with nothing there" "-r $T/none.yaml: No such file" -r "$T/none.yaml" -e "$T/f.scap"
usage_error "-n not a number" "-n wants a count of events, not 'ten'" -e "$T/f.scap" -n ten
usage_error "no source" "no event source" -r "$T/r.yaml"
usage_error "a filter with rules" "unexpected argument 'evt.type=open'" -r "$T/r.yaml" -e "$T/f.scap" evt.type=open

"$ENGINE" --help >"$T/h.txt" 2>&1 && for f in ' -r RULES' ' -c FILE' ' -o KEY=VALUE' ' -e FILE' ' -L, --list-rules' ' -V RULES' \
	' --list' ' -M SECONDS' ' -A ' ' -U ' ' --json' ' --ring' ' --listen PATH' ' --stats-interval'; do
	grep -q -- "$f" "$T/h.txt" || bad "--help does not show '$f'"
done
[ "$(grep -c -- '^  -r ' "$T/h.txt")" = 1 ] && ok "--help: every flag, -r once" || bad "--help: -r $(grep -c -- '^  -r ' "$T/h.txt") times"
"$ENGINE" --version | grep -q '^pdig-engine [0-9.]* (rules engine version [0-9.]*)$' && ok "--version" || bad "--version"
"$ENGINE" --list | grep -q '^fd.name .*(Type: CHARBUF)' && ok "--list: the fields" || bad "--list"

# -n in rules mode and in dump mode
"$ENGINE" -r "$T/r.yaml" -e "$T/f.scap" -n 10 >/dev/null 2>"$T/n.err"
grep -q '^pdig-engine: 10 events read' "$T/n.err" && ok "-n in rules mode" || bad "-n rules: $(cat "$T/n.err")"
# a filter-only field (a match on either end or on a network) is no value:
# refused as sysdig refuses it
"$ENGINE" -e "$T/f.scap" -p '%evt.num %fd.net' >"$T/fo.out" 2>"$T/fo.err"; rc=$?
[ $rc = 1 ] && grep -q "fd.net is filter only and cannot be used as a display field" "$T/fo.err" &&
	ok "-p with a filter-only field: refused" || bad "-p %fd.net: exit $rc: $(cat "$T/fo.err")"
[ "$("$ENGINE" -e "$T/f.scap" -p '%evt.num' -n 7 | wc -l)" = 7 ] && ok "-n in dump mode" || bad "-n dump"
# dump mode: -p FORMAT FILTER, as sysdig; a filter alone; --json is for alerts
"$ENGINE" -e "$T/f.scap" -p '%evt.num %fd.name' 'evt.type=open and evt.dir=< and fd.name startswith /etc' >"$T/d.txt"
[ -s "$T/d.txt" ] && ! grep -qv ' /etc/' "$T/d.txt" && ok "dump: -p FORMAT FILTER" || bad "dump: $(cat "$T/d.txt")"
"$ENGINE" -e "$T/f.scap" 'evt.type=open and evt.dir=<' >"$T/d2.txt"
[ "$(wc -l <"$T/d2.txt")" -ge "$(wc -l <"$T/d.txt")" ] && ! grep -qv ' < open ' "$T/d2.txt" && ok "dump: a filter alone, sysdig's default line" || bad "dump default: $(head -2 "$T/d2.txt")"
# rules: -p adds to the output in text and JSON
"$ENGINE" -r "$T/r.yaml" -e "$T/f.scap" -p 'pid=%proc.pid' --json 2>/dev/null | head -1 >"$T/pj.txt"
python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); assert "proc.pid" in a["output_fields"] and " pid=" in a["output"], a' "$T/pj.txt" &&
	ok "rules: -p with --json" || bad "-p --json: $(cat "$T/pj.txt")"
# no -r: the built-in rules over the capture (Falco's way), not a dump of every event
"$ENGINE" -e "$T/f.scap" >"$T/def.out" 2>"$T/def.err"
[ $? = 0 ] && grep -q 'events read.* alerts$' "$T/def.err" && ! grep -q '^[0-9]* [0-9:.]* ' "$T/def.out" &&
	ok "-e alone: the built-in rules" || bad "-e alone: $(head -3 "$T/def.out" "$T/def.err")"
# -L, -V
"$ENGINE" -r "$T/r.yaml" -L >"$T/L.txt" && grep -q '^active *Warning *etc open$' "$T/L.txt" && ok "-L" || bad "-L: $(cat "$T/L.txt")"
"$ENGINE" -V "$T/r.yaml" | grep -q ": Ok$" && ok "-V: a good file" || bad "-V good"
printf -- '- rule: broken\n  condition: evt.type = \n' >"$T/bad.yaml"
"$ENGINE" -V "$T/bad.yaml" >"$T/V.txt"; rc=$?
[ $rc = 1 ] && grep -q "bad.yaml:[0-9]*:[0-9]*: error: " "$T/V.txt" && ok "-V: a bad file, exit 1, with its line" || bad "-V bad: $rc $(cat "$T/V.txt")"
# -M: a live engine with no producer ends after the time given, exit 0
ring=/pdig-cli-$$
"$ENGINE" -r "$T/r.yaml" --ring="$ring" -M 2 --stats-interval 1 --json -o metrics.enabled=true \
	-o metrics.interval=1s >"$T/M.out" 2>"$T/M.err" & pid=$!
i=0; while kill -0 $pid 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
if kill -0 $pid 2>/dev/null; then
	kill $pid; bad "-M 2: still running after 10 s"
else
	wait $pid && ok "-M 2: ended by itself, exit 0" || bad "-M: $(cat "$T/M.err")"
	grep -q '^pdig-engine: stats: 0 events, 0 alerts, 0 lost by the source, 0 threads$' "$T/M.err" &&
		ok "--stats-interval: the counters on stderr while it runs" || bad "--stats-interval: $(cat "$T/M.err")"
	python3 - "$T/M.out" <<'P' && ok "metrics.enabled: Falco's metrics snapshot alert each interval" || bad "metrics: $(cat "$T/M.out")"
import json, sys
snaps = [json.loads(l) for l in open(sys.argv[1])]
assert snaps and all(a['rule'] == 'Falco internal: metrics snapshot' and a['source'] == 'internal' and
                     a['output_fields']['pdig.events'] == 0 for a in snaps), snaps
P
fi
[ ! -e "/dev/shm$ring" ] && ok "-M: its ring is not left in /dev/shm" || { bad "ring $ring left behind"; rm -f "/dev/shm$ring"; }
exit $fail
