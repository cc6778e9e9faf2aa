#!/bin/sh
# The default sink: events in the shared-memory ring, read back as
# pdig-engine reads them (pd_evdump --ring); and the udig ring, read by
# Debian's sysdig -u.
# The udig names are global: run in a private mount namespace with its own
# /dev/shm, so nothing is left in (or read from) the machine's.
. "$(dirname "$0")/../lib/probe.sh"
PD_KPROBE=$3/kprobe
if [ -z "${PDIG_PRIVATE_SHM:-}" ]; then
	pd_need trace
	pd_have mountns && exec env PDIG_PRIVATE_SHM=1 unshare -m --propagation private \
		sh -c 'mount -t tmpfs -o mode=1777 tmpfs /dev/shm && exec sh "$0" "$@"' "$0" "$@"
	# the named ring's own name is unique: the machine's /dev/shm will do
	pd_skip "the udig ring read by sysdig -u" "udig's names are global, and only a private /dev/shm keeps the test's apart from the machine's"
	PDIG_PRIVATE_SHM=0
fi
PDIG=$1 EVDUMP=$2 P=$3
ring=/pdig-test-ring-$$
tmp=$(mktemp -d); trap 'rm -rf "$tmp" /dev/shm$ring' EXIT
fail=0
has() {
	if grep -Eq -- "$2" "$1"; then echo "ok: $3"; else
		echo "FAIL: $3: no line matching: $2"; fail=1; fi
}
mkdir "$tmp/w"
"$PDIG" -q --io --ring "$ring" "$P/file_ops" "$tmp/w" > "$tmp/out" 2>&1 || { echo "FAIL: pdig: $(cat "$tmp/out")"; exit 1; }
set -- $(grep '^pid ' "$tmp/out")
PID=$2 CHILD=$4
PORT=$(sed -n 's/^port //p' "$tmp/out")
[ -e "/dev/shm$ring" ] && echo "ok: unread events keep the ring" || { echo "FAIL: no /dev/shm$ring"; fail=1; }
"$EVDUMP" --ring "$ring" > "$tmp/r.txt" 2> "$tmp/r.err" || { echo "FAIL: reading the ring: $(cat "$tmp/r.err")"; fail=1; }
has "$tmp/r.err" " 0 corrupt" "no corrupt record"
has "$tmp/r.txt" "^< execve tid=$PID res=0 exe=$P/file_ops " "execve exit from the ring"
has "$tmp/r.txt" "^< openat tid=$PID fd=[0-9]+ dirfd=-100 name=a.txt flags=0x1106 mode=0640 " "openat from the ring"
has "$tmp/r.txt" "^< connect tid=$PID res=0 tuple=127.0.0.1:[0-9]+->127.0.0.1:$PORT\$" "connect tuple from the ring"
has "$tmp/r.txt" "^> procexit tid=$CHILD status=0 " "procexit from the ring"
[ ! -e "/dev/shm$ring" ] && echo "ok: read to the end, the ring's name is gone" || { echo "FAIL: /dev/shm$ring left behind"; fail=1; }

# udig: sysdig -u must be capturing before pdig writes
[ "$PDIG_PRIVATE_SHM" = 1 ] || exit $fail
if ! command -v sysdig > /dev/null; then
	echo "skip: the udig ring read by sysdig -u: sysdig is not installed: it is only the reader pdig's udig ring is checked with"
	exit $fail
fi
timeout 30 sysdig -u -p "%evt.dir %evt.type %proc.name %thread.tid %evt.args" "proc.name=file_ops" > "$tmp/u.txt" 2> "$tmp/u.err" &
sd=$!
n=0
while "$PDIG" --udig true 2>&1 | grep -q "no udig reader"; do
	n=$((n + 1)); [ $n -ge 40 ] && break; sleep 0.25
done
if [ $n -ge 40 ]; then
	echo "FAIL: sysdig -u did not start capturing: $(cat "$tmp/u.err")"; kill $sd; exit 1
fi
"$PDIG" -q --io --udig "$P/file_ops" "$tmp/w" > "$tmp/out" 2>&1 || fail=1
set -- $(grep '^pid ' "$tmp/out")
PID=$2
sleep 2
kill -INT $sd; wait $sd
has "$tmp/u.txt" "^< openat file_ops $PID fd=[0-9]+\(<f>$tmp/w/a.txt\) " "sysdig -u sees the openat, fd resolved"
has "$tmp/u.txt" "^< write file_ops $PID res=10 data=hello pdig" "sysdig -u sees the write"
exit $fail
