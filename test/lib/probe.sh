# test/lib/probe.sh: what this kernel and machine offer, asked natively,
# before the checks that depend on it. Sourced by the test scripts (sh or
# bash):
#   . "$(dirname "$0")/../lib/probe.sh"
#
#   pd_have NAME   0 when the machine offers NAME; else 1, and PD_WHY says
#                  what is missing and why that does not matter for pdig
#   pd_skip WHAT [WHY-IT-DOES-NOT-MATTER]
#                  prints "skip: WHAT: $PD_WHY" (the checks of WHAT are not
#                  run; the test goes on with the rest); counts PD_SKIPPED
#   pd_need NAME   for a test whose every check needs NAME: if missing,
#                  prints "SKIP: $PD_WHY" and exits 77 (ctest: Skipped)
#
# NAMEs:
#   int80    64-bit programs may make 32-bit calls (int 0x80)   [kprobe]
#   x32      the x32 ABI                                        [kprobe]
#   ptrace   a process may ptrace its child (pdig needs it)     [kprobe]
#   seccomp  a seccomp filter can be loaded (pdig needs it)     [kprobe]
#   trace    both: what pdig needs to run at all
#   cpu2     two CPUs this process may run on; sets PD_CPU_A, PD_CPU_B
#   pidns    a new pid namespace (unshare -p -f --mount-proc)
#   mountns  a private mount namespace (unshare -m)
#   pty      a pseudo-terminal (script(1) runs a command on one)
#   strace   strace can trace a program here
#   sysadmin CAP_SYS_ADMIN in the effective set
#   root     running as root
#   ipv6     IPv6 on the loopback interface (::1)
#   sysdig   sysdig 0.29.3 (Debian 12's), the version the comparisons were
#            made against; sets PD_SYSDIG_VERSION
#
# [kprobe]: asked through test/pdig/progs/kprobe (built with the tests),
# found as $PD_KPROBE, else ./progs/kprobe or ../pdig/progs/kprobe from the
# test's working directory (ctest's is its build folder). Without it these
# names are taken as available (the checks then run, and fail loudly where
# the kernel lacks them).
#
# PDIG_TEST_PRETEND_NO_<NAME>=1 (NAME in capitals: PDIG_TEST_PRETEND_NO_INT80)
# makes pd_have report NAME missing, so that the skip paths can be tested on
# a machine that has everything (test/pdig/probes.sh).

PD_SKIPPED=0
PD_WHY= PD_MISSING= PD_MATTERS=

_pd_kprobe() {
	for _pd_k in "${PD_KPROBE:-}" "$PWD/progs/kprobe" "$PWD/../pdig/progs/kprobe"; do
		[ -n "$_pd_k" ] && [ -x "$_pd_k" ] && { echo "$_pd_k"; return 0; }
	done
	return 1
}

# _pd_ask_kprobe WHAT: 0 if kprobe WHAT succeeds (or kprobe is missing);
# else 1 with its line in _pd_missing
_pd_ask_kprobe() {
	if ! _pd_kp=$(_pd_kprobe); then
		echo "note: test/pdig/progs/kprobe not found (set PD_KPROBE): '$1' taken as available"
		return 0
	fi
	_pd_said=$("$_pd_kp" "$1" 2>&1) && return 0
	[ -z "$_pd_said" ] || _pd_missing=$_pd_said
	return 1
}

