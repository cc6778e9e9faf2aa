#!/bin/sh
# Fileless execution is certain: pdig sets execve's EXE_FROM_MEMFD flag
# (0x4) when the program it started is a memfd (the kernel's
# "/memfd:NAME (deleted)"), whatever path ran it; pdig-engine's
# proc.is_exe_from_memfd follows it. A program run through /proc/self/fd/N
# of an ordinary file has no flag and is not a memfd.
#
# usage: memfd_exec.sh PDIG ENGINE
set -u
PDIG=$1 ENGINE=$2
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/../lib/probe.sh"
pd_need trace
# the real interpreter: a version-manager shim would start others first
PY=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null) || PY=
if [ -z "$PY" ] || [ ! -x "$PY" ]; then
	echo "SKIP: python3 is not installed (it makes the memfd)"
	exit 77
fi
fail=0

# exec_via NAME OPENER: python opens an fd with OPENER and runs it by path
exec_via() {
	"$PDIG" -q -w "$T/$1.scap" -- "$PY" -c "import os
fd = $2
os.execv('/proc/self/fd/%d' % fd, ['payload'])" 2>"$T/$1.err" ||
		{ echo "FAIL: $1: pdig failed: $(cat "$T/$1.err")"; fail=1; }
	# the execve of /proc/self/fd/N: its exit's flags and the field
	"$ENGINE" -e "$T/$1.scap" -p '%evt.rawarg.flags %proc.is_exe_from_memfd' \
		'evt.type = execve and evt.dir = < and evt.rawres = 0 and proc.exepath startswith /proc/self/fd/'
}

got=$(exec_via memfd 'os.memfd_create("payload"); os.write(fd, open("/bin/true", "rb").read())' 2>&1)
set -- $got
if [ $# -eq 2 ] && [ $(($1 & 4)) -ne 0 ] && [ "$2" = true ]; then
	echo "ok: a memfd's execution has EXE_FROM_MEMFD (flags $1) and proc.is_exe_from_memfd"
else
	echo "FAIL: memfd: want one execve with flag 0x4 and true, got '$got'"
	fail=1
fi

got=$(exec_via file 'os.open("/bin/true", os.O_RDONLY)' 2>&1)
set -- $got
if [ $# -eq 2 ] && [ $(($1 & 4)) -eq 0 ] && [ "$2" = false ]; then
	echo "ok: an ordinary file run through its fd is no memfd (flags $1)"
else
	echo "FAIL: file: want one execve without flag 0x4 and false, got '$got'"
	fail=1
fi
exit $fail
