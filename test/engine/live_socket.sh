#!/bin/sh
# The private ring: pdig --connect hands a sealed memfd to pdig-engine --listen
# over a unix socket. The engine sees the events and raises the alerts, and
# the traced program finds no ring in /dev/shm (nothing to forge or erase).
# A pdig pointed at a socket nobody listens on fails with a clear message.
# usage: live_socket.sh PDIG PDIG-ENGINE RULES_DIR
PDIG=$1 ENGINE=$2 RULES=$3
command -v unshare >/dev/null 2>&1 || { echo "skip: unshare (util-linux) is not installed"; exit 77; }
if [ -z "${PDIG_PRIVATE_SHM:-}" ]; then # a private, empty /dev/shm to look at
	unshare -m true 2>/dev/null || { echo "skip: cannot create a mount namespace (unshare -m needs root)"; exit 77; }
	exec env PDIG_PRIVATE_SHM=1 unshare -m --propagation private \
		sh -c 'mount -t tmpfs -o mode=1777 tmpfs /dev/shm && exec sh "$0" "$@"' "$0" "$@"
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
sock=$tmp/engine.sock

"$ENGINE" -r "$RULES" --listen "$sock" --idle-exit 2000 > "$tmp/alerts" 2> "$tmp/engine.err" &
engine=$!
for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.05; done
[ -S "$sock" ] || { echo "FAIL: the engine did not listen on $sock: $(cat "$tmp/engine.err")"; exit 1; }
"$PDIG" -q --connect "$sock" -- sh -c 'ls -A /dev/shm > "$0"; cat /etc/shadow > /dev/null' "$tmp/shm.txt" ||
	{ echo "FAIL: pdig --connect failed"; fail=1; }
wait $engine || { echo "FAIL: engine: $(cat "$tmp/engine.err")"; exit 1; }

if [ -s "$tmp/shm.txt" ]; then
	echo "FAIL: the traced program sees a ring in /dev/shm: $(cat "$tmp/shm.txt")"; fail=1
else
	echo "ok: nothing in /dev/shm for the traced program to find"
fi
n=$(grep -c "Sensitive file opened for reading by untrusted program" "$tmp/alerts")
[ "$n" = 1 ] && echo "ok: the alert came through the private ring" ||
	{ echo "FAIL: want 1 alert, got $n:"; cat "$tmp/alerts" "$tmp/engine.err"; fail=1; }
grep -q " 0 damaged records" "$tmp/engine.err" && echo "ok: no damaged record" ||
	{ echo "FAIL: damaged records: $(cat "$tmp/engine.err")"; fail=1; }

# nobody listening: one clear message, pdig's own failure status (125)
"$PDIG" -q --connect "$tmp/nobody.sock" true 2> "$tmp/err"
rc=$?
if [ $rc = 125 ] && grep -q "cannot hand the ring to $tmp/nobody.sock" "$tmp/err"; then
	echo "ok: no listener: exit 125 and a message"
else
	echo "FAIL: no listener: exit $rc, $(cat "$tmp/err")"; fail=1
fi
exit $fail
