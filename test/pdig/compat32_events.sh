#!/bin/sh
# 32-bit calls marked: progs/int80 opens a file and makes a socket through
# int 0x80; their events (the 64-bit ones: pdig maps the call by name)
# carry the ABI extension (shm/shm_event.h), which sysdig 0.29.3 skips (the
# capture prints as without it) and pdig-engine gives as evt.abi and
# evt.is_compat32; the 64-bit calls of the same program have neither.
# i386's NAME32 credential calls (progs/cred_calls int80: setuid32,
# setresuid32, setreuid32, the gid ones, getuid32; ids 32 bits wide, names
# x86_64 lacks) stop too and are written as the row NAME: setuid, setresuid,
# the generic setreuid, ... with their arguments; getuid32 only with -a.
#
# usage: compat32_events.sh PDIG ENGINE PROGDIR EVENTS_IN EXT_SCAP_PY
set -u
PDIG=$1 ENGINE=$2 P=$3 EVENTS_IN=$4 EXT=$5
. "$(dirname "$0")/../lib/probe.sh"
PD_KPROBE=$P/kprobe
pd_need trace
pd_need int80
command -v sysdig > /dev/null || { echo "SKIP: sysdig is not installed: it is the reader these checks are made with"; exit 77; }
command -v python3 > /dev/null || { echo "SKIP: python3 is not installed: it reads the extensions"; exit 77; }
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT
fail=0
same() { # same WHAT GOT WANT
	if [ "$2" = "$3" ]; then echo "ok: $1"; else echo "FAIL: $1: got '$2', want '$3'"; fail=1; fi
}
"$PDIG" -q -w "$T/c.scap" -- "$P/int80" > "$T/out" 2>&1 ||
	{ echo "FAIL: pdig -w int80: $(cat "$T/out")"; exit 1; }

same "the int 0x80 calls' enter and exit carry the ABI extension (tag 2), nothing else does" \
	"$(python3 "$EXT" "$EVENTS_IN" tags "$T/c.scap" | tr '\n' ' ')" \
	"open > 2 open < 2 socket > 2 socket < 2 "
same "pdig-engine: evt.abi and evt.is_compat32 of each event" \
	"$("$ENGINE" -e "$T/c.scap" -p '*%evt.dir %evt.type %evt.abi %evt.is_compat32' 'evt.type != container' | tr '\n' ' ')" \
	"> execve x86_64 false < execve x86_64 false > open i386 true < open i386 true > socket i386 true < socket i386 true > procexit <NA> false "
same "a filter on evt.is_compat32" \
	"$("$ENGINE" -e "$T/c.scap" -p '%evt.type %fd.name' 'evt.is_compat32 = true and evt.dir = < and evt.type = open')" \
	"open /etc/hostname"

# --- i386 NAME32 credential calls, keeping the ids the test runs with
U=$(id -u) G=$(id -g)
out=$("$PDIG" -q -w "$T/cred.scap" -- "$P/cred_calls" int80 2>&1)
same "cred_calls int80 under pdig" "$out" "ok"
# the 16-bit setuid and setresuid (i386 23, 164) the program adds when the
# uid fits, with bits above the 16 the kernel reads: the events show the ids
# the kernel took (0xffff is -1)
want="> setuid uid=$U < setuid res=0 > setresuid ruid=-1 euid=$U suid=-1 < setresuid res=0 > setreuid < setreuid \
> setgid gid=$G < setgid res=0 > setresgid rgid=-1 egid=$G sgid=-1 < setresgid res=0 > setregid < setregid "
[ "$U" -lt 65535 ] && want="$want> setuid uid=$U < setuid res=0 > setresuid ruid=-1 euid=$U suid=-1 < setresuid res=0 "
types='evt.type in (setuid, setresuid, setreuid, setgid, setresgid, setregid, getuid)'
# the names after the ids differ (sysdig: -1(<NONE>), pdig-engine: -1(<NA>)): the numbers count
noname() { sed 's/([^)]*)//g' | tr -s ' \n' '  '; }
same "pdig-engine: the 32-bit credential calls as the events of their rows, with the ABI extension" \
	"$("$ENGINE" -e "$T/cred.scap" -p '%evt.dir %evt.type %evt.args' "evt.abi = i386 and $types" | noname)" "$want"
same "pdig-engine: no 32-bit call without the ABI extension" \
	"$("$ENGINE" -e "$T/cred.scap" -p '%evt.type' "evt.is_compat32 = false and $types")" ""
