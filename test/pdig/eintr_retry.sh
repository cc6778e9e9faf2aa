#!/bin/sh
# A call interrupted by a handler: with SA_RESTART the kernel restarts it
# (one read event pair); without, the program sees EINTR and retries the
# identical call (two pairs: EINTR, then the data). Checked with --raw, for
# a 64-bit read (progs/sigretry) and an int 0x80 one (progs/int80eintr).
PDIG=$1 EVDUMP=$2 P=$3
. "$(dirname "$0")/../lib/probe.sh"
PD_KPROBE=$P/kprobe
pd_need trace
fail=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
progs=sigretry
if pd_have int80; then
	progs="$progs int80eintr"
else
	pd_skip "the int 0x80 read (progs/int80eintr)"
fi
for prog in $progs; do
	native=$("$P/$prog")
	if [ $? != 0 ]; then
		echo "FAIL: $prog natively: $native"; fail=1; continue
	fi
	traced=$("$PDIG" -q --io --raw "$tmp/$prog.raw" "$P/$prog") || { echo "FAIL: $prog under pdig: $traced"; fail=1; }
	[ "$native" = "$traced" ] && echo "ok: $prog: same output natively and under pdig" ||
		{ echo "FAIL: $prog: output differs: native '$native', traced '$traced'"; fail=1; }
	T=$tmp/$prog.txt
	"$EVDUMP" "$tmp/$prog.raw" > "$T" || { echo "FAIL: $prog: malformed records"; fail=1; continue; }
	R=$(sed -n '/^> execve /{s/^> execve tid=\([0-9]*\) .*/\1/p;q;}' "$T")
	count() { # regex expected description
		n=$(grep -Ec -- "$1" "$T")
		if [ "$n" = "$2" ]; then echo "ok: $prog: $3"; else
			echo "FAIL: $prog: $3: $n lines match '$1', want $2"; fail=1; fi
	}
	# no SA_RESTART: read -> EINTR, then the same read again -> data
	count "^> read tid=$R fd=[0-9]+ size=16\$" 2 "no SA_RESTART: two read calls (the retry is a call of its own)"
	count "^< read tid=$R res=-4 " 1 "no SA_RESTART: the first ends with EINTR"
	count "^< read tid=$R res=4 data=late\$" 2 "a read returning the data in each phase"
	# SA_RESTART: one call, restarted by the kernel
	count "^> read tid=$R fd=[0-9]+ size=17\$" 1 "SA_RESTART: one read call"
	seq=$(grep -E "^[<>] read tid=$R " "$T" |
		awk '$5 == "size=16" { on = 1 } on { print $1 ($1 == ">" ? $5 : $4) }' | tr '\n' ' ')
	case "$seq" in
	">size=16 <res=-4 >size=16 <res=4 >size=17 <res=4 ") echo "ok: $prog: event order" ;;
	*) echo "FAIL: $prog: read events in order: $seq"; fail=1 ;;
	esac
done
exit $fail