_pd_probe_int80() {
	_pd_matters="a program cannot make 32-bit calls here, so none can bypass pdig through them"
	_pd_missing="this kernel refuses the 32-bit entry (int 0x80) to 64-bit programs"
	_pd_ask_kprobe int80
}
_pd_probe_x32() {
	_pd_matters="no program can make x32 calls here, so none can bypass pdig through them"
	_pd_missing="this kernel has no x32 ABI"
	_pd_ask_kprobe x32
}
_pd_probe_ptrace() {
	_pd_matters="pdig cannot run here at all (it needs CAP_SYS_PTRACE): nothing of it can be checked"
	_pd_missing="ptrace is refused here"
	_pd_ask_kprobe ptrace
}
_pd_probe_trace() {
	_pd_probe_ptrace && _pd_probe_seccomp
}
_pd_probe_seccomp() {
	_pd_matters="pdig cannot run here at all (it needs seccomp filters): nothing of it can be checked"
	_pd_missing="seccomp filters cannot be loaded here"
	_pd_ask_kprobe seccomp
}
_pd_probe_cpu2() {
	_pd_matters="the measurement with pdig and the command on two CPUs only shows where stops land; pdig works the same on one CPU"
	_pd_missing="fewer than two CPUs available to this process"
	PD_CPU_A= PD_CPU_B=
	if _pd_kp=$(_pd_kprobe); then
		set -- $("$_pd_kp" cpus 2>/dev/null)
	else
		set -- $(seq 0 $(($(nproc 2>/dev/null || echo 1) - 1)))
	fi
	PD_CPU_A=${1:-} PD_CPU_B=${2:-}
	[ $# -ge 2 ] || { _pd_missing="only CPU ${1:-?} is available to this process"; return 1; }
	command -v taskset >/dev/null 2>&1 || { _pd_missing="taskset (util-linux) is not installed"; return 1; }
	taskset -c "$PD_CPU_A" true 2>/dev/null && taskset -c "$PD_CPU_B" true 2>/dev/null ||
		{ _pd_missing="taskset cannot pin to CPUs $PD_CPU_A and $PD_CPU_B here"; return 1; }
}
_pd_probe_pidns() {
	_pd_matters="what pdig does in a new pid namespace (as in a container) is left unchecked here, the rest is checked"
	_pd_missing="cannot make a pid namespace here (unshare -p needs CAP_SYS_ADMIN or user namespaces)"
	command -v unshare >/dev/null 2>&1 || { _pd_missing="unshare (util-linux) is not installed"; return 1; }
	unshare -p -f --mount-proc true >/dev/null 2>&1
}
_pd_probe_mountns() {
	_pd_matters="only the test's own private /dev/shm needs it; pdig does not"
	_pd_missing="cannot make a mount namespace here (unshare -m needs CAP_SYS_ADMIN)"
	command -v unshare >/dev/null 2>&1 || { _pd_missing="unshare (util-linux) is not installed"; return 1; }
	unshare -m true >/dev/null 2>&1
}
_pd_probe_pty() {
	_pd_matters="only what a program does on a terminal goes unchecked; pdig needs no terminal"
	_pd_missing="no pseudo-terminal here (script -qec true /dev/null fails)"
	command -v script >/dev/null 2>&1 || { _pd_missing="script (util-linux) is not installed: no terminal"; return 1; }
	script -qec true /dev/null </dev/null >/dev/null 2>&1
}
_pd_probe_strace() {
	_pd_matters="strace is only the reference to compare pdig with"
	_pd_missing="strace cannot trace here"
	command -v strace >/dev/null 2>&1 || { _pd_missing="strace is not installed"; return 1; }
	strace -f -o /dev/null true >/dev/null 2>&1
}
_pd_probe_sysadmin() {
	_pd_matters="pdig then sets NO_NEW_PRIVS for its filter, as the kernel requires (checked instead)"
	_pd_missing="no CAP_SYS_ADMIN in the effective set"
	_pd_cap=$(sed -n 's/^CapEff:[[:space:]]*//p' /proc/self/status 2>/dev/null)
	[ -n "$_pd_cap" ] || { _pd_missing="no CapEff line in /proc/self/status"; return 1; }
	[ $(((0x$_pd_cap >> 21) & 1)) = 1 ]
}
_pd_probe_root() {
	_pd_matters="only checks of what root alone may do are left out"
	_pd_missing="not running as root"
	[ "$(id -u)" = 0 ]
}
_pd_probe_ipv6() {
	_pd_matters="only the IPv6 program is left out; IPv6 events are also checked on generated captures"
	_pd_missing="no IPv6 on the loopback interface (::1)"
	grep -q '^0\{31\}1 .* lo$' /proc/net/if_inet6 2>/dev/null
}
_pd_probe_sysdig() {
	_pd_matters="sysdig is only the reference pdig's output is compared with"
	PD_SYSDIG_VERSION=
	command -v sysdig >/dev/null 2>&1 || { _pd_missing="sysdig is not installed (apt-get install sysdig)"; return 1; }
	PD_SYSDIG_VERSION=$(sysdig --version 2>/dev/null | sed -n 's/^sysdig version //p')
	_pd_missing="sysdig ${PD_SYSDIG_VERSION:-of unknown version} is installed, not 0.29.3 (Debian 12's), the version these comparisons were made against"
	[ "$PD_SYSDIG_VERSION" = 0.29.3 ]
}

pd_have() {
	PD_WHY=
	_pd_up=$(printf '%s' "$1" | tr '[:lower:]' '[:upper:]')
	eval "_pd_pretend=\${PDIG_TEST_PRETEND_NO_$_pd_up:-}"
	if ! command -v "_pd_probe_$1" >/dev/null 2>&1; then
		echo "FAIL: test/lib/probe.sh: no probe named '$1'" >&2
		return 2
	fi
	if "_pd_probe_$1"; then
		[ -n "$_pd_pretend" ] && [ "$_pd_pretend" != 0 ] || return 0
		_pd_missing="$_pd_missing (pretended: PDIG_TEST_PRETEND_NO_$_pd_up=$_pd_pretend)"
	fi
	PD_MISSING=$_pd_missing PD_MATTERS=$_pd_matters
	PD_WHY="$PD_MISSING: $PD_MATTERS"
	return 1
}

# pd_skip WHAT [WHY-IT-DOES-NOT-MATTER]: after a pd_have that said no
pd_skip() {
	echo "skip: $1: $PD_MISSING: ${2:-$PD_MATTERS}"
	PD_SKIPPED=$((PD_SKIPPED + 1))
}

pd_need() {
	pd_have "$1" && return 0
	echo "SKIP: $PD_WHY"
	exit 77
}
