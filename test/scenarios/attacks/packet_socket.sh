# A packet socket (sniffing, raw frames).
# needs: python3 root
# default: pdig packet socket = 1 ~ process=python3
# falco: Packet socket created in container = 1
run() {
	"$PY" -c 'import socket; socket.socket(socket.AF_PACKET, socket.SOCK_RAW)'
}
