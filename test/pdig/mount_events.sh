#!/bin/sh
# mount and umount2 as the driver's mount and umount events: a -w capture
# of progs/mounts (a tmpfs, a bind mount, a remount, a mount and an
# umount2 that fail) read by sysdig 0.29.3 and by pdig-engine, line for
# line, with the values each call had; and the fields a rule reads on the
# exit (evt.arg.dev, dir, type, and the enter's flags).
# Runs as root in a private mount namespace: nothing outside it changes.
#
# usage: mount_events.sh PDIG ENGINE PROGDIR
set -u
PDIG=$1 ENGINE=$2 P=$3
. "$(dirname "$0")/../lib/probe.sh"
PD_KPROBE=$P/kprobe
pd_need trace
pd_need root
pd_need mountns
command -v sysdig > /dev/null || { echo "SKIP: sysdig is not installed: it is the reader these checks are made with"; exit 77; }
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT
mkdir "$T/w"
# private propagation: the mounts stay inside the namespace
unshare -m sh -c 'mount --make-rprivate / && exec "$0" -q -w "$1" -- "$2" "$3"' \
	"$PDIG" "$T/c.scap" "$P/mounts" "$T/w" > "$T/out" 2>&1 ||
	{ echo "FAIL: pdig -w under unshare -m: $(cat "$T/out")"; exit 1; }
fail=0
grep -qx "tmpfs 0" "$T/out" && grep -qx "umount_a 0" "$T/out" ||
	{ echo "FAIL: the mounts did not go as planned: $(tr '\n' ' ' < "$T/out")"; exit 1; }

FMT="%evt.dir %evt.type %proc.name %evt.args"
sysdig -r "$T/c.scap" -p "$FMT" "evt.type in (mount, umount)" > "$T/s.txt" 2> "$T/s.err" ||
	{ echo "FAIL: sysdig -r: $(cat "$T/s.err")"; exit 1; }
"$ENGINE" -e "$T/c.scap" -p "$FMT" "evt.type in (mount, umount)" > "$T/e.txt" 2> "$T/e.err" ||
	{ echo "FAIL: pdig-engine -e: $(cat "$T/e.err")"; exit 1; }
if cmp -s "$T/s.txt" "$T/e.txt"; then
	echo "ok: pdig-engine prints the $(wc -l < "$T/s.txt") mount and umount events as sysdig does"
else
	echo "FAIL: pdig-engine and sysdig differ:"; diff "$T/s.txt" "$T/e.txt"; fail=1
fi
W=$T/w
has() {
	if grep -Fxq -- "$1" "$T/s.txt"; then echo "ok: $2"; else
		echo "FAIL: $2: no line '$1' in:"; cat "$T/s.txt"; fail=1; fi
}
has "> mount mounts flags=6(NOSUID|NODEV) " "mount's enter: the flags without the old magic number"
has "< mount mounts res=0 dev=pdigtest dir=$W/a type=tmpfs " "a tmpfs mounted: source, target, type"
has "> mount mounts flags=20480(BIND|REC) " "bind mount flags"
has "< mount mounts res=0 dev=$W/a dir=$W/b type=(NULL) " "bind mount: no type, as the driver writes a NULL pointer"
has "> mount mounts flags=4129(RDONLY|REMOUNT|BIND) " "remount flags"
has "< mount mounts res=0 dev=(NULL) dir=$W/b type=(NULL) " "remount: no source"
has "< mount mounts res=-2(ENOENT) dev=pdigtest dir=$W/missing type=tmpfs " "a failed mount has its error and arguments"
has "> umount mounts flags=2(DETACH) " "umount2's flags"
has "< umount mounts res=0 name=$W/b " "umount2's target"
has "> umount mounts flags=0 " "umount(2) is umount2 with no flags"
has "< umount mounts res=-2(ENOENT) name=$W/missing " "a failed umount2"
has "> umount mounts flags=8(NOFOLLOW) " "UMOUNT_NOFOLLOW"

# a rule reads the exit's parameters and, as Falco, the enter's flags
cat > "$T/r.yaml" <<'R'
- rule: mounts
  desc: every mount call
  condition: evt.type = mount
  output: "dev=%evt.arg.dev dir=%evt.arg.dir type=%evt.arg.type flags=%evt.arg.flags raw=%evt.rawarg.flags res=%evt.res"
  priority: WARNING
R
"$ENGINE" -r "$T/r.yaml" -e "$T/c.scap" > "$T/alerts" 2> "$T/a.err" ||
	{ echo "FAIL: pdig-engine -r: $(cat "$T/a.err")"; fail=1; }
if grep -q "dev=pdigtest dir=$W/a type=tmpfs flags=NOSUID|NODEV raw=6 res=SUCCESS" "$T/alerts" &&
	grep -q "dev=pdigtest dir=$W/missing type=tmpfs flags=0 raw=0 res=ENOENT" "$T/alerts" &&
	[ "$(grep -c 'dev=' "$T/alerts")" = 4 ]; then
	echo "ok: evt.arg.dev, dir, type, flags (from the enter), evt.res in a rule's output"
else
	echo "FAIL: rule output:"; cat "$T/alerts"; fail=1
fi
exit $fail
