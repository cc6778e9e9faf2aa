#!/bin/sh
# pdig-inject against running containers, emulated by namespaces (a pid and
# mount namespace, chroot into a busybox root, PID 1 the application) and a
# stand-in docker/kubectl client (fake-client: exec = nsenter): the static
# programs copied in through the exec stream, attached to PID 1 with the
# engine beside it; alerts on the session or in the container's log; the
# session's end stops it (--no-inject: the application runs on, untraced);
# clear errors for a container without SYS_PTRACE, without a writable
# directory, without a shell; a shared volume instead of the copy.
# usage: inject.sh STATIC_BIN_DIR PDIG_INJECT
SBIN=$(realpath "$1") INJECT=$2
D=$(cd "$(dirname "$0")" && pwd)
. "$D/lib.sh"
need_pidns
need_python
[ -x "$SBIN/pdig-trace" ] || skip "no static build in $SBIN (trace.static_build skipped or failed)"
BB=$(command -v busybox) || skip "busybox is not installed (Debian: busybox-static)"
command -v readelf >/dev/null 2>&1 || skip "readelf (binutils) is not installed"
! readelf -l "$BB" | grep -q INTERP || skip "$BB is not static (Debian: busybox-static)"
for c in nsenter setpriv setsid; do
	command -v $c >/dev/null 2>&1 || skip "$c (util-linux) is not installed"
done
need_ptrace "$SBIN/pdig"
T=$(mktemp -d) || exit 1
export FAKE_CONTAINERS="$T/containers"
mkdir -p "$FAKE_CONTAINERS" "$T/clients"
ln -s "$D/fake-client" "$T/clients/docker"
ln -s "$D/fake-client" "$T/clients/kubectl"
DOCKER=$T/clients/docker KUBECTL=$T/clients/kubectl
pids=
# shellcheck disable=SC2154 # k: the trap's own loop variable
trap 'for k in $pids; do kill -KILL "$k" 2>/dev/null; done; rm -rf "$T"' EXIT

APP='while :; do
	if [ -e /trigger ]; then rm -f /trigger; cat /etc/shadow >/dev/null; echo app-read; fi
	sleep 0.2
done'

# container NAME shell|ro|bare: a running container; its log in $T/NAME.log
container() {
	name=$1 kind=$2 R=$T/$1.root
	mkdir -p "$R/proc" "$R/etc" "$R/dev" "$FAKE_CONTAINERS/$name"
	: >"$R/dev/null"
	echo 'root:x:0:0:root:/root:/bin/sh' >"$R/etc/passwd"
	echo 'root:*:19000:0:99999:7:::' >"$R/etc/shadow"
	if [ "$kind" = bare ]; then # no shell; the programs in a "volume"
		cp "$BB" "$R/busybox"
		mkdir "$R/pdig"
		cp "$SBIN/pdig" "$SBIN/pdig-engine" "$SBIN/pdig-trace" "$R/pdig/"
		cmd=/busybox sh=sh
	else
		mkdir -p "$R/bin"
		cp "$BB" "$R/bin/busybox"
		for a in sh cat mkdir chmod rm sleep echo; do ln -s busybox "$R/bin/$a"; done
		cmd=/bin/sh sh=
		[ "$kind" = shell ] && mkdir "$R/tmp"
	fi
	unshare --pid --fork --mount --propagation private sh -c '
		R=$0 kind=$1
		if [ "$kind" = ro ]; then mount --bind "$R" "$R" && mount -o remount,bind,ro "$R" "$R" || exit 1; fi
		mount -t proc proc "$R/proc" && mount --bind /dev/null "$R/dev/null" || exit 1
		[ -d "$R/tmp" ] && mount -t tmpfs tmpfs "$R/tmp"
		shift
		exec chroot "$R" "$@"' "$R" "$kind" $cmd $sh -c "$APP" \
		>"$T/$name.log" 2>&1 &
	u=$!
	wait_until 10 sh -c "test -n \"\$(cat /proc/$u/task/$u/children 2>/dev/null)\"" ||
		{ bad "$name: the container did not start: $(cat "$T/$name.log")"; return 1; }
	cat /proc/$u/task/$u/children | tr -d ' ' >"$FAKE_CONTAINERS/$name/pid"
	pids="$pids $(cat "$FAKE_CONTAINERS/$name/pid")"
}
pid1() { cat "$FAKE_CONTAINERS/$1/pid"; }
traced() { [ "$(sed -n 's/^TracerPid:[[:space:]]*//p' "/proc/$(pid1 "$1")/status")" != 0 ]; }
untraced() { [ "$(sed -n 's/^TracerPid:[[:space:]]*//p' "/proc/$(pid1 "$1")/status")" = 0 ]; }

