#!/bin/sh
# pdig --stack: the user-space stack of the calling thread, with the enter
# events of the selected calls. stack_calls built four ways (frame pointers
# or not, -g or not) and a stripped copy: the stacks name main -> do_connect
# -> connect and main -> do_open -> openat, innermost first (module+offset
# when stripped); a call made with an unmapped stack gives a partial stack
# and a count; the program behaves as natively; sysdig reads the capture as
# it reads the same capture without the stacks; without --stack no event
# carries one.
PDIG=$1 ENGINE=$2 P=$3 SRC=$4
. "$(dirname "$0")/../lib/probe.sh"
PD_KPROBE=$P/kprobe
pd_need trace
EVENTS_IN=$SRC/../../shm/events.in
SCAP_PY="python3 $SRC/stack_scap.py $EVENTS_IN"
command -v python3 > /dev/null || { echo "SKIP: python3 is not installed: it reads the captures' trailers"; exit 77; }
"$PDIG" --stack=nosuchcall true > /dev/null 2>&1
if "$PDIG" -v -q true 2>&1 | grep -q "stack: not in this build"; then
	echo "SKIP: this pdig has no --stack (built without libunwind)"; exit 77
fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0
ok() { echo "ok: $1"; }
bad() { echo "FAIL: $1"; fail=1; }
# a closed port: connect is refused, the call is made all the same
PORT=9
mkdir "$tmp/d"

for v in fp_g nofp_g fp nofp strip; do
	if [ $v = strip ]; then
		command -v strip > /dev/null || { pd_skip "stripped binary" "strip (binutils) is missing"; continue; }
		strip -o "$tmp/stack_strip" "$P/stack_nofp" || { bad "strip failed"; continue; }
		prog=$tmp/stack_strip
	else
		prog=$P/stack_$v
	fi
	"$prog" "$tmp/d" $PORT bad > "$tmp/native.out" 2>&1
	nst=$?
	"$PDIG" -v --stack -w "$tmp/$v.scap" "$prog" "$tmp/d" $PORT bad > "$tmp/pdig.out" 2> "$tmp/pdig.err"
	st=$?
	[ $st = $nst ] && ok "$v: exit status $st as natively" || bad "$v: exit status $st, natively $nst: $(cat "$tmp/pdig.err")"
	cmp -s "$tmp/native.out" "$tmp/pdig.out" && ok "$v: output as natively" ||
		bad "$v: output differs: $(cat "$tmp/pdig.out") / native: $(cat "$tmp/native.out")"
	"$ENGINE" -e "$tmp/$v.scap" -p "%evt.type %fd.name|%thread.ustack" \
		"evt.dir=< and evt.type in (connect, openat) and proc.name startswith stack_" > "$tmp/$v.st" 2>&1
	X='\+0x[0-9a-f]+'
	if [ $v = strip ]; then
		F1="\($prog$X\)" F2="\($prog$X\)" F3="\($prog$X\)"
	else
		F1="do_connect$X \($prog$X\)" F2="do_open$X \($prog$X\)" F3="main$X \($prog$X\)"
	fi
	grep -Eq "^connect .*\|[a-z_]*connect$X \([^)]*libc[^)]*\); $F1; $F3; " "$tmp/$v.st" &&
		ok "$v: connect's stack: libc's connect, do_connect, main" ||
		bad "$v: connect's stack: $(grep ^connect "$tmp/$v.st")"
	grep -Eq "^openat $tmp/d/out\|[a-z_]*openat[0-9]*$X \([^)]*libc[^)]*\); $F2; $F3; " "$tmp/$v.st" &&
		ok "$v: openat's stack: libc's openat, do_open, main" ||
		bad "$v: openat's stack: $(grep "^openat $tmp/d/out" "$tmp/$v.st")"
	# the call with an unmapped stack: its own frame, then the mark of a cut
	if [ $v = strip ]; then F0="\($prog$X\)"; else F0="bad_open$X \($prog$X\)"; fi
	grep -Eq "^openat $tmp/d/bad\|$F0; \?$" "$tmp/$v.st" &&
		ok "$v: unmapped stack: partial stack" || bad "$v: unmapped stack: $(grep "^openat $tmp/d/bad" "$tmp/$v.st")"
	# (pdig's own execve of the command may be partial too: its launcher's
	# stack is pdig's business, not the test's)
	grep -Eq "^pdig: --stack: 4 stacks unwound, [0-9]+ frames; [12] partial" "$tmp/pdig.err" &&
		ok "$v: -v counts 4 stacks, the partial one among them" ||
		bad "$v: -v says: $(grep -- --stack "$tmp/pdig.err")"
