#!/bin/bash
# IPv6 UDP on loopback (and on the machine's first global IPv6 address,
# when it has one) recorded by pdig -w, whose interface list carries the
# IPv6 addresses: sysdig 0.29.3 then patches the unknown end of a tuple
# with a local address (::1:0->::1:PORT, not :::0->::1:PORT) and tells the
# local end by it. pdig-engine must print what sysdig prints on the fd
# fields this touches, and the capture must show the patching.
#   ipv6_local.sh ENGINE PDIG
set -u
engine=$1 pdig=$2
. "$(dirname "$0")/../lib/probe.sh"
pd_need sysdig
pd_need trace
pd_need ipv6
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export TZ=UTC
# a second address besides ::1: the interface's own, not a loopback one
# (inference by exact match and by the first 64 bits, then fd.is_server)
glob=$(awk '$6 != "lo" && $4 == "00" { print $1; exit }' /proc/net/if_inet6 |
	sed 's/\(....\)/\1:/g; s/:$//')
cat >"$tmp/p.py" <<'EOF'
import socket, sys
for a in sys.argv[1:]:
    r = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); r.bind((a, 0))
    p = r.getsockname()[1]
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.sendto(b"hi", (a, p)); d, peer = r.recvfrom(10); r.sendto(b"yo", peer); s.recvfrom(10)
    s.sendmsg([b"m"], [], 0, (a, p)); r.recvmsg(10)
    u = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); u.connect((a, p)); u.send(b"c"); r.recvfrom(10)
    for x in (r, s, u): x.close()
EOF
addrs="::1 $glob"
python3 "$tmp/p.py" $addrs >/dev/null 2>&1 || { echo "SKIP: the program fails natively"; exit 77; }
"$pdig" -q --io --container-id '' -w "$tmp/c.scap" -- python3 "$tmp/p.py" $addrs \
	>"$tmp/pdig.out" 2>&1 || { echo "FAIL: pdig -w: $(cat "$tmp/pdig.out")"; exit 1; }
fail=0
fmt='*%evt.num %evt.type %fd.type %fd.name %fd.lip %fd.rip %fd.lport %fd.rport %fd.is_server %fd.cip %fd.sip %fd.cport %fd.sport %fd.l4proto'
for flt in 'fd.type in (ipv4, ipv6)' 'fd.is_server = true' 'fd.lip = ::1' 'fd.rip = ::1' 'fd.rport > 0'; do
	sysdig -r "$tmp/c.scap" -p "$fmt" "$flt" >"$tmp/s.out" 2>&1
	"$engine" -e "$tmp/c.scap" -p "$fmt" "$flt" >"$tmp/e.out" 2>&1
	if cmp -s "$tmp/s.out" "$tmp/e.out"; then
		echo "ok: $flt: $(wc -l <"$tmp/s.out") lines as sysdig"
	else
		echo "FAIL: $flt differs (< sysdig, > pdig-engine):"
		diff "$tmp/s.out" "$tmp/e.out" | head -20
		fail=1
	fi
done
# the capture carries the IPv6 interfaces: the unbound sender's unknown
# source is patched with ::1 (without them it stays ::, named :::0->...)
sysdig -r "$tmp/c.scap" -p '%fd.name' 'evt.type = sendto and fd.type = ipv6' >"$tmp/n.out" 2>&1
if grep -Eq '^::1:0->::1:[0-9]+$' "$tmp/n.out" && ! grep -q '^:::' "$tmp/n.out"; then
	echo "ok: IPv6 tuples patched from the interface list"
else
	echo "FAIL: sendto's IPv6 tuples not patched from the interface list: $(sort -u "$tmp/n.out" | head -5)"
	fail=1
fi
exit $fail