# 1. the copy through docker exec -i, alerts on the session, its end stops it
container web shell
mkfifo "$T/session"
sleep 600 >"$T/session" &
holder=$!
"$INJECT" --from "$SBIN" --docker "$DOCKER" docker web -- --no-inject <"$T/session" >"$T/web.out" 2>"$T/web.err" &
inj=$!
if wait_until 30 traced web; then
	ok "web: copied in and attached to the container's PID 1"
	touch "$T/web.root/trigger"
	wait_until 20 sh -c "[ \"\$(grep -c Sensitive '$T/web.out')\" -ge 1 ]" &&
		ok "web: its read of /etc/shadow alerted on the session" || bad "web: no alert: $(cat "$T/web.out" "$T/web.err")"
	[ "$(alerts "$T/web.out" "$RULE_SHADOW")" = 1 ] && ok "web: the alert is Falco JSON" ||
		bad "web: $(cat "$T/web.out")"
	kill $holder # the client goes away: the session's input ends
	if wait_until 20 sh -c "! kill -0 $inj 2>/dev/null"; then
		ok "web: the session's end stopped pdig-trace"
	else
		bad "web: pdig-trace still runs after the session ended"
	fi
	kill -0 "$(pid1 web)" && untraced web && ok "web: the application runs on, untraced (--no-inject)" ||
		bad "web: the application is gone or still traced"
	"$DOCKER" exec web sh -c 'echo /tmp/pdig.*/pdig-trace' >"$T/ls" 2>&1
	grep -q "^/tmp/pdig\.[0-9]*/pdig-trace\$" "$T/ls" && ok "web: the programs went to /tmp in the container" ||
		bad "web: not in the container's /tmp: $(cat "$T/ls")"
else
	bad "web: never traced: $(cat "$T/web.err")"
	kill $holder
fi

# 2. --detach: alerts in the container's own log
"$INJECT" --from "$SBIN" --docker "$DOCKER" --detach docker web >"$T/det.out" 2>"$T/det.err"
rc=$?
[ $rc = 0 ] && ok "detach: pdig-inject returned at once" || bad "detach: exit $rc: $(cat "$T/det.err")"
if wait_until 30 traced web; then
	touch "$T/web.root/trigger"
	wait_until 20 sh -c "[ \"\$(grep -c Sensitive '$T/web.log')\" -ge 1 ]" &&
		ok "detach: the alert in the container's log (its PID 1's stdout)" || bad "detach: not in the log: $(cat "$T/web.log")"
else
	bad "detach: never traced: $(cat "$T/det.err")"
fi

# 3. kubectl: the pod, container and namespace reach the client
container pod1 shell
"$INJECT" --from "$SBIN" --kubectl "$KUBECTL" --detach kubectl pod1 -c app -n shop >"$T/k.out" 2>"$T/k.err"
rc=$?
if [ $rc = 0 ] && wait_until 30 traced pod1 && grep -q "^kubectl exec -i -n shop pod1 -c app -- " "$FAKE_CONTAINERS/calls"; then
	ok "kubectl: kubectl exec -i -n shop pod1 -c app, attached"
else
	bad "kubectl: exit $rc: $(cat "$T/k.err"); calls: $(grep kubectl "$FAKE_CONTAINERS/calls" | head -3)"
fi

# 4. no SYS_PTRACE
container noptrace shell
touch "$FAKE_CONTAINERS/noptrace/nocap"
"$INJECT" --from "$SBIN" --docker "$DOCKER" docker noptrace >/dev/null 2>"$T/nocap.err"
rc=$?
[ $rc = 1 ] && grep -q "lacks the SYS_PTRACE capability.*linuxParameters.capabilities.add" "$T/nocap.err" &&
	ok "no SYS_PTRACE: said, with the setting to add" || bad "nocap: exit $rc: $(cat "$T/nocap.err")"

# 5. nothing writable
container readonly ro
"$INJECT" --from "$SBIN" --docker "$DOCKER" docker readonly >/dev/null 2>"$T/ro.err"
rc=$?
[ $rc = 1 ] && grep -q "no writable directory in docker readonly where programs may run.*--dir DIR.*--volume DIR" "$T/ro.err" &&
	ok "no writable directory: said, with --dir and --volume" || bad "ro: exit $rc: $(cat "$T/ro.err")"

# 6. no shell; then the programs from a volume, which needs none
container bare bare
"$INJECT" --from "$SBIN" --docker "$DOCKER" docker bare >/dev/null 2>"$T/bare.err"
rc=$?
[ $rc = 1 ] && grep -q "has no shell (sh) to receive the programs.*--volume DIR" "$T/bare.err" &&
	ok "no shell: said, with --volume" || bad "bare: exit $rc: $(cat "$T/bare.err")"
"$INJECT" --docker "$DOCKER" --volume /pdig --detach docker bare >/dev/null 2>"$T/vol.err"
rc=$?
if [ $rc = 0 ] && wait_until 30 traced bare; then
	touch "$T/bare.root/trigger"
	wait_until 20 sh -c "[ \"\$(grep -c Sensitive '$T/bare.log')\" -ge 1 ]" &&
		ok "volume: no shell needed, the alert in the container's log" || bad "volume: no alert: $(cat "$T/bare.log")"
else
	bad "volume: exit $rc, traced: $(traced bare && echo yes): $(cat "$T/vol.err")"
fi

# usage errors
"$INJECT" >/dev/null 2>"$T/u.err"
[ $? = 2 ] && grep -q "say where: docker CONTAINER or kubectl POD" "$T/u.err" && ok "usage: no target: 2" ||
	bad "usage: $(cat "$T/u.err")"
"$INJECT" --from "$T" docker web >/dev/null 2>"$T/u2.err"
[ $? = 1 ] && grep -q "no pdig in $T: build the static programs (scripts/build-static.sh)" "$T/u2.err" &&
	ok "no static programs: what to build" || bad "usage2: $(cat "$T/u2.err")"
exit $fail