done

# sysdig reads the stacked capture as the same capture without its stacks
if pd_have sysdig; then
	$SCAP_PY strip "$tmp/fp_g.scap" "$tmp/stripped.scap" || bad "stack_scap.py strip failed"
	sysdig -r "$tmp/fp_g.scap" > "$tmp/s1" 2> "$tmp/e1"; s1=$?
	sysdig -r "$tmp/stripped.scap" > "$tmp/s2" 2> "$tmp/e2"
	[ $s1 = 0 ] && [ ! -s "$tmp/e1" ] && ok "sysdig reads the stacked capture without error" ||
		bad "sysdig -r exited $s1: $(cat "$tmp/e1")"
	cmp -s "$tmp/s1" "$tmp/s2" && grep -q "connect" "$tmp/s1" &&
		ok "sysdig prints it as the same capture without stacks" ||
		bad "sysdig's output differs with the stacks: $(diff "$tmp/s1" "$tmp/s2" | head -5)"
	sysdig -r "$tmp/fp_g.scap" -j > "$tmp/j1" 2>&1
	sysdig -r "$tmp/stripped.scap" -j > "$tmp/j2" 2>&1
	cmp -s "$tmp/j1" "$tmp/j2" && ok "the same in sysdig -j" || bad "sysdig -j differs with the stacks"
else
	pd_skip "sysdig's reading of the stacks"
fi

# in a rule's output (a string) and in JSON output_fields (an array of frames)
cat > "$tmp/r.yaml" <<'R'
- rule: connect with its stack
  desc: pdig --stack test
  condition: evt.type=connect and evt.dir=<
  output: "connect by %proc.name stack=%thread.ustack"
  priority: WARNING
R
"$ENGINE" -r "$tmp/r.yaml" -e "$tmp/fp_g.scap" > "$tmp/alert" 2>&1
grep -Eq "connect by stack_fp_g stack=[a-z_]*connect.*; do_connect.*; main" "$tmp/alert" &&
	ok "%thread.ustack in a rule's output" || bad "rule output: $(cat "$tmp/alert")"
"$ENGINE" -r "$tmp/r.yaml" --json -e "$tmp/fp_g.scap" > "$tmp/alert.json" 2>/dev/null
python3 - "$tmp/alert.json" <<'P' && ok "thread.ustack in JSON output_fields: an array of frames, the text output unchanged" || bad "JSON output: $(cat "$tmp/alert.json")"
import json, re, sys
a = json.loads(open(sys.argv[1]).readline())
st = a['output_fields']['thread.ustack']
assert isinstance(st, list) and all(isinstance(f, str) and f and '; ' not in f for f in st), st
assert re.match(r'[a-z_]*connect', st[0]) and any(f.startswith('do_connect') for f in st), st
i = next(k for k, f in enumerate(st) if f.startswith('do_connect'))
assert any(f.startswith('main') for f in st[i + 1:]), st
assert a['output'].endswith('stack=' + '; '.join(st)), a['output']
P

# which events carry a stack: the enter events of the selected calls only
$SCAP_PY count "$tmp/fp_g.scap" | sort | uniq -c | awk '{print $2 $3 $1}' | tr '\n' ' ' > "$tmp/cnt"
[ "$(cat "$tmp/cnt")" = "connect>1 execve>1 openat>2 " ] &&
	ok "stacks with execve, connect and the two opens for writing (enter events)" ||
	bad "events with a stack: $(cat "$tmp/cnt")"
"$PDIG" -q --stack=connect -w "$tmp/c.scap" "$P/stack_fp_g" "$tmp/d" $PORT > /dev/null 2>&1
[ "$($SCAP_PY count "$tmp/c.scap" | tr '\n' ' ')" = "connect > " ] &&
	ok "--stack=connect: connect alone" || bad "--stack=connect: $($SCAP_PY count "$tmp/c.scap")"
"$PDIG" -q -w "$tmp/n.scap" "$P/stack_fp_g" "$tmp/d" $PORT > /dev/null 2>&1
[ -s "$tmp/n.scap" ] && [ -z "$($SCAP_PY count "$tmp/n.scap")" ] &&
	ok "without --stack: no event carries a stack" || bad "without --stack: $($SCAP_PY count "$tmp/n.scap")"
"$PDIG" --stack=nosuchcall true > "$tmp/u" 2>&1
[ $? = 2 ] && grep -q "unknown syscall 'nosuchcall'" "$tmp/u" && ok "--stack=nosuchcall is a usage error" ||
	bad "--stack=nosuchcall: $(cat "$tmp/u")"
exit $fail
