#!/bin/sh
# Clone events carry their process's facts (args, cwd, name, exe) as they
# are at the clone, although pdig keeps them briefly between clones of one
# process (pdig/procfs.h): each change made between two clones is seen at
# the next (progs/proc_facts.c), and a burst of clones reads /proc once.
PDIG=$1 EVDUMP=$2 P=$3
. "$(dirname "$0")/../lib/probe.sh"
PD_KPROBE=$P/kprobe
pd_need trace
fail=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/a" "$tmp/bb"
"$PDIG" -v --raw "$tmp/f.raw" "$P/proc_facts" "$tmp/a" "$tmp/bb" > "$tmp/out" 2> "$tmp/err"
st=$?
[ $st = 0 ] || { echo "FAIL: proc_facts exit $st: $(cat "$tmp/out" "$tmp/err")"; exit 1; }
"$EVDUMP" "$tmp/f.raw" > "$tmp/f.txt" || { echo "FAIL: malformed records"; exit 1; }
# clone THREAD-MARK FIELD-REGEX DESCRIPTION: the new thread's clone exit and
# its creator's (res = the thread's tid) both match
clone() {
	tid=$(sed -n "s/^mark $1 //p" "$tmp/out" | head -n 1)
	[ -n "$tid" ] || { echo "FAIL: $3: no thread $1 in the output"; fail=1; return; }
	n=$(grep -E "^< clone3? tid=[0-9]+ res=$tid |^< clone3? tid=$tid res=0 " "$tmp/f.txt" | grep -Ec -- "$2")
	if [ "$n" = 2 ]; then echo "ok: $3"; else
		echo "FAIL: $3: $n of the 2 clone exits of thread $tid match '$2'"
		grep -E "^< clone3? tid=[0-9]+ res=$tid |^< clone3? tid=$tid res=0 " "$tmp/f.txt" | head -n 2
		fail=1
	fi
}
clone dir_a " cwd=$tmp/a/? " "cwd as the first chdir left it"
clone dir_b " cwd=$tmp/bb/? " "cwd after chdir"
clone fchdir_a " cwd=$tmp/a/? " "cwd after fchdir"
clone renamed ' comm=re\\named ' "the name prctl gave (with its backslash)"
clone dir_a " args=$tmp/a $tmp/bb " "the arguments"
clone retitled " args=$tmp/a $(echo "$tmp/bb" | tr -c '\n' x) " "arguments rewritten in place, once the keep time is over"
clone exec " args=exec " "after execve: the new arguments"
clone exec " comm=exe " "after execve: the new name (the file run was /proc/self/exe)"
clone exec " cwd=$tmp/a/? " "after execve: the cwd it kept"
has_exec=$(grep -Ec "^< execve tid=[0-9]+ res=0 exe=[^ ]*proc_facts args=exec tid=[0-9]+ pid=[0-9]+ ptid=[0-9]+ cwd=$tmp/a/? " "$tmp/f.txt")
if [ "$has_exec" = 1 ]; then echo "ok: the execve exit: new args, the cwd kept"; else
	echo "FAIL: execve exit events with args=exec and cwd $tmp/a: $has_exec, want 1"; grep "^< execve" "$tmp/f.txt"; fail=1; fi
# the burst: most of its 21 clones take the facts read at the first
kept=$(sed -n 's/^pdig: process facts at clone events: [0-9]* read from \/proc, \([0-9]*\) kept .*/\1/p' "$tmp/err")
if [ -n "$kept" ] && [ "$kept" -ge 10 ]; then echo "ok: a burst of clones reads /proc once ($kept kept)"; else
	echo "FAIL: facts kept between clones: '$kept', want >= 10: $(grep 'process facts' "$tmp/err")"; fail=1; fi
exit $fail
