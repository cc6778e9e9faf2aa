#!/bin/sh
# The static pdig-trace in a root that holds nothing but it (with pdig and
# pdig-engine beside it), a static busybox, and the files the application
# reads: no libc, no shell, no rules folder. Run as PID 1 of a new pid and
# mount namespace with /proc and a tmpfs on /tmp mounted, as a container
# runtime provides them. The built-in rules fire, the status comes out;
# then the same with the rules installed in /share/pdig/rules.
# usage: static_chroot.sh STATIC_BIN_DIR RULES_DIR
SBIN=$(realpath "$1") RULES=$(realpath "$2")
. "$(dirname "$0")/lib.sh"
need_pidns
need_python
[ -x "$SBIN/pdig-trace" ] || skip "no static build in $SBIN (trace.static_build skipped or failed)"
BB=$(command -v busybox) || skip "busybox is not installed (Debian: busybox-static)"
command -v readelf >/dev/null 2>&1 || skip "readelf (binutils) is not installed"
! readelf -l "$BB" | grep -q INTERP || skip "$BB is not static (Debian: busybox-static)"
need_ptrace "$SBIN/pdig"
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT
R=$T/root
mkdir -p "$R/bin" "$R/etc" "$R/proc" "$R/tmp"
cp "$SBIN/pdig" "$SBIN/pdig-engine" "$SBIN/pdig-trace" "$BB" "$R/bin/"
echo 'root:x:0:0:root:/root:/bin/sh' >"$R/etc/passwd"
echo 'root:x:0:' >"$R/etc/group"
echo 'root:*:19000:0:99999:7:::' >"$R/etc/shadow"

files=$(cd "$R" && find . -type f | sort | tr '\n' ' ')
[ "$files" = "./bin/busybox ./bin/pdig ./bin/pdig-engine ./bin/pdig-trace ./etc/group ./etc/passwd ./etc/shadow " ] &&
	ok "the root holds: $files" || bad "unexpected files in the root: $files"

# run NAME: pdig-trace as PID 1 of the chroot
run() {
	unshare --pid --fork --mount --propagation private sh -c '
		mount -t proc proc "$0/proc" && mount -t tmpfs tmpfs "$0/tmp" &&
		exec chroot "$0" /bin/pdig-trace -v -- /bin/busybox sh -c \
			"/bin/busybox cat /etc/shadow >/tmp/out; echo app-ran; exit 6"' "$R" \
		>"$T/$1.out" 2>"$T/$1.err"
}
run embedded
rc=$?
[ $rc = 6 ] && ok "embedded: the application's status (6) out of the chroot" || bad "embedded: exit $rc: $(cat "$T/embedded.err")"
grep -q "default rules: the copy built in" "$T/embedded.err" && ok "embedded: the rules built into pdig-trace" ||
	bad "embedded: $(cat "$T/embedded.err")"
[ "$(alerts "$T/embedded.out" "$RULE_SHADOW")" = 1 ] && grep -q "^app-ran$" "$T/embedded.out" &&
	ok "embedded: the alert, as JSON, beside the application's output" || bad "embedded: $(cat "$T/embedded.out" "$T/embedded.err")"

mkdir -p "$R/share/pdig/rules"
cp "$RULES"/*.yaml "$R/share/pdig/rules/"
run installed
rc=$?
[ $rc = 6 ] && grep -q "default rules: /bin/../share/pdig/rules" "$T/installed.err" &&
	[ "$(alerts "$T/installed.out" "$RULE_SHADOW")" = 1 ] &&
	ok "installed: the rules of /share/pdig/rules, the alert, the status" ||
	bad "installed: exit $rc: $(cat "$T/installed.out" "$T/installed.err")"
exit $fail