same "sysdig -r: the 32-bit credential calls" \
	"$(sysdig -r "$T/cred.scap" -p '%evt.dir %evt.type %evt.args' "$types" 2>&1 | noname)" "$want"
# (ID: the driver's code, which sysdig names; nativeID: i386's number)
same "sysdig -r: setreuid32 and setregid32 as the generic event" \
	"$(sysdig -r "$T/cred.scap" -p '%evt.type %evt.arg.ID %evt.arg.nativeID' \
		'evt.dir = > and evt.type in (setreuid, setregid)' 2>&1 | tr '\n' ' ')" \
	"setreuid setreuid 203 setregid setregid 204 "
# (the generic event's name in the extension reader: syscall)
want="setuid > 2 setuid < 2 setresuid > 2 setresuid < 2 syscall > 2 syscall < 2 \
setgid > 2 setgid < 2 setresgid > 2 setresgid < 2 syscall > 2 syscall < 2 "
[ "$U" -lt 65535 ] && want="${want}setuid > 2 setuid < 2 setresuid > 2 setresuid < 2 "
same "every enter and exit of the 32-bit calls carries the ABI extension (tag 2), nothing else" \
	"$(python3 "$EXT" "$EVENTS_IN" tags "$T/cred.scap" | tr '\n' ' ')" "$want"
"$PDIG" -q -a -w "$T/creda.scap" -- "$P/cred_calls" int80 > /dev/null 2>&1
same "-a: getuid32 as getuid, with the uid" \
	"$("$ENGINE" -e "$T/creda.scap" -p '%evt.dir %evt.type %evt.args' 'evt.abi = i386 and evt.type = getuid' | noname)" \
	"> getuid < getuid uid=$U "

# --- i386 libc's fcntl is fcntl64: F_DUPFD stops as fcntl (the new fd is
# known at its close), F_GETFD does not
"$PDIG" -q -w "$T/f64.scap" -- "$P/cred_calls" fcntl64 > "$T/f64.out" 2>&1
same "cred_calls fcntl64 under pdig" "$(cat "$T/f64.out")" "ok"
same "pdig-engine: fcntl64(F_DUPFD) as fcntl with the ABI extension, its fd named at its close" \
	"$("$ENGINE" -e "$T/f64.scap" -p '%evt.dir %evt.type %evt.abi %fd.name' \
		'evt.abi = i386 and evt.type in (fcntl, close)' | tr '\n' ' ')" \
	"> fcntl i386 $T/f64.out < fcntl i386 $T/f64.out > close i386 $T/f64.out < close i386 $T/f64.out "
same "sysdig -r: the fcntl events as pdig-engine shows them" \
	"$(sysdig -r "$T/f64.scap" -p '%evt.dir %evt.type %evt.args' 'evt.type = fcntl' 2>&1 | tr '\n' ' ')" \
	"$("$ENGINE" -e "$T/f64.scap" -p '%evt.dir %evt.type %evt.args' 'evt.type = fcntl' | tr '\n' ' ')"
case "$(sysdig -r "$T/f64.scap" -p '%evt.dir%evt.type %evt.args' 'evt.type = fcntl' 2>&1)" in
*">fcntl fd=1("*"cmd=1(F_DUPFD)"*"<fcntl res=1"[0-9]*) echo "ok: sysdig -r: fcntl64(1, F_DUPFD, 10) and its fd" ;;
*) echo "FAIL: sysdig -r: no fcntl enter and exit for fcntl64(1, F_DUPFD, 10)"; fail=1 ;;
esac

python3 "$EXT" "$EVENTS_IN" strip "$T/c.scap" "$T/s.scap" || { echo "FAIL: strip"; exit 1; }
for f in c s; do
	sysdig -r "$T/$f.scap" > "$T/$f.txt" 2> "$T/$f.err" || { echo "FAIL: sysdig -r $f.scap: $(cat "$T/$f.err")"; fail=1; }
	sysdig -r "$T/$f.scap" -j > "$T/$f.j" 2>&1
	sysdig -r "$T/$f.scap" -p '*%evt.num %evt.type %evt.args %fd.name' > "$T/$f.p" 2>&1
done
if cmp -s "$T/c.txt" "$T/s.txt" && cmp -s "$T/c.j" "$T/s.j" && cmp -s "$T/c.p" "$T/s.p" &&
	grep -q "> open name=/etc/hostname" "$T/c.txt"; then
	echo "ok: sysdig -r prints the capture as without the extensions (default, -j, -p)"
else
	echo "FAIL: sysdig -r differs with the ABI extension:"; diff "$T/c.txt" "$T/s.txt" | head; fail=1
fi
exit $fail
