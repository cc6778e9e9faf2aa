# A reverse shell: a socket dup'ed onto stdin and stdout (to a listener on
# loopback, so no packet leaves the machine).
# needs: python3
# default: pdig standard stream redirected to network = 2 ~ connection=127\.0\.0\.1:
# falco: Redirect STDOUT/STDIN to Network Connection in Container = 2
run() {
	"$PY" -c 'import os, socket
l = socket.socket(); l.bind(("127.0.0.1", 0)); l.listen(1)
s = socket.create_connection(l.getsockname())
os.dup2(s.fileno(), 0); os.dup2(s.fileno(), 1)'
}
