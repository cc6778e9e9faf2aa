#!/bin/sh
# memfd_create with its fd, name and flags: the generic exit carries them as
# an extension (shm/shm_event.h) that sysdig 0.29.3 skips (it prints the
# capture exactly as the same capture with the extensions stripped), and
# pdig-engine reads: evt.type memfd_create, evt.res the fd, evt.arg.name and
# evt.arg.flags, the fd in its table (fd.name the name given, fd.type memfd)
# for the write, fchmod and exec that follow, and a rule naming
# evt.type = memfd_create loads and fires. progs/memfd_run runs the memfd
# through /proc/self/fd/N (proc) and with execveat(AT_EMPTY_PATH) (at:
# fexecve; sysdig 0.29.3 crashes on any capture with such an execveat,
# whatever the fd, so that one is read by the engine only).
#
# usage: memfd_events.sh PDIG ENGINE PROGDIR EVENTS_IN EXT_SCAP_PY
set -u
PDIG=$1 ENGINE=$2 P=$3 EVENTS_IN=$4 EXT=$5
. "$(dirname "$0")/../lib/probe.sh"
PD_KPROBE=$P/kprobe
pd_need trace
command -v sysdig > /dev/null || { echo "SKIP: sysdig is not installed: it is the reader these checks are made with"; exit 77; }
command -v python3 > /dev/null || { echo "SKIP: python3 is not installed: it strips the extensions"; exit 77; }
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT
fail=0
ok() { echo "ok: $1"; }
bad() { echo "FAIL: $1"; fail=1; }
same() { # same WHAT GOT WANT
	if [ "$2" = "$3" ]; then ok "$1"; else bad "$1: got '$2', want '$3'"; fi
}

for m in proc at; do
	"$PDIG" -q --io -w "$T/$m.scap" -- "$P/memfd_run" $m > "$T/$m.out" 2>&1 ||
		{ echo "FAIL: pdig -w memfd_run $m: $(cat "$T/$m.out")"; exit 1; }
done
FD=$(sed -n 's/^fd //p' "$T/proc.out")
[ -n "$FD" ] || { echo "FAIL: memfd_run printed no fd: $(cat "$T/proc.out")"; exit 1; }

# the record: memfd_create's exit has one extension, tag 3
same "memfd_create's exit carries the SHM_EXT_MEMFD extension" \
	"$(python3 "$EXT" "$EVENTS_IN" tags "$T/proc.scap")" "syscall < 3"

# sysdig: the capture reads as the one without extensions
python3 "$EXT" "$EVENTS_IN" strip "$T/proc.scap" "$T/strip.scap" || bad "stripping the extensions failed"
for f in proc strip; do
	sysdig -r "$T/$f.scap" > "$T/$f.txt" 2> "$T/$f.err" || bad "sysdig -r $f.scap: $(cat "$T/$f.err")"
	sysdig -r "$T/$f.scap" -j > "$T/$f.j" 2>&1
	sysdig -r "$T/$f.scap" -p '*%evt.num %evt.type %evt.args %fd.name %evt.res %proc.exepath' > "$T/$f.p" 2>&1
done
if cmp -s "$T/proc.txt" "$T/strip.txt" && cmp -s "$T/proc.j" "$T/strip.j" && cmp -s "$T/proc.p" "$T/strip.p" &&
	[ "$(grep -c . "$T/proc.txt")" -gt 20 ]; then
	ok "sysdig -r prints the capture as without the extension (default, -j, -p: $(grep -c . "$T/proc.txt") events)"
else
	bad "sysdig -r differs with the extension:"; diff "$T/proc.txt" "$T/strip.txt" | head; diff "$T/proc.p" "$T/strip.p" | head
fi

F='*%evt.type %evt.res %evt.rawres %evt.arg.fd %evt.arg.name %evt.arg.flags %evt.rawarg.flags %fd.num %fd.name %fd.type %fd.typechar %evt.category'
same "memfd_create's exit in pdig-engine: type, result, arguments, its fd, category" \
	"$("$ENGINE" -e "$T/proc.scap" -p "$F" 'evt.type = memfd_create' 2>&1)" \
	"memfd_create SUCCESS $FD <m>pdig-payload pdig-payload MFD_ALLOW_SEALING 2 $FD pdig-payload memfd m memory"
same "%evt.args of memfd_create's exit" \
	"$("$ENGINE" -e "$T/proc.scap" -p '%evt.args' 'evt.type = memfd_create and evt.dir = <' 2>&1)" \
	"fd=$FD(<m>pdig-payload) name=pdig-payload flags=2(MFD_ALLOW_SEALING) "
same "the write on the memfd names it (fd.name, fd.type)" \
	"$("$ENGINE" -e "$T/proc.scap" -p '%evt.type %fd.name %fd.type' \
		"evt.dir = < and evt.type = write and fd.num = $FD" 2>&1)" \
	"write pdig-payload memfd"
# (fchmod has no fd flag in the 2022 table: its fd shows in its argument)
same "fchmod of the memfd: its fd argument resolved" \
	"$("$ENGINE" -e "$T/proc.scap" -p '%evt.arg.fd' 'evt.dir = < and evt.type = fchmod' 2>&1)" \
	"<m>pdig-payload"
same "its execution through /proc/self/fd/$FD: proc.is_exe_from_memfd" \
	"$("$ENGINE" -e "$T/proc.scap" -p '%proc.exepath %proc.is_exe_from_memfd' \
		'evt.type = execve and evt.dir = < and evt.rawres = 0 and proc.name != pdig' 2>&1 | tail -1)" \
	"/proc/self/fd/$FD true"

# fexecve: execveat(fd, "", AT_EMPTY_PATH) of the memfd (MFD_CLOEXEC)
same "fexecve of a memfd: proc.exepath memfd:NAME, proc.is_exe_from_memfd" \
	"$("$ENGINE" -e "$T/at.scap" -p '%proc.exepath %proc.is_exe_from_memfd' \
		'evt.type = execveat and evt.dir = < and evt.rawres = 0' 2>&1)" \
	"memfd:pdig-payload true"
same "MFD_CLOEXEC: the memfd is gone after the exec (its number names a file again)" \
	"$("$ENGINE" -e "$T/at.scap" -p '%evt.arg.flags|%fd.type' 'evt.type = memfd_create and evt.dir = <' 2>&1)|$("$ENGINE" -e "$T/at.scap" -p '%fd.type' "evt.type = openat and evt.dir = < and fd.num = $FD and proc.exepath = memfd:pdig-payload" 2>&1 | head -1)" \
	"MFD_CLOEXEC|MFD_ALLOW_SEALING|memfd|file"

# a rule on evt.type = memfd_create loads and reads the values
cat > "$T/r.yaml" <<'R'
- rule: memfd created
  desc: memfd_create with its fd and name
  condition: evt.type = memfd_create and evt.arg.name = pdig-payload
  output: "memfd fd=%evt.rawres name=%evt.arg.name fd.name=%fd.name"
  priority: WARNING
R
same "a rule on evt.type = memfd_create" \
	"$("$ENGINE" -r "$T/r.yaml" -e "$T/proc.scap" 2>&1 | grep -o 'memfd fd=.*')" \
	"memfd fd=$FD name=pdig-payload fd.name=pdig-payload"
exit $fail
