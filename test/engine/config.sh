#!/bin/sh
# pdig-engine -c FILE and -o KEY=VALUE: a falco.yaml-style file is read,
# -o overrides it, and every mistake is named: a wrong type with the key and
# the file's line (and the engine does not start: no alert, no output file),
# an unknown key as a warning with its line. Without any file the built-in
# default rules run.
# usage: config.sh PDIG-ENGINE GEN_CAPTURE RULES_DIR
ENGINE=$1 GEN=$2 RULES=$3
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
- rule: tmp open
  desc: an open below /tmp
  condition: evt.type in (open, openat) and fd.name startswith /tmp
  output: tmp file %fd.name
  priority: NOTICE
Y
ref=$("$ENGINE" -r "$T/r.yaml" -e "$T/f.scap" 2>/dev/null)
[ "$(echo "$ref" | grep -c 'Warning etc file')" -ge 1 ] && [ "$(echo "$ref" | grep -c 'Notice tmp file')" -ge 1 ] ||
	{ echo "FAIL: the capture fires neither rule: $ref"; exit 1; }

# a whole file: rules, priority, JSON, a file output, stdout off
cat >"$T/c.yaml" <<Y
# comments and Falco keys pdig-engine has
rules_files:
  - $T/r.yaml
priority: warning
json_output: true
json_include_tags_property: false
rule_matching: first
stdout_output:
  enabled: false
file_output:
  enabled: true
  keep_alive: false
  filename: $T/alerts.json
syscall_event_drops:
  threshold: .1
  actions: [log, alert]
  rate: .03333
  max_burst: 1
webserver:
  enabled: false
  listen_port: 8765
Y
"$ENGINE" -c "$T/c.yaml" -e "$T/f.scap" >"$T/c.out" 2>"$T/c.err"
rc=$?
python3 - "$T/alerts.json" <<'P' && [ $rc = 0 ] && [ ! -s "$T/c.out" ] && ! grep -q warning "$T/c.err" &&
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert lines
for l in lines:
    a = json.loads(l)
    assert a['rule'] == 'etc open' and 'tags' not in a, a  # priority warning: no Notice
P
	ok "-c: rules_files, priority, json_output, json_include_*, file_output, stdout off" ||
	bad "-c: exit $rc, $(cat "$T/c.err" "$T/c.out" "$T/alerts.json")"

# -o over the file: the last word
rm -f "$T/alerts.json"
"$ENGINE" -c "$T/c.yaml" -o json_output=false -o priority=notice -o stdout_output.enabled=true \
	-o file_output.enabled=false -e "$T/f.scap" >"$T/o.out" 2>"$T/o.err"
[ "$(cat "$T/o.out")" = "$ref" ] && [ ! -e "$T/alerts.json" ] &&
	ok "-o overrides the file's values" || bad "-o over -c: $(cat "$T/o.out" "$T/o.err")"
# -r replaces rules_files, as in Falco
printf -- '- rule: other\n  desc: d\n  condition: evt.type = close\n  output: closed\n  priority: ERROR\n' >"$T/other.yaml"
"$ENGINE" -c "$T/c.yaml" -r "$T/other.yaml" -o stdout_output.enabled=true -o file_output.enabled=false \
	-o json_output=false -e "$T/f.scap" >"$T/rr.out" 2>/dev/null
grep -q 'Error closed' "$T/rr.out" && ! grep -q 'etc file' "$T/rr.out" && ok "-r replaces rules_files" ||
	bad "-r over rules_files: $(cat "$T/rr.out")"

