# Command and control: connections out to unusual ports, from a shell
# (bash's /dev/tcp, the classic one-liner) and from a Python implant.
# Run in a private network namespace (# needs: netns): setup() puts the
# "remote" addresses on its loopback interface, so that no packet leaves
# the machine and no route is needed. 203.0.113.1 (TEST-NET-3) is local
# there, with a listener on port 4444: bash's connect succeeds.
# 198.51.100.1 (TEST-NET-2) is routed to the loopback interface, which
# drops what it gets for it: the Python connect is non-blocking and stays
# in progress (EINPROGRESS), which Falco counts as outbound too. Its
# connect to port 443 of the same address is usual: no alert.
# Neither address is loopback or private (RFC 1918).
# needs: root netns ip python3 bash
# default: pdig outbound connection to an unusual port = 1 ~ connection=203\.0\.113\.1:[0-9]+->203\.0\.113\.1:4444 .*process=bash
# default: pdig outbound connection to an unusual port = 1 ~ connection=[0-9.]+:[0-9]+->198\.51\.100\.1:6667 .*process=python3
# incubating: System procs network activity = 1 ~ connection=203\.0\.113\.1:[0-9]+->203\.0\.113\.1:4444 .*process=bash
setup() {
	ip link set lo up &&
		ip addr add 203.0.113.1/32 dev lo &&
		ip route add 198.51.100.0/24 dev lo || return 1
	# the listener, untraced and detached: it accepts one connection, or
	# gives up after 20 s
	rm -f "$W/listening"
	("$PY" -c 'import select, socket, sys
l = socket.socket(); l.bind(("203.0.113.1", 4444)); l.listen(1)
open(sys.argv[1], "w").close()
if select.select([l], [], [], 20)[0]:
    l.accept()[0].close()' "$W/listening" </dev/null >/dev/null 2>&1 &)
	i=0
	while [ ! -e "$W/listening" ]; do
		[ $i -lt 100 ] || return 1
		sleep 0.05
		i=$((i + 1))
	done
}
run() {
	bash -c 'exec 3<>/dev/tcp/203.0.113.1/4444 && exec 3>&-' || return 1
	"$PY" -c 'import errno, socket, sys
for port in (6667, 443):
    s = socket.socket(); s.setblocking(False)
    if s.connect_ex(("198.51.100.1", port)) != errno.EINPROGRESS:
        sys.exit("connect to port %d: not in progress" % port)'
}
