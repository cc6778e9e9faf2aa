#!/bin/sh
# Interop with Debian's sysdig 0.29.3 (libscap of early 2022):
#   1. sysdig reads a capture we wrote and prints the expected events, and
#      its filters see our process list, fd list and user list;
#   2. what `sysdig -r ours -w theirs` writes (plain and -z gzip) reads back
#      with our reader: the same events byte for byte, our metadata in it;
#   3. the same capture gzip-compressed reads the same in sysdig and in ours.
# usage: scap_sysdig_test.sh WRITE_SAMPLE COMPARE EXPECTED_DIR
set -u
write_sample=$1 compare=$2 expected=$3

. "$(dirname "$0")/../lib/probe.sh"
pd_need sysdig
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail=0

"$write_sample" "$tmp/ours.scap" --large || exit 1

# check NAME EXPECTED_FILE -- sysdig arguments
check() {
	name=$1 want=$2
	shift 2
	if ! sysdig "$@" >"$tmp/out.txt" 2>"$tmp/err.txt"; then
		echo "FAIL $name: sysdig $* failed:"
		cat "$tmp/err.txt"
		fail=1
		return
	fi
	if diff -u "$want" "$tmp/out.txt"; then
		echo "ok   $name ($(wc -l <"$tmp/out.txt") lines)"
	else
		echo "FAIL $name: sysdig $* printed the above difference"
		fail=1
	fi
}

fmt='*%evt.num %evt.type %evt.dir %proc.name %fd.name %user.name %evt.args'
check "events" "$expected/events.txt" -r "$tmp/ours.scap" -p "$fmt"
check "filter on openat of /etc/passwd" "$expected/openat_passwd.txt" -r "$tmp/ours.scap" \
	-p "%evt.num %evt.type %evt.dir %fd.name" "evt.type=openat and fd.name=/etc/passwd"
check "filter on a name from the process list" "$expected/proc_bash.txt" -r "$tmp/ours.scap" \
	-p "%evt.num %evt.type %evt.dir %proc.name %proc.exepath %proc.cwd" "proc.name=bash"
check "filter on a user-list name and a socket" "$expected/alice_ipv4.txt" -r "$tmp/ours.scap" \
	-p "%evt.num %evt.type %user.name %user.homedir %proc.pname %fd.cip %fd.cport %fd.sip %fd.sport %fd.l4proto" \
	"user.name=alice and fd.type=ipv4"

# sysdig rewrites the capture; our reader must find the same events in it
for z in "" "-z"; do
	out="$tmp/theirs$z.scap"
	if ! sysdig -r "$tmp/ours.scap" $z -w "$out" >"$tmp/err.txt" 2>&1; then
		echo "FAIL sysdig -w $z:"
		cat "$tmp/err.txt"
		fail=1
		continue
	fi
	if "$compare" "$tmp/ours.scap" "$out"; then
		echo "ok   sysdig -r ours $z -w theirs reads back identical"
	else
		echo "FAIL sysdig -r ours $z -w theirs differs (see above)"
		fail=1
	fi
done

# one process-list block per thread reads the same in sysdig
"$write_sample" "$tmp/split.scap" --large --split >/dev/null || exit 1
check "events, one process-list block per thread" "$expected/events.txt" -r "$tmp/split.scap" -p "$fmt"
check "process list filter, one block per thread" "$expected/proc_bash.txt" -r "$tmp/split.scap" \
	-p "%evt.num %evt.type %evt.dir %proc.name %proc.exepath %proc.cwd" "proc.name=bash"

# gzip: sysdig and our reader both read the compressed capture alike
gzip -c "$tmp/ours.scap" >"$tmp/ours.scap.gz" || exit 1
check "events from the gzip-compressed capture" "$expected/events.txt" -r "$tmp/ours.scap.gz" -p "$fmt"
if "$compare" "$tmp/ours.scap.gz" "$tmp/ours.scap"; then
	echo "ok   our reader reads the gzip-compressed capture identically"
else
	echo "FAIL our reader differs on the gzip-compressed capture"
	fail=1
fi
exit $fail
