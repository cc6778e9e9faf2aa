#!/bin/sh
# Loads each of Falco's rule sets with rules_dump: it must succeed (exit 0,
# "RESULT ok"), and every rule it skips must say why.
# usage: rules_sets.sh RULES_DUMP FALCO_RULES_DIR      (exit 77 when absent)
set -u
DUMP=$1 DIR=$2
if [ ! -f "$DIR/falco_rules.yaml" ]; then
	echo "SKIP: $DIR/falco_rules.yaml is absent (the shared rule sets sit in ../shared)"
	exit 77
fi
fail=0
for f in falco_rules.yaml falco-incubating_rules.yaml falco-sandbox_rules.yaml; do
	out=$("$DUMP" "$DIR/$f" 2>&1)
	rc=$?
	rules=$(grep -c '^- rule:' "$DIR/$f")
	compiled=$(printf '%s\n' "$out" | grep -c '^C ')
	skipped=$(printf '%s\n' "$out" | grep -c 'the rule is skipped')
	if [ $rc -ne 0 ] || ! printf '%s\n' "$out" | grep -q '^RESULT ok'; then
		echo "FAIL: $f (exit $rc):"
		printf '%s\n' "$out" | grep -v '^C ' | head -20
		fail=1
		continue
	fi
	echo "ok: $f: $rules rules, $skipped skipped for missing fields:"
	printf '%s\n' "$out" | grep 'the rule is skipped' | sed "s/.*\] rule /    /; s/: the rule is skipped//"
	if [ "$compiled" -lt "$rules" ]; then
		echo "FAIL: $f: only $compiled of $rules rules have a compiled condition"
		fail=1
	fi
done
exit $fail