# errors: ERRTEXT, then a file; the message must name the key and the line
expect_error() {
	what=$1 want=$2
	rm -f "$T/alerts.json"
	"$ENGINE" -c "$T/e.yaml" -e "$T/f.scap" >"$T/e.out" 2>"$T/e.err"
	rc=$?
	if [ $rc != 0 ] && grep -q -- "$want" "$T/e.err" && [ ! -s "$T/e.out" ] && [ ! -e "$T/alerts.json" ] &&
		[ "$(wc -l <"$T/e.err")" = 1 ]; then
		ok "$what: one line naming it, nothing started"
	else
		bad "$what: exit $rc, want '$want': $(cat "$T/e.err" "$T/e.out")"
	fi
}
printf 'json_output: false\nfile_output:\n  filename: %s\n  enabled: maybe\n' "$T/alerts.json" >"$T/e.yaml"
expect_error "a wrong boolean" "e.yaml:4: file_output.enabled: wants a boolean (true or false), not 'maybe'"
printf 'priority: loud\n' >"$T/e.yaml"
expect_error "a wrong priority" "e.yaml:1: priority: wants one of emergency"
printf '\n\nwebserver:\n  listen_port: [1, 2]\n' >"$T/e.yaml"
expect_error "a list for a number" "e.yaml:4: webserver.listen_port: wants a value, not a list"
printf 'syscall_event_drops:\n  actions:\n    - log\n    - shout\n' >"$T/e.yaml"
expect_error "a wrong action in a list" "e.yaml:4: syscall_event_drops.actions: wants ignore, log, alert or exit, not 'shout'"
printf 'file_output: yes\n' >"$T/e.yaml"
expect_error "a value for a section" "e.yaml:1: file_output: wants a mapping of settings"
printf 'json_output: true\n  bad indent: [\n' >"$T/e.yaml"
expect_error "YAML that does not parse" "e.yaml:[0-9]*: not valid YAML"
printf 'file_output:\n  enabled: true\n' >"$T/e.yaml"
expect_error "file output without a file name" "file_output.filename is not set"
"$ENGINE" -c "$T/nosuch.yaml" -e "$T/f.scap" >"$T/e.out" 2>"$T/e.err"
[ $? = 2 ] && grep -q "nosuch.yaml: No such file" "$T/e.err" && ok "a missing file" || bad "missing -c: $(cat "$T/e.err")"
"$ENGINE" -o json_output=maybe -e "$T/f.scap" >"$T/e.out" 2>"$T/e.err"
[ $? = 2 ] && grep -q "^pdig-engine: -o json_output=maybe: json_output: wants a boolean" "$T/e.err" && [ ! -s "$T/e.out" ] &&
	ok "-o with a wrong value" || bad "-o wrong: $(cat "$T/e.err")"
"$ENGINE" -o json_output -e "$T/f.scap" >"$T/e.out" 2>"$T/e.err"
[ $? = 2 ] && grep -q "wants KEY=VALUE" "$T/e.err" && ok "-o without =" || bad "-o without =: $(cat "$T/e.err")"

# unknown keys: warnings with the line, and the run goes on
printf 'rules_files: [%s]\nlog_level: info\nfile_output:\n  enabled: false\n  rotate: daily\n' "$T/r.yaml" >"$T/u.yaml"
"$ENGINE" -c "$T/u.yaml" -o no_such.key=1 -e "$T/f.scap" >"$T/u.out" 2>"$T/u.err"
[ $? = 0 ] && [ "$(cat "$T/u.out")" = "$ref" ] &&
	grep -q "u.yaml:2: warning: log_level is not a setting pdig-engine uses" "$T/u.err" &&
	grep -q "u.yaml:5: warning: file_output.rotate is not a setting" "$T/u.err" &&
	grep -q -- "-o no_such.key: warning: not a setting" "$T/u.err" &&
	ok "unknown keys: a warning with the line each, the run goes on" || bad "unknown keys: $(cat "$T/u.err")"

# no file at all: the built-in default rules, the same as -r RULES_DIR
"$ENGINE" -L >"$T/def.txt" 2>"$T/def.err" && "$ENGINE" -r "$RULES" -L >"$T/dir.txt" 2>/dev/null
[ -s "$T/def.txt" ] && cmp -s "$T/def.txt" "$T/dir.txt" &&
	ok "no rules named: the built-in rules are the project's ($(wc -l <"$T/def.txt") rules)" ||
	bad "built-in rules differ from $RULES: $(diff "$T/def.txt" "$T/dir.txt" | head -5)"
exit $fail
