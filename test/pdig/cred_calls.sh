#!/bin/sh
# setreuid and setregid (x86_64 113, 114) are in the default set: every
# call that changes a thread's effective ids stops in pdig. The 2022 event
# ABI (sysdig 0.29.3's) has no event of their own: they are written as the
# generic pair, ID the driver's PPM_SC code (123, 124), which sysdig and
# pdig-engine give as evt.type setreuid / setregid; nativeID the x86_64
# number. progs/cred_calls native keeps the ids it has (any user may run it).
# (The i386 setreuid32 & co.: compat32_events.sh.)
#
# usage: cred_calls.sh PDIG ENGINE PROGDIR
set -u
PDIG=$1 ENGINE=$2 P=$3
. "$(dirname "$0")/../lib/probe.sh"
PD_KPROBE=$P/kprobe
pd_need trace
command -v sysdig > /dev/null || { echo "SKIP: sysdig is not installed: it is the reader these checks are made with"; exit 77; }
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT
fail=0
same() { # same WHAT GOT WANT
	if [ "$2" = "$3" ]; then echo "ok: $1"; else echo "FAIL: $1: got '$2', want '$3'"; fail=1; fi
}
out=$("$PDIG" -q -w "$T/c.scap" -- "$P/cred_calls" native 2>&1)
same "cred_calls native under pdig (default set)" "$out" "ok"

# the default output: NUM TIME CPU COMM (TID) DIR TYPE ARGS
same "sysdig -r: both calls, enter and exit, by name" \
	"$(sysdig -r "$T/c.scap" 2>&1 | awk '$4 == "cred_calls" && $7 ~ /^setre[ug]id$/ { print $6, $7 }' |
		tr '\n' ' ')" \
	"> setreuid < setreuid > setregid < setregid "
same "sysdig -r: the generic event's ID (named by its PPM_SC code) and nativeID" \
	"$(sysdig -r "$T/c.scap" -p '%evt.type %evt.arg.ID %evt.arg.nativeID' \
		'evt.dir = > and evt.type in (setreuid, setregid)' 2>&1 | tr '\n' ' ')" \
	"setreuid setreuid 113 setregid setregid 114 "
same "pdig-engine: both calls, enter and exit, 64-bit" \
	"$("$ENGINE" -e "$T/c.scap" -p '*%evt.dir %evt.type %evt.arg.ID %evt.abi' \
		'evt.arg.ID in (setreuid, setregid)' 2>&1 | tr '\n' ' ')" \
	"> setreuid setreuid x86_64 < setreuid setreuid x86_64 > setregid setregid x86_64 < setregid setregid x86_64 "
same "pdig-engine and sysdig: a filter on evt.type" \
	"$("$ENGINE" -e "$T/c.scap" -p '%evt.dir %evt.type %proc.name' 'evt.type = setregid' 2>&1 | tr '\n' ' ')
$(sysdig -r "$T/c.scap" -p '%evt.dir %evt.type %proc.name' 'evt.type = setregid' 2>&1 | tr '\n' ' ')" \
	"> setregid cred_calls < setregid cred_calls 
> setregid cred_calls < setregid cred_calls "
exit $fail
